#include "protocol/timestamp_text.h"

#include <gtest/gtest.h>

namespace runnel::protocol {
namespace {

TEST(TimestampText, Iso8601) {
  EXPECT_EQ(parse_iso8601_millis("2026-12-07T00:15:30Z"), 1796602530000);
  EXPECT_EQ(parse_iso8601_millis("2026-12-07T00:15:30.25Z"), 1796602530250);
  EXPECT_EQ(parse_iso8601_millis("2026-12-07T01:15:30+01:00"), 1796602530000);
  EXPECT_EQ(parse_iso8601_millis("1969-12-31T23:59:59Z"), -1000);
  EXPECT_FALSE(parse_iso8601_millis("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_millis("2026-12-07T00:15:30"));
  EXPECT_FALSE(parse_iso8601_millis("2026-12-07T00:15:30Zjunk"));
  EXPECT_EQ(format_iso8601(1796602530000), "2026-12-07T00:15:30Z");
  EXPECT_EQ(format_iso8601(1796602530250), "2026-12-07T00:15:30.250Z");
  EXPECT_EQ(format_iso8601(-1000), "1969-12-31T23:59:59Z");
}

TEST(TimestampText, HttpDate) {
  EXPECT_EQ(parse_http_date_millis("Mon, 07 Dec 2026 00:15:30 GMT"), 1796602530000);
  EXPECT_FALSE(parse_http_date_millis("Mon, 07 Dek 2026 00:15:30 GMT"));
  EXPECT_FALSE(parse_http_date_millis("Mon, 07 Dec 2026 00:15:30 UTC"));
  EXPECT_EQ(format_http_date(1796602530999), "Mon, 07 Dec 2026 00:15:30 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

}  // namespace
}  // namespace runnel::protocol
