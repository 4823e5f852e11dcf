// The S3 service served through net::Server and the dispatcher's REST-XML
// front end, with raw HTTP/1.1 requests: S3's status codes, headers and
// error bodies for the cases clients depend on.
#include "s3/s3_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "protocol/base64.h"
#include "protocol/dispatcher.h"

namespace runnel::s3 {
namespace {

namespace fs = std::filesystem;
using net::testing::TestResponse;
using net::testing::TestSocket;

// Signed for s3 (the dispatcher routes by the credential scope; without a
// credentials file the signature itself is not checked).
const std::string kAuth =
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00\r\nX-Amz-Date: 20261207T001530Z\r\n";

class S3ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("s3svc-" + random_hex_id());
    EmbeddedStoreOptions o;
    o.min_part_size = 4;
    auto s = EmbeddedStore::open(dir_.string(), o);
    ASSERT_TRUE(s.has_value());
    store_ = std::move(*s);
    service_ = std::make_unique<S3Service>(*store_);
    dispatcher_.register_service(*service_);
    net::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 2;
    so.stream_body = [this](const net::HttpRequest& head) { return dispatcher_.streams_body(head); };
    server_ = std::make_unique<net::Server>(so, [this](net::HttpRequest r, std::shared_ptr<net::ResponseSink> sink) {
      dispatcher_.handle(std::move(r), std::move(sink));
    });
    ASSERT_TRUE(server_->start().is_ok());
    socket_ = std::make_unique<TestSocket>(server_->bound_port());
  }
  void TearDown() override {
    server_->stop();
    (void)service_->close();
    socket_.reset();
    server_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  TestResponse send(const std::string& line, const std::string& body = "", std::vector<std::string> headers = {}) {
    std::string req =
        line + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + kAuth;
    for (const auto& h : headers) req += h + "\r\n";
    EXPECT_TRUE(socket_->write(req + "\r\n" + body));
    auto r = net::testing::read_response(*socket_);
    EXPECT_TRUE(r.has_value()) << line;
    return r ? *r : TestResponse{};
  }
  // A HEAD answer: its head only (no body follows, whatever Content-Length says).
  TestResponse head(const std::string& path) {
    EXPECT_TRUE(socket_->write("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n" + kAuth + "\r\n"));
    size_t end = socket_->fill_until("\r\n\r\n", 3000);
    TestResponse r;
    if (end == std::string::npos) return r;
    std::string h = socket_->inbox.substr(0, end);
    socket_->inbox.erase(0, end);
    r.status = std::stoi(h.substr(9, 3));
    size_t pos = h.find("\r\n") + 2;
    while (pos < h.size() - 2) {
      size_t e = h.find("\r\n", pos);
      std::string line = h.substr(pos, e - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(name, line.substr(colon + 2));
      pos = e + 2;
    }
    return r;
  }
  static std::string code_of(const TestResponse& r) {
    size_t a = r.body.find("<Code>"), b = r.body.find("</Code>");
    return a == std::string::npos ? "" : r.body.substr(a + 6, b - a - 6);
  }

  fs::path dir_;
  std::unique_ptr<EmbeddedStore> store_;
  std::unique_ptr<S3Service> service_;
  protocol::Dispatcher dispatcher_{protocol::DispatcherOptions{}};
  std::unique_ptr<net::Server> server_;
  std::unique_ptr<TestSocket> socket_;
};

TEST_F(S3ServiceTest, EveryOperationHasAHandler) {
  // Not-implemented operations answer through otherwise(): nothing is unhandled.
  EXPECT_TRUE(service_->operations().unhandled().empty());
}

TEST_F(S3ServiceTest, BucketsAndTheirErrors) {
  EXPECT_EQ(send("PUT /my-bucket").status, 200);
  auto r = send("PUT /my-bucket");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code_of(r), "BucketAlreadyOwnedByYou");
  r = send("PUT /Bad_Bucket");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "InvalidBucketName");
  r = send("GET /no-such-bucket?list-type=2");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(head("/my-bucket").status, 200);
  EXPECT_EQ(head("/no-such-bucket").status, 404);
  r = send("GET /");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<ListAllMyBucketsResult"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Name>my-bucket</Name>"), std::string::npos);
  EXPECT_EQ(send("PUT /my-bucket/k", "v").status, 200);
  r = send("DELETE /my-bucket");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code_of(r), "BucketNotEmpty");
  EXPECT_EQ(send("DELETE /my-bucket/k").status, 204);
  EXPECT_EQ(send("DELETE /my-bucket").status, 204);
}

TEST_F(S3ServiceTest, ObjectsWithMd5RangesAndConditions) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  const std::string md5_of_hello = "XUFAKrxLKna5cZ2REBfFkg==";  // base64(md5("hello"))
  auto r = send("PUT /bkt/dir/hello.txt", "hello",
                {"Content-MD5: " + md5_of_hello, "Content-Type: text/plain", "x-amz-meta-Color: blue"});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string etag = "\"5d41402abc4b2a76b9719d911017c592\"";
  EXPECT_EQ(*r.header("etag"), etag);
  r = send("PUT /bkt/bad", "hellO", {"Content-MD5: " + md5_of_hello});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "BadDigest");
  r = send("PUT /bkt/bad", "hello", {"Content-MD5: not-base64!"});
  EXPECT_EQ(code_of(r), "InvalidDigest");
  EXPECT_EQ(send("GET /bkt/bad").status, 404);  // nothing was stored

  r = send("GET /bkt/dir/hello.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(*r.header("content-type"), "text/plain");
  EXPECT_EQ(*r.header("x-amz-meta-color"), "blue");
  EXPECT_NE(r.header("last-modified"), nullptr);
  r = send("GET /bkt/dir/hello.txt", "", {"Range: bytes=1-3"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "ell");
  EXPECT_EQ(*r.header("content-range"), "bytes 1-3/5");
  r = send("GET /bkt/dir/hello.txt", "", {"Range: bytes=-2"});
  EXPECT_EQ(r.body, "lo");
  r = send("GET /bkt/dir/hello.txt", "", {"Range: bytes=3-"});
  EXPECT_EQ(r.body, "lo");
  EXPECT_EQ(*r.header("content-range"), "bytes 3-4/5");
  r = send("GET /bkt/dir/hello.txt", "", {"Range: bytes=5-9"});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(code_of(r), "InvalidRange");
  r = send("GET /bkt/dir/hello.txt", "", {"If-None-Match: " + etag});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  r = send("GET /bkt/dir/hello.txt", "", {"If-Match: \"other\""});
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(code_of(r), "PreconditionFailed");

  auto h = head("/bkt/dir/hello.txt");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(*h.header("content-length"), "5");  // the object's, though no body follows
  EXPECT_EQ(*h.header("etag"), etag);
  r = send("GET /bkt/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(code_of(r), "NoSuchKey");
  EXPECT_NE(r.body.find("<Message>The specified key does not exist.</Message><Resource>/bkt/nothing</Resource>"
                        "<RequestId>"),
            std::string::npos)
      << r.body;
}

TEST_F(S3ServiceTest, CopyKeepsOrReplacesMetadata) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  ASSERT_EQ(send("PUT /bkt/src", "data", {"x-amz-meta-a: 1", "Content-Type: text/plain"}).status, 200);
  auto r = send("PUT /bkt/copy", "", {"x-amz-copy-source: /bkt/src"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<CopyObjectResult"), std::string::npos) << r.body;
  r = send("GET /bkt/copy");
  EXPECT_EQ(r.body, "data");
  EXPECT_EQ(*r.header("x-amz-meta-a"), "1");
  r = send("PUT /bkt/copy2", "",
           {"x-amz-copy-source: bkt/src", "x-amz-metadata-directive: REPLACE", "x-amz-meta-b: 2",
            "Content-Type: application/json"});
  ASSERT_EQ(r.status, 200) << r.body;
  r = send("GET /bkt/copy2");
  EXPECT_EQ(r.header("x-amz-meta-a"), nullptr);
  EXPECT_EQ(*r.header("x-amz-meta-b"), "2");
  EXPECT_EQ(*r.header("content-type"), "application/json");
  r = send("PUT /bkt/src", "", {"x-amz-copy-source: bkt/src"});
  EXPECT_EQ(code_of(r), "InvalidRequest");
  r = send("PUT /bkt/x", "", {"x-amz-copy-source: bkt/missing"});
  EXPECT_EQ(code_of(r), "NoSuchKey");
}

TEST_F(S3ServiceTest, ListingsWithDelimitersPagesAndUrlEncoding) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  for (const char* k : {"a/1", "a/2", "b%20c", "d"}) ASSERT_EQ(send(std::string("PUT /bkt/") + k, "x").status, 200);
  auto r = send("GET /bkt?list-type=2&delimiter=/&encoding-type=url");
  EXPECT_NE(r.body.find("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Key>b%20c</Key>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<KeyCount>3</KeyCount>"), std::string::npos) << r.body;
  r = send("GET /bkt?list-type=2&max-keys=2");
  EXPECT_NE(r.body.find("<IsTruncated>true</IsTruncated>"), std::string::npos) << r.body;
  size_t a = r.body.find("<NextContinuationToken>"), b = r.body.find("</NextContinuationToken>");
  ASSERT_NE(a, std::string::npos);
  std::string token = r.body.substr(a + 23, b - a - 23);
  EXPECT_EQ(*protocol::base64_decode(token), "a/2");
  std::string escaped;
  for (char c : token) escaped += c == '=' ? std::string("%3D") : c == '+' ? std::string("%2B") : std::string(1, c);
  r = send("GET /bkt?list-type=2&max-keys=2&continuation-token=" + escaped);
  EXPECT_NE(r.body.find("<Key>b c</Key>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Key>d</Key>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<IsTruncated>false</IsTruncated>"), std::string::npos) << r.body;
  r = send("GET /bkt?marker=a/2");
  EXPECT_EQ(r.body.find("<Key>a/1</Key>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Marker>a/2</Marker>"), std::string::npos) << r.body;
  r = send("GET /bkt?list-type=2&encoding-type=base64");
  EXPECT_EQ(code_of(r), "InvalidArgument");
}

TEST_F(S3ServiceTest, DeleteObjectsAndMalformedXml) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  ASSERT_EQ(send("PUT /bkt/one", "1").status, 200);
  auto r = send("POST /bkt?delete", "<Delete><Object><Key>one</Key></Object><Object><Key>two</Key></Object></Delete>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<Deleted><Key>one</Key></Deleted><Deleted><Key>two</Key></Deleted>"), std::string::npos)
      << r.body;
  r = send("POST /bkt?delete", "<Delete><Quiet>true</Quiet><Object><Key>one</Key></Object></Delete>");
  EXPECT_EQ(r.body.find("<Deleted>"), std::string::npos) << r.body;
  r = send("POST /bkt?delete", "<Delete><Object><Key>one</Key>");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "MalformedXML");
  // No Object at all: the model's validation answers first (S3 says MalformedXML).
  r = send("POST /bkt?delete", "<Delete></Delete>");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "InvalidArgument");
  r = send("POST /bkt?delete", "<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>");
  EXPECT_EQ(code_of(r), "MalformedXML");
}

TEST_F(S3ServiceTest, MultipartUploadEndToEnd) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  auto r = send("POST /bkt/big?uploads", "", {"Content-Type: text/csv"});
  ASSERT_EQ(r.status, 200) << r.body;
  size_t a = r.body.find("<UploadId>"), b = r.body.find("</UploadId>");
  std::string id = r.body.substr(a + 10, b - a - 10);
  r = send("PUT /bkt/big?partNumber=1&uploadId=" + id, "aaaa");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string e1 = *r.header("etag");
  r = send("PUT /bkt/big?partNumber=2&uploadId=" + id, "bb");
  std::string e2 = *r.header("etag");
  r = send("PUT /bkt/big?partNumber=0&uploadId=" + id, "bb");
  EXPECT_EQ(code_of(r), "InvalidArgument");
  r = send("PUT /bkt/big?partNumber=1&uploadId=nope", "bb");
  EXPECT_EQ(code_of(r), "NoSuchUpload");
  r = send("GET /bkt/big?uploadId=" + id);
  EXPECT_NE(r.body.find("<Part><PartNumber>1</PartNumber>"), std::string::npos) << r.body;
  r = send("GET /bkt?uploads");
  EXPECT_NE(r.body.find("<UploadId>" + id + "</UploadId>"), std::string::npos) << r.body;
  r = send("POST /bkt/big?uploadId=" + id, "<CompleteMultipartUpload><Part>");
  EXPECT_EQ(code_of(r), "MalformedXML");
  r = send("POST /bkt/big?uploadId=" + id, "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>" + e2 +
                                               "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>" + e1 +
                                               "</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ(code_of(r), "InvalidPartOrder");
  r = send("POST /bkt/big?uploadId=" + id, "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + e1 +
                                               "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" + e2 +
                                               "</ETag></Part></CompleteMultipartUpload>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("-2&quot;</ETag>"), std::string::npos) << r.body;
  r = send("GET /bkt/big");
  EXPECT_EQ(r.body, "aaaabb");
  EXPECT_EQ(*r.header("content-type"), "text/csv");
  r = send("DELETE /bkt/big?uploadId=" + id);
  EXPECT_EQ(code_of(r), "NoSuchUpload");
}

TEST_F(S3ServiceTest, HeadOverH2cCarriesTheObjectsLength) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  ASSERT_EQ(send("PUT /bkt/obj", std::string(4321, 'x')).status, 200);
  TestSocket s(server_->bound_port());
  net::testing::H2Client c(s);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, "
       "SignedHeaders=host;x-amz-date, Signature=00"},
      {"x-amz-date", "20261207T001530Z"}};
  int32_t id = c.submit("HEAD", "/bkt/obj", "", auth);
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).status, 200);
  EXPECT_EQ(c.response(id).headers["content-length"], "4321");
  EXPECT_TRUE(c.response(id).body.empty());
  id = c.submit("GET", "/bkt/obj", "", auth);
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).headers["content-length"], "4321");
  EXPECT_EQ(c.response(id).body.size(), 4321u);
}

TEST_F(S3ServiceTest, UnsignedRequestsAreDeniedAndRpcRequestsAreNotS3s) {
  auto raw = [&](const std::string& head) {
    EXPECT_TRUE(socket_->write(head + "Host: localhost\r\nContent-Length: 0\r\n\r\n"));
    auto r = net::testing::read_response(*socket_);
    return r ? *r : TestResponse{};
  };
  // A bucket or object: S3's own answer.
  auto r = raw("GET /bkt/key HTTP/1.1\r\n");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code_of(r), "AccessDenied");
  // "/" and Smithy RPC v2 requests keep the RPC protocols' answers (S3 is
  // the only REST service, but those are not its requests).
  r = raw("GET / HTTP/1.1\r\n");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code_of(r), "") << r.body;
  EXPECT_NE(r.body.find("MissingAuthenticationToken"), std::string::npos) << r.body;
  r =
      raw("POST /service/Svc/operation/Op HTTP/1.1\r\nsmithy-protocol: rpc-v2-cbor\r\n"
          "Content-Type: application/cbor\r\n");
  EXPECT_EQ(r.body.find("<Error>"), std::string::npos) << r.body;
}

TEST_F(S3ServiceTest, OtherOperationsAnswerNotImplemented) {
  ASSERT_EQ(send("PUT /bkt").status, 200);
  auto r = send("GET /bkt?tagging");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(code_of(r), "NotImplemented");
  EXPECT_NE(r.body.find("GetBucketTagging"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace runnel::s3
