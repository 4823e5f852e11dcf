#pragma once
// The parser's internals, shared by parser.cc (statements, queries, FROM)
// and parser_expr.cc (expressions, types, windows). Not an API: use
// sql/parser.h.
//
// Error idiom: each rule returns an empty Box / std::nullopt / false after
// recording the first error with fail(); callers return at once, so the first
// error is the one reported.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/lexer.h"
#include "sql/parser.h"

namespace runnel::sql::internal {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const ParseError& error() const { return error_; }
  bool failed() const { return failed_; }

  // Whole inputs: each also checks that nothing follows.
  std::optional<ast::Program> program();
  std::optional<ast::Query> query_only();
  ast::Box<ast::Expr> expression_only();

  // ---- parser.cc: statements, queries, FROM ----
  std::optional<ast::Statement> statement();
  std::optional<ast::Statement> create();
  std::optional<ast::Statement> create_function(ast::Statement s, bool or_replace);
  bool insert_body(ast::QualifiedName* target, std::vector<std::string>* columns, ast::Query* query);
  bool at_query_start(size_t ahead = 0) const {
    return at_word("SELECT", ahead) || at_word("VALUES", ahead) || at_symbol("(", ahead);
  }
  std::optional<ast::Query> query();
  std::optional<ast::Query> intersect_chain();
  std::optional<ast::Query> query_term();
  std::optional<ast::Values> values();
  std::optional<ast::Select> select();
  std::optional<ast::SelectItem> select_item();
  ast::Box<ast::FromItem> from_list();
  ast::Box<ast::FromItem> from_join();
  ast::Box<ast::FromItem> from_primary();
  std::optional<std::string> optional_alias(bool* ok);
  bool alias_columns(std::vector<std::string>* columns);
  std::optional<ast::QualifiedName> qualified_name(std::string_view what);
  std::optional<std::string> name(std::string_view what);
  std::optional<std::string> string_literal(std::string_view what);
  std::optional<std::vector<ast::OrderItem>> order_by_list();

  // ---- parser_expr.cc: expressions, types, windows ----
  ast::Box<ast::Expr> expression();
  ast::Box<ast::Expr> or_expr();
  ast::Box<ast::Expr> and_expr();
  ast::Box<ast::Expr> not_expr();
  ast::Box<ast::Expr> comparison();
  ast::Box<ast::Expr> concat();
  ast::Box<ast::Expr> additive();
  ast::Box<ast::Expr> multiplicative();
  ast::Box<ast::Expr> unary();
  ast::Box<ast::Expr> primary();
  ast::Box<ast::Expr> name_or_call();
  ast::Box<ast::Expr> function_call(const Token& at, std::string name);
  ast::Box<ast::Expr> special_form(const Token& word);
  ast::Box<ast::Expr> interval_literal();
  ast::Box<ast::Expr> case_expr();
  std::optional<std::vector<ast::Box<ast::Expr>>> expression_list();
  std::optional<ast::DataType> data_type();
  std::optional<ast::IntervalQualifier> interval_qualifier();
  std::optional<ast::TimeUnit> time_unit(std::string_view context, bool interval_units_only);
  std::optional<int> small_integer(std::string_view what);
  std::optional<ast::Over> over();
  std::optional<ast::WindowSpec> window_spec();
  std::optional<ast::FrameBound> frame_bound();

  // ---- tokens ----
  const Token& peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool at_word(std::string_view w, size_t ahead = 0) const { return peek(ahead).is_word(w); }
  bool at_symbol(std::string_view s, size_t ahead = 0) const { return peek(ahead).is_symbol(s); }
  bool accept_word(std::string_view w) {
    if (!at_word(w)) return false;
    next();
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (!at_symbol(s)) return false;
    next();
    return true;
  }
  // "expected <what> <context> but found <token>"; context may be empty.
  bool expect_word(std::string_view w, std::string_view context) {
    if (accept_word(w)) return true;
    return fail_expected(std::string(w), context);
  }
  bool expect_symbol(std::string_view s, std::string_view context) {
    if (accept_symbol(s)) return true;
    return fail_expected("'" + std::string(s) + "'", context);
  }
  bool fail_expected(const std::string& what, std::string_view context);
  bool fail(const Token& at, std::string message);
  // True when the current token can be a bare name: a quoted identifier, or
  // a word that is not reserved.
  bool at_name(size_t ahead = 0) const;

  // ---- depth ----
  // Counts one more level of nesting; false (and an error) past the limit.
  bool enter();
  void leave(int levels = 1) { depth_ -= levels; }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool failed_ = false;
  ParseError error_;
};

// Restores the depth counted by one rule when it returns.
class DepthScope {
 public:
  explicit DepthScope(Parser& p) : p_(p) {}
  ~DepthScope() { p_.leave(levels_); }
  DepthScope(const DepthScope&) = delete;
  DepthScope& operator=(const DepthScope&) = delete;
  bool enter() {
    ++levels_;
    return p_.enter();
  }

 private:
  Parser& p_;
  int levels_ = 0;
};

}  // namespace runnel::sql::internal
