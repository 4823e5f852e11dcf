#include "sql/lexer.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace runnel::sql {

std::string ParseError::to_string() const {
  return "SQL error at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

std::string describe_token(const Token& t) {
  if (t.kind == TokenKind::kEnd) return "end of input";
  std::string_view raw = t.raw;
  // Long literals are cut: a message names the token, it does not echo the program.
  constexpr size_t kMaxShown = 40;
  std::string shown(raw.substr(0, kMaxShown));
  if (raw.size() > kMaxShown) shown += "...";
  if (t.kind == TokenKind::kString || t.kind == TokenKind::kBinaryString) return "string " + shown;
  if (t.kind == TokenKind::kQuotedIdentifier) return shown;
  return "'" + shown + "'";
}

namespace {

bool is_word_start(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}
bool is_word_char(unsigned char c) { return is_word_start(c) || (c >= '0' && c <= '9') || c == '$' || c == '#'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  TokenizeResult run() {
    TokenizeResult r;
    // A UTF-8 byte order mark (editors put one first) is not part of the code.
    if (sql_.starts_with("\xEF\xBB\xBF")) i_ = line_start_ = 3;
    while (true) {
      if (!skip_space_and_comments()) return fail(std::move(r));
      Token t;
      t.pos = here();
      size_t start = i_;
      if (i_ >= sql_.size()) {
        t.kind = TokenKind::kEnd;
        t.raw = sql_.substr(sql_.size());
        r.tokens.push_back(std::move(t));
        return r;
      }
      if (!next_token(t)) return fail(std::move(r));
      t.raw = sql_.substr(start, i_ - start);
      r.tokens.push_back(std::move(t));
    }
  }

 private:
  SourcePos here() const { return SourcePos{line_, static_cast<int>(i_ - line_start_) + 1}; }
  char peek(size_t ahead = 0) const { return i_ + ahead < sql_.size() ? sql_[i_ + ahead] : '\0'; }
  void advance() {
    if (sql_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  TokenizeResult fail(TokenizeResult r) {
    r.ok = false;
    r.error = error_;
    r.tokens.clear();
    return r;
  }
  bool error_at(SourcePos p, std::string message) {
    error_ = ParseError{p.line, p.column, std::move(message)};
    return false;
  }

  bool skip_space_and_comments() {
    while (i_ < sql_.size()) {
      char c = sql_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (c == '-' && peek(1) == '-') {
        while (i_ < sql_.size() && sql_[i_] != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        SourcePos start = here();
        advance();
        advance();
        while (i_ < sql_.size() && !(sql_[i_] == '*' && peek(1) == '/')) advance();
        if (i_ >= sql_.size()) return error_at(start, "the comment that starts here is not closed with */");
        advance();
        advance();
      } else {
        break;
      }
    }
    return true;
  }

  bool next_token(Token& t) {
    char c = sql_[i_];
    unsigned char uc = static_cast<unsigned char>(c);
    if ((c == 'X' || c == 'x') && peek(1) == '\'') return binary_string(t);
    if ((c == 'U' || c == 'u') && peek(1) == '&' && peek(2) == '\'') return unicode_string(t);
    if (is_word_start(uc)) return word(t);
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(t);
    if (c == '\'') {
      t.kind = TokenKind::kString;
      return quoted('\'', t.text, "string");
    }
    if (c == '"') {
      t.kind = TokenKind::kQuotedIdentifier;
      SourcePos start = here();
      if (!quoted('"', t.text, "quoted identifier")) return false;
      if (t.text.empty()) return error_at(start, "a quoted identifier cannot be empty");
      return true;
    }
    return symbol(t);
  }

  bool word(Token& t) {
    t.kind = TokenKind::kWord;
    while (i_ < sql_.size() && is_word_char(static_cast<unsigned char>(sql_[i_]))) {
      char c = sql_[i_];
      t.text += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
      advance();
    }
    return true;
  }

  bool number(Token& t) {
    SourcePos start = here();
    size_t first = i_;
    t.kind = TokenKind::kInteger;
    while (is_digit(peek())) advance();
    if (peek() == '.') {
      t.kind = TokenKind::kDecimal;
      advance();
      while (is_digit(peek())) advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      size_t ahead = 1;
      if (peek(1) == '+' || peek(1) == '-') ahead = 2;
      if (!is_digit(peek(ahead))) return error_at(start, "the exponent of this number has no digits");
      t.kind = TokenKind::kApproximate;
      for (size_t k = 0; k < ahead; ++k) advance();
      while (is_digit(peek())) advance();
    }
    if (is_word_start(static_cast<unsigned char>(peek()))) {
      return error_at(start,
                      "a number must be followed by a space or an operator, not '" + std::string(1, peek()) + "'");
    }
    t.text = std::string(sql_.substr(first, i_ - first));
    return true;
  }

  // Reads a 'string' or "identifier" starting at the opening quote, with the
  // doubled quote as the escape, into `out`.
  bool quoted(char q, std::string& out, std::string_view what) {
    SourcePos start = here();
    advance();
    while (true) {
      if (i_ >= sql_.size()) {
        return error_at(start, "the " + std::string(what) + " that starts here is not closed with " + q);
      }
      char c = sql_[i_];
      if (c == q) {
        if (peek(1) == q) {
          out += q;
          advance();
          advance();
          continue;
        }
        advance();
        return true;
      }
      out += c;
      advance();
    }
  }

  bool binary_string(Token& t) {
    t.kind = TokenKind::kBinaryString;
    SourcePos start = here();
    advance();
    std::string body;
    if (!quoted('\'', body, "binary string")) return false;
    for (char c : body) {
      if (!is_hex(c)) return error_at(start, "a binary string X'...' may hold only hexadecimal digits");
    }
    if (body.size() % 2 != 0) return error_at(start, "a binary string X'...' needs an even number of hex digits");
    t.text = std::move(body);
    return true;
  }

  // U&'...': \XXXX and \+XXXXXX are code points, \\ a backslash.
  bool unicode_string(Token& t) {
    t.kind = TokenKind::kString;
    SourcePos start = here();
    advance();
    advance();
    std::string body;
    if (!quoted('\'', body, "unicode string")) return false;
    for (size_t k = 0; k < body.size(); ++k) {
      if (body[k] != '\\') {
        t.text += body[k];
        continue;
      }
      if (k + 1 < body.size() && body[k + 1] == '\\') {
        t.text += '\\';
        ++k;
        continue;
      }
      size_t digits = 4;
      size_t from = k + 1;
      if (from < body.size() && body[from] == '+') {
        digits = 6;
        ++from;
      }
      if (from + digits > body.size()) return error_at(start, "a unicode escape needs \\XXXX or \\+XXXXXX hex digits");
      uint32_t cp = 0;
      for (size_t d = 0; d < digits; ++d) {
        char h = body[from + d];
        if (!is_hex(h)) return error_at(start, "a unicode escape needs \\XXXX or \\+XXXXXX hex digits");
        cp = cp * 16 + static_cast<uint32_t>(hex_value(h));
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return error_at(start, "a unicode escape names no character");
      }
      append_utf8(t.text, cp);
      k = from + digits - 1;
    }
    return true;
  }

  bool symbol(Token& t) {
    t.kind = TokenKind::kSymbol;
    char c = sql_[i_];
    std::string_view two = sql_.substr(i_, 2);
    if (two == "<=" || two == ">=" || two == "<>" || two == "!=" || two == "||") {
      t.text = std::string(two);
      advance();
      advance();
      return true;
    }
    switch (c) {
      case '(':
      case ')':
      case ',':
      case ';':
      case '.':
      case '*':
      case '+':
      case '-':
      case '/':
      case '%':
      case '=':
      case '<':
      case '>':
      case '?':
        t.text = std::string(1, c);
        advance();
        return true;
      default: break;
    }
    unsigned char uc = static_cast<unsigned char>(c);
    std::string shown = (uc >= 0x20 && uc < 0x7F) ? "'" + std::string(1, c) + "'" : "byte " + std::to_string(uc);
    return error_at(here(), "unexpected character " + shown);
  }

  std::string_view sql_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  ParseError error_;
};

}  // namespace

TokenizeResult tokenize(std::string_view sql) { return Lexer(sql).run(); }

}  // namespace runnel::sql
