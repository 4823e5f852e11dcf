#pragma once
// The lexer of the Kinesis Data Analytics (KDA) SQL dialect: program text to
// tokens with their 1-based line and column. It knows the dialect's literal
// forms ('strings' with '' escapes, U&'unicode', X'hex', numbers with
// exponents), its "quoted" identifiers, and its -- and /* */ comments, and
// nothing of its grammar: keywords are plain words the parser recognizes.
//
// Threads: pure functions over their arguments.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::sql {

// Where a token or a tree node starts in the program text: 1-based line and
// column, columns counted in bytes from the start of the line (a tab is one).
struct SourcePos {
  int line = 0;
  int column = 0;
};

// A syntax error: where the offending token starts, and what was wrong.
struct ParseError {
  int line = 0;
  int column = 0;
  std::string message;  // e.g. "expected ')' after the column list but found 'FROM'"

  // "SQL error at line 3, column 14: expected ..."
  std::string to_string() const;
};

enum class TokenKind : uint8_t {
  kEnd,               // end of input; text is empty
  kWord,              // an unquoted identifier or keyword; text is folded to upper case
  kQuotedIdentifier,  // "Name"; text is the name, case kept, "" unescaped
  kInteger,           // 123; text as written
  kDecimal,           // 1.5, .5, 1.; text as written
  kApproximate,       // 1e10, 1.5E-3; text as written
  kString,            // 'it''s' or U&'\0041'; text is the value (escapes resolved)
  kBinaryString,      // X'0aFF'; text is the hex digits as written
  kSymbol,            // punctuation and operators; text is the symbol
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourcePos pos;
  std::string_view raw;  // the token's bytes in the program text (for messages)

  bool is_word(std::string_view upper) const { return kind == TokenKind::kWord && text == upper; }
  bool is_symbol(std::string_view s) const { return kind == TokenKind::kSymbol && text == s; }
};

// What tokenize() returns: the tokens (the last one kEnd), or the first
// lexical error (an unterminated string, comment or quoted identifier, a
// character that starts no token, a bad hex or unicode escape).
struct TokenizeResult {
  std::vector<Token> tokens;
  bool ok = true;
  ParseError error;
};

// Splits `sql` into tokens. Symbols are the one- and two-character operators
// ( ) , ; . * + - / % = < > <= >= <> != || and ? ; words are
// [A-Za-z_][A-Za-z0-9_$#]* and get upper-cased, as SQLstream folds unquoted
// identifiers. A leading UTF-8 byte order mark is skipped (columns count from
// after it). Raw views point into `sql`, which must outlive the tokens.
TokenizeResult tokenize(std::string_view sql);

// How a token reads in an error message: 'FROM', '"Name"', "end of input".
std::string describe_token(const Token& t);

}  // namespace runnel::sql
