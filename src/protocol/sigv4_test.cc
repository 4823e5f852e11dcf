#include "protocol/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "protocol/credentials.h"

namespace runnel::protocol {
namespace {

// AWS's published SigV4 example credentials and time (the aws4 test suite).
constexpr std::string_view kKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kSuiteTime = 1440938160;  // 2015-08-30T12:36:00Z
constexpr std::string_view kSuiteScope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

net::HttpRequest make_request(std::string method, std::string path, std::string query, std::vector<net::Header> headers,
                              std::string body = "") {
  net::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

std::string suite_auth(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=" + std::string(kSuiteScope) + ", SignedHeaders=" + std::string(signed_headers) +
         ", Signature=" + std::string(signature);
}

// A request from the aws4 test suite: host example.amazonaws.com, X-Amz-Date 20150830T123600Z.
net::HttpRequest suite_request(std::string method, std::string path, std::string query, std::string signed_headers,
                               std::string signature, std::vector<net::Header> extra = {}, std::string body = "") {
  std::vector<net::Header> headers = {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}};
  for (auto& h : extra) headers.push_back(std::move(h));
  headers.push_back({"authorization", suite_auth(signed_headers, signature)});
  return make_request(std::move(method), std::move(path), std::move(query), std::move(headers), std::move(body));
}

ApiResult<void> parse_and_verify(const net::HttpRequest& req, int64_t now = kSuiteTime,
                                 std::string_view secret = kSecret) {
  auto auth = parse_sigv4(req);
  if (!auth) return std::unexpected(auth.error());
  return verify_sigv4(req, *auth, secret, now);
}

void expect_error(const ApiResult<void>& r, std::string_view type, std::string_view message) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, type);
  EXPECT_EQ(r.error().message, message);
  EXPECT_EQ(r.error().http_status, 400);
}

// ---- AWS test-suite vectors -------------------------------------------------
// Signatures are AWS's published values (get-vanilla, post-vanilla, ...), which
// botocore 1.43.11 reproduces byte for byte.

struct SuiteCase {
  const char* name;
  const char* method;
  const char* path;
  const char* query;
  const char* signed_headers;
  const char* signature;
  std::vector<net::Header> extra;
  const char* body;
};

const std::vector<SuiteCase>& suite_cases() {
  static const std::vector<SuiteCase> cases = {
      {"get-vanilla",
       "GET",
       "/",
       "",
       "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
       {},
       ""},
      {"post-vanilla",
       "POST",
       "/",
       "",
       "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
       {},
       ""},
      {"get-vanilla-query-order-key-case",
       "GET",
       "/",
       "Param2=value2&Param1=value1",
       "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
       {},
       ""},
      {"get-vanilla-query-unreserved",
       "GET",
       "/",
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       "host;x-amz-date",
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
       {},
       ""},
      {"get-slashes",
       "GET",
       "//example//",
       "",
       "host;x-amz-date",
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
       {},
       ""},
      {"get-relative-relative",
       "GET",
       "/example1/example2/../..",
       "",
       "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
       {},
       ""},
      // The path as it travels (%20), encoded once more for the canonical URI (botocore's signature).
      {"get-space (encoded on the wire)",
       "GET",
       "/example%20space/",
       "",
       "host;x-amz-date",
       "446b817944c553435b35e813c261ff4e161fff982d1bacdef1c87f6785dd1662",
       {},
       ""},
      {"get-header-value-trim",
       "GET",
       "/",
       "",
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
       {{"my-header1", " value1"}, {"my-header2", " \"a   b   c\""}},
       ""},
      {"get-header-key-duplicate",
       "GET",
       "/",
       "",
       "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
       {{"my-header1", "value2"}, {"my-header1", "value2"}, {"my-header1", "value1"}},
       ""},
      {"post-x-www-form-urlencoded",
       "POST",
       "/",
       "",
       "content-type;host;x-amz-date",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
       {{"content-type", "application/x-www-form-urlencoded"}},
       "Param1=value1"},
  };
  return cases;
}

TEST(SigV4Suite, PublishedVectorsVerify) {
  for (const auto& c : suite_cases()) {
    SCOPED_TRACE(c.name);
    auto req = suite_request(c.method, c.path, c.query, c.signed_headers, c.signature, c.extra, c.body);
    auto auth = parse_sigv4(req);
    ASSERT_TRUE(auth.has_value()) << auth.error().message;
    EXPECT_EQ(auth->credential.access_key_id, kKeyId);
    EXPECT_EQ(auth->credential.date, "20150830");
    EXPECT_EQ(auth->credential.region, "us-east-1");
    EXPECT_EQ(auth->credential.service, "service");
    EXPECT_EQ(auth->amz_date, "20150830T123600Z");
    EXPECT_FALSE(auth->from_query);
    auto ok = verify_sigv4(req, *auth, kSecret, kSuiteTime);
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
    // One wrong hex digit must fail.
    auto bad = *auth;
    bad.signature[0] = bad.signature[0] == '0' ? '1' : '0';
    EXPECT_FALSE(verify_sigv4(req, bad, kSecret, kSuiteTime).has_value());
  }
}

TEST(SigV4Suite, MismatchReportsCanonicalRequestAndStringToSign) {
  // get-vanilla signed with another secret. AWS's canonical request and
  // string to sign for get-vanilla are published; Kinesis appends both.
  auto req = suite_request("GET", "/", "", "host;x-amz-date",
                           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  expect_error(parse_and_verify(req, kSuiteTime, "not-the-secret"), "InvalidSignatureException",
               "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
               "Access Key and signing method. Consult the service documentation for details.\n\n"
               "The Canonical String for this request should have been\n"
               "'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\n"
               "The String-to-Sign should have been\n"
               "'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
               "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63'\n");
}

TEST(SigV4Suite, DateHeaderInHttpFormatIsAccepted) {
  // No X-Amz-Date: the Date header, converted to basic format, dates the
  // request. Signature computed independently with Python's hmac/hashlib.
  auto req = make_request(
      "GET", "/", "",
      {{"host", "example.amazonaws.com"},
       {"date", "Sun, 30 Aug 2015 12:36:00 GMT"},
       {"authorization", suite_auth("date;host", "1262aceaf1a79c7f0b69fda81cd744572fcbe2e4c23b647b4de183cd5a0f1075")}});
  auto auth = parse_sigv4(req);
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->amz_date, "20150830T123600Z");
  EXPECT_TRUE(verify_sigv4(req, *auth, kSecret, kSuiteTime).has_value());
}

// ---- real clients -----------------------------------------------------------

// botocore 1.43.11, SigV4Auth(credentials, "kinesis", "us-east-1") over
// POST http://localhost:4567/ at 2015-08-30T12:36:00Z.
constexpr std::string_view kBotoBody = R"({"StreamName": "s", "PartitionKey": "k", "Data": "aGk="})";
net::HttpRequest botocore_put_record() {
  return make_request("POST", "/", "",
                      {{"host", "localhost:4567"},
                       {"accept-encoding", "identity"},
                       {"x-amz-target", "Kinesis_20131202.PutRecord"},
                       {"content-type", "application/x-amz-json-1.1"},
                       {"x-amz-date", "20150830T123600Z"},
                       {"authorization",
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
                        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                        "Signature=0f18b2148293891134326633876c5e054d8356c0f5a2e2fd6f3904ff651d5370"},
                       {"content-length", "56"}},
                      std::string(kBotoBody));
}

// ---- signing ----------------------------------------------------------------
// The signer must reproduce AWS's published signatures and botocore's, not
// merely agree with our own verifier.

TEST(SigV4Sign, ReproducesPublishedVectors) {
  SigV4Signer signer(std::string(kKeyId), kSecret, "us-east-1", "service");
  for (const auto& c : suite_cases()) {
    SCOPED_TRACE(c.name);
    std::vector<net::Header> headers = {{"host", "example.amazonaws.com"}};
    for (const auto& h : c.extra) headers.push_back(h);
    auto req = make_request(c.method, c.path, c.query, headers, c.body);
    EXPECT_EQ(signer.sign(req, kSuiteTime), suite_auth(c.signed_headers, c.signature));
    ASSERT_NE(req.header("x-amz-date"), nullptr);
    EXPECT_EQ(*req.header("x-amz-date"), "20150830T123600Z");
  }
}

TEST(SigV4Sign, ReproducesBotocoreKinesisRequest) {
  // botocore signs content-type, host, x-amz-date and x-amz-target (not
  // accept-encoding or content-length): give the signer just those.
  auto req = make_request("POST", "/", "",
                          {{"host", "localhost:4567"},
                           {"x-amz-target", "Kinesis_20131202.PutRecord"},
                           {"content-type", "application/x-amz-json-1.1"},
                           {"x-amz-date", "19700101T000000Z"}},
                          std::string(kBotoBody));
  SigV4Signer signer(std::string(kKeyId), kSecret, "us-east-1", "kinesis");
  EXPECT_EQ(signer.sign(req, kSuiteTime),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=0f18b2148293891134326633876c5e054d8356c0f5a2e2fd6f3904ff651d5370");
  // The existing x-amz-date was replaced, not duplicated.
  EXPECT_EQ(std::count_if(req.headers.begin(), req.headers.end(),
                          [](const net::Header& h) { return h.name == "x-amz-date"; }),
            1);
}

TEST(SigV4Sign, KeyFollowsTheDateAndSignedRequestsVerify) {
  SigV4Signer kept(std::string(kKeyId), kSecret, "us-east-1", "kinesis");
  for (int64_t t : {kSuiteTime, kSuiteTime + 60, kSuiteTime + 86400, kSuiteTime + 3 * 86400}) {
    SCOPED_TRACE(t);
    auto a = make_request("POST", "/", "", {{"host", "localhost:4567"}}, "{\"StreamName\":\"s\"}");
    auto b = a;
    SigV4Signer fresh(std::string(kKeyId), kSecret, "us-east-1", "kinesis");
    const std::string auth = kept.sign(a, t);
    EXPECT_EQ(auth, fresh.sign(b, t));
    a.headers.push_back({"authorization", auth});
    auto parsed = parse_sigv4(a);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_TRUE(verify_sigv4(a, *parsed, kSecret, t).has_value());
    EXPECT_FALSE(verify_sigv4(a, *parsed, "another secret", t).has_value());
  }
}

TEST(SigV4Clients, BotocoreKinesisPutRecordVerifies) {
  auto req = botocore_put_record();
  auto auth = parse_sigv4(req);
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->credential.service, "kinesis");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target"}));
  auto ok = verify_sigv4(req, *auth, kSecret, kSuiteTime + 299);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
}

TEST(SigV4Clients, TamperedBodyOrSignedHeaderFails) {
  auto req = botocore_put_record();
  req.body[req.body.size() - 3] = 'X';
  auto r = parse_and_verify(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidSignatureException");

  req = botocore_put_record();
  req.headers[2].value = "Kinesis_20131202.DeleteStream";
  EXPECT_FALSE(parse_and_verify(req).has_value());

  // Unsigned headers may change freely.
  req = botocore_put_record();
  req.headers[1].value = "gzip";
  EXPECT_TRUE(parse_and_verify(req).has_value());
}

TEST(SigV4Clients, BotocoreQueryFormVerifies) {
  // botocore SigV4QueryAuth(..., expires=300), empty body.
  auto req = make_request(
      "POST", "/",
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fkinesis%2Faws4_request"
      "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=300&X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-target"
      "&X-Amz-Signature=77177aa7e7acfe0048c9fec6c451f56c21ef84c9f1e2be447661a76bcc9268a6",
      {{"host", "localhost:4567"},
       {"x-amz-target", "Kinesis_20131202.ListStreams"},
       {"content-type", "application/x-amz-json-1.1"}});
  auto auth = parse_sigv4(req);
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_TRUE(auth->from_query);
  EXPECT_EQ(auth->expires_seconds, 300);
  EXPECT_EQ(auth->credential.access_key_id, kKeyId);
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-target"}));
  auto ok = verify_sigv4(req, *auth, kSecret, kSuiteTime + 10);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
  // Past X-Amz-Expires.
  expect_error(verify_sigv4(req, *auth, kSecret, kSuiteTime + 301), "InvalidSignatureException",
               "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
               "(20150830T124101Z - 5 min.)");
}

// A presigned URL signed over UNSIGNED-PAYLOAD (as S3-style presigners do),
// signing only host. Signature computed independently with Python's
// hmac/hashlib from the SigV4 definition.
net::HttpRequest presigned_unsigned_payload(std::string body) {
  return make_request("POST", "/",
                      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F"
                      "kinesis%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host"
                      "&X-Amz-Signature=dd110289fccf443ef0a6d269cba5a061caafb92bde7d8c777914e9b992169f30",
                      {{"host", "localhost:4567"}}, std::move(body));
}

TEST(SigV4Clients, QueryFormAcceptsUnsignedPayloadOnlyWithoutABody) {
  auto req = presigned_unsigned_payload("");
  auto auth = parse_sigv4(req);
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->expires_seconds, -1);
  auto ok = verify_sigv4(req, *auth, kSecret, kSuiteTime);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
  // A signed header changed after signing still fails.
  req.headers[0].value = "localhost:4568";
  EXPECT_FALSE(verify_sigv4(req, *auth, kSecret, kSuiteTime).has_value());
}

// Regression (issue 14, item 1): a presigned URL over UNSIGNED-PAYLOAD that
// signed only `host` was a bearer token for every operation with any body.
TEST(SigV4Clients, PresignedUnsignedPayloadIsNotABearerTokenForAnyBodyOrOperation) {
  auto req = presigned_unsigned_payload("{}");
  EXPECT_FALSE(parse_and_verify(req).has_value());
  req = presigned_unsigned_payload("");
  req.headers.push_back({"x-amz-target", "Kinesis_20131202.DeleteStream"});
  expect_error(parse_and_verify(req), "InvalidSignatureException",
               "There were headers present in the request which were not signed: x-amz-target. Sign every x-amz-* "
               "header the request carries (and Date when it gives the request time).");
}

// @aws-sdk/signature-v4 (JS SDK v3) signing an h2c request: it signs the
// ":authority" pseudo-header by that literal name. Generated with node 20 at
// 2015-08-30T12:36:00Z for service kinesis, us-east-1.
constexpr std::string_view kJsBody = R"({"StreamName":"s","PartitionKey":"k","Data":"aGk="})";
net::HttpRequest js_sdk_put_record() {
  net::HttpRequest r =
      make_request("POST", "/", "",
                   {{":authority", "127.0.0.1:4567"},
                    {"content-type", "application/x-amz-json-1.1"},
                    {"x-amz-target", "Kinesis_20131202.PutRecord"},
                    {"content-length", "51"},
                    {"amz-sdk-invocation-id", "0b7d3a4e-1f2c-4d5e-8a9b-0c1d2e3f4a5b"},
                    {"amz-sdk-request", "attempt=1; max=3"},
                    {"x-amz-user-agent", "aws-sdk-js/3.1142.0"},
                    {"x-amz-date", "20150830T123600Z"},
                    {"x-amz-content-sha256", "3e81cbd1bb8ccdce715bb07b25857d44595abf3300d53c4a8a0132f56fa907d9"},
                    {"authorization",
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
                     "SignedHeaders=:authority;amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;"
                     "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, "
                     "Signature=2a4d81e08fbe820c110738772043387a89919f621ec1141aff70808a67b907d2"},
                    {"host", "127.0.0.1:4567"}},  // synthesised by net/ for HTTP/2
                   std::string(kJsBody));
  r.http2 = true;
  return r;
}

TEST(SigV4Clients, JsSdkAuthorityPseudoHeaderVerifies) {
  auto req = js_sdk_put_record();
  auto auth = parse_sigv4(req);
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->signed_headers.front(), ":authority");
  auto ok = verify_sigv4(req, *auth, kSecret, kSuiteTime - 299);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
}

TEST(SigV4Clients, BodyIsHashedWhateverContentSha256Claims) {
  // Same body length, different bytes; x-amz-content-sha256 still claims the
  // original hash, so trusting the header would let the change through.
  auto req = js_sdk_put_record();
  req.body[req.body.find("aGk=")] = 'b';
  auto r = parse_and_verify(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidSignatureException");
}

// Regression (issue 14, item 1): a signed `x-amz-content-sha256:
// UNSIGNED-PAYLOAD` left the body free to change. Kinesis defines no unsigned
// payloads, so a request with a body is always bound to its hash.
TEST(SigV4Clients, SignedUnsignedPayloadHeaderDoesNotUnbindTheBody) {
  // botocore with X-Amz-Content-SHA256: UNSIGNED-PAYLOAD (signed) over https://localhost:4567/.
  auto req = make_request("POST", "/", "",
                          {{"host", "localhost:4567"},
                           {"x-amz-target", "Kinesis_20131202.ListStreams"},
                           {"content-type", "application/x-amz-json-1.1"},
                           {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
                           {"x-amz-date", "20150830T123600Z"},
                           {"authorization",
                            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
                            "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
                            "Signature=d6dcf445dda2f5f8b8128e3773215cbf9653f9448305057223e3bdfc5b4403b0"}},
                          "{}");
  expect_error(parse_and_verify(req), "InvalidSignatureException",
               "UNSIGNED-PAYLOAD is not accepted for a request with a body: sign the SHA-256 of the body.");
  // The same signature over an empty body is what the client signed for.
  req.body.clear();
  auto ok = parse_and_verify(req);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
}

TEST(SigV4Clients, ContentSha256MustDescribeTheBody) {
  auto req = js_sdk_put_record();
  for (auto& h : req.headers)
    if (h.name == "x-amz-content-sha256") h.value = std::string(64, 'a');
  expect_error(parse_and_verify(req), "InvalidSignatureException",
               "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

// Regression (issue 14, item 1): with SignedHeaders=host;x-amz-date, a request
// signed for DescribeStreamSummary was served as DeleteStream once its
// X-Amz-Target header was changed.
TEST(SigV4Clients, UnsignedTargetCannotChooseTheOperation) {
  auto req = make_request("POST", "/", "", {{"host", "localhost:4567"}}, R"({"StreamName":"s"})");
  SigV4Signer signer(std::string(kKeyId), kSecret, "us-east-1", "kinesis");
  const std::string auth = signer.sign(req, kSuiteTime);  // signs host and x-amz-date
  req.headers.push_back({"x-amz-target", "Kinesis_20131202.DeleteStream"});
  req.headers.push_back({"authorization", auth});
  expect_error(parse_and_verify(req), "InvalidSignatureException",
               "There were headers present in the request which were not signed: x-amz-target. Sign every x-amz-* "
               "header the request carries (and Date when it gives the request time).");
  auto store = CredentialStore::from_pairs({{std::string(kKeyId), std::string(kSecret)}});
  EXPECT_FALSE(authenticate_sigv4(req, &store, kSuiteTime).has_value());
  EXPECT_FALSE(authenticate_sigv4_head(req, &store, kSuiteTime).has_value());
  // Signed, the same request verifies.
  auto good =
      make_request("POST", "/", "", {{"host", "localhost:4567"}, {"x-amz-target", "Kinesis_20131202.DeleteStream"}},
                   R"({"StreamName":"s"})");
  good.headers.push_back({"authorization", signer.sign(good, kSuiteTime)});
  auto ok = authenticate_sigv4(good, &store, kSuiteTime);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
}

TEST(SigV4Verify, HeadChecksNeedNoBodyNorSecret) {
  auto store = CredentialStore::from_pairs({{std::string(kKeyId), std::string(kSecret)}});
  auto req = make_request("POST", "/", "", {{"host", "localhost:4567"}, {"x-amz-target", "Kinesis_20131202.X"}}, "");
  SigV4Signer signer(std::string(kKeyId), kSecret, "us-east-1", "kinesis");
  req.headers.push_back({"authorization", signer.sign(req, kSuiteTime)});
  EXPECT_TRUE(authenticate_sigv4_head(req, &store, kSuiteTime).has_value());
  auto other = CredentialStore::from_pairs({{"AKIDOTHER", "x"}});
  auto unknown = authenticate_sigv4_head(req, &other, kSuiteTime);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().type, "UnrecognizedClientException");
  auto late = authenticate_sigv4_head(req, &store, kSuiteTime + 3600);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().type, "InvalidSignatureException");
  auto none = authenticate_sigv4_head(make_request("POST", "/", "", {{"host", "h"}}), &store, kSuiteTime);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().type, "MissingAuthenticationTokenException");
}

// ---- verification errors ----------------------------------------------------

TEST(SigV4Verify, ClockSkew) {
  auto req = suite_request("GET", "/", "", "host;x-amz-date",
                           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_TRUE(parse_and_verify(req, kSuiteTime + 300).has_value());
  EXPECT_TRUE(parse_and_verify(req, kSuiteTime - 300).has_value());
  // Wording as Kinesis returns it (e.g. awslabs/amazon-kinesis-producer#222).
  expect_error(parse_and_verify(req, kSuiteTime + 301), "InvalidSignatureException",
               "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)");
  expect_error(parse_and_verify(req, kSuiteTime - 301), "InvalidSignatureException",
               "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
               "(20150830T123059Z + 5 min.)");
}

TEST(SigV4Verify, HostMustBeSigned) {
  auto req = suite_request("GET", "/", "", "x-amz-date", "00");
  expect_error(parse_and_verify(req), "InvalidSignatureException",
               "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4Verify, CredentialScopeChecks) {
  auto req = make_request("GET", "/", "",
                          {{"host", "example.amazonaws.com"},
                           {"x-amz-date", "20150830T123600Z"},
                           {"authorization",
                            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/us-east-1/service/aws5_request, "
                            "SignedHeaders=host;x-amz-date, Signature=00"}});
  expect_error(parse_and_verify(req), "InvalidSignatureException",
               "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
               "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
               "'20150829' != '20150830', from '20150830T123600Z'.");
}

TEST(SigV4Verify, AuthenticateUsesStoreInAwsOrder) {
  auto req = suite_request("GET", "/", "", "host;x-amz-date",
                           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  auto store = CredentialStore::from_pairs({{std::string(kKeyId), std::string(kSecret)}});
  auto ok = authenticate_sigv4(req, &store, kSuiteTime);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->credential.access_key_id, kKeyId);

  auto other = CredentialStore::from_pairs({{"AKIDOTHER", "x"}});
  auto unknown = authenticate_sigv4(req, &other, kSuiteTime);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().type, "UnrecognizedClientException");
  EXPECT_EQ(unknown.error().message, "The security token included in the request is invalid.");
  // An expired request is reported as expired before its key is looked up, as AWS does.
  auto late = authenticate_sigv4(req, &other, kSuiteTime + 3600);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().type, "InvalidSignatureException");

  auto wrong = CredentialStore::from_pairs({{std::string(kKeyId), "wrong"}});
  auto mismatch = authenticate_sigv4(req, &wrong, kSuiteTime);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().type, "InvalidSignatureException");

  // Without a store, any well-formed auth passes.
  EXPECT_TRUE(authenticate_sigv4(req, nullptr, 0).has_value());
}

// ---- parse errors ----------------------------------------------------------
// Texts from kinesalite's test/connection.js (which mirrors AWS) and from AWS
// responses quoted in dynalite and scratchstack.

net::HttpRequest auth_request(std::string query, std::vector<net::Header> headers) {
  headers.insert(headers.begin(), {"x-amz-target", "Kinesis_20131202.ListStreams"});
  headers.insert(headers.begin(), {"content-type", "application/x-amz-json-1.1"});
  return make_request("POST", "/", std::move(query), std::move(headers), "{}");
}

void expect_parse_error(const net::HttpRequest& req, std::string_view type, std::string_view message) {
  auto r = parse_sigv4(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, type);
  EXPECT_EQ(r.error().message, message);
  EXPECT_EQ(r.error().http_status, 400);
}

constexpr std::string_view kAllHeaderParts =
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'Signature' parameter. "
    "Authorization header requires 'SignedHeaders' parameter. "
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";

TEST(SigV4Parse, NoAuthAtAll) {
  expect_parse_error(auth_request("", {}), "MissingAuthenticationTokenException", "Missing Authentication Token");
  expect_parse_error(auth_request("", {{"authorization", ""}}), "MissingAuthenticationTokenException",
                     "Missing Authentication Token");
}

TEST(SigV4Parse, QueryParamsWithoutAlgorithmAreNoAuth) {
  expect_parse_error(auth_request("X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", {}),
                     "MissingAuthenticationTokenException", "Missing Authentication Token");
}

TEST(SigV4Parse, HeaderWithNothingInIt) {
  expect_parse_error(auth_request("", {{"authorization", "X"}}), "IncompleteSignatureException",
                     std::string(kAllHeaderParts) + "Authorization=X");
  // "X-Amz-Algorith" is not X-Amz-Algorithm: still the header form.
  expect_parse_error(auth_request("X-Amz-Algorith", {{"authorization", "X"}}), "IncompleteSignatureException",
                     std::string(kAllHeaderParts) + "Authorization=X");
}

TEST(SigV4Parse, HeaderAndQueryBoth) {
  expect_parse_error(auth_request("X-Amz-Algorithm", {{"authorization", "X"}}), "InvalidSignatureException",
                     "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
}

TEST(SigV4Parse, HeaderMissingSignedHeadersAnySeparator) {
  for (std::string header :
       {"AWS4- Signature=b Credential=a", "AWS4- Signature=b,Credential=a", "AWS4- Signature=b, Credential=a"}) {
    SCOPED_TRACE(header);
    expect_parse_error(auth_request("", {{"authorization", header}, {"date", "a"}}), "IncompleteSignatureException",
                       "Authorization header requires 'SignedHeaders' parameter. Authorization=" + header);
  }
}

TEST(SigV4Parse, HeaderEmptyValuesCountAsMissing) {
  std::string header = "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=";
  expect_parse_error(auth_request("", {{"authorization", header}, {"x-amz-date", "20150830T123600Z"}}),
                     "IncompleteSignatureException",
                     "Authorization header requires 'Credential' parameter. "
                     "Authorization header requires 'Signature' parameter. Authorization=" +
                         header);
}

TEST(SigV4Parse, HeaderPairWithoutEqualSign) {
  std::string header = "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders";
  expect_parse_error(
      auth_request("", {{"authorization", header}}), "IncompleteSignatureException",
      "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'.");
}

TEST(SigV4Parse, DateFormat) {
  std::string header = "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00";
  expect_parse_error(auth_request("", {{"authorization", header}, {"x-amz-date", "201"}}),
                     "IncompleteSignatureException",
                     "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601");
  // An impossible calendar date is not basic format either.
  expect_parse_error(auth_request("", {{"authorization", header}, {"x-amz-date", "20150230T123600Z"}}),
                     "IncompleteSignatureException",
                     "Date must be in ISO-8601 'basic format'. Got '20150230T123600Z'. See "
                     "http://en.wikipedia.org/wiki/ISO_8601");
  // X-Amz-Date wins over Date, and is not rescued by it.
  expect_parse_error(auth_request("", {{"authorization", header},
                                       {"x-amz-date", "Sun, 30 Aug 2015 12:36:00 GMT"},
                                       {"date", "20150830T123600Z"}}),
                     "IncompleteSignatureException",
                     "Date must be in ISO-8601 'basic format'. Got 'Sun, 30 Aug 2015 12:36:00 GMT'. See "
                     "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST(SigV4Parse, UnsupportedAlgorithm) {
  expect_parse_error(auth_request("", {{"authorization",
                                        "AWS4-HMAC-SHA25 Credential=a/b/c/d/e, SignedHeaders=host, "
                                        "Signature=00"},
                                       {"x-amz-date", "20150830T123600Z"}}),
                     "IncompleteSignatureException",
                     "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ");
  expect_parse_error(auth_request("X-Amz-Algorithm=HMAC&X-Amz-Credential=a/b/c/d/e&X-Amz-Signature=00"
                                  "&X-Amz-SignedHeaders=host&X-Amz-Date=20150830T123600Z",
                                  {}),
                     "IncompleteSignatureException",
                     "Unsupported AWS 'algorithm': 'HMAC' (only AWS4-HMAC-SHA256 for now). ");
}

TEST(SigV4Parse, CredentialShape) {
  auto with_credential = [](std::string credential) {
    return auth_request(
        "", {{"authorization", "AWS4-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=host, Signature=00"},
             {"x-amz-date", "20150830T123600Z"}});
  };
  for (std::string bad : {"a/b/c/d", "a/b/c/d/e/f", "a"}) {
    SCOPED_TRACE(bad);
    expect_parse_error(with_credential(bad), "IncompleteSignatureException",
                       "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                       "got '" +
                           bad + "'");
  }
  // Trailing slashes are ignored, as AWS does.
  auto ok = parse_sigv4(with_credential("AK/20150830/eu-west-1/kinesis/aws4_request//"));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->credential.access_key_id, "AK");
  EXPECT_EQ(ok->credential.region, "eu-west-1");
  EXPECT_EQ(ok->credential.terminator, "aws4_request");
}

TEST(SigV4Parse, QueryAllMissing) {
  expect_parse_error(auth_request("X-Amz-Algorithm", {}), "IncompleteSignatureException",
                     "AWS query-string parameters must include 'X-Amz-Algorithm'. "
                     "AWS query-string parameters must include 'X-Amz-Credential'. "
                     "AWS query-string parameters must include 'X-Amz-Signature'. "
                     "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                     "AWS query-string parameters must include 'X-Amz-Date'. "
                     "Re-examine the query-string parameters.");
}

TEST(SigV4Parse, QueryMissingSignedHeaders) {
  expect_parse_error(auth_request("X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", {}),
                     "IncompleteSignatureException",
                     "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                     "Re-examine the query-string parameters.");
}

TEST(SigV4Parse, QueryDateFormat) {
  expect_parse_error(auth_request("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/b/c/d/e&X-Amz-Signature=00"
                                  "&X-Amz-SignedHeaders=host&X-Amz-Date=d",
                                  {}),
                     "IncompleteSignatureException",
                     "Date must be in ISO-8601 'basic format'. Got 'd'. See http://en.wikipedia.org/wiki/ISO_8601");
}

TEST(SigV4Parse, FieldsAndSecurityToken) {
  auto req = auth_request("", {{"authorization",
                                "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/kinesis/"
                                "aws4_request,SignedHeaders=Host;;X-Amz-Date,Signature=abc"},
                               {"x-amz-date", "20150830T123600Z"},
                               {"x-amz-security-token", "TOKEN"}});
  auto auth = parse_sigv4(req);
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(auth->signature, "abc");
  EXPECT_EQ(auth->security_token, "TOKEN");
  EXPECT_FALSE(auth->from_query);

  auto q =
      parse_sigv4(auth_request("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20150830%2Fus-east-1%2F"
                               "kinesis%2Faws4_request&X-Amz-Signature=abc&X-Amz-SignedHeaders=host"
                               "&X-Amz-Date=20150830T123600Z&X-Amz-Security-Token=T%2BOK&X-Amz-Expires=60",
                               {}));
  ASSERT_TRUE(q.has_value()) << q.error().message;
  EXPECT_TRUE(q->from_query);
  EXPECT_EQ(q->security_token, "T+OK");
  EXPECT_EQ(q->expires_seconds, 60);
  EXPECT_EQ(q->credential.service, "kinesis");
}

// Regression (issue 14, item 1): X-Amz-Expires=-1 or abc was accepted.
TEST(SigV4Parse, ExpiresMustBeAWholeNumberOfSecondsUpToAWeek) {
  auto with_expires = [](std::string value) {
    return auth_request(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20150830%2Fus-east-1%2F"
        "kinesis%2Faws4_request&X-Amz-Signature=abc&X-Amz-SignedHeaders=host"
        "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=" +
            value,
        {});
  };
  expect_parse_error(with_expires("-1"), "IncompleteSignatureException", "X-Amz-Expires must be non-negative");
  for (std::string bad : {"abc", "", "1.5", "%2B60", "60s"}) {
    SCOPED_TRACE(bad);
    expect_parse_error(with_expires(bad), "IncompleteSignatureException", "X-Amz-Expires should be a number");
  }
  for (std::string big : {"604801", "99999999999999999999999"}) {
    SCOPED_TRACE(big);
    expect_parse_error(with_expires(big), "IncompleteSignatureException",
                       "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  auto week = parse_sigv4(with_expires("604800"));
  ASSERT_TRUE(week.has_value()) << week.error().message;
  EXPECT_EQ(week->expires_seconds, 604800);
  auto zero = parse_sigv4(with_expires("0000"));
  ASSERT_TRUE(zero.has_value()) << zero.error().message;
  EXPECT_EQ(zero->expires_seconds, 0);
}

// Regression (issue 14, item 1): with two Authorization headers the first was used.
TEST(SigV4Parse, DuplicatedAuthenticationPartsAreRefused) {
  const std::string auth =
      "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/kinesis/aws4_request, "
      "SignedHeaders=host, Signature=abc";
  expect_parse_error(
      auth_request("", {{"x-amz-date", "20150830T123600Z"}, {"authorization", auth}, {"authorization", auth}}),
      "IncompleteSignatureException", "Found more than one 'Authorization' header. Send exactly one.");
  expect_parse_error(
      auth_request("",
                   {{"x-amz-date", "20150830T123600Z"}, {"x-amz-date", "20150830T123700Z"}, {"authorization", auth}}),
      "IncompleteSignatureException", "Found more than one 'x-amz-date' header. Send each at most once.");
  expect_parse_error(auth_request("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20150830%2Fus-east-1%2F"
                                  "kinesis%2Faws4_request&X-Amz-Signature=abc&X-Amz-SignedHeaders=host"
                                  "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-Expires=600000",
                                  {}),
                     "IncompleteSignatureException",
                     "Found more than one 'X-Amz-Expires' query-string parameter. Send each at most once.");
}

// ---- canonical forms ----------------------------------------------------------

TEST(SigV4Canonical, Uri) {
  EXPECT_EQ(sigv4_canonical_uri(""), "/");
  EXPECT_EQ(sigv4_canonical_uri("/"), "/");
  EXPECT_EQ(sigv4_canonical_uri("//example//"), "/example/");
  EXPECT_EQ(sigv4_canonical_uri("/example/.."), "/");
  EXPECT_EQ(sigv4_canonical_uri("/./example/./"), "/example/");
  EXPECT_EQ(sigv4_canonical_uri("/../../a"), "/a");
  EXPECT_EQ(sigv4_canonical_uri("/example space/"), "/example%20space/");  // aws4 suite get-space
  EXPECT_EQ(sigv4_canonical_uri("/\xE1\x88\xB4"), "/%E1%88%B4");           // aws4 suite get-utf8
  EXPECT_EQ(sigv4_canonical_uri("/a%2Fb"), "/a%252Fb");
  EXPECT_EQ(sigv4_canonical_uri("/-._~"), "/-._~");
}

TEST(SigV4Canonical, Query) {
  EXPECT_EQ(sigv4_canonical_query("", false), "");
  EXPECT_EQ(sigv4_canonical_query("Param1=value2&Param1=Value1", false), "Param1=Value1&Param1=value2");
  EXPECT_EQ(sigv4_canonical_query("b&a=", false), "a=&b=");
  EXPECT_EQ(sigv4_canonical_query("%E1%88%B4=bar", false), "%E1%88%B4=bar");
  EXPECT_EQ(sigv4_canonical_query("k=a%20b+c/d", false), "k=a%20b%2Bc%2Fd");
  EXPECT_EQ(sigv4_canonical_query("X-Amz-Signature=ab&X-Amz-Date=1", true), "X-Amz-Date=1");
  EXPECT_EQ(sigv4_canonical_query("X-Amz-Signature=ab&X-Amz-Date=1", false), "X-Amz-Date=1&X-Amz-Signature=ab");
  EXPECT_EQ(sigv4_canonical_query("a=%zz&&b=%4", false), "a=%25zz&b=%254");
}

}  // namespace
}  // namespace runnel::protocol
