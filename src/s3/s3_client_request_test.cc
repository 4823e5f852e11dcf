#include "s3/s3_client_request.h"

#include <gtest/gtest.h>

#include "protocol/sigv4.h"

namespace runnel::s3 {
namespace {

// AWS's SigV4 examples for S3 (Authenticating Requests: Using the
// Authorization Header), 2013-05-24T00:00:00Z.
constexpr int64_t kExampleTime = 1369353600;
constexpr std::string_view kExampleKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::string header(const S3ClientRequest& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "<absent>";
}

TEST(S3ClientEncodePath, KeepsUnreservedAndSlashesEncodesTheRestOnce) {
  EXPECT_EQ(s3_client_encode_path("a/b-c_d.e~f"), "a/b-c_d.e~f");
  EXPECT_EQ(s3_client_encode_path("with space"), "with%20space");
  EXPECT_EQ(s3_client_encode_path("1+1=2"), "1%2B1%3D2");
  EXPECT_EQ(s3_client_encode_path("100%"), "100%25");
  EXPECT_EQ(s3_client_encode_path("caf\xc3\xa9"), "caf%C3%A9");  // UTF-8, byte by byte
  EXPECT_EQ(s3_client_encode_path("a//./b"), "a//./b");          // sent as is (CURLOPT_PATH_AS_IS)
  EXPECT_EQ(s3_client_encode_path("test$file.text"), "test%24file.text");
}

TEST(S3ClientEncodeQuery, EncodesSlashesToo) {
  EXPECT_EQ(s3_client_encode_query("logs/2026/"), "logs%2F2026%2F");
  EXPECT_EQ(s3_client_encode_query("a b+c"), "a%20b%2Bc");
}

TEST(S3ClientEndpoint, ParsesHostAndPortDroppingDefaultPorts) {
  auto e = parse_s3_client_endpoint("http://localhost:4568");
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(e->scheme, "http");
  EXPECT_EQ(e->authority, "localhost:4568");
  EXPECT_EQ(e->base_url(), "http://localhost:4568");
  EXPECT_EQ(parse_s3_client_endpoint("https://s3.eu-west-1.amazonaws.com/")->authority, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(parse_s3_client_endpoint("http://minio:80")->authority, "minio");
  EXPECT_EQ(parse_s3_client_endpoint("https://rgw:443")->authority, "rgw");
  EXPECT_EQ(parse_s3_client_endpoint("https://rgw:8443")->authority, "rgw:8443");
  EXPECT_EQ(parse_s3_client_endpoint("http://[::1]:9000")->authority, "[::1]:9000");
}

TEST(S3ClientEndpoint, RefusesWhatIsNotSchemeHostPort) {
  for (std::string_view bad :
       {"localhost:4568", "ftp://h", "http://", "http://h/bucket", "http://h:0", "http://h:65536", "http://h:x1",
        "http://h:", "http://u@h", "http://[::1", "http://h?x"}) {
    auto e = parse_s3_client_endpoint(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST(S3ClientRequests, PutObjectCarriesTheObjectsHeadersAndContentMd5) {
  PutObjectRequest req{"bkt", "dir/a b.json", nullptr, "application/json", "gzip", {{"Origin", "firehose"}}};
  auto body = std::make_shared<const std::string>("hello");
  S3ClientRequest r = s3_client_put_object(req, body);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/bkt/dir/a%20b.json");
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(header(r, "content-type"), "application/json");
  EXPECT_EQ(header(r, "content-encoding"), "gzip");
  EXPECT_EQ(header(r, "x-amz-meta-origin"), "firehose");
  EXPECT_EQ(header(r, "content-md5"), "XUFAKrxLKna5cZ2REBfFkg==");  // md5("hello")
}

TEST(S3ClientRequests, ListObjectsV2QueryClampsMaxKeysAndEncodesPrefixAndStartAfter) {
  S3ClientRequest r = s3_client_list_objects("bkt", "logs/2026 x", "logs/2026 x/b+c", 5000);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/bkt");
  EXPECT_EQ(r.query, "list-type=2&max-keys=1000&prefix=logs%2F2026%20x&start-after=logs%2F2026%20x%2Fb%2Bc");
  EXPECT_EQ(s3_client_list_objects("bkt", "", "", -3).query, "list-type=2&max-keys=0");
}

TEST(S3ClientRequests, MultipartRequests) {
  PutObjectRequest req{"bkt", "k", nullptr, "text/plain", "", {}};
  S3ClientRequest create = s3_client_create_multipart(req);
  EXPECT_EQ(create.method, "POST");
  EXPECT_EQ(create.path, "/bkt/k");
  EXPECT_EQ(create.query, "uploads");
  EXPECT_EQ(header(create, "content-type"), "text/plain");

  auto body = std::make_shared<const std::string>("0123456789");
  S3ClientRequest part = s3_client_upload_part("bkt", "k", "id/+=", 2, body, 4, 3);
  EXPECT_EQ(part.method, "PUT");
  EXPECT_EQ(part.query, "partNumber=2&uploadId=id%2F%2B%3D");
  EXPECT_EQ(part.body, "456");
  EXPECT_EQ(header(part, "content-md5"), s3_client_content_md5("456"));

  S3ClientRequest complete = s3_client_complete_multipart("bkt", "k", "U", {"\"e1\"", "\"e2\""});
  EXPECT_EQ(complete.method, "POST");
  EXPECT_EQ(complete.query, "uploadId=U");
  EXPECT_EQ(complete.body,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part></CompleteMultipartUpload>");

  S3ClientRequest abort = s3_client_abort_multipart("bkt", "k", "U");
  EXPECT_EQ(abort.method, "DELETE");
  EXPECT_EQ(abort.query, "uploadId=U");
}

TEST(S3ClientHeaders, RefusesLineBreaksNulAndNamesThatAreNotTokens) {
  EXPECT_EQ(s3_client_header_problem("x-amz-meta-a", "any value, even \xc3\xa9"), "");
  EXPECT_NE(s3_client_header_problem("x-amz-meta-a", "a\r\nb"), "");
  EXPECT_NE(s3_client_header_problem("x-amz-meta-a", "a\nb"), "");
  EXPECT_NE(s3_client_header_problem("x-amz-meta-a", std::string_view("a\0b", 3)), "");
  EXPECT_NE(s3_client_header_problem("x-amz-meta-a b", "v"), "");
  EXPECT_NE(s3_client_header_problem("x-amz-meta-a:", "v"), "");
  EXPECT_NE(s3_client_header_problem("", "v"), "");
}

TEST(S3ClientSign, UsesAPrecomputedPayloadHash) {
  protocol::SigV4Signer a("AKID", "secret", "us-east-1", "s3"), b("AKID", "secret", "us-east-1", "s3");
  S3ClientRequest r1 = s3_client_put_object(PutObjectRequest{"b", "k", nullptr, "text/plain", "", {}},
                                            std::make_shared<const std::string>("body"));
  S3ClientRequest r2 = r1;
  r2.payload_sha256 = protocol::sigv4_sha256_hex("body");
  sign_s3_client_request(r1, a, "h", "", kExampleTime);
  sign_s3_client_request(r2, b, "h", "", kExampleTime);
  EXPECT_EQ(header(r1, "authorization"), header(r2, "authorization"));
  EXPECT_EQ(r1.payload_sha256, r2.payload_sha256);
}

TEST(S3ClientSign, MatchesAwsExampleGetObject) {
  // GET /test.txt with Range: bytes=0-9 on examplebucket.s3.amazonaws.com.
  protocol::SigV4Signer signer(std::string(kExampleKeyId), kExampleSecret, "us-east-1", "s3");
  S3ClientRequest r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers.push_back({"range", "bytes=0-9"});
  sign_s3_client_request(r, signer, "examplebucket.s3.amazonaws.com", "", kExampleTime);
  EXPECT_EQ(header(r, "x-amz-content-sha256"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(header(r, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(header(r, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3ClientSign, MatchesAwsExamplePutObjectWithAnEncodedKey) {
  // PUT test$file.text: the path is signed as sent (%24), not encoded again.
  protocol::SigV4Signer signer(std::string(kExampleKeyId), kExampleSecret, "us-east-1", "s3");
  S3ClientRequest r;
  r.method = "PUT";
  r.path = "/" + s3_client_encode_path("test$file.text");
  r.set_own_body("Welcome to Amazon S3.");
  r.headers.push_back({"date", "Fri, 24 May 2013 00:00:00 GMT"});
  r.headers.push_back({"x-amz-storage-class", "REDUCED_REDUNDANCY"});
  sign_s3_client_request(r, signer, "examplebucket.s3.amazonaws.com", "", kExampleTime);
  EXPECT_EQ(header(r, "x-amz-content-sha256"), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(header(r, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(S3ClientSign, AddsTheSessionTokenAndVerifiesAgainstRunnelsOwnVerifier) {
  protocol::SigV4Signer signer("AKID", "secret", "eu-west-1", "s3");
  PutObjectRequest req{"bkt", "a b/c+d%e", nullptr, "application/octet-stream", "", {}};
  S3ClientRequest r = s3_client_put_object(req, std::make_shared<const std::string>("data"));
  sign_s3_client_request(r, signer, "localhost:9000", "TOKEN", kExampleTime);
  EXPECT_EQ(header(r, "x-amz-security-token"), "TOKEN");
  EXPECT_EQ(header(r, "host"), "localhost:9000");

  net::HttpRequest http;
  http.method = r.method;
  http.path = r.path;
  http.query = r.query;
  http.headers = r.headers;
  http.body = std::string(r.body);
  auto auth = protocol::parse_sigv4(http);
  ASSERT_TRUE(auth);
  EXPECT_TRUE(protocol::verify_sigv4(http, *auth, "secret", kExampleTime));
  EXPECT_FALSE(protocol::verify_sigv4(http, *auth, "other", kExampleTime));
}

TEST(S3ClientSign, SigningTwiceReplacesRatherThanDuplicatesTheAuthHeaders) {
  protocol::SigV4Signer signer("AKID", "secret", "us-east-1", "s3");
  S3ClientRequest r = s3_client_get_object("b", "k");
  sign_s3_client_request(r, signer, "h", "", kExampleTime);
  sign_s3_client_request(r, signer, "h", "", kExampleTime + 60);
  int auth = 0, date = 0;
  for (const auto& h : r.headers) {
    auth += h.name == "authorization";
    date += h.name == "x-amz-date";
  }
  EXPECT_EQ(auth, 1);
  EXPECT_EQ(date, 1);
  EXPECT_EQ(header(r, "x-amz-date"), "20130524T000100Z");
}

}  // namespace
}  // namespace runnel::s3
