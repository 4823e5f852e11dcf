// The printer's contract on many trees, not only hand-picked ones.
// - The example programs, cut into statements and changed a token or two at a
//   time (deterministically, from a fixed seed), must either fail to parse or
//   print to text that parses back to an equal tree and prints the same again.
// - Random expression trees of every node kind, built directly, must print to
//   text that parses back to them. This is where a printed operand can run
//   into what follows it: without the printer's guards, it finds
//   FLOOR(x + INTERVAL '1' DAY TO HOUR) (read as an interval DAY TO HOUR) and
//   SUBSTRING(s SIMILAR a LIKE b ESCAPE c) within the first few hundred of its 10,000 trees.

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sql/ast.h"
#include "sql/lexer.h"
#include "sql/parser.h"
#include "sql/parser_test_examples.h"

namespace runnel::sql {
namespace {

// Words and symbols that the mutations insert, beyond the examples' own.
constexpr std::string_view kExtraTokens[] = {
    "(",
    ")",
    ",",
    "INTERVAL",
    "'1'",
    "DAY",
    "TO",
    "SECOND",
    "FLOOR",
    "CEIL",
    "LIKE",
    "ESCAPE",
    "SIMILAR",
    "NOT",
    "IS",
    "NULL",
    "BETWEEN",
    "AND",
    "OR",
    "IN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "-",
    "+",
    "*",
    "/",
    "||",
    "=",
    "<",
    "SUBSTRING",
    "FROM",
    "FOR",
    "TRIM",
    "BOTH",
    "POSITION",
    "OVER",
    "ROWS",
    "RANGE",
    "PRECEDING",
    "CURRENT",
    "ROW",
    "UNBOUNDED",
    "FIRST",
    "LAST",
    "NTH_VALUE",
    "IGNORE",
    "NULLS",
    "VALUES",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "ALL",
    "SELECT",
    "STREAM",
    "AS",
    "\"X\"",
    "x",
    "1",
    "1.5",
    "1e3",
    "DATE",
    "STEP",
    "BY",
    "EXTRACT",
    "CAST",
    "INTEGER",
    "CURSOR",
    "TABLE",
    "JOIN",
    "ON",
    "WINDOW",
    "PARTITION",
    "ORDER",
    "DESC",
    "GROUP",
    "HAVING",
    "OVERLAY",
    "PLACING",
    "EXISTS",
    "CURRENT_DATE",
    "ROWTIME",
    ".",
};

TEST(ParserRoundTrip, MutatedExampleStatementsPrintAndParseBack) {
  std::vector<std::vector<std::string>> statements;
  std::vector<std::string> pool(std::begin(kExtraTokens), std::end(kExtraTokens));
  for (const testing::Example& e : testing::kExamples) {
    TokenizeResult lexed = tokenize(e.sql);
    ASSERT_TRUE(lexed.ok) << e.name;
    std::vector<std::string> current;
    for (const Token& t : lexed.tokens) {
      if (t.kind == TokenKind::kEnd) break;
      pool.emplace_back(t.raw);
      if (t.is_symbol(";")) {
        if (!current.empty()) statements.push_back(std::move(current));
        current.clear();
        continue;
      }
      current.emplace_back(t.raw);
    }
    if (!current.empty()) statements.push_back(std::move(current));
  }
  ASSERT_FALSE(statements.empty());

  std::mt19937 rng(20261207);
  int parsed = 0;
  constexpr int kMutants = 15000;
  for (int i = 0; i < kMutants; ++i) {
    std::vector<std::string> tokens = statements[rng() % statements.size()];
    int changes = 1 + static_cast<int>(rng() % 2);
    for (int c = 0; c < changes && !tokens.empty(); ++c) {
      size_t at = rng() % tokens.size();
      switch (rng() % 4) {
        case 0: tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1: tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at), pool[rng() % pool.size()]); break;
        case 2: tokens[at] = pool[rng() % pool.size()]; break;
        default: std::swap(tokens[at], tokens[rng() % tokens.size()]); break;
      }
    }
    std::string sql;
    for (const std::string& t : tokens) sql += t + " ";
    auto tree = parse_program(sql);
    if (!tree) continue;
    ++parsed;
    std::string printed = ast::to_sql(*tree);
    auto again = parse_program(printed);
    ASSERT_TRUE(again.has_value()) << "input: " << sql << "\nprinted: " << printed << "\n" << again.error().message();
    ASSERT_TRUE(*again == *tree) << "input: " << sql << "\nprinted: " << printed;
    ASSERT_EQ(ast::to_sql(*again), printed) << "input: " << sql;
  }
  // Most mutants break the statement; enough of them must still parse for
  // the test to mean something.
  EXPECT_GT(parsed, kMutants / 100);
}

// Random expression trees within what the grammar can say (IntervalOf over a
// subtraction, valid interval qualifiers, non-empty CASE and IN lists, ...).
class TreeMaker {
 public:
  explicit TreeMaker(uint32_t seed) : rng_(seed) {}

  ast::Box<ast::Expr> expr(int depth) {
    if (depth <= 0 || pick(5) == 0) return leaf();
    switch (pick(22)) {
      case 0: return make(ast::Unary{static_cast<ast::Unary::Op>(pick(3)), expr(depth - 1)});
      case 1:
      case 2: return make(ast::Binary{static_cast<ast::Binary::Op>(pick(14)), expr(depth - 1), expr(depth - 1)});
      case 3: return make(ast::IsTest{expr(depth - 1), static_cast<ast::IsTest::What>(pick(4)), pick(2) == 0});
      case 4:
        return make(ast::Between{expr(depth - 1), expr(depth - 1), expr(depth - 1), pick(2) == 0,
                                 static_cast<ast::Between::Mode>(pick(3))});
      case 5: {
        ast::InList in;
        in.operand = expr(depth - 1);
        for (size_t n = 1 + pick(3); n > 0; --n) in.list.push_back(expr(depth - 1));
        in.negated = pick(2) == 0;
        return make(std::move(in));
      }
      case 6:
        return make(ast::Like{expr(depth - 1), expr(depth - 1), pick(2) ? expr(depth - 1) : ast::Box<ast::Expr>(),
                              pick(2) == 0, pick(2) == 0});
      case 7: {
        ast::Case c;
        if (pick(2)) c.operand = expr(depth - 1);
        for (size_t n = 1 + pick(2); n > 0; --n) c.whens.push_back(ast::CaseWhen{expr(depth - 1), expr(depth - 1)});
        if (pick(2)) c.otherwise = expr(depth - 1);
        return make(std::move(c));
      }
      case 8: return make(ast::Cast{expr(depth - 1), type()});
      case 9:
      case 10: return make(call(depth));
      case 11: return make(ast::FloorCeil{pick(2) == 0, expr(depth - 1), unit()});
      case 12: return make(ast::Step{expr(depth - 1), expr(depth - 1)});
      case 13: return make(ast::Extract{unit(), expr(depth - 1)});
      case 14: return make(ast::Position{expr(depth - 1), expr(depth - 1)});
      case 15: {
        bool similar = pick(2) == 0;
        return make(ast::Substring{expr(depth - 1), expr(depth - 1),
                                   similar || pick(2) ? expr(depth - 1) : ast::Box<ast::Expr>(), similar});
      }
      case 16:
        return make(ast::Overlay{expr(depth - 1), expr(depth - 1), expr(depth - 1),
                                 pick(2) ? expr(depth - 1) : ast::Box<ast::Expr>()});
      case 17:
        return make(ast::Trim{static_cast<ast::Trim::Side>(pick(3)), pick(2) ? expr(depth - 1) : ast::Box<ast::Expr>(),
                              expr(depth - 1)});
      case 18: {
        ast::IntervalOf i;
        i.operand = make(ast::Binary{ast::Binary::Op::kSub, expr(depth - 1), expr(depth - 1)});
        i.qualifier = qualifier();
        return make(std::move(i));
      }
      case 19: {
        ast::Select s;
        s.items.push_back(ast::SelectItem{{}, expr(depth - 1), std::nullopt});
        ast::FromItem from;
        from.node = ast::TableRef{{"S"}, std::nullopt, std::nullopt};
        s.from = std::move(from);
        ast::Query q;
        q.body = std::move(s);
        return make(ast::SubqueryExpr{static_cast<ast::SubqueryExpr::Kind>(pick(3)), std::move(q)});
      }
      default: return leaf();
    }
  }

 private:
  size_t pick(size_t n) { return rng_() % n; }

  static ast::Box<ast::Expr> make(ast::Expr::Node node) {
    ast::Expr e;
    e.node = std::move(node);
    return ast::Box<ast::Expr>(std::move(e));
  }

  ast::TimeUnit unit() { return static_cast<ast::TimeUnit>(pick(10)); }

  ast::IntervalQualifier qualifier() {
    using U = ast::TimeUnit;
    static constexpr U kStarts[] = {U::kYear, U::kMonth, U::kDay, U::kHour, U::kMinute, U::kSecond};
    ast::IntervalQualifier q;
    q.start = kStarts[pick(6)];
    if (pick(2)) q.start_precision = static_cast<int>(pick(10));
    if (pick(2)) {
      if (q.start == U::kYear) q.end = U::kMonth;
      if (q.start == U::kDay) q.end = pick(2) ? U::kHour : U::kSecond;
      if (q.start == U::kHour) q.end = pick(2) ? U::kMinute : U::kSecond;
      if (q.start == U::kMinute) q.end = U::kSecond;
    }
    bool fraction_allowed = q.end ? *q.end == U::kSecond : q.start == U::kSecond && q.start_precision;
    if (fraction_allowed && pick(2)) q.fraction_precision = static_cast<int>(pick(10));
    return q;
  }

  ast::DataType type() {
    ast::DataType t;
    t.kind = static_cast<ast::DataType::Kind>(pick(17));
    using K = ast::DataType::Kind;
    if (t.kind == K::kInterval) {
      t.interval = qualifier();
    } else if (t.kind == K::kDecimal && pick(2)) {
      t.precision = 9;
      if (pick(2)) t.scale = 2;
    } else if ((t.kind == K::kVarchar || t.kind == K::kChar || t.kind == K::kTimestamp) && pick(2)) {
      t.precision = 3;
    }
    return t;
  }

  ast::FunctionCall call(int depth) {
    static constexpr std::string_view kNames[] = {"F", "FLOOR", "CEIL", "lower", "ROW", "STEP", "TABLE", "COUNT"};
    ast::FunctionCall f;
    f.name = kNames[pick(std::size(kNames))];
    for (size_t n = pick(3); n > 0; --n) f.args.push_back(expr(depth - 1));
    f.quantifier = static_cast<ast::FunctionCall::Quantifier>(pick(3));
    f.nulls = static_cast<ast::FunctionCall::Nulls>(pick(3));
    if (pick(4) == 0) f.from = static_cast<ast::FunctionCall::From>(1 + pick(2));
    if (f.from != ast::FunctionCall::From::kDefault || pick(3) == 0) {
      ast::Over o;
      if (pick(2)) {
        o.name = "W";
      } else {
        ast::WindowSpec w;
        if (pick(2)) w.partition_by.push_back(expr(depth - 1));
        if (pick(2)) w.order_by.push_back(ast::OrderItem{{}, expr(depth - 1), pick(2) == 0});
        if (pick(2)) {
          ast::Frame fr;
          fr.rows = pick(2) == 0;
          fr.start = ast::FrameBound{ast::FrameBound::Kind::kPreceding, expr(depth - 1)};
          if (pick(2)) fr.end = ast::FrameBound{ast::FrameBound::Kind::kCurrentRow, {}};
          w.frame = std::move(fr);
        }
        o.spec = std::move(w);
      }
      f.over = std::move(o);
    }
    return f;
  }

  ast::Box<ast::Expr> leaf() {
    static constexpr std::string_view kNames[] = {"A",    "price",  "LAST",   "CURRENT",
                                                  "DATE", "SECOND", "SELECT", "ROWTIME"};
    ast::Literal l;
    switch (pick(9)) {
      case 0: return make(ast::ColumnRef{{std::string(kNames[pick(std::size(kNames))])}});
      case 1: return make(ast::ColumnRef{{"S", std::string(kNames[pick(std::size(kNames))])}});
      case 2: l = ast::Literal{ast::Literal::Kind::kExact, pick(2) ? "12" : "1.50", false, {}}; break;
      case 3: l = ast::Literal{ast::Literal::Kind::kApproximate, "1e3", false, {}}; break;
      case 4: l = ast::Literal{ast::Literal::Kind::kString, pick(2) ? "it's" : "--x", false, {}}; break;
      case 5: l = ast::Literal{static_cast<ast::Literal::Kind>(pick(4)), "", false, {}}; break;
      case 6: l = ast::Literal{ast::Literal::Kind::kInterval, "1", pick(2) == 0, qualifier()}; break;
      case 7: l = ast::Literal{ast::Literal::Kind::kTimestamp, "2018-08-01 00:00:00", false, {}}; break;
      default: {
        ast::FunctionCall f;
        f.name = pick(2) ? "CURRENT_ROW_TIMESTAMP" : "CURRENT_DATE";
        f.niladic = true;
        return make(std::move(f));
      }
    }
    return make(std::move(l));
  }

  std::mt19937 rng_;

 public:
  ast::Query query(int depth) {
    ast::Query q;
    int kind = depth <= 0 ? 0 : static_cast<int>(pick(6));
    if (kind == 4) {
      ast::SetOperation op{static_cast<ast::SetOperation::Op>(pick(3)),
                           static_cast<ast::SetOperation::Quantifier>(pick(3)), query(depth - 1), query(depth - 1)};
      q.body = std::move(op);
    } else if (kind == 5) {
      ast::Values v;
      size_t width = 1 + pick(2);
      for (size_t r = 1 + pick(2); r > 0; --r) {
        std::vector<ast::Box<ast::Expr>> row;
        for (size_t c = 0; c < width; ++c) row.push_back(expr(1));
        v.rows.push_back(std::move(row));
      }
      q.body = std::move(v);
    } else {
      q.body = select(depth);
    }
    if (pick(4) == 0) q.order_by.push_back(ast::OrderItem{{}, expr(1), pick(2) == 0});
    return q;
  }

  ast::Statement statement() {
    ast::Statement st;
    switch (pick(5)) {
      case 0: {
        ast::CreateStream c{pick(2) == 0, {"S"}, {}, std::nullopt};
        for (size_t n = 1 + pick(3); n > 0; --n) c.columns.push_back(ast::ColumnDef{{}, pick(2) ? "x" : "TS", type()});
        if (pick(2)) c.description = "it's";
        st.node = std::move(c);
        break;
      }
      case 1: {
        ast::CreatePump p;
        p.or_replace = pick(2) == 0;
        p.name = {"P"};
        if (pick(2)) p.description = "pump";
        p.target = {"D"};
        if (pick(2)) p.columns = {"A", "b"};
        p.query = query(2);
        st.node = std::move(p);
        break;
      }
      case 2: {
        ast::CreateFunction f;
        f.name = {"F"};
        f.parameters.push_back(ast::ColumnDef{{}, "X", type()});
        f.returns = type();
        f.language_sql = pick(2) == 0;
        if (pick(2)) f.deterministic = pick(2) == 0;
        f.contains_sql = pick(2) == 0;
        if (pick(2)) f.returns_null_on_null = pick(2) == 0;
        f.body = expr(2);
        st.node = std::move(f);
        break;
      }
      case 3:
        st.node = ast::Insert{{"D"}, pick(2) ? std::vector<std::string>{"A"} : std::vector<std::string>{}, query(2)};
        break;
      default: st.node = query(2); break;
    }
    return st;
  }

 private:
  ast::Select select(int depth) {
    ast::Select s;
    s.stream = pick(2) == 0;
    s.quantifier = static_cast<ast::FunctionCall::Quantifier>(pick(3));
    for (size_t n = 1 + pick(2); n > 0; --n) {
      s.items.push_back(ast::SelectItem{{}, expr(2), pick(2) ? std::optional<std::string>("ROWTIME") : std::nullopt});
    }
    if (pick(5)) s.from = from(depth);
    if (pick(2)) s.where = expr(2);
    if (pick(3) == 0) s.group_by.push_back(expr(1));
    if (pick(4) == 0) {
      ast::StaggerWindow w;
      w.partition_by.push_back(expr(1));
      w.range = expr(1);
      s.stagger = std::move(w);
    }
    if (pick(4) == 0) s.having = expr(1);
    if (pick(4) == 0) {
      ast::NamedWindow w;
      w.name = "W";
      w.spec.partition_by.push_back(expr(1));
      s.windows.push_back(std::move(w));
    }
    return s;
  }

  ast::Box<ast::FromItem> from(int depth) {
    ast::FromItem item;
    switch (depth <= 0 ? 0 : pick(5)) {
      case 0:
      case 1: {
        ast::TableRef t{{pick(2) ? "S" : "last"}, std::nullopt, std::nullopt};
        if (pick(3) == 0) t.window = ast::Over{std::string("W"), std::nullopt};
        if (pick(2)) t.alias = "T";
        item.node = std::move(t);
        break;
      }
      case 2: {
        ast::DerivedTable d{query(depth - 1), std::nullopt, {}};
        if (pick(2)) {
          d.alias = "L";
          if (pick(2)) d.columns = {"R"};
        }
        item.node = std::move(d);
        break;
      }
      case 3: {
        ast::FunctionCall f;
        f.name = "TOP_K";
        f.args.push_back(make(ast::SubqueryExpr{ast::SubqueryExpr::Kind::kCursor, query(depth - 1)}));
        item.node =
            ast::TableFunction{make(std::move(f)), pick(2) ? std::optional<std::string>("T") : std::nullopt, {}};
        break;
      }
      default: {
        // Joins are left-deep; a comma join's right side may be a JOIN.
        auto kind = static_cast<ast::Join::Kind>(pick(6));
        ast::Join j{kind, from(depth - 1), from(0), {}};
        // JOIN binds tighter than a comma, and FROM has no parentheses for
        // joins: a JOIN's left side cannot be a comma join.
        const auto* left = j.left->as<ast::Join>();
        if (kind != ast::Join::Kind::kComma && left && left->kind == ast::Join::Kind::kComma) j.left = from(0);
        if (kind != ast::Join::Kind::kCross && kind != ast::Join::Kind::kComma) j.on = expr(1);
        if (kind == ast::Join::Kind::kComma && j.left->as<ast::Join>() == nullptr && pick(2)) {
          ast::FromItem inner;
          inner.node = ast::Join{ast::Join::Kind::kInner, from(0), from(0), expr(1)};
          j.right = std::move(inner);
        }
        item.node = std::move(j);
        break;
      }
    }
    return ast::Box<ast::FromItem>(std::move(item));
  }
};

TEST(ParserRoundTrip, RandomExpressionTreesPrintAndParseBack) {
  TreeMaker maker(7);
  for (int i = 0; i < 10000; ++i) {
    ast::Box<ast::Expr> tree = maker.expr(4);
    std::string printed = ast::to_sql(*tree);
    auto back = parse_expression(printed);
    ASSERT_TRUE(back.has_value()) << printed << "\n" << back.error().message();
    ASSERT_TRUE(*back == *tree) << printed << "\nreads back as\n" << ast::to_sql(*back);
  }
}

TEST(ParserRoundTrip, RandomStatementsPrintAndParseBack) {
  TreeMaker maker(11);
  for (int i = 0; i < 5000; ++i) {
    ast::Program program;
    program.statements.push_back(maker.statement());
    std::string printed = ast::to_sql(program);
    auto back = parse_program(printed);
    ASSERT_TRUE(back.has_value()) << printed << "\n" << back.error().message();
    ASSERT_TRUE(*back == program) << printed << "\nreads back as\n" << ast::to_sql(*back);
  }
}

}  // namespace
}  // namespace runnel::sql
