// Expressions, data types and window specifications (see parser_impl.h).

#include <charconv>
#include <utility>

#include "sql/parser_impl.h"

namespace runnel::sql::internal {

using ast::Box;
using ast::Expr;
using ast::Pos;

namespace {

Box<Expr> make(Pos pos, Expr::Node node) {
  Expr e;
  e.pos = pos;
  e.node = std::move(node);
  return Box<Expr>(std::move(e));
}

Box<Expr> binary(ast::Binary::Op op, Box<Expr> left, Box<Expr> right) {
  Pos pos = left->pos;
  ast::Binary b;
  b.op = op;
  b.left = std::move(left);
  b.right = std::move(right);
  return make(pos, std::move(b));
}

bool is_niladic(std::string_view w) {
  return w == "CURRENT_ROW_TIMESTAMP" || w == "CURRENT_TIMESTAMP" || w == "LOCALTIMESTAMP" || w == "CURRENT_DATE" ||
         w == "CURRENT_TIME" || w == "LOCALTIME";
}

}  // namespace

Box<Expr> Parser::expression() {
  DepthScope depth(*this);
  if (!depth.enter()) return {};
  return or_expr();
}

Box<Expr> Parser::or_expr() {
  DepthScope depth(*this);
  auto left = and_expr();
  while (left && at_word("OR")) {
    next();
    if (!depth.enter()) return {};
    auto right = and_expr();
    if (!right) return {};
    left = binary(ast::Binary::Op::kOr, std::move(left), std::move(right));
  }
  return left;
}

Box<Expr> Parser::and_expr() {
  DepthScope depth(*this);
  auto left = not_expr();
  while (left && at_word("AND")) {
    next();
    if (!depth.enter()) return {};
    auto right = not_expr();
    if (!right) return {};
    left = binary(ast::Binary::Op::kAnd, std::move(left), std::move(right));
  }
  return left;
}

Box<Expr> Parser::not_expr() {
  if (!at_word("NOT")) return comparison();
  DepthScope depth(*this);
  Pos pos = next().pos;
  if (!depth.enter()) return {};
  auto operand = not_expr();
  if (!operand) return {};
  ast::Unary u;
  u.op = ast::Unary::Op::kNot;
  u.operand = std::move(operand);
  return make(pos, std::move(u));
}

// The comparison level: =, <>, <, ..., IS, BETWEEN, IN, LIKE, SIMILAR TO, all
// of one precedence and read left to right.
Box<Expr> Parser::comparison() {
  DepthScope depth(*this);
  auto left = concat();
  while (left) {
    Pos pos = left->pos;
    const Token& t = peek();
    static constexpr std::pair<std::string_view, ast::Binary::Op> kCompare[] = {
        {"=", ast::Binary::Op::kEq}, {"<>", ast::Binary::Op::kNe}, {"!=", ast::Binary::Op::kNe},
        {"<", ast::Binary::Op::kLt}, {"<=", ast::Binary::Op::kLe}, {">", ast::Binary::Op::kGt},
        {">=", ast::Binary::Op::kGe}};
    bool compared = false;
    for (const auto& [symbol, op] : kCompare) {
      if (!t.is_symbol(symbol)) continue;
      next();
      if (!depth.enter()) return {};
      auto right = concat();
      if (!right) return {};
      left = binary(op, std::move(left), std::move(right));
      compared = true;
      break;
    }
    if (compared) continue;
    if (t.is_word("IS")) {
      next();
      if (!depth.enter()) return {};
      ast::IsTest test;
      test.negated = accept_word("NOT");
      if (accept_word("NULL")) {
        test.what = ast::IsTest::What::kNull;
      } else if (accept_word("TRUE")) {
        test.what = ast::IsTest::What::kTrue;
      } else if (accept_word("FALSE")) {
        test.what = ast::IsTest::What::kFalse;
      } else if (accept_word("UNKNOWN")) {
        test.what = ast::IsTest::What::kUnknown;
      } else {
        fail_expected("NULL, TRUE, FALSE or UNKNOWN", test.negated ? "after IS NOT" : "after IS");
        return {};
      }
      test.operand = std::move(left);
      left = make(pos, std::move(test));
      continue;
    }
    // [NOT] BETWEEN / IN / LIKE / SIMILAR TO
    size_t at = t.is_word("NOT") ? 1 : 0;
    bool negated = at == 1;
    const Token& op = peek(at);
    if (op.is_word("BETWEEN")) {
      for (size_t k = 0; k <= at; ++k) next();
      if (!depth.enter()) return {};
      ast::Between b;
      b.negated = negated;
      if (accept_word("SYMMETRIC")) {
        b.mode = ast::Between::Mode::kSymmetric;
      } else if (accept_word("ASYMMETRIC")) {
        b.mode = ast::Between::Mode::kAsymmetric;
      }
      b.low = concat();
      if (!b.low) return {};
      if (!expect_word("AND", "between BETWEEN's bounds")) return {};
      b.high = concat();
      if (!b.high) return {};
      b.operand = std::move(left);
      left = make(pos, std::move(b));
      continue;
    }
    if (op.is_word("IN")) {
      for (size_t k = 0; k <= at; ++k) next();
      if (!depth.enter()) return {};
      ast::InList in;
      in.negated = negated;
      if (!expect_symbol("(", "after IN")) return {};
      if (at_word("SELECT") || at_word("VALUES")) {
        auto q = query();
        if (!q) return {};
        in.subquery = std::move(*q);
      } else {
        auto items = expression_list();
        if (!items) return {};
        in.list = std::move(*items);
      }
      if (!expect_symbol(")", "to close the IN list")) return {};
      in.operand = std::move(left);
      left = make(pos, std::move(in));
      continue;
    }
    bool like = op.is_word("LIKE");
    bool similar = op.is_word("SIMILAR") && peek(at + 1).is_word("TO");
    if (like || similar) {
      for (size_t k = 0; k <= at; ++k) next();
      if (similar) next();  // TO
      if (!depth.enter()) return {};
      ast::Like l;
      l.negated = negated;
      l.similar = similar;
      l.pattern = concat();
      if (!l.pattern) return {};
      if (accept_word("ESCAPE")) {
        l.escape = concat();
        if (!l.escape) return {};
      }
      l.operand = std::move(left);
      left = make(pos, std::move(l));
      continue;
    }
    if (negated) {
      fail(peek(1), "expected BETWEEN, IN, LIKE or SIMILAR TO after NOT but found " + describe_token(peek(1)));
      return {};
    }
    break;
  }
  return left;
}

Box<Expr> Parser::concat() {
  DepthScope depth(*this);
  auto left = additive();
  while (left && at_symbol("||")) {
    next();
    if (!depth.enter()) return {};
    auto right = additive();
    if (!right) return {};
    left = binary(ast::Binary::Op::kConcat, std::move(left), std::move(right));
  }
  return left;
}

Box<Expr> Parser::additive() {
  DepthScope depth(*this);
  auto left = multiplicative();
  while (left && (at_symbol("+") || at_symbol("-"))) {
    auto op = next().text == "+" ? ast::Binary::Op::kAdd : ast::Binary::Op::kSub;
    if (!depth.enter()) return {};
    auto right = multiplicative();
    if (!right) return {};
    left = binary(op, std::move(left), std::move(right));
  }
  return left;
}

Box<Expr> Parser::multiplicative() {
  DepthScope depth(*this);
  auto left = unary();
  while (left && (at_symbol("*") || at_symbol("/") || at_symbol("%"))) {
    const std::string& s = next().text;
    auto op = s == "*" ? ast::Binary::Op::kMul : s == "/" ? ast::Binary::Op::kDiv : ast::Binary::Op::kMod;
    if (!depth.enter()) return {};
    auto right = unary();
    if (!right) return {};
    left = binary(op, std::move(left), std::move(right));
  }
  return left;
}

Box<Expr> Parser::unary() {
  if (!at_symbol("-") && !at_symbol("+")) return primary();
  DepthScope depth(*this);
  const Token& sign = next();
  if (!depth.enter()) return {};
  auto operand = unary();
  if (!operand) return {};
  ast::Unary u;
  u.op = sign.text == "-" ? ast::Unary::Op::kMinus : ast::Unary::Op::kPlus;
  u.operand = std::move(operand);
  return make(sign.pos, std::move(u));
}

Box<Expr> Parser::primary() {
  const Token& t = peek();
  ast::Literal lit;
  switch (t.kind) {
    case TokenKind::kInteger:
    case TokenKind::kDecimal:
      lit.kind = ast::Literal::Kind::kExact;
      lit.text = next().text;
      return make(t.pos, std::move(lit));
    case TokenKind::kApproximate:
      lit.kind = ast::Literal::Kind::kApproximate;
      lit.text = next().text;
      return make(t.pos, std::move(lit));
    case TokenKind::kString:
      lit.kind = ast::Literal::Kind::kString;
      lit.text = next().text;
      return make(t.pos, std::move(lit));
    case TokenKind::kBinaryString:
      lit.kind = ast::Literal::Kind::kBinary;
      lit.text = next().text;
      return make(t.pos, std::move(lit));
    case TokenKind::kQuotedIdentifier: return name_or_call();
    case TokenKind::kEnd: fail_expected("an expression", ""); return {};
    case TokenKind::kSymbol:
      if (t.is_symbol("(")) {
        next();
        // (SELECT ...) and (VALUES ...) are subqueries; a query that starts with
        // its own parenthesis, ((SELECT ...) UNION ...), is not told apart from
        // a parenthesized expression here.
        if (at_word("SELECT") || at_word("VALUES")) {
          auto q = query();
          if (!q) return {};
          if (!expect_symbol(")", "to close the subquery")) return {};
          ast::SubqueryExpr s;
          s.kind = ast::SubqueryExpr::Kind::kScalar;
          s.query = std::move(*q);
          return make(t.pos, std::move(s));
        }
        auto inner = expression();
        if (!inner) return {};
        if (!expect_symbol(")", "to close the parenthesis")) return {};
        inner->pos = t.pos;
        const auto* difference = inner->as<ast::Binary>();
        bool unit_follows = at_word("YEAR") || at_word("MONTH") || at_word("DAY") || at_word("HOUR") ||
                            at_word("MINUTE") || at_word("SECOND");
        if (difference && difference->op == ast::Binary::Op::kSub && unit_follows) {
          ast::IntervalOf i;
          auto q = interval_qualifier();
          if (!q) return {};
          i.operand = std::move(inner);
          i.qualifier = *q;
          return make(t.pos, std::move(i));
        }
        return inner;
      }
      if (t.is_symbol("?")) {
        fail(t, "dynamic parameters (?) are not supported in application code");
        return {};
      }
      fail_expected("an expression", "");
      return {};
    case TokenKind::kWord: break;
  }
  // Words: literals, special forms, then names and calls.
  if (t.is_word("NULL") || t.is_word("TRUE") || t.is_word("FALSE") || t.is_word("UNKNOWN")) {
    lit.kind = t.text == "NULL"    ? ast::Literal::Kind::kNull
               : t.text == "TRUE"  ? ast::Literal::Kind::kTrue
               : t.text == "FALSE" ? ast::Literal::Kind::kFalse
                                   : ast::Literal::Kind::kUnknown;
    next();
    return make(t.pos, std::move(lit));
  }
  if ((t.is_word("DATE") || t.is_word("TIME") || t.is_word("TIMESTAMP")) && peek(1).kind == TokenKind::kString) {
    lit.kind = t.text == "DATE"   ? ast::Literal::Kind::kDate
               : t.text == "TIME" ? ast::Literal::Kind::kTime
                                  : ast::Literal::Kind::kTimestamp;
    next();
    lit.text = next().text;
    return make(t.pos, std::move(lit));
  }
  if (t.is_word("INTERVAL")) return interval_literal();
  if (t.is_word("CASE")) return case_expr();
  if (is_niladic(t.text) && !at_symbol("(", 1)) {
    ast::FunctionCall f;
    f.name = t.text;
    f.niladic = true;
    next();
    return make(t.pos, std::move(f));
  }
  if (at_symbol("(", 1)) {
    Box<Expr> special = special_form(t);
    if (special || failed()) return special;
  }
  if (ast::is_reserved_word(t.text)) {
    fail_expected("an expression", "");
    return {};
  }
  return name_or_call();
}

// A name, a qualified name a.b."c", t.*, or fn(...).
Box<Expr> Parser::name_or_call() {
  const Token& first = next();
  if (at_symbol("(")) {
    Box<Expr> call = function_call(first, first.text);
    // fn(...).FIELD, fn(...).FIELD... : fields of a row-valued call.
    while (call && at_symbol(".") &&
           (peek(1).kind == TokenKind::kWord || peek(1).kind == TokenKind::kQuotedIdentifier)) {
      next();
      ast::FieldOf f;
      f.operand = std::move(call);
      f.field = next().text;
      call = make(first.pos, std::move(f));
    }
    return call;
  }
  ast::QualifiedName parts{first.text};
  while (at_symbol(".")) {
    next();
    if (at_symbol("*")) {
      next();
      ast::Star star;
      star.qualifier = std::move(parts);
      return make(first.pos, std::move(star));
    }
    // After a dot any word is a name: "S".ROWTIME, s.value.
    if (peek().kind != TokenKind::kWord && peek().kind != TokenKind::kQuotedIdentifier) {
      fail_expected("a name or '*'", "after '.'");
      return {};
    }
    parts.push_back(next().text);
  }
  ast::ColumnRef c;
  c.name = std::move(parts);
  return make(first.pos, std::move(c));
}

std::optional<std::vector<Box<Expr>>> Parser::expression_list() {
  std::vector<Box<Expr>> out;
  do {
    auto e = expression();
    if (!e) return std::nullopt;
    out.push_back(std::move(e));
  } while (accept_symbol(","));
  return out;
}

// fn( [DISTINCT | ALL] args | * ) [FROM FIRST | LAST] [IGNORE | RESPECT NULLS]
// [OVER window]; the
// current token is the '('.
Box<Expr> Parser::function_call(const Token& at, std::string fn_name) {
  next();  // (
  ast::FunctionCall f;
  f.name = std::move(fn_name);
  if (accept_word("DISTINCT")) {
    f.quantifier = ast::FunctionCall::Quantifier::kDistinct;
  } else if (accept_word("ALL")) {
    f.quantifier = ast::FunctionCall::Quantifier::kAll;
  }
  if (at_symbol("*")) {
    ast::Expr star;
    star.pos = next().pos;
    star.node = ast::Star{};
    f.args.push_back(std::move(star));
  } else if (!at_symbol(")")) {
    auto args = expression_list();
    if (!args) return {};
    f.args = std::move(*args);
  }
  if (!expect_symbol(")", "after the arguments of " + f.name)) return {};
  // NTH_VALUE(x, n) FROM FIRST | FROM LAST: told apart from a FROM clause by
  // what must follow it (the call is an analytic one).
  const Token& after = peek(2);
  if (at_word("FROM") && (at_word("FIRST", 1) || at_word("LAST", 1)) &&
      (after.is_word("OVER") || after.is_word("IGNORE") || after.is_word("RESPECT"))) {
    next();
    f.from = next().text == "FIRST" ? ast::FunctionCall::From::kFirst : ast::FunctionCall::From::kLast;
  }
  if (at_word("IGNORE") || at_word("RESPECT")) {
    f.nulls = next().text == "IGNORE" ? ast::FunctionCall::Nulls::kIgnore : ast::FunctionCall::Nulls::kRespect;
    // The reference's grammar writes IGNORE NULL once; both are accepted.
    if (!accept_word("NULL") && !expect_word("NULLS", "after IGNORE or RESPECT")) return {};
  }
  if (accept_word("OVER")) {
    auto o = over();
    if (!o) return {};
    f.over = std::move(*o);
  }
  return make(at.pos, std::move(f));
}

// The calls with keywords among their arguments. Returns an empty box
// without an error when `word` is an ordinary function name.
Box<Expr> Parser::special_form(const Token& word) {
  const std::string& w = word.text;
  Pos pos = word.pos;
  // The arguments nest through expression() and query(), which count the depth.
  auto open = [&]() {
    next();  // the word
    next();  // (
    return true;
  };
  auto close = [&]() { return expect_symbol(")", "to close " + w + "(...)"); };
  if (w == "CAST") {
    if (!open()) return {};
    ast::Cast c;
    c.operand = expression();
    if (!c.operand || !expect_word("AS", "in CAST(value AS type)")) return {};
    auto type = data_type();
    if (!type || !close()) return {};
    c.type = std::move(*type);
    return make(pos, std::move(c));
  }
  if (w == "EXTRACT") {
    if (!open()) return {};
    ast::Extract e;
    auto unit = time_unit("in EXTRACT(unit FROM value)", false);
    if (!unit || !expect_word("FROM", "in EXTRACT(unit FROM value)")) return {};
    e.unit = *unit;
    e.operand = expression();
    if (!e.operand || !close()) return {};
    return make(pos, std::move(e));
  }
  if (w == "POSITION") {
    if (!open()) return {};
    ast::Position p;
    p.needle = concat();
    if (!p.needle || !expect_word("IN", "in POSITION(needle IN haystack)")) return {};
    p.haystack = expression();
    if (!p.haystack || !close()) return {};
    return make(pos, std::move(p));
  }
  if (w == "SUBSTRING") {
    if (!open()) return {};
    ast::Substring s;
    s.operand = expression();
    if (!s.operand) return {};
    if (accept_word("SIMILAR")) {
      s.similar = true;
      s.start = expression();
      if (!s.start || !expect_word("ESCAPE", "in SUBSTRING(value SIMILAR pattern ESCAPE char)")) return {};
      s.length = expression();
      if (!s.length) return {};
    } else {
      bool from = accept_word("FROM");
      if (!from && !accept_symbol(",")) {
        fail_expected("FROM or ','", "in SUBSTRING(value FROM start [FOR length])");
        return {};
      }
      s.start = expression();
      if (!s.start) return {};
      if (from ? accept_word("FOR") : accept_symbol(",")) {
        s.length = expression();
        if (!s.length) return {};
      }
    }
    if (!close()) return {};
    return make(pos, std::move(s));
  }
  if (w == "OVERLAY") {
    if (!open()) return {};
    ast::Overlay o;
    o.operand = expression();
    if (!o.operand || !expect_word("PLACING", "in OVERLAY(value PLACING replacement FROM start)")) return {};
    o.placing = expression();
    if (!o.placing || !expect_word("FROM", "in OVERLAY(value PLACING replacement FROM start)")) return {};
    o.start = expression();
    if (!o.start) return {};
    if (accept_word("FOR")) {
      o.length = expression();
      if (!o.length) return {};
    }
    if (!close()) return {};
    return make(pos, std::move(o));
  }
  if (w == "TRIM") {
    if (!open()) return {};
    ast::Trim t;
    bool side = true;
    if (accept_word("BOTH")) {
      t.side = ast::Trim::Side::kBoth;
    } else if (accept_word("LEADING")) {
      t.side = ast::Trim::Side::kLeading;
    } else if (accept_word("TRAILING")) {
      t.side = ast::Trim::Side::kTrailing;
    } else {
      side = false;
    }
    if (accept_word("FROM")) {
      t.operand = expression();
    } else {
      auto first = expression();
      if (!first) return {};
      if (accept_word("FROM")) {
        t.characters = std::move(first);
        t.operand = expression();
      } else if (side) {
        fail_expected("FROM", "in TRIM([BOTH | LEADING | TRAILING] [characters] FROM value)");
        return {};
      } else {
        t.operand = std::move(first);
      }
    }
    if (!t.operand || !close()) return {};
    return make(pos, std::move(t));
  }
  if (w == "FLOOR" || w == "CEIL" || w == "CEILING") {
    // FLOOR(x TO unit) rounds a time; FLOOR(x) is an ordinary call.
    if (!open()) return {};
    auto operand = expression();
    if (!operand) return {};
    if (!accept_word("TO")) {
      ast::FunctionCall f;
      f.name = w;
      f.args.push_back(std::move(operand));
      while (accept_symbol(",")) {
        auto arg = expression();
        if (!arg) return {};
        f.args.push_back(std::move(arg));
      }
      if (!close()) return {};
      return make(pos, std::move(f));
    }
    ast::FloorCeil fc;
    fc.ceil = w != "FLOOR";
    fc.operand = std::move(operand);
    auto unit = time_unit("in " + w + "(value TO unit)", false);
    if (!unit || !close()) return {};
    fc.unit = *unit;
    return make(pos, std::move(fc));
  }
  if (w == "STEP") {
    if (!open()) return {};
    ast::Step s;
    s.operand = expression();
    if (!s.operand || !expect_word("BY", "in STEP(value BY width)")) return {};
    s.width = expression();
    if (!s.width || !close()) return {};
    return make(pos, std::move(s));
  }
  if (w == "CURSOR" || w == "EXISTS") {
    if (!open()) return {};
    if (!at_query_start()) {
      fail_expected("SELECT", "in " + w + "(...)");
      return {};
    }
    ast::SubqueryExpr s;
    s.kind = w == "CURSOR" ? ast::SubqueryExpr::Kind::kCursor : ast::SubqueryExpr::Kind::kExists;
    auto q = query();
    if (!q || !close()) return {};
    s.query = std::move(*q);
    return make(pos, std::move(s));
  }
  return {};
}

// INTERVAL [+|-] 'text' qualifier
Box<Expr> Parser::interval_literal() {
  Pos pos = next().pos;  // INTERVAL
  ast::Literal lit;
  lit.kind = ast::Literal::Kind::kInterval;
  if (accept_symbol("-")) {
    lit.negative = true;
  } else {
    accept_symbol("+");
  }
  if (peek().kind != TokenKind::kString) {
    fail_expected("a quoted interval value", "after INTERVAL, as in INTERVAL '1' MINUTE,");
    return {};
  }
  lit.text = next().text;
  auto q = interval_qualifier();
  if (!q) return {};
  lit.qualifier = *q;
  return make(pos, std::move(lit));
}

// CASE [operand] WHEN a THEN b ... [ELSE c] END
Box<Expr> Parser::case_expr() {
  Pos pos = next().pos;  // CASE
  ast::Case c;
  if (!at_word("WHEN") && !at_word("ELSE") && !at_word("END")) {
    c.operand = expression();
    if (!c.operand) return {};
  }
  if (!at_word("WHEN")) {
    fail_expected("WHEN", "in CASE");
    return {};
  }
  while (accept_word("WHEN")) {
    ast::CaseWhen w;
    w.condition = expression();
    if (!w.condition || !expect_word("THEN", "after CASE ... WHEN condition")) return {};
    w.result = expression();
    if (!w.result) return {};
    c.whens.push_back(std::move(w));
  }
  if (accept_word("ELSE")) {
    c.otherwise = expression();
    if (!c.otherwise) return {};
  }
  if (!expect_word("END", "to close CASE")) return {};
  return make(pos, std::move(c));
}

// ---- types ----

std::optional<int> Parser::small_integer(std::string_view what) {
  const Token& t = peek();
  int value = 0;
  if (t.kind == TokenKind::kInteger) {
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (ec == std::errc() && end == t.text.data() + t.text.size()) {
      next();
      return value;
    }
    fail(t, std::string(what) + " " + t.text + " is too large");
    return std::nullopt;
  }
  fail_expected(std::string(what), "");
  return std::nullopt;
}

std::optional<ast::TimeUnit> Parser::time_unit(std::string_view context, bool interval_units_only) {
  static constexpr std::pair<std::string_view, ast::TimeUnit> kUnits[] = {{"YEAR", ast::TimeUnit::kYear},
                                                                          {"MONTH", ast::TimeUnit::kMonth},
                                                                          {"DAY", ast::TimeUnit::kDay},
                                                                          {"HOUR", ast::TimeUnit::kHour},
                                                                          {"MINUTE", ast::TimeUnit::kMinute},
                                                                          {"SECOND", ast::TimeUnit::kSecond},
                                                                          {"QUARTER", ast::TimeUnit::kQuarter},
                                                                          {"WEEK", ast::TimeUnit::kWeek},
                                                                          {"MILLISECOND", ast::TimeUnit::kMillisecond},
                                                                          {"MICROSECOND", ast::TimeUnit::kMicrosecond}};
  const Token& t = peek();
  size_t n = interval_units_only ? 6 : std::size(kUnits);
  for (size_t i = 0; i < n; ++i) {
    if (t.is_word(kUnits[i].first)) {
      next();
      return kUnits[i].second;
    }
  }
  fail_expected(interval_units_only ? "YEAR, MONTH, DAY, HOUR, MINUTE or SECOND" : "a time unit (YEAR ... SECOND)",
                context);
  return std::nullopt;
}

// unit [(precision [, fraction])] [TO unit [(fraction)]]
std::optional<ast::IntervalQualifier> Parser::interval_qualifier() {
  ast::IntervalQualifier q;
  auto start = time_unit("in the interval qualifier", true);
  if (!start) return std::nullopt;
  q.start = *start;
  if (accept_symbol("(")) {
    auto p = small_integer("the interval's leading precision");
    if (!p) return std::nullopt;
    q.start_precision = *p;
    if (q.start == ast::TimeUnit::kSecond && accept_symbol(",")) {
      auto f = small_integer("the interval's fractional precision");
      if (!f) return std::nullopt;
      q.fraction_precision = *f;
    }
    if (!expect_symbol(")", "after the interval's precision")) return std::nullopt;
  }
  if (accept_word("TO")) {
    const Token& at = peek();
    auto end = time_unit("after TO in the interval qualifier", true);
    if (!end) return std::nullopt;
    bool year_month = q.start == ast::TimeUnit::kYear;
    bool valid = year_month ? *end == ast::TimeUnit::kMonth
                            : q.start != ast::TimeUnit::kMonth && *end != ast::TimeUnit::kMonth &&
                                  static_cast<int>(*end) > static_cast<int>(q.start);
    if (!valid) {
      fail(at, "INTERVAL " + std::string(ast::time_unit_name(q.start)) + " TO " +
                   std::string(ast::time_unit_name(*end)) +
                   " is not a valid range: use YEAR TO MONTH, or a span of DAY, HOUR, MINUTE, SECOND from larger to "
                   "smaller");
      return std::nullopt;
    }
    q.end = *end;
    if (q.fraction_precision) {
      fail(at, "the fractional precision goes after TO SECOND, not on the leading unit");
      return std::nullopt;
    }
    if (*end == ast::TimeUnit::kSecond && accept_symbol("(")) {
      auto f = small_integer("the interval's fractional precision");
      if (!f) return std::nullopt;
      q.fraction_precision = *f;
      if (!expect_symbol(")", "after the interval's fractional precision")) return std::nullopt;
    }
  }
  return q;
}

std::optional<ast::DataType> Parser::data_type() {
  using K = ast::DataType::Kind;
  ast::DataType t;
  t.pos = peek().pos;
  const Token& word = peek();
  if (word.kind != TokenKind::kWord) {
    fail_expected("a data type (INTEGER, VARCHAR(n), DECIMAL(p, s), TIMESTAMP, ...)", "");
    return std::nullopt;
  }
  const std::string& w = word.text;
  // Which types take (n) or (p, s).
  enum class Args { kNone, kOne, kTwo } args = Args::kNone;
  if (w == "BOOLEAN") {
    t.kind = K::kBoolean;
  } else if (w == "TINYINT") {
    t.kind = K::kTinyint;
  } else if (w == "SMALLINT") {
    t.kind = K::kSmallint;
  } else if (w == "INTEGER" || w == "INT") {
    t.kind = K::kInteger;
  } else if (w == "BIGINT") {
    t.kind = K::kBigint;
  } else if (w == "REAL") {
    t.kind = K::kReal;
  } else if (w == "DOUBLE") {
    t.kind = K::kDouble;
    next();
    accept_word("PRECISION");
    return t;
  } else if (w == "FLOAT") {
    t.kind = K::kFloat;
    args = Args::kOne;
  } else if (w == "DECIMAL" || w == "DEC" || w == "NUMERIC") {
    t.kind = K::kDecimal;
    args = Args::kTwo;
  } else if (w == "CHAR" || w == "CHARACTER") {
    t.kind = K::kChar;
    args = Args::kOne;
    if (at_word("VARYING", 1)) {
      next();
      t.kind = K::kVarchar;
    }
  } else if (w == "VARCHAR") {
    t.kind = K::kVarchar;
    args = Args::kOne;
  } else if (w == "BINARY") {
    t.kind = K::kBinary;
    args = Args::kOne;
    if (at_word("VARYING", 1)) {
      next();
      t.kind = K::kVarbinary;
    }
  } else if (w == "VARBINARY") {
    t.kind = K::kVarbinary;
    args = Args::kOne;
  } else if (w == "DATE") {
    t.kind = K::kDate;
  } else if (w == "TIME") {
    t.kind = K::kTime;
    args = Args::kOne;
  } else if (w == "TIMESTAMP") {
    t.kind = K::kTimestamp;
    args = Args::kOne;
  } else if (w == "INTERVAL") {
    t.kind = K::kInterval;
    next();
    auto q = interval_qualifier();
    if (!q) return std::nullopt;
    t.interval = *q;
    return t;
  } else {
    fail_expected("a data type (INTEGER, VARCHAR(n), DECIMAL(p, s), TIMESTAMP, ...)", "");
    return std::nullopt;
  }
  next();
  if (args != Args::kNone && accept_symbol("(")) {
    auto p = small_integer(t.kind == K::kDecimal ? "a precision" : "a length");
    if (!p) return std::nullopt;
    t.precision = *p;
    if (args == Args::kTwo && accept_symbol(",")) {
      auto s = small_integer("a scale");
      if (!s) return std::nullopt;
      t.scale = *s;
    }
    if (!expect_symbol(")", "after the type's " + std::string(t.kind == K::kDecimal ? "precision" : "length")))
      return std::nullopt;
  }
  return t;
}

// ---- windows ----

// After OVER: a window name, or ( spec ).
std::optional<ast::Over> Parser::over() {
  ast::Over o;
  if (at_name()) {
    o.name = next().text;
    return o;
  }
  if (!expect_symbol("(", "after OVER (a window name or a window specification)")) return std::nullopt;
  auto spec = window_spec();
  if (!spec) return std::nullopt;
  if (!expect_symbol(")", "to close the window specification")) return std::nullopt;
  o.spec = std::move(*spec);
  return o;
}

// [base] [PARTITION BY ...] [ORDER BY ...] [ROWS | RANGE frame]
std::optional<ast::WindowSpec> Parser::window_spec() {
  ast::WindowSpec w;
  w.pos = peek().pos;
  if (at_name() && !at_word("PARTITION") && !at_word("ORDER") && !at_word("ROWS") && !at_word("RANGE")) {
    w.base = next().text;
  }
  if (accept_word("PARTITION")) {
    if (!expect_word("BY", "after PARTITION")) return std::nullopt;
    auto keys = expression_list();
    if (!keys) return std::nullopt;
    w.partition_by = std::move(*keys);
  }
  if (accept_word("ORDER")) {
    if (!expect_word("BY", "after ORDER")) return std::nullopt;
    auto items = order_by_list();
    if (!items) return std::nullopt;
    w.order_by = std::move(*items);
  }
  if (at_word("ROWS") || at_word("RANGE")) {
    ast::Frame f;
    f.rows = next().text == "ROWS";
    if (accept_word("BETWEEN")) {
      auto start = frame_bound();
      if (!start || !expect_word("AND", "between the window frame's bounds")) return std::nullopt;
      auto end = frame_bound();
      if (!end) return std::nullopt;
      f.start = std::move(*start);
      f.end = std::move(*end);
    } else {
      auto start = frame_bound();
      if (!start) return std::nullopt;
      f.start = std::move(*start);
    }
    w.frame = std::move(f);
    return w;  // the caller expects the ')'
  }
  if (!at_symbol(")")) {
    fail_expected("PARTITION BY, ORDER BY, ROWS, RANGE or ')'", "in the window specification");
    return std::nullopt;
  }
  return w;
}

std::optional<ast::FrameBound> Parser::frame_bound() {
  ast::FrameBound b;
  if (accept_word("UNBOUNDED")) {
    if (accept_word("PRECEDING")) {
      b.kind = ast::FrameBound::Kind::kUnboundedPreceding;
    } else if (accept_word("FOLLOWING")) {
      b.kind = ast::FrameBound::Kind::kUnboundedFollowing;
    } else {
      fail_expected("PRECEDING or FOLLOWING", "after UNBOUNDED");
      return std::nullopt;
    }
    return b;
  }
  if (accept_word("CURRENT")) {
    if (!expect_word("ROW", "after CURRENT")) return std::nullopt;
    b.kind = ast::FrameBound::Kind::kCurrentRow;
    return b;
  }
  b.offset = additive();
  if (!b.offset) return std::nullopt;
  if (accept_word("PRECEDING")) {
    b.kind = ast::FrameBound::Kind::kPreceding;
  } else if (accept_word("FOLLOWING")) {
    b.kind = ast::FrameBound::Kind::kFollowing;
  } else {
    fail_expected("PRECEDING or FOLLOWING", "after the window's size");
    return std::nullopt;
  }
  return b;
}

}  // namespace runnel::sql::internal
