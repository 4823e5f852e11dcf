#include <gtest/gtest.h>

#include "sql/functions.h"
#include "sql/functions_regex.h"
#include "sql/functions_test_util.h"

namespace runnel::sql {
namespace {

Value S(const char* s) { return Value::varchar(s); }
Value I(int64_t i) { return Value::integer(i); }
const Value kNullText = Value::null(TypeKind::kVarchar);

TEST(Concat, ReferenceExamples) {
  EXPECT_EQ(eval("||", {S("SQL"), S("stream")}), "SQLstream");
  EXPECT_EQ(eval("||", {S("SQL"), S("")}), "SQL");
  EXPECT_EQ(eval("||", {S("SQL"), kNullText}), "NULL");
  EXPECT_EQ(eval("||", {Value::varbinary("\x01"), Value::varbinary("\x02")}), "0102");
  EXPECT_FALSE(bind_ok("||", {S("a"), I(1)}));
}

TEST(Like, ReferenceTable) {
  struct Case {
    const char* s;
    const char* p;
    const char* esc;
    const char* want;
  } cases[] = {
      {"a", "a", nullptr, "TRUE"},
      {"a", "A", nullptr, "FALSE"},
      {"a", "b", nullptr, "FALSE"},
      {"ab", "a_", nullptr, "TRUE"},
      {"ab", "a%", nullptr, "TRUE"},
      {"ab", "a\\_", "\\", "FALSE"},
      {"ab", "a\\%", "\\", "FALSE"},
      {"a_", "a\\_", "\\", "TRUE"},
      {"a%", "a\\%", "\\", "TRUE"},
      {"a", "a_", nullptr, "FALSE"},
      {"a", "a%", nullptr, "TRUE"},
      {"abcd", "a_", nullptr, "FALSE"},
      {"abcd", "a%", nullptr, "TRUE"},
      {"", "", nullptr, "TRUE"},
      {"1a", "_a", nullptr, "TRUE"},
      {"123aXYZ", "%a%", nullptr, "TRUE"},
      {"123aXYZ", "_%_a%_", nullptr, "TRUE"},
  };
  for (const Case& c : cases) {
    const std::string got = c.esc ? eval("LIKE", {S(c.s), S(c.p), S(c.esc)}) : eval("LIKE", {S(c.s), S(c.p)});
    EXPECT_EQ(got, c.want) << "'" << c.s << "' LIKE '" << c.p << "'";
  }
  EXPECT_EQ(eval("LIKE", {kNullText, S("%")}), "NULL");
  EXPECT_EQ(eval("LIKE", {S("é"), S("_")}), "TRUE");
  EXPECT_EQ(eval("LIKE", {S("ab"), S("a\\"), S("\\")}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("LIKE", {S("ab"), S("a%"), S("xy")}), "ERR:INVALID_ARGUMENT");
}

TEST(SimilarTo, SqlRegexOverPcre) {
  EXPECT_EQ(eval("SIMILAR TO", {S("abc"), S("abc")}), "TRUE");
  EXPECT_EQ(eval("SIMILAR TO", {S("abc"), S("a")}), "FALSE");
  EXPECT_EQ(eval("SIMILAR TO", {S("abc"), S("%(b|d)%")}), "TRUE");
  EXPECT_EQ(eval("SIMILAR TO", {S("abc"), S("(b|c)%")}), "FALSE");
  EXPECT_EQ(eval("SIMILAR TO", {S("a.c"), S("a.c")}), "TRUE");
  EXPECT_EQ(eval("SIMILAR TO", {S("abc"), S("a.c")}), "FALSE");  // '.' is literal in SQL
  EXPECT_EQ(eval("SIMILAR TO", {S("aaa"), S("a{2,3}")}), "TRUE");
  EXPECT_EQ(eval("SIMILAR TO", {S("x7"), S("[a-z][0-9]")}), "TRUE");
  EXPECT_EQ(eval("SIMILAR TO", {S("a%"), S("a#%"), S("#")}), "TRUE");
  EXPECT_EQ(eval("SIMILAR TO", {S("ab"), S("a#%"), S("#")}), "FALSE");
  EXPECT_EQ(eval("SIMILAR TO", {S("a\nb"), S("a_b")}), "TRUE");
  EXPECT_FALSE(bind_ok("SIMILAR TO", {S("a"), S("[a-")}));
}

TEST(Substring, PositionalReferenceRules) {
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(2), I(3)}), "bcd");
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(4)}), "def");
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(0), I(3)}), "ab");  // start < 1 shortens the length
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(-2), I(4)}), "a");
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(10)}), "");
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(2), I(0)}), "");
  EXPECT_EQ(eval("SUBSTRING", {S("abcdef"), I(2), I(-1)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("SUBSTRING", {S("héllo"), I(2), I(2)}), "él");
  EXPECT_EQ(eval("SUBSTRING", {kNullText, I(1)}), "NULL");
}

TEST(Substring, RegexAndSimilar) {
  EXPECT_EQ(eval("SUBSTRING", {S("http://www.amazon.com/x"), S("www\\.[a-z]+\\.com")}), "www.amazon.com");
  EXPECT_EQ(eval("SUBSTRING", {S("key=value"), S("=(.*)")}), "value");
  EXPECT_EQ(eval("SUBSTRING", {S("abc"), S("z")}), "NULL");
  EXPECT_FALSE(bind_ok("SUBSTRING", {S("abc"), S("(")}));
  EXPECT_EQ(eval("SUBSTRING SIMILAR", {S("abcdef"), S("a#\"bcd#\"%"), S("#")}), "bcd");
  EXPECT_EQ(eval("SUBSTRING SIMILAR", {S("xbcdef"), S("a#\"bcd#\"%"), S("#")}), "NULL");
  EXPECT_EQ(eval("SUBSTRING SIMILAR", {S("abc"), S("abc"), S("#")}), "ERR:INVALID_ARGUMENT");
}

TEST(Overlay, ReferenceExamples) {
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(1)}), "foo45");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(0)}), "foo345");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(-2)}), "foo12345");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(4)}), "123foo");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(17)}), "12345foo");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(2), I(0)}), "1foo2345");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(2), I(2)}), "1foo45");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), S("foo"), I(2), I(-1)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("OVERLAY", {S("12345"), kNullText, I(2)}), "NULL");
}

TEST(Position, ReferenceExamples) {
  EXPECT_EQ(eval("POSITION", {S("findme"), S("1234findmeXXX")}), "5");
  EXPECT_EQ(eval("POSITION", {S("findme"), S("1234not-hereXXX")}), "0");
  EXPECT_EQ(eval("POSITION", {S("1"), S("1234567")}), "1");
  EXPECT_EQ(eval("POSITION", {S("7"), S("1234567")}), "7");
  EXPECT_EQ(eval("POSITION", {S(""), S("1234567")}), "1");
  EXPECT_EQ(eval("POSITION", {kNullText, S("1234567")}), "NULL");
}

TEST(Position, FindsCharacters) {
  EXPECT_EQ(eval("POSITION", {S("c"), S("abcabc")}), "3");
  EXPECT_EQ(eval("POSITION", {S("c"), S("abcabc"), I(4)}), "6");
  EXPECT_EQ(eval("POSITION", {S("z"), S("abc")}), "0");
  EXPECT_EQ(eval("POSITION", {S(""), S("abc")}), "1");
  EXPECT_EQ(eval("POSITION", {S("l"), S("héllo")}), "3");
  EXPECT_EQ(eval("POSITION", {S("a"), S("abc"), I(9)}), "0");
}

TEST(Trim, ModesAndCharacters) {
  EXPECT_EQ(eval("TRIM", {S("BOTH"), S(" "), S("  a b  ")}), "a b");
  EXPECT_EQ(eval("TRIM", {S("LEADING"), S("x"), S("xxaxx")}), "axx");
  EXPECT_EQ(eval("TRIM", {S("TRAILING"), S("x"), S("xxaxx")}), "xxa");
  // "specifying an empty string or a string longer than one character
  // results in an exception"
  EXPECT_EQ(eval("TRIM", {S("BOTH"), S("xy"), S("xya")}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("TRIM", {S("BOTH"), S(""), S("xya")}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("TRIM", {S("TRAILING"), S("x"), S("xxxTrimxBackxxx")}), "xxxTrimxBack");
  EXPECT_EQ(eval("TRIM", {S("  a  ")}), "a");
  EXPECT_FALSE(bind_ok("TRIM", {S("MIDDLE"), S(" "), S("a")}));
}

TEST(Case, UpperLowerInitcapCharLength) {
  EXPECT_EQ(eval("UPPER", {S("Hello, wörld")}), "HELLO, WÖRLD");
  EXPECT_EQ(eval("LOWER", {S("ÀBC Δ")}), "àbc δ");
  EXPECT_EQ(eval("INITCAP", {S("Each FIRST lEtTeR is cAPITALIZED")}), "Each First Letter Is Capitalized");
  EXPECT_EQ(eval("INITCAP", {S("o'neil-smith x")}), "O'neil-smith X");
  EXPECT_EQ(eval("CHAR_LENGTH", {S("héllo")}), "5");
  EXPECT_EQ(eval("CHARACTER_LENGTH", {S("")}), "0");
  EXPECT_EQ(eval("CHAR_LENGTH", {kNullText}), "NULL");
}

TEST(RegexReplace, JavaReplaceAllSemantics) {
  EXPECT_EQ(eval("REGEX_REPLACE", {S("TECHNOLOGY"), S("TECHNOLOGY"), S("INFORMATION TECHNOLOGY"), I(1), I(0)}),
            "INFORMATION TECHNOLOGY");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("a1b22c333"), S("[0-9]+"), S("#"), I(1), I(0)}), "a#b#c#");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("a1b22c333"), S("[0-9]+"), S("#"), I(1), I(2)}), "a1b#c333");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("a1b22c333"), S("[0-9]+"), S("#"), I(4), I(0)}), "a1b#c#");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("abc"), S("b"), S("x"), I(9), I(0)}), "abc");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("john smith"), S("(\\w+) (\\w+)"), S("$2, $1"), I(1), I(0)}), "smith, john");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("ab"), S("(?<x>a)"), S("[${x}\\$]"), I(1), I(0)}), "[a$]b");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("abc"), S(""), S("-"), I(1), I(0)}), "-a-b-c-");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("abc"), S("b"), S("x"), I(0), I(0)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("abc"), S("b"), S("x"), I(1), I(-1)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("REGEX_REPLACE", {S("abc"), S("b"), S("$3"), I(1), I(0)}), "ERR:INVALID_ARGUMENT");
  EXPECT_FALSE(bind_ok("REGEX_REPLACE", {S("abc"), S("[a-z&&[^b]]"), S("x"), I(1), I(0)}));
}

TEST(Regex, BacktrackingLimitIsAnErrorNotAHang) {
  auto re = Regex::compile("(a+)+$");
  ASSERT_TRUE(re.has_value());
  Regex::Match m;
  auto r = (*re)->search(std::string(40, 'a') + "!", 0, m);
  EXPECT_FALSE(r.has_value());
}

}  // namespace
}  // namespace runnel::sql
