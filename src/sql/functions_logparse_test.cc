#include <gtest/gtest.h>

#include "sql/functions.h"

namespace runnel::sql {
namespace {

struct Parsed {
  std::vector<std::string> names;
  std::vector<std::string> values;  // "NULL" for NULL; empty when the row is NULL
  bool bound = false;
};

Parsed parse(std::string_view fn, std::vector<Value> args) {
  Parsed out;
  auto infos = constant_args(args);
  auto b = find_row_function(fn, infos);
  if (!b) return out;
  out.bound = true;
  for (const RowColumn& c : b->columns) out.names.push_back(c.name + " " + c.type.to_string());
  auto r = b->fn(args);
  if (!r) {
    out.values.push_back("ERR:" + r.error().name);
    return out;
  }
  if (*r) {
    for (const Value& v : **r) out.values.push_back(v.is_null() ? "NULL" : v.to_string());
  }
  return out;
}

Value S(const char* s) { return Value::varchar(s); }

using V = std::vector<std::string>;

TEST(RegexLogParse, GroupsBecomeColumns) {
  // The reference's example 1: two capture groups over SECTOR.
  auto p = parse("REGEX_LOG_PARSE", {S("ENERGY"), S(".*([E].).*([R].*)")});
  ASSERT_TRUE(p.bound);
  EXPECT_EQ(p.names, (V{"COLUMN1 VARCHAR(1024)", "COLUMN2 VARCHAR(1024)"}));
  EXPECT_EQ(p.values, (V{"EN", "RGY"}));  // the last "E." that still leaves an R after it
  EXPECT_TRUE(parse("REGEX_LOG_PARSE", {S("TECHNOLOGY"), S(".*([E].).*([R].*)")}).values.empty());  // no R: NULL
  auto typed = parse("REGEX_LOG_PARSE",
                     {S("id=42 at 2017-01-01 00:00:00"), S("id=(\\d+) at (.*)"), S("ID INTEGER, AT TIMESTAMP")});
  EXPECT_EQ(typed.names, (V{"ID INTEGER", "AT TIMESTAMP"}));
  EXPECT_EQ(typed.values, (V{"42", "2017-01-01 00:00:00.0"}));
  EXPECT_EQ(parse("FAST_REGEX_LOG_PARSER", {S("a-b"), S("(\\w)-(\\w)")}).values, (V{"a", "b"}));
  EXPECT_FALSE(parse("REGEX_LOG_PARSE", {S("x"), S("(")}).bound);
  EXPECT_EQ(parse("REGEX_LOG_PARSE", {S("id=x"), S("id=(.*)"), S("ID INTEGER")}).values, (V{"ERR:CONVERSION_ERROR"}));
}

TEST(FixedColumnLogParse, PositionsFromZero) {
  auto p = parse("FIXED_COLUMN_LOG_PARSE", {S("ABC 0042 24/May/2004:22:01:02"),
                                            S("CODE TYPE VARCHAR(3) START 0 FOR 3, N TYPE INTEGER START 4 FOR 4, "
                                              "\"when\" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 9")});
  ASSERT_TRUE(p.bound);
  EXPECT_EQ(p.names, (V{"CODE VARCHAR(3)", "N INTEGER", "when TIMESTAMP"}));
  EXPECT_EQ(p.values, (V{"ABC", "42", "2004-05-24 22:01:02.0"}));
  EXPECT_FALSE(parse("FIXED_COLUMN_LOG_PARSE", {S("x"), S("A TYPE INTEGER")}).bound);  // no START
}

TEST(VariableColumnLogParse, DelimitersEscapesQuotes) {
  auto p = parse("VARIABLE_COLUMN_LOG_PARSE", {S("a,b,c"), Value::integer(2), S(",")});
  EXPECT_EQ(p.names, (V{"COLUMN1 VARCHAR(1024)", "COLUMN2 VARCHAR(1024)"}));
  EXPECT_EQ(p.values, (V{"a", "b"}));
  // The reference: with ',' and '\', "a\,b" is one field "a,b".
  EXPECT_EQ(parse("VARIABLE_COLUMN_LOG_PARSE", {S("a\\,b"), Value::integer(2), S(","), S("\\"), S("")}).values,
            (V{"a,b", "NULL"}));
  EXPECT_EQ(parse("VARIABLE_COLUMN_LOG_PARSE", {S("'x,y'|z"), Value::integer(2), S("|"), S(""), S("'")}).values,
            (V{"x,y", "z"}));
  EXPECT_EQ(parse("VARIABLE_COLUMN_LOG_PARSE", {S("[a|b]|z"), Value::integer(2), S("|"), S(""), S("[]")}).values,
            (V{"a|b", "z"}));
  auto typed = parse("VARIABLE_COLUMN_LOG_PARSE",
                     {S("7\t2.5\tok"), S("N TYPE INTEGER, P TYPE DECIMAL(4,2), S TYPE VARCHAR(8)"), S("\t")});
  EXPECT_EQ(typed.values, (V{"7", "2.50", "ok"}));
}

TEST(SysLogParse, StampAndMessage) {
  auto p = parse("SYS_LOG_PARSE", {S("Jan  5 14:03:59 host sshd[42]: Accepted key")});
  EXPECT_EQ(p.names, (V{"COLUMN1 TIMESTAMP", "COLUMN2 VARCHAR(1024)"}));
  EXPECT_EQ(p.values, (V{"1970-01-05 14:03:59.0", "host sshd[42]: Accepted key"}));
  EXPECT_TRUE(parse("SYS_LOG_PARSE", {S("not a syslog line")}).values.empty());
}

TEST(W3cLogParse, CommonAndCombined) {
  const char* line = "192.168.254.30 - John [24/May/2004:22:01:02 -0700] \"GET /icons/apache_pb.gif HTTP/1.1\" 304 0";
  auto p = parse("W3C_LOG_PARSE", {S(line), S("COMMON")});
  ASSERT_TRUE(p.bound);
  EXPECT_EQ(p.values.size(), 7u);
  EXPECT_EQ(p.values, (V{"192.168.254.30", "-", "John", "24/May/2004:22:01:02 -0700",
                         "GET /icons/apache_pb.gif HTTP/1.1", "304", "0"}));
  auto c = parse("W3C_LOG_PARSE", {S("1.2.3.4 - - [01/Jan/2017:00:00:00 +0000] \"GET / HTTP/1.1\" 200 12 "
                                     "\"http://x/\" \"curl/7.1\""),
                                   S("NCSA EXTENDED")});
  ASSERT_EQ(c.values.size(), 9u);
  EXPECT_EQ(c.values[7], "http://x/");
  EXPECT_EQ(c.values[8], "curl/7.1");
  EXPECT_TRUE(parse("W3C_LOG_PARSE", {S("garbage"), S("COMMON")}).values.empty());
  EXPECT_FALSE(parse("W3C_LOG_PARSE", {S("x"), S("IIS")}).bound);
}

}  // namespace
}  // namespace runnel::sql
