// Micro-benchmarks of one PutRecords call's protocol work, in the two shapes
// that bound it: 500 records of 100 bytes (many small) and 5 records of
// 64 KiB (few large). codec_benchmark.cc beside this file measures the codecs
// alone as record size grows; this file adds what a request costs end to end
// in this layer (decode, then validate_input against the Kinesis model, as the
// Dispatcher runs them), the response encode, and memcpy of the same bytes as
// the in-run baseline that docs/microbenchmarks.md quotes ratios against.
//
// Uses public headers only, so it keeps measuring while codec internals change.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kinesis_shapes.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"
#include "protocol/model.h"
#include "protocol/validator.h"
#include "protocol/value.h"
#include "streams/benchmark_requests.h"
#include "streams/model.h"
#include "streams/put_records_decoder.h"

namespace runnel::streams {
namespace {

using namespace protocol;  // NOLINT(google-build-using-namespace)

enum Encoding : int64_t { kJson = 0, kCbor = 1 };

// A PutRecords request body as an SDK would send it: `records` records of
// `record_bytes` random bytes each, under 20-odd-byte partition keys.
using testing::put_records_request;

std::string encode(const Value& v, int64_t encoding) { return encoding == kCbor ? encode_cbor(v) : encode_json(v); }

// Args: {records, record_bytes, encoding}.
std::string request_body(const benchmark::State& state) {
  return encode(put_records_request(state.range(0), state.range(1)), state.range(2));
}

void label(benchmark::State& state, const std::string& body) {
  state.SetLabel((state.range(2) == kCbor ? "cbor " : "json ") + std::to_string(body.size()) + " B");
}

const OperationModel& put_records_op() {
  static const OperationModel* op = [] {
    const OperationModel* found = kinesis_model().find_operation("PutRecords");
    if (found == nullptr) std::abort();
    return found;
  }();
  return *op;
}

// Baseline: copying the request body once, as a lower bound for any pass
// over it.
void BM_PutRecordsMemcpyBody(benchmark::State& state) {
  const std::string body = request_body(state);
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  label(state, body);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The codec alone: bytes to Value. For JSON, Data stays a base64 String.
void BM_PutRecordsDecode(benchmark::State& state) {
  const std::string body = request_body(state);
  const bool cbor = state.range(2) == kCbor;
  for (auto _ : state) {
    auto v = cbor ? decode_cbor(body) : decode_json(body);
    if (!v) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(v);
  }
  label(state, body);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// What Dispatcher::handle does with a body before the service sees it:
// decode, then validate_input against the Kinesis model (for JSON this
// base64-decodes every Data member into a Blob; for CBOR Data arrives as a
// Blob and only the constraints are checked).
void BM_PutRecordsDecodeValidate(benchmark::State& state) {
  const std::string body = request_body(state);
  const ServiceModel& model = kinesis_model();
  const OperationModel& op = put_records_op();
  const WireFormat format = state.range(2) == kCbor ? WireFormat::kCbor : WireFormat::kJson;
  for (auto _ : state) {
    auto v = format == WireFormat::kCbor ? decode_cbor(body) : decode_json(body);
    if (!v) {
      state.SkipWithError("decode failed");
      break;
    }
    if (!validate_input(model, op, *v, format)) {
      state.SkipWithError("validate_input rejected the request");
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  label(state, body);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The same in one pass (PutRecordsDecoder, JSON only): what the Dispatcher runs for
// a plain PutRecords body instead of decode + validate_input. The body gets
// the spare capacity request bodies have, so it is parsed in place.
void BM_PutRecordsFastInput(benchmark::State& state) {
  std::string body = request_body(state);
  body.reserve(body.size() + 64);
  const PutRecordsDecoder fast(kinesis_model());
  const OperationModel& op = put_records_op();
  for (auto _ : state) {
    auto v = fast.decode(op, body);
    if (!v) {
      state.SkipWithError("PutRecordsDecoder declined the request");
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  label(state, body);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The fast path and then the typed input the handler gets (kinesis_shapes.h,
// docs/typed-shapes.md): what the Value-to-struct step adds per request, with
// each record's key and data moved, not copied. Against BM_PutRecordsFastInput.
void BM_PutRecordsFastInputTyped(benchmark::State& state) {
  std::string body = request_body(state);
  body.reserve(body.size() + 64);
  const PutRecordsDecoder fast(kinesis_model());
  const OperationModel& op = put_records_op();
  for (auto _ : state) {
    auto v = fast.decode(op, body);
    if (!v) {
      state.SkipWithError("PutRecordsDecoder declined the request");
      break;
    }
    api::PutRecordsInput in;
    if (!decode(std::move(*v), in)) {
      state.SkipWithError("the typed input did not decode");
      break;
    }
    benchmark::DoNotOptimize(in);
  }
  label(state, body);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The fast path and then what the PutRecords handler did with each record
// before it took a typed input: look up PartitionKey, Data and
// ExplicitHashKey by name in the Value, keeping pointers to them. The
// baseline BM_PutRecordsFastInputTyped replaces.
void BM_PutRecordsFastInputLookups(benchmark::State& state) {
  std::string body = request_body(state);
  body.reserve(body.size() + 64);
  const PutRecordsDecoder fast(kinesis_model());
  const OperationModel& op = put_records_op();
  for (auto _ : state) {
    auto v = fast.decode(op, body);
    if (!v) {
      state.SkipWithError("PutRecordsDecoder declined the request");
      break;
    }
    auto& list = v->find("Records")->as_array();
    std::vector<Value*> entries;
    entries.reserve(list.size());
    for (auto& r : list) entries.push_back(&r);
    std::vector<std::pair<std::string*, std::string*>> fields(entries.size());
    size_t explicit_keys = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      Value& r = *entries[i];
      fields[i] = {&r.find("PartitionKey")->as_string(), &r.find("Data")->as_blob().bytes};
      const Value* explicit_key = r.find("ExplicitHashKey");
      explicit_keys += explicit_key && explicit_key->is_string();
    }
    benchmark::DoNotOptimize(fields);
    benchmark::DoNotOptimize(explicit_keys);
  }
  label(state, body);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void json_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"records", "bytes", "cbor"});
  b->ArgsProduct({{500}, {100}, {kJson}});
  b->ArgsProduct({{5}, {64 << 10}, {kJson}});
}

// The two request shapes, each in both encodings.
void put_records_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"records", "bytes", "cbor"});
  b->ArgsProduct({{500}, {100}, {kJson, kCbor}});
  b->ArgsProduct({{5}, {64 << 10}, {kJson, kCbor}});
}

BENCHMARK(BM_PutRecordsMemcpyBody)->Apply(put_records_shapes);
// codec_benchmark.cc's BM_JsonDecodeOnlyPutRecords/100 and
// BM_CborDecodePutRecords/100 also cover the 500 x 100 B decode; it is kept
// here so that both shapes sit beside their decode+validate figures.
BENCHMARK(BM_PutRecordsDecode)->Apply(put_records_shapes);
BENCHMARK(BM_PutRecordsDecodeValidate)->Apply(put_records_shapes);
BENCHMARK(BM_PutRecordsFastInput)->Apply(json_shapes);
BENCHMARK(BM_PutRecordsFastInputLookups)->Apply(json_shapes);
BENCHMARK(BM_PutRecordsFastInputTyped)->Apply(json_shapes);

// The success response of a PutRecords call as KinesisService builds it:
// FailedRecordCount then one {SequenceNumber, ShardId} per record.
Value put_records_response(int64_t records) {
  Array list;
  list.reserve(static_cast<size_t>(records));
  for (int64_t i = 0; i < records; ++i) {
    // 56 digits, the length of a v2 sequence number.
    std::string seq = "4959" + std::to_string(1000000000000000000ull + static_cast<uint64_t>(i) * 7919);
    seq.resize(56, '7');
    std::string shard = "shardId-00000000000" + std::to_string(i % 10);
    Value rec = Object{};
    rec.set("SequenceNumber", std::move(seq));
    rec.set("ShardId", std::move(shard));
    list.push_back(std::move(rec));
  }
  Value out = Object{};
  out.set("FailedRecordCount", 0);
  out.set("Records", std::move(list));
  return out;
}

// Baseline: copying the encoded response once.
void BM_PutRecordsResponseMemcpy(benchmark::State& state) {
  const std::string body = encode(put_records_response(state.range(0)), state.range(1));
  std::string copy(body.size(), '\0');
  for (auto _ : state) {
    std::memcpy(copy.data(), body.data(), body.size());
    benchmark::DoNotOptimize(copy.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel((state.range(1) == kCbor ? "cbor " : "json ") + std::to_string(body.size()) + " B");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PutRecordsResponseMemcpy)->ArgNames({"entries", "cbor"})->ArgsProduct({{500}, {kJson, kCbor}});

// Value to bytes: what the Dispatcher does with the service's reply.
void BM_PutRecordsResponseEncode(benchmark::State& state) {
  const Value response = put_records_response(state.range(0));
  const bool cbor = state.range(1) == kCbor;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = cbor ? encode_cbor(response) : encode_json(response);
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetLabel((cbor ? "cbor " : "json ") + std::to_string(bytes) + " B");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PutRecordsResponseEncode)->ArgNames({"entries", "cbor"})->ArgsProduct({{500}, {kJson, kCbor}});

// Building the reply Value itself (500 small objects), which precedes the
// encode on the service's side; shows how much of the reply is allocation.
void BM_PutRecordsResponseBuild(benchmark::State& state) {
  for (auto _ : state) {
    Value v = put_records_response(state.range(0));
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PutRecordsResponseBuild)->ArgNames({"entries"})->Arg(500);

// Baseline for codec_benchmark.cc's BM_Base64Encode / BM_Base64Decode, at
// the same sizes: copying that many bytes.
void BM_Memcpy(benchmark::State& state) {
  const std::string src(static_cast<size_t>(state.range(0)), 'x');
  std::string dst(src.size(), '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * src.size()));
}
BENCHMARK(BM_Memcpy)->Arg(1024)->Arg(1024 * 1024);

}  // namespace
}  // namespace runnel::streams
