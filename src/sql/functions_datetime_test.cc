#include <gtest/gtest.h>

#include "sql/functions.h"
#include "sql/functions_datefmt.h"
#include "sql/functions_test_util.h"

namespace runnel::sql {
namespace {

Value S(const char* s) { return Value::varchar(s); }
Value TS(const char* s) { return Value::timestamp(*parse_timestamp_text(s)); }

std::string c2t(const char* format, const char* input) { return eval("CHAR_TO_TIMESTAMP", {S(format), S(input)}); }

// "Template Strings to Create Specific Output Timestamps" (KDA SQL
// Reference): template, input, output.
TEST(CharToTimestamp, ReferenceTemplateTable) {
  EXPECT_EQ(c2t("yyyy-MM-dd hh:mm:ss", "2009-09-16 03:15:24"), "2009-09-16 03:15:24.0");
  EXPECT_EQ(c2t("yyyy-mm", "2011-02-08 07:23:19"), "2011-01-01 00:02:00.0");
  EXPECT_EQ(c2t("MMM dd, yyyy", "March 7, 2010"), "2010-03-07 00:00:00.0");
  EXPECT_EQ(c2t("MMM dd,", "March 7, 2010"), "1970-03-07 00:00:00.0");
  EXPECT_EQ(c2t("MMM dd,y", "March 7, 2010"), "2010-03-07 00:00:00.0");  // blanks before a field are skipped
  EXPECT_EQ(c2t("MMM dd,y", "March 7, 10"), "0010-03-07 00:00:00.0");
  EXPECT_EQ(c2t("MMM dd yyyy", "March 7, 2010"), "ERR:CONVERSION_ERROR");  // "so must the input string"
  EXPECT_EQ(c2t("M-d", "2-8"), "1970-02-08 00:00:00.0");
  EXPECT_EQ(c2t("M-d", "2-8-2011"), "1970-02-08 00:00:00.0");
  EXPECT_EQ(c2t("M-d", "2011-2-8"), "ERR:CONVERSION_ERROR");  // 2011 is not a valid month
  EXPECT_EQ(c2t("MM-dd-yyyy", "06-23-2011 10:11:12"), "2011-06-23 00:00:00.0");
  EXPECT_EQ(c2t("dd-MM-yy hh:mm:ss", "23-06-11 10:11:12"), "2011-06-23 10:11:12.0");
  EXPECT_EQ(c2t("MM-dd-yy hh:mm:ss", "06-23-11 10:11:12"), "2011-06-23 10:11:12.0");
}

TEST(CharToTimestamp, MorePatternLetters) {
  EXPECT_EQ(c2t("yyyy-MM-dd'T'HH:mm:ss.SSSX", "2017-08-01T13:05:09.123Z"), "2017-08-01 13:05:09.123");
  EXPECT_EQ(c2t("yyyy-MM-dd HH:mm:ss Z", "2017-08-01 13:05:09 +0200"), "2017-08-01 11:05:09.0");
  EXPECT_EQ(c2t("dd/MMM/yyyy:HH:mm:ss Z", "24/May/2004:22:01:02 -0700"), "2004-05-25 05:01:02.0");
  EXPECT_EQ(c2t("yyyyMMddHHmmss", "20170801130509"), "2017-08-01 13:05:09.0");
  EXPECT_EQ(c2t("h:mm a", "1:30 PM"), "1970-01-01 13:30:00.0");
  EXPECT_EQ(c2t("h:mm a", "12:30 AM"), "1970-01-01 00:30:00.0");
  EXPECT_EQ(c2t("EEE, d MMM yyyy", "Wed, 4 Jul 2001"), "2001-07-04 00:00:00.0");
  EXPECT_EQ(c2t("yyyy-MM-dd", "2017-02-30"), "ERR:CONVERSION_ERROR");
  EXPECT_EQ(c2t("yyyy-MM-dd", "abc"), "ERR:CONVERSION_ERROR");
  EXPECT_EQ(c2t("yyyy-MM-dd", ""), "ERR:CONVERSION_ERROR");
  EXPECT_FALSE(bind_ok("CHAR_TO_TIMESTAMP", {S("yyyy-qq"), S("2017")}));
  EXPECT_FALSE(bind_ok("CHAR_TO_TIMESTAMP", {S("'unterminated"), S("x")}));
  EXPECT_EQ(eval("CHAR_TO_TIMESTAMP", {S("yyyy"), Value::null(TypeKind::kVarchar)}), "NULL");
  EXPECT_EQ(eval("CHAR_TO_DATE", {S("yyyy-MM-dd"), S("2017-08-01")}), "2017-08-01");
  EXPECT_EQ(eval("CHAR_TO_TIME", {S("HH:mm"), S("13:05")}), "13:05:00");
}

TEST(TimestampToChar, FormatsAndNullText) {
  const Value ts = TS("2017-08-01 13:05:09.123");
  EXPECT_EQ(eval("TIMESTAMP_TO_CHAR", {S("yyyy-MM-dd HH:mm:ss.SSS"), ts}), "2017-08-01 13:05:09.123");
  EXPECT_EQ(eval("TIMESTAMP_TO_CHAR", {S("EEEE, MMMM d, yy h:mm a"), ts}), "Tuesday, August 1, 17 1:05 PM");
  EXPECT_EQ(eval("TIMESTAMP_TO_CHAR", {S("'at' HH 'o''clock' Z"), ts}), "at 13 o'clock +0000");
  EXPECT_EQ(eval("TIMESTAMP_TO_CHAR", {S("D w u k K"), ts}), "213 31 2 13 1");
  // KDA: "If the input is null, the output will be the string 'null'".
  EXPECT_EQ(eval("TIMESTAMP_TO_CHAR", {S("yyyy"), Value::null(TypeKind::kTimestamp)}), "null");
  EXPECT_EQ(eval("DATE_TO_CHAR", {S("dd.MM.yyyy"), Value::date(*parse_date_text("2008-08-23"))}), "23.08.2008");
  EXPECT_EQ(eval("TIME_TO_CHAR", {S("HH:mm"), Value::time(3723000)}), "01:02");
  EXPECT_EQ(eval("TIMESTAMP_TO_CHAR", {S("yyyy-MM-dd"), Value::timestamp(-1)}), "1969-12-31");
}

TEST(DateFormat, RoundTripsEveryNumericField) {
  auto f = DateFormat::compile("yyyy-MM-dd HH:mm:ss.SSS");
  ASSERT_TRUE(f.has_value());
  for (int64_t ms : {int64_t{0}, int64_t{951782400123}, int64_t{253402300799999}, int64_t{-86400000}}) {
    EXPECT_EQ(f->parse(f->format(ms)), ms) << f->format(ms);
  }
}

TEST(Extract, FieldsOfDatetimesAndIntervals) {
  const Value ts = TS("2017-08-01 13:05:09.123");
  EXPECT_EQ(eval("EXTRACT", {S("YEAR"), ts}), "2017");
  EXPECT_EQ(eval("EXTRACT", {S("MONTH"), ts}), "8");
  EXPECT_EQ(eval("EXTRACT", {S("DAY"), ts}), "1");
  EXPECT_EQ(eval("EXTRACT", {S("HOUR"), ts}), "13");
  EXPECT_EQ(eval("EXTRACT", {S("MINUTE"), ts}), "5");
  EXPECT_EQ(eval("EXTRACT", {S("SECOND"), ts}), "9");
  EXPECT_EQ(eval("EXTRACT", {S("quarter"), ts}), "3");
  EXPECT_EQ(eval("EXTRACT", {S("DAY"), Value::interval_day_time(2 * 86400000LL + 3600000)}), "2");
  EXPECT_EQ(eval("EXTRACT", {S("HOUR"), Value::interval_day_time(2 * 86400000LL + 3600000)}), "1");
  EXPECT_EQ(eval("EXTRACT", {S("YEAR"), Value::interval_year_month(27)}), "2");
  EXPECT_EQ(eval("EXTRACT", {S("HOUR"), Value::time(3723000)}), "1");
  EXPECT_FALSE(bind_ok("EXTRACT", {S("HOUR"), Value::date(0)}));
  EXPECT_FALSE(bind_ok("EXTRACT", {S("FORTNIGHT"), ts}));
  EXPECT_EQ(eval("EXTRACT", {S("YEAR"), Value::null(TypeKind::kTimestamp)}), "NULL");
}

TEST(FloorCeil, ToUnits) {
  const Value ts = TS("2017-08-16 13:05:09.123");
  EXPECT_EQ(eval("FLOOR", {ts, S("MINUTE")}), "2017-08-16 13:05:00.0");
  EXPECT_EQ(eval("FLOOR", {ts, S("HOUR")}), "2017-08-16 13:00:00.0");
  EXPECT_EQ(eval("FLOOR", {ts, S("DAY")}), "2017-08-16 00:00:00.0");
  EXPECT_EQ(eval("FLOOR", {ts, S("MONTH")}), "2017-08-01 00:00:00.0");
  EXPECT_EQ(eval("FLOOR", {ts, S("QUARTER")}), "2017-07-01 00:00:00.0");
  EXPECT_EQ(eval("FLOOR", {ts, S("YEAR")}), "2017-01-01 00:00:00.0");
  EXPECT_EQ(eval("CEIL", {ts, S("SECOND")}), "2017-08-16 13:05:10.0");
  EXPECT_EQ(eval("CEIL", {ts, S("MONTH")}), "2017-09-01 00:00:00.0");
  EXPECT_EQ(eval("CEIL", {TS("2017-08-01 00:00:00"), S("DAY")}), "2017-08-01 00:00:00.0");
  EXPECT_EQ(eval("FLOOR", {TS("1969-12-31 23:59:59.5"), S("SECOND")}), "1969-12-31 23:59:59.0");
  EXPECT_EQ(eval("FLOOR", {Value::date(*parse_date_text("2017-08-16")), S("MONTH")}), "2017-08-01");
  EXPECT_FALSE(bind_ok("FLOOR", {ts, S("WEEK")}));
}

TEST(Conversion, TsdiffToTimestampUnixTimestamp) {
  EXPECT_EQ(eval("TSDIFF", {TS("2017-01-01 00:00:01"), TS("2017-01-01 00:00:00.250")}), "750");
  EXPECT_EQ(eval("TSDIFF", {TS("2017-01-01 00:00:01"), Value::null(TypeKind::kTimestamp)}), "NULL");
  EXPECT_EQ(eval("TO_TIMESTAMP", {Value::bigint(1483228800123)}), "2017-01-01 00:00:00.123");
  EXPECT_EQ(eval("UNIX_TIMESTAMP", {TS("2017-01-01 00:00:00.123")}), "1483228800123");
  EXPECT_FALSE(bind_ok("UNIX_TIMESTAMP", {S("2017")}));
}

}  // namespace
}  // namespace runnel::sql
