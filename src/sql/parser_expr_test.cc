// Expressions: precedence, literals, names, calls, the special syntaxes, types.

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/parser_test_util.h"

namespace runnel::sql {
namespace {

using testing::shape_of;

std::string sql_of(std::string_view text) {
  auto e = parse_expression(text);
  if (!e) return "error: " + e.error().message();
  return ast::to_sql(*e);
}

// The expression must print as `want` and parse back from that print to an
// equal tree.
void expect_prints(std::string_view text, std::string_view want) {
  auto e = parse_expression(text);
  ASSERT_TRUE(e.has_value()) << e.error().message() << " in " << text;
  std::string printed = ast::to_sql(*e);
  EXPECT_EQ(printed, want) << text;
  auto again = parse_expression(printed);
  ASSERT_TRUE(again.has_value()) << again.error().message() << " in " << printed;
  EXPECT_TRUE(*again == *e) << printed;
}

TEST(ParserExpr, FieldsOfARowValuedCall) {
  expect_prints("variable_column_log_parse(s, 3, ',').column2", "VARIABLE_COLUMN_LOG_PARSE(S, 3, ',').COLUMN2");
  expect_prints("f(x).\"a b\"", "F(X).\"a b\"");
  EXPECT_FALSE(parse_expression("f(x).").has_value());
}

TEST(ParserExpr, LogicalOperatorsBindLooserThanComparisonAndOrLooserThanAnd) {
  EXPECT_EQ(shape_of("a OR b AND c"), "(OR A (AND B C))");
  EXPECT_EQ(shape_of("a AND b OR c"), "(OR (AND A B) C)");
  EXPECT_EQ(shape_of("a OR b OR c"), "(OR (OR A B) C)");
  EXPECT_EQ(shape_of("NOT a = b"), "(NOT (= A B))");
  EXPECT_EQ(shape_of("NOT a AND b"), "(AND (NOT A) B)");
  EXPECT_EQ(shape_of("NOT NOT a"), "(NOT (NOT A))");
  EXPECT_EQ(shape_of("a = 1 AND NOT b < 2 OR c"), "(OR (AND (= A 1) (NOT (< B 2))) C)");
}

TEST(ParserExpr, ArithmeticPrecedenceAndLeftAssociativity) {
  EXPECT_EQ(shape_of("a + b * c"), "(+ A (* B C))");
  EXPECT_EQ(shape_of("a * b + c"), "(+ (* A B) C)");
  EXPECT_EQ(shape_of("a - b - c"), "(- (- A B) C)");
  EXPECT_EQ(shape_of("a / b / c"), "(/ (/ A B) C)");
  EXPECT_EQ(shape_of("a / b * c % d"), "(% (* (/ A B) C) D)");
  EXPECT_EQ(shape_of("(a + b) * c"), "(* (+ A B) C)");
  EXPECT_EQ(shape_of("-a * b"), "(* (NEG A) B)");
  EXPECT_EQ(shape_of("a * -b"), "(* A (NEG B))");
  EXPECT_EQ(shape_of("- -a"), "(NEG (NEG A))");
  EXPECT_EQ(shape_of("+a - +b"), "(- (POS A) (POS B))");
}

TEST(ParserExpr, ConcatenationSitsBetweenComparisonAndAddition) {
  EXPECT_EQ(shape_of("a || b || c"), "(|| (|| A B) C)");
  EXPECT_EQ(shape_of("a || b + c"), "(|| A (+ B C))");
  EXPECT_EQ(shape_of("a + b || c"), "(|| (+ A B) C)");
  EXPECT_EQ(shape_of("a = b || c"), "(= A (|| B C))");
}

TEST(ParserExpr, ComparisonsAndPredicates) {
  EXPECT_EQ(shape_of("a = b"), "(= A B)");
  EXPECT_EQ(shape_of("a <> b"), "(<> A B)");
  EXPECT_EQ(shape_of("a != b"), "(<> A B)");
  EXPECT_EQ(shape_of("a < b"), "(< A B)");
  EXPECT_EQ(shape_of("a <= b"), "(<= A B)");
  EXPECT_EQ(shape_of("a > b"), "(> A B)");
  EXPECT_EQ(shape_of("a >= b"), "(>= A B)");
  EXPECT_EQ(shape_of("a + 1 > b * 2"), "(> (+ A 1) (* B 2))");
  EXPECT_EQ(shape_of("a < b = c"), "(= (< A B) C)");
  EXPECT_EQ(shape_of("a IS NULL"), "(IS NULL A)");
  EXPECT_EQ(shape_of("a IS NOT NULL"), "(IS NOT NULL A)");
  EXPECT_EQ(shape_of("a + 1 IS TRUE"), "(IS TRUE (+ A 1))");
  EXPECT_EQ(shape_of("a = b IS NOT FALSE"), "(IS NOT FALSE (= A B))");
  EXPECT_EQ(shape_of("a IS UNKNOWN"), "(IS UNKNOWN A)");
  EXPECT_EQ(shape_of("NOT a IS NULL"), "(NOT (IS NULL A))");
  EXPECT_EQ(shape_of("a BETWEEN 1 AND 2 AND b"), "(AND (BETWEEN A 1 2) B)");
  EXPECT_EQ(shape_of("a NOT BETWEEN b + 1 AND c * 2"), "(NOT BETWEEN A (+ B 1) (* C 2))");
  EXPECT_EQ(shape_of("a IN (1, 2, 3)"), "(IN A 1 2 3)");
  EXPECT_EQ(shape_of("a NOT IN ('x') OR b"), "(OR (NOT IN A 'x') B)");
  EXPECT_EQ(shape_of("a IN (SELECT b FROM t)"), "(IN A <query>)");
  EXPECT_EQ(shape_of("a LIKE 'x%'"), "(LIKE A 'x%')");
  EXPECT_EQ(shape_of("a NOT LIKE 'x!%' ESCAPE '!'"), "(NOT LIKE A 'x!%' ESCAPE '!')");
  EXPECT_EQ(shape_of("sector SIMILAR TO '%TECH%'"), "(SIMILAR SECTOR '%TECH%')");
  EXPECT_EQ(shape_of("a NOT SIMILAR TO 'b' || c ESCAPE '\\'"), "(NOT SIMILAR A (|| 'b' C) ESCAPE '\\')");
}

TEST(ParserExpr, BetweenKeepsSymmetricAndAsymmetric) {
  auto e = parse_expression("x BETWEEN SYMMETRIC 5 AND 1");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->as<ast::Between>()->mode, ast::Between::Mode::kSymmetric);
  expect_prints("x BETWEEN SYMMETRIC 5 AND 1", "X BETWEEN SYMMETRIC 5 AND 1");
  expect_prints("x not between asymmetric 1 and 5", "X NOT BETWEEN ASYMMETRIC 1 AND 5");
}

TEST(ParserExpr, PrinterParenthesizesOnlyWherePrecedenceNeedsIt) {
  expect_prints("a + b * c", "A + B * C");
  expect_prints("(a + b) * c", "(A + B) * C");
  expect_prints("a - (b - c)", "A - (B - C)");
  expect_prints("(a - b) - c", "A - B - C");
  expect_prints("a OR (b AND c)", "A OR B AND C");
  expect_prints("(a OR b) AND c", "(A OR B) AND C");
  expect_prints("NOT (a AND b)", "NOT (A AND B)");
  expect_prints("(NOT a) = b", "(NOT A) = B");
  expect_prints("-(a + b)", "-(A + B)");
  expect_prints("- (-a)", "- -A");
  expect_prints("a - -1", "A - -1");
  expect_prints("(a IS NULL) IS NULL", "A IS NULL IS NULL");
  expect_prints("a = (b = c)", "A = (B = C)");
  expect_prints("(a || b) + 1", "(A || B) + 1");
  expect_prints("x BETWEEN (a OR b) AND c", "X BETWEEN (A OR B) AND C");
}

TEST(ParserExpr, NumericLiteralsKeepTheirText) {
  auto e = parse_expression("1.50");
  ASSERT_TRUE(e.has_value());
  const auto* lit = e->as<ast::Literal>();
  ASSERT_NE(lit, nullptr);
  EXPECT_EQ(lit->kind, ast::Literal::Kind::kExact);
  EXPECT_EQ(lit->text, "1.50");
  e = parse_expression("6.02E23");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->as<ast::Literal>()->kind, ast::Literal::Kind::kApproximate);
  EXPECT_EQ(e->as<ast::Literal>()->text, "6.02E23");
  expect_prints("-12", "-12");
  expect_prints(".5 + 7.", ".5 + 7.");
}

TEST(ParserExpr, StringBinaryBooleanAndNullLiterals) {
  expect_prints("'it''s'", "'it''s'");
  expect_prints("U&'\\0041B'", "'AB'");
  expect_prints("X'0AfF'", "X'0AfF'");
  expect_prints("true OR false OR unknown OR null", "TRUE OR FALSE OR UNKNOWN OR NULL");
  auto e = parse_expression("NULL");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->as<ast::Literal>()->kind, ast::Literal::Kind::kNull);
}

TEST(ParserExpr, DatetimeLiterals) {
  expect_prints("DATE '2018-08-01'", "DATE '2018-08-01'");
  expect_prints("time '20:17:20'", "TIME '20:17:20'");
  expect_prints("TIMESTAMP '1970-01-01 00:00:00'", "TIMESTAMP '1970-01-01 00:00:00'");
  auto e = parse_expression("TIMESTAMP '2018-08-01 20:17:20.797'");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->as<ast::Literal>()->kind, ast::Literal::Kind::kTimestamp);
  EXPECT_EQ(e->as<ast::Literal>()->text, "2018-08-01 20:17:20.797");
}

TEST(ParserExpr, IntervalLiteralsWithTheirQualifiers) {
  expect_prints("INTERVAL '1' SECOND", "INTERVAL '1' SECOND");
  expect_prints("interval '60' second", "INTERVAL '60' SECOND");
  expect_prints("INTERVAL '1:30' MINUTE TO SECOND", "INTERVAL '1:30' MINUTE TO SECOND");
  expect_prints("INTERVAL '-5' DAY(3)", "INTERVAL '-5' DAY(3)");
  expect_prints("INTERVAL - '5' DAY", "INTERVAL -'5' DAY");
  expect_prints("INTERVAL '1 2:03:04.5' DAY(2) TO SECOND(3)", "INTERVAL '1 2:03:04.5' DAY(2) TO SECOND(3)");
  expect_prints("INTERVAL '2.345' SECOND(2, 3)", "INTERVAL '2.345' SECOND(2, 3)");
  expect_prints("INTERVAL '1-6' YEAR TO MONTH", "INTERVAL '1-6' YEAR TO MONTH");
  expect_prints("INTERVAL '10' HOUR TO MINUTE", "INTERVAL '10' HOUR TO MINUTE");

  auto e = parse_expression("INTERVAL '1:30' MINUTE TO SECOND");
  ASSERT_TRUE(e.has_value());
  const auto* lit = e->as<ast::Literal>();
  ASSERT_NE(lit, nullptr);
  EXPECT_EQ(lit->kind, ast::Literal::Kind::kInterval);
  EXPECT_EQ(lit->text, "1:30");
  EXPECT_EQ(lit->qualifier.start, ast::TimeUnit::kMinute);
  EXPECT_EQ(lit->qualifier.end, ast::TimeUnit::kSecond);

  EXPECT_EQ(sql_of("INTERVAL '1' SECOND TO MINUTE"),
            "error: SQL error at line 1, column 24: INTERVAL SECOND TO MINUTE is not a valid range: use YEAR TO MONTH, "
            "or a span of DAY, HOUR, MINUTE, "
            "SECOND from larger to smaller");
  EXPECT_EQ(sql_of("INTERVAL '1' MONTH TO DAY"),
            "error: SQL error at line 1, column 23: INTERVAL MONTH TO DAY is not a valid range: use YEAR TO MONTH, or "
            "a span of DAY, HOUR, MINUTE, "
            "SECOND from larger to smaller");
  EXPECT_EQ(sql_of("INTERVAL 1 SECOND"),
            "error: SQL error at line 1, column 10: expected a quoted interval value after INTERVAL, as in INTERVAL "
            "'1' MINUTE, but found '1'");
  EXPECT_EQ(sql_of("INTERVAL '1' WEEK"),
            "error: SQL error at line 1, column 14: expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND in the interval "
            "qualifier but found 'WEEK'");
}

TEST(ParserExpr, DatetimeDifferenceWithAQualifier) {
  auto e = parse_expression("(\"S\".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND");
  ASSERT_TRUE(e.has_value()) << e.error().message();
  const auto* i = e->as<ast::IntervalOf>();
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->qualifier.start, ast::TimeUnit::kSecond);
  expect_prints("(a - b) DAY TO SECOND", "(A - B) DAY TO SECOND");
  expect_prints("FLOOR((\"S\".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)",
                "FLOOR((S.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)");
  // Only a difference takes a qualifier: (a) SECOND is not an interval.
  EXPECT_EQ(sql_of("(a) SECOND"),
            "error: SQL error at line 1, column 5: expected the end of the expression but found 'SECOND'");
}

TEST(ParserExpr, NamesFoldUnlessQuoted) {
  auto lower = parse_expression("price");
  auto upper = parse_expression("PRICE");
  auto quoted_upper = parse_expression("\"PRICE\"");
  auto quoted_lower = parse_expression("\"price\"");
  ASSERT_TRUE(lower && upper && quoted_upper && quoted_lower);
  EXPECT_TRUE(*lower == *upper);
  EXPECT_TRUE(*lower == *quoted_upper);
  EXPECT_FALSE(*lower == *quoted_lower);
  expect_prints("\"price\"", "\"price\"");
  expect_prints("\"Mixed Case\"", "\"Mixed Case\"");
  expect_prints("\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\"");
  expect_prints("\"SELECT\"", "\"SELECT\"");
  expect_prints("\"DATE\"", "\"DATE\"");
  expect_prints("\"1abc\"", "\"1abc\"");
}

TEST(ParserExpr, QualifiedNamesAndRowtime) {
  auto e = parse_expression("\"SOURCE_SQL_STREAM_001\".ROWTIME");
  ASSERT_TRUE(e.has_value());
  const auto* c = e->as<ast::ColumnRef>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, (ast::QualifiedName{"SOURCE_SQL_STREAM_001", "ROWTIME"}));
  expect_prints("l.r.column1", "L.R.COLUMN1");
  expect_prints("\"c\".\"Company\"", "\"c\".\"Company\"");
  expect_prints("t.\"value\"", "T.\"value\"");
  expect_prints("s.select", "S.\"SELECT\"");
  expect_prints("rowtime", "ROWTIME");
}

TEST(ParserExpr, WordsThatAreNamesOutsideTheirSyntax) {
  // DATE, TIME, TIMESTAMP, STEP, TABLE, ... are names where their syntax does not follow.
  expect_prints("date + time", "\"DATE\" + \"TIME\"");
  expect_prints("\"TIMESTAMP\" > 0", "\"TIMESTAMP\" > 0");
  expect_prints("step", "\"STEP\"");
  expect_prints("second + minute", "SECOND + MINUTE");
}

TEST(ParserExpr, FunctionCalls) {
  auto e = parse_expression("COUNT(*)");
  ASSERT_TRUE(e.has_value());
  const auto* f = e->as<ast::FunctionCall>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "COUNT");
  ASSERT_EQ(f->args.size(), 1u);
  EXPECT_NE(f->args[0]->as<ast::Star>(), nullptr);

  expect_prints("count(*)", "COUNT(*)");
  expect_prints("COUNT(DISTINCT ticker)", "COUNT(DISTINCT TICKER)");
  expect_prints("SUM(ALL x)", "SUM(ALL X)");
  expect_prints("lower(name)", "LOWER(NAME)");
  expect_prints("\"myUdf\"(1, 'a')", "\"myUdf\"(1, 'a')");
  expect_prints("MOD(a, 3) + ABS(-b)", "MOD(A, 3) + ABS(-B)");
  expect_prints("RAND_INTEGER()", "RAND_INTEGER()");
  expect_prints("W3C_LOG_PARSE(\"log\", 'COMMON')", "W3C_LOG_PARSE(\"log\", 'COMMON')");
}

TEST(ParserExpr, NiladicDatetimeFunctions) {
  for (std::string_view fn :
       {"CURRENT_ROW_TIMESTAMP", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIME"}) {
    auto e = parse_expression(fn);
    ASSERT_TRUE(e.has_value()) << fn;
    const auto* f = e->as<ast::FunctionCall>();
    ASSERT_NE(f, nullptr) << fn;
    EXPECT_TRUE(f->niladic);
    EXPECT_EQ(f->name, fn);
    expect_prints(fn, fn);
  }
  expect_prints("current_row_timestamp - rowtime", "CURRENT_ROW_TIMESTAMP - ROWTIME");
  // A column of that name is quoted; so is a call with parentheses.
  expect_prints("\"CURRENT_DATE\"", "\"CURRENT_DATE\"");
  expect_prints("CURRENT_TIMESTAMP(3)", "\"CURRENT_TIMESTAMP\"(3)");
}

TEST(ParserExpr, AggregatesOverWindows) {
  expect_prints("AVG(price) OVER w1", "AVG(PRICE) OVER W1");
  expect_prints("AVG(price) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING)",
                "AVG(PRICE) OVER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '10' SECOND PRECEDING)");
  expect_prints("MAX(x) OVER (ROWS 10 PRECEDING)", "MAX(X) OVER (ROWS 10 PRECEDING)");
  expect_prints("SUM(x) OVER (ORDER BY ts DESC, y ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
                "SUM(X) OVER (ORDER BY TS DESC, Y ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)");
  expect_prints("COUNT(*) OVER (RANGE UNBOUNDED PRECEDING)", "COUNT(*) OVER (RANGE UNBOUNDED PRECEDING)");
  expect_prints("SUM(x) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
                "SUM(X) OVER (W ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)");
  expect_prints("SUM(x) OVER ()", "SUM(X) OVER ()");
  // Columns named like the frame's words stay quoted.
  expect_prints("SUM(x) OVER (ROWS \"CURRENT\" PRECEDING)", "SUM(X) OVER (ROWS \"CURRENT\" PRECEDING)");
  expect_prints("SUM(x) OVER (ROWS \"UNBOUNDED\" FOLLOWING)", "SUM(X) OVER (ROWS \"UNBOUNDED\" FOLLOWING)");
  expect_prints("FIRST_VALUE(x) IGNORE NULLS OVER w", "FIRST_VALUE(X) IGNORE NULLS OVER W");
  expect_prints("LAST_VALUE(x) RESPECT NULLS OVER w", "LAST_VALUE(X) RESPECT NULLS OVER W");
  expect_prints("LAG(x, 1) OVER (ROWS 1 PRECEDING)", "LAG(X, 1) OVER (ROWS 1 PRECEDING)");
  expect_prints("LAG(x, 2, 0) IGNORE NULL OVER w", "LAG(X, 2, 0) IGNORE NULLS OVER W");
  expect_prints("NTH_VALUE(x, 2) FROM LAST IGNORE NULLS OVER w", "NTH_VALUE(X, 2) FROM LAST IGNORE NULLS OVER W");
  expect_prints("NTH_VALUE(x, 2) FROM FIRST OVER w", "NTH_VALUE(X, 2) FROM FIRST OVER W");
  EXPECT_EQ(sql_of("FIRST_VALUE(x) IGNORE x"),
            "error: SQL error at line 1, column 23: expected NULLS after IGNORE or RESPECT but found 'x'");

  auto e = parse_expression("AVG(price) OVER (PARTITION BY t RANGE INTERVAL '1' MINUTE PRECEDING)");
  ASSERT_TRUE(e.has_value());
  const auto* f = e->as<ast::FunctionCall>();
  ASSERT_TRUE(f && f->over && f->over->spec && f->over->spec->frame);
  EXPECT_FALSE(f->over->spec->frame->rows);
  EXPECT_EQ(f->over->spec->frame->start.kind, ast::FrameBound::Kind::kPreceding);
  EXPECT_NE(f->over->spec->frame->start.offset->as<ast::Literal>(), nullptr);
}

TEST(ParserExpr, FloorCeilStepExtract) {
  auto e = parse_expression("FLOOR(\"S\".ROWTIME TO MINUTE)");
  ASSERT_TRUE(e.has_value());
  const auto* fc = e->as<ast::FloorCeil>();
  ASSERT_NE(fc, nullptr);
  EXPECT_FALSE(fc->ceil);
  EXPECT_EQ(fc->unit, ast::TimeUnit::kMinute);
  expect_prints("floor(rowtime to hour)", "FLOOR(ROWTIME TO HOUR)");
  expect_prints("CEIL(rowtime TO DAY)", "CEIL(ROWTIME TO DAY)");
  expect_prints("CEILING(rowtime TO SECOND)", "CEIL(ROWTIME TO SECOND)");
  expect_prints("FLOOR(price)", "FLOOR(PRICE)");
  // An operand ending in an interval keeps its parentheses, else TO would extend the interval.
  expect_prints("FLOOR((INTERVAL '1' DAY) TO HOUR)", "FLOOR((INTERVAL '1' DAY) TO HOUR)");
  expect_prints("CEIL((ts + INTERVAL '1' DAY(2)) TO HOUR)", "CEIL((TS + INTERVAL '1' DAY(2)) TO HOUR)");
  expect_prints("FLOOR(((a - b) DAY) TO HOUR)", "FLOOR(((A - B) DAY) TO HOUR)");
  expect_prints("FLOOR(INTERVAL '1' DAY TO HOUR TO MINUTE)", "FLOOR(INTERVAL '1' DAY TO HOUR TO MINUTE)");
  expect_prints("FLOOR((ts - INTERVAL '1' DAY) TO DAY)", "FLOOR((TS - INTERVAL '1' DAY) TO DAY)");
  expect_prints("CEIL(price * 2)", "CEIL(PRICE * 2)");
  // Calls FLOOR's special syntax would not read back keep the quoted name.
  expect_prints("\"FLOOR\"(DISTINCT x)", "\"FLOOR\"(DISTINCT X)");
  expect_prints("\"FLOOR\"(x) OVER w", "\"FLOOR\"(X) OVER W");
  expect_prints("\"CEIL\"()", "\"CEIL\"()");
  expect_prints("\"CEIL\"(*)", "\"CEIL\"(*)");

  e = parse_expression("STEP(\"S\".ROWTIME BY INTERVAL '60' SECOND)");
  ASSERT_TRUE(e.has_value());
  ASSERT_NE(e->as<ast::Step>(), nullptr);
  expect_prints("STEP(rowtime BY INTERVAL '10' SECOND)", "STEP(ROWTIME BY INTERVAL '10' SECOND)");
  expect_prints("STEP(price BY 5)", "STEP(PRICE BY 5)");

  expect_prints("EXTRACT(HOUR FROM rowtime)", "EXTRACT(HOUR FROM ROWTIME)");
  expect_prints("EXTRACT(YEAR FROM DATE '2018-01-01')", "EXTRACT(YEAR FROM DATE '2018-01-01')");
  expect_prints("EXTRACT(QUARTER FROM d) + EXTRACT(WEEK FROM d)", "EXTRACT(QUARTER FROM D) + EXTRACT(WEEK FROM D)");
}

TEST(ParserExpr, StringFunctionsWithKeywordArguments) {
  expect_prints("POSITION('.com' IN referrer)", "POSITION('.com' IN REFERRER)");
  expect_prints("POSITION(a || 'x' IN b)", "POSITION(A || 'x' IN B)");
  expect_prints("SUBSTRING(s FROM 2)", "SUBSTRING(S FROM 2)");
  expect_prints("SUBSTRING(s FROM 2 FOR 3)", "SUBSTRING(S FROM 2 FOR 3)");
  expect_prints("SUBSTRING(s, 2, 3)", "SUBSTRING(S FROM 2 FOR 3)");
  expect_prints("SUBSTRING(s, 2)", "SUBSTRING(S FROM 2)");
  expect_prints("SUBSTRING(s SIMILAR '%#\"o_b#\"%' ESCAPE '#')", "SUBSTRING(S SIMILAR '%#\"o_b#\"%' ESCAPE '#')");
  expect_prints("SUBSTRING(s SIMILAR (a LIKE b) ESCAPE '#')", "SUBSTRING(S SIMILAR (A LIKE B) ESCAPE '#')");
  expect_prints("SUBSTRING(s SIMILAR (x AND NOT a LIKE b) ESCAPE '#')",
                "SUBSTRING(S SIMILAR (X AND NOT A LIKE B) ESCAPE '#')");
  expect_prints("SUBSTRING(s SIMILAR a LIKE b ESCAPE c ESCAPE '#')",
                "SUBSTRING(S SIMILAR A LIKE B ESCAPE C ESCAPE '#')");
  expect_prints("OVERLAY(s PLACING 'x' FROM 2)", "OVERLAY(S PLACING 'x' FROM 2)");
  expect_prints("OVERLAY(s PLACING 'x' FROM 2 FOR 1)", "OVERLAY(S PLACING 'x' FROM 2 FOR 1)");
  expect_prints("TRIM(s)", "TRIM(BOTH FROM S)");
  expect_prints("TRIM(FROM s)", "TRIM(BOTH FROM S)");
  expect_prints("TRIM(LEADING FROM s)", "TRIM(LEADING FROM S)");
  expect_prints("TRIM(TRAILING 'x' FROM s)", "TRIM(TRAILING 'x' FROM S)");
  expect_prints("TRIM('x' FROM s)", "TRIM(BOTH 'x' FROM S)");
  expect_prints("TRIM(BOTH ' ' FROM s)", "TRIM(BOTH ' ' FROM S)");

  auto e = parse_expression("SUBSTRING(referrer, 12, POSITION('.com' IN referrer) - 12)");
  ASSERT_TRUE(e.has_value());
  const auto* s = e->as<ast::Substring>();
  ASSERT_NE(s, nullptr);
  EXPECT_NE(s->length->as<ast::Binary>(), nullptr);
  // A function that is only called like one of these is quoted when printed.
  expect_prints("\"POSITION\"(a, b)", "\"POSITION\"(A, B)");
}

TEST(ParserExpr, CastAndTypes) {
  expect_prints("CAST(x AS INTEGER)", "CAST(X AS INTEGER)");
  const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"BOOLEAN", "BOOLEAN"},
      {"TINYINT", "TINYINT"},
      {"SMALLINT", "SMALLINT"},
      {"INT", "INTEGER"},
      {"INTEGER", "INTEGER"},
      {"BIGINT", "BIGINT"},
      {"REAL", "REAL"},
      {"DOUBLE", "DOUBLE"},
      {"DOUBLE PRECISION", "DOUBLE"},
      {"FLOAT", "FLOAT"},
      {"FLOAT(10)", "FLOAT(10)"},
      {"DECIMAL", "DECIMAL"},
      {"DECIMAL(5)", "DECIMAL(5)"},
      {"decimal(5,2)", "DECIMAL(5, 2)"},
      {"NUMERIC(18, 4)", "DECIMAL(18, 4)"},
      {"CHAR", "CHAR"},
      {"CHAR(3)", "CHAR(3)"},
      {"CHARACTER(3)", "CHAR(3)"},
      {"VARCHAR(4)", "VARCHAR(4)"},
      {"CHARACTER VARYING(16)", "VARCHAR(16)"},
      {"CHAR VARYING(16)", "VARCHAR(16)"},
      {"BINARY(8)", "BINARY(8)"},
      {"VARBINARY(64)", "VARBINARY(64)"},
      {"DATE", "DATE"},
      {"TIME", "TIME"},
      {"TIME(3)", "TIME(3)"},
      {"TIMESTAMP", "TIMESTAMP"},
      {"TIMESTAMP(3)", "TIMESTAMP(3)"},
      {"INTERVAL DAY", "INTERVAL DAY"},
      {"INTERVAL DAY(3) TO SECOND(3)", "INTERVAL DAY(3) TO SECOND(3)"},
      {"INTERVAL YEAR TO MONTH", "INTERVAL YEAR TO MONTH"},
  };
  for (const auto& [in, out] : kTypes) {
    expect_prints("CAST(x AS " + std::string(in) + ")", "CAST(X AS " + std::string(out) + ")");
  }
  auto e = parse_expression("CAST(price AS DECIMAL(5, 2))");
  ASSERT_TRUE(e.has_value());
  const auto* c = e->as<ast::Cast>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->type.kind, ast::DataType::Kind::kDecimal);
  EXPECT_EQ(c->type.precision, 5);
  EXPECT_EQ(c->type.scale, 2);
  EXPECT_EQ(sql_of("CAST(x AS STRING)"),
            "error: SQL error at line 1, column 11: expected a data type (INTEGER, VARCHAR(n), DECIMAL(p, s), "
            "TIMESTAMP, ...) but found 'STRING'");
  EXPECT_EQ(sql_of("CAST(x AS VARCHAR(99999999999))"),
            "error: SQL error at line 1, column 19: a length 99999999999 is too large");
}

TEST(ParserExpr, CaseExpressions) {
  expect_prints("CASE WHEN a > 1 THEN 'big' WHEN a < 0 THEN 'neg' ELSE 'small' END",
                "CASE WHEN A > 1 THEN 'big' WHEN A < 0 THEN 'neg' ELSE 'small' END");
  expect_prints("case ticker when 'AMZN' then 1 end", "CASE TICKER WHEN 'AMZN' THEN 1 END");
  auto e = parse_expression("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END");
  ASSERT_TRUE(e.has_value());
  const auto* c = e->as<ast::Case>();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->operand);
  EXPECT_EQ(c->whens.size(), 2u);
  EXPECT_FALSE(c->otherwise);
  EXPECT_EQ(sql_of("CASE ELSE 1 END"), "error: SQL error at line 1, column 6: expected WHEN in CASE but found 'ELSE'");
}

TEST(ParserExpr, SubqueriesAsValues) {
  expect_prints("(SELECT MAX(x) FROM t)", "(SELECT MAX(X) FROM T)");
  expect_prints("EXISTS (SELECT 1 FROM t WHERE t.a = b)", "EXISTS (SELECT 1 FROM T WHERE T.A = B)");
  expect_prints("CURSOR(SELECT STREAM * FROM \"S\")", "CURSOR(SELECT STREAM * FROM S)");
  auto e = parse_expression("CURSOR(SELECT STREAM * FROM s)");
  ASSERT_TRUE(e.has_value());
  const auto* s = e->as<ast::SubqueryExpr>();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind, ast::SubqueryExpr::Kind::kCursor);
  EXPECT_TRUE(s->query->select()->stream);
}

TEST(ParserExpr, StarWithAQualifier) {
  auto e = parse_expression("t.*");
  ASSERT_TRUE(e.has_value());
  const auto* s = e->as<ast::Star>();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->qualifier, ast::QualifiedName{"T"});
}

TEST(ParserExpr, ExpressionErrors) {
  EXPECT_EQ(sql_of("a +"), "error: SQL error at line 1, column 4: expected an expression but found end of input");
  EXPECT_EQ(sql_of("a + FROM"), "error: SQL error at line 1, column 5: expected an expression but found 'FROM'");
  EXPECT_EQ(sql_of("(a + b"),
            "error: SQL error at line 1, column 7: expected ')' to close the parenthesis but found end of input");
  EXPECT_EQ(sql_of("a IS 5"),
            "error: SQL error at line 1, column 6: expected NULL, TRUE, FALSE or UNKNOWN after IS but found '5'");
  EXPECT_EQ(sql_of("a NOT 5"),
            "error: SQL error at line 1, column 7: expected BETWEEN, IN, LIKE or SIMILAR TO after NOT but found '5'");
  EXPECT_EQ(sql_of("a BETWEEN 1 OR 2"),
            "error: SQL error at line 1, column 13: expected AND between BETWEEN's bounds but found 'OR'");
  EXPECT_EQ(sql_of("a IN 1"), "error: SQL error at line 1, column 6: expected '(' after IN but found '1'");
  EXPECT_EQ(sql_of("FLOOR(x TO FORTNIGHT)"),
            "error: SQL error at line 1, column 12: expected a time unit (YEAR ... SECOND) in FLOOR(value TO unit) "
            "but found 'FORTNIGHT'");
  EXPECT_EQ(sql_of("STEP(x, 5)"),
            "error: SQL error at line 1, column 7: expected BY in STEP(value BY width) but found ','");
  EXPECT_EQ(sql_of("POSITION(a, b)"),
            "error: SQL error at line 1, column 11: expected IN in POSITION(needle IN haystack) but found ','");
  EXPECT_EQ(sql_of("f(a b)"),
            "error: SQL error at line 1, column 5: expected ')' after the arguments of F but found 'b'");
  EXPECT_EQ(sql_of("a = ?"),
            "error: SQL error at line 1, column 5: dynamic parameters (?) are not supported in application code");
  EXPECT_EQ(sql_of("AVG(x) OVER"),
            "error: SQL error at line 1, column 12: expected '(' after OVER (a window name or a window specification) "
            "but found end of input");
  EXPECT_EQ(sql_of("AVG(x) OVER (RANGE INTERVAL '1' MINUTE)"),
            "error: SQL error at line 1, column 39: expected PRECEDING or FOLLOWING after the window's size but found "
            "')'");
}

}  // namespace
}  // namespace runnel::sql
