// AWS Query answers (query_xml.cc). Every XML fixture below was parsed back
// with botocore 1.43.11's own QueryParser, against botocore's CloudWatch
// model (for the example model: an equivalent botocore ServiceModel dict),
// and gave the dict noted above it; tools/query_botocore_check.py repeats
// that check from this file's fixtures.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "protocol/query_codec.h"
#include "protocol/query_test_model.h"
#include "protocol/test_models.h"

namespace runnel::protocol {
namespace {

const ServiceModel& CW() { return cloudwatch_model(); }
const ServiceModel& EX() { return testing::example_query_model(); }

const OperationModel& op(const ServiceModel& m, std::string_view name) {
  const OperationModel* o = m.find_operation(name);
  EXPECT_NE(o, nullptr) << name;
  return *o;
}

// botocore: {'Label': 'CPU <&> "q" \'a\'', 'Datapoints': [{'Timestamp': 2026-12-06 23:59:00+00:00,
//   'SampleCount': 3.0, 'Average': 0.1, 'Sum': 1e-05, 'Minimum': -2.5, 'Maximum': 10000000.0,
//   'Unit': 'Percent', 'ExtendedStatistics': {'p99': 12345678.9, 'p50': 100.0}},
//   {'Timestamp': 2026-12-06 23:59:01.250000+00:00, 'SampleCount': 1.0}],
//   'ResponseMetadata': {'RequestId': 'req-1'}}
constexpr std::string_view kGetMetricStatisticsXml =
    R"xml(<GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">)xml"
    R"xml(<GetMetricStatisticsResult><Label>CPU &lt;&amp;&gt; &quot;q&quot; &apos;a&apos;</Label><Datapoints>)xml"
    R"xml(<member><Timestamp>2026-12-06T23:59:00Z</Timestamp><SampleCount>3.0</SampleCount>)xml"
    R"xml(<Average>0.1</Average><Sum>1.0E-5</Sum><Minimum>-2.5</Minimum><Maximum>1.0E7</Maximum>)xml"
    R"xml(<Unit>Percent</Unit><ExtendedStatistics><entry><key>p99</key><value>1.23456789E7</value></entry>)xml"
    R"xml(<entry><key>p50</key><value>100.0</value></entry></ExtendedStatistics></member><member>)xml"
    R"xml(<Timestamp>2026-12-06T23:59:01.250Z</Timestamp><SampleCount>1.0</SampleCount></member></Datapoints>)xml"
    R"xml(</GetMetricStatisticsResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>)xml"
    R"xml(</GetMetricStatisticsResponse>)xml";

// botocore: {'MetricDataResults': [{'Id': 'q1', 'Label': 'L', 'Timestamps': [2026-12-06 23:59:00+00:00,
//   2026-12-06 23:58:00+00:00], 'Values': [1.0, 2.5], 'StatusCode': 'Complete', 'Messages': []}],
//   'NextToken': 'n+/=', 'Messages': [{'Code': 'c', 'Value': 'v'}], 'ResponseMetadata': {'RequestId': 'req-2'}}
constexpr std::string_view kGetMetricDataXml =
    R"xml(<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult>)xml"
    R"xml(<MetricDataResults><member><Id>q1</Id><Label>L</Label><Timestamps>)xml"
    R"xml(<member>2026-12-06T23:59:00Z</member><member>2026-12-06T23:58:00Z</member></Timestamps><Values>)xml"
    R"xml(<member>1.0</member><member>2.5</member></Values><StatusCode>Complete</StatusCode><Messages>)xml"
    R"xml(</Messages></member></MetricDataResults><NextToken>n+/=</NextToken><Messages><member><Code>c</Code>)xml"
    R"xml(<Value>v</Value></member></Messages></GetMetricDataResult><ResponseMetadata>)xml"
    R"xml(<RequestId>req-2</RequestId></ResponseMetadata></GetMetricDataResponse>)xml";

// botocore: {'Metrics': [{'Namespace': 'App/Web', 'MetricName': 'Latency', 'Dimensions':
//   [{'Name': 'Host', 'Value': 'a\r\nb\ufffd'}]}], 'OwningAccounts': ['123456789012'],
//   'ResponseMetadata': {'RequestId': 'req-3'}}
constexpr std::string_view kListMetricsXml =
    "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ListMetricsResult>"
    "<Metrics><member><Namespace>App/Web</Namespace><MetricName>Latency</MetricName><Dimensions><member>"
    "<Name>Host</Name><Value>a&#13;\nb\xEF\xBF\xBD</Value></member></Dimensions></member></Metrics>"
    "<OwningAccounts><member>123456789012</member></OwningAccounts></ListMetricsResult><ResponseMetadata>"
    "<RequestId>req-3</RequestId></ResponseMetadata></ListMetricsResponse>";

// botocore: {'ResponseMetadata': {'RequestId': 'req-4'}}
constexpr std::string_view kPutMetricDataXml =
    R"xml(<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata>)xml"
    R"xml(<RequestId>req-4</RequestId></ResponseMetadata></PutMetricDataResponse>)xml";

// botocore's Query serializer for the example model (query_test_model.h) and
// {'Name': 'n', 'Flags': ['a', 'b'], 'Items': ['x'], 'Tags': {'k': 'v', 'k2': 'v2'}, 'Data': b'hi\xff',
//  'On': False, 'Big': -9007199254740993, 'Ratio': 5.0, 'Small': 0.1,
//  'When': 1969-12-31 23:59:59.999000+00:00, 'Node': {'Label': 'a', 'Child': {'Label': 'b'}}};
// its QueryParser reads kDoXml back as that same dict.
constexpr std::string_view kDoQuery =
    "Action=Do&Version=2020-01-01&Name=n&Flag.1=a&Flag.2=b&Items.Item.1=x&Tags.entry.1.key=k&"
    "Tags.entry.1.value=v&Tags.entry.2.key=k2&Tags.entry.2.value=v2&Data=aGn%2F&On=false&"
    "Big=-9007199254740993&Ratio=5.0&Small=0.1&When=1969-12-31T23%3A59%3A59.999000Z&Node.Label=a&"
    "Node.Child.Label=b";
constexpr std::string_view kDoXml =
    R"xml(<DoResponse xmlns="https://example.com/doc/2020-01-01/"><DoResult><Name>n</Name><Flag>a</Flag>)xml"
    R"xml(<Flag>b</Flag><Items><Item>x</Item></Items><Tags><entry><key>k</key><value>v</value></entry><entry>)xml"
    R"xml(<key>k2</key><value>v2</value></entry></Tags><Data>aGn/</Data><On>false</On>)xml"
    R"xml(<Big>-9007199254740993</Big><Ratio>5.0</Ratio><Small>0.1</Small>)xml"
    R"xml(<When>1969-12-31T23:59:59.999Z</When><Node><Label>a</Label><Child><Label>b</Label></Child></Node>)xml"
    R"xml(</DoResult><ResponseMetadata><RequestId>req-5</RequestId></ResponseMetadata></DoResponse>)xml";

TEST(QueryEncode, GetMetricStatistics) {
  Value out(
      Object{{"Label", "CPU <&> \"q\" 'a'"},
             {"Datapoints",
              Value(Array{Value(Object{{"Timestamp", Timestamp{1796601540000}},
                                       {"SampleCount", 3.0},
                                       {"Average", 0.1},
                                       {"Sum", 1e-5},
                                       {"Minimum", -2.5},
                                       {"Maximum", 1e7},
                                       {"Unit", "Percent"},
                                       {"ExtendedStatistics", Value(Object{{"p99", 12345678.9}, {"p50", 100.0}})}}),
                          Value(Object{{"Timestamp", Timestamp{1796601541250}}, {"SampleCount", 1.0}})})}});
  EXPECT_EQ(encode_query_output(CW(), op(CW(), "GetMetricStatistics"), out, "req-1"), kGetMetricStatisticsXml);
}

TEST(QueryEncode, GetMetricData) {
  Value out(
      Object{{"MetricDataResults",
              Value(Array{Value(Object{{"Id", "q1"},
                                       {"Label", "L"},
                                       {"Timestamps", Value(Array{Timestamp{1796601540000}, Timestamp{1796601480000}})},
                                       {"Values", Value(Array{1.0, 2.5})},
                                       {"StatusCode", "Complete"},
                                       {"Messages", Value(Array{})}})})},
             {"NextToken", "n+/="},
             {"Messages", Value(Array{Value(Object{{"Code", "c"}, {"Value", "v"}})})}});
  EXPECT_EQ(encode_query_output(CW(), op(CW(), "GetMetricData"), out, "req-2"), kGetMetricDataXml);
}

TEST(QueryEncode, ListMetricsEscapesControlCharacters) {
  Value out(Object{
      {"Metrics", Value(Array{Value(Object{
                      {"Namespace", "App/Web"},
                      {"MetricName", "Latency"},
                      {"Dimensions", Value(Array{Value(Object{{"Name", "Host"}, {"Value", "a\r\nb\x01"}})})}})})},
      {"OwningAccounts", Value(Array{"123456789012"})}});
  EXPECT_EQ(encode_query_output(CW(), op(CW(), "ListMetrics"), out, "req-3"), kListMetricsXml);
}

TEST(QueryEncode, OperationWithoutOutput) {
  EXPECT_EQ(encode_query_output(CW(), op(CW(), "PutMetricData"), Value(), "req-4"), kPutMetricDataXml);
  EXPECT_EQ(encode_query_output(EX(), op(EX(), "Ping"), Value(Object{}), "r"),
            R"xml(<PingResponse xmlns="https://example.com/doc/2020-01-01/"><ResponseMetadata>)xml"
            R"xml(<RequestId>r</RequestId></ResponseMetadata></PingResponse>)xml");
}

TEST(QueryEncode, EmptyOutputKeepsTheWrapper) {
  EXPECT_EQ(encode_query_output(CW(), op(CW(), "ListMetrics"), Value(Object{}), "r"),
            R"xml(<ListMetricsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ListMetricsResult>)xml"
            R"xml(</ListMetricsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>)xml"
            R"xml(</ListMetricsResponse>)xml");
}

// botocore's request decodes to a Value that encodes to XML botocore reads
// back as the dict it started from: flattened and named lists, maps, blobs,
// longs beyond 2^53, floats, negative timestamps, recursion.
TEST(QueryEncode, ExampleModelRoundTrip) {
  auto in = decode_query_input(EX(), op(EX(), "Do"), kDoQuery);
  ASSERT_TRUE(in.has_value()) << in.error().message;
  Value v = *in;
  v.set("Unknown", Value(1));  // members outside the shape are not written
  EXPECT_EQ(encode_query_output(EX(), op(EX(), "Do"), v, "req-5"), kDoXml);
}

// The text of a double member as the encoder writes it.
std::string double_text(double d, std::string_view member = "Ratio") {
  std::string xml = encode_query_output(EX(), op(EX(), "Do"), Value(Object{{std::string(member), d}}), "r");
  std::string open = "<" + std::string(member) + ">";
  size_t b = xml.find(open) + open.size();
  return xml.substr(b, xml.find('<', b) - b);
}

TEST(QueryEncode, DoublesAsJavaWritesThem) {
  EXPECT_EQ(double_text(1.0), "1.0");
  EXPECT_EQ(double_text(0.001), "0.001");
  EXPECT_EQ(double_text(0.0001), "1.0E-4");
  EXPECT_EQ(double_text(9999999.0), "9999999.0");
  EXPECT_EQ(double_text(1e7), "1.0E7");
  EXPECT_EQ(double_text(123456789.0), "1.23456789E8");
  EXPECT_EQ(double_text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(double_text(-0.0), "-0.0");
  EXPECT_EQ(double_text(5e-324), "5.0E-324");  // Java: "4.9E-324"; both read back as Double.MIN_VALUE
  EXPECT_EQ(double_text(std::numeric_limits<double>::max()), "1.7976931348623157E308");
  EXPECT_EQ(double_text(std::nan("")), "NaN");
  EXPECT_EQ(double_text(-INFINITY), "-Infinity");
  EXPECT_EQ(double_text(0.1, "Small"), "0.1");  // a float member: the float's shortest text
  EXPECT_EQ(double_text(3e10, "Small"), "3.0E10");
}

// Every double the encoder writes reads back, through the decoder, as the
// same bits.
TEST(QueryEncode, DoublesRoundTrip) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    double d = std::bit_cast<double>(rng());
    if (std::isnan(d)) continue;
    std::string form = "Action=Do&Version=2020-01-01&Name=n&Ratio=" + double_text(d);
    auto v = decode_query_input(EX(), op(EX(), "Do"), form);
    ASSERT_TRUE(v.has_value()) << form;
    ASSERT_EQ(std::bit_cast<uint64_t>(v->find("Ratio")->as_double()), std::bit_cast<uint64_t>(d)) << form;
  }
}

TEST(QueryEncode, IntegersInDoubleMembers) { EXPECT_EQ(double_text(5), "5.0"); }

// ---------------------------------------------------------------------------
// Errors

// botocore: {'Error': {'Type': 'Sender', 'Code': 'InvalidParameterValue', 'Message': 'The parameter X & Y <bad>.'},
//   'ResponseMetadata': {'RequestId': 'req-6', 'HTTPStatusCode': 400}}
TEST(QueryError, ModeledErrorUsesItsCode) {
  auto r = encode_query_error(
      CW(), ApiError{"InvalidParameterValueException", "The parameter X & Y <bad>.", 400, false}, "req-6");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.body,
            R"xml(<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type>)xml"
            R"xml(<Code>InvalidParameterValue</Code><Message>The parameter X &amp; Y &lt;bad&gt;.</Message></Error>)xml"
            R"xml(<RequestId>req-6</RequestId></ErrorResponse>)xml");
}

// botocore: {'Error': {'Type': 'Receiver', 'Code': 'InternalServiceError', 'Message': 'boom'}, ... 500}
TEST(QueryError, ServerFaultIsReceiver) {
  auto r = encode_query_error(CW(), ApiError{"InternalServiceFault", "boom", 500, false}, "req-7");
  EXPECT_EQ(r.http_status, 500);
  EXPECT_EQ(
      r.body,
      R"xml(<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Receiver</Type>)xml"
      R"xml(<Code>InternalServiceError</Code><Message>boom</Message></Error><RequestId>req-7</RequestId>)xml"
      R"xml(</ErrorResponse>)xml");
}

// botocore: {'Error': {'Type': 'Sender', 'Code': 'ResourceNotFound'}, ... 404}: the model's
// status wins over the ApiError's, and an empty message is left out.
TEST(QueryError, ModelStatusAndNoMessage) {
  auto r = encode_query_error(CW(), ApiError{"ResourceNotFound", "", 400, false}, "req-8");
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.body,
            R"xml(<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type>)xml"
            R"xml(<Code>ResourceNotFound</Code></Error><RequestId>req-8</RequestId></ErrorResponse>)xml");
}

std::string code_of(const ServiceModel& m, ApiError e) {
  QueryErrorCode c = query_error_code(m, e);
  return c.code + ";" + std::to_string(c.http_status) + ";" + (c.sender ? "Sender" : "Receiver");
}

TEST(QueryError, Codes) {
  EXPECT_EQ(code_of(CW(), validation_error("1 validation error detected: ...")), "ValidationError;400;Sender");
  EXPECT_EQ(code_of(CW(), serialization_error("x")), "MalformedInput;400;Sender");
  EXPECT_EQ(code_of(CW(), ApiError{"MissingRequiredParameterException", "m", 400, false}),
            "MissingParameter;400;Sender");
  EXPECT_EQ(code_of(CW(), ApiError{"LimitExceededFault", "m", 400, false}), "LimitExceeded;400;Sender");
  EXPECT_EQ(code_of(CW(), ApiError{"DashboardNotFoundError", "m", 400, false}), "ResourceNotFound;404;Sender");
  EXPECT_EQ(code_of(CW(), ApiError{"InvalidAction", "m", 400, false}), "InvalidAction;400;Sender");
  EXPECT_EQ(code_of(CW(), ApiError{"MalformedQueryString", "m", 404, false}), "MalformedQueryString;404;Sender");
  EXPECT_EQ(code_of(CW(), internal_failure()), "InternalFailure;500;Receiver");
  EXPECT_EQ(code_of(EX(), ApiError{"ThingNotFoundException", "m", 400, false}), "ThingNotFound;404;Sender");
  // A shape that is not an error shape is no error code.
  EXPECT_EQ(code_of(CW(), ApiError{"MetricDatum", "m", 400, false}), "MetricDatum;400;Sender");
}

TEST(QueryError, DecoderErrorsEncode) {
  auto decoded = decode_query_input(CW(), op(CW(), "ListMetrics"), "Action=Nope&Version=2010-08-01");
  ASSERT_FALSE(decoded.has_value());
  auto r = encode_query_error(CW(), decoded.error(), "id");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.body,
            R"xml(<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type>)xml"
            R"xml(<Code>InvalidAction</Code><Message>Could not find operation Nope for version 2010-08-01</Message>)xml"
            R"xml(</Error><RequestId>id</RequestId></ErrorResponse>)xml");
}

TEST(QueryError, QueryCompatibleHeader) {
  EXPECT_EQ(query_error_header(CW(), ApiError{"InvalidParameterValueException", "m", 400, false}),
            "InvalidParameterValue;Sender");
  EXPECT_EQ(query_error_header(CW(), ApiError{"InternalServiceFault", "m", 500, false}),
            "InternalServiceError;Receiver");
  EXPECT_EQ(query_error_header(CW(), validation_error("m")), "ValidationError;Sender");
  EXPECT_EQ(query_error_header(EX(), ApiError{"ThingNotFoundException", "m", 400, false}), "");
}

}  // namespace
}  // namespace runnel::protocol
