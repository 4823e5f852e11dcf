// JSON -> Parquet (SNAPPY) for a log-like schema, against the JSON parse
// alone (simdjson on-demand, every field visited) of the same records: the
// ratio issue 17 asks for. Rows/s and JSON MB/s are per core (one thread).
//
//   cmake --preset bench && cmake --build --preset bench --target runnel_parquet_benchmarks
//   build/bench/runnel_parquet_benchmarks
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "parquet/file_writer.h"
#include "parquet/testing/log_records.h"

namespace runnel::parquet {
namespace {

namespace od = simdjson::ondemand;
using testing::kLogColumns;
using testing::log_records;
using testing::total_bytes;

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "yyyy-MM-dd HH:mm:ss.SSS" (java.sql.Timestamp.valueOf's form, fixed here).
Timestamp parse_ts(std::string_view s) {
  auto num = [&](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
    return v;
  };
  int64_t days = days_from_civil(num(0, 4), static_cast<unsigned>(num(5, 2)), static_cast<unsigned>(num(8, 2)));
  int64_t secs = days * 86400 + num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
  return {secs, static_cast<uint32_t>(num(20, 3) * 1'000'000)};
}

// Column of each JSON key, in kLogColumns order.
int column_of(std::string_view key) {
  for (size_t i = 0; i < kLogColumns.size(); ++i)
    if (kLogColumns[i].name == key) return static_cast<int>(i);
  return -1;
}

void BM_JsonParseOnly(benchmark::State& state) {
  auto recs = log_records();
  od::parser parser;
  size_t sink = 0;
  for (auto _ : state) {
    for (const auto& r : recs) {
      od::document doc = parser.iterate(r);
      for (auto field : doc.get_object()) {
        std::string_view key = field.unescaped_key();
        int c = column_of(key);
        auto v = field.value();
        switch (c) {
          case 4:
          case 5: sink += static_cast<size_t>(int64_t(v.get_int64())); break;
          case 6: sink += static_cast<size_t>(double(v.get_double())); break;
          case 11:
            for (auto kv : v.get_object())
              sink += std::string_view(kv.unescaped_key()).size() + std::string_view(kv.value().get_string()).size();
            break;
          default: sink += std::string_view(v.get_string()).size();
        }
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(recs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total_bytes(recs)));
}
BENCHMARK(BM_JsonParseOnly)->Unit(benchmark::kMillisecond);

// Parse as above, build each row, write one Parquet file of all records.
void JsonToParquet(benchmark::State& state, Codec codec) {
  auto recs = log_records();
  auto schema = *Schema::from_columns(kLogColumns);
  od::parser parser;
  WriterOptions o;
  o.compression = codec;
  size_t out_bytes = 0;
  for (auto _ : state) {
    StringSink sink;
    auto w = std::move(*FileWriter::open(schema, o, &sink));
    for (const auto& r : recs) {
      std::vector<Value> row(kLogColumns.size());
      od::document doc = parser.iterate(r);
      for (auto field : doc.get_object()) {
        int c = column_of(field.unescaped_key());
        auto v = field.value();
        switch (c) {
          case 0: row[0] = Value::timestamp(parse_ts(v.get_string())); break;
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
      if (!w->append(Value::record(std::move(row)))) state.SkipWithError("append failed");
    }
    if (!w->finish()) state.SkipWithError("finish failed");
    out_bytes = sink.data().size();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(recs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total_bytes(recs)));
  state.counters["parquet_bytes"] = static_cast<double>(out_bytes);
  state.counters["json_bytes"] = static_cast<double>(total_bytes(recs));
}
void BM_JsonToParquetSnappy(benchmark::State& state) { JsonToParquet(state, Codec::kSnappy); }
void BM_JsonToParquetUncompressed(benchmark::State& state) { JsonToParquet(state, Codec::kUncompressed); }
BENCHMARK(BM_JsonToParquetSnappy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonToParquetUncompressed)->Unit(benchmark::kMillisecond);

// The writer alone: rows already built.
void BM_ParquetWriteOnlySnappy(benchmark::State& state) {
  auto recs = log_records();
  auto schema = *Schema::from_columns(kLogColumns);
  od::parser parser;
  std::vector<Value> rows;
  for (const auto& r : recs) {
    std::vector<Value> row(kLogColumns.size());
    od::document doc = parser.iterate(r);
    for (auto field : doc.get_object()) {
      int c = column_of(field.unescaped_key());
      auto v = field.value();
      if (c == 0)
        row[0] = Value::timestamp(parse_ts(v.get_string()));
      else if (c == 4 || c == 5)
        row[c] = Value::integer(v.get_int64());
      else if (c == 6)
        row[6] = Value::float64(v.get_double());
      else if (c == 11)
        row[11] = Value::map({{Value::bytes("region"), Value::bytes("eu-west-1")}});
      else if (c >= 0)
        row[c] = Value::bytes(std::string(std::string_view(v.get_string())));
    }
    rows.push_back(Value::record(std::move(row)));
  }
  for (auto _ : state) {
    StringSink sink;
    auto w = std::move(*FileWriter::open(schema, WriterOptions{}, &sink));
    for (const auto& r : rows)
      if (!w->append(r)) state.SkipWithError("append failed");
    if (!w->finish()) state.SkipWithError("finish failed");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total_bytes(recs)));
}
BENCHMARK(BM_ParquetWriteOnlySnappy)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runnel::parquet
