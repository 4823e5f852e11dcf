#include "firehose/splunk.h"

#include <gtest/gtest.h>

namespace runnel::firehose {
namespace {

SplunkTarget target(bool raw = false) {
  SplunkTarget t;
  t.raw = raw;
  t.base_url = "http://127.0.0.1:8088";
  t.token = "tok";
  return t;
}

const std::string* header(const EndpointRequest& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return &v;
  return nullptr;
}

EndpointResponse answer(long status, std::string body) {
  EndpointResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(SplunkTarget, DefaultsAndFields) {
  api::SplunkDestinationDescription d;
  d.hec_endpoint = "https://splunk.example:8088/";
  d.hec_endpoint_type = "Event";
  d.hec_token = "tok";
  auto t = splunk_target(d);
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->base_url, "https://splunk.example:8088");
  EXPECT_FALSE(t->raw);
  EXPECT_EQ(t->ack_timeout_ms, 180'000);
  EXPECT_EQ(t->retry_duration_ms, 3'600'000);
  d.hec_acknowledgment_timeout_in_seconds = 600;
  d.retry_options = api::SplunkRetryOptions{0};
  d.hec_endpoint_type = "Raw";
  t = splunk_target(d);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->raw);
  EXPECT_EQ(t->ack_timeout_ms, 600'000);
  EXPECT_EQ(t->retry_duration_ms, 0);

  d.hec_endpoint_type = "Json";
  EXPECT_FALSE(splunk_target(d).has_value());
  d.hec_endpoint_type = "Raw";
  d.hec_token.reset();
  d.secrets_manager_configuration = api::SecretsManagerConfiguration{"arn:aws:secretsmanager:x", std::nullopt, true};
  EXPECT_FALSE(splunk_target(d).has_value());
  d.hec_endpoint.reset();
  EXPECT_FALSE(make_splunk_sender(d).has_value());
}

TEST(HecRequest, EventRecordsAreSentAsTheyAreConcatenated) {
  std::vector<SendRecord> records = {{R"({"event":"a"})", 0, "0.1"}, {R"({"event":{"b":1},"time":3})", 0, "0.2"}};
  EndpointRequest r = hec_request(target(), "c-h-a-n", records);
  EXPECT_EQ(r.url, "http://127.0.0.1:8088/services/collector/event");
  EXPECT_EQ(r.body, R"({"event":"a"}{"event":{"b":1},"time":3})");
  ASSERT_NE(header(r, "Authorization"), nullptr);
  EXPECT_EQ(*header(r, "Authorization"), "Splunk tok");
  ASSERT_NE(header(r, "X-Splunk-Request-Channel"), nullptr);
  EXPECT_EQ(*header(r, "X-Splunk-Request-Channel"), "c-h-a-n");
}

TEST(HecRequest, RawAndAck) {
  std::vector<SendRecord> records = {{"line 1\n", 0, "0.1"}, {"line 2\n", 0, "0.2"}};
  EndpointRequest r = hec_request(target(true), "ch", records);
  EXPECT_EQ(r.url, "http://127.0.0.1:8088/services/collector/raw");
  EXPECT_EQ(r.body, "line 1\nline 2\n");
  EndpointRequest ack = hec_ack_request(target(), "ch", 42);
  EXPECT_EQ(ack.url, "http://127.0.0.1:8088/services/collector/ack?channel=ch");
  EXPECT_EQ(ack.body, R"({"acks":[42]})");
  EXPECT_EQ(*header(ack, "Authorization"), "Splunk tok");
}

TEST(HecAnswer, SuccessCarriesTheAckId) {
  HecAnswer a = judge_hec_answer(answer(200, R"({"text":"Success","code":0,"ackId":7})"));
  EXPECT_FALSE(a.error.has_value());
  EXPECT_EQ(a.ack_id, 7);
}

TEST(HecAnswer, HecCodesBecomeAwsErrorCodes) {
  struct Case {
    long status;
    const char* body;
    const char* code;
  };
  const Case cases[] = {
      {403, R"({"text":"Invalid token","code":4})", "Splunk.InvalidToken"},
      {401, R"({"text":"Token is required","code":2})", "Splunk.InvalidToken"},
      {403, R"({"text":"Token disabled","code":1})", "Splunk.DisabledToken"},
      {400, R"({"text":"Invalid data format","code":6,"invalid-event-number":0})", "Splunk.InvalidDataFormat"},
      {400, R"({"text":"Event field is required","code":12})", "Splunk.InvalidDataFormat"},
      {400, R"({"text":"Incorrect index","code":7})", "Splunk.InvalidIndex"},
      {503, R"({"text":"Server is busy","code":9})", "Splunk.ServerError"},
      {500, "oops", "Splunk.ServerError"},
      {404, "", "Splunk.URLNotFound"},
      {200, R"({"text":"Success","code":0})", "Splunk.DisabledAck"},  // no ackId
      {200, "<html>", "Splunk.ServerError"},
  };
  for (const Case& c : cases) {
    HecAnswer a = judge_hec_answer(answer(c.status, c.body));
    ASSERT_TRUE(a.error.has_value()) << c.body;
    EXPECT_EQ(a.error->code, c.code) << c.body;
    EXPECT_FALSE(a.ack_id.has_value());
  }
  HecAnswer bad = judge_hec_answer(answer(403, R"({"text":"Invalid token","code":4})"));
  EXPECT_EQ(bad.error->message.rfind("The HEC token is invalid. Update Kinesis Firehose with a valid HEC token.", 0),
            0u);
}

TEST(HecAnswer, TransportErrors) {
  EndpointResponse r;
  r.transport_error = "Timeout was reached";
  EXPECT_EQ(judge_hec_answer(r).error->code, "Splunk.ConnectionTimeout");
  r.transport_error = "Couldn't connect to server";
  EXPECT_EQ(judge_hec_answer(r).error->code, "Splunk.InvalidEndpoint");
  r.transport_error = "Server returned nothing (no headers, no data)";
  EXPECT_EQ(judge_hec_answer(r).error->code, "Splunk.ConnectionClosed");
}

TEST(AckAnswer, TrueFalseAndErrors) {
  EXPECT_EQ(judge_ack_answer(answer(200, R"({"acks":{"3":true}})"), 3).state, AckAnswer::State::kAcked);
  EXPECT_EQ(judge_ack_answer(answer(200, R"({"acks":{"3":false}})"), 3).state, AckAnswer::State::kPending);
  EXPECT_EQ(judge_ack_answer(answer(200, R"({"acks":{"4":true}})"), 3).state, AckAnswer::State::kPending);
  EXPECT_EQ(judge_ack_answer(answer(200, "nope"), 3).state, AckAnswer::State::kPending);
  EXPECT_EQ(judge_ack_answer(answer(503, R"({"text":"Server is busy","code":9})"), 3).state,
            AckAnswer::State::kPending);
  AckAnswer off = judge_ack_answer(answer(400, R"({"text":"ACK is disabled","code":14})"), 3);
  EXPECT_EQ(off.state, AckAnswer::State::kError);
  EXPECT_EQ(off.error.code, "Splunk.DisabledAck");
  AckAnswer token = judge_ack_answer(answer(403, R"({"text":"Invalid token","code":4})"), 3);
  EXPECT_EQ(token.state, AckAnswer::State::kError);
  EXPECT_EQ(token.error.code, "Splunk.InvalidToken");
}

TEST(SplunkSender, ErrorOutputType) {
  auto sender = make_splunk_sender(target());
  EXPECT_EQ(sender->error_output_type(), "splunk-failed");
}

}  // namespace
}  // namespace runnel::firehose
