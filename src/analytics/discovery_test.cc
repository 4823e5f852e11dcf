// DiscoverInputSchema through the service's table: from an S3 object (an
// in-memory ObjectStore), the errors of each source, and the exception's
// extra members.
#include "analytics/discovery.h"

#include <gtest/gtest.h>

#include <map>

#include "analytics/analytics_test_support.h"
#include "protocol/value.h"

namespace runnel::analytics {
namespace {

// Objects in memory; every call completes inline.
class FakeObjects final : public s3::ObjectStore {
 public:
  std::map<std::string, std::string> objects;  // "bucket/key" -> bytes

  void put_object(s3::PutObjectRequest, std::function<void(Result<s3::ObjectInfo>)> done) override {
    done(std::unexpected(Status::invalid_argument("read only")));
  }
  void head_bucket(const std::string&, std::function<void(Status)> done) override { done(Status::ok()); }
  void get_object(const std::string& bucket, const std::string& key,
                  std::function<void(Result<std::string>)> done) override {
    auto it = objects.find(bucket + "/" + key);
    if (it == objects.end()) {
      done(std::unexpected(Status::not_found("NoSuchKey")));
      return;
    }
    done(it->second);
  }
  void list_objects(const std::string&, const std::string&, const std::string&, int,
                    std::function<void(Result<s3::ListResult>)> done) override {
    done(s3::ListResult{});
  }
};

class DiscoveryTest : public AnalyticsFixture {
 protected:
  s3::ObjectStore* objects() override { return &objects_; }
  static std::string s3_request(std::string_view key) {
    return R"({"S3Configuration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b","FileKey":")" +
           std::string(key) + R"("}})";
  }
  FakeObjects objects_;
};

TEST_F(DiscoveryTest, FromAnS3ObjectLineByLine) {
  objects_.objects["b/data.json"] = "{\"a\":1,\"b\":\"xy\"}\n\n{\"a\":2,\"b\":\"xyz\"}\n";
  auto r = call("DiscoverInputSchema", s3_request("data.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(
      protocol::encode_json(*r),
      R"j({"InputSchema":{"RecordFormat":{"RecordFormatType":"JSON","MappingParameters":{"JSONMappingParameters":{"RecordRowPath":"$"}}},"RecordEncoding":"UTF-8","RecordColumns":[{"Name":"a","Mapping":"$.a","SqlType":"INTEGER"},{"Name":"b","Mapping":"$.b","SqlType":"VARCHAR(4)"}]},"ParsedInputRecords":[["1","xy"],["2","xyz"]],"ProcessedInputRecords":["{\"a\":1,\"b\":\"xy\"}","{\"a\":2,\"b\":\"xyz\"}"],"RawInputRecords":["{\"a\":1,\"b\":\"xy\"}","{\"a\":2,\"b\":\"xyz\"}"]})j");
}

TEST_F(DiscoveryTest, AnObjectWithNoSchemaCarriesItsRecordsInTheException) {
  objects_.objects["b/text"] = "just words\nmore words, and, commas\n";
  auto r = call("DiscoverInputSchema", s3_request("text"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "UnableToDetectSchemaException");
  ASSERT_TRUE(r.error().members);
  EXPECT_EQ(
      protocol::encode_json(*r.error().members),
      R"({"RawInputRecords":["just words","more words, and, commas"],"ProcessedInputRecords":["just words","more words, and, commas"]})");
}

TEST_F(DiscoveryTest, SourcesThatCannotBeRead) {
  EXPECT_EQ(error_type("DiscoverInputSchema", s3_request("missing")), "InvalidArgumentException");
  EXPECT_EQ(error_type("DiscoverInputSchema", "{}"), "InvalidArgumentException");
  // No Data Streams in this fixture: every stream is missing.
  EXPECT_EQ(
      json(
          "DiscoverInputSchema",
          R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","RoleARN":"arn:aws:iam::000000000000:role/r"})"),
      "InvalidArgumentException: Kinesis stream arn:aws:kinesis:us-east-1:000000000000:stream/s does not exist "
      "or is not accessible.");
  EXPECT_EQ(error_type("DiscoverInputSchema", R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"})"),
            "InvalidArgumentException");  // no RoleARN
  EXPECT_EQ(
      error_type(
          "DiscoverInputSchema",
          R"({"ResourceARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/f","RoleARN":"arn:aws:iam::000000000000:role/r"})"),
      "InvalidArgumentException");
  EXPECT_EQ(
      error_type(
          "DiscoverInputSchema",
          R"({"S3Configuration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:sqs:::b","FileKey":"k"}})"),
      "InvalidArgumentException");
}

}  // namespace
}  // namespace runnel::analytics
