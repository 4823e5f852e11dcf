#include "protocol/query_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "protocol/json_codec.h"
#include "protocol/query_test_model.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"

namespace runnel::protocol {
namespace {

// Request fixtures written by botocore 1.43.11 itself, for the same
// parameters in both protocols:
//   ser = botocore.serialize.create_serializer('query')   # or 'json'
//   r = ser.serialize_to_request(params, session.get_service_model('cloudwatch').operation_model(op))
//   AWSRequest(method='POST', url=..., data=r['body']).prepare().body   # Query: the urlencoded form
//   r['body']                                                            # JSON 1.0 body
// with t = datetime(2026, 12, 6, 23, 59, 0, tzinfo=utc), t2 = t + 1 s, and
// params as the JSON bodies show (botocore's JSON serializer writes
// timestamps as epoch seconds, its Query serializer as ISO 8601).
// tools/query_botocore_check.py checks them against botocore again.
constexpr std::string_view kPutMetricDataQuery =
    "Action=PutMetricData&Version=2010-08-01&Namespace=App%2FWeb&MetricData.member.1.MetricName=Latency&"
    "MetricData.member.1.Dimensions.member.1.Name=Host&"
    "MetricData.member.1.Dimensions.member.1.Value=a+b%26c&"
    "MetricData.member.1.Dimensions.member.2.Name=R%C3%A9gion&"
    "MetricData.member.1.Dimensions.member.2.Value=eu-west-1&"
    "MetricData.member.1.Timestamp=2026-12-06T23%3A59%3A00Z&MetricData.member.1.Values.member.1=1.5&"
    "MetricData.member.1.Values.member.2=1e-05&MetricData.member.1.Values.member.3=2.0&"
    "MetricData.member.1.Counts.member.1=1.0&MetricData.member.1.Counts.member.2=3.0&"
    "MetricData.member.1.Counts.member.3=10.0&MetricData.member.1.Unit=Milliseconds&"
    "MetricData.member.1.StorageResolution=1&MetricData.member.2.MetricName=Requests&"
    "MetricData.member.2.Timestamp=2026-12-06T23%3A59%3A01Z&"
    "MetricData.member.2.StatisticValues.SampleCount=4.0&MetricData.member.2.StatisticValues.Sum=10.0&"
    "MetricData.member.2.StatisticValues.Minimum=1.0&MetricData.member.2.StatisticValues.Maximum=4.0&"
    "MetricData.member.2.Unit=Count&MetricData.member.3.MetricName=Empty&MetricData.member.3.Value=0.1&"
    "MetricData.member.3.Dimensions=";
constexpr std::string_view kPutMetricDataJson =
    "{\"Namespace\": \"App/Web\", \"MetricData\": [{\"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\", "
    "\"Value\": \"a b&c\"}, {\"Name\": \"R\\u00e9gion\", \"Value\": \"eu-west-1\"}], \"Timestamp\": 1796601540, "
    "\"Values\": [1.5, 1e-05, 2.0], \"Counts\": [1.0, 3.0, 10.0], \"Unit\": \"Milliseconds\", "
    "\"StorageResolution\": 1}, {\"MetricName\": \"Requests\", \"Timestamp\": 1796601541, "
    "\"StatisticValues\": {\"SampleCount\": 4.0, \"Sum\": 10.0, \"Minimum\": 1.0, \"Maximum\": 4.0}, "
    "\"Unit\": \"Count\"}, {\"MetricName\": \"Empty\", \"Value\": 0.1, \"Dimensions\": []}]}";
constexpr std::string_view kGetMetricStatisticsQuery =
    "Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FEC2&MetricName=CPUUtilization&"
    "Dimensions.member.1.Name=InstanceId&Dimensions.member.1.Value=i-123&"
    "StartTime=2026-12-06T23%3A59%3A00Z&EndTime=2026-12-06T23%3A59%3A01Z&Period=60&"
    "Statistics.member.1=Average&Statistics.member.2=Maximum&ExtendedStatistics.member.1=p99&"
    "Unit=Percent";
constexpr std::string_view kGetMetricStatisticsJson =
    "{\"Namespace\": \"AWS/EC2\", \"MetricName\": \"CPUUtilization\", \"Dimensions\": [{\"Name\": \"InstanceId\", "
    "\"Value\": \"i-123\"}], \"StartTime\": 1796601540, \"EndTime\": 1796601541, \"Period\": 60, "
    "\"Statistics\": [\"Average\", \"Maximum\"], \"ExtendedStatistics\": [\"p99\"], \"Unit\": \"Percent\"}";
constexpr std::string_view kGetMetricDataQuery =
    "Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=q1&"
    "MetricDataQueries.member.1.MetricStat.Metric.Namespace=App%2FWeb&"
    "MetricDataQueries.member.1.MetricStat.Metric.MetricName=Latency&"
    "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=Host&"
    "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=h&"
    "MetricDataQueries.member.1.MetricStat.Period=300&MetricDataQueries.member.1.MetricStat.Stat=p90&"
    "MetricDataQueries.member.1.MetricStat.Unit=Milliseconds&MetricDataQueries.member.1.ReturnData=false&"
    "MetricDataQueries.member.2.Id=e1&MetricDataQueries.member.2.Expression=q1+%2A+2&"
    "MetricDataQueries.member.2.Label=double&MetricDataQueries.member.2.ReturnData=true&"
    "StartTime=2026-12-06T23%3A59%3A00Z&EndTime=2026-12-06T23%3A59%3A01Z&ScanBy=TimestampDescending&"
    "MaxDatapoints=100&LabelOptions.Timezone=%2B0130";
constexpr std::string_view kGetMetricDataJson =
    "{\"MetricDataQueries\": [{\"Id\": \"q1\", \"MetricStat\": {\"Metric\": {\"Namespace\": \"App/Web\", "
    "\"MetricName\": \"Latency\", \"Dimensions\": [{\"Name\": \"Host\", \"Value\": \"h\"}]}, \"Period\": 300, "
    "\"Stat\": \"p90\", \"Unit\": \"Milliseconds\"}, \"ReturnData\": false}, {\"Id\": \"e1\", \"Expression\": \"q1 * "
    "2\", "
    "\"Label\": \"double\", \"ReturnData\": true}], \"StartTime\": 1796601540, \"EndTime\": 1796601541, "
    "\"ScanBy\": \"TimestampDescending\", \"MaxDatapoints\": 100, \"LabelOptions\": {\"Timezone\": \"+0130\"}}";
constexpr std::string_view kListMetricsQuery =
    "Action=ListMetrics&Version=2010-08-01&Namespace=App%2FWeb&Dimensions.member.1.Name=Host&"
    "RecentlyActive=PT3H&IncludeLinkedAccounts=true&NextToken=abc%2B%2F%3D";
constexpr std::string_view kListMetricsJson =
    "{\"Namespace\": \"App/Web\", \"Dimensions\": [{\"Name\": \"Host\"}], \"RecentlyActive\": \"PT3H\", "
    "\"IncludeLinkedAccounts\": true, \"NextToken\": \"abc+/=\"}";

const ServiceModel& CW() { return cloudwatch_model(); }
const ServiceModel& EX() { return testing::example_query_model(); }

const OperationModel& op(const ServiceModel& m, std::string_view name) {
  const OperationModel* o = m.find_operation(name);
  EXPECT_NE(o, nullptr) << name;
  return *o;
}

// Objects with members sorted by key, recursively: the Query decoder emits
// members in model order, the JSON decoder in document order.
Value sorted(const Value& v) {
  if (v.is_array()) {
    Array out;
    for (const Value& item : v.as_array()) out.push_back(sorted(item));
    return Value(std::move(out));
  }
  if (!v.is_object()) return v;
  Object out;
  for (const Member& m : v.as_object()) out.push_back(Member{m.key, sorted(m.value)});
  std::sort(out.begin(), out.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
  return Value(std::move(out));
}

Value decode_ok(const ServiceModel& m, std::string_view op_name, std::string_view form) {
  auto r = decode_query_input(m, op(m, op_name), form);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().type + ": " + r.error().message) << "\nform: " << form;
  return r ? *r : Value();
}

ApiError decode_error(const ServiceModel& m, std::string_view op_name, std::string_view form) {
  auto r = decode_query_input(m, op(m, op_name), form);
  EXPECT_FALSE(r.has_value()) << "accepted: " << form;
  return r ? ApiError{} : r.error();
}

// What the JSON protocol's decoder and validator make of the same request.
Value via_json(std::string_view op_name, std::string_view json) {
  auto decoded = decode_json(json);
  EXPECT_TRUE(decoded.has_value());
  Value v = decoded ? *decoded : Value();
  auto valid = validate_input(CW(), op(CW(), op_name), v, WireFormat::kJson);
  EXPECT_TRUE(valid.has_value()) << (valid ? "" : valid.error().message);
  return v;
}

// The Query decoder's Value, after the same validation the dispatcher runs.
Value via_query(std::string_view op_name, std::string_view form) {
  Value v = decode_ok(CW(), op_name, form);
  auto valid = validate_input(CW(), op(CW(), op_name), v, WireFormat::kJson);
  EXPECT_TRUE(valid.has_value()) << (valid ? "" : valid.error().message);
  return v;
}

// ---------------------------------------------------------------------------
// botocore's own requests decode to what the JSON protocol decodes

TEST(QueryDecode, BotocorePutMetricDataMatchesJson) {
  Value q = via_query("PutMetricData", kPutMetricDataQuery);
  EXPECT_EQ(sorted(q), sorted(via_json("PutMetricData", kPutMetricDataJson)));
  const Value& first = q.find("MetricData")->as_array()[0];
  EXPECT_EQ(first.find("Dimensions")->as_array()[0], Value(Object{{"Name", "Host"}, {"Value", "a b&c"}}));
  EXPECT_EQ(*first.find("Dimensions")->as_array()[1].find("Name"), Value("R\xC3\xA9gion"));
  EXPECT_EQ(*first.find("Timestamp"), Value(Timestamp{1796601540000}));
  EXPECT_EQ(*first.find("Values"), Value(Array{1.5, 1e-5, 2.0}));
  EXPECT_EQ(*first.find("StorageResolution"), Value(int64_t{1}));
  // `MetricData.member.3.Dimensions=` is botocore's empty list.
  EXPECT_EQ(*q.find("MetricData")->as_array()[2].find("Dimensions"), Value(Array{}));
}

TEST(QueryDecode, BotocoreGetMetricStatisticsMatchesJson) {
  Value q = via_query("GetMetricStatistics", kGetMetricStatisticsQuery);
  EXPECT_EQ(sorted(q), sorted(via_json("GetMetricStatistics", kGetMetricStatisticsJson)));
  EXPECT_EQ(*q.find("Statistics"), Value(Array{"Average", "Maximum"}));
  EXPECT_EQ(*q.find("Period"), Value(int64_t{60}));
}

TEST(QueryDecode, BotocoreGetMetricDataMatchesJson) {
  Value q = via_query("GetMetricData", kGetMetricDataQuery);
  EXPECT_EQ(sorted(q), sorted(via_json("GetMetricData", kGetMetricDataJson)));
  EXPECT_EQ(*q.find("MetricDataQueries")->as_array()[1].find("Expression"), Value("q1 * 2"));
  EXPECT_EQ(*q.find("LabelOptions")->find("Timezone"), Value("+0130"));
}

TEST(QueryDecode, BotocoreListMetricsMatchesJson) {
  Value q = via_query("ListMetrics", kListMetricsQuery);
  EXPECT_EQ(sorted(q), sorted(via_json("ListMetrics", kListMetricsJson)));
  EXPECT_EQ(*q.find("NextToken"), Value("abc+/="));
}

// What the AWS CLI v2 (Debian's awscli 2.9.19, its own botocore) sent to a
// local listener for
//   aws cloudwatch put-metric-data --namespace App/Web --metric-data '[{"MetricName":"Latency",
//     "Dimensions":[{"Name":"Host","Value":"a b&c"}],"Timestamp":"2026-12-06T23:59:00Z",
//     "Values":[1.5,0.00001,2],"Counts":[1,3,10],"Unit":"Milliseconds","StorageResolution":1},
//     {"MetricName":"Requests","StatisticValues":{"SampleCount":4,"Sum":10,"Minimum":1,"Maximum":4}}]'
// Whole numbers in double members arrive without a fraction ("2", "10").
constexpr std::string_view kCliV2PutMetricData =
    "Action=PutMetricData&Version=2010-08-01&Namespace=App%2FWeb&MetricData.member.1.MetricName=Latency&"
    "MetricData.member.1.Dimensions.member.1.Name=Host&MetricData.member.1.Dimensions.member.1.Value=a+b%26c&"
    "MetricData.member.1.Timestamp=2026-12-06T23%3A59%3A00Z&MetricData.member.1.Values.member.1=1.5&"
    "MetricData.member.1.Values.member.2=1e-05&MetricData.member.1.Values.member.3=2&"
    "MetricData.member.1.Counts.member.1=1&MetricData.member.1.Counts.member.2=3&"
    "MetricData.member.1.Counts.member.3=10&MetricData.member.1.Unit=Milliseconds&"
    "MetricData.member.1.StorageResolution=1&MetricData.member.2.MetricName=Requests&"
    "MetricData.member.2.StatisticValues.SampleCount=4&MetricData.member.2.StatisticValues.Sum=10&"
    "MetricData.member.2.StatisticValues.Minimum=1&MetricData.member.2.StatisticValues.Maximum=4";

TEST(QueryDecode, AwsCliV2PutMetricData) {
  Value q = via_query("PutMetricData", kCliV2PutMetricData);
  const Value& first = q.find("MetricData")->as_array()[0];
  EXPECT_EQ(*first.find("Values"), Value(Array{1.5, 1e-5, 2.0}));
  EXPECT_EQ(*first.find("Counts"), Value(Array{1.0, 3.0, 10.0}));
  EXPECT_EQ(*first.find("Timestamp"), Value(Timestamp{1796601540000}));
  const Value& second = q.find("MetricData")->as_array()[1];
  EXPECT_EQ(*second.find("StatisticValues"),
            Value(Object{{"SampleCount", 4.0}, {"Sum", 10.0}, {"Minimum", 1.0}, {"Maximum", 4.0}}));
}

TEST(QueryDecode, MembersInModelOrder) {
  Value q = decode_ok(CW(), "ListMetrics", "Action=ListMetrics&Version=2010-08-01&NextToken=t&Namespace=n");
  ASSERT_EQ(q.as_object().size(), 2u);
  EXPECT_EQ(q.as_object()[0].key, "Namespace");
  EXPECT_EQ(q.as_object()[1].key, "NextToken");
}

// botocore writes datetimes with microseconds as `.250000`: kept to the
// millisecond.
TEST(QueryDecode, BotocoreMicrosecondTimestamp) {
  Value q = decode_ok(CW(), "GetMetricStatistics",
                      "Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m&"
                      "StartTime=2026-12-06T23%3A59%3A01.250000Z&EndTime=2026-12-06T23%3A59%3A01.999999Z&"
                      "Period=60");
  EXPECT_EQ(*q.find("StartTime"), Value(Timestamp{1796601541250}));
  EXPECT_EQ(*q.find("EndTime"), Value(Timestamp{1796601541999}));
}

// The Java SDK v1 and other SDKs write milliseconds or an offset.
TEST(QueryDecode, TimestampForms) {
  auto start = [](std::string_view text) {
    auto r = decode_query_input(CW(), op(CW(), "GetMetricStatistics"),
                                std::string("Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m&"
                                            "EndTime=2026-12-06T23:59:00Z&Period=60&StartTime=") +
                                    std::string(text));
    if (!r) return int64_t{-1};
    return r->find("StartTime")->as_timestamp().millis;
  };
  EXPECT_EQ(start("2026-12-06T23:59:00.000Z"), 1796601540000);
  EXPECT_EQ(start("2026-12-06T23:59:00.5Z"), 1796601540500);
  EXPECT_EQ(start("2026-12-07T01:29:00%2B01:30"), 1796601540000);
  EXPECT_EQ(start("2026-12-06T22:59:00-0100"), 1796601540000);
  EXPECT_EQ(start("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(start("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(start("2024-02-29T00:00:00Z"), 1709164800000);
}

// ---------------------------------------------------------------------------
// Action and Version

TEST(QueryDecode, MissingAction) {
  ApiError e = decode_error(CW(), "ListMetrics", "Version=2010-08-01");
  EXPECT_EQ(e.type, "MissingAction");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(find_query_operation(CW(), "Action=&Version=2010-08-01").error().type, "MissingAction");
}

TEST(QueryDecode, UnknownActionIsInvalidAction) {
  auto r = find_query_operation(CW(), "Action=PutRecord&Version=2010-08-01");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "InvalidAction");
  EXPECT_EQ(r.error().message, "Could not find operation PutRecord for version 2010-08-01");
  EXPECT_EQ(r.error().http_status, 400);
}

TEST(QueryDecode, WrongOrMissingVersionIsInvalidAction) {
  auto wrong = find_query_operation(CW(), "Action=ListMetrics&Version=2011-01-01");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().type, "InvalidAction");
  EXPECT_EQ(wrong.error().message, "Could not find operation ListMetrics for version 2011-01-01");
  auto missing = find_query_operation(CW(), "Action=ListMetrics");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "Could not find operation ListMetrics for version ");
  EXPECT_EQ(decode_error(CW(), "ListMetrics", "Action=ListMetrics").type, "InvalidAction");
}

TEST(QueryDecode, FindsTheOperation) {
  auto r = find_query_operation(CW(), "Version=2010-08-01&Namespace=x&Action=ListMetrics");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)->name, "ListMetrics");
}

TEST(QueryDecode, ActionOfAnotherOperation) {
  EXPECT_EQ(decode_error(CW(), "ListMetrics", "Action=ListDashboards&Version=2010-08-01").type, "InvalidAction");
}

TEST(QueryDecode, OperationWithoutInputIgnoresParameters) {
  EXPECT_EQ(decode_ok(EX(), "Ping", "Action=Ping&Version=2020-01-01&Name=x"), Value(Object{}));
}

// ---------------------------------------------------------------------------
// Missing required members: CloudWatch's MissingParameter, one line each

TEST(QueryDecode, MissingParameterLinesInKeyForm) {
  ApiError e = decode_error(CW(), "GetMetricStatistics",
                            "Action=GetMetricStatistics&Version=2010-08-01&MetricName=m&Period=60&"
                            "EndTime=2026-12-06T23:59:00Z");
  EXPECT_EQ(e.type, "MissingParameter");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "The parameter Namespace is required.\nThe parameter StartTime is required.");
}

TEST(QueryDecode, MissingNestedParameter) {
  ApiError e = decode_error(CW(), "PutMetricData",
                            "Action=PutMetricData&Version=2010-08-01&Namespace=n&"
                            "MetricData.member.1.MetricName=m&MetricData.member.1.Dimensions.member.1.Name=d&"
                            "MetricData.member.2.Value=1&MetricData.member.2.Dimensions.member.1.Value=v");
  EXPECT_EQ(e.type, "MissingParameter");
  EXPECT_EQ(e.message,
            "The parameter MetricData.member.1.Dimensions.member.1.Value is required.\n"
            "The parameter MetricData.member.2.MetricName is required.\n"
            "The parameter MetricData.member.2.Dimensions.member.1.Name is required.");
}

TEST(QueryDecode, MalformedScalarComesBeforeMissingParameter) {
  EXPECT_EQ(decode_error(CW(), "GetMetricStatistics", "Action=GetMetricStatistics&Version=2010-08-01&Period=x").type,
            "MalformedInput");
}

// ---------------------------------------------------------------------------
// Scalars

std::string bad_scalar(std::string_view key, std::string_view value) {
  std::string form = "Action=Do&Version=2020-01-01&Name=n&" + std::string(key) + "=" + std::string(value);
  auto r = decode_query_input(EX(), op(EX(), "Do"), form);
  if (r) return "<ok>";
  EXPECT_EQ(r.error().http_status, 400);
  return r.error().type + ": " + r.error().message;
}

TEST(QueryDecode, MalformedNumbers) {
  EXPECT_EQ(bad_scalar("Big", "12x"), "MalformedInput: The value 12x for parameter Big is not a valid long.");
  EXPECT_EQ(bad_scalar("Big", ""), "MalformedInput: The value  for parameter Big is not a valid long.");
  EXPECT_EQ(bad_scalar("Big", "99999999999999999999"),
            "MalformedInput: The value 99999999999999999999 for parameter Big is not a valid long.");
  EXPECT_EQ(bad_scalar("Big", "9223372036854775807"), "<ok>");
  EXPECT_EQ(bad_scalar("Big", "-9223372036854775808"), "<ok>");
  EXPECT_EQ(bad_scalar("Big", "%2B5"), "<ok>");
  EXPECT_EQ(bad_scalar("Big", "1.0"), "MalformedInput: The value 1.0 for parameter Big is not a valid long.");
  EXPECT_EQ(bad_scalar("Ratio", "0x1p3"), "MalformedInput: The value 0x1p3 for parameter Ratio is not a valid double.");
  EXPECT_EQ(bad_scalar("Ratio", "inf"), "MalformedInput: The value inf for parameter Ratio is not a valid double.");
  EXPECT_EQ(bad_scalar("Ratio", "1e5x"), "MalformedInput: The value 1e5x for parameter Ratio is not a valid double.");
  EXPECT_EQ(bad_scalar("Ratio", "1.0E-5"), "<ok>");
  EXPECT_EQ(bad_scalar("On", "yes"), "MalformedInput: The value yes for parameter On is not a valid boolean.");
  EXPECT_EQ(bad_scalar("Data", "aGk"), "MalformedInput: The value aGk for parameter Data is not a valid base64 blob.");
  EXPECT_EQ(bad_scalar("Data", "aGl="),
            "MalformedInput: The value aGl= for parameter Data is not a valid base64 blob.");
  EXPECT_EQ(
      decode_error(CW(), "GetMetricStatistics", "Action=GetMetricStatistics&Version=2010-08-01&Period=99999999999")
          .message,
      "The value 99999999999 for parameter Period is not a valid integer.");
}

// CloudWatch's own answer for a timestamp it cannot read, 9 fraction digits
// included (amazonka issue 495).
TEST(QueryDecode, MalformedTimestamps) {
  const std::string kAws = "MalformedInput: timestamp must follow ISO8601";
  EXPECT_EQ(bad_scalar("When", "2018-10-09T16%3A59%3A00.179959787Z"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09T16%3A59%3A00.179959Z"), "<ok>");
  EXPECT_EQ(bad_scalar("When", "1539104340"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09T16:59:00"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-02-30T16:59:00Z"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09T24:00:00Z"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09T16:59:60Z"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09T16:59:00.Z"), kAws);
  EXPECT_EQ(bad_scalar("When", "2018-10-09T16:59:00Zjunk"), kAws);
}

TEST(QueryDecode, LongValuesAreCutInMessages) {
  std::string v(1000, '7');
  std::string msg = bad_scalar("Ratio", v + "x");
  EXPECT_LT(msg.size(), 400u);
  EXPECT_NE(msg.find("7..."), std::string::npos);
}

TEST(QueryDecode, ScalarTypes) {
  Value v = decode_ok(EX(), "Do",
                      "Action=Do&Version=2020-01-01&Name=a+b%20c&Data=aGk%3D&On=TRUE&Big=-42&Ratio=NaN&"
                      "Small=-Infinity&When=2026-12-06T23%3A59%3A00Z");
  EXPECT_EQ(*v.find("Name"), Value("a b c"));
  EXPECT_EQ(*v.find("Data"), Value(Blob{"hi"}));
  EXPECT_EQ(*v.find("On"), Value(true));
  EXPECT_EQ(*v.find("Big"), Value(int64_t{-42}));
  EXPECT_TRUE(std::isnan(v.find("Ratio")->as_double()));
  EXPECT_EQ(*v.find("Small"), Value(-INFINITY));
  EXPECT_EQ(*v.find("When"), Value(Timestamp{1796601540000}));
}

// ---------------------------------------------------------------------------
// Lists, maps, structures of other models

TEST(QueryDecode, FlattenedListWithNamedItems) {
  // botocore: `Flag.1`, `Flag.2` (the item name replaces the member's).
  Value v = decode_ok(EX(), "Do", "Action=Do&Version=2020-01-01&Name=n&Flag.2=b&Flag.1=a&Flags.member.1=x");
  EXPECT_EQ(*v.find("Flags"), Value(Array{"a", "b"}));
}

TEST(QueryDecode, NamedListItems) {
  Value v = decode_ok(EX(), "Do", "Action=Do&Version=2020-01-01&Name=n&Items.Item.1=a&Items.member.2=x");
  EXPECT_EQ(*v.find("Items"), Value(Array{"a"}));
}

TEST(QueryDecode, Maps) {
  Value v = decode_ok(EX(), "Do",
                      "Action=Do&Version=2020-01-01&Name=n&Tags.entry.1.key=k1&Tags.entry.1.value=v1&"
                      "Tags.entry.2.key=k2&Tags.entry.2.value=v2&Tags.entry.3.value=orphan&"
                      "Tags.entry.4.key=k1&Tags.entry.4.value=again");
  EXPECT_EQ(*v.find("Tags"), Value(Object{{"k1", "again"}, {"k2", "v2"}}));
  Value empty = decode_ok(EX(), "Do", "Action=Do&Version=2020-01-01&Name=n&Tags=");
  EXPECT_EQ(*empty.find("Tags"), Value(Object{}));
}

TEST(QueryDecode, RecursiveStructure) {
  Value v = decode_ok(EX(), "Do", "Action=Do&Version=2020-01-01&Name=n&Node.Label=a&Node.Child.Child.Label=c");
  EXPECT_EQ(*v.find("Node"),
            Value(Object{{"Label", "a"}, {"Child", Value(Object{{"Child", Value(Object{{"Label", "c"}})}})}}));
}

TEST(QueryDecode, DeepNestingIsBounded) {
  std::string key = "Node";
  for (int i = 0; i < 200; ++i) key += ".Child";
  ApiError e = decode_error(EX(), "Do", "Action=Do&Version=2020-01-01&Name=n&" + key + ".Label=x");
  EXPECT_EQ(e.type, "MalformedInput");
  // Keys the model does not reach are never followed, however deep.
  std::string junk = "Unknown";
  for (int i = 0; i < 100000; ++i) junk += ".a";
  decode_ok(EX(), "Do", "Action=Do&Version=2020-01-01&Name=n&" + junk + "=x");
}

TEST(QueryDecode, UnknownKeysAreIgnored) {
  Value v = decode_ok(CW(), "ListMetrics",
                      "Action=ListMetrics&Version=2010-08-01&Namespace=n&Bogus=1&Namespace.member.1=x&"
                      "AWSAccessKeyId=AKID&SignatureVersion=2&Signature=abc");
  EXPECT_EQ(v, Value(Object{{"Namespace", "n"}}));
}

TEST(QueryDecode, RepeatedKeyLastWins) {
  Value v = decode_ok(CW(), "ListMetrics", "Action=ListMetrics&Version=2010-08-01&Namespace=a&Namespace=b");
  EXPECT_EQ(*v.find("Namespace"), Value("b"));
}

// ---------------------------------------------------------------------------
// Hostile indexes and forms

TEST(QueryDecode, MissingIndexesAreSkipped) {
  Value v = decode_ok(CW(), "GetMetricStatistics",
                      "Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m&Period=60&"
                      "StartTime=2026-12-06T23:59:00Z&EndTime=2026-12-06T23:59:00Z&"
                      "Statistics.member.3=Sum&Statistics.member.1=Average");
  EXPECT_EQ(*v.find("Statistics"), Value(Array{"Average", "Sum"}));
}

TEST(QueryDecode, IndexesInNumericOrder) {
  Value v = decode_ok(CW(), "ListMetrics",
                      "Action=ListMetrics&Version=2010-08-01&Dimensions.member.10.Name=ten&"
                      "Dimensions.member.2.Name=two&Dimensions.member.1.Name=one");
  ASSERT_EQ(v.find("Dimensions")->as_array().size(), 3u);
  EXPECT_EQ(*v.find("Dimensions")->as_array()[2].find("Name"), Value("ten"));
}

TEST(QueryDecode, HugeIndexMakesOneItem) {
  Value v = decode_ok(CW(), "ListMetrics", "Action=ListMetrics&Version=2010-08-01&Dimensions.member.999999999.Name=x");
  EXPECT_EQ(v.find("Dimensions")->as_array().size(), 1u);
}

TEST(QueryDecode, InvalidIndexesAreIgnored) {
  Value v = decode_ok(CW(), "ListMetrics",
                      "Action=ListMetrics&Version=2010-08-01&Dimensions.member.0.Name=zero&"
                      "Dimensions.member.01.Name=lead&Dimensions.member.1234567890.Name=ten-digits&"
                      "Dimensions.member.-1.Name=neg&Dimensions.member.x.Name=x&Dimensions.member..Name=e");
  EXPECT_EQ(v.find("Dimensions"), nullptr);
}

TEST(QueryDecode, ManyItems) {
  std::string form =
      "Action=GetMetricStatistics&Version=2010-08-01&Namespace=n&MetricName=m&Period=60&"
      "StartTime=2026-12-06T23:59:00Z&EndTime=2026-12-06T23:59:00Z";
  for (int i = 50000; i >= 1; --i) form += "&Statistics.member." + std::to_string(i) + "=s" + std::to_string(i);
  Value v = decode_ok(CW(), "GetMetricStatistics", form);
  const Array& items = v.find("Statistics")->as_array();
  ASSERT_EQ(items.size(), 50000u);
  EXPECT_EQ(items[0], Value("s1"));
  EXPECT_EQ(items[49999], Value("s50000"));
}

TEST(QueryForm, Syntax) {
  auto r = parse_query_form("a=1&&b&c=&=d&e=x=y&f+g=%41%2b%2B+&");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0].key, "a");
  EXPECT_EQ((*r)[1].key, "b");
  EXPECT_EQ((*r)[1].value, "");
  EXPECT_EQ((*r)[2].key, "c");
  EXPECT_EQ((*r)[3].key, "");
  EXPECT_EQ((*r)[3].value, "d");
  EXPECT_EQ((*r)[4].value, "x=y");
  EXPECT_EQ((*r)[5].key, "f g");
  EXPECT_EQ((*r)[5].value, "A++ ");
  EXPECT_TRUE(parse_query_form("")->empty());
}

TEST(QueryForm, BadEscapesAreMalformedQueryString) {
  for (std::string_view bad :
       {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1&b=%F", "a=%FF", "a=%C3%28", "%ED%A0%80=1"}) {
    auto r = parse_query_form(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().type, "MalformedQueryString") << bad;
    EXPECT_EQ(r.error().http_status, 404) << bad;
  }
  EXPECT_EQ(decode_error(CW(), "ListMetrics", "Action=ListMetrics&Version=2010-08-01&Namespace=%G0").type,
            "MalformedQueryString");
}

TEST(QueryForm, TooManyParameters) {
  std::string form;
  for (size_t i = 0; i <= kMaxQueryParameters; ++i) form += "a&";
  auto r = parse_query_form(form);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().type, "MalformedQueryString");
  form.resize(form.size() - 2);
  EXPECT_TRUE(parse_query_form(form).has_value());
}

}  // namespace
}  // namespace runnel::protocol
