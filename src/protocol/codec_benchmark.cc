// Micro-benchmarks of the wire codecs on their hot path: a PutRecords body
// with 500 records, decoded (including base64 for JSON, as the validator
// does) and encoded, in JSON and in CBOR. Run:
//   cmake --preset bench && cmake --build --preset bench && build/bench/runnel_protocol_benchmarks
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"

namespace runnel::protocol {
namespace {

constexpr int kRecords = 500;

// A PutRecords request as the Java SDK would model it: Blob data.
Value put_records_request(std::size_t record_bytes) {
  std::mt19937 rng(42);
  Array records;
  for (int i = 0; i < kRecords; ++i) {
    std::string data(record_bytes, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    Value record;
    record.set("Data", Blob{std::move(data)});
    record.set("PartitionKey", "partition-key-" + std::to_string(i));
    records.push_back(std::move(record));
  }
  Value request;
  request.set("Records", std::move(records));
  request.set("StreamName", "benchmark-stream");
  return request;
}

void BM_JsonDecodePutRecords(benchmark::State& state) {
  const std::string body = encode_json(put_records_request(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto v = decode_json(body);
    // The validator's share of the hot path: every Data string to bytes.
    for (auto& record : v->find("Records")->as_array()) {
      auto bytes = base64_decode(record.find("Data")->as_string());
      benchmark::DoNotOptimize(bytes);
    }
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_JsonDecodePutRecords)->Arg(100)->Arg(1024)->Arg(10 * 1024);

void BM_JsonDecodeOnlyPutRecords(benchmark::State& state) {
  const std::string body = encode_json(put_records_request(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto v = decode_json(body);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_JsonDecodeOnlyPutRecords)->Arg(100)->Arg(1024)->Arg(10 * 1024);

void BM_JsonEncodePutRecords(benchmark::State& state) {
  const Value request = put_records_request(static_cast<std::size_t>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string body = encode_json(request);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_JsonEncodePutRecords)->Arg(100)->Arg(1024)->Arg(10 * 1024);

void BM_CborDecodePutRecords(benchmark::State& state) {
  const std::string body = encode_cbor(put_records_request(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto v = decode_cbor(body);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_CborDecodePutRecords)->Arg(100)->Arg(1024)->Arg(10 * 1024);

void BM_CborEncodePutRecords(benchmark::State& state) {
  const Value request = put_records_request(static_cast<std::size_t>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string body = encode_cbor(request);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_CborEncodePutRecords)->Arg(100)->Arg(1024)->Arg(10 * 1024);

void BM_Base64Decode(benchmark::State& state) {
  std::string bytes(static_cast<std::size_t>(state.range(0)), 'x');
  const std::string text = base64_encode(bytes);
  for (auto _ : state) {
    auto out = base64_decode(text);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Base64Decode)->Arg(1024)->Arg(1024 * 1024);

void BM_Base64Encode(benchmark::State& state) {
  std::string bytes(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto out = base64_encode(bytes);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_Base64Encode)->Arg(1024)->Arg(1024 * 1024);

}  // namespace
}  // namespace runnel::protocol
