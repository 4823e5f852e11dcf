// KDA's Lambda events as runnel writes them, and the output function's
// answers as it reads them.
#include "analytics/lambda_events.h"

#include <gtest/gtest.h>

#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::analytics {
namespace {

const std::string* header(const firehose::EndpointRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return &v;
  return nullptr;
}

TEST(LambdaEvents, PreprocessingEventOfAKinesisAndAFirehoseRecord) {
  firehose::LambdaSettings settings;
  settings.endpoint = "http://127.0.0.1:9/";
  std::vector<PreprocessRecord> records(2);
  records[0].input = {"0", 1700000000123, "a,1"};
  records[0].shard_id = "shardId-000000000001";
  records[0].sequence_number = "4955";
  records[0].partition_key = "pk";
  records[1].input = {"1", 1700000000456, "b,2"};
  records[1].from_firehose = true;
  firehose::EndpointRequest req = preprocessing_request(settings, "arn:aws:lambda:us-east-1:000000000000:function:f",
                                                        "inv-1", "arn:app", "arn:stream", records, 1700000000000);
  EXPECT_EQ(req.url,
            "http://127.0.0.1:9/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/"
            "invocations");
  ASSERT_NE(header(req, "X-Amz-Invocation-Type"), nullptr);
  EXPECT_EQ(*header(req, "X-Amz-Invocation-Type"), "RequestResponse");
  EXPECT_EQ(header(req, "Authorization"), nullptr);  // no credentials: not signed
  auto doc = protocol::decode_json(req.body);
  ASSERT_TRUE(doc.has_value()) << req.body;
  EXPECT_EQ(doc->find("invocationId")->as_string(), "inv-1");
  EXPECT_EQ(doc->find("applicationArn")->as_string(), "arn:app");
  EXPECT_EQ(doc->find("streamArn")->as_string(), "arn:stream");
  const auto& recs = doc->find("records")->as_array();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].find("recordId")->as_string(), "0");
  EXPECT_EQ(protocol::base64_decode(recs[0].find("data")->as_string()).value_or(""), "a,1");
  const protocol::Value* k = recs[0].find("kinesisStreamRecordMetadata");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->find("shardId")->as_string(), "shardId-000000000001");
  EXPECT_EQ(k->find("sequenceNumber")->as_string(), "4955");
  EXPECT_EQ(k->find("partitionKey")->as_string(), "pk");
  EXPECT_EQ(k->find("approximateArrivalTimestamp")->as_int(), 1700000000123);
  EXPECT_EQ(recs[1].find("kinesisStreamRecordMetadata"), nullptr);
  EXPECT_EQ(recs[1].find("kinesisFirehoseRecordMetadata")->find("approximateArrivalTimestamp")->as_int(),
            1700000000456);
}

TEST(LambdaEvents, SignedWhenCredentialsAreSet) {
  firehose::LambdaSettings settings;
  settings.endpoint = "http://127.0.0.1:9";
  settings.access_key_id = "AKID";
  settings.secret_access_key = "secret";
  std::vector<OutputRecord> records{{"0", 0, "x"}};
  firehose::EndpointRequest req = output_request(settings, "f", "inv", "arn:app", records, 1700000000000);
  ASSERT_NE(header(req, "Authorization"), nullptr);
  EXPECT_NE(header(req, "Authorization")->find("/us-east-1/lambda/aws4_request"), std::string::npos);
}

TEST(LambdaEvents, OutputEventCarriesRetryHints) {
  firehose::LambdaSettings settings;
  settings.endpoint = "http://127.0.0.1:9";
  std::vector<OutputRecord> records{{"0", 0, "{\"A\":1}"}, {"1", 3, "{\"A\":2}"}};
  auto doc = protocol::decode_json(output_request(settings, "f", "inv", "arn:app", records, 0).body);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->find("applicationArn")->as_string(), "arn:app");
  EXPECT_EQ(doc->find("streamArn"), nullptr);
  const auto& recs = doc->find("records")->as_array();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].find("lambdaDeliveryRecordMetadata")->find("retryHint")->as_int(), 3);
  EXPECT_EQ(protocol::base64_decode(recs[1].find("data")->as_string()).value_or(""), "{\"A\":2}");
}

firehose::EndpointResponse answer(std::string body) {
  firehose::EndpointResponse r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

TEST(LambdaEvents, OutputAnswerOkDeliveryFailedAndMissing) {
  std::vector<OutputRecord> records{{"0", 0, "a"}, {"1", 0, "b"}, {"2", 0, "c"}};
  auto r = output_answer(
      answer(R"({"records":[{"recordId":"0","result":"Ok"},{"recordId":"1","result":"DeliveryFailed"}]})"), records);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, (std::vector<bool>{true, false, false}));  // "2" not answered: sent again
}

TEST(LambdaEvents, OutputAnswersThatFailTheWholeInvocation) {
  std::vector<OutputRecord> records{{"0", 0, "a"}};
  EXPECT_FALSE(output_answer(answer(R"({"records":[{"recordId":"9","result":"Ok"}]})"), records));
  EXPECT_FALSE(output_answer(answer(R"({"records":[{"recordId":"0","result":"Dropped"}]})"), records));
  EXPECT_FALSE(output_answer(answer(R"({"nothing":1})"), records));
  EXPECT_FALSE(output_answer(answer("not json"), records));
  firehose::EndpointResponse failed = answer(R"({"errorMessage":"boom"})");
  failed.headers.emplace_back("x-amz-function-error", "Unhandled");
  auto r = output_answer(failed, records);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("Unhandled"), std::string::npos);
  firehose::EndpointResponse down;
  down.transport_error = "connection refused";
  EXPECT_FALSE(output_answer(down, records));
}

}  // namespace
}  // namespace runnel::analytics
