// DataStreams, the typed internal API, against a real service, log and
// metadata store: what Firehose and Analytics will call.

#include "streams/data_streams.h"

#include <gtest/gtest.h>

#include <future>

#include "common/mutex.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

class DataStreamsTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-data-streams");
    options_.throughput_limits = false;
    open();
    api_ = std::make_unique<DataStreams>(*service_);
  }
  void TearDown() override {
    api_.reset();
    ServiceTestBase::TearDown();
  }

  std::vector<PutOutcome> put(const std::string& stream, std::vector<PutEntry> entries) {
    std::promise<protocol::ApiResult<std::vector<PutOutcome>>> done;
    api_->put_records(stream, std::move(entries), [&](auto r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    EXPECT_TRUE(r.has_value());
    return r ? *r : std::vector<PutOutcome>{};
  }

  std::unique_ptr<DataStreams> api_;
};

TEST_F(DataStreamsTest, CreatePutAndReadWithoutJson) {
  auto created = api_->create_stream("orders", 2, "eu-west-1");
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->arn, "arn:aws:kinesis:eu-west-1:" + options_.account_id + ":stream/orders");
  EXPECT_EQ(created->shards.size(), 2u);
  EXPECT_EQ(created->mode, "PROVISIONED");
  EXPECT_EQ(api_->list_streams(), std::vector<std::string>{"orders"});

  // Explicit hash keys put one record on each shard.
  auto outcomes =
      put("orders", {{"a", "first", std::string("0")},
                     {"b", std::string("\0second", 7), std::string("340282366920938463463374607431768211455")}});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_FALSE(outcomes[0].error.has_value());
  EXPECT_EQ(outcomes[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(outcomes[1].shard_id, "shardId-000000000001");

  auto cursor = api_->cursor("orders", "shardId-000000000001", ReadPosition{});
  ASSERT_TRUE(cursor.has_value());
  auto read = api_->read(*cursor, 100);
  ASSERT_TRUE(read.has_value());
  ASSERT_EQ(read->records.size(), 1u);
  EXPECT_EQ(read->records[0].data, std::string("\0second", 7));
  EXPECT_EQ(read->records[0].partition_key, "b");
  EXPECT_EQ(read->records[0].sequence_number, outcomes[1].sequence_number);
  EXPECT_GT(read->records[0].arrival_ms, 0);
  EXPECT_TRUE(read->next_cursor.has_value());

  // AFTER_SEQUENCE_NUMBER of the last record: nothing more.
  cursor = api_->cursor("orders", "shardId-000000000001",
                        ReadPosition{ReadPositionType::kAfterSequenceNumber, outcomes[1].sequence_number, 0});
  ASSERT_TRUE(cursor.has_value());
  EXPECT_TRUE(api_->read(*cursor, 100)->records.empty());
}

// read() takes the stored records without GetRecords' Records list
// (KinesisService::get_records_stored): the same records, sequence numbers,
// arrival times and next position as GetRecords gives, page by page.
TEST_F(DataStreamsTest, ReadGivesWhatGetRecordsGives) {
  ASSERT_TRUE(api_->create_stream("pages", 1, "us-east-1").has_value());
  std::vector<PutEntry> entries;
  for (int i = 0; i < 7; ++i) entries.push_back({"key-" + std::to_string(i), "data " + std::to_string(i), {}});
  ASSERT_EQ(put("pages", entries).size(), 7u);
  auto cursor = api_->cursor("pages", "shardId-000000000000", ReadPosition{});
  ASSERT_TRUE(cursor.has_value());
  auto it =
      call("GetShardIterator",
           obj({{"StreamName", "pages"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}));
  ASSERT_TRUE(it.has_value());
  std::string iterator = it->find("ShardIterator")->as_string();
  size_t seen = 0;
  for (int page = 0; page < 3; ++page) {
    auto read = api_->read(*cursor, 3);
    ASSERT_TRUE(read.has_value());
    auto answer = call("GetRecords", obj({{"ShardIterator", iterator}, {"Limit", 3}}));
    ASSERT_TRUE(answer.has_value());
    const auto& records = answer->find("Records")->as_array();
    ASSERT_EQ(read->records.size(), records.size()) << page;
    EXPECT_EQ(read->records.size(), page < 2 ? 3u : 1u);
    for (size_t i = 0; i < records.size(); ++i, ++seen) {
      EXPECT_EQ(read->records[i].sequence_number, records[i].find("SequenceNumber")->as_string());
      EXPECT_EQ(read->records[i].partition_key, "key-" + std::to_string(seen));
      EXPECT_EQ(read->records[i].data, "data " + std::to_string(seen));
      EXPECT_EQ(read->records[i].arrival_ms, records[i].find("ApproximateArrivalTimestamp")->as_timestamp().millis);
    }
    ASSERT_TRUE(read->next_cursor.has_value());
    cursor = *read->next_cursor;
    iterator = answer->find("NextShardIterator")->as_string();
  }
  EXPECT_EQ(seen, 7u);
  EXPECT_TRUE(api_->read(*cursor, 3)->records.empty());
}

TEST_F(DataStreamsTest, ErrorsAreTheApisErrors) {
  auto missing = api_->describe_stream("nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().type, "ResourceNotFoundException");
  std::promise<protocol::ApiResult<std::vector<PutOutcome>>> done;
  api_->put_records("nope", {{"k", "d", std::nullopt}}, [&](auto r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
}

TEST_F(DataStreamsTest, WatchersHearOfStreamsAndDurableRecords) {
  Mutex mu;
  std::vector<StreamEvent> events;  // under mu (a local: no GUARDED_BY)
  int id = api_->watch([&](const StreamEvent& e) {
    MutexLock lock(mu);
    events.push_back(e);
  });
  ASSERT_TRUE(api_->create_stream("a", 1, ""));
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "b"}, {"ShardCount", int64_t{1}}})));
  put("a", {{"k", "v", std::nullopt}});
  ASSERT_TRUE(
      call("SplitShard",
           obj({{"StreamName", "b"}, {"ShardToSplit", "shardId-000000000000"}, {"NewStartingHashKey", "1000"}})));
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "a"}})));
  api_->unwatch(id);
  put("b", {{"k", "v", std::nullopt}});

  MutexLock lock(mu);
  std::vector<std::pair<StreamEvent::Kind, std::string>> named;
  uint64_t durable_key = 0;
  for (const StreamEvent& e : events) {
    if (e.kind == StreamEvent::Kind::kRecordsDurable)
      durable_key = e.shard_key;
    else
      named.emplace_back(e.kind, e.stream);
  }
  EXPECT_EQ(named, (std::vector<std::pair<StreamEvent::Kind, std::string>>{{StreamEvent::Kind::kCreated, "a"},
                                                                           {StreamEvent::Kind::kCreated, "b"},
                                                                           {StreamEvent::Kind::kResharded, "b"},
                                                                           {StreamEvent::Kind::kDeleted, "a"}}));
  // One durable event (stream a's put); b's put came after unwatch.
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const StreamEvent& e) { return e.kind == StreamEvent::Kind::kRecordsDurable; }),
            1);
  EXPECT_NE(durable_key, 0u);
}

TEST_F(DataStreamsTest, LocateNamesTheShardOfADurableEvent) {
  ASSERT_TRUE(api_->create_stream("s", 3, ""));
  std::promise<uint64_t> key;
  bool set = false;
  int id = api_->watch([&](const StreamEvent& e) {
    if (e.kind == StreamEvent::Kind::kRecordsDurable && !set) {
      set = true;
      key.set_value(e.shard_key);
    }
  });
  put("s", {{"k", "v", std::string("340282366920938463463374607431768211455")}});
  uint64_t k = key.get_future().get();
  api_->unwatch(id);
  auto where = api_->locate(k);
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->stream, "s");
  EXPECT_EQ(where->shard_id, "shardId-000000000002");
}

TEST_F(DataStreamsTest, ReadingAClosedShardToItsEndNamesItsChildren) {
  ASSERT_TRUE(api_->create_stream("r", 1, ""));
  put("r", {{"k", "before", std::nullopt}});
  ASSERT_TRUE(call("SplitShard", obj({{"StreamName", "r"},
                                      {"ShardToSplit", "shardId-000000000000"},
                                      {"NewStartingHashKey", "170141183460469231731687303715884105728"}})));
  auto info = api_->describe_stream("r");
  ASSERT_TRUE(info.has_value());
  ASSERT_EQ(info->shards.size(), 3u);
  EXPECT_FALSE(info->shards[0].open());
  EXPECT_EQ(info->shards[1].parent_shard_id, "shardId-000000000000");

  auto cursor = api_->cursor("r", "shardId-000000000000", ReadPosition{});
  ASSERT_TRUE(cursor.has_value());
  std::vector<std::string> children;
  std::vector<std::string> data;
  for (std::optional<std::string> c = *cursor; c;) {
    auto read = api_->read(*c, 100);
    ASSERT_TRUE(read.has_value());
    for (const auto& r : read->records) data.push_back(r.data);
    c = read->next_cursor;
    if (!c) children = read->child_shards;
  }
  EXPECT_EQ(data, std::vector<std::string>{"before"});
  EXPECT_EQ(children, (std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"}));
}

}  // namespace
}  // namespace runnel::streams
