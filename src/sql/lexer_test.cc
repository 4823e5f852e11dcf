#include "sql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace runnel::sql {
namespace {

std::vector<Token> lex(std::string_view sql) {
  TokenizeResult r = tokenize(sql);
  EXPECT_TRUE(r.ok) << r.error.to_string();
  return r.tokens;
}

ParseError lex_error(std::string_view sql) {
  TokenizeResult r = tokenize(sql);
  EXPECT_FALSE(r.ok) << sql;
  return r.error;
}

TEST(Lexer, WordsAreFoldedToUpperCaseAndQuotedIdentifiersKeptAsWritten) {
  auto t = lex("select Ticker_Symbol, \"Ticker_Symbol\", \"say \"\"hi\"\"\" from s$1");
  ASSERT_EQ(t.size(), 9u);
  EXPECT_TRUE(t[0].is_word("SELECT"));
  EXPECT_EQ(t[1].kind, TokenKind::kWord);
  EXPECT_EQ(t[1].text, "TICKER_SYMBOL");
  EXPECT_EQ(t[1].raw, "Ticker_Symbol");
  EXPECT_TRUE(t[2].is_symbol(","));
  EXPECT_EQ(t[3].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(t[3].text, "Ticker_Symbol");
  EXPECT_EQ(t[5].text, "say \"hi\"");
  EXPECT_TRUE(t[6].is_word("FROM"));
  EXPECT_EQ(t[7].text, "S$1");
  EXPECT_EQ(t[8].kind, TokenKind::kEnd);
}

TEST(Lexer, NumbersKeepTheirTextAndKind) {
  auto t = lex("42 3.25 .5 7. 1e10 1.5E-3 2e+2");
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t[0].kind, TokenKind::kInteger);
  EXPECT_EQ(t[0].text, "42");
  EXPECT_EQ(t[1].kind, TokenKind::kDecimal);
  EXPECT_EQ(t[1].text, "3.25");
  EXPECT_EQ(t[2].kind, TokenKind::kDecimal);
  EXPECT_EQ(t[2].text, ".5");
  EXPECT_EQ(t[3].kind, TokenKind::kDecimal);
  EXPECT_EQ(t[4].kind, TokenKind::kApproximate);
  EXPECT_EQ(t[4].text, "1e10");
  EXPECT_EQ(t[5].kind, TokenKind::kApproximate);
  EXPECT_EQ(t[5].text, "1.5E-3");
  EXPECT_EQ(t[6].text, "2e+2");
}

TEST(Lexer, StringsUnescapeDoubledQuotesAndUnicodeEscapes) {
  auto t = lex("'it''s' '' U&'\\0041\\00e9\\+01F600\\\\' X'0aFF' x''");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].text, "it's");
  EXPECT_EQ(t[1].text, "");
  EXPECT_EQ(t[2].kind, TokenKind::kString);
  EXPECT_EQ(t[2].text, "A\xC3\xA9\xF0\x9F\x98\x80\\");
  EXPECT_EQ(t[3].kind, TokenKind::kBinaryString);
  EXPECT_EQ(t[3].text, "0aFF");
  EXPECT_EQ(t[4].kind, TokenKind::kBinaryString);
  EXPECT_EQ(t[4].text, "");
}

TEST(Lexer, XAndUStartWordsWhenNoQuoteFollows) {
  auto t = lex("x u xy X 'a'");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_TRUE(t[0].is_word("X"));
  EXPECT_TRUE(t[1].is_word("U"));
  EXPECT_TRUE(t[2].is_word("XY"));
  EXPECT_TRUE(t[3].is_word("X"));
  EXPECT_EQ(t[4].kind, TokenKind::kString);
}

TEST(Lexer, SymbolsIncludeTwoCharacterOperators) {
  auto t = lex("a<=b>=c<>d!=e||f<g>h=i+j-k*l/m%n(o).p;?");
  std::vector<std::string> symbols;
  for (const Token& tok : t) {
    if (tok.kind == TokenKind::kSymbol) symbols.push_back(tok.text);
  }
  std::vector<std::string> want = {"<=", ">=", "<>", "!=", "||", "<", ">", "=", "+",
                                   "-",  "*",  "/",  "%",  "(",  ")", ".", ";", "?"};
  EXPECT_EQ(symbols, want);
}

TEST(Lexer, CommentsAreSkippedAndPositionsCountLines) {
  auto t = lex("-- heading\nSELECT /* a\n block */ a --tail\n\t, b");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].pos.line, 2);
  EXPECT_EQ(t[0].pos.column, 1);
  EXPECT_EQ(t[1].text, "A");
  EXPECT_EQ(t[1].pos.line, 3);
  EXPECT_EQ(t[1].pos.column, 11);
  EXPECT_TRUE(t[2].is_symbol(","));
  EXPECT_EQ(t[2].pos.line, 4);
  EXPECT_EQ(t[2].pos.column, 2);
  EXPECT_EQ(t[4].kind, TokenKind::kEnd);
}

TEST(Lexer, ALeadingByteOrderMarkIsSkipped) {
  auto t = lex("\xEF\xBB\xBFSELECT a");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_TRUE(t[0].is_word("SELECT"));
  EXPECT_EQ(t[0].pos.column, 1);
  // Elsewhere those bytes are an ordinary part of a word.
  auto u = lex("a\xEF\xBB\xBF");
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].text, "A\xEF\xBB\xBF");
}

TEST(Lexer, MinusMinusInsideAStringIsNotAComment) {
  auto t = lex("'a -- b' /* x */ '/* c */'");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].text, "a -- b");
  EXPECT_EQ(t[1].text, "/* c */");
}

TEST(Lexer, ErrorsPointAtTheStartOfTheBadToken) {
  ParseError e = lex_error("SELECT 'abc");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 8);
  EXPECT_EQ(e.message, "the string that starts here is not closed with '");

  e = lex_error("a\n  /* never closed");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);

  e = lex_error("SELECT \"abc");
  EXPECT_EQ(e.column, 8);
  EXPECT_EQ(e.message, "the quoted identifier that starts here is not closed with \"");

  e = lex_error("a = \"\"");
  EXPECT_EQ(e.message, "a quoted identifier cannot be empty");

  e = lex_error("a & b");
  EXPECT_EQ(e.column, 3);
  EXPECT_EQ(e.message, "unexpected character '&'");

  e = lex_error("X'0g'");
  EXPECT_EQ(e.message, "a binary string X'...' may hold only hexadecimal digits");
  e = lex_error("X'abc'");
  EXPECT_EQ(e.message, "a binary string X'...' needs an even number of hex digits");
  e = lex_error("U&'\\12'");
  EXPECT_EQ(e.message, "a unicode escape needs \\XXXX or \\+XXXXXX hex digits");
  e = lex_error("U&'\\D800'");
  EXPECT_EQ(e.message, "a unicode escape names no character");
  e = lex_error("1e+");
  EXPECT_EQ(e.message, "the exponent of this number has no digits");
  e = lex_error("x = 12abc");
  EXPECT_EQ(e.column, 5);
  e = lex_error(std::string_view("a \x01", 3));
  EXPECT_EQ(e.message, "unexpected character byte 1");
}

TEST(Lexer, DescribeTokenNamesItForMessages) {
  auto t = lex("FROM \"Name\" 'text' 12");
  EXPECT_EQ(describe_token(t[0]), "'FROM'");
  EXPECT_EQ(describe_token(t[1]), "\"Name\"");
  EXPECT_EQ(describe_token(t[2]), "string 'text'");
  EXPECT_EQ(describe_token(t[3]), "'12'");
  EXPECT_EQ(describe_token(t[4]), "end of input");
  std::string long_literal = "'" + std::string(100, 'a') + "'";
  auto l = lex(long_literal);
  EXPECT_EQ(describe_token(l[0]), "string '" + std::string(39, 'a') + "...");
}

TEST(Lexer, ErrorToStringNamesLineAndColumn) {
  ParseError e{3, 14, "expected ')' after the column list but found 'FROM'"};
  EXPECT_EQ(e.to_string(), "SQL error at line 3, column 14: expected ')' after the column list but found 'FROM'");
}

}  // namespace
}  // namespace runnel::sql
