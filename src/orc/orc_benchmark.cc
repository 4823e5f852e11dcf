// JSON-like log records -> ORC, against the Parquet writer on the same rows
// in the same run: rows/s and JSON MB/s per core (one thread), and the
// output size of each.
//
//   cmake --preset bench && cmake --build --preset bench --target runnel_orc_benchmarks
//   build/bench/runnel_orc_benchmarks
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "orc/file_writer.h"
#include "parquet/file_writer.h"
#include "parquet/testing/random_values.h"

namespace runnel::orc {
namespace {

namespace od = simdjson::ondemand;
using parquet::ColumnSpec;
using parquet::Value;

const std::vector<ColumnSpec> kLogColumns = {
    {"ts", "timestamp"}, {"host", "string"},       {"service", "string"},    {"level", "string"},
    {"status", "int"},   {"bytes", "bigint"},      {"latency_ms", "double"}, {"method", "string"},
    {"path", "string"},  {"user_agent", "string"}, {"request_id", "string"}, {"tags", "map<string,string>"},
};
constexpr int kRecords = 20000;

// Records as an access log shipper would send them (about 330 bytes each);
// "ts" is seconds since the epoch with milliseconds.
std::vector<simdjson::padded_string> log_records() {
  parquet::testing::SplitMix rng(11);
  const char* levels[] = {"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"};
  const char* methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  const char* services[] = {"checkout", "search", "cart", "auth", "catalog"};
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0",
                          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15", "curl/8.5.0",
                          "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2"};
  std::vector<simdjson::padded_string> out;
  for (int i = 0; i < kRecords; ++i) {
    uint64_t r = rng.next();
    std::string j =
        "{\"ts\":" + std::to_string(int64_t{1714521600000} + i * 37 + static_cast<int64_t>(r % 1000)) +
        ",\"host\":\"web-" + std::to_string(r % 64) + "\",\"service\":\"" + services[(r >> 8) % 5] + "\",\"level\":\"" +
        levels[(r >> 12) % 6] + "\",\"status\":" + std::to_string((r >> 16) % 10 ? 200 : 500) +
        ",\"bytes\":" + std::to_string((r >> 20) % 100000) +
        ",\"latency_ms\":" + std::to_string(static_cast<double>((r >> 32) % 100000) / 100) + ",\"method\":\"" +
        methods[(r >> 40) % 6] + "\",\"path\":\"/api/v1/items/" + std::to_string((r >> 44) % 5000) +
        "\",\"user_agent\":\"" + agents[(r >> 56) % 4] + "\",\"request_id\":\"" + std::to_string(rng.next()) + "-" +
        std::to_string(i) + "\",\"tags\":{\"region\":\"eu-west-1\",\"az\":\"" + static_cast<char>('a' + r % 3) + "\"}}";
    out.emplace_back(j);
  }
  return out;
}

int64_t total_bytes(const std::vector<simdjson::padded_string>& recs) {
  int64_t n = 0;
  for (const auto& r : recs) n += static_cast<int64_t>(r.size());
  return n;
}

int column_of(std::string_view key) {
  for (size_t i = 0; i < kLogColumns.size(); ++i)
    if (kLogColumns[i].name == key) return static_cast<int>(i);
  return -1;
}

Value to_row(od::parser& parser, const simdjson::padded_string& json) {
  std::vector<Value> row(kLogColumns.size());
  od::document doc = parser.iterate(json);
  for (auto field : doc.get_object()) {
    int c = column_of(field.unescaped_key());
    auto v = field.value();
    switch (c) {
      case 0: {
        int64_t ms = v.get_int64();
        row[0] = Value::timestamp({ms / 1000, static_cast<uint32_t>(ms % 1000) * 1000000});
        break;
      }
      case 4:
      case 5: row[c] = Value::integer(v.get_int64()); break;
      case 6: row[6] = Value::float64(v.get_double()); break;
      case 11: {
        std::vector<std::pair<Value, Value>> tags;
        for (auto kv : v.get_object())
          tags.emplace_back(Value::bytes(std::string(std::string_view(kv.unescaped_key()))),
                            Value::bytes(std::string(std::string_view(kv.value().get_string()))));
        row[11] = Value::map(std::move(tags));
        break;
      }
      default:
        if (c >= 0) row[c] = Value::bytes(std::string(std::string_view(v.get_string())));
    }
  }
  return Value::record(std::move(row));
}

// One file of all records per iteration; `parse` includes the JSON parse
// and the building of rows in the measured time.
template <class Write>
void run(benchmark::State& state, bool parse, Write write) {
  auto recs = log_records();
  od::parser parser;
  std::vector<Value> rows;
  if (!parse)
    for (const auto& r : recs) rows.push_back(to_row(parser, r));
  size_t out_bytes = 0;
  for (auto _ : state) {
    parquet::StringSink sink;
    if (parse) {
      std::vector<Value> fresh;
      fresh.reserve(recs.size());
      for (const auto& r : recs) fresh.push_back(to_row(parser, r));
      if (!write(fresh, &sink)) state.SkipWithError("write failed");
    } else if (!write(rows, &sink)) {
      state.SkipWithError("write failed");
    }
    out_bytes = sink.data().size();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(recs.size()));
  state.SetBytesProcessed(state.iterations() * total_bytes(recs));
  state.counters["file_bytes"] = static_cast<double>(out_bytes);
  state.counters["json_bytes"] = static_cast<double>(total_bytes(recs));
}

auto orc_writer(Compression c) {
  return [c](const std::vector<Value>& rows, parquet::StringSink* sink) {
    WriterOptions o;
    o.compression = c;
    auto w = std::move(*FileWriter::open(kLogColumns, o, sink));
    for (const auto& r : rows)
      if (!w->append(r)) return false;
    return bool(w->finish());
  };
}

auto parquet_writer(parquet::Codec c) {
  return [c](const std::vector<Value>& rows, parquet::StringSink* sink) {
    auto schema = *parquet::Schema::from_columns(kLogColumns);
    parquet::WriterOptions o;
    o.compression = c;
    auto w = std::move(*parquet::FileWriter::open(schema, o, sink));
    for (const auto& r : rows)
      if (!w->append(r)) return false;
    return bool(w->finish());
  };
}

void BM_JsonToRowsOnly(benchmark::State& state) {
  run(state, true, [](const std::vector<Value>&, parquet::StringSink*) { return true; });
}
void BM_JsonToOrcSnappy(benchmark::State& state) { run(state, true, orc_writer(Compression::kSnappy)); }
void BM_JsonToParquetSnappy(benchmark::State& state) { run(state, true, parquet_writer(parquet::Codec::kSnappy)); }
void BM_OrcWriteOnlySnappy(benchmark::State& state) { run(state, false, orc_writer(Compression::kSnappy)); }
void BM_OrcWriteOnlyZlib(benchmark::State& state) { run(state, false, orc_writer(Compression::kZlib)); }
void BM_OrcWriteOnlyNone(benchmark::State& state) { run(state, false, orc_writer(Compression::kNone)); }
void BM_ParquetWriteOnlySnappy(benchmark::State& state) { run(state, false, parquet_writer(parquet::Codec::kSnappy)); }
void BM_ParquetWriteOnlyGzip(benchmark::State& state) { run(state, false, parquet_writer(parquet::Codec::kGzip)); }
BENCHMARK(BM_JsonToRowsOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonToOrcSnappy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonToParquetSnappy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrcWriteOnlySnappy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrcWriteOnlyZlib)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrcWriteOnlyNone)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParquetWriteOnlySnappy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParquetWriteOnlyGzip)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runnel::orc
