#include "protocol/http_date.h"

#include <gtest/gtest.h>

namespace runnel::protocol {
namespace {

TEST(HttpDate, ParsesAndFormats) {
  EXPECT_EQ(parse_http_date_millis("Mon, 07 Dec 2026 00:15:30 GMT"), 1796602530000);
  EXPECT_FALSE(parse_http_date_millis("Mon, 07 Dek 2026 00:15:30 GMT"));
  EXPECT_FALSE(parse_http_date_millis("Mon, 07 Dec 2026 00:15:30 UTC"));
  EXPECT_EQ(format_http_date(1796602530999), "Mon, 07 Dec 2026 00:15:30 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

}  // namespace
}  // namespace runnel::protocol
