#include "bench/producer.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "bench/fake_endpoint.h"
#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "common/mutex.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::bench {
namespace {

using protocol::Array;
using protocol::Object;
using protocol::Value;

class ProducerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  BenchOptions Options(const std::string& url) {
    BenchOptions o;
    o.endpoint = url;
    o.batch = 10;
    o.rate = 2000;
    o.concurrency = 2;
    o.max_retries = 3;
    EXPECT_TRUE(validate(o).is_ok());
    return o;
  }

  // Runs a producer for `ms` milliseconds.
  static void RunFor(Producer& p, int ms) {
    std::thread t([&] { p.run(); });
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end && p.fatal().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    p.stop();
    t.join();
  }
};

// Regression guard for the retry path: entries answered with an ErrorCode are
// sent again, counted, and end up stored.
TEST_F(ProducerTest, ThrottledEntriesAreRetriedUntilStored) {
  Mutex mu;
  std::set<std::string> stored, throttled;
  int requests = 0;
  FakeEndpoint endpoint([&](const std::string& op, const std::string& body) -> FakeEndpoint::Answer {
    EXPECT_EQ(op, "PutRecords");
    auto v = protocol::decode_json(body);
    if (!v) return {400, R"({"__type":"SerializationException"})"};
    MutexLock lock(mu);
    const bool throttle = requests++ % 2 == 0;  // every other request: throttle half its entries
    Array results;
    int failed = 0;
    int i = 0;
    for (const Value& r : v->find("Records")->as_array()) {
      std::string key = r.find("PartitionKey")->as_string();
      if (throttle && i++ % 2 == 0) {
        throttled.insert(key);
        failed++;
        results.emplace_back(Object{{"ErrorCode", "ProvisionedThroughputExceededException"},
                                    {"ErrorMessage", "Rate exceeded for shard shardId-000000000000"}});
      } else {
        stored.insert(key);
        results.emplace_back(Object{{"SequenceNumber", "1"}, {"ShardId", "shardId-000000000000"}});
      }
    }
    return {200, protocol::encode_json(Object{{"FailedRecordCount", failed}, {"Records", std::move(results)}})};
  });
  BenchOptions o = Options(endpoint.url());
  RunStats stats;
  Producer p(o, "s", stats);
  RunFor(p, 600);
  StatsSnapshot s = stats.snapshot();
  EXPECT_TRUE(p.fatal().empty());
  ASSERT_GT(s.put_requests, 5u);
  const ErrorCount& e = s.errors["PutRecords ProvisionedThroughputExceededException"];
  EXPECT_GT(e.count, 0u);
  EXPECT_EQ(e.count, e.retried + e.gave_up);
  // A retried error leads to a re-send, unless the run stopped first: then the
  // record counts as failed, like one that ran out of retries.
  EXPECT_EQ(e.retried + e.gave_up, s.records_retried + s.records_failed);
  EXPECT_GT(s.records_retried, 0u);
  MutexLock lock(mu);
  EXPECT_EQ(s.put_records, stored.size());
  // Each throttled key was stored later, except those still waiting when the run stopped (failed).
  size_t never_stored = 0;
  for (const auto& k : throttled) never_stored += stored.count(k) == 0;
  EXPECT_EQ(never_stored, s.records_failed);
}

TEST_F(ProducerTest, GivesUpWhenEveryRequestFails) {
  FakeEndpoint endpoint([](const std::string&, const std::string&) -> FakeEndpoint::Answer {
    return {400, R"({"__type":"com.amazon.coral.service#UnknownOperationException"})"};
  });
  BenchOptions o = Options(endpoint.url());
  o.rate = 0;
  RunStats stats;
  Producer p(o, "s", stats);
  RunFor(p, 2000);
  EXPECT_NE(p.fatal().find("UnknownOperationException"), std::string::npos) << p.fatal();
  StatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.put_records, 0u);
  EXPECT_GE(s.errors["PutRecords UnknownOperationException"].gave_up, 20u);
}

TEST_F(ProducerTest, RatePacesNewRecords) {
  std::atomic<int> records{0};
  FakeEndpoint endpoint([&](const std::string&, const std::string& body) -> FakeEndpoint::Answer {
    auto v = protocol::decode_json(body);
    Array results;
    for (size_t i = 0; i < v->find("Records")->as_array().size(); ++i) {
      results.emplace_back(Object{{"SequenceNumber", "1"}, {"ShardId", "shardId-000000000000"}});
      records++;
    }
    return {200, protocol::encode_json(Object{{"FailedRecordCount", 0}, {"Records", std::move(results)}})};
  });
  BenchOptions o = Options(endpoint.url());
  o.rate = 1000;
  RunStats stats;
  Producer p(o, "s", stats);
  RunFor(p, 1000);
  // 1000/s for 1 s, in batches of 10: about 1000 records (the first batch goes at t=0).
  EXPECT_GE(records.load(), 900);
  EXPECT_LE(records.load(), 1030);
}

// No coordinated omission: while the endpoint stalls and every request slot
// is taken, records keep falling due, and when they finally go out each
// batch carries the time it was due, not the time it was sent, so the wait
// shows up in the end-to-end latency of every record that waited.
TEST_F(ProducerTest, RecordsThatWaitedInTheToolKeepTheirDueTime) {
  struct Seen {
    int64_t stamp_us;
    int64_t arrived_us;
  };
  Mutex mu;
  std::vector<Seen> batches;
  FakeEndpoint endpoint([&](const std::string&, const std::string& body) -> FakeEndpoint::Answer {
    auto v = protocol::decode_json(body);
    const Array& recs = v->find("Records")->as_array();
    auto data = protocol::base64_decode(recs.front().find("Data")->as_string());
    auto stamp = data ? read_stamp(*data) : std::nullopt;
    bool first = false;
    {
      MutexLock lock(mu);
      batches.push_back(Seen{stamp.value_or(-1), now_epoch_micros()});
      first = batches.size() == 1;
    }
    if (first) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a stall
    Array results;
    for (size_t i = 0; i < recs.size(); ++i)
      results.emplace_back(Object{{"SequenceNumber", "1"}, {"ShardId", "shardId-000000000000"}});
    return {200, protocol::encode_json(Object{{"FailedRecordCount", 0}, {"Records", std::move(results)}})};
  });
  BenchOptions o = Options(endpoint.url());
  o.rate = 1000;  // a batch of 10 due every 10 ms
  o.concurrency = 1;
  RunStats stats;
  Producer p(o, "s", stats);
  RunFor(p, 400);
  MutexLock lock(mu);
  ASSERT_GE(batches.size(), 5u);
  const int64_t t0 = batches[0].stamp_us;
  // The second batch was due 10 ms in, but could only be sent after the
  // 200 ms stall: it arrives late and still says when it was due.
  EXPECT_GE(batches[1].arrived_us - t0, 150'000);
  EXPECT_NEAR(static_cast<double>(batches[1].stamp_us - t0), 10'000.0, 3'000.0);
  for (size_t i = 1; i < batches.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(batches[i].stamp_us - batches[i - 1].stamp_us), 10'000.0, 3'000.0) << i;
    EXPECT_LE(batches[i].stamp_us, batches[i].arrived_us) << i;
  }
}

// A FakeEndpoint answer storing every record of a PutRecords; `keys` (under
// `mu`) collects their partition keys.
FakeEndpoint::Answer StoreAll(const std::string& body, Mutex& mu, std::multiset<std::string>& keys) {
  auto v = protocol::decode_json(body);
  if (!v) return {400, R"({"__type":"SerializationException"})"};
  Array results;
  MutexLock lock(mu);
  for (const Value& r : v->find("Records")->as_array()) {
    keys.insert(r.find("PartitionKey")->as_string());
    results.emplace_back(Object{{"SequenceNumber", "1"}, {"ShardId", "shardId-000000000000"}});
  }
  return {200, protocol::encode_json(Object{{"FailedRecordCount", 0}, {"Records", std::move(results)}})};
}

TEST_F(ProducerTest, ThreadsShareOneRateBudget) {
  Mutex mu;
  std::multiset<std::string> keys;
  FakeEndpoint endpoint([&](const std::string&, const std::string& body) { return StoreAll(body, mu, keys); });
  BenchOptions o = Options(endpoint.url());
  o.producer_threads = 3;
  o.concurrency = 6;
  o.rate = 1000;
  ASSERT_TRUE(validate(o).is_ok());
  RunStats stats;
  Producer p(o, "s", stats);
  RunFor(p, 1000);
  EXPECT_TRUE(p.fatal().empty()) << p.fatal();
  MutexLock lock(mu);
  // 1000/s in all, not per thread: each thread may send its first batch at t=0.
  EXPECT_GE(keys.size(), 900u);
  EXPECT_LE(keys.size(), 1050u);
  EXPECT_EQ(stats.snapshot().put_records, keys.size());
}

TEST_F(ProducerTest, ThreadsUseDistinctKeysAndCountEveryRecord) {
  Mutex mu;
  std::multiset<std::string> keys;
  FakeEndpoint endpoint([&](const std::string&, const std::string& body) { return StoreAll(body, mu, keys); });
  BenchOptions o = Options(endpoint.url());
  o.producer_threads = 2;
  o.concurrency = 4;
  o.rate = 0;
  ASSERT_TRUE(validate(o).is_ok());
  RunStats stats;
  Producer p(o, "s", stats);
  RunFor(p, 500);
  EXPECT_TRUE(p.fatal().empty()) << p.fatal();
  StatsSnapshot s = stats.snapshot();
  MutexLock lock(mu);
  ASSERT_GT(keys.size(), 100u);
  EXPECT_EQ(s.put_records, keys.size());
  EXPECT_EQ(s.records_failed, 0u);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size()) << "the threads' keys repeat";
}

}  // namespace
}  // namespace runnel::bench
