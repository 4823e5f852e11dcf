#include "firehose/validation.h"

#include <gtest/gtest.h>

#include "firehose/destination_config.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

constexpr std::string_view kRole = "arn:aws:iam::000000000000:role/r";
constexpr std::string_view kBucket = "arn:aws:s3:::b";

// The stored destination of a create-time configuration given as JSON.
api::DestinationDescription destination(DestinationType type, std::string_view json) {
  auto v = protocol::decode_json(json);
  EXPECT_TRUE(v.has_value()) << json;
  Secrets secrets;
  auto d = make_destination(type, "destinationId-000000000001", describe_configuration(type, std::move(*v), secrets));
  EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().message);
  return d ? *d : api::DestinationDescription{};
}

std::string s3(std::string_view extra = "") {
  return "{\"RoleARN\":\"" + std::string(kRole) + "\",\"BucketARN\":\"" + std::string(kBucket) + "\"" +
         std::string(extra) + "}";
}

void expect_invalid(DestinationType type, const std::string& json, std::string_view words) {
  auto e = validate_destination(destination(type, json));
  ASSERT_TRUE(e.has_value()) << json;
  EXPECT_EQ(e->type, "InvalidArgumentException");
  EXPECT_NE(e->message.find(words), std::string::npos) << e->message;
}

TEST(DefaultsTest, ExtendedS3AsAwsDescribesIt) {
  auto d = destination(DestinationType::kExtendedS3, s3());
  ASSERT_TRUE(d.extended_s3_destination_description);
  const auto& e = *d.extended_s3_destination_description;
  EXPECT_EQ(e.buffering_hints.size_in_m_bs, 5);
  EXPECT_EQ(e.buffering_hints.interval_in_seconds, 300);
  EXPECT_EQ(e.compression_format, "UNCOMPRESSED");
  EXPECT_EQ(e.encryption_configuration.no_encryption_config, "NoEncryption");
  EXPECT_EQ(e.cloud_watch_logging_options->enabled, false);
  EXPECT_EQ(e.s3_backup_mode, "Disabled");
  EXPECT_FALSE(validate_destination(d));
}

TEST(DefaultsTest, LegacyS3IsDescribedBothWays) {
  auto d = destination(DestinationType::kS3, s3());
  ASSERT_TRUE(d.s3_destination_description);
  ASSERT_TRUE(d.extended_s3_destination_description);
  EXPECT_EQ(d.extended_s3_destination_description->s3_backup_mode, "Disabled");
  EXPECT_EQ(type_of(d), DestinationType::kExtendedS3);
}

TEST(DefaultsTest, FormatConversionBuffers128) {
  auto d = destination(
      DestinationType::kExtendedS3,
      s3(R"(,"DataFormatConversionConfiguration":{"SchemaConfiguration":{"DatabaseName":"d","TableName":"t"},
        "InputFormatConfiguration":{"Deserializer":{"OpenXJsonSerDe":{}}},
        "OutputFormatConfiguration":{"Serializer":{"ParquetSerDe":{}}}})"));
  EXPECT_EQ(d.extended_s3_destination_description->buffering_hints.size_in_m_bs, 128);
  EXPECT_FALSE(validate_destination(d));
}

TEST(DefaultsTest, HttpEndpointKeepsItsAccessKeyAside) {
  auto v = protocol::decode_json(R"({"EndpointConfiguration":{"Url":"https://h.example/x","AccessKey":"sekrit"},
      "S3Configuration":)" + s3() +
                                 "}");
  Secrets secrets;
  auto desc = describe_configuration(DestinationType::kHttpEndpoint, std::move(*v), secrets);
  EXPECT_EQ(secrets.http_access_key, "sekrit");
  EXPECT_EQ(protocol::encode_json(desc).find("sekrit"), std::string::npos);
  auto d = make_destination(DestinationType::kHttpEndpoint, "id", std::move(desc));
  ASSERT_TRUE(d);
  const auto& h = *d->http_endpoint_destination_description;
  EXPECT_EQ(h.s3_backup_mode, "FailedDataOnly");
  EXPECT_EQ(h.retry_options->duration_in_seconds, 300);
  EXPECT_EQ(h.request_configuration->content_encoding, "NONE");
  EXPECT_FALSE(validate_destination(*d));
}

TEST(ValidationTest, S3Rules) {
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"BufferingHints":{"SizeInMBs":129})"), "SizeInMBs");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"BufferingHints":{"IntervalInSeconds":901})"),
                 "IntervalInSeconds");
  expect_invalid(DestinationType::kExtendedS3, R"({"RoleARN":"nope","BucketARN":"arn:aws:s3:::b"})", "RoleARN");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"FileExtension":"gz")"), "FileExtension");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"FileExtension":".GZ")"), "FileExtension");
  EXPECT_FALSE(validate_destination(destination(DestinationType::kExtendedS3, s3(R"(,"FileExtension":".json.gz")"))));
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"CustomTimeZone":"Europe/Atlantis")"), "CustomTimeZone");
  EXPECT_FALSE(
      validate_destination(destination(DestinationType::kExtendedS3, s3(R"(,"CustomTimeZone":"Europe/Paris")"))));
  expect_invalid(
      DestinationType::kExtendedS3,
      s3(R"(,"EncryptionConfiguration":{"NoEncryptionConfig":"NoEncryption","KMSEncryptionConfig":{"AWSKMSKeyARN":"arn:aws:kms:us-east-1:1:key/k"}})"),
      "exactly one");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"CloudWatchLoggingOptions":{"Enabled":true})"), "LogGroupName");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"S3BackupMode":"Enabled")"), "S3BackupConfiguration");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"Prefix":"!{timestamp:yyyy}/")"), "ErrorOutputPrefix");
}

TEST(ValidationTest, FormatConversionRules) {
  std::string conversion = R"(,"DataFormatConversionConfiguration":{"SchemaConfiguration":{"DatabaseName":"d"},
      "InputFormatConfiguration":{"Deserializer":{"OpenXJsonSerDe":{}}},
      "OutputFormatConfiguration":{"Serializer":{"OrcSerDe":{}}}})";
  expect_invalid(DestinationType::kExtendedS3, s3(conversion + R"(,"CompressionFormat":"GZIP")"), "UNCOMPRESSED");
  expect_invalid(DestinationType::kExtendedS3, s3(conversion + R"(,"BufferingHints":{"SizeInMBs":32})"), "64");
  expect_invalid(DestinationType::kExtendedS3, s3(R"(,"DataFormatConversionConfiguration":{"Enabled":true})"),
                 "SchemaConfiguration");
}

TEST(ValidationTest, DynamicPartitioningRules) {
  std::string dp = R"(,"DynamicPartitioningConfiguration":{"Enabled":true},
      "ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"MetadataExtraction","Parameters":[
        {"ParameterName":"MetadataExtractionQuery","ParameterValue":"{c:.c}"},
        {"ParameterName":"JsonParsingEngine","ParameterValue":"JQ-1.6"}]}]})";
  auto ok = destination(
      DestinationType::kExtendedS3,
      s3(dp + R"(,"Prefix":"c=!{partitionKeyFromQuery:c}/","ErrorOutputPrefix":"e/!{firehose:error-output-type}/")"));
  auto ok_error = validate_destination(ok);
  EXPECT_FALSE(ok_error) << ok_error->message;
  EXPECT_EQ(ok.extended_s3_destination_description->buffering_hints.size_in_m_bs, 128);
  EXPECT_EQ(
      ok.extended_s3_destination_description->dynamic_partitioning_configuration->retry_options->duration_in_seconds,
      300);
  expect_invalid(DestinationType::kExtendedS3, s3(dp + R"(,"Prefix":"c=!{partitionKeyFromQuery:c}/")"),
                 "ErrorOutputPrefix");
  expect_invalid(
      DestinationType::kExtendedS3,
      s3(dp +
         R"(,"Prefix":"c=!{partitionKeyFromQuery:c}/","ErrorOutputPrefix":"e/","BufferingHints":{"SizeInMBs":10})"),
      "64");
  expect_invalid(
      DestinationType::kExtendedS3,
      s3(R"(,"DynamicPartitioningConfiguration":{"Enabled":true,"RetryOptions":{"DurationInSeconds":7201}},"Prefix":"!{partitionKeyFromLambda:k}/","ErrorOutputPrefix":"e/","ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"Lambda","Parameters":[{"ParameterName":"LambdaArn","ParameterValue":"arn:aws:lambda:us-east-1:1:function:f"}]}]})"),
      "7200");
}

std::string with_processor(std::string_view type, std::string_view params) {
  return s3(R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":")" + std::string(type) +
            R"(","Parameters":[)" + std::string(params) + "]}]}");
}
std::string param(std::string_view name, std::string_view value) {
  return R"({"ParameterName":")" + std::string(name) + R"(","ParameterValue":")" + std::string(value) + "\"}";
}

TEST(ValidationTest, ProcessorRules) {
  const std::string lambda = param("LambdaArn", "arn:aws:lambda:us-east-1:000000000000:function:f");
  EXPECT_FALSE(validate_destination(destination(DestinationType::kExtendedS3, with_processor("Lambda", lambda))));
  expect_invalid(DestinationType::kExtendedS3, with_processor("Lambda", ""), "LambdaArn is required");
  expect_invalid(DestinationType::kExtendedS3, with_processor("Lambda", param("LambdaArn", "f")),
                 "Lambda function ARN");
  expect_invalid(DestinationType::kExtendedS3, with_processor("Lambda", lambda + "," + param("NumberOfRetries", "11")),
                 "0 to 10");
  expect_invalid(DestinationType::kExtendedS3, with_processor("Lambda", lambda + "," + param("BufferSizeInMBs", "4")),
                 "0.2 to 3");
  expect_invalid(DestinationType::kExtendedS3,
                 with_processor("Lambda", lambda + "," + param("BufferIntervalInSeconds", "30")), "60 to 900");
  expect_invalid(DestinationType::kExtendedS3,
                 with_processor("Lambda", lambda + "," + param("JsonParsingEngine", "JQ-1.6")),
                 "not supported for processor type Lambda");
  expect_invalid(DestinationType::kExtendedS3,
                 with_processor("MetadataExtraction", param("MetadataExtractionQuery", "{a:.a}") + "," +
                                                          param("JsonParsingEngine", "JQ-1.5")),
                 "JQ-1.6");
  expect_invalid(DestinationType::kExtendedS3, with_processor("RecordDeAggregation", param("SubRecordType", "XML")),
                 "JSON or DELIMITED");
  expect_invalid(DestinationType::kExtendedS3,
                 with_processor("RecordDeAggregation", param("SubRecordType", "DELIMITED")), "Delimiter");
  expect_invalid(DestinationType::kExtendedS3, with_processor("Decompression", param("CompressionFormat", "ZIP")),
                 "GZIP");
  expect_invalid(DestinationType::kExtendedS3,
                 with_processor("MetadataExtraction", param("MetadataExtractionQuery", "{a:.a}") + "," +
                                                          param("JsonParsingEngine", "JQ-1.6")),
                 "dynamic partitioning");
}

TEST(ValidationTest, RedshiftRules) {
  std::string base = R"({"RoleARN":"arn:aws:iam::1:role/r","ClusterJDBCURL":"jdbc:redshift://c:5439/db",
      "CopyCommand":{"DataTableName":"t"},"Username":"u","Password":"p","S3Configuration":)";
  EXPECT_FALSE(validate_destination(destination(DestinationType::kRedshift, base + s3() + "}")));
  expect_invalid(DestinationType::kRedshift, base + s3(R"(,"CompressionFormat":"ZIP")") + "}", "ZIP");
  expect_invalid(DestinationType::kRedshift, base + s3(R"(,"CompressionFormat":"Snappy")") + "}", "Snappy");
  expect_invalid(DestinationType::kRedshift, base + s3(R"(,"ErrorOutputPrefix":"e/")") + "}", "ErrorOutputPrefix");
  expect_invalid(DestinationType::kRedshift, base + s3() + R"(,"RetryOptions":{"DurationInSeconds":9000}})", "7200");
}

TEST(ValidationTest, OtherDestinations) {
  expect_invalid(DestinationType::kHttpEndpoint,
                 R"({"EndpointConfiguration":{"Url":"ftp://x"},"S3Configuration":)" + s3() + "}", "Url");
  EXPECT_FALSE(validate_destination(
      destination(DestinationType::kHttpEndpoint,
                  R"({"EndpointConfiguration":{"Url":"http://127.0.0.1:8080/"},"S3Configuration":)" + s3() + "}")));
  expect_invalid(DestinationType::kOpenSearch,
                 R"({"RoleARN":"arn:aws:iam::1:role/r","IndexName":"i","S3Configuration":)" + s3() + "}", "DomainARN");
  expect_invalid(DestinationType::kSplunk,
                 R"({"HECEndpoint":"https://s","HECEndpointType":"Raw","S3Configuration":)" + s3() + "}", "HECToken");
}

TEST(ValidationTest, UpdateRules) {
  auto plain = destination(DestinationType::kExtendedS3, s3());
  auto backup =
      destination(DestinationType::kExtendedS3, s3(R"(,"S3BackupMode":"Enabled","S3BackupConfiguration":)" + s3()));
  auto os = destination(
      DestinationType::kOpenSearch,
      R"({"RoleARN":"arn:aws:iam::1:role/r","DomainARN":"arn:aws:es:us-east-1:1:domain/d","IndexName":"i","S3Configuration":)" +
          s3() + "}");
  EXPECT_FALSE(check_update(plain, backup));
  ASSERT_TRUE(check_update(backup, plain));
  EXPECT_EQ(check_update(backup, plain)->type, "InvalidArgumentException");
  ASSERT_TRUE(check_update(plain, os));
  ASSERT_TRUE(check_update(os, plain));
}

TEST(ValidationTest, EncryptionInput) {
  api::DeliveryStreamEncryptionConfigurationInput in;
  in.key_type = "AWS_OWNED_CMK";
  EXPECT_FALSE(check_encryption_input(in));
  in.key_arn = "arn:aws:kms:us-east-1:000000000000:key/abc";
  EXPECT_TRUE(check_encryption_input(in));  // no KeyARN with AWS_OWNED_CMK
  in.key_type = "CUSTOMER_MANAGED_CMK";
  EXPECT_FALSE(check_encryption_input(in));
  in.key_arn.reset();
  EXPECT_TRUE(check_encryption_input(in));
  in.key_arn = "alias/aws/firehose";
  EXPECT_TRUE(check_encryption_input(in));
}

}  // namespace
}  // namespace runnel::firehose
