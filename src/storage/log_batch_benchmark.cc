// Micro-benchmarks of the log as one PutRecords caller and one GetRecords
// caller see it, through the public storage::Log interface (open_log), so
// they keep measuring while LocalLog's internals change.
//
// log_benchmark.cc beside this file measures group-commit throughput with
// several appends in flight and reads from a 25 K-record shard; this file
// adds:
//  - the cost of ONE PutRecords-sized append (500 records x 100 B across 16
//    shards) issued and waited for alone, with FsyncPolicy::kNever (the CPU
//    path: serialise, CRC, write(2), index publish, callback hand-off) and
//    kAlways (the same plus one fdatasync, i.e. the storage share of a
//    PutRecords call's latency), beside the in-run baseline of building the
//    batch alone;
//  - GetRecords-sized reads (100 records) at random positions of a shard of
//    1 M records, beside sequential reads (each continuing where the last
//    stopped) of the same shard as the baseline.
// Set RUNNEL_BENCH_DIR to put the log on a chosen file system (default: the
// system temp directory); fsync figures mean nothing on tmpfs.
#include <benchmark/benchmark.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "storage/log.h"

namespace runnel::storage {
namespace {

constexpr int kBatchRecords = 500;
constexpr size_t kRecordBytes = 100;
constexpr int kBatchShards = 16;

std::string make_dir() {
  const char* base = std::getenv("RUNNEL_BENCH_DIR");
  std::string tmpl =
      ((base != nullptr && *base != '\0') ? std::filesystem::path(base) : std::filesystem::temp_directory_path()) /
      "runnel-logbench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

std::unique_ptr<Log> open_or_die(const std::string& dir, FsyncPolicy fsync) {
  LogOptions o;
  o.dir = dir;
  o.fsync = fsync;
  auto log = open_log(o);
  if (!log) std::abort();
  return std::move(*log);
}

// One PutRecords call after routing: 500 records spread round-robin over 16
// shards (keys 1..16), grouped per shard as the service hands them over.
std::vector<ShardAppend> put_records_batch() {
  std::vector<ShardAppend> out(kBatchShards);
  for (int s = 0; s < kBatchShards; ++s) out[static_cast<size_t>(s)].shard = static_cast<ShardKey>(s + 1);
  for (int i = 0; i < kBatchRecords; ++i) {
    out[static_cast<size_t>(i % kBatchShards)].records.push_back(
        {"partition-key-" + std::to_string(i * 7919), std::string(kRecordBytes, static_cast<char>('a' + i % 26))});
  }
  return out;
}

// Waits for an append's callback, which runs on the log's sync thread
// (fsync=always) or its writer thread (otherwise).
class Completion {
 public:
  Log::AppendDone callback() {
    return [this](Result<std::vector<Appended>> r) {
      std::lock_guard lock(mu_);
      ok_ = r.has_value();
      done_ = true;
      cv_.notify_one();
    };
  }
  bool wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    done_ = false;
    return ok_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool ok_ = false;
};

// Baseline: copying the template batch, which every BM_LogAppendOneBatch
// iteration also does (append() takes its records by value).
void BM_LogBatchCopy(benchmark::State& state) {
  const auto batch = put_records_batch();
  for (auto _ : state) {
    auto copy = batch;
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations() * kBatchRecords);
  state.SetBytesProcessed(state.iterations() * kBatchRecords * static_cast<int64_t>(kRecordBytes));
}
BENCHMARK(BM_LogBatchCopy);

// One append in flight at a time: the latency of a single PutRecords'
// storage step, not the log's throughput (log_benchmark.cc's BM_Append is).
// Wall-clock time, since the work runs on the writer thread.
void BM_LogAppendOneBatch(benchmark::State& state) {
  const auto policy = static_cast<FsyncPolicy>(state.range(0));
  const std::string dir = make_dir();
  auto log = open_or_die(dir, policy);
  const auto batch = put_records_batch();
  Completion completion;
  for (auto _ : state) {
    log->append(batch, completion.callback());
    if (!completion.wait()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  if (!log->close()) state.SkipWithError("close failed");
  log.reset();
  std::filesystem::remove_all(dir);
  state.SetLabel(policy == FsyncPolicy::kAlways ? "fsync=always: write + fdatasync per call"
                                                : "fsync=never: CPU path, no fdatasync");
  state.SetItemsProcessed(state.iterations() * kBatchRecords);
  state.SetBytesProcessed(state.iterations() * kBatchRecords * static_cast<int64_t>(kRecordBytes));
}
BENCHMARK(BM_LogAppendOneBatch)
    ->ArgName("fsync")
    ->Arg(static_cast<int>(FsyncPolicy::kNever))
    ->Arg(static_cast<int>(FsyncPolicy::kAlways))
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// A log whose shard 1 holds 1 M records of 100 B, written once (on first use)
// for all read benchmarks of the run and deleted at exit.
struct MillionRecordShard {
  static constexpr ShardKey kShard = 1;
  static constexpr uint64_t kRecords = 1'000'000;
  std::string dir = make_dir();
  std::unique_ptr<Log> log;
  double setup_seconds = 0;

  MillionRecordShard() {
    const auto start = std::chrono::steady_clock::now();
    log = open_or_die(dir, FsyncPolicy::kNever);
    std::vector<AppendRecord> records;
    for (int i = 0; i < kBatchRecords; ++i) {
      records.push_back({"partition-key-" + std::to_string(i * 7919), std::string(kRecordBytes, 'r')});
    }
    // Appends are pipelined (up to kWindow outstanding) so that set-up takes
    // seconds, not one writer round trip per batch.
    constexpr int kWindow = 16;
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    bool failed = false;
    for (uint64_t n = 0; n < kRecords; n += kBatchRecords) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return in_flight < kWindow; });
        ++in_flight;
      }
      log->append({ShardAppend{kShard, records}}, [&](Result<std::vector<Appended>> r) {
        std::lock_guard lock(mu);
        failed |= !r.has_value();
        --in_flight;
        cv.notify_one();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
    if (failed || log->tail(kShard).last_counter != kRecords) std::abort();
    setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  ~MillionRecordShard() {
    (void)log->close();
    log.reset();
    std::filesystem::remove_all(dir);
  }
};

MillionRecordShard& million_record_shard() {
  static MillionRecordShard shard;
  return shard;
}

// GetRecords with Limit=100 at a uniformly random position: one index
// binary search, then a pread of the index entry's span and a walk to the
// wanted counter.
void BM_LogReadRandom(benchmark::State& state) {
  auto& f = million_record_shard();
  const auto limit = static_cast<uint32_t>(state.range(0));
  std::mt19937_64 rng(7);
  int64_t records = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const uint64_t from = 1 + rng() % (MillionRecordShard::kRecords - limit + 1);
    auto r = f.log->read(MillionRecordShard::kShard, from, limit, UINT64_MAX, INT64_MIN);
    if (!r || r->records.size() != limit || r->records.front().counter != from) {
      state.SkipWithError("read returned the wrong records");
      break;
    }
    records += static_cast<int64_t>(r->records.size());
    for (const auto& rec : r->records) bytes += static_cast<int64_t>(rec.data.size());
    benchmark::DoNotOptimize(r);
  }
  state.counters["setup_s"] = f.setup_seconds;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_LogReadRandom)->ArgName("limit")->Arg(100)->Unit(benchmark::kMicrosecond);

// Baseline for BM_LogReadRandom: the same reads, each starting at the
// previous one's next_counter, as a consumer that keeps up does.
void BM_LogReadSequential(benchmark::State& state) {
  auto& f = million_record_shard();
  const auto limit = static_cast<uint32_t>(state.range(0));
  uint64_t from = 1;
  int64_t records = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    if (from + limit > MillionRecordShard::kRecords + 1) from = 1;
    auto r = f.log->read(MillionRecordShard::kShard, from, limit, UINT64_MAX, INT64_MIN);
    if (!r || r->records.size() != limit || r->records.front().counter != from) {
      state.SkipWithError("read returned the wrong records");
      break;
    }
    from = r->next_counter;
    records += static_cast<int64_t>(r->records.size());
    for (const auto& rec : r->records) bytes += static_cast<int64_t>(rec.data.size());
    benchmark::DoNotOptimize(r);
  }
  state.counters["setup_s"] = f.setup_seconds;
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_LogReadSequential)->ArgName("limit")->Arg(100)->Unit(benchmark::kMicrosecond);

// Baseline for the reads: copying one default index span (LogOptions::
// index_span_bytes, 256 KiB), the most a read of one index entry preads.
void BM_LogSpanMemcpy(benchmark::State& state) {
  const std::string src(LogOptions{}.index_span_bytes, 's');
  std::string dst(src.size(), '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * src.size()));
}
BENCHMARK(BM_LogSpanMemcpy)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace runnel::storage
