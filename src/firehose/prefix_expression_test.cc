#include "firehose/prefix_expression.h"

#include <gtest/gtest.h>

#include "firehose/record_id.h"
#include "firehose/time_zone.h"

namespace runnel::firehose {
namespace {

// 2024-03-10 07:08:09.123 UTC, a Sunday: US daylight saving time starts
// that day at 07:00 UTC (02:00 EST).
constexpr int64_t kMs = 1710054489123;

std::string rnd() { return "RANDOMSTR11"; }

TEST(JavaTimeTest, FormatsThePatternLetters) {
  EXPECT_EQ(format_java_time("yyyy/MM/dd/HH/", kMs, 0), "2024/03/10/07/");
  EXPECT_EQ(format_java_time("yy-M-d H:mm:ss.SSS", kMs, 0), "24-3-10 7:08:09.123");
  EXPECT_EQ(format_java_time("'year='yyyy'/month='MM", kMs, 0), "year=2024/month=03");
  EXPECT_EQ(format_java_time("MMM MMMM EEE EEEE DDD", kMs, 0), "Mar March Sun Sunday 070");
  EXPECT_EQ(format_java_time("hh a", kMs, 0), "07 AM");
  EXPECT_EQ(format_java_time("'it''s' ''", kMs, 0), "it's '");
  EXPECT_EQ(format_java_time("[yyyy]", kMs, 0), "2024");
  EXPECT_EQ(format_java_time("yyyy-MM-dd", 0, 0), "1970-01-01");
  EXPECT_EQ(format_java_time("yyyy-MM-dd HH", -1, 0), "1969-12-31 23");
  EXPECT_EQ(format_java_time("yyyy-MM-dd", 951782400000, 0), "2000-02-29");  // leap day
}

TEST(JavaTimeTest, RefusesWhatItCannotFormat) {
  EXPECT_FALSE(format_java_time("yyyy'", kMs, 0));  // unterminated quote
  EXPECT_FALSE(format_java_time("qqq", kMs, 0));    // unsupported letter
  EXPECT_FALSE(format_java_time("yyyy#", kMs, 0));  // reserved
  EXPECT_FALSE(format_java_time("HHH", kMs, 0));    // too wide
}

TEST(TimeZoneTest, ReadsTheOsDatabase) {
  auto ny = TimeZone::load("America/New_York");
  ASSERT_NE(ny, nullptr);
  EXPECT_EQ(ny->offset_seconds(kMs / 1000 - 3600), -5 * 3600);  // 06:08 UTC: still EST
  EXPECT_EQ(ny->offset_seconds(kMs / 1000), -4 * 3600);         // 07:08 UTC: EDT
  auto kolkata = TimeZone::load("Asia/Kolkata");
  ASSERT_NE(kolkata, nullptr);
  EXPECT_EQ(kolkata->offset_seconds(kMs / 1000), 5 * 3600 + 1800);
  EXPECT_NE(TimeZone::load("UTC"), nullptr);
  EXPECT_EQ(TimeZone::load("Mars/Olympus_Mons"), nullptr);
  EXPECT_EQ(TimeZone::load("../../etc/passwd"), nullptr);
  EXPECT_EQ(TimeZone::load(""), nullptr);
  EXPECT_EQ(TimeZone::parse("x", "not a tzif file"), nullptr);
}

TEST(PrefixEvaluationTest, DefaultsAsAwsDoes) {
  PrefixValues v;
  v.arrival_ms = kMs;
  EXPECT_EQ(object_prefix(std::nullopt, v, rnd), "2024/03/10/07/");
  EXPECT_EQ(object_prefix(std::string(""), v, rnd), "2024/03/10/07/");
  // No timestamp expression: the default one appended, no separator added.
  EXPECT_EQ(object_prefix(std::string("logs/"), v, rnd), "logs/2024/03/10/07/");
  EXPECT_EQ(object_prefix(std::string("logs"), v, rnd), "logs2024/03/10/07/");
  EXPECT_EQ(object_prefix(std::string("y=!{timestamp:yyyy}/m=!{timestamp:MM}/"), v, rnd), "y=2024/m=03/");
  EXPECT_EQ(object_prefix(std::string("r=!{firehose:random-string}/!{timestamp:HH}/"), v, rnd), "r=RANDOMSTR11/07/");
}

TEST(PrefixEvaluationTest, RandomStringIsNewPerOccurrence) {
  PrefixValues v;
  int n = 0;
  auto counter = [&] { return std::to_string(++n); };
  EXPECT_EQ(
      object_prefix(std::string("!{firehose:random-string}-!{firehose:random-string}/!{timestamp:yyyy}"), v, counter),
      "1-2/1970");
}

TEST(PrefixEvaluationTest, TimeZonesAndPartitionKeys) {
  PrefixValues v;
  v.arrival_ms = kMs;
  v.time_zone = "America/New_York";
  EXPECT_EQ(object_prefix(std::nullopt, v, rnd), "2024/03/10/03/");
  v.time_zone = "Asia/Tokyo";
  EXPECT_EQ(object_prefix(std::string("!{timestamp:yyyy-MM-dd HH}/"), v, rnd), "2024-03-10 16/");
  v.time_zone.clear();
  v.query_keys = {{"customer", "c42"}};
  v.lambda_keys = {{"region", "eu"}};
  EXPECT_EQ(
      object_prefix(std::string("c=!{partitionKeyFromQuery:customer}/r=!{partitionKeyFromLambda:region}/"), v, rnd),
      "c=c42/r=eu/2024/03/10/07/");
}

TEST(PrefixEvaluationTest, ErrorPrefixes) {
  PrefixValues v;
  v.arrival_ms = kMs;
  EXPECT_EQ(error_prefix(std::nullopt, std::nullopt, "processing-failed", v, rnd), "processing-failed/2024/03/10/07/");
  EXPECT_EQ(error_prefix(std::nullopt, std::string("myPrefix/"), "http-endpoint-failed", v, rnd),
            "myPrefix/http-endpoint-failed/2024/03/10/07/");
  EXPECT_EQ(error_prefix(std::string("err/!{firehose:error-output-type}/!{timestamp:yyyy}/"), std::string("p/"),
                         "format-conversion-failed", v, rnd),
            "err/format-conversion-failed/2024/");
  EXPECT_EQ(error_prefix(std::string("err/"), std::nullopt, "processing-failed", v, rnd), "err/2024/03/10/07/");
}

void expect_invalid(const std::optional<std::string>& prefix, const std::optional<std::string>& error,
                    const PrefixRules& rules = {}) {
  auto e = validate_prefixes(prefix, error, rules);
  ASSERT_TRUE(e.has_value()) << prefix.value_or("null") << " / " << error.value_or("null");
  EXPECT_EQ(e->type, "InvalidArgumentException");
  EXPECT_TRUE(e->message.starts_with("The supplied prefix(es) do not satisfy the following constraint: "))
      << e->message;
}

TEST(PrefixValidationTest, AcceptsAwsExamples) {
  EXPECT_FALSE(validate_prefixes(std::nullopt, std::nullopt, {}));
  EXPECT_FALSE(validate_prefixes(std::string("myPrefix/"), std::nullopt, {}));
  EXPECT_FALSE(validate_prefixes(std::string("myFirehose/DataLake/!{timestamp:yyyy/MM/dd}/"),
                                 std::string("myFirehoseFailures/!{firehose:error-output-type}/"), {}));
  EXPECT_FALSE(validate_prefixes(std::string("!{timestamp:yyyy}/"), std::string("errors/"), {}));
  PrefixRules dp;
  dp.dynamic_partitioning = true;
  dp.metadata_extraction = true;
  dp.query_keys = std::vector<std::string>{"customer_id"};
  EXPECT_FALSE(validate_prefixes(std::string("c=!{partitionKeyFromQuery:customer_id}/"),
                                 std::string("err/!{firehose:error-output-type}/"), dp));
}

TEST(PrefixValidationTest, RefusesWhatAwsRefuses) {
  expect_invalid(std::string("!{timestamp:yyyy}/"), std::nullopt);  // expressions need ErrorOutputPrefix
  expect_invalid(std::string("!{timestamp:yyyy}/"), std::string(""));
  expect_invalid(std::string("!{firehose:error-output-type}/"), std::string("e/!{firehose:error-output-type}"));
  expect_invalid(std::string("a/"), std::string("e/!{timestamp:yyyy}/"));  // error prefix lacks error-output-type
  expect_invalid(std::string("!{unknown:x}/"), std::string("e/"));
  expect_invalid(std::string("!{firehose:bogus}/"), std::string("e/"));
  expect_invalid(std::string("!{timestamp}/"), std::string("e/"));
  expect_invalid(std::string("!{timestamp:yyyy/"), std::string("e/"));  // unterminated
  expect_invalid(std::string("!{timestamp:qqq}/"), std::string("e/!{firehose:error-output-type}"));
  expect_invalid(std::string("!{timestamp:}/"), std::string("e/!{firehose:error-output-type}"));
  expect_invalid(std::string(1025, 'a'), std::nullopt);
  // Dynamic partitioning keys: only with it enabled, never in ErrorOutputPrefix.
  expect_invalid(std::string("!{partitionKeyFromQuery:a}/"), std::string("e/!{firehose:error-output-type}"));
  PrefixRules dp;
  dp.dynamic_partitioning = true;
  dp.metadata_extraction = true;
  dp.lambda = false;
  dp.query_keys = std::vector<std::string>{"a"};
  expect_invalid(std::string("!{partitionKeyFromQuery:a}/"),
                 std::string("e/!{partitionKeyFromQuery:a}/!{firehose:error-output-type}"), dp);
  expect_invalid(std::string("!{partitionKeyFromQuery:b}/"), std::string("e/!{firehose:error-output-type}"), dp);
  expect_invalid(std::string("!{partitionKeyFromLambda:a}/"), std::string("e/!{firehose:error-output-type}"), dp);
  expect_invalid(std::string("!{partitionKeyFromQuery:a}/"), std::nullopt, dp);  // DP needs ErrorOutputPrefix
  expect_invalid(std::string("plain/"), std::string("e/"), dp);                  // DP needs a key in Prefix
}

TEST(PrefixValidationTest, ReadsQueryKeys) {
  EXPECT_EQ(query_keys_of("{customer_id:.customer_id, year:.ts|strftime(\"%Y\")}"),
            (std::vector<std::string>{"customer_id", "year"}));
  EXPECT_EQ(query_keys_of(R"({"a": .x, b: {c: 1}})"), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(query_keys_of(".customer_id"));
  EXPECT_FALSE(query_keys_of("{a}"));
}

TEST(RecordIdTest, RoundTripsAndIsUnique) {
  RecordIdParts p{0x1234, 99, kMs};
  std::string id = make_record_id(p);
  EXPECT_EQ(id.size(), 48u);
  EXPECT_EQ(parse_record_id(id), p);
  EXPECT_NE(make_record_id({0x1234, 100, kMs}), id);
  EXPECT_NE(make_record_id({0x1235, 99, kMs}), id);
  EXPECT_FALSE(parse_record_id("xyz"));
  EXPECT_FALSE(parse_record_id(std::string(48, 'g')));
}

}  // namespace
}  // namespace runnel::firehose
