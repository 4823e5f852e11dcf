#include "streams/hash_key.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>

namespace runnel::streams {
namespace {

HashKey pow2(unsigned bit) { return HashKey{1} << bit; }

// A slow, obviously right decimal formatter to check the fast one against.
std::string naive_decimal(HashKey v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}

HashKey random_key(std::mt19937_64& rng) { return (HashKey{rng()} << 64) | rng(); }

TEST(HashPartitionKey, MatchesMd5Vectors) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661.
  EXPECT_EQ(format_hash_key(hash_partition_key("a")), "16955237001963240173058271559858726497");
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e.
  EXPECT_EQ(format_hash_key(hash_partition_key("")), "281949768489412648962353822266799178366");
  // UTF-8 bytes are hashed as they are: "ü" = c3 bc.
  EXPECT_EQ(format_hash_key(hash_partition_key("\xc3\xbc")), "255482112228542481294366945247899473731");
  // Leading zero byte (01a6...): big-endian read, not a string of hex.
  EXPECT_EQ(format_hash_key(hash_partition_key("partitionKey-123")), "2194768330143008585753290565116070389");
}

TEST(HashPartitionKey, IsBigEndian) {
  const HashKey h = hash_partition_key("a");
  EXPECT_EQ(static_cast<uint64_t>(h >> 64), 0x0cc175b9c0f1b6a8ull);
  EXPECT_EQ(static_cast<uint64_t>(h), 0x31c399e269772661ull);
}

TEST(HashPartitionKey, SameResultAcrossThreadsAndCalls) {
  const HashKey first = hash_partition_key("stable");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(hash_partition_key("stable"), first);
  HashKey other = 0;
  std::thread t([&] { other = hash_partition_key("stable"); });
  t.join();
  EXPECT_EQ(other, first);
}

TEST(ParseHashKey, AcceptsTheModelPatternInRange) {
  EXPECT_EQ(parse_hash_key("0"), HashKey{0});
  EXPECT_EQ(parse_hash_key("1"), HashKey{1});
  EXPECT_EQ(parse_hash_key("340282366920938463463374607431768211455"), kMaxHashKey);
  EXPECT_EQ(parse_hash_key("170141183460469231731687303715884105728"), pow2(127));
  EXPECT_EQ(parse_hash_key("18446744073709551616"), pow2(64));
}

TEST(ParseHashKey, RejectsOutOfRangeAndMalformed) {
  EXPECT_EQ(parse_hash_key("340282366920938463463374607431768211456"), std::nullopt);   // 2^128
  EXPECT_EQ(parse_hash_key("999999999999999999999999999999999999999"), std::nullopt);   // 39 nines
  EXPECT_EQ(parse_hash_key("1000000000000000000000000000000000000000"), std::nullopt);  // 40 digits
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3", "00", "01", "0340"}) {
    EXPECT_EQ(parse_hash_key(bad), std::nullopt) << bad;
  }
}

TEST(FormatHashKey, MatchesNaiveConversionAndRoundTrips) {
  EXPECT_EQ(format_hash_key(0), "0");
  EXPECT_EQ(format_hash_key(kMaxHashKey), "340282366920938463463374607431768211455");
  EXPECT_EQ(format_hash_key(10'000'000'000'000'000'000ull), "10000000000000000000");
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    HashKey v = random_key(rng) >> (rng() % 128);
    const std::string s = format_hash_key(v);
    ASSERT_EQ(s, naive_decimal(v));
    ASSERT_EQ(parse_hash_key(s), v);
  }
}

void expect_partition(uint32_t n) {
  SCOPED_TRACE(n);
  const auto ranges = split_hash_space(n);
  ASSERT_EQ(ranges.size(), n);
  EXPECT_EQ(ranges.front().start, HashKey{0});
  EXPECT_EQ(ranges.back().end, kMaxHashKey);
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_LE(ranges[i].start, ranges[i].end);
    if (i + 1 < n) {
      ASSERT_EQ(ranges[i].end + 1, ranges[i + 1].start);
    }
  }
  if (n >= 2) {
    // step = floor(2^128 / n); every shard but the last is exactly one step wide.
    const HashKey step = ranges[1].start;
    EXPECT_EQ(ranges[0].end, step - 1);
    // step * n <= 2^128 < step * n + n
    const HashKey step_times_n_minus_1 = step * (n - 1);
    EXPECT_GE(kMaxHashKey - step_times_n_minus_1, step - 1);
    EXPECT_LT(kMaxHashKey - step_times_n_minus_1, step + n - 1);
    for (uint32_t i = 0; i + 1 < n; ++i) {
      ASSERT_EQ(ranges[i].start, step * i);
    }
  }
}

TEST(SplitHashSpace, ContiguousAndCovering) {
  for (uint32_t n : {1u, 2u, 3u, 7u, 16u, 500u, 10000u}) expect_partition(n);
  EXPECT_TRUE(split_hash_space(0).empty());
}

TEST(SplitHashSpace, KnownBoundaries) {
  auto one = split_hash_space(1);
  EXPECT_EQ(one[0], (HashKeyRange{0, kMaxHashKey}));

  auto two = split_hash_space(2);
  EXPECT_EQ(two[0], (HashKeyRange{0, pow2(127) - 1}));
  EXPECT_EQ(two[1], (HashKeyRange{pow2(127), kMaxHashKey}));

  // floor(2^128 / 3) = 113427455640312821154458202477256070485 (kinesalite's
  // and AWS's start of shard 1 for a 3-shard stream).
  auto three = split_hash_space(3);
  EXPECT_EQ(format_hash_key(three[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(format_hash_key(three[0].end), "113427455640312821154458202477256070484");
  EXPECT_EQ(format_hash_key(three[2].start), "226854911280625642308916404954512140970");

  auto sixteen = split_hash_space(16);
  for (uint32_t i = 0; i < 16; ++i) EXPECT_EQ(sixteen[i].start, HashKey{i} << 124);

  auto many = split_hash_space(10000);
  EXPECT_EQ(format_hash_key(many[1].start), "34028236692093846346337460743176821");
}

TEST(HashKeyRange, ContainsIsInclusive) {
  HashKeyRange r{10, 20};
  EXPECT_FALSE(r.contains(9));
  EXPECT_TRUE(r.contains(10));
  EXPECT_TRUE(r.contains(20));
  EXPECT_FALSE(r.contains(21));
}

}  // namespace
}  // namespace runnel::streams
