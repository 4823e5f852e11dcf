#include "firehose/lambda.h"

#include <gtest/gtest.h>

#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

std::vector<LambdaInput> inputs() { return {{"0", 1000, "hello"}, {"1", 2000, "world"}}; }

EndpointResponse answer(std::string body) {
  EndpointResponse r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

TEST(Lambda, RequestIsTheInvokeApiWithFirehosesEvent) {
  LambdaSettings settings;
  settings.endpoint = "http://127.0.0.1:3001/";
  settings.region = "eu-west-1";
  auto req = lambda_request(settings, "arn:aws:lambda:eu-west-1:000000000000:function:t", "inv-1",
                            "arn:aws:firehose:eu-west-1:000000000000:deliverystream/s", std::nullopt, inputs(), 0);
  EXPECT_EQ(req.url,
            "http://127.0.0.1:3001/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A000000000000%3Afunction%3At/"
            "invocations");
  auto event = protocol::decode_json(req.body);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->find("invocationId")->as_string(), "inv-1");
  EXPECT_EQ(event->find("region")->as_string(), "eu-west-1");
  EXPECT_EQ(event->find("sourceKinesisStreamArn"), nullptr);
  const auto& records = event->find("records")->as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].find("data")->as_string(), "d29ybGQ=");
  EXPECT_EQ(records[1].find("approximateArrivalTimestamp")->as_int(), 2000);
  bool signed_request = false;
  for (const auto& [k, v] : req.headers) signed_request |= k == "Authorization";
  EXPECT_FALSE(signed_request);  // no credentials set
  settings.access_key_id = "AKID";
  settings.secret_access_key = "secret";
  req = lambda_request(settings, "t", "inv-1", "arn", std::nullopt, inputs(), 1'800'000'000'000);
  for (const auto& [k, v] : req.headers)
    if (k == "Authorization") {
      signed_request = true;
      EXPECT_NE(v.find("/eu-west-1/lambda/aws4_request"), std::string::npos) << v;
    }
  EXPECT_TRUE(signed_request);
}

TEST(Lambda, AnswersComeBackInTheRecordsOrder) {
  auto out = lambda_answer(answer(R"({"records":[
      {"recordId":"1","result":"Dropped"},
      {"recordId":"0","result":"Ok","data":"SEVMTE8=","metadata":{"partitionKeys":{"k":"v","n":7}}}]})"),
                           inputs());
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_EQ((*out)[0].data, "HELLO");
  EXPECT_EQ((*out)[0].partition_keys, (std::vector<std::pair<std::string, std::string>>{{"k", "v"}, {"n", "7"}}));
  EXPECT_EQ((*out)[1].result, "Dropped");
}

TEST(Lambda, MismatchedAnswersFailTheInvocation) {
  EXPECT_FALSE(lambda_answer(answer(R"({"records":[{"recordId":"0","result":"Ok","data":"eA=="}]})"), inputs()));
  EXPECT_FALSE(lambda_answer(answer(R"({"records":[{"recordId":"0","result":"Ok","data":"eA=="},
      {"recordId":"9","result":"Ok","data":"eA=="}]})"),
                             inputs()));
  EXPECT_FALSE(lambda_answer(answer(R"({"records":[{"recordId":"0","result":"Fine","data":"eA=="},
      {"recordId":"1","result":"Ok","data":"eA=="}]})"),
                             inputs()));
  EXPECT_FALSE(lambda_answer(answer("not json"), inputs()));
  EndpointResponse failed = answer(R"({"errorMessage":"boom"})");
  failed.headers.emplace_back("x-amz-function-error", "Unhandled");
  auto out = lambda_answer(failed, inputs());
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("Unhandled"), std::string::npos);
}

}  // namespace
}  // namespace runnel::firehose
