// A REST-XML service that is not S3, registered the way every service is and
// served through the whole stack (net::Server, the dispatcher's REST-XML
// front end): an S3-like subset (tests/models/toyxml) with a streaming blob
// payload and metadata headers (PutObject, GetObject), an XML list answer
// (ListObjectsV2), XML request bodies (PutBucketTagging, DeleteObjects,
// CreateBucket, PutBucketAcl) and S3's errors. The requests are botocore's
// own bytes and the answers are the ones botocore parses as expected
// (tests/fixtures/toyxml_botocore.py, toy_xml_botocore_exchanges.inc).

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <regex>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "protocol/dispatcher.h"
#include "protocol/service.h"

namespace runnel::testing {
const protocol::ServiceModel& toyxml_model();
}  // namespace runnel::testing

namespace runnel::server {
namespace {

using net::testing::TestSocket;
using protocol::Array;
using protocol::Object;
using protocol::OperationModel;
using protocol::OperationReply;
using protocol::RequestContext;
using protocol::Value;

constexpr protocol::Timestamp kModified{1'796'602'530'000};  // 2026-12-07T00:15:30Z

// ---- The toy store: objects in memory, one bucket named "bucket".
class ToyXmlService final : public protocol::Service {
 public:
  std::string_view name() const override { return "toyxml"; }
  protocol::OperationTable operations() override {
    protocol::OperationTable table(testing::toyxml_model());
    table.on("PutObject", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      if (in.find("Bucket")->as_string() != "bucket") return reply(no_such_bucket());
      Stored o;
      if (const Value* body = in.find("Body")) o.body = body->as_blob().bytes;
      if (const Value* meta = in.find("Metadata")) o.metadata = *meta;
      if (const Value* type = in.find("ContentType")) o.content_type = type->as_string();
      if (const Value* cls = in.find("StorageClass")) o.storage_class = cls->as_string();
      if (const Value* expires = in.find("Expires")) o.expires = expires->as_timestamp().millis;
      Value out = Object{};
      out.set("ETag", "\"etag-" + std::to_string(o.body.size()) + "\"");
      out.set("Size", static_cast<int64_t>(o.body.size()));
      std::lock_guard lock(mu_);
      objects_[in.find("Key")->as_string()] = std::move(o);
      reply(std::move(out));
    });
    table.on("GetObject", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      std::lock_guard lock(mu_);
      auto it = objects_.find(in.find("Key")->as_string());
      if (it == objects_.end())
        return reply(protocol::api_error("NoSuchKey", "The specified key does not exist.", 404));
      Value out = Object{};
      out.set("Body", protocol::Blob{it->second.body});
      out.set("ContentLength", static_cast<int64_t>(it->second.body.size()));
      out.set("ContentType", it->second.content_type);
      out.set("ETag", "\"etag-" + std::to_string(it->second.body.size()) + "\"");
      out.set("LastModified", kModified);
      out.set("Metadata", it->second.metadata);
      reply(std::move(out));
    });
    table.on("ListObjectsV2", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      if (in.find("Bucket")->as_string() != "bucket") return reply(no_such_bucket());
      std::string prefix = in.find("Prefix") ? in.find("Prefix")->as_string() : "";
      Array contents;
      std::lock_guard lock(mu_);
      for (const auto& [key, o] : objects_) {
        if (!key.starts_with(prefix)) continue;
        Value owner = Object{};
        owner.set("DisplayName", "me");
        owner.set("ID", "42");
        Value item = Object{};
        item.set("Key", key);
        item.set("LastModified", kModified);
        item.set("ETag", "\"etag-" + std::to_string(o.body.size()) + "\"");
        item.set("Size", static_cast<int64_t>(o.body.size()));
        item.set("StorageClass", o.storage_class);
        item.set("Owner", owner);
        contents.push_back(std::move(item));
      }
      Value common = Object{};
      common.set("Prefix", "photos/2026/");
      Value out = Object{};
      out.set("IsTruncated", false);
      int64_t count = static_cast<int64_t>(contents.size());
      out.set("Contents", std::move(contents));
      out.set("Name", "bucket");
      out.set("Prefix", prefix);
      if (const Value* max = in.find("MaxKeys")) out.set("MaxKeys", *max);
      out.set("CommonPrefixes", Array{common});
      out.set("KeyCount", count);
      reply(std::move(out));
    });
    table.on("PutBucketTagging", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      std::lock_guard lock(mu_);
      tags_ = *in.find("Tagging")->find("TagSet");
      reply(Value(Object{}));
    });
    table.on("GetBucketTagging", [this](const OperationModel&, Value, const RequestContext&, OperationReply reply) {
      Value out = Object{};
      std::lock_guard lock(mu_);
      out.set("TagSet", tags_);
      reply(std::move(out));
    });
    table.on("DeleteObjects", [](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      Array deleted;
      for (const Value& o : in.find("Delete")->find("Object")->as_array()) {
        Value d = Object{};
        d.set("Key", *o.find("Key"));
        deleted.push_back(std::move(d));
      }
      Value out = Object{};
      out.set("Deleted", std::move(deleted));
      out.set("Quiet", *in.find("Delete")->find("Quiet"));
      reply(std::move(out));
    });
    table.on("CreateBucket", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      const std::string& bucket = in.find("Bucket")->as_string();
      if (bucket == "bucket")
        return reply(protocol::api_error("BucketAlreadyExists", "The requested bucket name is not available.", 409));
      std::lock_guard lock(mu_);
      bucket_config_ = *in.find("CreateBucketConfiguration");
      Value out = Object{};
      out.set("Location", "/" + bucket);
      reply(std::move(out));
    });
    table.on("PutBucketAcl", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      std::lock_guard lock(mu_);
      acl_ = *in.find("AccessControlPolicy");
      reply(Value(Object{}));
    });
    table.on("SearchObjects", [](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      Value out = Object{};
      out.set("Tags", *in.find("Tags"));
      out.set("Filters", *in.find("Filters"));
      out.set("Since", *in.find("Since"));
      reply(std::move(out));
    });
    table.on("UploadPart", [](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
      Value out = Object{};
      out.set("ETag", "\"part-" + std::to_string(in.find("PartNumber")->as_int()) + "\"");
      reply(std::move(out));
    });
    return table;
  }

  struct Stored {
    std::string body, content_type, storage_class;
    Value metadata = Object{};
    int64_t expires = 0;
  };
  static std::unexpected<protocol::ApiError> no_such_bucket() {
    return protocol::api_error("NoSuchBucket", "The specified bucket does not exist", 404);
  }

  std::mutex mu_;
  std::map<std::string, Stored> objects_;
  Value tags_ = Array{};
  Value bucket_config_, acl_;
};
// ---- End of the toy store.

struct Exchange {
  const char* name;
  std::string_view request;
  int status;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

const Exchange kExchanges[] = {
#include "protocol/toy_xml_botocore_exchanges.inc"
};

class ToyXmlServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.register_service(toy_);
    net::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<net::Server>(o, [this](net::HttpRequest r, std::shared_ptr<net::ResponseSink> s) {
      dispatcher_.handle(std::move(r), std::move(s));
    });
    ASSERT_TRUE(server_->start().is_ok());
  }
  void TearDown() override { server_->stop(); }

  net::testing::TestResponse send(TestSocket& s, std::string_view raw) {
    EXPECT_TRUE(s.write(std::string(raw)));
    auto r = net::testing::read_response(s);
    EXPECT_TRUE(r.has_value());
    return r ? *r : net::testing::TestResponse{};
  }

  ToyXmlService toy_;
  protocol::Dispatcher dispatcher_{protocol::DispatcherOptions{}};
  std::unique_ptr<net::Server> server_;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// botocore's requests, in order, get exactly the answers botocore parses as
// the fixture script expects.
TEST_F(ToyXmlServer, BotocoreRequestsGetTheAnswersBotocoreParses) {
  TestSocket s(server_->bound_port());
  for (const Exchange& e : kExchanges) {
    SCOPED_TRACE(e.name);
    auto r = send(s, e.request);
    EXPECT_EQ(r.status, e.status);
    for (const auto& [name, value] : e.headers) {
      const std::string* got = r.header(lower(name));
      ASSERT_NE(got, nullptr) << name;
      EXPECT_EQ(*got, value) << name;
    }
    ASSERT_NE(r.header("x-amz-request-id"), nullptr);
    ASSERT_NE(r.header("x-amz-id-2"), nullptr);
    // Request ids differ per answer: the fixture has RID and HID.
    std::string body = std::regex_replace(r.body, std::regex("<RequestId>[^<]*</RequestId><HostId>[^<]*</HostId>"),
                                          "<RequestId>RID</RequestId><HostId>HID</HostId>");
    if (r.body != body) {
      EXPECT_NE(r.body.find(*r.header("x-amz-request-id")), std::string::npos);
    }
    EXPECT_EQ(body, e.body);
  }
  // What the handlers were given.
  std::lock_guard lock(toy_.mu_);
  const auto& o = toy_.objects_.at("photos/2026/a b+c.jpg");
  EXPECT_EQ(o.body, std::string("\x00\x01"
                                "binary\xff",
                                9));
  EXPECT_EQ(o.metadata.find("owner")->as_string(), "Me");  // header names arrive lower-cased
  EXPECT_EQ(o.expires, 1'796'688'000'000);                 // Tue, 08 Dec 2026 00:00:00 GMT
  // unixTimestamp: botocore sends whole seconds (it drops the .5).
  EXPECT_EQ(toy_.bucket_config_.find("NotBefore")->as_timestamp().millis, 1'796'602'530'000);
  EXPECT_EQ(toy_.bucket_config_.find("Token")->as_blob().bytes, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(toy_.bucket_config_.find("Labels")->find("team")->as_string(), "a");
  const Value& grantee = *toy_.acl_.find("AccessControlList")->as_array()[0].find("Grantee");
  EXPECT_EQ(grantee.find("xsi:type")->as_string(), "CanonicalUser");
}

// One raw HTTP/1.1 exchange signed for the toyxml service.
std::string signed_request(const std::string& head_line, const std::vector<std::string>& headers,
                           const std::string& body = "") {
  std::string req = head_line + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/toyxml/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\nX-Amz-Date: 20261207T001530Z\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  return req + "\r\n" + body;
}

TEST_F(ToyXmlServer, MalformedBodiesAndBadValuesGetS3sCodes) {
  TestSocket s(server_->bound_port());
  auto r = send(s, signed_request("PUT /bucket?tagging", {}, "<Tagging><TagSet>"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>MalformedXML</Code>"), std::string::npos) << r.body;
  r = send(s, signed_request("PUT /bucket?tagging", {}, "<!DOCTYPE x [<!ENTITY a \"b\">]><Tagging/>"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>MalformedXML</Code>"), std::string::npos) << r.body;
  r = send(s, signed_request("PUT /bucket?tagging", {}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>MissingRequestBodyError</Code>"), std::string::npos) << r.body;
  r = send(s, signed_request("GET /bucket?list-type=2&max-keys=ten", {}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidArgument</Code>"), std::string::npos) << r.body;
  // A required member missing is validation's: InvalidArgument.
  r = send(s, signed_request("PUT /bucket?tagging", {}, "<Tagging></Tagging>"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidArgument</Code>"), std::string::npos) << r.body;
}

TEST_F(ToyXmlServer, AFormContentTypeSignedForTheServiceIsStillRestXml) {
  // curl -T / -d uploads say application/x-www-form-urlencoded; signed for
  // toyxml, the request is the REST-XML service's, not AWS Query's.
  TestSocket s(server_->bound_port());
  auto r = send(s, signed_request("PUT /bucket/form.txt", {"Content-Type: application/x-www-form-urlencoded"}, "a=b"));
  EXPECT_EQ(r.status, 200) << r.body;
  r = send(s, signed_request("GET /bucket/form.txt", {}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a=b");
  EXPECT_EQ(*r.header("content-type"), "application/x-www-form-urlencoded");
}

TEST_F(ToyXmlServer, ObjectsAndXmlAnswersOverH2c) {
  TestSocket s(server_->bound_port());
  net::testing::H2Client c(s);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/toyxml/aws4_request, "
       "SignedHeaders=host;x-amz-date, Signature=00"},
      {"x-amz-date", "20261207T001530Z"}};
  auto with = [&](std::vector<std::pair<std::string, std::string>> more) {
    more.insert(more.begin(), auth.begin(), auth.end());
    return more;
  };
  int32_t put = c.submit("PUT", "/bucket/h2/obj%20one", std::string("\x00h2", 3),
                         with({{"x-amz-meta-via", "h2c"}, {"content-type", "binary/octet-stream"}}));
  ASSERT_TRUE(c.wait(put));
  EXPECT_EQ(c.response(put).status, 200);
  EXPECT_EQ(c.response(put).headers["etag"], "\"etag-3\"");
  int32_t get = c.submit("GET", "/bucket/h2/obj%20one", "", auth);
  ASSERT_TRUE(c.wait(get));
  EXPECT_EQ(c.response(get).status, 200);
  EXPECT_EQ(c.response(get).body, std::string("\x00h2", 3));
  EXPECT_EQ(c.response(get).headers["x-amz-meta-via"], "h2c");
  int32_t list = c.submit("GET", "/bucket?list-type=2&prefix=h2/", "", auth);
  ASSERT_TRUE(c.wait(list));
  EXPECT_EQ(c.response(list).status, 200);
  EXPECT_EQ(c.response(list).headers["content-type"], "application/xml");
  EXPECT_NE(c.response(list).body.find("<Contents><Key>h2/obj one</Key>"), std::string::npos) << c.response(list).body;
  int32_t missing = c.submit("GET", "/bucket/h2/none", "", auth);
  ASSERT_TRUE(c.wait(missing));
  EXPECT_EQ(c.response(missing).status, 404);
  EXPECT_NE(c.response(missing).body.find("<Code>NoSuchKey</Code>"), std::string::npos);
}

TEST_F(ToyXmlServer, ObjectBodiesAreStoredAsSentEvenWhenGzipEncoded) {
  // S3's Content-Encoding describes the object: the dispatcher must not
  // inflate it (the JSON protocols do).
  TestSocket s(server_->bound_port());
  std::string gz("\x1f\x8b\x08\x00garbage", 11);
  auto r = send(s, signed_request("PUT /bucket/z.gz", {"Content-Encoding: gzip"}, gz));
  EXPECT_EQ(r.status, 200) << r.body;
  r = send(s, signed_request("GET /bucket/z.gz", {}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, gz);
  EXPECT_EQ(*r.header("content-length"), "11");
  EXPECT_EQ(r.count("content-length"), 1u);
}

}  // namespace
}  // namespace runnel::server
