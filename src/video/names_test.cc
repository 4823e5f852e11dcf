#include "video/names.h"

#include <gtest/gtest.h>

#include <set>

#include "video/config.h"

namespace runnel::video {
namespace {

TEST(VideoNames, ArnRoundTrip) {
  std::string arn = resource_arn(kStreamType, "eu-west-1", "123456789012", "cam.1_a-b", 1700000000123);
  EXPECT_EQ(arn, "arn:aws:kinesisvideo:eu-west-1:123456789012:stream/cam.1_a-b/1700000000123");
  auto parsed = parse_arn(arn);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->region, "eu-west-1");
  EXPECT_EQ(parsed->account, "123456789012");
  EXPECT_EQ(parsed->type, "stream");
  EXPECT_EQ(parsed->name, "cam.1_a-b");
  EXPECT_EQ(parsed->creation_ms, 1700000000123);
}

TEST(VideoNames, ParseRefusesOtherArns) {
  for (const char* bad : {"", "arn:aws:kinesis:us-east-1:1:stream/x", "arn:aws:kinesisvideo:us-east-1:1:stream/x",
                          "arn:aws:kinesisvideo:us-east-1:1:stream/x/", "arn:aws:kinesisvideo:us-east-1:1:stream//1",
                          "arn:aws:kinesisvideo:us-east-1:1:stream/x/12a", "arn:aws:kinesisvideo::1:stream/x/1",
                          "arn:aws:kinesisvideo:us-east-1:1:/x/1"}) {
    EXPECT_FALSE(parse_arn(bad)) << bad;
  }
}

TEST(VideoNames, VersionsAreTwentyAlphanumericsAndDiffer) {
  VersionMaker maker;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string v = maker.next();
    ASSERT_EQ(v.size(), 20u);
    for (char c : v) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << v;
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(VideoNames, PageTokensRoundTripAndMatchTheModelPattern) {
  std::string token = page_token("cam-42");
  for (char c : token) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=');
  EXPECT_EQ(page_token_name(token), "cam-42");
  EXPECT_FALSE(page_token_name("bm90LWEtdG9rZW4="));  // "not-a-token"
  EXPECT_FALSE(page_token_name("!!!"));
}

TEST(VideoConfig, DataEndpointMustBeABaseUrl) {
  EXPECT_FALSE(data_endpoint_problem("http://cams.example:8443"));
  EXPECT_FALSE(data_endpoint_problem("https://10.0.0.5"));
  EXPECT_TRUE(data_endpoint_problem("cams.example:8443"));
  EXPECT_TRUE(data_endpoint_problem("http://"));
  EXPECT_TRUE(data_endpoint_problem("http://cams.example/"));
  EXPECT_TRUE(data_endpoint_problem("http://cams.example:80/kvs"));
  EXPECT_TRUE(data_endpoint_problem("http://cams.example?x=1"));
}

}  // namespace
}  // namespace runnel::video
