// The Kinesis operations against a real log and metadata store in a temp
// directory, without HTTP: routing, sequence numbers, iterators, paging,
// retention texts, persistence across a restart.

#include "streams/kinesis_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "streams/hash_key.h"
#include "streams/sequence_number.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

class ServiceFixture : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-svc");
    open();
  }
};

TEST_F(ServiceFixture, CreateDescribeAndDuplicate) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 3}})));
  auto dup = call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}}));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().type, "ResourceInUseException");
  EXPECT_EQ(dup.error().message, "Stream s under account 000000000000 already exists.");

  auto d = call("DescribeStream", obj({{"StreamName", "s"}}));
  ASSERT_TRUE(d);
  const Value& desc = *d->find("StreamDescription");
  EXPECT_EQ(desc.find("StreamStatus")->as_string(), "ACTIVE");
  EXPECT_EQ(desc.find("StreamARN")->as_string(), "arn:aws:kinesis:us-east-1:000000000000:stream/s");
  const Array& shards = desc.find("Shards")->as_array();
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[0].find("ShardId")->as_string(), "shardId-000000000000");
  EXPECT_EQ(shards[2].find("HashKeyRange")->find("EndingHashKey")->as_string(),
            "340282366920938463463374607431768211455");
  EXPECT_EQ(shards[0].find("SequenceNumberRange")->find("StartingSequenceNumber")->as_string().size(), 56u);

  auto missing = call("DescribeStream", obj({{"StreamName", "nope"}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().type, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().message, "Stream nope under account 000000000000 not found.");
}

TEST_F(ServiceFixture, PutRoutesByMd5AndReadsBackInOrder) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 4}})));
  auto ranges = split_hash_space(4);
  std::vector<std::string> seqs;
  for (int i = 0; i < 20; ++i) {
    std::string key = "key-" + std::to_string(i % 5);
    auto r =
        call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", key}, {"Data", Blob{"d" + std::to_string(i)}}}));
    ASSERT_TRUE(r) << r.error().message;
    HashKey h = hash_partition_key(key);
    size_t expect = 0;
    while (!(ranges[expect].start <= h && h <= ranges[expect].end)) ++expect;
    EXPECT_EQ(r->find("ShardId")->as_string(), "shardId-00000000000" + std::to_string(expect));
    if (key == "key-0") seqs.push_back(r->find("SequenceNumber")->as_string());
  }
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(compare_sequence_numbers(seqs[i - 1], seqs[i]), 0);

  // Read key-0's shard from TRIM_HORIZON.
  HashKey h = hash_partition_key("key-0");
  size_t shard = 0;
  while (!(ranges[shard].start <= h && h <= ranges[shard].end)) ++shard;
  auto it = call("GetShardIterator", obj({{"StreamName", "s"},
                                          {"ShardId", "shardId-00000000000" + std::to_string(shard)},
                                          {"ShardIteratorType", "TRIM_HORIZON"}}));
  ASSERT_TRUE(it);
  auto got = call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}}));
  ASSERT_TRUE(got) << got.error().message;
  std::vector<std::string> read_seqs;
  for (const auto& r : got->find("Records")->as_array())
    if (r.find("PartitionKey")->as_string() == "key-0") read_seqs.push_back(r.find("SequenceNumber")->as_string());
  EXPECT_EQ(read_seqs, seqs);
  EXPECT_TRUE(got->find("NextShardIterator")->is_string());
  EXPECT_EQ(got->find("MillisBehindLatest")->as_int(), 0);

  // AFTER_SEQUENCE_NUMBER of the last record: nothing more.
  auto after = call("GetShardIterator", obj({{"StreamName", "s"},
                                             {"ShardId", "shardId-00000000000" + std::to_string(shard)},
                                             {"ShardIteratorType", "AFTER_SEQUENCE_NUMBER"},
                                             {"StartingSequenceNumber", seqs.back()}}));
  ASSERT_TRUE(after);
  auto none = call("GetRecords", obj({{"ShardIterator", after->find("ShardIterator")->as_string()}}));
  ASSERT_TRUE(none);
  for (const auto& r : none->find("Records")->as_array())
    EXPECT_GT(compare_sequence_numbers(r.find("SequenceNumber")->as_string(), seqs.back()), 0);
}

TEST_F(ServiceFixture, BadIteratorsAndRetentionTexts) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto bad = call("GetRecords", obj({{"ShardIterator", "AAAAAAAAAAEnotreal"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().type, "InvalidArgumentException");
  EXPECT_EQ(bad.error().message, "Invalid ShardIterator.");

  auto low = call("DecreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 12}}));
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().message,
            "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short.");
  ASSERT_TRUE(call("IncreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 48}})));
  auto wrong_way = call("IncreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 36}}));
  ASSERT_FALSE(wrong_way);
  EXPECT_EQ(wrong_way.error().message,
            "Requested retention period (36 hours) for stream s can not be shorter than existing retention period "
            "(48 hours). Use DecreaseRetentionPeriod API.");
}

TEST_F(ServiceFixture, ListStreamsPagesWithNextToken) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s" + std::to_string(i)}, {"ShardCount", 1}})));
  auto page1 = call("ListStreams", obj({{"Limit", 2}}));
  ASSERT_TRUE(page1);
  EXPECT_TRUE(page1->find("HasMoreStreams")->as_bool());
  auto page2 = call("ListStreams", obj({{"NextToken", page1->find("NextToken")->as_string()}, {"Limit", 10}}));
  ASSERT_TRUE(page2);
  const Array& names = page2->find("StreamNames")->as_array();
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0].as_string(), "s2");
  EXPECT_FALSE(page2->find("HasMoreStreams")->as_bool());
}

TEST_F(ServiceFixture, StreamsTagsAndRecordsSurviveRestart) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  Value tags = Object{};
  tags.set("team", "a");
  ASSERT_TRUE(call("AddTagsToStream", obj({{"StreamName", "s"}, {"Tags", tags}})));
  auto first = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"one"}}}));
  ASSERT_TRUE(first);
  close();
  open();
  auto second = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"two"}}}));
  ASSERT_TRUE(second);
  EXPECT_EQ(first->find("ShardId")->as_string(), second->find("ShardId")->as_string());
  EXPECT_LT(
      compare_sequence_numbers(first->find("SequenceNumber")->as_string(), second->find("SequenceNumber")->as_string()),
      0);
  auto listed = call("ListTagsForStream", obj({{"StreamName", "s"}}));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->find("Tags")->as_array().size(), 1u);
  auto it = call("GetShardIterator", obj({{"StreamName", "s"},
                                          {"ShardId", first->find("ShardId")->as_string()},
                                          {"ShardIteratorType", "AT_SEQUENCE_NUMBER"},
                                          {"StartingSequenceNumber", first->find("SequenceNumber")->as_string()}}));
  ASSERT_TRUE(it);
  auto got = call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}}));
  ASSERT_TRUE(got);
  const Array& recs = got->find("Records")->as_array();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].find("Data")->as_blob().bytes, "one");
  EXPECT_EQ(recs[1].find("Data")->as_blob().bytes, "two");
}

TEST_F(ServiceFixture, DeletedStreamIsGoneAndNameReusable) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto put = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"old"}}}));
  ASSERT_TRUE(put);
  auto it =
      call("GetShardIterator",
           obj({{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}));
  ASSERT_TRUE(it);
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "s"}})));
  EXPECT_FALSE(call("DescribeStreamSummary", obj({{"StreamName", "s"}})));
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  // The old iterator named the old incarnation: it must not read the new one.
  auto old = call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}}));
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().type, "ResourceNotFoundException");
  // It names the stream, as AWS does (it said "in stream ?").
  EXPECT_EQ(old.error().message, "Shard shardId-000000000000 in stream s under account 000000000000 does not exist");
}

}  // namespace
}  // namespace runnel::streams

namespace runnel::streams {
namespace {

// Handlers used to dereference the members they expected (a null
// input_string() for a StreamName of the wrong kind, a missing Records):
// an input that skipped validation crashed the server. Every operation now
// decodes a typed input first, so such an input is a SerializationException
// naming the member, and nothing else happens.
TEST_F(ServiceFixture, AnUnvalidatedInputIsASerializationExceptionNotACrash) {
  auto error_of = [](const protocol::ApiResult<Value>& r) {
    return r ? std::string("ok") : r.error().type + ": " + r.error().message;
  };
  EXPECT_EQ(error_of(call("CreateStream", obj({{"StreamName", int64_t{7}}}))),
            "SerializationException: StreamName: expected a string, found integer");
  EXPECT_EQ(error_of(call("PutRecords", obj({{"StreamName", "s"}}))),
            "SerializationException: Records: a required member is missing");
  EXPECT_EQ(error_of(call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "k"}}))),
            "SerializationException: Data: a required member is missing");
  EXPECT_EQ(error_of(call("GetRecords", obj({}))),
            "SerializationException: ShardIterator: a required member is missing");
  EXPECT_EQ(error_of(call("AddTagsToStream", obj({{"StreamName", "s"}, {"Tags", Value(Array{})}}))),
            "SerializationException: Tags: expected a map, found list");
  // Nothing was created on the way.
  auto listed = call("ListStreams", obj({}));
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->find("StreamNames")->as_array().empty());
}

}  // namespace
}  // namespace runnel::streams
