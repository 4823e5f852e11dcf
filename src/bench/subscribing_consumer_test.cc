#include "bench/subscribing_consumer.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <thread>

#include "bench/fake_endpoint.h"
#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "protocol/event_stream.h"
#include "protocol/json_codec.h"

namespace runnel::bench {
namespace {

namespace es = protocol::eventstream;
using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

class SubscribingConsumerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  static BenchOptions Options(const std::string& url) {
    BenchOptions o;
    o.endpoint = url;
    o.consume_name = "subscribe";
    EXPECT_TRUE(validate(o).is_ok());
    return o;
  }

  // Runs `c` until `done()` or `ms` milliseconds.
  template <class Pred>
  static void RunUntil(Consumer& c, Pred done, int ms) {
    std::thread t([&] { c.run(); });
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end && !done() && c.fatal().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    c.stop();
    t.join();
  }
};

TEST_F(SubscribingConsumerTest, ReceivesStampedRecordsFromEachShard) {
  std::atomic<int> subscribes{0};
  FakeEndpoint endpoint([&](const std::string& op, const std::string& body) -> FakeEndpoint::Answer {
    EXPECT_EQ(op, "SubscribeToShard");
    auto req = protocol::decode_json(body);
    EXPECT_TRUE(req.has_value());
    EXPECT_EQ(string_member(*req, "ConsumerARN"), "arn:c");
    EXPECT_EQ(string_member(*req->find("StartingPosition"), "Type"), "LATEST");
    subscribes++;
    std::string data(40, 'd');
    write_stamp(data, now_epoch_micros() - 3000);  // put 3 ms ago
    Value event = Object{
        {"Records", Array{Object{{"Data", Blob{data}}, {"PartitionKey", "k"}, {"SequenceNumber", "5"}},
                          Object{{"Data", Blob{"not stamped"}}, {"PartitionKey", "k"}, {"SequenceNumber", "6"}}}},
        {"ContinuationSequenceNumber", "6"},
        {"MillisBehindLatest", 0}};
    // A shard-end event last, so the consumer does not resubscribe.
    Value end = Object{{"Records", Array{}},
                       {"MillisBehindLatest", 0},
                       {"ChildShards", Array{Object{{"ShardId", "shardId-000000000009"}}}}};
    return {200, es::event_frame("initial-response", "application/json", "{}") +
                     es::event_frame("SubscribeToShardEvent", "application/json", protocol::encode_json(event)) +
                     es::event_frame("SubscribeToShardEvent", "application/json", protocol::encode_json(end))};
  });
  BenchOptions o = Options(endpoint.url());
  RunStats stats;
  SubscribingConsumer c(o, "arn:c", {"shardId-000000000000", "shardId-000000000001"}, stats);
  RunUntil(
      c, [&] { return stats.snapshot().received_records >= 4; }, 5000);
  EXPECT_TRUE(c.fatal().empty()) << c.fatal();
  EXPECT_TRUE(c.ready());
  StatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.received_records, 4u);
  EXPECT_EQ(s.unstamped_records, 2u);
  EXPECT_EQ(s.subscriptions, 2u);
  EXPECT_GE(s.consume_requests, 2u) << "events are counted as the consumer's requests";
  EXPECT_LE(s.consume_requests, 4u);
  ASSERT_EQ(s.e2e_latency.count(), 2u);
  EXPECT_GE(s.e2e_latency.min(), 3000);
  EXPECT_LT(s.e2e_latency.max(), 1'000'000);
  EXPECT_EQ(subscribes.load(), 2) << "ended shards are not subscribed again";
}

TEST_F(SubscribingConsumerTest, EndpointWithoutFanOutIsFatalAtOnce) {
  FakeEndpoint endpoint([](const std::string&, const std::string&) -> FakeEndpoint::Answer {
    return {400, R"({"__type":"UnknownOperationException"})"};
  });
  BenchOptions o = Options(endpoint.url());
  RunStats stats;
  SubscribingConsumer c(o, "arn:c", {"shardId-000000000000"}, stats);
  const auto start = std::chrono::steady_clock::now();
  RunUntil(
      c, [] { return false; }, 5000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(c.fatal().find("UnknownOperationException"), std::string::npos) << c.fatal();
  EXPECT_NE(c.fatal().find("--consume poll"), std::string::npos) << c.fatal();
  EXPECT_FALSE(c.ready());
}

}  // namespace
}  // namespace runnel::bench
