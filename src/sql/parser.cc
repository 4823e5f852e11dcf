#include "sql/parser.h"

#include <utility>

#include "sql/parser_impl.h"

namespace runnel::sql {

namespace internal {

using ast::Box;
using ast::Pos;

bool Parser::fail(const Token& at, std::string message) {
  if (!failed_) {
    failed_ = true;
    error_ = ParseError{at.pos.line, at.pos.column, std::move(message)};
  }
  return false;
}

bool Parser::fail_expected(const std::string& what, std::string_view context) {
  std::string message = "expected " + what;
  if (!context.empty()) message += " " + std::string(context);
  const Token& t = peek();
  message += " but found " + describe_token(t);
  return fail(t, std::move(message));
}

bool Parser::at_name(size_t ahead) const {
  const Token& t = peek(ahead);
  return t.kind == TokenKind::kQuotedIdentifier || (t.kind == TokenKind::kWord && !ast::is_reserved_word(t.text));
}

bool Parser::enter() {
  ++depth_;
  if (depth_ <= kMaxParseDepth) return true;
  return fail(peek(), "the statement nests too deeply (more than " + std::to_string(kMaxParseDepth) +
                          " levels of parentheses, subqueries or operators)");
}

std::optional<std::string> Parser::name(std::string_view what) {
  if (!at_name()) {
    const Token& t = peek();
    if (t.kind == TokenKind::kWord) {
      // A reserved word where a name belongs: say how to use it anyway.
      fail(t, "expected " + std::string(what) + " but found " + describe_token(t) + " (a reserved word: write \"" +
                  t.text + "\" to use it as a name)");
    } else {
      fail_expected(std::string(what), "");
    }
    return std::nullopt;
  }
  return next().text;
}

std::optional<ast::QualifiedName> Parser::qualified_name(std::string_view what) {
  ast::QualifiedName out;
  auto first = name(what);
  if (!first) return std::nullopt;
  out.push_back(std::move(*first));
  while (at_symbol(".")) {
    next();
    auto part = name("a name after '.'");
    if (!part) return std::nullopt;
    out.push_back(std::move(*part));
  }
  return out;
}

std::optional<std::string> Parser::string_literal(std::string_view what) {
  if (peek().kind != TokenKind::kString) {
    fail_expected(std::string(what), "");
    return std::nullopt;
  }
  return next().text;
}

// ---- statements ----

std::optional<ast::Program> Parser::program() {
  ast::Program p;
  while (true) {
    while (accept_symbol(";")) {
    }
    if (peek().kind == TokenKind::kEnd) return p;
    auto s = statement();
    if (!s) return std::nullopt;
    p.statements.push_back(std::move(*s));
    if (peek().kind == TokenKind::kEnd) return p;
    if (!expect_symbol(";", "after the statement")) return std::nullopt;
  }
}

std::optional<ast::Statement> Parser::statement() {
  if (at_word("CREATE")) return create();
  if (at_word("INSERT")) {
    ast::Statement s;
    s.pos = next().pos;
    if (!expect_word("INTO", "after INSERT")) return std::nullopt;
    ast::Insert insert;
    if (!insert_body(&insert.target, &insert.columns, &insert.query)) return std::nullopt;
    s.node = std::move(insert);
    return s;
  }
  if (at_query_start()) {
    ast::Statement s;
    s.pos = peek().pos;
    auto q = query();
    if (!q) return std::nullopt;
    s.node = std::move(*q);
    return s;
  }
  fail_expected("CREATE STREAM, CREATE PUMP, CREATE FUNCTION, INSERT or SELECT", "at the start of a statement");
  return std::nullopt;
}

std::optional<ast::Statement> Parser::create() {
  ast::Statement s;
  s.pos = next().pos;  // CREATE
  bool or_replace = false;
  if (accept_word("OR")) {
    if (!expect_word("REPLACE", "after CREATE OR")) return std::nullopt;
    or_replace = true;
  }
  if (accept_word("STREAM")) {
    ast::CreateStream c;
    c.or_replace = or_replace;
    auto n = qualified_name("a stream name");
    if (!n) return std::nullopt;
    c.name = std::move(*n);
    if (!expect_symbol("(", "to open the stream's column list")) return std::nullopt;
    do {
      ast::ColumnDef col;
      col.pos = peek().pos;
      auto cn = name("a column name");
      if (!cn) return std::nullopt;
      col.name = std::move(*cn);
      auto type = data_type();
      if (!type) return std::nullopt;
      col.type = std::move(*type);
      c.columns.push_back(std::move(col));
    } while (accept_symbol(","));
    if (!expect_symbol(")", "after the column list")) return std::nullopt;
    if (accept_word("DESCRIPTION")) {
      auto d = string_literal("a quoted description after DESCRIPTION");
      if (!d) return std::nullopt;
      c.description = std::move(*d);
    }
    s.node = std::move(c);
    return s;
  }
  if (accept_word("PUMP")) {
    ast::CreatePump p;
    p.or_replace = or_replace;
    auto n = qualified_name("a pump name");
    if (!n) return std::nullopt;
    p.name = std::move(*n);
    if (accept_word("DESCRIPTION")) {
      auto d = string_literal("a quoted description after DESCRIPTION");
      if (!d) return std::nullopt;
      p.description = std::move(*d);
    }
    if (!expect_word("AS", "after the pump's name") || !expect_word("INSERT", "after CREATE PUMP ... AS") ||
        !expect_word("INTO", "after INSERT")) {
      return std::nullopt;
    }
    if (!insert_body(&p.target, &p.columns, &p.query)) return std::nullopt;
    s.node = std::move(p);
    return s;
  }
  if (accept_word("FUNCTION")) return create_function(std::move(s), or_replace);
  fail_expected("STREAM, PUMP or FUNCTION", or_replace ? "after CREATE OR REPLACE" : "after CREATE");
  return std::nullopt;
}

// After INSERT INTO: stream [(column, ...)] query.
bool Parser::insert_body(ast::QualifiedName* target, std::vector<std::string>* columns, ast::Query* query_out) {
  auto t = qualified_name("the name of the stream to insert into");
  if (!t) return false;
  *target = std::move(*t);
  if (at_symbol("(") && !at_query_start(1)) {
    next();
    do {
      auto col = name("a column name");
      if (!col) return false;
      columns->push_back(std::move(*col));
    } while (accept_symbol(","));
    if (!expect_symbol(")", "after the column list")) return false;
  }
  if (!at_query_start()) return fail_expected("SELECT or VALUES", "after INSERT INTO");
  auto q = query();
  if (!q) return false;
  *query_out = std::move(*q);
  return true;
}

// After CREATE [OR REPLACE] FUNCTION: name (param TYPE, ...) RETURNS TYPE
// [characteristics] RETURN expr.
std::optional<ast::Statement> Parser::create_function(ast::Statement s, bool or_replace) {
  ast::CreateFunction f;
  f.or_replace = or_replace;
  auto n = qualified_name("a function name");
  if (!n) return std::nullopt;
  f.name = std::move(*n);
  if (!expect_symbol("(", "to open the function's parameter list")) return std::nullopt;
  if (!at_symbol(")")) {
    do {
      ast::ColumnDef param;
      param.pos = peek().pos;
      auto pn = name("a parameter name");
      if (!pn) return std::nullopt;
      param.name = std::move(*pn);
      auto type = data_type();
      if (!type) return std::nullopt;
      param.type = std::move(*type);
      f.parameters.push_back(std::move(param));
    } while (accept_symbol(","));
  }
  if (!expect_symbol(")", "after the parameter list") || !expect_word("RETURNS", "after the parameter list")) {
    return std::nullopt;
  }
  auto returns = data_type();
  if (!returns) return std::nullopt;
  f.returns = std::move(*returns);
  while (!accept_word("RETURN")) {
    if (accept_word("LANGUAGE")) {
      if (!expect_word("SQL", "after LANGUAGE (functions are written in SQL)")) return std::nullopt;
      f.language_sql = true;
    } else if (accept_word("SPECIFIC")) {
      auto sn = name("a specific name after SPECIFIC");
      if (!sn) return std::nullopt;
      f.specific = std::move(*sn);
    } else if (accept_word("DETERMINISTIC")) {
      f.deterministic = true;
    } else if (accept_word("NOT")) {
      if (!expect_word("DETERMINISTIC", "after NOT")) return std::nullopt;
      f.deterministic = false;
    } else if (accept_word("CONTAINS")) {
      if (!expect_word("SQL", "after CONTAINS")) return std::nullopt;
      f.contains_sql = true;
    } else if (at_word("READS") || at_word("MODIFIES")) {
      bool reads = next().text == "READS";
      if (!expect_word("SQL", reads ? "after READS" : "after MODIFIES") || !expect_word("DATA", "after SQL")) {
        return std::nullopt;
      }
      (reads ? f.reads_sql_data : f.modifies_sql_data) = true;
    } else if (accept_word("RETURNS")) {
      if (!expect_word("NULL", "after RETURNS") || !expect_word("ON", "after RETURNS NULL") ||
          !expect_word("NULL", "after RETURNS NULL ON") || !expect_word("INPUT", "after RETURNS NULL ON NULL")) {
        return std::nullopt;
      }
      f.returns_null_on_null = true;
    } else if (accept_word("CALLED")) {
      if (!expect_word("ON", "after CALLED") || !expect_word("NULL", "after CALLED ON") ||
          !expect_word("INPUT", "after CALLED ON NULL")) {
        return std::nullopt;
      }
      f.returns_null_on_null = false;
    } else {
      fail_expected("RETURN and the function's body", "after the function's signature");
      return std::nullopt;
    }
  }
  f.body = expression();
  if (!f.body) return std::nullopt;
  s.node = std::move(f);
  return s;
}

std::optional<ast::Query> Parser::query_only() {
  auto q = query();
  if (!q) return std::nullopt;
  accept_symbol(";");
  if (peek().kind != TokenKind::kEnd) {
    fail_expected("the end of the query", "");
    return std::nullopt;
  }
  return q;
}

ast::Box<ast::Expr> Parser::expression_only() {
  auto e = expression();
  if (!e) return {};
  if (peek().kind != TokenKind::kEnd) {
    fail_expected("the end of the expression", "");
    return {};
  }
  return e;
}

// ---- queries ----

std::optional<ast::Query> Parser::query() {
  DepthScope depth(*this);
  if (!depth.enter()) return std::nullopt;
  Pos start = peek().pos;
  auto left = intersect_chain();
  if (!left) return std::nullopt;
  ast::Query q = std::move(*left);
  while (at_word("UNION") || at_word("EXCEPT")) {
    if (!depth.enter()) return std::nullopt;
    ast::SetOperation op;
    op.op = next().text == "UNION" ? ast::SetOperation::Op::kUnion : ast::SetOperation::Op::kExcept;
    op.quantifier = ast::SetOperation::Quantifier::kDefault;
    if (accept_word("ALL")) {
      op.quantifier = ast::SetOperation::Quantifier::kAll;
    } else if (accept_word("DISTINCT")) {
      op.quantifier = ast::SetOperation::Quantifier::kDistinct;
    }
    auto right = intersect_chain();
    if (!right) return std::nullopt;
    op.left = std::move(q);
    op.right = std::move(*right);
    q = ast::Query{};
    q.pos = start;
    q.body = std::move(op);
  }
  if (at_word("ORDER")) {
    next();
    if (!expect_word("BY", "after ORDER")) return std::nullopt;
    auto items = order_by_list();
    if (!items) return std::nullopt;
    if (!q.order_by.empty()) {
      fail(peek(), "this query already has an ORDER BY inside its parentheses");
      return std::nullopt;
    }
    q.order_by = std::move(*items);
  }
  return q;
}

// query_term { INTERSECT [ALL | DISTINCT] query_term }: INTERSECT binds
// tighter than UNION and EXCEPT (the SQL Reference's "Query" page).
std::optional<ast::Query> Parser::intersect_chain() {
  DepthScope depth(*this);
  Pos start = peek().pos;
  auto left = query_term();
  if (!left) return std::nullopt;
  ast::Query q = std::move(*left);
  while (at_word("INTERSECT")) {
    next();
    if (!depth.enter()) return std::nullopt;
    ast::SetOperation op;
    op.op = ast::SetOperation::Op::kIntersect;
    op.quantifier = ast::SetOperation::Quantifier::kDefault;
    if (accept_word("ALL")) {
      op.quantifier = ast::SetOperation::Quantifier::kAll;
    } else if (accept_word("DISTINCT")) {
      op.quantifier = ast::SetOperation::Quantifier::kDistinct;
    }
    auto right = query_term();
    if (!right) return std::nullopt;
    op.left = std::move(q);
    op.right = std::move(*right);
    q = ast::Query{};
    q.pos = start;
    q.body = std::move(op);
  }
  return q;
}

// VALUES [ROW] (a, b), ...
std::optional<ast::Values> Parser::values() {
  next();  // VALUES
  ast::Values v;
  do {
    accept_word("ROW");
    if (!expect_symbol("(", "to open a row of VALUES")) return std::nullopt;
    auto row = expression_list();
    if (!row) return std::nullopt;
    if (!expect_symbol(")", "to close the row")) return std::nullopt;
    v.rows.push_back(std::move(*row));
  } while (accept_symbol(","));
  return v;
}

std::optional<ast::Query> Parser::query_term() {
  if (at_symbol("(")) {
    next();
    auto q = query();
    if (!q) return std::nullopt;
    if (!expect_symbol(")", "to close the parenthesized query")) return std::nullopt;
    return q;
  }
  if (at_word("VALUES")) {
    ast::Query q;
    q.pos = peek().pos;
    auto v = values();
    if (!v) return std::nullopt;
    q.body = std::move(*v);
    return q;
  }
  if (!at_word("SELECT")) {
    fail_expected("SELECT", "");
    return std::nullopt;
  }
  ast::Query q;
  q.pos = peek().pos;
  auto s = select();
  if (!s) return std::nullopt;
  q.body = std::move(*s);
  return q;
}

std::optional<std::vector<ast::OrderItem>> Parser::order_by_list() {
  std::vector<ast::OrderItem> items;
  do {
    ast::OrderItem item;
    item.pos = peek().pos;
    item.expr = expression();
    if (!item.expr) return std::nullopt;
    if (accept_word("DESC")) {
      item.descending = true;
    } else {
      accept_word("ASC");
    }
    items.push_back(std::move(item));
  } while (accept_symbol(","));
  return items;
}

std::optional<ast::Select> Parser::select() {
  ast::Select s;
  s.pos = next().pos;  // SELECT
  if (accept_word("STREAM")) s.stream = true;
  if (accept_word("DISTINCT")) {
    s.quantifier = ast::FunctionCall::Quantifier::kDistinct;
  } else if (accept_word("ALL")) {
    s.quantifier = ast::FunctionCall::Quantifier::kAll;
  }
  do {
    auto item = select_item();
    if (!item) return std::nullopt;
    s.items.push_back(std::move(*item));
  } while (accept_symbol(","));
  if (at_name()) {
    // `SELECT a b c`: the alias b was taken, c can only be a missing comma.
    fail_expected("',' or FROM", "after the select list");
    return std::nullopt;
  }
  if (accept_word("FROM")) {
    s.from = from_list();
    if (!s.from) return std::nullopt;
  }
  if (accept_word("WHERE")) {
    s.where = expression();
    if (!s.where) return std::nullopt;
  }
  if (at_word("GROUP")) {
    next();
    if (!expect_word("BY", "after GROUP")) return std::nullopt;
    auto keys = expression_list();
    if (!keys) return std::nullopt;
    s.group_by = std::move(*keys);
  }
  if (at_word("WINDOWED")) {
    ast::StaggerWindow w;
    w.pos = next().pos;
    if (!expect_word("BY", "after WINDOWED") || !expect_word("STAGGER", "after WINDOWED BY") ||
        !expect_symbol("(", "after WINDOWED BY STAGGER") || !expect_word("PARTITION", "in a stagger window") ||
        !expect_word("BY", "after PARTITION")) {
      return std::nullopt;
    }
    auto keys = expression_list();
    if (!keys) return std::nullopt;
    w.partition_by = std::move(*keys);
    if (!expect_word("RANGE", "after the stagger window's PARTITION BY list")) return std::nullopt;
    w.range = additive();
    if (!w.range) return std::nullopt;
    if (!expect_symbol(")", "to close the stagger window")) return std::nullopt;
    s.stagger = std::move(w);
  }
  if (accept_word("HAVING")) {
    s.having = expression();
    if (!s.having) return std::nullopt;
  }
  if (accept_word("WINDOW")) {
    do {
      ast::NamedWindow w;
      w.pos = peek().pos;
      auto n = name("a window name");
      if (!n) return std::nullopt;
      w.name = std::move(*n);
      if (!expect_word("AS", "after the window's name")) return std::nullopt;
      if (!expect_symbol("(", "to open the window specification")) return std::nullopt;
      auto spec = window_spec();
      if (!spec) return std::nullopt;
      w.spec = std::move(*spec);
      if (!expect_symbol(")", "to close the window specification")) return std::nullopt;
      s.windows.push_back(std::move(w));
    } while (accept_symbol(","));
  }
  return s;
}

std::optional<ast::SelectItem> Parser::select_item() {
  ast::SelectItem item;
  item.pos = peek().pos;
  if (at_symbol("*")) {
    ast::Expr star;
    star.pos = next().pos;
    star.node = ast::Star{};
    item.expr = std::move(star);
    return item;
  }
  item.expr = expression();
  if (!item.expr) return std::nullopt;
  bool ok = true;
  item.alias = optional_alias(&ok);
  if (!ok) return std::nullopt;
  return item;
}

std::optional<std::string> Parser::optional_alias(bool* ok) {
  if (accept_word("AS")) {
    auto n = name("an alias after AS");
    if (!n) *ok = false;
    return n;
  }
  if (at_name()) return next().text;
  return std::nullopt;
}

// ---- FROM ----

// After a derived table's alias: an optional (column, ...) list.
bool Parser::alias_columns(std::vector<std::string>* columns) {
  if (!accept_symbol("(")) return true;
  do {
    auto n = name("a column name");
    if (!n) return false;
    columns->push_back(std::move(*n));
  } while (accept_symbol(","));
  return expect_symbol(")", "after the alias's column list");
}

ast::Box<ast::FromItem> Parser::from_list() {
  DepthScope depth(*this);  // a comma join nests its left side, as JOIN does
  Pos start = peek().pos;
  auto left = from_join();
  if (!left) return {};
  while (at_symbol(",")) {
    next();
    if (!depth.enter()) return {};
    auto right = from_join();
    if (!right) return {};
    ast::Join j;
    j.kind = ast::Join::Kind::kComma;
    j.left = std::move(left);
    j.right = std::move(right);
    ast::FromItem item;
    item.pos = start;
    item.node = std::move(j);
    left = std::move(item);
  }
  return left;
}

ast::Box<ast::FromItem> Parser::from_join() {
  DepthScope depth(*this);
  Pos start = peek().pos;
  auto left = from_primary();
  if (!left) return {};
  while (true) {
    ast::Join j;
    if (at_word("NATURAL") || at_word("USING")) {
      fail(peek(), peek().text + " joins are not supported; write JOIN ... ON");
      return {};
    }
    if (accept_word("JOIN")) {
      j.kind = ast::Join::Kind::kInner;
    } else if (accept_word("INNER")) {
      j.kind = ast::Join::Kind::kInner;
      if (!expect_word("JOIN", "after INNER")) return {};
    } else if (at_word("LEFT") || at_word("RIGHT") || at_word("FULL")) {
      const Token& side = next();
      j.kind = side.text == "LEFT"    ? ast::Join::Kind::kLeft
               : side.text == "RIGHT" ? ast::Join::Kind::kRight
                                      : ast::Join::Kind::kFull;
      accept_word("OUTER");
      if (!expect_word("JOIN", "after " + side.text)) return {};
    } else if (accept_word("CROSS")) {
      j.kind = ast::Join::Kind::kCross;
      if (!expect_word("JOIN", "after CROSS")) return {};
    } else {
      return left;
    }
    if (!depth.enter()) return {};
    auto right = from_primary();
    if (!right) return {};
    if (j.kind != ast::Join::Kind::kCross) {
      if (!expect_word("ON", "after the joined stream or table")) return {};
      j.on = expression();
      if (!j.on) return {};
    }
    j.left = std::move(left);
    j.right = std::move(right);
    ast::FromItem item;
    item.pos = start;
    item.node = std::move(j);
    left = std::move(item);
  }
}

ast::Box<ast::FromItem> Parser::from_primary() {
  ast::FromItem item;
  item.pos = peek().pos;
  bool ok = true;
  if (at_word("TABLE") && at_symbol("(", 1)) {
    next();
    next();
    ast::TableFunction f;
    const Token& at = peek();
    f.call = expression();
    if (!f.call) return {};
    if (!f.call->as<ast::FunctionCall>() || f.call->as<ast::FunctionCall>()->over) {
      fail(at, "TABLE(...) must hold a table function call, as in TABLE(fn(CURSOR(SELECT STREAM ...), ...))");
      return {};
    }
    if (!expect_symbol(")", "to close TABLE(...)")) return {};
    f.alias = optional_alias(&ok);
    if (!ok || (f.alias && !alias_columns(&f.columns))) return {};
    item.node = std::move(f);
    return item;
  }
  if (at_symbol("(")) {
    if (!at_query_start(1)) {
      next();
      fail_expected("SELECT", "after '(' in FROM");
      return {};
    }
    next();
    ast::DerivedTable d;
    auto q = query();
    if (!q) return {};
    d.query = std::move(*q);
    if (!expect_symbol(")", "to close the subquery")) return {};
    d.alias = optional_alias(&ok);
    if (!ok || (d.alias && !alias_columns(&d.columns))) return {};
    item.node = std::move(d);
    return item;
  }
  ast::TableRef t;
  auto n = qualified_name("a stream or table name");
  if (!n) return {};
  t.name = std::move(*n);
  auto window = [&]() {
    if (t.window || !accept_word("OVER")) return true;
    auto o = over();
    if (!o) return false;
    t.window = std::move(*o);
    return true;
  };
  if (!window()) return {};
  t.alias = optional_alias(&ok);
  if (!ok || !window()) return {};
  item.node = std::move(t);
  return item;
}

}  // namespace internal

namespace {

template <class T>
Result<T> finish(std::optional<T> value, const internal::Parser& p, ParseError* error) {
  if (value && !p.failed()) return std::move(*value);
  if (error) *error = p.error();
  return runnel::error(Status::invalid_argument(p.error().to_string()));
}

template <class T>
Result<T> lex_failure(const TokenizeResult& lexed, ParseError* error) {
  if (error) *error = lexed.error;
  return runnel::error(Status::invalid_argument(lexed.error.to_string()));
}

}  // namespace

Result<ast::Program> parse_program(std::string_view sql, ParseError* error) {
  TokenizeResult lexed = tokenize(sql);
  if (!lexed.ok) return lex_failure<ast::Program>(lexed, error);
  internal::Parser p(std::move(lexed.tokens));
  return finish(p.program(), p, error);
}

Result<ast::Query> parse_query(std::string_view sql, ParseError* error) {
  TokenizeResult lexed = tokenize(sql);
  if (!lexed.ok) return lex_failure<ast::Query>(lexed, error);
  internal::Parser p(std::move(lexed.tokens));
  return finish(p.query_only(), p, error);
}

Result<ast::Expr> parse_expression(std::string_view sql, ParseError* error) {
  TokenizeResult lexed = tokenize(sql);
  if (!lexed.ok) return lex_failure<ast::Expr>(lexed, error);
  internal::Parser p(std::move(lexed.tokens));
  ast::Box<ast::Expr> e = p.expression_only();
  std::optional<ast::Expr> value;
  if (e) value = std::move(*e);
  return finish(std::move(value), p, error);
}

}  // namespace runnel::sql
