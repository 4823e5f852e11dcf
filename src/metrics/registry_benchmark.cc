// record() on the hot path: one thread, several threads on one series
// (contended), several threads on their own series; and what one flush of
// N active series costs the flusher thread.

#include <benchmark/benchmark.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <random>
#include <string>

#include "metrics/metrics.h"
#include "metrics/registry.h"

namespace runnel::metrics {
namespace {

MetricId bench_metric(int i) {
  return *MetricId::make("AWS/Kinesis", "IncomingBytes", {{"StreamName", "s" + std::to_string(i)}});
}

void BM_RecordSingleThread(benchmark::State& state) {
  Registry registry;
  auto s = registry.series(bench_metric(0), Unit::kBytes);
  double v = 1;
  for (auto _ : state) {
    s->record(v);
    v = v < 1e6 ? v * 1.7 : 1;  // spread over histogram buckets
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordSingleThread);

Registry* g_registry = nullptr;
std::shared_ptr<Series> g_shared;

void BM_RecordContended(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_registry = new Registry();
    g_shared = g_registry->series(bench_metric(0), Unit::kBytes);
  }
  // Google Benchmark starts the timed loops of all threads together, after
  // thread 0's setup above.
  double v = 1 + state.thread_index();
  for (auto _ : state) g_shared->record(v);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_shared.reset();
    delete g_registry;
  }
}
BENCHMARK(BM_RecordContended)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void BM_RecordOwnSeries(benchmark::State& state) {
  static Registry registry;
  auto s = registry.series(bench_metric(100 + state.thread_index()), Unit::kBytes);
  double v = 1;
  for (auto _ : state) s->record(v);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordOwnSeries)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void BM_RecordWithTimestamp(benchmark::State& state) {
  Registry registry;
  auto s = registry.series(bench_metric(0), Unit::kBytes);
  TimePoint t = std::chrono::system_clock::now();
  for (auto _ : state) s->record_at(t, 512, 3);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordWithTimestamp);

// One flush (one transaction) of N series that each received values in the
// current minute: what the flusher thread spends per flush interval.
void BM_FlushActiveSeries(benchmark::State& state) {
  std::string dir = std::filesystem::temp_directory_path() / ("metrics_bench_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  MetricsOptions o;
  o.path = dir + "/metrics.db";
  o.flush_interval_ms = 3'600'000;
  auto m = Metrics::open(o);
  if (!m) {
    state.SkipWithError("cannot open the store");
    return;
  }
  std::vector<std::shared_ptr<Series>> series;
  for (int i = 0; i < state.range(0); ++i) series.push_back((*m)->registry().series(bench_metric(i), Unit::kBytes));
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& s : series) s->record(1000);
    state.ResumeTiming();
    if (!(*m)->flush().is_ok()) state.SkipWithError("flush failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  m->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FlushActiveSeries)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Four hours of 1,000 series each getting 60 lognormal values a minute,
// flushed once a minute (clock injected): the flusher's cost per flush
// once the 5-minute and hour rows hold rich histograms, and the disk each
// series-day takes (counter bytes_per_series_day).
void BM_FlushLognormalMinutes(benchmark::State& state) {
  std::string dir = std::filesystem::temp_directory_path() / ("metrics_bench_ln_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto now = std::make_shared<std::atomic<int64_t>>(1'700'006'400);
  MetricsOptions o;
  o.path = dir + "/metrics.db";
  o.flush_interval_ms = 3'600'000;
  o.clock = [now] { return TimePoint(std::chrono::seconds(now->load())); };
  auto m = Metrics::open(o);
  if (!m) {
    state.SkipWithError("cannot open the store");
    return;
  }
  constexpr int kSeries = 1000;
  std::vector<std::shared_ptr<Series>> series;
  for (int i = 0; i < kSeries; ++i) {
    series.push_back((*m)->registry().series(
        *MetricId::make("AWS/Kinesis", "PutRecord.Latency",
                        {{"StreamName", "stream-" + std::to_string(i)}, {"ShardId", "shardId-000000000001"}}),
        Unit::kMilliseconds));
  }
  std::mt19937 rng(1);
  std::lognormal_distribution<double> latency(3, 1);
  for (auto _ : state) {
    state.PauseTiming();
    for (int k = 0; k < 60; ++k) {
      for (auto& s : series) s->record(latency(rng));
    }
    state.ResumeTiming();
    if (!(*m)->flush().is_ok()) state.SkipWithError("flush failed");
    *now += 60;
  }
  (*m)->close();
  double days = static_cast<double>(state.iterations()) / 1440;
  state.counters["bytes_per_series_day"] = static_cast<double>(std::filesystem::file_size(o.path)) / kSeries / days;
  m->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FlushLognormalMinutes)->Iterations(240)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace runnel::metrics
