#include "sql/value.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace runnel::sql {
namespace {

TEST(ValueText, NumbersAsKdaPrintsThem) {
  EXPECT_EQ(Value::integer(-42).to_string(), "-42");
  EXPECT_EQ(Value::decimal(1250, 2).to_string(), "12.50");
  EXPECT_EQ(Value::decimal(-5, 3).to_string(), "-0.005");
  EXPECT_EQ(Value::decimal(7, 0).to_string(), "7");
  EXPECT_EQ(Value::dbl(1.5).to_string(), "1.5");
  EXPECT_EQ(Value::dbl(100).to_string(), "100.0");
  EXPECT_EQ(Value::dbl(1e10).to_string(), "1.0E10");
  EXPECT_EQ(Value::dbl(12345678.9).to_string(), "1.23456789E7");
  EXPECT_EQ(Value::dbl(0.001).to_string(), "0.001");
  EXPECT_EQ(Value::dbl(0.0001).to_string(), "1.0E-4");
  EXPECT_EQ(Value::dbl(-0.0).to_string(), "-0.0");
  EXPECT_EQ(Value::real(0.1).to_string(), "0.1");
  EXPECT_EQ(Value::boolean(true).to_string(), "TRUE");
  EXPECT_EQ(Value::varbinary("\x01\xab").to_string(), "01AB");
  EXPECT_EQ(Value().to_string(), "NULL");
}

TEST(ValueText, DatetimesAsJavaSqlTypesPrintThem) {
  EXPECT_EQ(Value::date(0).to_string(), "1970-01-01");
  EXPECT_EQ(Value::date(*parse_date_text("2008-08-23")).to_string(), "2008-08-23");
  EXPECT_EQ(Value::time(45296000).to_string(), "12:34:56");
  EXPECT_EQ(Value::timestamp(0).to_string(), "1970-01-01 00:00:00.0");
  EXPECT_EQ(Value::timestamp(*parse_timestamp_text("2017-01-01 00:00:00.123")).to_string(), "2017-01-01 00:00:00.123");
  EXPECT_EQ(Value::timestamp(*parse_timestamp_text("1992-02-14 18:35:44.5")).to_string(), "1992-02-14 18:35:44.5");
  EXPECT_EQ(Value::timestamp(-1).to_string(), "1969-12-31 23:59:59.999");
  EXPECT_EQ(Value::interval_day_time(90061001).to_string(), "+1 01:01:01.001");
  EXPECT_EQ(Value::interval_year_month(-14).to_string(), "-1-02");
}

TEST(ParseDatetimeText, AcceptsKdaFormsAndRejectsOthers) {
  EXPECT_EQ(parse_timestamp_text("1992-02-14"), parse_timestamp_text("1992-02-14 00:00:00"));
  EXPECT_EQ(*parse_timestamp_text("1970-01-02 00:00:01.0"), 86401000);
  EXPECT_EQ(*parse_timestamp_text("2000-02-29 00:00:00"), 951782400000);
  EXPECT_FALSE(parse_timestamp_text("1999-02-29 00:00:00"));
  EXPECT_FALSE(parse_timestamp_text("1992-13-01"));
  EXPECT_FALSE(parse_timestamp_text("1992-02-14 25:00:00"));
  EXPECT_FALSE(parse_timestamp_text("yesterday"));
  EXPECT_FALSE(parse_timestamp_text(""));
  EXPECT_FALSE(parse_date_text("1992-02-14 00:00:00"));
  EXPECT_EQ(*parse_time_text("00:00:01.5"), 1500);
}

TEST(Compare, ThreeValuedAcrossNumericKinds) {
  EXPECT_EQ(compare(CompareOp::kEq, Value::integer(1), Value::decimal(100, 2)), Truth::kTrue);
  EXPECT_EQ(compare(CompareOp::kLt, Value::decimal(199, 2), Value::integer(2)), Truth::kTrue);
  EXPECT_EQ(compare(CompareOp::kGt, Value::dbl(2.5), Value::bigint(2)), Truth::kTrue);
  EXPECT_EQ(compare(CompareOp::kEq, Value::integer(1), Value::null(TypeKind::kInteger)), Truth::kUnknown);
  EXPECT_EQ(compare(CompareOp::kNe, Value(), Value()), Truth::kUnknown);
  EXPECT_EQ(compare(CompareOp::kEq, Value::chr("ab  "), Value::varchar("ab")), Truth::kTrue);
  EXPECT_EQ(compare(CompareOp::kLt, Value::varchar("B"), Value::varchar("a")), Truth::kTrue);
  EXPECT_EQ(compare(CompareOp::kEq, Value::varchar("1"), Value::integer(1)), Truth::kUnknown);
}

TEST(Truth, KleeneTables) {
  EXPECT_EQ(truth_and(Truth::kFalse, Truth::kUnknown), Truth::kFalse);
  EXPECT_EQ(truth_and(Truth::kTrue, Truth::kUnknown), Truth::kUnknown);
  EXPECT_EQ(truth_or(Truth::kTrue, Truth::kUnknown), Truth::kTrue);
  EXPECT_EQ(truth_or(Truth::kFalse, Truth::kUnknown), Truth::kUnknown);
  EXPECT_EQ(truth_not(Truth::kUnknown), Truth::kUnknown);
  EXPECT_TRUE(to_value(Truth::kUnknown).is_null());
}

TEST(GroupKeys, NullsGroupTogetherAndEqualDecimalsHashAlike) {
  std::unordered_set<Row, RowKeyHash, RowKeyEqual> keys;
  keys.insert({Value::varchar("a"), Value()});
  keys.insert({Value::varchar("a"), Value::null(TypeKind::kInteger)});
  keys.insert({Value::varchar("a"), Value::integer(1)});
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(Value::decimal(150, 2).hash(), Value::decimal(15, 1).hash());
  EXPECT_TRUE(key_equal(Value::decimal(150, 2), Value::decimal(15, 1)));
  EXPECT_FALSE(is_distinct_from(Value(), Value()));
  EXPECT_TRUE(is_distinct_from(Value(), Value::integer(0)));
}

// Found by functions_fuzz: timestamps near the int64 limits overflowed
// while being split into days and milliseconds.
TEST(ValueText, ExtremeTimestampsPrint) {
  EXPECT_EQ(Value::timestamp(INT64_MIN).to_string().substr(0, 1), "-");
  EXPECT_FALSE(Value::timestamp(INT64_MAX).to_string().empty());
  EXPECT_EQ(Value::date(146097).to_string(), "2370-01-01");
  EXPECT_EQ(floor_mod(INT64_MIN, 86400000), 86400000 + INT64_MIN % 86400000);
}

TEST(Civil, RoundTripsFarDates) {
  for (int64_t ms : {int64_t{0}, int64_t{-86400000LL * 365 * 3000}, int64_t{253402300799999LL}, int64_t{-1}}) {
    EXPECT_EQ(millis_from_civil(civil_from_millis(ms)), ms);
  }
}

}  // namespace
}  // namespace runnel::sql
