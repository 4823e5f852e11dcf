// Firehose's delivery path in one process, against its ceilings measured in
// the same run (docs/performance.md, "Firehose"):
//   BM_EmbeddedPutObject   the embedded store's raw PutObject of the same bytes
//                          (32 MiB objects, each fsynced): the S3 ceiling;
//   BM_GzipAlone           the GZIP compressor alone on the same records;
//   BM_LogAppendAlone      the durable log alone: the same 256 MiB appended
//                          as PutRecordBatch appends it (fsync always),
//                          timed until every append is acknowledged: what
//                          DirectPut can take before any delivery;
//   BM_Delivery/0          records appended to the durable log (fsync always)
//                          as PutRecordBatch appends them, 500 × 1 KiB per
//                          batch, delivered as 32 MiB objects to the
//                          embedded store; timed until the checkpoint covers
//                          every record;
//   BM_Delivery/1          the same with GZIP.
//   BM_KinesisSource/100   a KinesisStreamAsSource delivery stream reading a
//                          4-shard Data Streams stream that a producer fills
//                          at a paced 100 MB/s (PutRecords of 500 × 1 KiB,
//                          acked = fsynced), 32 MiB objects; timed until the
//                          last record is delivered. `lag_ms` is how long
//                          after the last acknowledged put that was: a
//                          source that keeps up shows a lag of about one
//                          object's delivery, not a growing backlog.
//   BM_KinesisSource/0     the same producer unpaced: the most the pair does.
// bytes_per_second is record bytes (before compression) in every case.
// What this leaves out: the HTTP and JSON cost of PutRecordBatch (measured
// by `runnel bench` for Data Streams), and base64 decoding.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <random>
#include <thread>

#include "firehose/compression.h"
#include "firehose/engine.h"
#include "s3/embedded_store.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/data_streams.h"
#include "streams/kinesis_service.h"

namespace runnel::firehose {
namespace {

constexpr size_t kRecord = 1024;
constexpr size_t kBatch = 500;
constexpr uint64_t kObjectBytes = 32ull << 20;
constexpr uint64_t kTotalBytes = 256ull << 20;  // 8 objects

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "runnel-fh-bench-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What a delivery run stands on, in a scratch directory: the embedded store
// with bucket "bench", the durable log (fsync always) and the metadata store.
struct Rig {
  ScratchDir dir;
  std::unique_ptr<s3::EmbeddedStore> store;
  std::unique_ptr<storage::Log> log;
  std::unique_ptr<storage::MetadataStore> metadata;

  // False (with the state skipped) if any part does not open.
  bool open(benchmark::State& state) {
    auto s = s3::EmbeddedStore::open(dir.path() + "/s3");
    if (!s || !(*s)->create_bucket("bench")) return state.SkipWithError("store"), false;
    store = std::move(*s);
    storage::LogOptions lo;
    lo.dir = dir.path() + "/log";
    auto l = storage::open_log(lo);
    auto m = storage::MetadataStore::open(dir.path() + "/metadata.db");
    if (!l || !m) return state.SkipWithError("log"), false;
    log = std::move(*l);
    metadata = std::move(*m);
    return true;
  }
  EngineOptions engine_options() const {
    EngineOptions eo;
    eo.key_file = dir.path() + "/kms.key";
    eo.poll_ms = 5;
    return eo;
  }
};

// Log-like JSON lines, about 1 KiB each, compressible as logs are.
std::vector<std::string> records(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string r = "{\"ts\":" + std::to_string(1'800'000'000'000 + i) + ",\"user\":\"u" +
                    std::to_string(rng() % 10'000) + "\",\"path\":\"/api/v1/items/" + std::to_string(rng() % 100'000) +
                    "\",\"status\":" + std::to_string(200 + rng() % 5) + ",\"msg\":\"";
    while (r.size() < kRecord - 3) r.push_back(static_cast<char>('a' + rng() % 26));
    r += "\"}\n";
    out.push_back(std::move(r));
  }
  return out;
}

void BM_EmbeddedPutObject(benchmark::State& state) {
  ScratchDir dir;
  auto store = s3::EmbeddedStore::open(dir.path() + "/s3");
  if (!store || !(*store)->create_bucket("bench")) return state.SkipWithError("store");
  std::string body;
  for (const auto& r : records(kObjectBytes / kRecord)) body += r;
  int n = 0;
  // Shared, as the engine hands over its buffer: what is timed is the store's write.
  auto shared = std::make_shared<const std::string>(body);
  for (auto _ : state) {
    std::promise<bool> done;
    s3::PutObjectRequest req;
    req.bucket = "bench";
    req.key = "object-" + std::to_string(n++);
    req.body = shared;
    (*store)->put_object(std::move(req), [&](Result<s3::ObjectInfo> r) { done.set_value(r.has_value()); });
    if (!done.get_future().get()) return state.SkipWithError("put_object failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_EmbeddedPutObject)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(8);

void BM_GzipAlone(benchmark::State& state) {
  std::string body;
  for (const auto& r : records(kObjectBytes / kRecord)) body += r;
  for (auto _ : state) {
    auto packed = compress(Compression::kGzip, body);
    benchmark::DoNotOptimize(packed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_GzipAlone)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(4);

// Appends kTotalBytes of `recs` (cycled) to shard 1 as PutRecordBatch
// appends them: one append per kBatch records, the last one smaller, all in
// flight at once. `on_ack` runs (on the log's thread) as each completes.
// Returns the number of appends.
uint64_t append_as_put_record_batch(storage::Log& log, const std::vector<std::string>& recs,
                                    std::function<void()> on_ack) {
  const uint64_t total_records = kTotalBytes / kRecord;
  const uint64_t batches = (total_records + kBatch - 1) / kBatch;
  for (uint64_t b = 0; b < batches; ++b) {
    storage::ShardAppend a;
    a.shard = 1;
    const uint64_t n = std::min<uint64_t>(kBatch, total_records - b * kBatch);
    for (uint64_t i = 0; i < n; ++i) a.records.push_back({"", recs[i]});
    log.append({std::move(a)}, [on_ack](Result<std::vector<storage::Appended>>) { on_ack(); });
  }
  return batches;
}

void BM_LogAppendAlone(benchmark::State& state) {
  const auto recs = records(kBatch);
  for (auto _ : state) {
    state.PauseTiming();
    ScratchDir dir;
    storage::LogOptions lo;
    lo.dir = dir.path() + "/log";
    auto log = storage::open_log(lo);
    if (!log) return state.SkipWithError("log");
    state.ResumeTiming();
    std::atomic<uint64_t> acked{0};
    const uint64_t batches = append_as_put_record_batch(**log, recs, [&] { acked.fetch_add(1); });
    while (acked.load() < batches) std::this_thread::sleep_for(std::chrono::microseconds(200));
    state.PauseTiming();
    (void)(*log)->close();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kTotalBytes));
}
BENCHMARK(BM_LogAppendAlone)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

StreamSpec bench_spec(bool gzip) {
  StreamSpec spec;
  auto& d = spec.description;
  d.delivery_stream_name = "bench";
  d.delivery_stream_arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/bench";
  d.delivery_stream_type = "DirectPut";
  d.delivery_stream_status = "ACTIVE";
  d.version_id = "1";
  api::DestinationDescription dest;
  dest.destination_id = "destinationId-000000000001";
  api::ExtendedS3DestinationDescription s3;
  s3.bucket_arn = "arn:aws:s3:::bench";
  s3.buffering_hints.size_in_m_bs = static_cast<int32_t>(kObjectBytes >> 20);
  s3.buffering_hints.interval_in_seconds = 900;
  s3.compression_format = gzip ? "GZIP" : "UNCOMPRESSED";
  dest.extended_s3_destination_description = s3;
  d.destinations.push_back(dest);
  spec.shard_key = 1;
  return spec;
}

void BM_Delivery(benchmark::State& state) {
  const bool gzip = state.range(0) == 1;
  const auto recs = records(kBatch);
  for (auto _ : state) {
    state.PauseTiming();
    Rig rig;
    if (!rig.open(state)) return;
    auto engine = std::make_unique<Engine>(rig.engine_options(), *rig.log, *rig.metadata, *rig.store);
    engine->configure(bench_spec(gzip));
    state.ResumeTiming();
    // Whole objects only (the last one is not left waiting for the
    // interval): 8 × 32 MiB of 1 KiB records.
    append_as_put_record_batch(*rig.log, recs, [&] { engine->records_durable("bench"); });
    const uint64_t last = kTotalBytes / kRecord;
    while (engine->stats("bench").value_or(DeliveryStats{}).delivered_through < last)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    state.PauseTiming();
    engine.reset();
    (void)rig.log->close();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kTotalBytes));
}
BENCHMARK(BM_Delivery)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

StreamSpec kinesis_sourced_spec() {
  StreamSpec spec = bench_spec(false);
  auto& d = spec.description;
  d.delivery_stream_type = "KinesisStreamAsSource";
  api::SourceDescription source;
  api::KinesisStreamSourceDescription k;
  k.kinesis_stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/src";
  k.delivery_start_timestamp = protocol::Timestamp{1};
  source.kinesis_stream_source_description = k;
  d.source = source;
  spec.shard_key = 0;
  return spec;
}

void BM_KinesisSource(benchmark::State& state) {
  const double rate_bytes_per_ms = static_cast<double>(state.range(0)) * 1e6 / 1e3;  // 0: unpaced
  const auto recs = records(kBatch);
  const uint64_t total_records = kTotalBytes / kRecord;
  double lag_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Rig rig;
    if (!rig.open(state)) return;
    streams::KinesisOptions ko;
    ko.throughput_limits = false;
    auto kinesis = std::make_unique<streams::KinesisService>(ko, *rig.log, *rig.metadata, std::string(32, 'k'));
    if (!kinesis->load()) return state.SkipWithError("kinesis");
    auto data_streams = std::make_unique<streams::DataStreams>(*kinesis);
    if (!data_streams->create_stream("src", 4, "us-east-1")) return state.SkipWithError("create_stream");
    auto engine =
        std::make_unique<Engine>(rig.engine_options(), *rig.log, *rig.metadata, *rig.store, data_streams.get());
    engine->configure(kinesis_sourced_spec());
    const uint64_t batches = (total_records + kBatch - 1) / kBatch;
    state.ResumeTiming();
    // PutRecords as a producer sends them: at most 16 in flight, paced.
    const auto start = std::chrono::steady_clock::now();
    std::atomic<uint64_t> acked{0}, failed{0};
    std::atomic<int> in_flight{0};
    for (uint64_t b = 0; b < batches; ++b) {
      if (rate_bytes_per_ms > 0) {
        const auto due = start + std::chrono::microseconds(static_cast<int64_t>(
                                     static_cast<double>(b * kBatch * kRecord) / rate_bytes_per_ms * 1000));
        std::this_thread::sleep_until(due);
      }
      while (in_flight.load() >= 16) std::this_thread::sleep_for(std::chrono::microseconds(50));
      std::vector<streams::PutEntry> entries;
      const uint64_t n = std::min<uint64_t>(kBatch, total_records - b * kBatch);
      for (uint64_t i = 0; i < n; ++i) entries.push_back({"key-" + std::to_string(b * kBatch + i), recs[i], {}});
      in_flight.fetch_add(1);
      data_streams->put_records("src", std::move(entries), [&, n](auto r) {
        if (!r) failed.fetch_add(1);
        acked.fetch_add(n);
        in_flight.fetch_sub(1);
      });
    }
    while (acked.load() < total_records) std::this_thread::sleep_for(std::chrono::microseconds(100));
    const auto last_put = std::chrono::steady_clock::now();
    while (engine->stats("bench").value_or(DeliveryStats{}).records < total_records)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lag_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - last_put).count();
    state.PauseTiming();
    if (failed.load() != 0) return state.SkipWithError("put_records failed");
    engine.reset();
    data_streams.reset();
    kinesis.reset();
    (void)rig.log->close();
    state.ResumeTiming();
  }
  state.counters["lag_ms"] = lag_ms;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kTotalBytes));
}
BENCHMARK(BM_KinesisSource)->Arg(100)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace runnel::firehose
