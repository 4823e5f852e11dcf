#include "sql/coerce.h"

#include <gtest/gtest.h>

namespace runnel::sql {
namespace {

SqlType T(const char* s) { return *parse_sql_type(s); }

std::string cast_text(const Value& v, const char* type) {
  auto r = cast_value(v, T(type));
  return r ? r->to_string() : "ERR:" + r.error().name;
}

TEST(Cast, ReferenceExamples) {
  // CAST page: DATE to CHAR/VARCHAR, and a VARCHAR too short is an error.
  const Value d = Value::date(*parse_date_text("2008-08-23"));
  EXPECT_EQ(cast_text(d, "VARCHAR(10)"), "2008-08-23");
  EXPECT_EQ(cast_text(d, "VARCHAR(9)"), "ERR:STRING_DATA_RIGHT_TRUNCATION");
  EXPECT_EQ(cast_text(d, "CHAR(12)"), "2008-08-23  ");
  // "The real (NUMERIC or DECIMAL) is rounded by the cast".
  EXPECT_EQ(cast_text(Value::decimal(-175, 2), "INTEGER"), "-2");
  EXPECT_EQ(cast_text(Value::dbl(-1.5), "INTEGER"), "-2");
  EXPECT_EQ(cast_text(Value::dbl(2.4), "BIGINT"), "2");
}

TEST(Cast, NumericRangesAreErrorsNotWraps) {
  EXPECT_EQ(cast_text(Value::integer(300), "TINYINT"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::bigint(1LL << 40), "INTEGER"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::dbl(1e300), "BIGINT"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::dbl(1e300), "REAL"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::integer(1000), "DECIMAL(5,2)"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::integer(999), "DECIMAL(5,2)"), "999.00");
  EXPECT_EQ(cast_text(Value::decimal(12345, 3), "DECIMAL(5,2)"), "12.35");
  EXPECT_EQ(cast_text(Value::dbl(0.125), "DECIMAL(5,2)"), "0.13");
  EXPECT_EQ(cast_text(Value::decimal(150, 2), "DOUBLE"), "1.5");
}

TEST(Cast, TextToEveryKind) {
  EXPECT_EQ(cast_text(Value::varchar(" 42 "), "INTEGER"), "42");
  EXPECT_EQ(cast_text(Value::varchar("1.5e2"), "INTEGER"), "150");
  EXPECT_EQ(cast_text(Value::varchar("-12.345"), "DECIMAL(5,2)"), "-12.35");
  EXPECT_EQ(cast_text(Value::varchar("abc"), "INTEGER"), "ERR:CONVERSION_ERROR");
  EXPECT_EQ(cast_text(Value::varchar(""), "DOUBLE"), "ERR:CONVERSION_ERROR");
  EXPECT_EQ(cast_text(Value::varchar("99999999999999999999"), "BIGINT"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::varchar("2.5"), "DOUBLE"), "2.5");
  EXPECT_EQ(cast_text(Value::varchar("true"), "BOOLEAN"), "TRUE");
  EXPECT_EQ(cast_text(Value::varchar("yes"), "BOOLEAN"), "ERR:CONVERSION_ERROR");
  EXPECT_EQ(cast_text(Value::varchar("2009-09-16 03:15:24"), "TIMESTAMP"), "2009-09-16 03:15:24.0");
  EXPECT_EQ(cast_text(Value::varchar("2009-09-16"), "TIMESTAMP"), "2009-09-16 00:00:00.0");
  EXPECT_EQ(cast_text(Value::varchar("2009-09-16"), "DATE"), "2009-09-16");
  EXPECT_EQ(cast_text(Value::varchar("03:15:24"), "TIME"), "03:15:24");
  EXPECT_EQ(cast_text(Value::varchar("abcdef"), "VARCHAR(3)"), "abc");
  EXPECT_EQ(cast_text(Value::varchar("1 02:03:04.5"), "INTERVAL DAY TO SECOND"), "+1 02:03:04.500");
}

TEST(Cast, DatetimeParts) {
  const Value ts = Value::timestamp(*parse_timestamp_text("2009-09-16 03:15:24.250"));
  EXPECT_EQ(cast_text(ts, "DATE"), "2009-09-16");
  EXPECT_EQ(cast_text(ts, "TIME"), "03:15:24");
  EXPECT_EQ(cast_text(Value::date(1), "TIMESTAMP"), "1970-01-02 00:00:00.0");
  EXPECT_EQ(cast_text(ts, "INTEGER"), "ERR:CONVERSION_ERROR");
  EXPECT_EQ(cast_text(Value::boolean(false), "VARCHAR(5)"), "FALSE");
  EXPECT_TRUE(cast_value(Value(), T("INTEGER"))->is_null());
  const SqlType hour = *parse_sql_type("INTERVAL HOUR");
  EXPECT_EQ(cast_value(Value::interval_day_time(7'200'000), T("BIGINT"), &hour)->as_int(), 2);
}

TEST(Cast, BinaryPadsAndTruncates) {
  EXPECT_EQ(cast_text(Value::varbinary("\x01\x02\x03"), "BINARY(4)"), "01020300");
  EXPECT_EQ(cast_text(Value::varbinary("\x01\x02\x03"), "VARBINARY(2)"), "0102");
}

TEST(ParseTextAs, RecordFormatForms) {
  EXPECT_EQ(parse_text_as("X'0aFF'", T("VARBINARY(4)"))->as_string(), std::string("\x0a\xff"));
  EXPECT_FALSE(parse_text_as("X'0aF'", T("VARBINARY(4)")).has_value());
  EXPECT_EQ(parse_text_as("AMAZON", T("VARCHAR(4)"))->as_string(), "AMAZ");
  EXPECT_EQ(parse_text_as("h\xc3\xa9llo", T("VARCHAR(2)"))->as_string(), "h\xc3\xa9");
  EXPECT_EQ(parse_text_as("ab", T("CHAR(4)"))->as_string(), "ab  ");
  EXPECT_EQ(parse_text_as("1992-02-14 18:35:44.0", T("TIMESTAMP"))->to_string(), "1992-02-14 18:35:44.0");
}

TEST(Assign, WithinFamilies) {
  EXPECT_EQ(assign_value(Value::integer(5), T("DOUBLE"))->to_string(), "5.0");
  EXPECT_FALSE(assign_value(Value::integer(5), T("VARCHAR(3)")).has_value());
  EXPECT_EQ(assign_value(Value::varchar("abcdef"), T("VARCHAR(2)"))->as_string(), "ab");
}

// Found by functions_fuzz: a 12-digit day count overflowed the
// milliseconds, and many fractional zeros overflowed the rescaling.
TEST(Cast, HugeTextIsOutOfRangeNotOverflow) {
  EXPECT_EQ(cast_text(Value::varchar("121221121221 00:00:00"), "INTERVAL DAY TO SECOND"),
            "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::varchar("0." + std::string(60, '0') + "1"), "DECIMAL(5,2)"), "0.00");
  EXPECT_EQ(cast_text(Value::varchar("9" + std::string(30, '9') + "e30"), "DECIMAL(5,2)"),
            "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::varchar("1e-40"), "INTEGER"), "0");
  EXPECT_EQ(cast_text(Value::varchar(std::string(30, '9')), "DECIMAL(18,18)"), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(cast_text(Value::varchar("737789129377-01-01"), "TIMESTAMP"), "ERR:CONVERSION_ERROR");
}

TEST(Interval, Literals) {
  EXPECT_EQ(parse_interval_text("90", T("INTERVAL MINUTE"))->as_int(), 90 * 60000);
  EXPECT_EQ(parse_interval_text("-2-3", T("INTERVAL YEAR TO MONTH"))->as_int(), -27);
  EXPECT_EQ(parse_interval_text("1:30", T("INTERVAL HOUR TO MINUTE"))->as_int(), 90 * 60000);
  EXPECT_FALSE(parse_interval_text("1:75", T("INTERVAL HOUR TO MINUTE")).has_value());
  EXPECT_FALSE(parse_interval_text("x", T("INTERVAL SECOND")).has_value());
}

}  // namespace
}  // namespace runnel::sql
