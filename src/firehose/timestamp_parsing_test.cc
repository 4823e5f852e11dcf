#include "firehose/timestamp_parsing.h"

#include <gtest/gtest.h>

namespace runnel::firehose {
namespace {

// 2017-02-07T15:13:01Z
constexpr int64_t kT = 1486480381;

void expect_ts(std::optional<parquet::Timestamp> t, int64_t secs, uint32_t nanos) {
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->seconds, secs);
  EXPECT_EQ(t->nanos, nanos);
}

TEST(TimestampParsing, DaysFromCivil) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

TEST(TimestampParsing, SqlTimestampIsJavaValueOf) {
  expect_ts(parse_sql_timestamp("2017-02-07 15:13:01"), kT, 0);
  expect_ts(parse_sql_timestamp("2017-2-7 15:13:01.14"), kT, 140'000'000);
  expect_ts(parse_sql_timestamp(" 2017-02-07 15:13:01.123456789 "), kT, 123'456'789);
  EXPECT_FALSE(parse_sql_timestamp("2017-02-07T15:13:01"));
  EXPECT_FALSE(parse_sql_timestamp("2017-02-30 15:13:01"));
  EXPECT_FALSE(parse_sql_timestamp("2017-02-07 24:00:00"));
  EXPECT_FALSE(parse_sql_timestamp("2017-02-07 15:13:01.1234567890"));
  EXPECT_FALSE(parse_sql_timestamp("2017-02-07"));
}

TEST(TimestampParsing, SqlDate) {
  EXPECT_EQ(parse_sql_date("1970-01-02"), 1);
  EXPECT_EQ(parse_sql_date("2000-3-1"), 11017);
  EXPECT_FALSE(parse_sql_date("2001-02-29"));
  EXPECT_FALSE(parse_sql_date("2000-03-01 00:00:00"));
}

TEST(TimestampParsing, EpochNumbers) {
  expect_ts(parse_epoch_number("1518033528"), 1518033528, 0);
  expect_ts(parse_epoch_number("1518033528123"), 1518033528, 123'000'000);
  expect_ts(parse_epoch_number("1518033528.123"), 1518033528, 123'000'000);
  expect_ts(parse_epoch_number("-1.5"), -2, 500'000'000);
  EXPECT_FALSE(parse_epoch_number("1e9"));
  EXPECT_FALSE(parse_epoch_number("12a"));
}

TEST(TimestampParsing, OpenXForms) {
  expect_ts(parse_openx_timestamp("2017-02-07T15:13:01.39256Z"), kT, 392'560'000);
  expect_ts(parse_openx_timestamp("2017-02-07T15:13:01"), kT, 0);
  expect_ts(parse_openx_timestamp("2017-02-07T17:13:01+02:00"), kT, 0);
  expect_ts(parse_openx_timestamp("2017-2-7 15:13:01.14"), kT, 140'000'000);
  expect_ts(parse_openx_timestamp("1486480381"), kT, 0);
  EXPECT_FALSE(parse_openx_timestamp("07/02/2017"));
}

TEST(TimestampParsing, JodaPatterns) {
  auto p = JodaPattern::compile("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  ASSERT_TRUE(p.has_value());
  expect_ts(p->parse("2017-02-07T16:13:01.250+0100"), kT, 250'000'000);
  expect_ts(p->parse("2017-02-07T15:13:01.250Z"), kT, 250'000'000);
  EXPECT_FALSE(p->parse("2017-02-07 15:13:01.250Z"));

  auto q = JodaPattern::compile("dd/MMM/yyyy:hh:mm:ss a ZZ");
  ASSERT_TRUE(q.has_value());
  expect_ts(q->parse("07/feb/2017:03:13:01 PM +00:00"), kT, 0);
  expect_ts(q->parse("07/Feb/2017:10:13:01 AM -05:00"), kT, 0);

  auto r = JodaPattern::compile("EEE, d MMMM yyyy HH:mm:ss");
  ASSERT_TRUE(r.has_value());
  expect_ts(r->parse("Tue, 7 February 2017 15:13:01"), kT, 0);

  auto adjacent = JodaPattern::compile("yyyyMMddHHmmss");
  ASSERT_TRUE(adjacent.has_value());
  expect_ts(adjacent->parse("20170207151301"), kT, 0);

  // Joda keeps milliseconds.
  auto frac = JodaPattern::compile("yyyy-MM-dd HH:mm:ss.SSSSSS");
  ASSERT_TRUE(frac.has_value());
  expect_ts(frac->parse("2017-02-07 15:13:01.123456"), kT, 123'000'000);

  auto quote = JodaPattern::compile("yyyy''MM");
  ASSERT_TRUE(quote.has_value());
  EXPECT_TRUE(quote->parse("2017'02"));
}

TEST(TimestampParsing, JodaPatternsRefused) {
  EXPECT_FALSE(JodaPattern::compile(""));
  EXPECT_FALSE(JodaPattern::compile("yy-MM-dd"));
  EXPECT_FALSE(JodaPattern::compile("yyyy-MM-dd'T"));
  EXPECT_FALSE(JodaPattern::compile("yyyy-ww"));
  EXPECT_FALSE(JodaPattern::compile("yyyy zzz"));
}

}  // namespace
}  // namespace runnel::firehose
