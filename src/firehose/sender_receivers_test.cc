// The OpenSearch and Splunk Senders against the receivers of
// tests/e2e/receivers/ (bulk_receiver.py, hec_receiver.py), which
// tests/e2e/receivers/run_sender_tests.sh starts before running these tests
// with RUNNEL_BULK_RECEIVER_PORT, RUNNEL_HEC_RECEIVER_PORT and
// RUNNEL_HEC_RECEIVER_TOKEN set (ctest: firehose_sender_receivers). Without
// them the tests skip.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "firehose/opensearch.h"
#include "firehose/splunk.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

using Verdict = SendOutcome::Verdict;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string base_url(const char* port_env) { return "http://127.0.0.1:" + env(port_env); }

// POSTs `body` to the receiver's `path` and returns the JSON answer.
protocol::Value call(const std::string& base, const std::string& path, const std::string& body = "{}") {
  EndpointRequest req;
  req.url = base + path;
  req.body = body;
  req.timeout_ms = 10'000;
  EndpointResponse r = send_endpoint_request(req);
  EXPECT_EQ(r.status, 200) << path << ": " << r.transport_error << r.body;
  auto v = protocol::decode_json(r.body);
  EXPECT_TRUE(v.has_value()) << r.body;
  return v ? *v : protocol::Value();
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One send() and its outcome (done must come within a minute).
SendOutcome send_and_wait(Sender& sender, std::vector<SendRecord> records, int attempt = 1,
                          int64_t first_attempt_ago_ms = 0) {
  SendRequest req;
  req.batch_id = "batch";
  req.attempt = attempt;
  req.now_ms = wall_ms();
  req.first_attempt_ms = req.now_ms - first_attempt_ago_ms;
  req.records = std::move(records);
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  sender.send(std::move(req), [promise](SendOutcome o) { promise->set_value(std::move(o)); });
  if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "send() did not complete";
    return SendOutcome{Verdict::kRetry, 0, "test.Timeout", "", {}};
  }
  return future.get();
}

constexpr int64_t k20160225T13 = 1456405200000;

class BulkReceiver : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("RUNNEL_BULK_RECEIVER_PORT").empty())
      GTEST_SKIP() << "RUNNEL_BULK_RECEIVER_PORT is not set (tests/e2e/receivers/run_sender_tests.sh sets it)";
    base_ = base_url("RUNNEL_BULK_RECEIVER_PORT");
    call(base_, "/_control", R"({"reset":true})");
  }
  OpenSearchTarget target() const {
    OpenSearchTarget t;
    t.bulk_url = base_ + "/_bulk";
    t.index_name = "logs";
    t.rotation = IndexRotation::kOneDay;
    return t;
  }
  protocol::Value documents() { return *call(base_, "/_dump").find("documents"); }
  std::string base_;
};

TEST_F(BulkReceiver, DeliversWithRotatedIndexesAndIdsStableAcrossRetries) {
  auto sender = make_opensearch_sender(target());
  std::vector<SendRecord> records = {{R"({"a":1})", k20160225T13, "shard-0.1"},
                                     {"{\"b\":2}\n", k20160225T13 + 86'400'000, "shard-0.2"}};
  EXPECT_EQ(send_and_wait(*sender, records).verdict, Verdict::kDelivered);
  EXPECT_EQ(send_and_wait(*sender, records, 2).verdict, Verdict::kDelivered);  // the same documents again
  protocol::Value docs = documents();
  ASSERT_EQ(docs.as_array().size(), 2u) << protocol::encode_json(docs);
  EXPECT_EQ(docs.as_array()[0].find("index")->as_string(), "logs-2016-02-25");
  EXPECT_EQ(docs.as_array()[0].find("id")->as_string(), "shard-0.1");
  EXPECT_EQ(docs.as_array()[0].find("source")->as_string(), R"({"a":1})");
  EXPECT_EQ(docs.as_array()[1].find("index")->as_string(), "logs-2016-02-26");
  EXPECT_EQ(docs.as_array()[1].find("source")->as_string(), R"({"b":2})");
  EXPECT_EQ(docs.as_array()[1].find("version")->as_int(), 2);  // re-indexed, not duplicated
}

TEST_F(BulkReceiver, PartialFailuresAreRetriedAloneThenFailedPerDocument) {
  call(base_, "/_control", R"({"fail_pattern":"\"bad\""})");
  auto sender = make_opensearch_sender(target());
  std::vector<SendRecord> records = {{R"({"n":1})", k20160225T13, "s.1"},
                                     {R"({"bad":true})", k20160225T13, "s.2"},
                                     {R"({"n":3})", k20160225T13, "s.3"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  ASSERT_EQ(first.failures.size(), 1u);
  EXPECT_EQ(first.failures[0].index, 1u);
  EXPECT_EQ(first.failures[0].error_code, "400");
  EXPECT_NE(first.failures[0].error_message.find("mapper_parsing_exception"), std::string::npos);

  // The retry carries the failed document only; its retry time is over.
  SendOutcome last = send_and_wait(*sender, {records[1]}, 2, 300'000);
  EXPECT_EQ(last.verdict, Verdict::kFailed);
  ASSERT_EQ(last.failures.size(), 1u);
  EXPECT_EQ(last.failures[0].index, 0u);
  EXPECT_EQ(last.failures[0].error_code, "400");
  EXPECT_EQ(documents().as_array().size(), 2u);
}

TEST_F(BulkReceiver, ServerErrorThenSuccess) {
  call(base_, "/_control", R"({"next_statuses":[503]})");
  auto sender = make_opensearch_sender(target());
  std::vector<SendRecord> records = {{R"({"n":1})", k20160225T13, "s.1"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  EXPECT_EQ(first.error_code, "OS.ServerError");
  EXPECT_TRUE(first.failures.empty());
  EXPECT_GT(first.retry_after_ms, 0);
  EXPECT_EQ(send_and_wait(*sender, records, 2).verdict, Verdict::kDelivered);
  EXPECT_EQ(documents().as_array().size(), 1u);
}

TEST_F(BulkReceiver, MalformedAnswerIsRetriedWhole) {
  call(base_, "/_control", R"({"malformed_next":1})");
  auto sender = make_opensearch_sender(target());
  std::vector<SendRecord> records = {{R"({"n":1})", k20160225T13, "s.1"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  EXPECT_EQ(first.error_code, "OS.MalformedResponse");
  EXPECT_EQ(send_and_wait(*sender, records, 2).verdict, Verdict::kDelivered);
}

TEST_F(BulkReceiver, SlowAnswerTimesOutThenFails) {
  call(base_, "/_control", R"({"delay_seconds":2})");
  OpenSearchSenderOptions options;
  options.request_timeout_ms = 200;
  auto sender = make_opensearch_sender(target(), options);
  std::vector<SendRecord> records = {{R"({"n":1})", k20160225T13, "s.1"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  EXPECT_EQ(first.error_code, "OS.ConnectionFailed");
  SendOutcome last = send_and_wait(*sender, records, 2, 300'000);
  EXPECT_EQ(last.verdict, Verdict::kFailed);
  EXPECT_EQ(last.error_code, "OS.ConnectionFailed");
}

TEST_F(BulkReceiver, BasicAuthenticationFromTheEndpointUrl) {
  call(base_, "/_control", R"({"basic_auth":"user:pw"})");
  api::ElasticsearchDestinationDescription d;
  d.cluster_endpoint = "http://user:pw@127.0.0.1:" + env("RUNNEL_BULK_RECEIVER_PORT");
  d.index_name = "es";
  d.type_name = "_doc";
  d.index_rotation_period = "NoRotation";
  auto sender = make_opensearch_sender(d);
  ASSERT_TRUE(sender.has_value()) << sender.error().message();
  std::vector<SendRecord> records = {{R"({"n":1})", k20160225T13, "s.1"}};
  EXPECT_EQ(send_and_wait(**sender, records).verdict, Verdict::kDelivered);
  protocol::Value docs = documents();
  ASSERT_EQ(docs.as_array().size(), 1u);
  EXPECT_EQ(docs.as_array()[0].find("index")->as_string(), "es");
  EXPECT_EQ(docs.as_array()[0].find("type")->as_string(), "_doc");

  d.cluster_endpoint = "http://user:wrong@127.0.0.1:" + env("RUNNEL_BULK_RECEIVER_PORT");
  auto refused = make_opensearch_sender(d);
  ASSERT_TRUE(refused.has_value());
  SendOutcome o = send_and_wait(**refused, records);
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "ES.AccessDenied");
}

class HecReceiver : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("RUNNEL_HEC_RECEIVER_PORT").empty())
      GTEST_SKIP() << "RUNNEL_HEC_RECEIVER_PORT is not set (tests/e2e/receivers/run_sender_tests.sh sets it)";
    base_ = base_url("RUNNEL_HEC_RECEIVER_PORT");
    call(base_, "/_control", R"({"reset":true})");
    options_.ack_poll_interval_ms = 20;
  }
  SplunkTarget target(bool raw = false) const {
    SplunkTarget t;
    t.raw = raw;
    t.base_url = base_;
    t.token = env("RUNNEL_HEC_RECEIVER_TOKEN");
    return t;
  }
  protocol::Value dump() { return call(base_, "/_dump"); }
  std::string base_;
  SplunkSenderOptions options_;
};

TEST_F(HecReceiver, EventsAreDeliveredOnceAcknowledged) {
  call(base_, "/_control", R"({"ack_after_polls":3})");
  auto sender = make_splunk_sender(target(), options_);
  std::vector<SendRecord> records = {{R"({"event":"one"})", 0, "s.1"}, {R"({"event":{"n":2},"time":5})", 0, "s.2"}};
  EXPECT_EQ(send_and_wait(*sender, records).verdict, Verdict::kDelivered);
  protocol::Value d = dump();
  const auto& events = d.find("events")->as_array();
  ASSERT_EQ(events.size(), 2u) << protocol::encode_json(d);
  EXPECT_EQ(protocol::encode_json(*events[0].find("event")), R"({"event":"one"})");
  EXPECT_EQ(protocol::encode_json(*events[1].find("event")), R"({"event":{"n":2},"time":5})");
  const std::string channel = events[0].find("channel")->as_string();
  EXPECT_EQ(channel.size(), 36u);
  const protocol::Value* polls = d.find("acks")->find(channel)->find("0");
  ASSERT_NE(polls, nullptr);
  EXPECT_EQ(polls->as_int(), 3);
}

TEST_F(HecReceiver, RawEndpoint) {
  auto sender = make_splunk_sender(target(true), options_);
  std::vector<SendRecord> records = {{"line 1\n", 0, "s.1"}, {"line 2\n", 0, "s.2"}};
  EXPECT_EQ(send_and_wait(*sender, records).verdict, Verdict::kDelivered);
  protocol::Value d = dump();
  const auto& events = d.find("events")->as_array();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].find("endpoint")->as_string(), "raw");
  EXPECT_EQ(events[0].find("event")->find("raw")->as_string(), "line 1\nline 2\n");
}

TEST_F(HecReceiver, BadTokenIsRetriedThenFailed) {
  SplunkTarget t = target();
  t.token = "not-the-token";
  auto sender = make_splunk_sender(t, options_);
  std::vector<SendRecord> records = {{R"({"event":"one"})", 0, "s.1"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  EXPECT_EQ(first.error_code, "Splunk.InvalidToken");
  SendOutcome last = send_and_wait(*sender, records, 2, 3'600'000);
  EXPECT_EQ(last.verdict, Verdict::kFailed);
  EXPECT_EQ(last.error_code, "Splunk.InvalidToken");
  EXPECT_TRUE(dump().find("events")->as_array().empty());
}

TEST_F(HecReceiver, AckTimeout) {
  call(base_, "/_control", R"({"never_ack":true})");
  options_.ack_timeout_ms = 300;
  SplunkTarget t = target();
  auto sender = make_splunk_sender(t, options_);
  std::vector<SendRecord> records = {{R"({"event":"one"})", 0, "s.1"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  EXPECT_EQ(first.error_code, "Splunk.AckTimeout");
  EXPECT_EQ(first.error_message, kSplunkAckTimeoutMessage);

  t.retry_duration_ms = 0;  // no retries: the first ack timeout fails the batch
  auto no_retries = make_splunk_sender(t, options_);
  SendOutcome failed = send_and_wait(*no_retries, records);
  EXPECT_EQ(failed.verdict, Verdict::kFailed);
  EXPECT_EQ(failed.error_code, "Splunk.AckTimeout");
}

TEST_F(HecReceiver, ServerBusyThenSuccess) {
  call(base_, "/_control", R"({"next_statuses":[503]})");
  auto sender = make_splunk_sender(target(), options_);
  std::vector<SendRecord> records = {{R"({"event":"one"})", 0, "s.1"}};
  SendOutcome first = send_and_wait(*sender, records);
  EXPECT_EQ(first.verdict, Verdict::kRetry);
  EXPECT_EQ(first.error_code, "Splunk.ServerError");
  EXPECT_EQ(send_and_wait(*sender, records, 2).verdict, Verdict::kDelivered);
}

TEST_F(HecReceiver, EventWithoutEventFieldIsInvalidDataFormat) {
  auto sender = make_splunk_sender(target(), options_);
  SendOutcome o = send_and_wait(*sender, {{R"({"message":"not HEC event JSON"})", 0, "s.1"}});
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "Splunk.InvalidDataFormat");
}

TEST_F(HecReceiver, SlowAnswerIsAConnectionTimeout) {
  call(base_, "/_control", R"({"delay_seconds":2})");
  options_.request_timeout_ms = 200;
  auto sender = make_splunk_sender(target(), options_);
  SendOutcome o = send_and_wait(*sender, {{R"({"event":"one"})", 0, "s.1"}});
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "Splunk.ConnectionTimeout");
}

TEST_F(HecReceiver, DestroyingTheSenderCompletesAPollUnderWayWithRetry) {
  call(base_, "/_control", R"({"never_ack":true})");
  options_.ack_timeout_ms = 600'000;
  auto sender = make_splunk_sender(target(), options_);
  std::atomic<int> calls{0};
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  SendRequest req;
  req.batch_id = "b";
  req.now_ms = req.first_attempt_ms = wall_ms();
  req.records = {{R"({"event":"one"})", 0, "s.1"}};
  sender->send(std::move(req), [&calls, promise](SendOutcome o) {
    if (calls.fetch_add(1) == 0) promise->set_value(std::move(o));
  });
  // Wait until the sender polls for its ack (bounded: 10 s).
  for (int i = 0; i < 500; ++i) {
    protocol::Value d = dump();
    const protocol::Value* acks = d.find("acks");
    bool polled = false;
    for (const auto& m : acks->as_object())
      if (const protocol::Value* n = m.value.find("0"); n && n->as_int() > 0) polled = true;
    if (polled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sender.reset();
  EXPECT_EQ(calls.load(), 1);
  auto future = promise->get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(future.get().verdict, Verdict::kRetry);
}

}  // namespace
}  // namespace runnel::firehose
