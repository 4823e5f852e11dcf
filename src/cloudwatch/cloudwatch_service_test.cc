// The CloudWatch handlers through the service's operation table, with
// validated inputs as the dispatcher hands them over (the wire protocols are
// tested end to end in tests/e2e/test_cloudwatch*.py).

#include "cloudwatch/cloudwatch_service.h"

#include <gtest/gtest.h>

#include "cloudwatch/model.h"
#include "metrics/test_util.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::cloudwatch {
namespace {

using protocol::Value;

constexpr int64_t kNow = 1'765'000'800;  // a minute boundary

class CloudWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics::MetricsOptions o;
    o.path = dir_.file("metrics.db");
    o.flush_interval_ms = 3'600'000;  // the test flushes
    o.clock = clock_.clock();
    auto m = metrics::Metrics::open(o);
    ASSERT_TRUE(m.has_value());
    metrics_ = std::move(*m);
    service_ = std::make_unique<CloudWatchService>(CloudWatchOptions{}, *metrics_);
    table_ = std::make_unique<protocol::OperationTable>(service_->operations());
  }

  // Runs `op` with `json` validated as the dispatcher would.
  protocol::ApiResult<Value> call(const std::string& op_name, const std::string& json) {
    const protocol::OperationModel* op = cloudwatch_model().find_operation(op_name);
    EXPECT_NE(op, nullptr);
    auto in = protocol::decode_json(json);
    EXPECT_TRUE(in.has_value()) << json;
    if (auto ok = protocol::validate_input(cloudwatch_model(), *op, *in, protocol::WireFormat::kJson); !ok)
      return std::unexpected(ok.error());
    protocol::ApiResult<Value> out = std::unexpected(protocol::ApiError{});
    (*table_->find(*op))(*op, std::move(*in), protocol::RequestContext{},
                         [&](protocol::ApiResult<Value> r) { out = std::move(r); });
    return out;
  }

  Value stats(const std::string& extra) {
    auto r = call("GetMetricStatistics",
                  R"({"Namespace":"App","MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}],"StartTime":)" +
                      std::to_string(kNow - 600) + R"(,"EndTime":)" + std::to_string(kNow + 600) + R"(,"Period":60)" +
                      extra + "}");
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().type + ": " + r.error().message);
    return r ? *r : Value();
  }

  metrics::testing::TempDir dir_;
  metrics::testing::ManualClock clock_{kNow + 10};
  std::unique_ptr<metrics::Metrics> metrics_;
  std::unique_ptr<CloudWatchService> service_;
  std::unique_ptr<protocol::OperationTable> table_;
};

TEST_F(CloudWatchTest, PutThenStatisticsAreExact) {
  ASSERT_TRUE(call("PutMetricData", R"({"Namespace":"App","MetricData":[
      {"MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}],"Value":4,"Unit":"Milliseconds"},
      {"MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}],"Values":[1,10],"Counts":[3,2],"Unit":"Milliseconds"},
      {"MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}],
       "StatisticValues":{"SampleCount":2,"Sum":30,"Minimum":5,"Maximum":25},"Unit":"Milliseconds"}]})"));
  ASSERT_TRUE(metrics_->flush());
  Value out = stats(R"(,"Statistics":["SampleCount","Sum","Minimum","Maximum","Average"])");
  const auto& points = out.find("Datapoints")->as_array();
  ASSERT_EQ(points.size(), 1u);
  const Value& p = points[0];
  EXPECT_EQ(p.find("SampleCount")->as_double(), 8);
  EXPECT_EQ(p.find("Sum")->as_double(), 4 + 3 + 20 + 30);
  EXPECT_EQ(p.find("Minimum")->as_double(), 1);
  EXPECT_EQ(p.find("Maximum")->as_double(), 25);
  EXPECT_EQ(p.find("Average")->as_double(), 57.0 / 8);
  EXPECT_EQ(p.find("Unit")->as_string(), "Milliseconds");
  EXPECT_EQ(p.find("Timestamp")->as_timestamp().millis, kNow * 1000);
  EXPECT_EQ(out.find("Label")->as_string(), "Lat");
}

TEST_F(CloudWatchTest, PercentilesOfRawValues) {
  std::string values;
  for (int i = 1; i <= 100; ++i) values += (i > 1 ? "," : "") + std::to_string(i);
  ASSERT_TRUE(call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"Lat",
      "Dimensions":[{"Name":"Svc","Value":"a"}],"Values":[)" +
                                        values + "]}]}"));
  ASSERT_TRUE(metrics_->flush());
  Value out = stats(R"(,"ExtendedStatistics":["p50","p99","p100"])");
  const Value& ext = *out.find("Datapoints")->as_array().at(0).find("ExtendedStatistics");
  EXPECT_NEAR(ext.find("p50")->as_double(), 50, 0.5);
  EXPECT_NEAR(ext.find("p99")->as_double(), 99, 1);
  EXPECT_EQ(ext.find("p100")->as_double(), 100);
}

TEST_F(CloudWatchTest, ParameterErrorsAreCloudWatchs) {
  auto r = call("PutMetricData", R"({"Namespace":"AWS/Kinesis","MetricData":[{"MetricName":"x","Value":1}]})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidParameterValueException");
  EXPECT_EQ(r.error().message, "The value AWS/Kinesis for parameter Namespace is invalid.");

  r = call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"x","Value":1,
      "StatisticValues":{"SampleCount":1,"Sum":1,"Minimum":1,"Maximum":1}}]})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidParameterCombinationException");
  EXPECT_EQ(r.error().message,
            "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues "
            "are mutually exclusive and you have specified both.");

  r = call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"x","Values":[1,2],"Counts":[1]}]})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message,
            "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be "
            "of the same size.");

  r = call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"x","Value":1,"Timestamp":)" +
                                std::to_string(kNow - 15 * 86400) + "}]}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidParameterValueException");

  r = call("GetMetricStatistics", R"({"Namespace":"App","MetricName":"Lat","StartTime":1,"EndTime":2,"Period":60})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidParameterCombinationException");
  EXPECT_EQ(r.error().message, "At least one of the parameters Statistics and ExtendedStatistics must be specified.");

  // A request with one bad datum records none of its data.
  r = call("PutMetricData", R"({"Namespace":"App","MetricData":[
      {"MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}],"Value":7},
      {"MetricName":"Lat","StorageResolution":5,"Value":1}]})");
  ASSERT_FALSE(r.has_value());
  ASSERT_TRUE(metrics_->flush());
  EXPECT_TRUE(stats(R"(,"Statistics":["Sum"])").find("Datapoints")->as_array().empty());
}

// PutMetricData's documentation: values within -2^360..2^360 (about 2.35e108),
// at most 1,000 metrics a request. Both were taken and stored before.
TEST_F(CloudWatchTest, ValuesBeyondTwoToThe360AndOver1000DatumsAreRefused) {
  for (const char* datum : {R"("Value":3e108)", R"("Values":[1,-3e108])", R"("Values":[1],"Counts":[3e108])",
                            R"("StatisticValues":{"SampleCount":2,"Sum":3e108,"Minimum":1,"Maximum":2})"}) {
    auto r = call("PutMetricData", std::string(R"({"Namespace":"App","MetricData":[
        {"MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}],"Value":7},{"MetricName":"x",)") +
                                       datum + "}]}");
    ASSERT_FALSE(r.has_value()) << datum;
    EXPECT_EQ(r.error().type, "InvalidParameterValueException") << datum;
    EXPECT_TRUE(r.error().message.find("MetricData.member.2.") != std::string::npos) << r.error().message;
  }
  std::string many = R"({"Namespace":"App","MetricData":[)";
  for (int i = 0; i < 1001; ++i)
    many += std::string(i ? "," : "") + R"({"MetricName":"m)" + std::to_string(i) + R"(","Value":1})";
  auto r = call("PutMetricData", many + "]}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "The collection MetricData must not have a size greater than 1000.");
  ASSERT_TRUE(metrics_->flush());
  EXPECT_TRUE(stats(R"(,"Statistics":["Sum"])").find("Datapoints")->as_array().empty());

  // The bounds themselves are taken.
  ASSERT_TRUE(call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"x","Value":-2.3e108}]})"));
}

TEST_F(CloudWatchTest, GetMetricDataEvaluatesExpressionsNewestFirst) {
  for (int minute = 0; minute < 3; ++minute) {
    ASSERT_TRUE(call("PutMetricData", R"({"Namespace":"App","MetricData":[{"MetricName":"Lat",
        "Dimensions":[{"Name":"Svc","Value":"a"}],"Value":)" +
                                          std::to_string(10 * (minute + 1)) + R"(,"Timestamp":)" +
                                          std::to_string(kNow - 180 + 60 * minute) + "}]}"));
  }
  ASSERT_TRUE(metrics_->flush());
  auto r = call("GetMetricData", R"({"StartTime":)" + std::to_string(kNow - 180) + R"(,"EndTime":)" +
                                     std::to_string(kNow) + R"(,"MetricDataQueries":[
      {"Id":"m1","MetricStat":{"Metric":{"Namespace":"App","MetricName":"Lat","Dimensions":[{"Name":"Svc","Value":"a"}]},
                               "Period":60,"Stat":"Sum"},"ReturnData":false},
      {"Id":"e1","Expression":"m1 * 2","Label":"double"}]})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto& results = r->find("MetricDataResults")->as_array();
  ASSERT_EQ(results.size(), 1u);  // m1 has ReturnData false
  EXPECT_EQ(results[0].find("Id")->as_string(), "e1");
  EXPECT_EQ(results[0].find("Label")->as_string(), "double");
  const auto& values = results[0].find("Values")->as_array();
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].as_double(), 60);  // TimestampDescending by default
  EXPECT_EQ(values[2].as_double(), 20);
  EXPECT_EQ(results[0].find("StatusCode")->as_string(), "Complete");

  r = call("GetMetricData", R"({"StartTime":1,"EndTime":2,"MetricDataQueries":[{"Id":"e1","Expression":"m9 +"}]})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "ValidationException");
}

TEST_F(CloudWatchTest, ListMetricsFiltersByDimension) {
  ASSERT_TRUE(call("PutMetricData", R"({"Namespace":"App","MetricData":[
      {"MetricName":"A","Dimensions":[{"Name":"Svc","Value":"a"}],"Value":1},
      {"MetricName":"A","Dimensions":[{"Name":"Svc","Value":"b"}],"Value":1},
      {"MetricName":"B","Value":1}]})"));
  ASSERT_TRUE(metrics_->flush());
  auto r = call("ListMetrics", R"({"Namespace":"App","Dimensions":[{"Name":"Svc"}]})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->find("Metrics")->as_array().size(), 2u);
  r = call("ListMetrics", R"({"Dimensions":[{"Name":"Svc","Value":"b"}]})");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->find("Metrics")->as_array().size(), 1u);
  EXPECT_EQ(protocol::encode_json(r->find("Metrics")->as_array()[0]),
            R"({"Namespace":"App","MetricName":"A","Dimensions":[{"Name":"Svc","Value":"b"}]})");
}

TEST_F(CloudWatchTest, OperationsItDoesNotServeSaySo) {
  auto r = call("DescribeAlarms", "{}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidAction");
  EXPECT_NE(r.error().message.find("DescribeAlarms"), std::string::npos);
}

}  // namespace
}  // namespace runnel::cloudwatch
