#include "s3/s3_client_response.h"

#include <gtest/gtest.h>

namespace runnel::s3 {
namespace {

using Code = Status::Code;

std::string error_xml(std::string_view code, std::string_view message) {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>)" + std::string(code) + "</Code><Message>" +
         std::string(message) + "</Message><RequestId>1</RequestId></Error>";
}

TEST(S3ClientError, ParsesCodeAndMessage) {
  auto e = parse_s3_client_error(error_xml("NoSuchKey", "The specified key does not exist."));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The specified key does not exist.");
  EXPECT_FALSE(parse_s3_client_error("<ListBucketResult/>"));
  EXPECT_FALSE(parse_s3_client_error("not xml"));
  EXPECT_FALSE(parse_s3_client_error(""));
}

TEST(S3ClientError, MapsCodesToStatus) {
  struct Case {
    long status;
    std::string body;
    Code want;
  };
  const Case cases[] = {
      {404, error_xml("NoSuchBucket", "The specified bucket does not exist"), Code::kNotFound},
      {404, error_xml("NoSuchKey", "The specified key does not exist."), Code::kNotFound},
      {404, "", Code::kNotFound},  // HEAD: no body
      {400, error_xml("InvalidBucketName", "The specified bucket is not valid."), Code::kInvalidArgument},
      {403, error_xml("AccessDenied", "Access Denied"), Code::kInvalidArgument},
      {403, error_xml("SignatureDoesNotMatch", "The request signature we calculated does not match"),
       Code::kInvalidArgument},
      {403, "", Code::kInvalidArgument},
      {503, error_xml("SlowDown", "Please reduce your request rate."), Code::kIoError},
      {500, error_xml("InternalError", "We encountered an internal error."), Code::kIoError},
      {502, "<html>bad gateway</html>", Code::kIoError},
      {400, error_xml("RequestTimeout", "Your socket connection to the server was not read from"), Code::kIoError},
      {429, "", Code::kIoError},
  };
  for (const Case& c : cases) {
    Status st = s3_client_error_status(c.status, c.body, "PutObject b/k");
    EXPECT_EQ(st.code(), c.want) << c.status << " " << c.body;
  }
}

TEST(S3ClientError, MessageNamesOperationCodeMessageAndStatus) {
  Status st = s3_client_error_status(403, error_xml("AccessDenied", "Access Denied"), "PutObject b/k");
  EXPECT_EQ(st.message(), "PutObject b/k: S3 AccessDenied: Access Denied (HTTP 403)");
  EXPECT_EQ(s3_client_error_status(403, "", "HeadBucket b").message(), "HeadBucket b: S3 AccessDenied (HTTP 403)");
  Status net = s3_client_network_status("Connection refused", "GetObject b/k");
  EXPECT_EQ(net.code(), Code::kIoError);
  EXPECT_EQ(net.message(), "GetObject b/k: no answer from S3: Connection refused");
}

TEST(S3ClientList, ParsesContentsAndPagesByTheLastKey) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bkt</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
  <NextContinuationToken>opaque</NextContinuationToken>
  <Contents><Key>p/a &amp; b</Key><LastModified>2026-12-07T06:00:00.123Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>p/c</Key><LastModified>2026-12-07T06:00:01.000Z</LastModified>
    <ETag>"def-2"</ETag><Size>12345678901</Size></Contents>
</ListBucketResult>)";
  auto r = parse_s3_client_list(xml);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].key, "p/a & b");
  EXPECT_EQ(r->objects[0].etag, "\"abc\"");
  EXPECT_EQ(r->objects[0].size, 5u);
  EXPECT_EQ(r->objects[0].last_modified_ms, 1796623200123);
  EXPECT_EQ(r->objects[1].size, 12345678901u);
  EXPECT_EQ(r->next, "p/c");
}

TEST(S3ClientList, NoNextWhenNotTruncated) {
  auto r = parse_s3_client_list("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->objects.empty());
  EXPECT_FALSE(r->next);
}

TEST(S3ClientList, RefusesUnreadableAnswersAsRetryable) {
  for (std::string_view bad :
       {"<html/>", "<ListBucketResult",
        "<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents>"
        "</ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>1</Size><LastModified>yesterday</LastModified></Contents>"
        "</ListBucketResult>"}) {
    auto r = parse_s3_client_list(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), Code::kIoError);
  }
}

TEST(S3ClientMultipart, ReadsUploadIdAndCompleteEtag) {
  auto id = parse_s3_client_upload_id(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>xyz</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "xyz");
  EXPECT_FALSE(parse_s3_client_upload_id("<InitiateMultipartUploadResult/>"));

  auto etag = parse_s3_client_complete(
      "<CompleteMultipartUploadResult><Key>k</Key><ETag>\"e-3\"</ETag></CompleteMultipartUploadResult>", "C");
  ASSERT_TRUE(etag);
  EXPECT_EQ(*etag, "\"e-3\"");
}

TEST(S3ClientMultipart, CompleteAnswering200WithAnErrorIsAnError) {
  auto r = parse_s3_client_complete(error_xml("InternalError", "We encountered an internal error."), "C b/k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Code::kIoError);
  EXPECT_EQ(r.error().message(), "C b/k: S3 InternalError: We encountered an internal error. (HTTP 200)");
  auto bad = parse_s3_client_complete(
      error_xml("InvalidPart", "One or more of the specified parts could not be found."), "C b/k");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace runnel::s3
