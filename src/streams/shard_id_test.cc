#include "streams/shard_id.h"

#include <gtest/gtest.h>

namespace runnel::streams {
namespace {

TEST(FormatShardId, ZeroPadsToTwelveDigits) {
  EXPECT_EQ(format_shard_id(0), "shardId-000000000000");
  EXPECT_EQ(format_shard_id(3), "shardId-000000000003");
  EXPECT_EQ(format_shard_id(10000), "shardId-000000010000");
  EXPECT_EQ(format_shard_id(kMaxShardIndex), "shardId-002147483647");
  EXPECT_EQ(format_shard_id(4294967295u), "shardId-004294967295");
}

TEST(ParseShardId, AcceptsTheFormsAwsAndKinesaliteAccept) {
  EXPECT_EQ(parse_shard_id("shardId-000000000000"), 0u);
  EXPECT_EQ(parse_shard_id("shardId-000000000003"), 3u);
  EXPECT_EQ(parse_shard_id("shardId-0"), 0u);
  EXPECT_EQ(parse_shard_id("shardId-5"), 5u);
  EXPECT_EQ(parse_shard_id("0"), 0u);
  EXPECT_EQ(parse_shard_id("2147483647"), kMaxShardIndex);
  // From kinesalite's getShardIterator tests (recorded against AWS): any
  // prefix before the first '-', even an empty one.
  EXPECT_EQ(parse_shard_id("shard-0"), 0u);
  EXPECT_EQ(parse_shard_id("abcdefg-2147483647"), kMaxShardIndex);
  EXPECT_EQ(parse_shard_id("a-00002147483647"), kMaxShardIndex);
  EXPECT_EQ(parse_shard_id("-00002147483647"), kMaxShardIndex);
  // Only the piece between the first and second '-' counts.
  EXPECT_EQ(parse_shard_id("x-3-y"), 3u);
  EXPECT_EQ(parse_shard_id("shardId-0000000000000000000000000000007"), 7u);
}

TEST(ParseShardId, RejectsWhatNamesNoShard) {
  for (const char* bad : {"", "shardId-", "-", "ABKLFD8", "2.14E4", "+3", " 3", "3 ", "shardId-x", "a-b-3",
                          "2147483648", "shardId-002147483648", "99999999999999999999", "shardId--3", "0x10"}) {
    EXPECT_EQ(parse_shard_id(bad), std::nullopt) << bad;
  }
}

TEST(ParseShardId, RoundTripsFormat) {
  for (uint32_t i : {0u, 1u, 9u, 10u, 123456u, kMaxShardIndex}) EXPECT_EQ(parse_shard_id(format_shard_id(i)), i);
}

}  // namespace
}  // namespace runnel::streams

namespace runnel::streams {
namespace {

TEST(FormatEncodedShardId, PrintsNegativeIndicesAsJavaDoes) {
  // kinesalite's recorded answer for an index field of hex 80000000:
  // "It encodes shardId--02147483648".
  EXPECT_EQ(format_encoded_shard_id(INT32_MIN), "shardId--02147483648");
  EXPECT_EQ(format_encoded_shard_id(-5), "shardId--00000000005");
  EXPECT_EQ(format_encoded_shard_id(5), "shardId-000000000005");
  EXPECT_EQ(format_encoded_shard_id(INT32_MAX), "shardId-002147483647");
}

}  // namespace
}  // namespace runnel::streams
