#include "firehose/http_endpoint.h"

#include <gtest/gtest.h>

#include <future>

#include "firehose/compression.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

DeliveryPlan plan() {
  DeliveryPlan p;
  p.kind = DeliveryPlan::Kind::kHttpEndpoint;
  p.url = "http://127.0.0.1:9/ingest";
  p.stream_arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/s";
  p.access_key = "key";
  p.common_attributes = {{"team", "streams"}};
  return p;
}

std::string header(const EndpointRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(HttpEndpoint, RequestFollowsProtocolVersion1) {
  auto req = endpoint_request(plan(), "req-1", 1234, {"a", "\xff"});
  EXPECT_EQ(header(req, "X-Amz-Firehose-Protocol-Version"), "1.0");
  EXPECT_EQ(header(req, "X-Amz-Firehose-Request-Id"), "req-1");
  EXPECT_EQ(header(req, "X-Amz-Firehose-Access-Key"), "key");
  EXPECT_EQ(header(req, "X-Amz-Firehose-Common-Attributes"), R"({"commonAttributes":{"team":"streams"}})");
  EXPECT_EQ(header(req, "Content-Encoding"), "");
  EXPECT_EQ(req.body, R"({"requestId":"req-1","timestamp":1234,"records":[{"data":"YQ=="},{"data":"/w=="}]})");
  DeliveryPlan gz = plan();
  gz.gzip_request = true;
  req = endpoint_request(gz, "req-1", 1234, {"a"});
  EXPECT_EQ(header(req, "Content-Encoding"), "gzip");
  auto plain = decompress(Compression::kGzip, req.body);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, R"({"requestId":"req-1","timestamp":1234,"records":[{"data":"YQ=="}]})");
}

TEST(HttpEndpoint, JudgesAnswersAsTheSpecificationSays) {
  std::string why;
  EndpointResponse ok{200, R"({"requestId":"r","timestamp":1})", {}, ""};
  EXPECT_EQ(judge(ok, "r", why), EndpointVerdict::kDelivered);
  EXPECT_EQ(judge(ok, "other", why), EndpointVerdict::kRetry);
  EXPECT_EQ(judge({200, "not json", {}, ""}, "r", why), EndpointVerdict::kRetry);
  EXPECT_EQ(judge({500, R"({"requestId":"r","errorMessage":"busy"})", {}, ""}, "r", why), EndpointVerdict::kRetry);
  EXPECT_NE(why.find("busy"), std::string::npos);
  EXPECT_EQ(judge({302, "", {}, ""}, "r", why), EndpointVerdict::kRetry);
  EXPECT_EQ(judge({413, "", {}, ""}, "r", why), EndpointVerdict::kFinalFailure);
  EXPECT_EQ(judge({0, "", {}, "Connection refused"}, "r", why), EndpointVerdict::kRetry);
}

TEST(HttpEndpoint, BackoffDoublesWithJitterUpToTwoMinutes) {
  EXPECT_EQ(endpoint_backoff_ms(1, 0.5), 1000);
  EXPECT_EQ(endpoint_backoff_ms(2, 0.5), 2000);
  EXPECT_EQ(endpoint_backoff_ms(1, 0.0), 850);
  EXPECT_EQ(endpoint_backoff_ms(1, 0.999999), 1149);
  EXPECT_EQ(endpoint_backoff_ms(20, 0.5), 120'000);
}

TEST(HttpEndpoint, PosterReportsAConnectionFailure) {
  HttpPoster poster(1);
  std::promise<EndpointResponse> got;
  EndpointRequest req = endpoint_request(plan(), "r", 1, {"a"});
  req.url = "http://127.0.0.1:1/";  // nothing listens on port 1
  req.timeout_ms = 5000;
  poster.post(std::move(req), [&](EndpointResponse r) { got.set_value(std::move(r)); });
  EndpointResponse r = got.get_future().get();
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.transport_error.empty());
}

}  // namespace
}  // namespace runnel::firehose
