#include "glue/names.h"

#include <gtest/gtest.h>

namespace runnel::glue {
namespace {

bool match(std::string_view expression, std::string_view name) {
  auto f = NameFilter::parse(expression);
  EXPECT_TRUE(f.has_value()) << expression;
  return f && f->matches(name);
}

TEST(NameFilter, StarIsAWildcardAndTheWholeNameMustMatch) {
  EXPECT_TRUE(match("sales*", "sales_2024"));
  EXPECT_TRUE(match("sales*", "sales"));
  EXPECT_FALSE(match("sales*", "my_sales"));
  EXPECT_TRUE(match("*sales*", "my_sales_x"));
  EXPECT_TRUE(match("sales", "sales"));
  EXPECT_FALSE(match("sales", "sales2"));  // no substring match
}

TEST(NameFilter, RegularExpressionsKeepTheirMeaning) {
  EXPECT_TRUE(match(".*_raw", "events_raw"));  // ".*" is not turned into "..*"
  EXPECT_FALSE(match(".*_raw", "events_raw2"));
  EXPECT_TRUE(match("t[0-9]+", "t42"));
  EXPECT_FALSE(match("t[0-9]+", "tx"));
  EXPECT_TRUE(match("a.c", "abc"));
}

TEST(NameFilter, BarSeparatesAlternatives) {
  EXPECT_TRUE(match("orders|customers", "orders"));
  EXPECT_TRUE(match("orders|customers", "customers"));
  EXPECT_FALSE(match("orders|customers", "ordersx"));
  EXPECT_TRUE(match("ord*|cust*", "customers_v2"));
}

TEST(NameFilter, IgnoresCase) {
  EXPECT_TRUE(match("SALES*", "sales_eu"));
  EXPECT_TRUE(match("sales*", "SALES_EU"));
}

TEST(NameFilter, AnExpressionThatDoesNotCompileIsInvalidInput) {
  auto f = NameFilter::parse("orders(");
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().type, "InvalidInputException");
  EXPECT_EQ(f.error().http_status, 400);
}

TEST(Names, LowercaseAsciiOnly) {
  EXPECT_EQ(lower_name("Sales_DB-1"), "sales_db-1");
  EXPECT_EQ(lower_name("\xc3\x84pfel"), "\xc3\x84pfel");  // UTF-8 left as it is
}

TEST(Tokens, RoundTripAndRefuseOthers) {
  auto t = read_token(make_token("table_07"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, "table_07");
  auto bad = read_token("not base64!");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().type, "InvalidInputException");
  EXPECT_FALSE(read_token("").has_value());
}

TEST(VersionIds, DecimalNonNegativeIntegersOnly) {
  EXPECT_EQ(parse_version_id("0").value_or(-1), 0);
  EXPECT_EQ(parse_version_id("17").value_or(-1), 17);
  for (std::string_view bad : {"", "-1", "01", "1.0", "x", " 1", "99999999999999999999999"}) {
    auto v = parse_version_id(bad);
    ASSERT_FALSE(v.has_value()) << bad;
    EXPECT_EQ(v.error().type, "InvalidInputException") << bad;
  }
}

}  // namespace
}  // namespace runnel::glue
