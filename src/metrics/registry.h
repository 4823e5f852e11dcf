#pragma once
// Registry: every metric series recorded in this process, by (metric,
// unit). Callers get a Series handle once and record through it (see
// series.h); the flusher takes the unflushed deltas from here; the
// Prometheus page reads every series' totals and the gauge callbacks.
//
// Thread-safe: every method may be called from any thread. series() and
// drop() take the registry's mutex (not the hot path); recording does not.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "metrics/series.h"

namespace runnel::metrics {

// A value read at scrape time (memory in use, open connections ...).
struct GaugeCallback {
  std::string name;  // Prometheus family name
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;  // (label name, value)
  std::function<double()> value;                            // called on the scraping thread
};

class Registry {
 public:
  explicit Registry(Clock clock = system_clock());
  ~Registry();  // handles still held stop queueing; their values are discarded
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The series of (id, unit), created on first call with `options`. Later
  // calls return the same handle; their options only upgrade it to high
  // resolution (the Prometheus descriptor of the first call stays).
  std::shared_ptr<Series> series(const MetricId& id, Unit unit, const SeriesOptions& options = {});
  // The series of (id, unit) if it exists.
  std::shared_ptr<Series> find(const MetricId& id, Unit unit) const;
  // Forgets a series (its stream was deleted): values recorded before are
  // still flushed (the store keeps them for their retention); values
  // recorded through the handle afterwards are discarded. A later series()
  // for the same identity makes a new series.
  void drop(const std::shared_ptr<Series>& series);
  size_t size() const;
  // Forgets the series that nobody else holds a handle to, that have no
  // unflushed values and no Prometheus descriptor (custom metrics a
  // PutMetricData made; series() makes them again when needed). Their
  // values are in the store already. Returns how many went. The flusher
  // calls it about hourly, so memory follows the metrics in use, not every
  // metric ever put.
  size_t evict_unreferenced();

  TimePoint now() const;
  const Clock& clock() const;

  // Flusher side: every series that received values since the last take,
  // with those values (the series keep none of them).
  struct Delta {
    std::shared_ptr<Series> series;
    std::vector<PendingSlot> slots;
  };
  std::vector<Delta> take_deltas();
  // Gives back deltas the store could not write, to be retried next flush.
  void restore_deltas(std::vector<Delta> deltas);

  // Prometheus side: the live series that have a descriptor, and the gauge
  // callbacks. add_gauge returns an id for remove_gauge.
  std::vector<std::shared_ptr<Series>> prometheus_series() const;
  int add_gauge(GaugeCallback gauge);
  void remove_gauge(int id);
  std::vector<GaugeCallback> gauges() const;

 private:
  struct Lookup {
    std::string_view key;
    Unit unit;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(const Lookup& k) const noexcept;
    size_t operator()(const std::shared_ptr<Series>& s) const noexcept { return (*this)(Lookup{s->key(), s->unit()}); }
  };
  struct Equal {
    using is_transparent = void;
    static Lookup of(const Lookup& k) { return k; }
    static Lookup of(const std::shared_ptr<Series>& s) { return Lookup{s->key(), s->unit()}; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      Lookup x = of(a);
      Lookup y = of(b);
      return x.unit == y.unit && x.key == y.key;
    }
  };

  std::shared_ptr<detail::RegistryShared> shared_;
  mutable Mutex mu_;
  std::unordered_set<std::shared_ptr<Series>, Hash, Equal> series_ GUARDED_BY(mu_);
  std::vector<std::pair<int, GaugeCallback>> gauges_ GUARDED_BY(mu_);
  int next_gauge_ GUARDED_BY(mu_) = 1;
};

}  // namespace runnel::metrics
