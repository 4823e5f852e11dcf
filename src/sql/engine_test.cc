#include "sql/engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace runnel::sql {
namespace {

// The stock-ticker input of AWS's getting-started exercise.
ProgramInputs ticker_inputs() {
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"TICKER_SYMBOL", SqlType::varchar(4)},
                         {"SECTOR", SqlType::varchar(16)},
                         {"CHANGE", SqlType::of(TypeKind::kReal)},
                         {"PRICE", SqlType::of(TypeKind::kReal)}}});
  return in;
}

Row tick(const std::string& sym, const std::string& sector, double change, double price) {
  return Row{Value::varchar(sym), Value::varchar(sector), Value::real(change), Value::real(price)};
}

std::string text(const StreamRow& r) {
  std::string s = format_timestamp(r.rowtime);
  for (const Value& v : *r.values) s += "|" + (v.is_null() ? std::string("NULL") : v.to_string());
  return s;
}

struct Collected {
  std::vector<std::string> rows;
  std::vector<std::string> errors;
};

std::unique_ptr<Engine> compile_ok(const std::string& code, const ProgramInputs& in, Collected& out,
                                   const std::string& stream = "DESTINATION_SQL_STREAM") {
  CompileError ce;
  auto e = Engine::compile(code, in, &ce);
  EXPECT_TRUE(e.has_value()) << ce.to_string();
  if (!e) return nullptr;
  EXPECT_TRUE((*e)->subscribe(stream, [&out](const StreamRow& r) { out.rows.push_back(text(r)); }));
  (*e)->subscribe("error_stream", [&out](const StreamRow& r) {
    out.errors.push_back((*r.values)[2].to_string() + ": " + (*r.values)[3].to_string());
  });
  return std::move(*e);
}

CompileError compile_error(const std::string& code, const ProgramInputs& in) {
  CompileError ce;
  auto e = Engine::compile(code, in, &ce);
  EXPECT_FALSE(e.has_value()) << code;
  return ce;
}

constexpr int64_t kT0 = 1'500'000'000'000;  // 2017-07-14 02:40:00 UTC

TEST(SqlEngineTest, FilterAndProjectPump) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), change DOUBLE, price DOUBLE);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, change, price
      FROM "SOURCE_SQL_STREAM_001"
      WHERE sector SIMILAR TO '%TECH%';
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("AMZN", "TECHNOLOGY", 1.5, 100));
  e->insert(0, kT0 + 1, tick("XOM", "ENERGY", -1, 50));
  e->insert(0, kT0 + 2, tick("MSFT", "FINTECH", 0.25, 300));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|AMZN|1.5|100.0");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.002|MSFT|0.25|300.0");
  EXPECT_TRUE(out.errors.empty());
  EXPECT_EQ(e->stream_names(), std::vector<std::string>{"DESTINATION_SQL_STREAM"});
}

TEST(SqlEngineTest, RowtimeNeverGoesBackOnInput) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (t VARCHAR(4));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001";
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0 + 10, tick("A", "S", 0, 0));
  e->insert(0, kT0, tick("B", "S", 0, 0));  // arrives "earlier": stamped with the last ROWTIME
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.01|B");
}

TEST(SqlEngineTest, TumblingWindowEmitsAtTheWindowsEnd) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticker_count INTEGER, min_price REAL, avg_price DOUBLE);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count, MIN(price), AVG(CAST(price AS DOUBLE))
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0 + 1000, tick("AMZN", "T", 0, 10));
  e->insert(0, kT0 + 2000, tick("MSFT", "T", 0, 20));
  e->insert(0, kT0 + 3000, tick("AMZN", "T", 0, 30));
  EXPECT_TRUE(out.rows.empty());
  e->advance(kT0 + 9999);
  EXPECT_TRUE(out.rows.empty());
  e->advance(kT0 + 10000);  // the window [0 s, 10 s) is over
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:10.0|AMZN|2|10.0|20.0");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:10.0|MSFT|1|20.0|20.0");
  // A row of a later window closes the one before without a tick.
  e->insert(0, kT0 + 15000, tick("AMZN", "T", 0, 1));
  e->insert(0, kT0 + 21000, tick("AMZN", "T", 0, 2));
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[2], "2017-07-14 02:40:20.0|AMZN|1|1.0|1.0");
}

TEST(SqlEngineTest, GroupByWithHavingAndOrderBy) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), n BIGINT, total REAL);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol AS sym, COUNT(*) AS n, SUM(price) AS total
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE), ticker_symbol
      HAVING COUNT(*) > 1
      ORDER BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE), total DESC;
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  for (auto [sym, p] : std::vector<std::pair<std::string, double>>{{"A", 1}, {"B", 5}, {"A", 2}, {"B", 6}, {"C", 100}})
    e->insert(0, kT0, tick(sym, "S", 0, p));
  e->advance(kT0 + 60'000);
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:41:00.0|B|2|11.0");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:41:00.0|A|2|3.0");
}

TEST(SqlEngineTest, PumpsChainThroughStreamsAndTimePassesThrough) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "INTERMEDIATE" (sym VARCHAR(4), price REAL);
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), n BIGINT);
    CREATE PUMP "P1" AS INSERT INTO "INTERMEDIATE" SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 0;
    CREATE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM sym, COUNT(*) FROM "INTERMEDIATE" GROUP BY sym, STEP("INTERMEDIATE".ROWTIME BY INTERVAL '1' SECOND);
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0 + 100, tick("A", "S", 0, 1));
  e->insert(0, kT0 + 200, tick("A", "S", 0, -1));
  e->advance(kT0 + 1000);
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:01.0|A|1");
}

TEST(SqlEngineTest, SubqueryAndRowtimeOverride) {
  Collected out;
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"EVENT_TIME", SqlType::of(TypeKind::kTimestamp)}, {"V", SqlType::of(TypeKind::kInteger)}}});
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (v INTEGER, doubled INTEGER);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM v, v * 2 FROM (SELECT STREAM event_time AS ROWTIME, v FROM "SOURCE_SQL_STREAM_001" WHERE v <> 3) AS s;
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, Row{Value::timestamp(kT0 - 5000), Value::integer(1)});
  e->insert(0, kT0, Row{Value::timestamp(kT0 - 4000), Value::integer(3)});
  e->insert(0, kT0, Row{Value::timestamp(kT0 - 6000), Value::integer(2)});  // goes back: error_stream
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:39:55.0|1|2");
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].substr(0, 17), "OUT_OF_ORDER_ROW:");
}

TEST(SqlEngineTest, RuntimeErrorsGoToErrorStreamAndProcessingGoesOn) {
  Collected out;
  ProgramInputs in;
  in.streams.push_back(
      {"SOURCE_SQL_STREAM_001", {{"A", SqlType::of(TypeKind::kInteger)}, {"B", SqlType::of(TypeKind::kInteger)}}});
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (q INTEGER);
    CREATE PUMP "DIVIDER" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM a / b FROM "SOURCE_SQL_STREAM_001";
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, Row{Value::integer(6), Value::integer(0)});
  e->insert(0, kT0, Row{Value::integer(6), Value::integer(3)});
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|2");
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].substr(0, 17), "DIVISION_BY_ZERO:");
}

TEST(SqlEngineTest, ErrorStreamRowsHaveKdasColumns) {
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001", {{"A", SqlType::of(TypeKind::kInteger)}}});
  auto e = Engine::compile("CREATE STREAM \"D\" (a INTEGER);", in);
  ASSERT_TRUE(e.has_value());
  std::vector<Row> rows;
  (*e)->subscribe("error_stream", [&](const StreamRow& r) { rows.push_back(*r.values); });
  (*e)->input_error(0, kT0, SqlError{"CONVERSION_ERROR", "'x' is not an INTEGER"}, "{\"a\":\"x\"}");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), error_stream_columns().size());
  EXPECT_EQ(rows[0][1].as_string(), "ERROR");
  EXPECT_EQ(rows[0][2].as_string(), "CONVERSION_ERROR");
  EXPECT_EQ(rows[0][4].as_int(), kT0);
  EXPECT_EQ(rows[0][5].as_string(), "7b2261223a2278227d");  // the record's bytes in hex
  EXPECT_TRUE(rows[0][6].is_null());
}

TEST(SqlEngineTest, JoinWithAReferenceTable) {
  Collected out;
  ProgramInputs in = ticker_inputs();
  in.tables.push_back({"companyName",
                       {{"Ticker", SqlType::varchar(4)}, {"Company", SqlType::varchar(20)}},
                       {Row{Value::varchar("AMZN"), Value::varchar("Amazon")},
                        Row{Value::varchar("MSFT"), Value::varchar("Microsoft")}}});
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), price REAL);
    CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, c."Company", price
      FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "companyName" AS c ON "SOURCE_SQL_STREAM_001".ticker_symbol = c."Ticker";
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("AMZN", "T", 0, 1));
  e->insert(0, kT0, tick("XOM", "E", 0, 2));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|AMZN|Amazon|1.0");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.0|XOM|NULL|2.0");
  ASSERT_TRUE(e->replace_table("companyName", {Row{Value::varchar("XOM"), Value::varchar("Exxon")}}));
  e->insert(0, kT0, tick("XOM", "E", 0, 3));
  EXPECT_EQ(out.rows.back(), "2017-07-14 02:40:00.0|XOM|Exxon|3.0");
}

TEST(SqlEngineTest, UnionAllFeedsOneStream) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE price > 10
      UNION ALL
      SELECT STREAM sector FROM "SOURCE_SQL_STREAM_001" WHERE price < 5;
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("BIG", "S1", 0, 20));
  e->insert(0, kT0, tick("SMAL", "S2", 0, 1));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|BIG");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.0|S2");
}

TEST(SqlEngineTest, SlidingWindowsByTimeAndByRows) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), min_price REAL, max_price REAL, n BIGINT, last2 REAL, prev REAL);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, MIN(price) OVER w1, MAX(price) OVER w1, COUNT(*) OVER w1,
                    SUM(price) OVER (PARTITION BY ticker_symbol ROWS 1 PRECEDING),
                    LAG(price, 1) OVER (PARTITION BY ticker_symbol)
      FROM "SOURCE_SQL_STREAM_001"
      WINDOW w1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("A", "S", 0, 10));
  e->insert(0, kT0 + 1000, tick("B", "S", 0, 99));
  e->insert(0, kT0 + 30'000, tick("A", "S", 0, 5));
  e->insert(0, kT0 + 70'000, tick("A", "S", 0, 7));  // the row at kT0 has left the minute
  ASSERT_EQ(out.rows.size(), 4u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|A|10.0|10.0|1|10.0|NULL");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:01.0|B|99.0|99.0|1|99.0|NULL");
  EXPECT_EQ(out.rows[2], "2017-07-14 02:40:30.0|A|5.0|10.0|2|15.0|10.0");
  EXPECT_EQ(out.rows[3], "2017-07-14 02:41:10.0|A|5.0|7.0|2|12.0|5.0");
}

TEST(SqlEngineTest, GroupByAMonotonicExpressionOfRowtime) {
  // Windows of 10 s shifted by 5 s, spelled as arithmetic on ROWTIME: a
  // window ends at the first millisecond where the key changes, on a later
  // row or on the clock alone.
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), n INTEGER);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, COUNT(*)
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY ticker_symbol,
               STEP("SOURCE_SQL_STREAM_001".ROWTIME + INTERVAL '5' SECOND BY INTERVAL '10' SECOND);
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0 + 1000, tick("A", "S", 0, 1));
  e->insert(0, kT0 + 4000, tick("A", "S", 0, 1));
  e->advance(kT0 + 4999);
  EXPECT_TRUE(out.rows.empty());
  e->advance(kT0 + 5'007);
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:05.0|A|2");
  e->insert(0, kT0 + 7'000, tick("B", "S", 0, 1));
  e->insert(0, kT0 + 25'000, tick("B", "S", 0, 1));  // closes [5 s, 15 s) at its end, not at 25 s
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:15.0|B|1");
}

TEST(SqlEngineTest, GroupByAKeyDeclaredMonotonic) {
  // MONOTONIC(order_id): the line items of one order are consecutive, so an
  // order's group closes when the next order's first item arrives.
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"ORDER_ID", SqlType::of(TypeKind::kInteger)}, {"AMOUNT", SqlType::of(TypeKind::kDouble)}}});
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, items BIGINT, total DOUBLE, sd DOUBLE);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM MONOTONIC(order_id), COUNT(*), SUM(amount), STDDEV_POP(amount)
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY MONOTONIC(order_id);
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, Row{Value::integer(1000), Value::dbl(2)});
  e->insert(0, kT0 + 5, Row{Value::integer(1000), Value::dbl(4)});
  e->advance(kT0 + 60'000);  // the clock cannot close it: only a new order can
  EXPECT_TRUE(out.rows.empty());
  e->insert(0, kT0 + 60'001, Row{Value::integer(1001), Value::dbl(7)});
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:41:00.001|1000|2|6.0|1.0");

  // Probing MONOTONIC(order_id) as a ROWTIME expression must not become the
  // error of a later mistake.
  CompileError later = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, items BIGINT);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM MONOTONIC(order_id), COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY MONOTONIC(order_id);
    CREATE PUMP q AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM nothing, 1 FROM "SOURCE_SQL_STREAM_001";
  )",
                                     in);
  EXPECT_EQ(later.line, 5) << later.to_string();
  EXPECT_NE(later.message.find("NOTHING"), std::string::npos) << later.to_string();

  // A key that is neither ROWTIME's nor declared cannot close its groups.
  CompileError ce = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, items BIGINT);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM order_id, COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY order_id;
  )",
                                  in);
  EXPECT_NE(ce.message.find("MONOTONIC"), std::string::npos) << ce.to_string();
}

TEST(SqlEngineTest, StddevAndVarianceInATumblingWindow) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), sd DOUBLE, sdp DOUBLE, v DOUBLE, vp DOUBLE);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, STDDEV_SAMP(price), STDDEV_POP(price), VAR_SAMP(price), VAR_POP(price)
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE);
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("A", "S", 0, 2));
  e->insert(0, kT0 + 1, tick("A", "S", 0, 4));
  e->insert(0, kT0 + 2, tick("A", "S", 0, 6));
  e->insert(0, kT0 + 3, tick("B", "S", 0, 6));
  e->advance(kT0 + 60'000);
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:41:00.0|A|2.0|1.632993161855452|4.0|2.6666666666666665");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:41:00.0|B|NULL|0.0|NULL|0.0");
}

TEST(SqlEngineTest, NthValueExpAvgAndIgnoreNulls) {
  ProgramInputs in;
  in.streams.push_back(
      {"SOURCE_SQL_STREAM_001", {{"SYM", SqlType::varchar(4)}, {"PRICE", SqlType::of(TypeKind::kDouble)}}});
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), second_p DOUBLE, last2 DOUBLE, first_nn DOUBLE,
                                            prev_nn DOUBLE, avg_p DOUBLE);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM sym, NTH_VALUE(price, 2) OVER w, NTH_VALUE(price, 2) FROM LAST OVER w,
                    FIRST_VALUE(price) IGNORE NULLS OVER w, LAG(price) IGNORE NULLS OVER w,
                    EXP_AVG(price, INTERVAL '10' SECOND) OVER w
      FROM "SOURCE_SQL_STREAM_001"
      WINDOW w AS (PARTITION BY sym RANGE INTERVAL '30' SECOND PRECEDING);
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, Row{Value::varchar("A"), Value::null(TypeKind::kDouble)});
  e->insert(0, kT0 + 5'000, Row{Value::varchar("A"), Value::dbl(10)});
  e->insert(0, kT0 + 25'000, Row{Value::varchar("A"), Value::dbl(40)});
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|A|NULL|NULL|NULL|NULL|NULL");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:05.0|A|10.0|NULL|10.0|NULL|10.0");
  // 10 is 20 s older than 40: two half-lives, a quarter of the weight.
  EXPECT_EQ(out.rows[2], "2017-07-14 02:40:25.0|A|10.0|10.0|10.0|10.0|34.0");

  CompileError ce = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (p DOUBLE);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM EXP_AVG(price, 3) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) FROM "SOURCE_SQL_STREAM_001";
  )",
                                  in);
  EXPECT_NE(ce.message.find("half-life"), std::string::npos) << ce.to_string();
}

TEST(SqlEngineTest, SelectStreamDistinct) {
  // The SQL reference's ORDER BY page: DISTINCT on (ROWTIME, ticker).
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (minute_start TIMESTAMP, sym VARCHAR(4));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM DISTINCT FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE), ticker_symbol
      FROM "SOURCE_SQL_STREAM_001";
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("B", "S", 0, 1));
  e->insert(0, kT0 + 1, tick("A", "S", 0, 1));
  e->insert(0, kT0 + 2, tick("B", "S", 0, 1));
  e->insert(0, kT0 + 60'000, tick("B", "S", 0, 1));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:41:00.0|2017-07-14 02:40:00.0|B");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:41:00.0|2017-07-14 02:40:00.0|A");

  CompileError ce = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM DISTINCT ticker_symbol FROM "SOURCE_SQL_STREAM_001";
  )",
                                  ticker_inputs());
  EXPECT_NE(ce.message.find("monotonic"), std::string::npos) << ce.to_string();
}

TEST(SqlEngineTest, StreamingOrderByWithinATimeBucket) {
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), price REAL);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
      ORDER BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE), price DESC, ticker_symbol;
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("A", "S", 0, 5));
  e->insert(0, kT0 + 10, tick("B", "S", 0, 9));
  e->insert(0, kT0 + 20, tick("C", "S", 0, 5));
  e->advance(kT0 + 59'999);
  EXPECT_TRUE(out.rows.empty());
  e->insert(0, kT0 + 61'000, tick("D", "S", 0, 1));
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:41:00.0|B|9.0");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:41:00.0|A|5.0");
  EXPECT_EQ(out.rows[2], "2017-07-14 02:41:00.0|C|5.0");
  e->advance(kT0 + 120'000);
  ASSERT_EQ(out.rows.size(), 4u);
  EXPECT_EQ(out.rows[3], "2017-07-14 02:42:00.0|D|1.0");
  EXPECT_TRUE(out.errors.empty());
}

TEST(SqlEngineTest, OrderByOverAUnionAllWaitsForBothSides) {
  // The SQL reference's `... UNION ALL ... ORDER BY ROWTIME, MOD(x, 5)`.
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001", {{"X", SqlType::of(TypeKind::kInteger)}}});
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM t1 (x INTEGER);
    CREATE STREAM t2 (a INTEGER);
    CREATE STREAM "DESTINATION_SQL_STREAM" (x INTEGER);
    CREATE PUMP p1 AS INSERT INTO t1 SELECT STREAM x FROM "SOURCE_SQL_STREAM_001" WHERE x < 100;
    CREATE PUMP p2 AS INSERT INTO t2 SELECT STREAM x + 100 FROM "SOURCE_SQL_STREAM_001" WHERE x < 100;
    CREATE PUMP p3 AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM x FROM t1 UNION ALL SELECT STREAM a FROM t2 ORDER BY ROWTIME, MOD(x, 5);
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, Row{Value::integer(4)});
  e->insert(0, kT0, Row{Value::integer(7)});
  e->advance(kT0 + 1);
  ASSERT_EQ(out.rows.size(), 4u);
  // MOD(x, 5): 4 → 4, 7 → 2, 104 → 4, 107 → 2.
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|7");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.0|107");
  EXPECT_EQ(out.rows[2], "2017-07-14 02:40:00.0|4");
  EXPECT_EQ(out.rows[3], "2017-07-14 02:40:00.0|104");
  EXPECT_TRUE(out.errors.empty());
}

TEST(SqlEngineTest, LogParserRowsInASelectList) {
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001", {{"log", SqlType::varchar(512)}}});
  Collected out;
  // The SQL guide's W3C example: `AS l(r)` names the row, `l.r.COLUMN1` reads a field.
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (host VARCHAR(16), who VARCHAR(16), request VARCHAR(64), status INTEGER);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM l.r.COLUMN1, l.r.COLUMN3, l.r.COLUMN5, CAST(l.r.COLUMN6 AS INTEGER)
      FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') FROM "SOURCE_SQL_STREAM_001") AS l(r);
    -- The REGEX_LOG_PARSE reference's form: an alias in the subquery, t.rec.COLUMNn outside.
    CREATE STREAM parts (whole VARCHAR(16), a VARCHAR(8), b VARCHAR(8));
    CREATE PUMP q AS INSERT INTO parts
      SELECT STREAM t."log", t.rec.COLUMN1, rec.COLUMN2
      FROM (SELECT STREAM "log", REGEX_LOG_PARSE("log", '(\d+)-(\d+)') AS rec FROM "SOURCE_SQL_STREAM_001") AS t;
    -- A row spread over a stream's columns.
    CREATE STREAM spread (c1 VARCHAR(8), c2 VARCHAR(8));
    CREATE PUMP u AS INSERT INTO spread SELECT STREAM REGEX_LOG_PARSE("log", '(\d+)-(\d+)') FROM "SOURCE_SQL_STREAM_001";
  )",
                      in, out);
  ASSERT_TRUE(e);
  std::vector<std::string> parts, spread;
  e->subscribe("PARTS", [&](const StreamRow& r) { parts.push_back(text(r)); });
  e->subscribe("SPREAD", [&](const StreamRow& r) { spread.push_back(text(r)); });
  e->insert(0, kT0,
            Row{Value::varchar(
                "192.168.254.30 - John [24/May/2004:22:01:02 -0700] \"GET /icons/apache_pb.gif HTTP/1.1\" 304 0")});
  e->insert(0, kT0 + 1, Row{Value::varchar("12-34")});
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|192.168.254.30|John|GET /icons/apache_pb.gif HTTP/1.1|304");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.001|NULL|NULL|NULL|NULL");  // not a log line: a NULL row
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], "2017-07-14 02:40:00.001|12-34|12|34");
  ASSERT_EQ(spread.size(), 2u);
  EXPECT_EQ(spread[1], "2017-07-14 02:40:00.001|12|34");
  EXPECT_TRUE(out.errors.empty()) << out.errors[0];

  // A field read straight off the call, as the SQL reference's examples do.
  Collected direct;
  auto d = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (second VARCHAR(8), fixed VARCHAR(8));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM VARIABLE_COLUMN_LOG_PARSE("log", 3, ',').COLUMN2,
                    FIXED_COLUMN_LOG_PARSE("log", 'X TYPE VARCHAR(3) START 2 FOR 3').X
      FROM "SOURCE_SQL_STREAM_001";
  )",
                      in, direct);
  ASSERT_TRUE(d);
  d->insert(0, kT0, Row{Value::varchar("a,b,c")});
  ASSERT_EQ(direct.rows.size(), 1u);
  EXPECT_EQ(direct.rows[0], "2017-07-14 02:40:00.0|b|b,c");
  CompileError ce = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (second VARCHAR(8));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM VARIABLE_COLUMN_LOG_PARSE("log", 3, ',').COLUMN9 FROM "SOURCE_SQL_STREAM_001";
  )",
                                  in);
  EXPECT_NE(ce.message.find("no field COLUMN9"), std::string::npos) << ce.to_string();
}

TEST(SqlEngineTest, SubqueriesOverAReferenceTable) {
  ProgramInputs in = ticker_inputs();
  in.tables.push_back(
      {"WATCHLIST", {{"TICKER", SqlType::varchar(4)}, {"LIMIT_PRICE", SqlType::of(TypeKind::kDouble)}}, {}});
  Collected out;
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), price REAL, top_limit DOUBLE, watched BOOLEAN);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, price,
                    (SELECT limit_price FROM watchlist WHERE ticker = 'AMZN'),
                    EXISTS (SELECT ticker FROM watchlist w WHERE w.limit_price > 1000)
      FROM "SOURCE_SQL_STREAM_001"
      WHERE ticker_symbol IN (SELECT ticker FROM watchlist) AND ticker_symbol NOT IN (SELECT 'XXX' FROM watchlist);
  )",
                      in, out);
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->replace_table(
      "WATCHLIST", {Row{Value::varchar("AMZN"), Value::dbl(120)}, Row{Value::varchar("MSFT"), Value::dbl(300)}}));
  e->insert(0, kT0, tick("AMZN", "T", 0, 100));
  e->insert(0, kT0 + 1, tick("XOM", "E", 0, 50));
  e->insert(0, kT0 + 2, tick("MSFT", "T", 0, 310));
  // Reference data reloaded: the subqueries see the new rows.
  ASSERT_TRUE(e->replace_table("WATCHLIST", {Row{Value::varchar("XOM"), Value::dbl(2000)}}));
  e->insert(0, kT0 + 3, tick("AMZN", "T", 0, 101));
  e->insert(0, kT0 + 4, tick("XOM", "E", 0, 51));
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|AMZN|100.0|120.0|FALSE");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:00.002|MSFT|310.0|120.0|FALSE");
  EXPECT_EQ(out.rows[2], "2017-07-14 02:40:00.004|XOM|51.0|NULL|TRUE");
  EXPECT_TRUE(out.errors.empty());

  // A subquery that reads a stream, or the outer query's columns, is refused.
  CompileError ce = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001"
      WHERE ticker_symbol IN (SELECT ticker_symbol FROM "SOURCE_SQL_STREAM_001");
  )",
                                  in);
  EXPECT_NE(ce.message.find("never ends"), std::string::npos) << ce.to_string();

  // Correlated: the SQL reference's lookup, evaluated for each row.
  Collected corr;
  auto c = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), lim DOUBLE, watched BOOLEAN);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol,
                    (SELECT limit_price FROM watchlist w WHERE w.ticker = s.ticker_symbol),
                    ticker_symbol IN (SELECT ticker FROM watchlist w WHERE w.limit_price < s.price)
      FROM "SOURCE_SQL_STREAM_001" s;
  )",
                      in, corr);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->replace_table("WATCHLIST", {Row{Value::varchar("AMZN"), Value::dbl(120)}}));
  c->insert(0, kT0, tick("AMZN", "T", 0, 100));
  c->insert(0, kT0 + 1, tick("AMZN", "T", 0, 130));
  c->insert(0, kT0 + 2, tick("XOM", "E", 0, 50));
  ASSERT_EQ(corr.rows.size(), 3u);
  EXPECT_EQ(corr.rows[0], "2017-07-14 02:40:00.0|AMZN|120.0|FALSE");
  EXPECT_EQ(corr.rows[1], "2017-07-14 02:40:00.001|AMZN|120.0|TRUE");
  EXPECT_EQ(corr.rows[2], "2017-07-14 02:40:00.002|XOM|NULL|FALSE");
  // A column neither side has is still an error at its place.
  ce = compile_error(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" s
      WHERE 1 = (SELECT 1 FROM watchlist w WHERE w.nothing = s.ticker_symbol);
  )",
                     in);
  EXPECT_EQ(ce.line, 5) << ce.to_string();
  EXPECT_NE(ce.message.find("NOTHING"), std::string::npos) << ce.to_string();
}

TEST(SqlEngineTest, UserDefinedSqlFunctions) {
  Collected out;
  // The SQL reference's CREATE FUNCTION example, and one calling another.
  auto e = compile_ok(R"(
    CREATE FUNCTION get_fraction(degrees DOUBLE)
      RETURNS DOUBLE
      CONTAINS SQL
      RETURN degrees - FLOOR(degrees);
    CREATE OR REPLACE FUNCTION label(sym VARCHAR(4), p DOUBLE) RETURNS VARCHAR(32)
      LANGUAGE SQL RETURNS NULL ON NULL INPUT
      RETURN sym || ':' || CAST(get_fraction(p) AS VARCHAR(16));
    CREATE STREAM "DESTINATION_SQL_STREAM" (frac DOUBLE, lbl VARCHAR(32));
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM get_fraction(price), label(ticker_symbol, price) FROM "SOURCE_SQL_STREAM_001";
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("AMZN", "T", 0, 10.25));
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|0.25|AMZN:0.25");

  CompileError ce = compile_error(R"(
    CREATE FUNCTION f(x INTEGER) RETURNS INTEGER RETURN x + 1;
    CREATE STREAM "DESTINATION_SQL_STREAM" (n INTEGER);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM f(1, 2) FROM "SOURCE_SQL_STREAM_001";
  )",
                                  ticker_inputs());
  EXPECT_NE(ce.message.find("takes 1 argument"), std::string::npos) << ce.to_string();
  ce = compile_error("CREATE FUNCTION f(x INTEGER) RETURNS INTEGER RETURN y + 1;", ticker_inputs());
  EXPECT_NE(ce.message.find("column Y not found"), std::string::npos) << ce.to_string();
}

TEST(SqlEngineTest, SystemColumnsAreNotSelectedByStar) {
  Collected out;
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"V", SqlType::of(TypeKind::kInteger)},
                         {"APPROXIMATE_ARRIVAL_TIME", SqlType::of(TypeKind::kTimestamp), true}}});
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (v INTEGER);
    CREATE STREAM "TIMES" (v INTEGER, t TIMESTAMP);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";
    CREATE PUMP q AS INSERT INTO "TIMES" SELECT STREAM v, approximate_arrival_time FROM "SOURCE_SQL_STREAM_001";
  )",
                      in, out);
  ASSERT_TRUE(e);
  std::vector<std::string> times;
  e->subscribe("TIMES", [&](const StreamRow& r) { times.push_back(text(r)); });
  e->insert(0, kT0, Row{Value::integer(1), Value::timestamp(kT0 - 1000)});
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:00.0|1");
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0], "2017-07-14 02:40:00.0|1|2017-07-14 02:39:59.0");
}

TEST(SqlEngineTest, StaggerWindowsOpenPerKeyWithTheirFirstRow) {
  Collected out;
  ProgramInputs in = ticker_inputs();
  auto e = compile_ok(R"(
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), n BIGINT, total REAL);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, COUNT(*), SUM(price)
      FROM "SOURCE_SQL_STREAM_001"
      WINDOWED BY STAGGER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND);
  )",
                      in, out);
  ASSERT_TRUE(e);
  e->insert(0, kT0, tick("A", "S", 0, 1));
  e->insert(0, kT0 + 4000, tick("B", "S", 0, 10));  // B's window: [4 s, 14 s)
  e->insert(0, kT0 + 9000, tick("A", "S", 0, 2));
  e->advance(kT0 + 10'000);  // A's window [0 s, 10 s) closes; B's is open
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:10.0|A|2|3.0");
  e->insert(0, kT0 + 12'000, tick("A", "S", 0, 5));  // a new window for A: [12 s, 22 s)
  e->insert(0, kT0 + 15'000, tick("B", "S", 0, 1));  // after B's closed at 14 s
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:14.0|B|1|10.0");
  e->advance(kT0 + 30'000);
  ASSERT_EQ(out.rows.size(), 4u);
  EXPECT_EQ(out.rows[2], "2017-07-14 02:40:22.0|A|1|5.0");
  EXPECT_EQ(out.rows[3], "2017-07-14 02:40:25.0|B|1|1.0");
}

TEST(SqlEngineTest, StreamToStreamJoinWithAWindowOnOneSide) {
  Collected out;
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"KIND", SqlType::varchar(5)},
                         {"ID", SqlType::of(TypeKind::kInteger)},
                         {"V", SqlType::of(TypeKind::kInteger)}}});
  auto e = compile_ok(R"(
    CREATE STREAM "ORDERS" (order_id INTEGER, qty INTEGER);
    CREATE STREAM "TRADES" (order_id INTEGER, price INTEGER);
    CREATE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, qty INTEGER, price INTEGER);
    CREATE PUMP "O" AS INSERT INTO "ORDERS" SELECT STREAM id, v FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'order';
    CREATE PUMP "T" AS INSERT INTO "TRADES" SELECT STREAM id, v FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'trade';
    CREATE PUMP "J" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM o.order_id, o.qty, t.price
      FROM "ORDERS" AS o LEFT JOIN "TRADES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
      ON o.order_id = t.order_id;
  )",
                      in, out);
  ASSERT_TRUE(e);
  auto put = [&](const char* kind, int id, int v, int64_t t) {
    e->insert(0, t, Row{Value::varchar(kind), Value::integer(id), Value::integer(v)});
  };
  put("trade", 1, 100, kT0);
  put("trade", 2, 200, kT0 + 1000);
  put("order", 1, 5, kT0 + 2000);    // matches trade 1
  put("order", 3, 7, kT0 + 3000);    // no trade: LEFT keeps it
  put("order", 1, 6, kT0 + 70'000);  // trade 1 is out of the minute
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:40:02.0|1|5|100");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:40:03.0|3|7|NULL");
  EXPECT_EQ(out.rows[2], "2017-07-14 02:41:10.0|1|6|NULL");
  EXPECT_TRUE(out.errors.empty());

  // The join page's other spelling: the window named in a WINDOW clause.
  Collected named;
  auto n = compile_ok(R"(
    CREATE STREAM "ORDERS" (order_id INTEGER, qty INTEGER);
    CREATE STREAM "TRADES" (order_id INTEGER, price INTEGER);
    CREATE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, qty INTEGER, price INTEGER);
    CREATE PUMP "O" AS INSERT INTO "ORDERS" SELECT STREAM id, v FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'order';
    CREATE PUMP "T" AS INSERT INTO "TRADES" SELECT STREAM id, v FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'trade';
    CREATE PUMP "J" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM o.order_id, o.qty, t.price
      FROM "ORDERS" AS o JOIN "TRADES" OVER t ON o.order_id = t.order_id
      WINDOW t AS (RANGE INTERVAL '1' MINUTE PRECEDING);
  )",
                      in, named);
  ASSERT_TRUE(n);
  n->insert(0, kT0, Row{Value::varchar("trade"), Value::integer(1), Value::integer(100)});
  n->insert(0, kT0 + 2000, Row{Value::varchar("order"), Value::integer(1), Value::integer(5)});
  ASSERT_EQ(named.rows.size(), 1u);
  EXPECT_EQ(named.rows[0], "2017-07-14 02:40:02.0|1|5|100");
}

TEST(SqlEngineTest, StreamToStreamJoinWithWindowsOnBothSides) {
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"KIND", SqlType::varchar(5)},
                         {"ID", SqlType::of(TypeKind::kInteger)},
                         {"V", SqlType::of(TypeKind::kInteger)}}});
  const std::string pumps = R"(
    CREATE STREAM "ORDERS" (order_id INTEGER, qty INTEGER);
    CREATE STREAM "TRADES" (order_id INTEGER, price INTEGER);
    CREATE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, qty INTEGER, trade_id INTEGER, price INTEGER);
    CREATE PUMP "O" AS INSERT INTO "ORDERS" SELECT STREAM id, v FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'order';
    CREATE PUMP "T" AS INSERT INTO "TRADES" SELECT STREAM id, v FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'trade';
  )";
  auto run = [&](const std::string& join, Collected& out) {
    auto e = compile_ok(pumps + R"(
      CREATE PUMP "J" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM o.order_id, o.qty, t.order_id, t.price
        FROM "ORDERS" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS o
        )" + join + R"( "TRADES" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS t
        ON o.order_id = t.order_id;
    )",
                        in, out);
    if (!e) return;
    auto put = [&](const char* kind, int id, int v, int64_t t) {
      e->insert(0, t, Row{Value::varchar(kind), Value::integer(id), Value::integer(v)});
    };
    put("order", 1, 5, kT0);           // its trade comes 3 s later: within the order's 10 s
    put("trade", 2, 200, kT0 + 1000);  // its order comes 4 s later: within the trade's 5 s
    put("trade", 1, 100, kT0 + 3000);
    put("order", 2, 6, kT0 + 5000);
    put("order", 3, 7, kT0 + 6000);      // never traded
    put("trade", 4, 400, kT0 + 7000);    // never ordered
    put("trade", 2, 201, kT0 + 17'000);  // order 2's window (10 s) is over
    e->advance(kT0 + 30'000);
  };
  Collected inner;
  run("JOIN", inner);
  ASSERT_EQ(inner.rows.size(), 2u);
  EXPECT_EQ(inner.rows[0], "2017-07-14 02:40:03.0|1|5|1|100");
  EXPECT_EQ(inner.rows[1], "2017-07-14 02:40:05.0|2|6|2|200");

  // Outer sides emit their unmatched rows when their windows end.
  Collected full;
  run("FULL OUTER JOIN", full);
  ASSERT_EQ(full.rows.size(), 5u);
  EXPECT_EQ(full.rows[0], "2017-07-14 02:40:03.0|1|5|1|100");
  EXPECT_EQ(full.rows[1], "2017-07-14 02:40:05.0|2|6|2|200");
  EXPECT_EQ(full.rows[2], "2017-07-14 02:40:12.0|NULL|NULL|4|400");  // trade 4 at 7 s + 5 s
  EXPECT_EQ(full.rows[3], "2017-07-14 02:40:16.0|3|7|NULL|NULL");    // order 3 at 6 s + 10 s
  EXPECT_EQ(full.rows[4], "2017-07-14 02:40:22.0|NULL|NULL|2|201");  // at 17 s + 5 s
  EXPECT_TRUE(full.errors.empty());

  Collected left;
  run("LEFT OUTER JOIN", left);
  ASSERT_EQ(left.rows.size(), 3u);
  EXPECT_EQ(left.rows[2], "2017-07-14 02:40:16.0|3|7|NULL|NULL");
}

TEST(SqlEngineTest, TopKAndCountDistinctItemsTumbling) {
  Collected out;
  std::vector<std::string> distinct;
  auto e = compile_ok(R"(
    CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM ("TICKER_SYMBOL" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
    CREATE OR REPLACE STREAM "DISTINCT" ("NUMBER_OF_DISTINCT_ITEMS" BIGINT);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 2, 60));
    CREATE OR REPLACE PUMP "DISTINCT_PUMP" AS INSERT INTO "DISTINCT"
      SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 60));
  )",
                      ticker_inputs(), out);
  ASSERT_TRUE(e);
  e->subscribe("DISTINCT", [&](const StreamRow& r) { distinct.push_back(text(r)); });
  for (const char* t : {"A", "B", "A", "C", "B", "A", "D"}) e->insert(0, kT0, tick(t, "S", 0, 1));
  e->advance(kT0 + 60'000);  // kT0 is on a minute
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], "2017-07-14 02:41:00.0|A|3");
  EXPECT_EQ(out.rows[1], "2017-07-14 02:41:00.0|B|2");
  EXPECT_EQ(distinct, std::vector<std::string>{"2017-07-14 02:41:00.0|4"});
}

TEST(SqlEngineTest, CountDistinctItemsEstimatesPastTenThousand) {
  ProgramInputs in;
  in.streams.push_back({"S", {{"V", SqlType::of(TypeKind::kBigint)}}});
  auto e = Engine::compile(R"(
    CREATE STREAM "D" (n BIGINT);
    CREATE PUMP p AS INSERT INTO "D"
      SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "S"), 'V', 10));
  )",
                           in);
  ASSERT_TRUE(e.has_value()) << e.error().message();
  std::vector<int64_t> counts;
  (*e)->subscribe("D", [&](const StreamRow& r) { counts.push_back((*r.values)[0].as_int()); });
  for (int64_t i = 0; i < 10'000; ++i) (*e)->insert(0, kT0, Row{Value::bigint(i % 10'000)});
  (*e)->advance(kT0 + 10'000);
  for (int64_t i = 0; i < 100'000; ++i) (*e)->insert(0, kT0 + 10'000, Row{Value::bigint(i)});
  (*e)->advance(kT0 + 20'000);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0], 10'000);                                              // exact up to 10,000
  EXPECT_NEAR(static_cast<double>(counts[1]), 100'000.0, 100'000.0 * 0.03);  // HyperLogLog: 0.8% error, 3% bound
}

TEST(SqlEngineTest, CompileErrorsPointAtTheText) {
  ProgramInputs in = ticker_inputs();
  CompileError ce = compile_error(
      "CREATE STREAM s (a INTEGER);\nCREATE PUMP p AS INSERT INTO s\n  SELECT STREAM nope FROM "
      "\"SOURCE_SQL_STREAM_001\";",
      in);
  EXPECT_EQ(ce.line, 3);
  EXPECT_EQ(ce.column, 17);
  EXPECT_NE(ce.message.find("column NOPE not found"), std::string::npos) << ce.message;

  ce = compile_error("CREATE PUMP p AS INSERT INTO missing SELECT STREAM price FROM \"SOURCE_SQL_STREAM_001\";", in);
  EXPECT_NE(ce.message.find("stream MISSING does not exist"), std::string::npos) << ce.message;

  ce = compile_error(
      "CREATE STREAM s (a INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM COUNT(*) FROM "
      "\"SOURCE_SQL_STREAM_001\" GROUP BY sector;",
      in);
  EXPECT_NE(ce.message.find("monotonic expression of ROWTIME"), std::string::npos) << ce.message;
  EXPECT_EQ(ce.line, 2);

  ce = compile_error(
      "CREATE STREAM s (a INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM sector FROM "
      "\"SOURCE_SQL_STREAM_001\";",
      in);
  EXPECT_NE(ce.message.find("without a CAST"), std::string::npos) << ce.message;

  ce = compile_error(
      "CREATE STREAM s (a INTEGER, b INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM 1 FROM "
      "\"SOURCE_SQL_STREAM_001\";",
      in);
  EXPECT_NE(ce.message.find("selects 1 columns but the pump inserts 2"), std::string::npos) << ce.message;

  ce = compile_error(
      "CREATE STREAM s (a VARCHAR(4));\nCREATE PUMP p AS INSERT INTO s SELECT ticker_symbol FROM "
      "\"SOURCE_SQL_STREAM_001\";",
      in);
  EXPECT_NE(ce.message.find("SELECT STREAM"), std::string::npos) << ce.message;

  ce = compile_error(
      "CREATE STREAM s (a VARCHAR(4));\nCREATE PUMP p AS INSERT INTO s SELECT STREAM sector FROM "
      "\"SOURCE_SQL_STREAM_001\" UNION SELECT STREAM sector FROM \"SOURCE_SQL_STREAM_001\";",
      in);
  EXPECT_NE(ce.message.find("use UNION ALL"), std::string::npos) << ce.message;

  ce = compile_error("CREATE STREAM s (a VARCHAR(4)); CREATE STREAM s (b INTEGER);", in);
  EXPECT_NE(ce.message.find("already exists"), std::string::npos) << ce.message;

  ce = compile_error("CREATE STREAM s (a INTEGER) junk", in);
  EXPECT_EQ(ce.line, 1);
  EXPECT_GT(ce.column, 1);

  ce = compile_error(
      "CREATE STREAM s (a INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM NO_SUCH_FN(price) FROM "
      "\"SOURCE_SQL_STREAM_001\";",
      in);
  EXPECT_EQ(ce.line, 2);
}

}  // namespace
}  // namespace runnel::sql
