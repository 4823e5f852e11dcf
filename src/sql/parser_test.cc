// Statements, queries, FROM, windows, programs, errors and nesting limits.

#include "sql/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "sql/parser_test_util.h"

namespace runnel::sql {
namespace {

using testing::error_of;
using testing::round_trip;

ast::Program parse_ok(std::string_view sql) {
  ParseError err;
  auto p = parse_program(sql, &err);
  EXPECT_TRUE(p.has_value()) << err.to_string();
  return p ? std::move(*p) : ast::Program{};
}

const ast::Select& first_select(const ast::Program& p, size_t i = 0) {
  static const ast::Select kEmpty;
  if (i >= p.statements.size()) return kEmpty;
  const ast::Statement& s = p.statements[i];
  const ast::Query* q = s.as<ast::Query>();
  if (auto* pump = s.as<ast::CreatePump>()) q = &pump->query;
  if (!q || !q->select()) return kEmpty;
  return *q->select();
}

TEST(Parser, CreateStream) {
  auto p = parse_ok(
      "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (ticker_symbol VARCHAR(4), \"Price\" DECIMAL(5,2), "
      "ts TIMESTAMP) DESCRIPTION 'prices, per ticker'");
  ASSERT_EQ(p.statements.size(), 1u);
  const auto* c = p.statements[0].as<ast::CreateStream>();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->or_replace);
  EXPECT_EQ(c->name, ast::QualifiedName{"DESTINATION_SQL_STREAM"});
  ASSERT_EQ(c->columns.size(), 3u);
  EXPECT_EQ(c->columns[0].name, "TICKER_SYMBOL");
  EXPECT_EQ(c->columns[0].type.kind, ast::DataType::Kind::kVarchar);
  EXPECT_EQ(c->columns[0].type.precision, 4);
  EXPECT_EQ(c->columns[1].name, "Price");
  EXPECT_EQ(c->columns[2].type.kind, ast::DataType::Kind::kTimestamp);
  EXPECT_EQ(c->description, "prices, per ticker");
  EXPECT_EQ(round_trip("create stream s (a int)"), "CREATE STREAM S (A INTEGER);\n");
  EXPECT_EQ(round_trip("CREATE OR REPLACE STREAM \"s\" (\"a\" INT) DESCRIPTION 'it''s'"),
            "CREATE OR REPLACE STREAM \"s\" (\"a\" INTEGER) DESCRIPTION 'it''s';\n");
}

TEST(Parser, CreatePump) {
  auto p = parse_ok(
      "CREATE OR REPLACE PUMP \"STREAM_PUMP\" DESCRIPTION 'copies' AS INSERT INTO \"DEST\" (a, \"b\")\n"
      "SELECT STREAM x, y FROM \"SOURCE_SQL_STREAM_001\";");
  ASSERT_EQ(p.statements.size(), 1u);
  const auto* pump = p.statements[0].as<ast::CreatePump>();
  ASSERT_NE(pump, nullptr);
  EXPECT_TRUE(pump->or_replace);
  EXPECT_EQ(pump->name, ast::QualifiedName{"STREAM_PUMP"});
  EXPECT_EQ(pump->description, "copies");
  EXPECT_EQ(pump->target, ast::QualifiedName{"DEST"});
  EXPECT_EQ(pump->columns, (std::vector<std::string>{"A", "b"}));
  ASSERT_NE(pump->query.select(), nullptr);
  EXPECT_TRUE(pump->query.select()->stream);
  EXPECT_EQ(pump->query.pos.line, 2);
  EXPECT_EQ(pump->query.pos.column, 1);

  EXPECT_EQ(round_trip("CREATE PUMP p AS INSERT INTO d SELECT STREAM * FROM s"),
            "CREATE PUMP P AS INSERT INTO D SELECT STREAM * FROM S;\n");
  EXPECT_EQ(round_trip("CREATE PUMP p AS INSERT INTO d (SELECT STREAM * FROM s)"),
            "CREATE PUMP P AS INSERT INTO D SELECT STREAM * FROM S;\n");
}

TEST(Parser, SelectClauses) {
  auto p = parse_ok(
      "SELECT STREAM DISTINCT ticker, COUNT(*) AS n, price p, ROWTIME FROM s WHERE price > 1 "
      "GROUP BY ticker, STEP(s.ROWTIME BY INTERVAL '1' MINUTE) HAVING COUNT(*) > 2");
  const ast::Select& s = first_select(p);
  EXPECT_TRUE(s.stream);
  EXPECT_EQ(s.quantifier, ast::FunctionCall::Quantifier::kDistinct);
  ASSERT_EQ(s.items.size(), 4u);
  EXPECT_FALSE(s.items[0].alias);
  EXPECT_EQ(s.items[1].alias, "N");
  EXPECT_EQ(s.items[2].alias, "P");
  EXPECT_TRUE(s.from);
  EXPECT_TRUE(s.where);
  EXPECT_EQ(s.group_by.size(), 2u);
  EXPECT_TRUE(s.having);
  round_trip(
      "SELECT STREAM DISTINCT ticker, COUNT(*) AS n, price p, ROWTIME FROM s WHERE price > 1 "
      "GROUP BY ticker, STEP(s.ROWTIME BY INTERVAL '1' MINUTE) HAVING COUNT(*) > 2");
  EXPECT_EQ(round_trip("select all 1"), "SELECT ALL 1;\n");
  EXPECT_EQ(round_trip("SELECT * FROM t"), "SELECT * FROM T;\n");
  EXPECT_EQ(round_trip("SELECT t.*, u.a FROM t, u"), "SELECT T.*, U.A FROM T, U;\n");
}

TEST(Parser, NthValueFromFirstIsNotTheFromClause) {
  auto p = parse_ok("SELECT STREAM NTH_VALUE(x, 2) FROM LAST OVER w FROM s WINDOW w AS (ROWS 5 PRECEDING)");
  const ast::Select& s = first_select(p);
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_EQ(s.items[0].expr->as<ast::FunctionCall>()->from, ast::FunctionCall::From::kLast);
  ASSERT_TRUE(s.from);
  EXPECT_EQ(s.from->as<ast::TableRef>()->name, ast::QualifiedName{"S"});
  // A stream called LAST is still a FROM clause.
  p = parse_ok("SELECT STREAM NTH_VALUE(x, 2) OVER w FROM last WINDOW w AS (ROWS 5 PRECEDING)");
  EXPECT_EQ(first_select(p).from->as<ast::TableRef>()->name, ast::QualifiedName{"LAST"});
  p = parse_ok("SELECT STREAM MAX(x) FROM last");
  EXPECT_EQ(first_select(p).from->as<ast::TableRef>()->name, ast::QualifiedName{"LAST"});
  // Printed, a stream called LAST is quoted, so a window on it stays a window.
  EXPECT_EQ(round_trip("SELECT STREAM MAX(x) FROM \"LAST\" OVER w WINDOW w AS (ROWS 1 PRECEDING)"),
            "SELECT STREAM MAX(X) FROM \"LAST\" OVER W WINDOW W AS (ROWS 1 PRECEDING);\n");
}

TEST(Parser, ExpressionAsRowtimeInTheSelectList) {
  auto p = parse_ok("SELECT STREAM event_time AS ROWTIME, ticker FROM s");
  const ast::Select& s = first_select(p);
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[0].alias, "ROWTIME");
  EXPECT_EQ(round_trip("SELECT STREAM CAST(t AS TIMESTAMP) AS rowtime FROM s"),
            "SELECT STREAM CAST(T AS TIMESTAMP) AS ROWTIME FROM S;\n");
}

TEST(Parser, StaggerWindow) {
  auto p = parse_ok(
      "SELECT STREAM event_time, ticker, COUNT(*) FROM s WHERE ticker <> 'X' "
      "WINDOWED BY STAGGER (PARTITION BY FLOOR(event_time TO MINUTE), ticker RANGE INTERVAL '1' MINUTE) "
      "HAVING COUNT(*) > 1");
  const ast::Select& s = first_select(p);
  ASSERT_TRUE(s.stagger);
  EXPECT_EQ(s.stagger->partition_by.size(), 2u);
  EXPECT_NE(s.stagger->partition_by[0]->as<ast::FloorCeil>(), nullptr);
  EXPECT_NE(s.stagger->range->as<ast::Literal>(), nullptr);
  EXPECT_TRUE(s.having);
  EXPECT_EQ(
      round_trip("SELECT STREAM t, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY t RANGE INTERVAL '1' MINUTE)"),
      "SELECT STREAM T, COUNT(*) FROM S WINDOWED BY STAGGER (PARTITION BY T RANGE INTERVAL '1' MINUTE);\n");
}

TEST(Parser, NamedWindows) {
  auto p = parse_ok(
      "SELECT STREAM AVG(price) OVER w1 AS a, MAX(price) OVER w2 FROM s "
      "WINDOW w1 AS (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING), "
      "w2 AS (PARTITION BY ticker ROWS 10 PRECEDING)");
  const ast::Select& s = first_select(p);
  ASSERT_EQ(s.windows.size(), 2u);
  EXPECT_EQ(s.windows[0].name, "W1");
  ASSERT_TRUE(s.windows[0].spec.frame);
  EXPECT_FALSE(s.windows[0].spec.frame->rows);
  ASSERT_TRUE(s.windows[1].spec.frame);
  EXPECT_TRUE(s.windows[1].spec.frame->rows);
  round_trip(
      "SELECT STREAM AVG(price) OVER w1 AS a, MAX(price) OVER w2 FROM s "
      "WINDOW w1 AS (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING), "
      "w2 AS (PARTITION BY ticker ROWS 10 PRECEDING)");
}

TEST(Parser, OrderByAndUnion) {
  auto p = parse_ok(
      "SELECT STREAM a FROM s UNION ALL SELECT STREAM a FROM t UNION ALL SELECT STREAM a FROM u "
      "ORDER BY FLOOR(ROWTIME TO SECOND), a DESC");
  ASSERT_EQ(p.statements.size(), 1u);
  const auto* q = p.statements[0].as<ast::Query>();
  ASSERT_NE(q, nullptr);
  const auto* top = std::get_if<ast::SetOperation>(&q->body);
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->quantifier, ast::SetOperation::Quantifier::kAll);
  EXPECT_NE(std::get_if<ast::SetOperation>(&top->left->body), nullptr) << "UNION reads left to right";
  ASSERT_EQ(q->order_by.size(), 2u);
  EXPECT_FALSE(q->order_by[0].descending);
  EXPECT_TRUE(q->order_by[1].descending);
  EXPECT_EQ(round_trip("SELECT STREAM a FROM s UNION ALL SELECT STREAM a FROM t ORDER BY a ASC"),
            "SELECT STREAM A FROM S UNION ALL SELECT STREAM A FROM T ORDER BY A;\n");
  EXPECT_EQ(round_trip("SELECT a FROM s UNION (SELECT a FROM t UNION ALL SELECT a FROM u)"),
            "SELECT A FROM S UNION (SELECT A FROM T UNION ALL SELECT A FROM U);\n");
  EXPECT_EQ(round_trip("(SELECT a FROM s ORDER BY a) UNION DISTINCT SELECT a FROM t"),
            "(SELECT A FROM S ORDER BY A) UNION DISTINCT SELECT A FROM T;\n");
}

TEST(Parser, SetOperationsIntersectBindsTighter) {
  auto q = parse_query("SELECT a FROM s UNION SELECT a FROM t INTERSECT SELECT a FROM u EXCEPT ALL SELECT a FROM v");
  ASSERT_TRUE(q.has_value()) << q.error().message();
  // ((s UNION (t INTERSECT u)) EXCEPT ALL v)
  const auto* except = std::get_if<ast::SetOperation>(&q->body);
  ASSERT_NE(except, nullptr);
  EXPECT_EQ(except->op, ast::SetOperation::Op::kExcept);
  EXPECT_EQ(except->quantifier, ast::SetOperation::Quantifier::kAll);
  const auto* uni = std::get_if<ast::SetOperation>(&except->left->body);
  ASSERT_NE(uni, nullptr);
  EXPECT_EQ(uni->op, ast::SetOperation::Op::kUnion);
  const auto* inter = std::get_if<ast::SetOperation>(&uni->right->body);
  ASSERT_NE(inter, nullptr);
  EXPECT_EQ(inter->op, ast::SetOperation::Op::kIntersect);
  EXPECT_EQ(round_trip("SELECT a FROM s UNION SELECT a FROM t INTERSECT SELECT a FROM u EXCEPT ALL SELECT a FROM v"),
            "SELECT A FROM S UNION SELECT A FROM T INTERSECT SELECT A FROM U EXCEPT ALL SELECT A FROM V;\n");
  EXPECT_EQ(round_trip("(SELECT a FROM s UNION SELECT a FROM t) INTERSECT SELECT a FROM u"),
            "(SELECT A FROM S UNION SELECT A FROM T) INTERSECT SELECT A FROM U;\n");
  EXPECT_EQ(round_trip("SELECT a FROM s EXCEPT (SELECT a FROM t EXCEPT SELECT a FROM u)"),
            "SELECT A FROM S EXCEPT (SELECT A FROM T EXCEPT SELECT A FROM U);\n");
}

TEST(Parser, ValuesRows) {
  auto q = parse_query("VALUES (1, 'a'), ROW(2, 'b')");
  ASSERT_TRUE(q.has_value()) << q.error().message();
  const auto* v = std::get_if<ast::Values>(&q->body);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->rows.size(), 2u);
  EXPECT_EQ(v->rows[1].size(), 2u);
  EXPECT_EQ(round_trip("VALUES (1, 'a'), ROW(2, 'b')"), "VALUES (1, 'a'), (2, 'b');\n");
  EXPECT_EQ(round_trip("SELECT * FROM (VALUES (1, 2)) AS t(a, b)"), "SELECT * FROM (VALUES (1, 2)) AS T (A, B);\n");
  EXPECT_EQ(round_trip("CREATE PUMP p AS INSERT INTO d (x) VALUES (1)"),
            "CREATE PUMP P AS INSERT INTO D (X) VALUES (1);\n");
}

TEST(Parser, InsertOutsideAPump) {
  auto p = parse_ok("INSERT INTO \"DEST\" (a, b) SELECT STREAM a, b FROM s");
  ASSERT_EQ(p.statements.size(), 1u);
  const auto* insert = p.statements[0].as<ast::Insert>();
  ASSERT_NE(insert, nullptr);
  EXPECT_EQ(insert->target, ast::QualifiedName{"DEST"});
  EXPECT_EQ(insert->columns, (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(insert->query.select()->stream);
  EXPECT_EQ(round_trip("insert into d select stream * from s"), "INSERT INTO D SELECT STREAM * FROM S;\n");
}

TEST(Parser, CreateFunction) {
  auto p = parse_ok(
      "CREATE FUNCTION get_fraction(degrees DOUBLE)\n"
      "  RETURNS DOUBLE\n"
      "  CONTAINS SQL\n"
      "  RETURN degrees - FLOOR(degrees)\n;");
  ASSERT_EQ(p.statements.size(), 1u);
  const auto* f = p.statements[0].as<ast::CreateFunction>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, ast::QualifiedName{"GET_FRACTION"});
  ASSERT_EQ(f->parameters.size(), 1u);
  EXPECT_EQ(f->parameters[0].name, "DEGREES");
  EXPECT_EQ(f->returns.kind, ast::DataType::Kind::kDouble);
  EXPECT_TRUE(f->contains_sql);
  EXPECT_FALSE(f->language_sql);
  EXPECT_NE(f->body->as<ast::Binary>(), nullptr);
  EXPECT_EQ(
      round_trip("CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE CONTAINS SQL RETURN degrees - "
                 "FLOOR(degrees)"),
      "CREATE FUNCTION GET_FRACTION(DEGREES DOUBLE) RETURNS DOUBLE CONTAINS SQL RETURN DEGREES - FLOOR(DEGREES);\n");
  EXPECT_EQ(round_trip("CREATE OR REPLACE FUNCTION f() RETURNS INT CALLED ON NULL INPUT NOT DETERMINISTIC "
                       "LANGUAGE SQL SPECIFIC f1 READS SQL DATA MODIFIES SQL DATA RETURN 1"),
            "CREATE OR REPLACE FUNCTION F() RETURNS INTEGER LANGUAGE SQL SPECIFIC F1 NOT DETERMINISTIC READS SQL DATA "
            "MODIFIES SQL DATA CALLED ON NULL INPUT RETURN 1;\n");
  EXPECT_EQ(round_trip("CREATE FUNCTION g(a INT, b VARCHAR(4)) RETURNS BOOLEAN DETERMINISTIC RETURNS NULL ON NULL "
                       "INPUT RETURN a > 0 AND b IS NOT NULL"),
            "CREATE FUNCTION G(A INTEGER, B VARCHAR(4)) RETURNS BOOLEAN DETERMINISTIC RETURNS NULL ON NULL INPUT "
            "RETURN A > 0 AND B IS NOT NULL;\n");
}

TEST(Parser, Joins) {
  auto p = parse_ok(
      "SELECT STREAM ROWTIME AS time, o.orderId, t.amount FROM OrderStream AS o "
      "JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.orderId = t.orderId");
  const ast::Select& s = first_select(p);
  ASSERT_TRUE(s.from);
  const auto* j = s.from->as<ast::Join>();
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->kind, ast::Join::Kind::kInner);
  const auto* right = j->right->as<ast::TableRef>();
  ASSERT_NE(right, nullptr);
  EXPECT_EQ(right->alias, "T");
  ASSERT_TRUE(right->window && right->window->spec && right->window->spec->frame);
  EXPECT_TRUE(j->on);
  EXPECT_EQ(s.items[0].alias, "TIME");

  EXPECT_EQ(round_trip("SELECT * FROM a INNER JOIN b ON a.x = b.x"), "SELECT * FROM A JOIN B ON A.X = B.X;\n");
  EXPECT_EQ(round_trip("SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x"),
            "SELECT * FROM A LEFT JOIN B ON A.X = B.X;\n");
  EXPECT_EQ(round_trip("SELECT * FROM a RIGHT JOIN b ON TRUE"), "SELECT * FROM A RIGHT JOIN B ON TRUE;\n");
  EXPECT_EQ(round_trip("SELECT * FROM a FULL OUTER JOIN b ON a.x = b.x"),
            "SELECT * FROM A FULL JOIN B ON A.X = B.X;\n");
  EXPECT_EQ(round_trip("SELECT * FROM a CROSS JOIN b"), "SELECT * FROM A CROSS JOIN B;\n");
  EXPECT_EQ(round_trip("SELECT * FROM a, b, c WHERE a.x = b.x"), "SELECT * FROM A, B, C WHERE A.X = B.X;\n");
  EXPECT_EQ(round_trip("SELECT * FROM a, b JOIN c ON b.x = c.x"), "SELECT * FROM A, B JOIN C ON B.X = C.X;\n");
  // The window may follow the alias too; it prints before it.
  EXPECT_EQ(
      round_trip(
          "SELECT * FROM o JOIN t AS t2 OVER w ON o.id = t2.id WINDOW w AS (RANGE INTERVAL '1' MINUTE PRECEDING)"),
      "SELECT * FROM O JOIN T OVER W AS T2 ON O.ID = T2.ID WINDOW W AS (RANGE INTERVAL '1' MINUTE PRECEDING);\n");
  EXPECT_EQ(round_trip("SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c ON c.y = a.y"),
            "SELECT * FROM A JOIN B ON A.X = B.X LEFT JOIN C ON C.Y = A.Y;\n");
}

TEST(Parser, SubqueriesAndTableFunctionsInFrom) {
  auto p = parse_ok("SELECT STREAM l.r.COLUMN1 FROM (SELECT STREAM W3C_LOG_PARSE(\"log\", 'COMMON') FROM s) AS l(r)");
  const ast::Select& s = first_select(p);
  const auto* d = s.from->as<ast::DerivedTable>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->alias, "L");
  EXPECT_EQ(d->columns, std::vector<std::string>{"R"});
  round_trip("SELECT STREAM l.r.COLUMN1 FROM (SELECT STREAM W3C_LOG_PARSE(\"log\", 'COMMON') FROM s) AS l(r)");

  p = parse_ok("SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM s), 100, 256))");
  const ast::Select& t = first_select(p);
  const auto* f = t.from->as<ast::TableFunction>();
  ASSERT_NE(f, nullptr);
  const auto* call = f->call->as<ast::FunctionCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->name, "RANDOM_CUT_FOREST");
  ASSERT_EQ(call->args.size(), 3u);
  EXPECT_NE(call->args[0]->as<ast::SubqueryExpr>(), nullptr);
  EXPECT_EQ(
      round_trip("SELECT STREAM * FROM TABLE (TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM s), 'T', 5, 60)) x"),
      "SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM S), 'T', 5, 60)) AS X;\n");
  EXPECT_EQ(round_trip("SELECT * FROM (SELECT a FROM t) sub"), "SELECT * FROM (SELECT A FROM T) AS SUB;\n");
  EXPECT_EQ(round_trip("SELECT * FROM (SELECT a FROM t)"), "SELECT * FROM (SELECT A FROM T);\n");
}

TEST(Parser, ProgramsSeparateStatementsWithSemicolons) {
  auto p = parse_ok(
      "-- the first statement\n"
      "CREATE STREAM a (x INT);\n"
      "/* a block\n comment */ CREATE STREAM b (x INT)\n"
      ";;\n"
      "CREATE STREAM c (x INT)");
  ASSERT_EQ(p.statements.size(), 3u);
  EXPECT_EQ(p.statements[1].pos.line, 4);
  EXPECT_EQ(p.statements[1].pos.column, 13);
  EXPECT_EQ(p.statements[2].pos.line, 6);
  EXPECT_EQ(parse_ok("").statements.size(), 0u);
  EXPECT_EQ(parse_ok("  -- nothing\n /* here */ ;").statements.size(), 0u);
  EXPECT_EQ(round_trip("CREATE STREAM a (x INT); CREATE STREAM b (y INT);"),
            "CREATE STREAM A (X INTEGER);\nCREATE STREAM B (Y INTEGER);\n");
}

TEST(Parser, NodesCarryTheirPositions) {
  auto p = parse_ok("CREATE PUMP p AS INSERT INTO d\n  SELECT STREAM a,\n    b + c AS s\n  FROM t WHERE x = 1");
  const ast::Select& s = first_select(p);
  EXPECT_EQ(s.pos.line, 2);
  EXPECT_EQ(s.pos.column, 3);
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[1].pos.line, 3);
  EXPECT_EQ(s.items[1].pos.column, 5);
  const auto* b = s.items[1].expr->as<ast::Binary>();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(s.items[1].expr->pos.column, 5);  // an operator node starts at its left operand
  EXPECT_EQ(b->right->pos.column, 9);
  EXPECT_EQ(s.from->pos.line, 4);
  EXPECT_EQ(s.from->pos.column, 8);
  EXPECT_EQ(s.where->pos.column, 16);
}

TEST(Parser, ParseQueryAcceptsOneQuery) {
  auto q = parse_query("SELECT STREAM a FROM s;");
  ASSERT_TRUE(q.has_value()) << q.error().message();
  EXPECT_TRUE(q->select()->stream);
  ParseError err;
  auto bad = parse_query("SELECT a FROM s; SELECT b FROM t", &err);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(err.line, 1);
  EXPECT_EQ(err.column, 18);
  EXPECT_EQ(err.message, "expected the end of the query but found 'SELECT'");
  auto stmt = parse_query("CREATE STREAM s (a INT)", &err);
  ASSERT_FALSE(stmt.has_value());
  EXPECT_EQ(err.message, "expected SELECT but found 'CREATE'");
  EXPECT_EQ(ast::to_sql(*q), "SELECT STREAM A FROM S");
}

TEST(Parser, ErrorsNameLineColumnAndWhatWasExpected) {
  struct Case {
    std::string_view sql;
    int line;
    int column;
    std::string_view message;
  };
  const Case kCases[] = {
      {"CREATE OR REPLACE STREAM \"D\" (\n  a INTEGER,\n  b VARCHAR(4) FROM x", 3, 16,
       "expected ')' after the column list but found 'FROM'"},
      {"CREATE STREAM s (a INTEGER, b STRING)", 1, 31,
       "expected a data type (INTEGER, VARCHAR(n), DECIMAL(p, s), TIMESTAMP, ...) but found 'STRING'"},
      {"CREATE TABLE t (a INT)", 1, 8, "expected STREAM, PUMP or FUNCTION after CREATE but found 'TABLE'"},
      {"CREATE OR REPLACE VIEW v AS SELECT 1", 1, 19,
       "expected STREAM, PUMP or FUNCTION after CREATE OR REPLACE but found 'VIEW'"},
      {"CREATE PUMP p INSERT INTO d SELECT STREAM * FROM s", 1, 15,
       "expected AS after the pump's name but found 'INSERT'"},
      {"CREATE PUMP p AS INSERT INTO d TABLE s", 1, 32,
       "expected SELECT or VALUES after INSERT INTO but found 'TABLE'"},
      {"CREATE STREAM a (x INT)\nCREATE STREAM b (x INT)", 2, 1, "expected ';' after the statement but found 'CREATE'"},
      {"SELECT STREAM a\nFROM s\nWHERE", 3, 6, "expected an expression but found end of input"},
      {"SELECT STREAM a, FROM s", 1, 18, "expected an expression but found 'FROM'"},
      {"SELECT STREAM a AS from FROM s", 1, 20,
       "expected an alias after AS but found 'from' (a reserved word: write \"FROM\" to use it as a name)"},
      {"SELECT STREAM * FROM s GROUP ticker", 1, 30, "expected BY after GROUP but found 'ticker'"},
      {"SELECT STREAM * FROM a JOIN b WHERE x", 1, 31,
       "expected ON after the joined stream or table but found 'WHERE'"},
      {"SELECT STREAM * FROM a NATURAL JOIN b", 1, 24, "NATURAL joins are not supported; write JOIN ... ON"},
      {"SELECT STREAM * FROM s WINDOWED BY STAGGER (PARTITION BY a)", 1, 59,
       "expected RANGE after the stagger window's PARTITION BY list but found ')'"},
      {"SELECT STREAM * FROM s WINDOW w AS (PARTITION BY a RANGE INTERVAL '1' MINUTE PRECEDING", 1, 87,
       "expected ')' to close the window specification but found end of input"},
      {"SELECT STREAM * FROM TABLE(x)", 1, 28,
       "TABLE(...) must hold a table function call, as in TABLE(fn(CURSOR(SELECT STREAM ...), ...))"},
      {"SELECT 'unterminated FROM s", 1, 8, "the string that starts here is not closed with '"},
      {"SELECT a FROM s;\nDROP STREAM s", 2, 1,
       "expected CREATE STREAM, CREATE PUMP, CREATE FUNCTION, INSERT or SELECT at the start of a statement but found "
       "'DROP'"},
      {"CREATE FUNCTION f(x DOUBLE) RETURNS DOUBLE CONTAINS SQL x - FLOOR(x)", 1, 57,
       "expected RETURN and the function's body after the function's signature but found 'x'"},
      {"VALUES (1, 2), 3", 1, 16, "expected '(' to open a row of VALUES but found '3'"},
      {"SELECT STREAM * FROM (a)", 1, 23, "expected SELECT after '(' in FROM but found 'a'"},
      {"SELECT STREAM ticker price change FROM s", 1, 28,
       "expected ',' or FROM after the select list but found 'change'"},
      {"CREATE STREAM s (select INT)", 1, 18,
       "expected a column name but found 'select' (a reserved word: write \"SELECT\" to use it as a name)"},
      {"SELECT * FROM s AS 12", 1, 20, "expected an alias after AS but found '12'"},
  };
  for (const Case& c : kCases) {
    ParseError e = error_of(c.sql);
    EXPECT_EQ(e.line, c.line) << c.sql;
    EXPECT_EQ(e.column, c.column) << c.sql;
    EXPECT_EQ(e.message, c.message) << c.sql;
  }
}

TEST(Parser, TheStatusCarriesTheFormattedError) {
  auto p = parse_program("SELECT STREAM a FROM s WHERE a =");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(p.error().message(), "SQL error at line 1, column 33: expected an expression but found end of input");
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  std::string parens = std::string(100000, '(') + "1" + std::string(100000, ')');
  ParseError e = error_of("SELECT " + parens);
  EXPECT_EQ(e.message, "the statement nests too deeply (more than 200 levels of parentheses, subqueries or operators)");

  std::string sum = "SELECT 1";
  for (int i = 0; i < 100000; ++i) sum += " + 1";
  e = error_of(sum);
  EXPECT_EQ(e.line, 1);
  EXPECT_NE(e.message.find("nests too deeply"), std::string::npos);

  std::string nots = "SELECT ";
  for (int i = 0; i < 100000; ++i) nots += "NOT ";
  error_of(nots + "TRUE");
  std::string minus = "SELECT ";
  for (int i = 0; i < 100000; ++i) minus += "- ";
  error_of(minus + "1");

  std::string subqueries = "SELECT * FROM ";
  for (int i = 0; i < 50000; ++i) subqueries += "(SELECT * FROM ";
  error_of(subqueries + "s" + std::string(50000, ')'));

  std::string cases;
  for (int i = 0; i < 50000; ++i) cases += "CASE WHEN a THEN ";
  error_of("SELECT " + cases + "1");

  std::string streams = "SELECT * FROM s0";
  for (int i = 1; i < 100000; ++i) streams += ", s" + std::to_string(i);
  error_of(streams);

  // One level per parenthesis: 198 of them (with the query and its select
  // item) are within the limit, 199 are not.
  std::string fine = std::string(198, '(') + "1" + std::string(198, ')');
  round_trip("SELECT " + fine);
  error_of("SELECT " + std::string(199, '(') + "1" + std::string(199, ')'));
  std::string calls = "SELECT ";
  for (int i = 0; i < 150; ++i) calls += "f(";
  round_trip(calls + "1" + std::string(150, ')'));
  std::string nested = "SELECT * FROM ";
  for (int i = 0; i < 150; ++i) nested += "(SELECT * FROM ";
  round_trip(nested + "s" + std::string(150, ')'));
  std::string chain = "SELECT 1";
  for (int i = 0; i < 100; ++i) chain += " + 1";
  round_trip(chain);
}

TEST(Parser, EqualityIgnoresPositionsButNotContent) {
  auto a = parse_program("SELECT a FROM s");
  auto b = parse_program("\n\n   select   A\n from S  ;");
  auto c = parse_program("SELECT b FROM s");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(*a == *b);
  EXPECT_FALSE(*a == *c);
  ast::Program copy = *a;  // Box copies deeply
  EXPECT_TRUE(copy == *a);
  auto* item = &std::get<ast::Query>(copy.statements[0].node);
  std::get<ast::Select>(item->body).items[0].alias = "X";
  EXPECT_FALSE(copy == *a);
}

}  // namespace
}  // namespace runnel::sql
