#include "analytics/configuration.h"

#include <gtest/gtest.h>

#include "analytics/arns.h"

namespace runnel::analytics {
namespace {

api::SourceSchema json_schema() {
  api::SourceSchema s;
  s.record_format.record_format_type = "JSON";
  s.record_format.mapping_parameters.emplace().json_mapping_parameters.emplace().record_row_path = "$";
  s.record_columns.push_back({"A", std::string("$.a"), "VARCHAR(8)"});
  return s;
}

TEST(Configuration, InAppStreamNames) {
  EXPECT_EQ(in_app_stream_names("SOURCE_SQL_STREAM", 2),
            (std::vector<std::string>{"SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"}));
  EXPECT_EQ(in_app_stream_names("P", 64).back(), "P_064");
  EXPECT_EQ(item_id(3), "1.3");
}

TEST(Configuration, SchemaRules) {
  EXPECT_FALSE(check_schema(json_schema(), "InputSchema"));
  auto s = json_schema();
  s.record_columns.push_back({"A", std::string("$.b"), "INTEGER"});
  EXPECT_TRUE(check_schema(s, "InputSchema"));  // duplicate name
  s = json_schema();
  s.record_columns[0].sql_type = "STRING";
  EXPECT_TRUE(check_schema(s, "InputSchema"));
  for (const char* t : {"DECIMAL(5,2)", "timestamp", "CHAR(3)", "DOUBLE", "INTERVAL DAY TO SECOND", "BIGINT"}) {
    s.record_columns[0].sql_type = t;
    EXPECT_FALSE(check_schema(s, "InputSchema")) << t;
  }
  s = json_schema();
  s.record_format.mapping_parameters.reset();
  EXPECT_TRUE(check_schema(s, "InputSchema"));
  s = json_schema();
  s.record_format.record_format_type = "CSV";
  EXPECT_TRUE(check_schema(s, "InputSchema"));  // CSV needs its delimiters
}

TEST(Configuration, InputUpdateSwitchesTheSourceOnlyWithBothArns) {
  api::Input in;
  in.name_prefix = "S";
  in.kinesis_streams_input =
      api::KinesisStreamsInput{"arn:aws:kinesis:us-east-1:000000000000:stream/a", "arn:aws:iam::000000000000:role/r"};
  in.input_schema = json_schema();
  api::InputDescription d = describe_input(in, "1.1");
  api::InputUpdate u;
  u.input_id = "1.1";
  u.kinesis_firehose_input_update.emplace().resource_arn_update =
      "arn:aws:firehose:us-east-1:000000000000:deliverystream/f";
  auto copy = d;
  EXPECT_TRUE(apply_input_update(copy, u));
  u.kinesis_firehose_input_update->role_arn_update = "arn:aws:iam::000000000000:role/r";
  copy = d;
  EXPECT_FALSE(apply_input_update(copy, u));
  EXPECT_FALSE(copy.kinesis_streams_input_description);
  EXPECT_EQ(stream_of(copy).firehose_arn, "arn:aws:firehose:us-east-1:000000000000:deliverystream/f");
  // Changing only the role of the current source needs no ARN.
  api::InputUpdate role;
  role.input_id = "1.1";
  role.kinesis_streams_input_update.emplace().role_arn_update = "arn:aws:iam::000000000000:role/other";
  copy = d;
  EXPECT_FALSE(apply_input_update(copy, role));
  EXPECT_EQ(copy.kinesis_streams_input_description->resource_arn, in.kinesis_streams_input->resource_arn);
  EXPECT_EQ(copy.kinesis_streams_input_description->role_arn, "arn:aws:iam::000000000000:role/other");
}

TEST(Arns, ParseAndBuild) {
  EXPECT_EQ(application_arn("eu-west-1", "123456789012", "a"),
            "arn:aws:kinesisanalytics:eu-west-1:123456789012:application/a");
  auto a = parse_application_arn("arn:aws:kinesisanalytics:eu-west-1:123456789012:application/my.app-1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "my.app-1");
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_FALSE(parse_application_arn("arn:aws:kinesis:eu-west-1:123456789012:application/a"));
  EXPECT_FALSE(parse_application_arn("arn:aws:kinesisanalytics:eu-west-1:123456789012:application/"));
  EXPECT_FALSE(parse_application_arn("arn:aws:kinesisanalytics:eu-west-1:123456789012:application/a b"));
  EXPECT_EQ(resource_name("arn:aws:kinesis:us-east-1:1:stream/s", "kinesis", "stream"), "s");
  EXPECT_EQ(resource_name("arn:aws:firehose:us-east-1:1:deliverystream/f", "firehose", "deliverystream"), "f");
  EXPECT_FALSE(resource_name("arn:aws:firehose:us-east-1:1:deliverystream/f", "kinesis", "stream"));
  EXPECT_FALSE(resource_name("arn:aws:kinesis:us-east-1:1:stream/", "kinesis", "stream"));
  EXPECT_FALSE(resource_name("arn:aws:kinesis:us-east-1:1:streams/x", "kinesis", "stream"));
}

}  // namespace
}  // namespace runnel::analytics
