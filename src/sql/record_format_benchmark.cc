// RecordReader on KDA's stock-ticker sample records (JSON and CSV, four
// columns) against simdjson's DOM parse alone of the same records: the cost
// of mapping and coercion over parsing. Per core (one thread).
//
//   cmake --preset bench && cmake --build --preset bench --target runnel_sql_benchmarks
//   build/bench/runnel_sql_benchmarks
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "sql/record_format.h"

namespace runnel::sql {
namespace {

std::vector<std::string> json_records() {
  static const char* kTickers[] = {"AMZN", "NFLX", "WMT", "ASD", "QXZ"};
  std::vector<std::string> out;
  for (int i = 0; i < 1000; ++i) {
    out.push_back(std::string(R"({"TICKER_SYMBOL":")") + kTickers[i % 5] + R"(","SECTOR":"TECHNOLOGY","CHANGE":)" +
                  std::to_string((i % 200) / 100.0 - 1) + R"(,"PRICE":)" + std::to_string(10 + (i % 9000) / 100.0) +
                  "}");
  }
  return out;
}

SourceSchema schema(RecordFormatType f) {
  SourceSchema s;
  s.format = f;
  s.columns = {{"TICKER_SYMBOL", "$.TICKER_SYMBOL", "VARCHAR(4)"},
               {"SECTOR", "$.SECTOR", "VARCHAR(16)"},
               {"CHANGE", "$.CHANGE", "REAL"},
               {"PRICE", "$.PRICE", "DECIMAL(8,2)"}};
  return s;
}

void report(benchmark::State& state, const std::vector<std::string>& recs) {
  size_t bytes = 0;
  for (const auto& r : recs) bytes += r.size();
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(recs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

void BM_RecordJsonParseOnly(benchmark::State& state) {
  const auto recs = json_records();
  simdjson::dom::parser parser;
  size_t sink = 0;
  for (auto _ : state) {
    for (const auto& r : recs) {
      simdjson::dom::element e;
      if (parser.parse(r).get(e) == simdjson::SUCCESS) ++sink;
    }
  }
  benchmark::DoNotOptimize(sink);
  report(state, recs);
}
BENCHMARK(BM_RecordJsonParseOnly);

void BM_RecordReaderJson(benchmark::State& state) {
  const auto recs = json_records();
  auto reader = RecordReader::create(schema(RecordFormatType::kJson));
  std::vector<Row> rows;
  std::vector<RecordError> errors;
  for (auto _ : state) {
    rows.clear();
    for (const auto& r : recs) reader->read(r, rows, errors);
  }
  benchmark::DoNotOptimize(rows.data());
  report(state, recs);
}
BENCHMARK(BM_RecordReaderJson);

void BM_RecordReaderCsv(benchmark::State& state) {
  std::vector<std::string> recs;
  for (int i = 0; i < 1000; ++i) recs.push_back("AMZN,TECHNOLOGY," + std::to_string(i % 7 - 3.5) + ",45.61\n");
  auto reader = RecordReader::create(schema(RecordFormatType::kCsv));
  std::vector<Row> rows;
  std::vector<RecordError> errors;
  for (auto _ : state) {
    rows.clear();
    for (const auto& r : recs) reader->read(r, rows, errors);
  }
  benchmark::DoNotOptimize(rows.data());
  report(state, recs);
}
BENCHMARK(BM_RecordReaderCsv);

void BM_WriteRecordJson(benchmark::State& state) {
  const std::vector<std::string> names = {"TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE", "ROWTIME"};
  const Row row = {Value::varchar("AMZN"), Value::varchar("TECHNOLOGY"), Value::real(-0.49), Value::decimal(4561, 2),
                   Value::timestamp(1483228800123)};
  size_t bytes = 0;
  for (auto _ : state) bytes += write_record(RecordFormatType::kJson, names, row).size();
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_WriteRecordJson);

}  // namespace
}  // namespace runnel::sql
