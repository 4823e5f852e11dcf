#pragma once
// Series: the recording handle of one (metric, unit). The Registry hands it
// out once (say when a stream is created); recording through it is the hot
// path: no string is built and no map is searched, one small per-series
// mutex is taken for a few additions.
//
// A series keeps in memory only what has not been flushed yet (one
// Aggregate per minute, or per second for a high-resolution series, that
// received values since the last flush) and its cumulative totals since
// process start for the Prometheus page. The flusher (metrics/flusher.h)
// moves the unflushed deltas to the store.
//
// Thread-safe: every method may be called from any thread. A handle stays
// valid after the Registry dropped the series or was destroyed (values
// recorded then are discarded).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "metrics/aggregate.h"
#include "metrics/metric_id.h"
#include "metrics/prometheus_descriptor.h"
#include "metrics/unit.h"

namespace runnel::metrics {

using TimePoint = std::chrono::system_clock::time_point;
// The time source; tests inject their own so they need not sleep.
using Clock = std::function<TimePoint()>;
Clock system_clock();

// Seconds since the Unix epoch of `t`, rounded down.
int64_t unix_seconds(TimePoint t);

struct SeriesOptions {
  // PutMetricData's StorageResolution=1: keep 1-second rows (for 3 hours)
  // besides the 60-second ones.
  bool high_resolution = false;
  // How the series appears on /metrics; none: not shown.
  std::shared_ptr<const PrometheusDescriptor> prometheus;
};

// The unflushed aggregate of one period (60 s; 1 s for high resolution)
// starting at `start` (Unix seconds).
struct PendingSlot {
  int64_t start = 0;
  bool high_resolution = false;  // a 1-second slot
  Aggregate aggregate;
};

// Cumulative since process start (not restored after a restart: Prometheus
// counters handle resets).
struct SeriesTotals {
  double count = 0;
  double sum = 0;
  double last = 0;                // the last value recorded (gauges)
  std::vector<uint64_t> buckets;  // per descriptor bound, then +Inf; not cumulative
};

namespace detail {
struct RegistryShared;
}

class Series : public std::enable_shared_from_this<Series> {
 public:
  struct Token {};  // only the Registry makes series
  Series(Token, std::shared_ptr<detail::RegistryShared> shared, std::string key, Unit unit, SeriesOptions options);

  // `count` values equal to `value`, now (by the registry's clock). Non-finite
  // values are ignored (the API layer rejects them first).
  void record(double value, double count = 1) EXCLUDES(mu_);
  // The same, at `t` (PutMetricData accepts two weeks back, two hours ahead;
  // the API layer checks that range, the series takes any time).
  void record_at(TimePoint t, double value, double count = 1) EXCLUDES(mu_);
  // A statistic set (PutMetricData's StatisticValues).
  void record_statistics(const StatisticSet& s) EXCLUDES(mu_);
  void record_statistics_at(TimePoint t, const StatisticSet& s) EXCLUDES(mu_);

  // Identity. key() is MetricId::key().
  const std::string& key() const { return key_; }
  MetricId id() const;
  Unit unit() const { return unit_; }
  bool high_resolution() const EXCLUDES(mu_);
  // From now on, keep 1-second rows too (a PutMetricData with
  // StorageResolution=1 for an existing series).
  void set_high_resolution() EXCLUDES(mu_);
  const PrometheusDescriptor* prometheus() const { return prometheus_.get(); }
  bool dropped() const EXCLUDES(mu_);
  SeriesTotals totals() const EXCLUDES(mu_);

  // Flusher side (metrics/flusher.cc): take the unflushed slots (leaving
  // none), or give back slots a failed write could not store.
  std::vector<PendingSlot> take_pending() EXCLUDES(mu_);
  void restore_pending(std::vector<PendingSlot> slots) EXCLUDES(mu_);
  // The store's row id of this series, 0 until the flusher resolved it.
  // Touched by the flusher thread only, as is store_last_seen (the last
  // `series.last_seen` written, Unix seconds).
  int64_t store_id = 0;
  int64_t store_last_seen = 0;

 private:
  friend class Registry;
  // Runs f on the slot of `t` with mu_ held (f: a lambda REQUIRES(mu_)).
  template <class F>
  void apply(TimePoint t, F&& f) EXCLUDES(mu_);
  Aggregate& slot_for(int64_t start, bool high_resolution) REQUIRES(mu_);
  // Takes the registry's mutex (inside mu_).
  void mark_dirty() REQUIRES(mu_);
  void update_totals(double value, double count) REQUIRES(mu_);

  const std::shared_ptr<detail::RegistryShared> shared_;
  const std::string key_;
  const Unit unit_;
  const std::shared_ptr<const PrometheusDescriptor> prometheus_;

  mutable Mutex mu_;
  bool high_resolution_ GUARDED_BY(mu_) = false;
  bool dropped_ GUARDED_BY(mu_) = false;
  bool queued_ GUARDED_BY(mu_) = false;  // in the registry's dirty list
  std::vector<PendingSlot> pending_ GUARDED_BY(mu_);
  double total_count_ GUARDED_BY(mu_) = 0;
  double total_sum_ GUARDED_BY(mu_) = 0;
  double last_ GUARDED_BY(mu_) = 0;
  // Histograms only: bounds.size() + 1 counts. Set by the constructor.
  std::unique_ptr<uint64_t[]> buckets_ GUARDED_BY(mu_);
};

}  // namespace runnel::metrics
