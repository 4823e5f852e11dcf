// Record format conversion as Firehose runs it: RecordConverter (the OpenX
// JSON SerDe) turning each record into a row, and parquet::FileWriter
// (SNAPPY) writing the rows as one file, against the JSON parse alone
// (simdjson on-demand, every field visited) of the same records in the same
// run: the ratio issue 17 asks for. Per core (one thread).
//
//   cmake --preset bench && cmake --build --preset bench --target runnel_firehose_benchmarks
//   build/bench/runnel_firehose_benchmarks --benchmark_filter=Conversion
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "firehose/record_conversion.h"
#include "parquet/file_writer.h"
#include "parquet/testing/log_records.h"

namespace runnel::firehose {
namespace {

namespace od = simdjson::ondemand;
using parquet::testing::kLogColumns;
using parquet::testing::log_records;
using parquet::testing::total_bytes;

void report(benchmark::State& state, const std::vector<simdjson::padded_string>& recs) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(recs.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total_bytes(recs)));
}

// The baseline: every field of every record parsed, nothing built.
void BM_ConversionBaselineJsonParse(benchmark::State& state) {
  auto recs = log_records();
  od::parser parser;
  size_t sink = 0;
  for (auto _ : state) {
    for (const auto& r : recs) {
      od::document doc = parser.iterate(r);
      for (auto field : doc.get_object()) {
        sink += std::string_view(field.unescaped_key()).size();
        auto v = field.value();
        switch (v.type()) {
          case od::json_type::number: sink += static_cast<size_t>(double(v.get_double())); break;
          case od::json_type::string: sink += std::string_view(v.get_string()).size(); break;
          case od::json_type::object:
            for (auto kv : v.get_object())
              sink += std::string_view(kv.unescaped_key()).size() + std::string_view(kv.value().get_string()).size();
            break;
          default: break;
        }
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  report(state, recs);
}
BENCHMARK(BM_ConversionBaselineJsonParse)->Unit(benchmark::kMillisecond);

std::shared_ptr<const parquet::Schema> log_schema() { return *parquet::Schema::from_columns(kLogColumns); }

std::unique_ptr<RecordConverter> converter(std::shared_ptr<const parquet::Schema> schema) {
  return std::move(*RecordConverter::create(std::move(schema), DeserializerOptions{}));
}

// RecordConverter alone: rows built and dropped.
void BM_ConversionRecordConverterOnly(benchmark::State& state) {
  auto recs = log_records();
  auto c = converter(log_schema());
  size_t rows = 0;
  for (auto _ : state) {
    for (const auto& r : recs) {
      auto got = c->convert(std::string_view(r.data(), r.size()));
      if (!got) state.SkipWithError(got.error().message().c_str());
      rows += got->size();
    }
  }
  benchmark::DoNotOptimize(rows);
  report(state, recs);
}
BENCHMARK(BM_ConversionRecordConverterOnly)->Unit(benchmark::kMillisecond);

// What the delivery engine does per object: convert every record, write
// one Parquet file.
void Conversion(benchmark::State& state, parquet::Codec codec) {
  auto recs = log_records();
  auto schema = log_schema();
  auto c = converter(schema);
  parquet::WriterOptions o;
  o.compression = codec;
  size_t out_bytes = 0;
  for (auto _ : state) {
    parquet::StringSink sink;
    auto w = std::move(*parquet::FileWriter::open(schema, o, &sink));
    for (const auto& r : recs) {
      auto got = c->convert(std::string_view(r.data(), r.size()));
      if (!got) state.SkipWithError(got.error().message().c_str());
      for (const auto& row : *got)
        if (!w->append(row)) state.SkipWithError("append failed");
    }
    if (!w->finish()) state.SkipWithError("finish failed");
    out_bytes = sink.data().size();
  }
  report(state, recs);
  state.counters["parquet_bytes"] = static_cast<double>(out_bytes);
}
void BM_ConversionToParquetSnappy(benchmark::State& state) { Conversion(state, parquet::Codec::kSnappy); }
void BM_ConversionToParquetUncompressed(benchmark::State& state) { Conversion(state, parquet::Codec::kUncompressed); }
BENCHMARK(BM_ConversionToParquetSnappy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConversionToParquetUncompressed)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runnel::firehose
