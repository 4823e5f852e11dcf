// The SQL engine's hot path on one core: 100 B JSON records read by the
// input schema (sql::RecordReader) and pushed through an application's
// pumps, against reading the records alone in the same run.
//
//   cmake --preset bench && cmake --build --preset bench --target runnel_sql_benchmarks
//   build/bench/runnel_sql_benchmarks --benchmark_repetitions=3
//
// Records per second are the benchmark's items_per_second.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "sql/engine.h"
#include "sql/record_format.h"

namespace runnel::sql {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr size_t kRecords = 100'000;

const std::vector<std::string>& records() {
  static const std::vector<std::string> kRecordsData = [] {
    static const char* kTickers[] = {"AMZN", "MSFT", "AAPL", "GOOG", "INTC", "ORCL", "IBM", "NFLX"};
    std::vector<std::string> out;
    out.reserve(kRecords);
    for (size_t i = 0; i < kRecords; ++i) {
      out.push_back(R"({"ticker":")" + std::string(kTickers[i % 8]) + R"(","sector":"TECHNOLOGY","change":)" +
                    std::to_string(static_cast<int>(i % 200) - 100) + R"(.25,"price":)" + std::to_string(50 + i % 97) +
                    ".5}");
    }
    return out;
  }();
  return kRecordsData;
}

SourceSchema schema() {
  SourceSchema s;
  s.columns = {{"TICKER_SYMBOL", "$.ticker", "VARCHAR(4)"},
               {"SECTOR", "$.sector", "VARCHAR(16)"},
               {"CHANGE", "$.change", "REAL"},
               {"PRICE", "$.price", "REAL"}};
  return s;
}

ProgramInputs inputs() {
  ProgramInputs in;
  in.streams.push_back({"SOURCE_SQL_STREAM_001",
                        {{"TICKER_SYMBOL", SqlType::varchar(4)},
                         {"SECTOR", SqlType::varchar(16)},
                         {"CHANGE", SqlType::of(TypeKind::kReal)},
                         {"PRICE", SqlType::of(TypeKind::kReal)},
                         {"APPROXIMATE_ARRIVAL_TIME", SqlType::of(TypeKind::kTimestamp), true}}});
  return in;
}

// Reads every record into rows (the input's cost alone).
void BM_ReadRecords(benchmark::State& state) {
  auto reader = RecordReader::create(schema());
  std::vector<Row> rows;
  std::vector<RecordError> errors;
  for (auto _ : state) {
    for (const std::string& r : records()) {
      rows.clear();
      reader->read(r, rows, errors);
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRecords));
}
BENCHMARK(BM_ReadRecords)->Unit(benchmark::kMillisecond);

void run_program(benchmark::State& state, const std::string& code) {
  auto reader = RecordReader::create(schema());
  auto engine = Engine::compile(code, inputs());
  if (!engine) {
    state.SkipWithError(engine.error().message().c_str());
    return;
  }
  size_t out = 0;
  (*engine)->subscribe("DESTINATION_SQL_STREAM", [&out](const StreamRow&) { ++out; });
  std::vector<Row> rows;
  std::vector<RecordError> errors;
  int64_t now = kT0;
  for (auto _ : state) {
    for (size_t i = 0; i < kRecords; ++i) {
      rows.clear();
      reader->read(records()[i], rows, errors);
      // 100,000 records a second of ROWTIME: a window of a second holds 100,000 rows.
      if (i % 100 == 0) ++now;
      for (Row& row : rows) {
        row.push_back(Value::timestamp(now));
        (*engine)->insert(0, now, std::move(row));
      }
    }
    (*engine)->advance(now);
  }
  benchmark::DoNotOptimize(out);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRecords));
  state.counters["rows_out"] = static_cast<double>(out);
}

void BM_FilterProject(benchmark::State& state) {
  run_program(state, R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), change REAL, price REAL);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, change, price FROM "SOURCE_SQL_STREAM_001" WHERE change > 0;
  )");
}
BENCHMARK(BM_FilterProject)->Unit(benchmark::kMillisecond);

void BM_TumblingGroupBy(benchmark::State& state) {
  run_program(state, R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), n BIGINT, avg_price DOUBLE, max_change REAL);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, COUNT(*), AVG(CAST(price AS DOUBLE)), MAX(change)
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
  )");
}
BENCHMARK(BM_TumblingGroupBy)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runnel::sql
