// The Applications behind AnalyticsService, called through the service's
// operation table (inputs go through the model's validator as the
// dispatcher's would): the status machine, versions, KDA's rules, the
// merges of UpdateApplication, tags, and what survives a restart.
#include "analytics/applications.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analytics/analytics_test_support.h"

namespace runnel::analytics {
namespace {

using protocol::Value;

std::string str(const Value& v, std::initializer_list<std::string_view> path) {
  const Value* cur = &v;
  for (std::string_view key : path) {
    if (cur->is_array()) {
      size_t i = std::stoul(std::string(key));
      if (i >= cur->as_array().size()) return "<absent>";
      cur = &cur->as_array()[i];
      continue;
    }
    if (!cur->is_object()) return "<absent>";
    cur = cur->find(key);
    if (!cur) return "<absent>";
  }
  if (cur->is_string()) return cur->as_string();
  return protocol::encode_json(*cur);
}

class ApplicationsTest : public AnalyticsFixture {
 protected:
  void create(std::string_view name, std::string_view extra = "") {
    ok("CreateApplication", R"({"ApplicationName":")" + std::string(name) + "\"" + std::string(extra) + "}");
  }
  std::string versioned(std::string_view name, std::string_view rest) {
    return R"({"ApplicationName":")" + std::string(name) + R"(","CurrentApplicationVersionId":)" +
           std::to_string(version(name)) + std::string(rest) + "}";
  }
  void start(std::string_view name) {
    ok("StartApplication",
       R"({"ApplicationName":")" + std::string(name) +
           R"(","InputConfigurations":[{"Id":"1.1","InputStartingPositionConfiguration":{"InputStartingPosition":"TRIM_HORIZON"}}]})");
  }
};

TEST_F(ApplicationsTest, EveryOperationHasAHandler) { EXPECT_TRUE(table_->unhandled().empty()); }

TEST_F(ApplicationsTest, CreateDescribesTheApplicationAsKdaDid) {
  ok("CreateApplication",
     R"({"ApplicationName":"app","ApplicationDescription":"d","ApplicationCode":"CREATE STREAM \"S\" (a INTEGER);",
      "Inputs":[)" +
         kinesis_input("in", "SOURCE_SQL_STREAM", 3) + R"(],"Outputs":[)" + kinesis_output() + R"(],
      "CloudWatchLoggingOptions":[{"LogStreamARN":"arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s","RoleARN":"arn:aws:iam::000000000000:role/r"}]})");
  Value d = detail("app");
  EXPECT_EQ(str(d, {"ApplicationARN"}), "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app");
  EXPECT_EQ(str(d, {"ApplicationStatus"}), "READY");
  EXPECT_EQ(str(d, {"ApplicationVersionId"}), "1");
  EXPECT_EQ(str(d, {"ApplicationCode"}), "CREATE STREAM \"S\" (a INTEGER);");
  EXPECT_EQ(str(d, {"ApplicationDescription"}), "d");
  EXPECT_EQ(d.find("CreateTimestamp")->as_timestamp().millis, clock_ms_);
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputId"}), "1.1");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InAppStreamNames"}),
            R"(["SOURCE_SQL_STREAM_001","SOURCE_SQL_STREAM_002","SOURCE_SQL_STREAM_003"])");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputParallelism", "Count"}), "3");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "KinesisStreamsInputDescription", "ResourceARN"}),
            "arn:aws:kinesis:us-east-1:000000000000:stream/in");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputSchema", "RecordColumns", "1", "SqlType"}), "REAL");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputStartingPositionConfiguration"}), "<absent>");
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "OutputId"}), "1.1");
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "Name"}), "DESTINATION_SQL_STREAM");
  EXPECT_EQ(str(d, {"CloudWatchLoggingOptionDescriptions", "0", "CloudWatchLoggingOptionId"}), "1.1");
  EXPECT_EQ(str(d, {"ReferenceDataSourceDescriptions"}), "[]");

  EXPECT_EQ(json("CreateApplication", R"({"ApplicationName":"app"})"),
            "ResourceInUseException: Application app already exists.");
  EXPECT_EQ(json("DescribeApplication", R"({"ApplicationName":"nope"})"),
            "ResourceNotFoundException: Application nope is not found.");
}

TEST_F(ApplicationsTest, CreateRefusesWhatKdaRefused) {
  EXPECT_EQ(error_type("CreateApplication",
                       R"({"ApplicationName":"a","Inputs":[)" + kinesis_input() + "," + kinesis_input() + "]}"),
            "InvalidArgumentException");
  EXPECT_EQ(error_type("CreateApplication", R"({"ApplicationName":"a","Outputs":[)" + kinesis_output("A") + "," +
                                                kinesis_output("B") + "," + kinesis_output("C") + "," +
                                                kinesis_output("D") + "]}"),
            "InvalidArgumentException");
  // The input's stream must exist.
  EXPECT_EQ(json("CreateApplication", R"({"ApplicationName":"a","Inputs":[)" + kinesis_input("missing") + "]}"),
            "InvalidArgumentException: Kinesis stream arn:aws:kinesis:us-east-1:000000000000:stream/missing does not "
            "exist or is not accessible.");
  // InputParallelism is 1..64 (the model's range).
  EXPECT_EQ(
      error_type("CreateApplication", R"({"ApplicationName":"a","Inputs":[)" + kinesis_input("in", "S", 65) + "]}"),
      "ValidationException");
  // A JSON column needs a Mapping.
  std::string no_mapping = kinesis_input();
  no_mapping.replace(no_mapping.find(R"("Mapping":"$.ticker",)"), std::string(R"("Mapping":"$.ticker",)").size(), "");
  EXPECT_EQ(error_type("CreateApplication", R"({"ApplicationName":"a","Inputs":[)" + no_mapping + "]}"),
            "InvalidArgumentException");
  // Both a Kinesis and a Firehose source.
  std::string two = kinesis_input();
  two.insert(
      1,
      R"("KinesisFirehoseInput":{"ResourceARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/fh","RoleARN":"arn:aws:iam::000000000000:role/r"},)");
  EXPECT_EQ(error_type("CreateApplication", R"({"ApplicationName":"a","Inputs":[)" + two + "]}"),
            "InvalidArgumentException");
  // 51 tags.
  std::string tags;
  for (int i = 0; i < 51; ++i) tags += (i ? "," : "") + (R"({"Key":"k)" + std::to_string(i) + R"(","Value":"v"})");
  EXPECT_EQ(error_type("CreateApplication", R"({"ApplicationName":"a","Tags":[)" + tags + "]}"),
            "TooManyTagsException");
  EXPECT_EQ(error_type("DescribeApplication", R"({"ApplicationName":"a"})"), "ResourceNotFoundException");
}

TEST_F(ApplicationsTest, ListIsAlphabeticalAndPages) {
  for (std::string_view n : {"c", "a", "e", "b", "d"}) create(n);
  EXPECT_EQ(
      json("ListApplications", R"({"Limit":2})"),
      R"({"ApplicationSummaries":[{"ApplicationName":"a","ApplicationARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/a","ApplicationStatus":"READY"},{"ApplicationName":"b","ApplicationARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/b","ApplicationStatus":"READY"}],"HasMoreApplications":true})");
  auto page = call("ListApplications", R"({"Limit":2,"ExclusiveStartApplicationName":"d"})");
  ASSERT_TRUE(page);
  EXPECT_EQ(str(*page, {"ApplicationSummaries", "0", "ApplicationName"}), "e");
  EXPECT_EQ(str(*page, {"HasMoreApplications"}), "false");
  auto all = call("ListApplications", "{}");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->find("ApplicationSummaries")->as_array().size(), 5u);
}

TEST_F(ApplicationsTest, StartAndStopPassThroughTransientStatuses) {
  create("app", R"(,"Inputs":[)" + kinesis_input() + "]");
  EXPECT_EQ(json("StopApplication", R"({"ApplicationName":"app"})"),
            "ResourceInUseException: Application app is in READY status: an application can be stopped in RUNNING "
            "status only.");
  EXPECT_EQ(
      error_type(
          "StartApplication",
          R"({"ApplicationName":"app","InputConfigurations":[{"Id":"9.9","InputStartingPositionConfiguration":{"InputStartingPosition":"NOW"}}]})"),
      "InvalidArgumentException");
  start("app");
  EXPECT_EQ(status("app"), "STARTING");
  EXPECT_EQ(
      str(detail("app"), {"InputDescriptions", "0", "InputStartingPositionConfiguration", "InputStartingPosition"}),
      "TRIM_HORIZON");
  EXPECT_EQ(error_type("StartApplication", R"({"ApplicationName":"app","InputConfigurations":[]})"),
            "ResourceInUseException");
  // Nothing changes an application while it starts.
  EXPECT_EQ(json("UpdateApplication", versioned("app", R"(,"ApplicationUpdate":{"ApplicationCodeUpdate":"-- x"})")),
            "ResourceInUseException: Application app is in STARTING status: its configuration can be changed in "
            "READY or RUNNING status.");
  EXPECT_EQ(error_type("DeleteApplication", R"({"ApplicationName":"app","CreateTimestamp":1700000000})"),
            "ResourceInUseException");
  clock_ms_ += 999;
  EXPECT_EQ(status("app"), "STARTING");
  clock_ms_ += 1;
  EXPECT_EQ(status("app"), "RUNNING");
  EXPECT_EQ(version("app"), 1);  // starting is not a configuration change
  ok("StopApplication", R"({"ApplicationName":"app"})");
  EXPECT_EQ(status("app"), "STOPPING");
  clock_ms_ += 1000;
  EXPECT_EQ(status("app"), "READY");
}

TEST_F(ApplicationsTest, StartNeedsAnInput) {
  create("app");
  EXPECT_EQ(error_type("StartApplication", R"({"ApplicationName":"app","InputConfigurations":[]})"),
            "InvalidApplicationConfigurationException");
}

TEST_F(ApplicationsTest, VersionsCountChangesAndStaleOnesAreRefused) {
  create("app");
  EXPECT_EQ(version("app"), 1);
  ok("AddApplicationOutput", versioned("app", R"(,"Output":)" + kinesis_output()));
  EXPECT_EQ(version("app"), 2);
  EXPECT_EQ(json("AddApplicationOutput",
                 R"({"ApplicationName":"app","CurrentApplicationVersionId":1,"Output":)" + kinesis_output("X") + "}"),
            "ConcurrentModificationException: Application app: the provided CurrentApplicationVersionId 1 does not "
            "match the current version 2. Call DescribeApplication for the current version.");
  EXPECT_EQ(
      error_type("AddApplicationOutput",
                 R"({"ApplicationName":"nope","CurrentApplicationVersionId":1,"Output":)" + kinesis_output() + "}"),
      "ResourceNotFoundException");
  EXPECT_EQ(version("app"), 2);
}

TEST_F(ApplicationsTest, AddAndDeleteEveryKindOfItem) {
  create("app");
  ok("AddApplicationInput", versioned("app", R"(,"Input":)" + kinesis_input()));
  EXPECT_EQ(error_type("AddApplicationInput", versioned("app", R"(,"Input":)" + kinesis_input())),
            "InvalidArgumentException");  // one input only
  ok("AddApplicationInputProcessingConfiguration",
     versioned(
         "app",
         R"(,"InputId":"1.1","InputProcessingConfiguration":{"InputLambdaProcessor":{"ResourceARN":"arn:aws:lambda:us-east-1:000000000000:function:f","RoleARN":"arn:aws:iam::000000000000:role/r"}})"));
  EXPECT_EQ(str(detail("app"), {"InputDescriptions", "0", "InputProcessingConfigurationDescription",
                                "InputLambdaProcessorDescription", "ResourceARN"}),
            "arn:aws:lambda:us-east-1:000000000000:function:f");
  ok("DeleteApplicationInputProcessingConfiguration", versioned("app", R"(,"InputId":"1.1")"));
  EXPECT_EQ(str(detail("app"), {"InputDescriptions", "0", "InputProcessingConfigurationDescription"}), "<absent>");
  EXPECT_EQ(error_type("DeleteApplicationInputProcessingConfiguration", versioned("app", R"(,"InputId":"2.1")")),
            "InvalidArgumentException");

  for (std::string_view n : {"A", "B", "C"})
    ok("AddApplicationOutput", versioned("app", R"(,"Output":)" + kinesis_output(n)));
  EXPECT_EQ(error_type("AddApplicationOutput", versioned("app", R"(,"Output":)" + kinesis_output("D"))),
            "InvalidArgumentException");  // three at most
  ok("DeleteApplicationOutput", versioned("app", R"(,"OutputId":"1.2")"));
  ok("AddApplicationOutput", versioned("app", R"(,"Output":)" + kinesis_output("D", "out")));
  Value d = detail("app");
  EXPECT_EQ(str(d, {"OutputDescriptions", "2", "OutputId"}), "1.4");  // ids are never reused
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "Name"}), "A");
  EXPECT_EQ(str(d, {"OutputDescriptions", "1", "Name"}), "C");
  EXPECT_EQ(
      error_type(
          "AddApplicationOutput",
          versioned(
              "app",
              R"(,"Output":{"Name":"E","KinesisFirehoseOutput":{"ResourceARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/nope","RoleARN":"arn:aws:iam::000000000000:role/r"},"DestinationSchema":{"RecordFormatType":"CSV"}})")),
      "InvalidArgumentException");

  const std::string ref =
      R"({"TableName":"REF","S3ReferenceDataSource":{"BucketARN":"arn:aws:s3:::b","FileKey":"k.csv","ReferenceRoleARN":"arn:aws:iam::000000000000:role/r"},"ReferenceSchema":{"RecordFormat":{"RecordFormatType":"CSV","MappingParameters":{"CSVMappingParameters":{"RecordRowDelimiter":"\n","RecordColumnDelimiter":","}}},"RecordColumns":[{"Name":"A","SqlType":"INTEGER"}]}})";
  ok("AddApplicationReferenceDataSource", versioned("app", R"(,"ReferenceDataSource":)" + ref));
  EXPECT_EQ(str(detail("app"), {"ReferenceDataSourceDescriptions", "0", "ReferenceId"}), "1.1");
  EXPECT_EQ(str(detail("app"), {"ReferenceDataSourceDescriptions", "0", "S3ReferenceDataSourceDescription", "FileKey"}),
            "k.csv");
  ok("DeleteApplicationReferenceDataSource", versioned("app", R"(,"ReferenceId":"1.1")"));
  EXPECT_EQ(str(detail("app"), {"ReferenceDataSourceDescriptions"}), "[]");

  ok("AddApplicationCloudWatchLoggingOption",
     versioned(
         "app",
         R"(,"CloudWatchLoggingOption":{"LogStreamARN":"arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s","RoleARN":"arn:aws:iam::000000000000:role/r"})"));
  ok("DeleteApplicationCloudWatchLoggingOption", versioned("app", R"(,"CloudWatchLoggingOptionId":"1.1")"));
  EXPECT_EQ(
      error_type("DeleteApplicationCloudWatchLoggingOption", versioned("app", R"(,"CloudWatchLoggingOptionId":"1.1")")),
      "InvalidArgumentException");
  EXPECT_EQ(version("app"), 13);
}

TEST_F(ApplicationsTest, UpdateMergesEachUpdateIntoItsItem) {
  create(
      "app",
      R"(,"ApplicationCode":"-- old","Inputs":[)" + kinesis_input() + R"(],"Outputs":[)" + kinesis_output() +
          R"(],"CloudWatchLoggingOptions":[{"LogStreamARN":"arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s","RoleARN":"arn:aws:iam::000000000000:role/r"}])");
  ok("UpdateApplication", versioned("app", R"(,"ApplicationUpdate":{
      "ApplicationCodeUpdate":"-- new",
      "InputUpdates":[{"InputId":"1.1","NamePrefixUpdate":"P","InputParallelismUpdate":{"CountUpdate":2},
        "KinesisFirehoseInputUpdate":{"ResourceARNUpdate":"arn:aws:firehose:us-east-1:000000000000:deliverystream/fh","RoleARNUpdate":"arn:aws:iam::000000000000:role/r2"},
        "InputSchemaUpdate":{"RecordColumnUpdates":[{"Name":"X","Mapping":"$.x","SqlType":"INTEGER"}]}}],
      "OutputUpdates":[{"OutputId":"1.1","NameUpdate":"OUT2","DestinationSchemaUpdate":{"RecordFormatType":"CSV"}}],
      "CloudWatchLoggingOptionUpdates":[{"CloudWatchLoggingOptionId":"1.1","RoleARNUpdate":"arn:aws:iam::000000000000:role/r3"}]})"));
  Value d = detail("app");
  EXPECT_EQ(str(d, {"ApplicationVersionId"}), "2");
  EXPECT_EQ(str(d, {"ApplicationCode"}), "-- new");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InAppStreamNames"}), R"(["P_001","P_002"])");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "KinesisStreamsInputDescription"}), "<absent>");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "KinesisFirehoseInputDescription", "RoleARN"}),
            "arn:aws:iam::000000000000:role/r2");
  // The format stays, the columns are replaced.
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputSchema", "RecordFormat", "RecordFormatType"}), "JSON");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputSchema", "RecordColumns"}),
            R"([{"Name":"X","Mapping":"$.x","SqlType":"INTEGER"}])");
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "Name"}), "OUT2");
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "KinesisStreamsOutputDescription", "ResourceARN"}),
            "arn:aws:kinesis:us-east-1:000000000000:stream/out");
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "DestinationSchema", "RecordFormatType"}), "CSV");
  EXPECT_EQ(str(d, {"CloudWatchLoggingOptionDescriptions", "0", "RoleARN"}), "arn:aws:iam::000000000000:role/r3");
  EXPECT_EQ(str(d, {"CloudWatchLoggingOptionDescriptions", "0", "LogStreamARN"}),
            "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s");

  // An unknown id, a switch to a missing stream, an empty update: refused,
  // and nothing of the refused update is kept.
  EXPECT_EQ(
      json(
          "UpdateApplication",
          versioned(
              "app",
              R"(,"ApplicationUpdate":{"ApplicationCodeUpdate":"-- x","OutputUpdates":[{"OutputId":"7.7","NameUpdate":"Y"}]})")),
      "InvalidArgumentException: Application app has no output with id 7.7.");
  EXPECT_EQ(
      error_type(
          "UpdateApplication",
          versioned(
              "app",
              R"(,"ApplicationUpdate":{"InputUpdates":[{"InputId":"1.1","KinesisStreamsInputUpdate":{"ResourceARNUpdate":"arn:aws:kinesis:us-east-1:000000000000:stream/nope","RoleARNUpdate":"arn:aws:iam::000000000000:role/r"}}]})")),
      "InvalidArgumentException");
  EXPECT_EQ(error_type("UpdateApplication", versioned("app", R"(,"ApplicationUpdate":{})")),
            "InvalidArgumentException");
  EXPECT_EQ(str(detail("app"), {"ApplicationCode"}), "-- new");
  EXPECT_EQ(version("app"), 2);
}

TEST_F(ApplicationsTest, ARunningApplicationUpdatesThroughUpdating) {
  create("app", R"(,"Inputs":[)" + kinesis_input() + "]");
  start("app");
  clock_ms_ += 1000;
  ok("UpdateApplication", versioned("app", R"(,"ApplicationUpdate":{"ApplicationCodeUpdate":"-- x"})"));
  EXPECT_EQ(status("app"), "UPDATING");
  EXPECT_EQ(
      error_type("UpdateApplication", versioned("app", R"(,"ApplicationUpdate":{"ApplicationCodeUpdate":"-- y"})")),
      "ResourceInUseException");
  clock_ms_ += 1000;
  EXPECT_EQ(status("app"), "RUNNING");
}

TEST_F(ApplicationsTest, DeleteNeedsTheCreateTimestampAndPassesThroughDeleting) {
  create("app");
  EXPECT_EQ(error_type("DeleteApplication", R"({"ApplicationName":"app","CreateTimestamp":1})"),
            "ResourceNotFoundException");
  // Whole seconds match (botocore sends them so).
  ok("DeleteApplication", R"({"ApplicationName":"app","CreateTimestamp":1700000000})");
  EXPECT_EQ(status("app"), "DELETING");
  EXPECT_EQ(error_type("CreateApplication", R"({"ApplicationName":"app"})"), "ResourceInUseException");
  clock_ms_ += 1000;
  EXPECT_EQ(error_type("DescribeApplication", R"({"ApplicationName":"app"})"), "ResourceNotFoundException");
  EXPECT_EQ(json("ListApplications", "{}"), R"({"ApplicationSummaries":[],"HasMoreApplications":false})");
  reopen();
  EXPECT_EQ(error_type("DescribeApplication", R"({"ApplicationName":"app"})"), "ResourceNotFoundException");
  create("app");
}

TEST_F(ApplicationsTest, TagsByArn) {
  const std::string arn = "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app";
  create("app", R"(,"Tags":[{"Key":"a","Value":"1"}])");
  ok("TagResource", R"({"ResourceARN":")" + arn + R"(","Tags":[{"Key":"b","Value":"2"},{"Key":"a","Value":"3"}]})");
  EXPECT_EQ(json("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})"),
            R"({"Tags":[{"Key":"a","Value":"3"},{"Key":"b","Value":"2"}]})");
  ok("UntagResource", R"({"ResourceARN":")" + arn + R"(","TagKeys":["a","zzz"]})");
  EXPECT_EQ(json("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})"),
            R"({"Tags":[{"Key":"b","Value":"2"}]})");
  EXPECT_EQ(version("app"), 1);  // tags are not configuration
  std::string tags;
  for (int i = 0; i < 50; ++i) tags += (i ? "," : "") + (R"({"Key":"k)" + std::to_string(i) + R"("})");
  EXPECT_EQ(error_type("TagResource", R"({"ResourceARN":")" + arn + R"(","Tags":[)" + tags + "]}"),
            "TooManyTagsException");
  EXPECT_EQ(json("ListTagsForResource",
                 R"({"ResourceARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/nope"})"),
            "ResourceNotFoundException: Resource arn:aws:kinesisanalytics:us-east-1:000000000000:application/nope is "
            "not found.");
  // The model's pattern refuses other ARNs before the service sees them.
  EXPECT_EQ(error_type("ListTagsForResource", R"({"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/x"})"),
            "ValidationException");
}

TEST_F(ApplicationsTest, ARestartKeepsEverythingAndSettlesTransientStatuses) {
  create("run", R"(,"Inputs":[)" + kinesis_input() + R"(],"Tags":[{"Key":"t","Value":"v"}])");
  create("starting", R"(,"Inputs":[)" + kinesis_input() + "]");
  create("stopping", R"(,"Inputs":[)" + kinesis_input() + "]");
  create("deleting");
  start("run");
  start("stopping");
  clock_ms_ += 1000;
  ok("StopApplication", R"({"ApplicationName":"stopping"})");
  start("starting");
  ok("AddApplicationOutput", versioned("run", R"(,"Output":)" + kinesis_output()));
  ok("DeleteApplication", R"({"ApplicationName":"deleting","CreateTimestamp":1700000000})");
  EXPECT_EQ(status("run"), "UPDATING");
  reopen();
  EXPECT_EQ(status("run"), "RUNNING");
  EXPECT_EQ(status("starting"), "RUNNING");
  EXPECT_EQ(status("stopping"), "READY");
  EXPECT_EQ(error_type("DescribeApplication", R"({"ApplicationName":"deleting"})"), "ResourceNotFoundException");
  Value d = detail("run");
  EXPECT_EQ(str(d, {"ApplicationVersionId"}), "2");
  EXPECT_EQ(str(d, {"OutputDescriptions", "0", "OutputId"}), "1.1");
  EXPECT_EQ(str(d, {"InputDescriptions", "0", "InputStartingPositionConfiguration", "InputStartingPosition"}),
            "TRIM_HORIZON");
  EXPECT_EQ(d.find("CreateTimestamp")->as_timestamp().millis, 1'700'000'000'000);
  EXPECT_EQ(json("ListTagsForResource",
                 R"({"ResourceARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/run"})"),
            R"({"Tags":[{"Key":"t","Value":"v"}]})");
  // Ids keep counting after the restart.
  ok("AddApplicationOutput", versioned("run", R"(,"Output":)" + kinesis_output("B")));
  EXPECT_EQ(str(detail("run"), {"OutputDescriptions", "1", "OutputId"}), "1.2");
}

TEST_F(ApplicationsTest, ApplicationCodeIsKeptAsGiven) {
  // Code that does not parse is refused with where it went wrong.
  auto e = validate_application_code("CREATE STREAM \"S\" (a INTEGER);\nthis is not SQL");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "CodeValidationException");
  EXPECT_NE(e->message.find("SQL error at line 2, column 1"), std::string::npos) << e->message;
  EXPECT_FALSE(validate_application_code("-- nothing yet").has_value());
  create("app", R"(,"ApplicationCode":"CREATE OR REPLACE STREAM \"S\" (a INTEGER);\n")");
  EXPECT_EQ(str(detail("app"), {"ApplicationCode"}), "CREATE OR REPLACE STREAM \"S\" (a INTEGER);\n");
}

}  // namespace
}  // namespace runnel::analytics
