// The tree's own contracts: names, Box, equality, and printing trees built by
// hand (as a planner or rewriter would) so that they parse back the same.

#include "sql/ast.h"

#include <gtest/gtest.h>

#include "sql/parser.h"

namespace runnel::sql::ast {
namespace {

Box<Expr> column(std::string name) {
  Expr e;
  e.node = ColumnRef{{std::move(name)}};
  return Box<Expr>(std::move(e));
}

Box<Expr> number(std::string text) {
  Expr e;
  e.node = Literal{Literal::Kind::kExact, std::move(text), false, {}};
  return Box<Expr>(std::move(e));
}

Box<Expr> op(Binary::Op o, Box<Expr> l, Box<Expr> r) {
  Expr e;
  e.node = Binary{o, std::move(l), std::move(r)};
  return Box<Expr>(std::move(e));
}

Box<Expr> neg(Box<Expr> x) {
  Expr e;
  e.node = Unary{Unary::Op::kMinus, std::move(x)};
  return Box<Expr>(std::move(e));
}

// The print of a hand-built tree must parse back to that tree.
std::string printed_and_reparsed(const Expr& e) {
  std::string s = to_sql(e);
  auto back = parse_expression(s);
  EXPECT_TRUE(back.has_value()) << s << ": " << back.error().message();
  if (back) {
    EXPECT_TRUE(*back == e) << s;
  }
  return s;
}

TEST(Ast, QuoteNameLeavesOnlyNamesThatReadBackTheSameBare) {
  EXPECT_EQ(quote_name("PRICE"), "PRICE");
  EXPECT_EQ(quote_name("SOURCE_SQL_STREAM_001"), "SOURCE_SQL_STREAM_001");
  EXPECT_EQ(quote_name("A$B#C"), "A$B#C");
  EXPECT_EQ(quote_name("_X"), "_X");
  EXPECT_EQ(quote_name("price"), "\"price\"");
  EXPECT_EQ(quote_name("Mixed"), "\"Mixed\"");
  EXPECT_EQ(quote_name("1ABC"), "\"1ABC\"");
  EXPECT_EQ(quote_name("A B"), "\"A B\"");
  EXPECT_EQ(quote_name("SAY\"HI"), "\"SAY\"\"HI\"");
  EXPECT_EQ(quote_name(""), "\"\"");
  EXPECT_EQ(quote_name("FROM"), "\"FROM\"");
  EXPECT_EQ(quote_name("TIMESTAMP"), "\"TIMESTAMP\"");
  EXPECT_EQ(quote_name("CURRENT_ROW_TIMESTAMP"), "\"CURRENT_ROW_TIMESTAMP\"");
  EXPECT_EQ(quote_name("ROWTIME"), "ROWTIME");
}

TEST(Ast, ReservedWords) {
  for (std::string_view w : {"SELECT", "FROM", "WHERE", "JOIN", "ON", "WINDOWED", "OVER", "NULL", "INTERVAL"}) {
    EXPECT_TRUE(is_reserved_word(w)) << w;
  }
  for (std::string_view w : {"ROWTIME", "STREAM", "PUMP", "STEP", "SECOND", "DATE", "select", "DESCRIPTION"}) {
    EXPECT_FALSE(is_reserved_word(w)) << w;
  }
}

TEST(Ast, BoxCopiesDeeplyAndComparesByValue) {
  Box<Expr> a = op(Binary::Op::kAdd, column("A"), number("1"));
  Box<Expr> b = a;
  EXPECT_NE(a.get(), b.get());
  EXPECT_TRUE(a == b);
  std::get<Binary>(b->node).right = number("2");
  EXPECT_FALSE(a == b);
  Box<Expr> empty;
  Box<Expr> other_empty;
  EXPECT_TRUE(empty == other_empty);
  EXPECT_FALSE(empty == a);
  Box<Expr> moved = std::move(b);
  EXPECT_TRUE(moved);
}

TEST(Ast, PositionsDoNotTakePartInEquality) {
  Expr a;
  a.pos = SourcePos{1, 1};
  a.node = ColumnRef{{"A"}};
  Expr b = a;
  b.pos = SourcePos{7, 30};
  EXPECT_TRUE(a == b);
  EXPECT_EQ(b.pos.line, 7);
  EXPECT_EQ(b.pos.column, 30);
}

TEST(Ast, HandBuiltTreesPrintWithTheParenthesesTheyNeed) {
  // a - (b - c): the right operand of a left-associative operator.
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kSub, column("A"), op(Binary::Op::kSub, column("B"), column("C")))),
            "A - (B - C)");
  // (a + b) * c, and a * b + c with none.
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kMul, op(Binary::Op::kAdd, column("A"), column("B")), column("C"))),
            "(A + B) * C");
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kAdd, op(Binary::Op::kMul, column("A"), column("B")), column("C"))),
            "A * B + C");
  // -(-1) must not print as --1, which starts a comment.
  EXPECT_EQ(printed_and_reparsed(*neg(neg(number("1")))), "- -1");
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kSub, column("A"), neg(number("1")))), "A - -1");
  // (a OR b) AND c, and a comparison of comparisons.
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kAnd, op(Binary::Op::kOr, column("A"), column("B")), column("C"))),
            "(A OR B) AND C");
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kEq, column("A"), op(Binary::Op::kLt, column("B"), column("C")))),
            "A = (B < C)");
  // -(a + b) and (a || b) = c.
  EXPECT_EQ(printed_and_reparsed(*neg(op(Binary::Op::kAdd, column("A"), column("B")))), "-(A + B)");
  EXPECT_EQ(printed_and_reparsed(*op(Binary::Op::kEq, op(Binary::Op::kConcat, column("A"), column("B")), column("C"))),
            "A || B = C");
}

TEST(Ast, HandBuiltPredicatesParenthesizeLooseOperands) {
  Expr between;
  between.node = Between{op(Binary::Op::kOr, column("A"), column("B")), op(Binary::Op::kAnd, column("C"), column("D")),
                         number("1"), true, Between::Mode::kDefault};
  EXPECT_EQ(printed_and_reparsed(between), "(A OR B) NOT BETWEEN (C AND D) AND 1");

  Expr is;
  is.node = IsTest{op(Binary::Op::kAnd, column("A"), column("B")), IsTest::What::kTrue, false};
  EXPECT_EQ(printed_and_reparsed(is), "(A AND B) IS TRUE");

  Expr like;
  like.node = Like{column("S"), op(Binary::Op::kEq, column("P"), column("Q")), Box<Expr>(), false, true};
  EXPECT_EQ(printed_and_reparsed(like), "S SIMILAR TO (P = Q)");

  Expr position;
  position.node = Position{op(Binary::Op::kEq, column("A"), column("B")), column("C")};
  EXPECT_EQ(printed_and_reparsed(position), "POSITION((A = B) IN C)");
}

TEST(Ast, TimeUnitNames) {
  EXPECT_EQ(time_unit_name(TimeUnit::kYear), "YEAR");
  EXPECT_EQ(time_unit_name(TimeUnit::kMinute), "MINUTE");
  EXPECT_EQ(time_unit_name(TimeUnit::kMillisecond), "MILLISECOND");
}

TEST(Ast, DataTypesPrint) {
  DataType t;
  t.kind = DataType::Kind::kDecimal;
  t.precision = 5;
  t.scale = 2;
  EXPECT_EQ(to_sql(t), "DECIMAL(5, 2)");
  t.kind = DataType::Kind::kInterval;
  t.interval = IntervalQualifier{TimeUnit::kDay, 2, TimeUnit::kSecond, 3};
  EXPECT_EQ(to_sql(t), "INTERVAL DAY(2) TO SECOND(3)");
  t.interval = IntervalQualifier{TimeUnit::kSecond, 2, std::nullopt, 6};
  EXPECT_EQ(to_sql(t), "INTERVAL SECOND(2, 6)");
}

}  // namespace
}  // namespace runnel::sql::ast
