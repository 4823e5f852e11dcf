#pragma once
// MetricStore: the durable time series of every metric, in SQLite (WAL).
// The flusher writes the registry's deltas here in one transaction per
// flush, merged at write time into rows of 60, 300 and 3600 seconds (and 1
// second for high-resolution series); retention deletes rows by age. The
// CloudWatch handlers query it. Schema and blob formats:
// docs/metrics-store.md.
//
// Durability: write() returns OK once its transaction committed (WAL,
// synchronous=NORMAL): it survives a kill -9 of the process; a power loss
// may take back the last transactions, whole. A transaction holds deltas,
// never totals, and a delta is written once, so nothing is counted twice.
//
// Threads: write() and apply_retention() are the flusher's (one writer
// connection, its own mutex); statistics() and list_metrics() may be called
// from any thread at the same time (one reader connection, serialised by
// its mutex; WAL lets it read while the writer writes). Values not yet
// flushed are not visible to queries (at most one flush interval).

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "metrics/aggregate.h"
#include "metrics/metric_id.h"
#include "metrics/query_plan.h"
#include "metrics/registry.h"
#include "metrics/unit.h"

struct sqlite3;

namespace runnel::metrics {

struct StoreOptions {
  std::string path;  // the database file; its directory must exist
  Clock clock = system_clock();
  // SQLite's page cache, per connection (two connections).
  int64_t cache_kib = 4096;
};

// One period of a statistics answer.
struct Datapoint {
  TimePoint timestamp;  // the period's start
  Unit unit;
  Aggregate aggregate;
};

struct DimensionFilter {
  std::string name;
  std::optional<std::string> value;  // none: any value
};

struct ListMetricsQuery {
  std::optional<std::string> ns;
  std::optional<std::string> metric_name;
  std::vector<DimensionFilter> dimensions;  // the metric must have each
  bool recently_active = false;             // data in the past 3 hours only
  std::string next_token;                   // from the previous page; empty: first page
  size_t page_size = 500;
};

struct ListMetricsPage {
  std::vector<MetricId> metrics;  // sorted by (namespace, name, dimensions)
  std::string next_token;         // empty: no more pages
};

class MetricStore {
 public:
  // Opens or creates the store and deletes rows past their retention.
  static Result<std::unique_ptr<MetricStore>> open(StoreOptions options);
  ~MetricStore();
  MetricStore(const MetricStore&) = delete;
  MetricStore& operator=(const MetricStore&) = delete;

  // Adds the deltas to their rows, in one transaction (flusher thread).
  // On an error nothing was written and the deltas are unchanged (the
  // flusher gives them back to the registry).
  Status write(std::vector<Registry::Delta>& deltas);
  // Deletes rows older than their tier's retention at `now`. Returns how
  // many rows went.
  Result<int64_t> apply_retention(TimePoint now);

  // The periods in [start, end) that have data, in time order (and by unit
  // within a period). Without a unit filter each unit the metric was
  // recorded with has its own datapoints (CloudWatch returns each with its
  // unit); with one, only that unit's.
  // `max_datapoints` bounds the periods asked for (query_plan.h).
  std::expected<std::vector<Datapoint>, QueryError> statistics(const MetricId& metric, std::optional<Unit> unit,
                                                               TimePoint start, TimePoint end, int64_t period_seconds,
                                                               int64_t max_datapoints = kMaxDatapoints);
  // ListMetrics: metrics with data in the past two weeks (3 hours when
  // recently_active), filtered and paged. A malformed token is an error.
  Result<ListMetricsPage> list_metrics(const ListMetricsQuery& query);

  TimePoint now() const { return clock_(); }

 private:
  MetricStore(sqlite3* writer, sqlite3* reader, Clock clock)
      : writer_(writer), reader_(reader), clock_(std::move(clock)) {}
  Result<int64_t> series_id(Series& s, int64_t now) REQUIRES(write_mu_);

  // Each connection is used only with its mutex held. The pointers never
  // change; GUARDED_BY rather than PT_GUARDED_BY so that every use is
  // checked (the sqlite3 calls take them by value).
  Mutex write_mu_;
  sqlite3* const writer_ GUARDED_BY(write_mu_);
  Mutex read_mu_;
  sqlite3* const reader_ GUARDED_BY(read_mu_);
  Clock clock_;
};

}  // namespace runnel::metrics
