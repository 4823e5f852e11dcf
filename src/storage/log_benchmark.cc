// Micro-benchmarks of the log: group-commit append throughput under each
// fsync policy, reads, index lookups, CRC32C.
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>

#include "storage/crc32c.h"
#include "storage/local_log.h"

namespace runnel::storage {
namespace {

std::string make_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "runnel-bench-XXXXXX").string();
  return ::mkdtemp(tmpl.data());
}

std::vector<ShardAppend> make_put(int shards, int records, size_t bytes, uint64_t salt) {
  std::vector<ShardAppend> out;
  for (int i = 0; i < records; ++i) {
    const ShardKey shard = (salt + i) % shards;
    if (out.empty() || out.back().shard != shard) out.push_back(ShardAppend{shard, {}});
    out.back().records.push_back({"partition-key-" + std::to_string(i), std::string(bytes, 'x')});
  }
  return out;
}

// Each benchmark thread keeps `kInFlight` PutRecords-sized appends
// outstanding, as many connections would; the log's writer group-commits
// whatever is queued while the previous fdatasync runs.
void BM_Append(benchmark::State& state) {
  static std::unique_ptr<LocalLog> log;
  static std::string dir;
  const auto policy = static_cast<FsyncPolicy>(state.range(0));
  const int records_per_call = static_cast<int>(state.range(1));
  constexpr int kInFlight = 8;
  if (state.thread_index() == 0) {
    dir = make_dir();
    LogOptions o;
    o.dir = dir;
    o.fsync = policy;
    log = std::move(*LocalLog::open(o, nullptr));
  }
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  uint64_t salt = static_cast<uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    log->append(make_put(64, records_per_call, 100, ++salt), [&](Result<std::vector<Appended>> r) {
      if (!r) std::abort();
      std::lock_guard lock(mu);
      --in_flight;
      cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  state.SetItemsProcessed(state.iterations() * records_per_call);
  state.SetBytesProcessed(state.iterations() * records_per_call * 100);
  if (state.thread_index() == 0) {
    auto s = log->stats();
    state.counters["records_per_commit"] =
        static_cast<double>(s.records) / static_cast<double>(std::max<uint64_t>(s.commits, 1));
    (void)log->close();
    log.reset();
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_Append)
    ->ArgsProduct({{static_cast<int>(FsyncPolicy::kAlways), static_cast<int>(FsyncPolicy::kNever)}, {1, 100, 500}})
    ->Threads(2)
    ->UseRealTime();

struct ReadFixture {
  std::string dir = make_dir();
  std::unique_ptr<LocalLog> log;
  uint64_t records = 0;
  ReadFixture() {
    LogOptions o;
    o.dir = dir;
    o.fsync = FsyncPolicy::kNever;
    log = std::move(*LocalLog::open(o, nullptr));
    for (int i = 0; i < 2000; ++i) {
      std::promise<void> p;
      log->append(make_put(16, 200, 100, i), [&](auto) { p.set_value(); });
      p.get_future().wait();
    }
    records = log->tail(0).last_counter;
  }
  ~ReadFixture() {
    (void)log->close();
    std::filesystem::remove_all(dir);
  }
};

ReadFixture& read_fixture() {
  static ReadFixture f;
  return f;
}

void BM_Read(benchmark::State& state) {
  auto& f = read_fixture();
  std::mt19937_64 rng(1);
  const auto batch = static_cast<uint32_t>(state.range(0));
  uint64_t n = 0;
  for (auto _ : state) {
    auto r = f.log->read(0, 1 + rng() % f.records, batch, UINT64_MAX, INT64_MIN);
    n += r->records.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["index_entries"] = static_cast<double>(f.log->stats().index_entries);
}
BENCHMARK(BM_Read)->Arg(1)->Arg(100)->Arg(10000);

void BM_CounterAtTime(benchmark::State& state) {
  auto& f = read_fixture();
  const int64_t base = f.log->tail(0).last_arrival_ms;
  std::mt19937_64 rng(2);
  for (auto _ : state) benchmark::DoNotOptimize(f.log->counter_at_time(0, base - static_cast<int64_t>(rng() % 1000)));
}
BENCHMARK(BM_CounterAtTime);

void BM_Crc32c(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'z');
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::value(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(100)->Arg(64 << 10);

}  // namespace
}  // namespace runnel::storage
