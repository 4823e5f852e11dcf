// The AWS/Kinesis CloudWatch metrics Data Streams records
// (docs/kinesis-metrics.md): a scripted workload gives exactly the expected
// SampleCount, Sum, Minimum and Maximum per metric; shard-level series follow
// EnableEnhancedMonitoring, resharding and DisableEnhancedMonitoring; a
// deleted stream's series are dropped; nothing is recorded without a
// registry.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.h"
#include "metrics/prometheus.h"
#include "metrics/registry.h"
#include "protocol/event_stream_response.h"
#include "streams/fake_sink_test_util.h"
#include "streams/model.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using metrics::Aggregate;
using metrics::Dimension;
using protocol::Array;
using protocol::Blob;
using protocol::Value;
using testing::FakeSink;

int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// What one metric received: the four statistics GetMetricStatistics answers.
struct Stats {
  double count, sum, min, max;
};

class KinesisMetricsTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-kinesis-metrics");
    fsync_ = storage::FsyncPolicy::kNever;
    options_.autoscale_interval_ms = 0;
    options_.metrics = &registry_;
  }
  void configure(KinesisService& service) override {
    service.now_ms = [this] { return now_.load(); };
  }

  // Every value recorded so far, merged per series (all in one minute: the
  // registry's clock is fixed).
  Aggregate get(const std::string& name, std::vector<Dimension> dims) {
    for (auto& d : registry_.take_deltas())
      for (auto& slot : d.slots) collected_[d.series->key()].merge(slot.aggregate);
    auto id = metrics::MetricId::make("AWS/Kinesis", name, std::move(dims));
    EXPECT_TRUE(id.has_value());
    return collected_[id->key()];
  }
  void expect(const std::string& name, std::vector<Dimension> dims, Stats want) {
    Aggregate a = get(name, dims);
    std::string where = name;
    for (const auto& d : dims) where += " " + d.name + "=" + d.value;
    EXPECT_EQ(a.count, want.count) << where;
    EXPECT_EQ(a.sum, want.sum) << where;
    if (a.count > 0) {
      EXPECT_EQ(a.min, want.min) << where;
      EXPECT_EQ(a.max, want.max) << where;
    }
  }
  std::shared_ptr<metrics::Series> find(const std::string& name, std::vector<Dimension> dims, metrics::Unit unit) {
    auto id = metrics::MetricId::make("AWS/Kinesis", name, std::move(dims));
    return registry_.find(*id, unit);
  }

  void create_stream(const std::string& name, int shards = 1) {
    auto r = call("CreateStream", obj({{"StreamName", name}, {"ShardCount", shards}}));
    ASSERT_TRUE(r) << r.error().message;
  }
  void monitoring(const std::string& op, const std::string& stream, std::vector<std::string> names) {
    Array list;
    for (auto& n : names) list.emplace_back(n);
    auto r = call(op, obj({{"StreamName", stream}, {"ShardLevelMetrics", std::move(list)}}));
    ASSERT_TRUE(r) << r.error().message;
  }
  // PutRecords of `n` records of `data_bytes` bytes under key "k".
  protocol::ApiResult<Value> put_records(const std::string& stream, int n, size_t data_bytes) {
    Array records;
    for (int i = 0; i < n; ++i)
      records.push_back(obj({{"PartitionKey", "k"}, {"Data", Blob{std::string(data_bytes, 'x')}}}));
    return call("PutRecords", obj({{"StreamName", stream}, {"Records", std::move(records)}}));
  }
  std::string register_consumer(const std::string& stream, const std::string& name) {
    auto d = call("DescribeStreamSummary", obj({{"StreamName", stream}}));
    const std::string arn = d->find("StreamDescriptionSummary")->find("StreamARN")->as_string();
    auto r = call("RegisterStreamConsumer", obj({{"StreamARN", arn}, {"ConsumerName", name}}));
    EXPECT_TRUE(r);
    return r ? r->find("Consumer")->find("ConsumerARN")->as_string() : "";
  }
  std::optional<protocol::ApiError> subscribe(const std::string& arn, const std::shared_ptr<FakeSink>& sink) {
    const protocol::OperationModel* op = kinesis_model().find_operation("SubscribeToShard");
    protocol::RequestContext ctx{
        "us-east-1", "000000000000", "req-sub", protocol::WireFormat::kJson,
        std::make_shared<protocol::EventStreamResponse>(sink, protocol::WireFormat::kJson, "req-sub")};
    auto result = std::make_shared<std::optional<protocol::ApiError>>();
    service_->handle(*op,
                     obj({{"ConsumerARN", arn},
                          {"ShardId", "shardId-000000000000"},
                          {"StartingPosition", obj({{"Type", "TRIM_HORIZON"}})}}),
                     ctx, [result](protocol::ApiResult<Value> r) {
                       *result = r ? protocol::ApiError{"UnexpectedSuccessReply", "", 200} : r.error();
                     });
    return *result;
  }

  // The service's clock: ten minutes ahead of the log's arrival times, so
  // an iterator age is about 600,000 ms.
  std::atomic<int64_t> now_{system_ms() + 600'000};
  metrics::Registry registry_{[] { return metrics::TimePoint{std::chrono::seconds(1'800'000'000)}; }};
  std::map<std::string, Aggregate> collected_;
};

const std::vector<Dimension> kStream = {{"StreamName", "s"}};
const std::vector<Dimension> kShard0 = {{"ShardId", "shardId-000000000000"}, {"StreamName", "s"}};

// The scripted workload, one shard, limits on, a clock that does not move
// (so the write budget of 1,000 records and the read budget of 5 calls do
// not refill).
TEST_F(KinesisMetricsTest, WorkloadGivesExactStatistics) {
  open();
  create_stream("s");
  monitoring("EnableEnhancedMonitoring", "s", {"ALL"});
  // 3 PutRecord of 11, 21 and 31 bytes (data + key).
  for (size_t n : {10u, 20u, 30u}) ASSERT_TRUE(put_record("s", std::string(n, 'a')));
  // 2 PutRecords of 3 records of 101 bytes, then 500 + 500 records of 2
  // bytes: the last one has 9 records over the shard's 1,000.
  ASSERT_TRUE(put_records("s", 3, 100));
  ASSERT_TRUE(put_records("s", 3, 100));
  ASSERT_TRUE(put_records("s", 500, 1));
  auto last = put_records("s", 500, 1);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->find("FailedRecordCount")->as_int(), 9);
  // A PutRecord refused whole.
  auto refused = put_record("s", "z");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type, "ProvisionedThroughputExceededException");

  expect("IncomingBytes", kStream, {7, 2651, 11, 1000});
  expect("IncomingRecords", kStream, {7, 1000, 1, 500});
  expect("PutRecord.Bytes", kStream, {3, 63, 11, 31});
  expect("PutRecord.Success", kStream, {4, 3, 0, 1});
  expect("PutRecords.Bytes", kStream, {4, 2588, 303, 1000});
  expect("PutRecords.Records", kStream, {4, 997, 3, 500});
  expect("PutRecords.SuccessfulRecords", kStream, {4, 997, 3, 500});
  expect("PutRecords.FailedRecords", kStream, {4, 0, 0, 0});
  expect("PutRecords.ThrottledRecords", kStream, {4, 9, 0, 9});
  expect("PutRecords.TotalRecords", kStream, {4, 1006, 3, 500});
  expect("PutRecords.Success", kStream, {4, 4, 1, 1});
  expect("WriteProvisionedThroughputExceeded", kStream, {1010, 10, 0, 1});
  EXPECT_EQ(get("PutRecord.Latency", kStream).count, 4);
  EXPECT_EQ(get("PutRecords.Latency", kStream).count, 4);
  EXPECT_GE(get("PutRecords.Latency", kStream).min, 0);
  // The shard-level twins (one shard: the same samples).
  expect("IncomingBytes", kShard0, {7, 2651, 11, 1000});
  expect("IncomingRecords", kShard0, {7, 1000, 1, 500});
  expect("WriteProvisionedThroughputExceeded", kShard0, {1010, 10, 0, 1});

  // GetRecords: 600 records, the other 400, then three empty reads; the
  // sixth call in the same second is throttled.
  auto it =
      call("GetShardIterator",
           obj({{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}));
  ASSERT_TRUE(it);
  std::string iterator = it->find("ShardIterator")->as_string();
  const int64_t limits[] = {600, 10000, 10000, 10000, 10000};
  for (int64_t limit : limits) {
    auto page = call("GetRecords", obj({{"ShardIterator", iterator}, {"Limit", limit}}));
    ASSERT_TRUE(page) << page.error().message;
    iterator = page->find("NextShardIterator")->as_string();
  }
  auto throttled = call("GetRecords", obj({{"ShardIterator", iterator}}));
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().type, "ProvisionedThroughputExceededException");

  expect("GetRecords.Bytes", kStream, {5, 2651, 0, 1851});
  expect("GetRecords.Records", kStream, {5, 1000, 0, 600});
  expect("GetRecords.Success", kStream, {6, 5, 0, 1});
  expect("ReadProvisionedThroughputExceeded", kStream, {6, 1, 0, 1});
  EXPECT_EQ(get("GetRecords.Latency", kStream).count, 6);
  Aggregate age = get("GetRecords.IteratorAgeMilliseconds", kStream);
  EXPECT_EQ(age.count, 5);
  EXPECT_EQ(age.min, 0);  // the empty reads are caught up
  EXPECT_GT(age.max, 590'000);
  EXPECT_LE(age.max, 600'000);
  expect("OutgoingBytes", kShard0, {5, 2651, 0, 1851});
  expect("OutgoingRecords", kShard0, {5, 1000, 0, 600});
  expect("ReadProvisionedThroughputExceeded", kShard0, {6, 1, 0, 1});
  EXPECT_EQ(get("IteratorAgeMilliseconds", kShard0).count, 5);

  // SubscribeToShard: one subscription delivers the 1,000 records; a
  // second one at once is refused (RateExceeded).
  const std::string arn = register_consumer("s", "c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, sink));
  auto other = std::make_shared<FakeSink>();
  auto again = subscribe(arn, other);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->type, "ResourceInUseException");
  auto delivered = [&] {
    size_t n = 0;
    for (const auto& e : sink->events())
      if (const Value* rs = e.payload.find("Records")) n += rs->as_array().size();
    return n;
  };
  ASSERT_TRUE(eventually([&] { return delivered() == 1000; }));
  service_->shutdown();  // the delivery thread is done recording
  const double events = static_cast<double>(sink->events().size());
  const std::vector<Dimension> consumer = {{"ConsumerName", "c"}, {"StreamName", "s"}};
  expect("SubscribeToShard.Success", consumer, {2, 1, 0, 1});
  expect("SubscribeToShard.RateExceeded", consumer, {1, 1, 1, 1});
  Aggregate event_records = get("SubscribeToShardEvent.Records", consumer);
  EXPECT_EQ(event_records.count, events);
  EXPECT_EQ(event_records.sum, 1000);
  Aggregate event_bytes = get("SubscribeToShardEvent.Bytes", consumer);
  EXPECT_EQ(event_bytes.count, events);
  EXPECT_EQ(event_bytes.sum, 2651);
  expect("SubscribeToShardEvent.Success", consumer, {events, events, 1, 1});
  EXPECT_EQ(get("SubscribeToShardEvent.MillisBehindLatest", consumer).count, events);
  // The shard's Outgoing* count the events' records too.
  EXPECT_EQ(get("OutgoingRecords", kShard0).sum, 2000);
  EXPECT_EQ(get("OutgoingBytes", kShard0).sum, 2 * 2651);
}

TEST_F(KinesisMetricsTest, ShardLevelSeriesOnlyWhileEnhancedMonitoringIsOn) {
  open();
  create_stream("s");
  ASSERT_TRUE(put_record("s", "1234567890"));  // 11 bytes
  EXPECT_EQ(find("IncomingBytes", kShard0, metrics::Unit::kBytes), nullptr);
  EXPECT_NE(find("IncomingBytes", kStream, metrics::Unit::kBytes), nullptr);

  monitoring("EnableEnhancedMonitoring", "s", {"IncomingBytes"});
  EXPECT_NE(find("IncomingBytes", kShard0, metrics::Unit::kBytes), nullptr);
  EXPECT_EQ(find("IncomingRecords", kShard0, metrics::Unit::kCount), nullptr);
  ASSERT_TRUE(put_record("s", "12345678901234567890"));  // 21 bytes

  monitoring("DisableEnhancedMonitoring", "s", {"IncomingBytes"});
  EXPECT_EQ(find("IncomingBytes", kShard0, metrics::Unit::kBytes), nullptr);
  ASSERT_TRUE(put_record("s", "123"));

  expect("IncomingBytes", kShard0, {1, 21, 21, 21});
  expect("IncomingBytes", kStream, {3, 36, 4, 21});
  expect("IncomingRecords", kShard0, {0, 0, 0, 0});
}

TEST_F(KinesisMetricsTest, ReshardingGivesNewShardsTheirSeriesAndKeepsTheClosedOnes) {
  open();
  create_stream("s");
  monitoring("EnableEnhancedMonitoring", "s", {"ALL"});
  ASSERT_TRUE(put_record("s", "before"));
  ASSERT_TRUE(call("SplitShard", obj({{"StreamName", "s"},
                                      {"ShardToSplit", "shardId-000000000000"},
                                      {"NewStartingHashKey", "170141183460469231731687303715884105728"}})));
  for (const char* child : {"shardId-000000000001", "shardId-000000000002"})
    EXPECT_NE(find("IncomingRecords", {{"ShardId", child}, {"StreamName", "s"}}, metrics::Unit::kCount), nullptr)
        << child;
  ASSERT_TRUE(put_record("s", "after"));
  // The closed parent keeps its one record; the write went to a child.
  expect("IncomingRecords", kShard0, {1, 1, 1, 1});
  const double children = get("IncomingRecords", {{"ShardId", "shardId-000000000001"}, {"StreamName", "s"}}).sum +
                          get("IncomingRecords", {{"ShardId", "shardId-000000000002"}, {"StreamName", "s"}}).sum;
  EXPECT_EQ(children, 1);
}

TEST_F(KinesisMetricsTest, DeletedStreamSeriesAreDroppedAfterTheirValues) {
  open();
  create_stream("s");
  monitoring("EnableEnhancedMonitoring", "s", {"ALL"});
  register_consumer("s", "c");
  ASSERT_TRUE(put_record("s", "abc"));
  create_stream("other");
  const size_t other_series = 20;  // the stream level of "other"
  ASSERT_GT(registry_.size(), other_series);
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "s"}, {"EnforceConsumerDeletion", true}})));
  ASSERT_TRUE(eventually([&] { return !call("DescribeStreamSummary", obj({{"StreamName", "s"}})); }));
  EXPECT_EQ(find("IncomingBytes", kStream, metrics::Unit::kBytes), nullptr);
  EXPECT_EQ(find("IncomingBytes", kShard0, metrics::Unit::kBytes), nullptr);
  EXPECT_EQ(registry_.size(), other_series);
  // What was recorded before the deletion is still handed to the flusher.
  expect("IncomingBytes", kStream, {1, 4, 4, 4});
}

// Throttling counted per shard: the shard whose budget is spent gets the 1,
// the other one its 0.
TEST_F(KinesisMetricsTest, WriteThrottlingIsCountedOnTheShardThatRefused) {
  open();
  create_stream("s", 2);
  monitoring("EnableEnhancedMonitoring", "s", {"WriteProvisionedThroughputExceeded", "IncomingRecords"});
  auto to = [](const char* hash_key, int n) {
    Array records;
    for (int i = 0; i < n; ++i)
      records.push_back(obj({{"PartitionKey", "k"}, {"ExplicitHashKey", hash_key}, {"Data", Blob{"x"}}}));
    return records;
  };
  const char* kFirst = "0";
  const char* kSecond = "340282366920938463463374607431768211455";
  ASSERT_TRUE(call("PutRecords", obj({{"StreamName", "s"}, {"Records", to(kFirst, 500)}})));
  ASSERT_TRUE(call("PutRecords", obj({{"StreamName", "s"}, {"Records", to(kFirst, 500)}})));
  Array mixed = to(kFirst, 1);
  mixed.push_back(to(kSecond, 1).front());
  auto r = call("PutRecords", obj({{"StreamName", "s"}, {"Records", std::move(mixed)}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("FailedRecordCount")->as_int(), 1);

  const std::vector<Dimension> shard1 = {{"ShardId", "shardId-000000000001"}, {"StreamName", "s"}};
  expect("WriteProvisionedThroughputExceeded", kStream, {1002, 1, 0, 1});
  expect("WriteProvisionedThroughputExceeded", kShard0, {1001, 1, 0, 1});
  expect("WriteProvisionedThroughputExceeded", shard1, {1, 0, 0, 0});
  expect("IncomingRecords", kShard0, {2, 1000, 500, 500});
  expect("IncomingRecords", shard1, {1, 1, 1, 1});
  expect("IncomingRecords", kStream, {3, 1001, 1, 500});
  expect("PutRecords.ThrottledRecords", kStream, {3, 1, 0, 1});
}

TEST_F(KinesisMetricsTest, DeregisteredConsumerSeriesAreDropped) {
  open();
  create_stream("s");
  const std::string arn = register_consumer("s", "c");
  const std::vector<Dimension> consumer = {{"ConsumerName", "c"}, {"StreamName", "s"}};
  ASSERT_NE(find("SubscribeToShardEvent.Records", consumer, metrics::Unit::kCount), nullptr);
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"ConsumerARN", arn}})));
  ASSERT_TRUE(call("DescribeStreamSummary", obj({{"StreamName", "s"}})));  // the deletion completes
  EXPECT_EQ(find("SubscribeToShardEvent.Records", consumer, metrics::Unit::kCount), nullptr);
  EXPECT_NE(find("IncomingBytes", kStream, metrics::Unit::kBytes), nullptr);
}

TEST_F(KinesisMetricsTest, NothingWithoutARegistrySeriesAgainAfterLoad) {
  options_.metrics = nullptr;
  open();
  create_stream("s");
  monitoring("EnableEnhancedMonitoring", "s", {"IncomingRecords"});
  register_consumer("s", "c");
  ASSERT_TRUE(put_record("s", "abc"));
  read_first_shard("s");
  EXPECT_EQ(registry_.size(), 0u);

  // Loaded streams get their series, shard level as stored.
  KinesisOptions with = options_;
  with.metrics = &registry_;
  restart_with(with);
  EXPECT_NE(find("IncomingBytes", kStream, metrics::Unit::kBytes), nullptr);
  EXPECT_NE(find("IncomingRecords", kShard0, metrics::Unit::kCount), nullptr);
  EXPECT_EQ(find("IncomingBytes", kShard0, metrics::Unit::kBytes), nullptr);
  EXPECT_NE(find("SubscribeToShard.Success", {{"ConsumerName", "c"}, {"StreamName", "s"}}, metrics::Unit::kCount),
            nullptr);
  ASSERT_TRUE(put_record("s", "abcd"));
  expect("IncomingRecords", kShard0, {1, 1, 1, 1});
}

// Through the durable store, as GetMetricStatistics reads it, and on the
// Prometheus page.
TEST_F(KinesisMetricsTest, StoreAnswersGetMetricStatisticsAndPrometheusShowsTheFamilies) {
  const metrics::TimePoint t0{std::chrono::seconds(1'800'000'000)};
  auto opened = metrics::Metrics::open(
      metrics::MetricsOptions{(dir_ / "metrics.db").string(), 3'600'000, 3600, 1024, [t0] { return t0; }});
  ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
  std::unique_ptr<metrics::Metrics> store = std::move(*opened);
  options_.metrics = &store->registry();
  open();
  create_stream("s");
  ASSERT_TRUE(put_record("s", std::string(9, 'a')));  // 10 bytes
  ASSERT_TRUE(put_records("s", 4, 24));               // 100 bytes
  ASSERT_TRUE(store->flush());

  auto id = metrics::MetricId::make("AWS/Kinesis", "IncomingBytes", kStream);
  auto points = store->store().statistics(*id, metrics::Unit::kBytes, t0 - std::chrono::minutes(1),
                                          t0 + std::chrono::minutes(1), 60);
  ASSERT_TRUE(points.has_value());
  ASSERT_EQ(points->size(), 1u);
  const Aggregate& a = points->front().aggregate;
  EXPECT_EQ(a.count, 2);
  EXPECT_EQ(a.sum, 110);
  EXPECT_EQ(a.min, 10);
  EXPECT_EQ(a.max, 100);

  const std::string page = metrics::render_prometheus(store->registry());
  EXPECT_NE(page.find("runnel_kinesis_incoming_bytes_total{stream=\"s\"} 110"), std::string::npos) << page;
  EXPECT_NE(page.find("# TYPE runnel_kinesis_put_records_latency_milliseconds histogram"), std::string::npos);
  EXPECT_NE(page.find("runnel_kinesis_put_records_latency_milliseconds_count{stream=\"s\"} 1"), std::string::npos);
  EXPECT_NE(page.find("# TYPE runnel_kinesis_get_records_iterator_age_milliseconds gauge"), std::string::npos);
  close();  // the service lets go of its handles before the store closes
}

}  // namespace
}  // namespace runnel::streams
