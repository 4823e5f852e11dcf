#pragma once
// Metrics: the registry, the store and the flusher thread that moves the
// registry's deltas into the store, as one object for the server to own.
//
// Threads: one flusher thread (started by open(), stopped by close()) takes
// the deltas every flush_interval_ms and writes them in one transaction;
// about once per retention_interval_s (by the injected clock) and at open it
// deletes rows past their retention and evicts the registry's series that
// nobody holds (Registry::evict_unreferenced). Recording (registry().series(...)
// handles) and queries (store()) may run on any thread meanwhile.
//
// Durability: values recorded before a flush returned OK survive kill -9;
// values recorded after the last flush are lost then (at most one flush
// interval); nothing is ever counted twice (each delta is written once).

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/status.h"
#include "metrics/registry.h"
#include "metrics/store.h"

namespace runnel::metrics {

struct MetricsOptions {
  std::string path;  // the SQLite database file
  int64_t flush_interval_ms = 1000;
  int64_t retention_interval_s = 3600;
  int64_t cache_kib = 4096;  // SQLite page cache per connection (two)
  Clock clock = system_clock();
};

class Metrics {
 public:
  static Result<std::unique_ptr<Metrics>> open(MetricsOptions options);
  ~Metrics();  // close()
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  Registry& registry() { return registry_; }
  MetricStore& store() { return *store_; }

  // Writes what was recorded so far now, on the calling thread (any
  // thread; serialised with the flusher). OK: it is durable. On an error
  // the values stay in memory for the next flush.
  Status flush() EXCLUDES(flush_mu_);
  // A final flush, then stops the flusher. Idempotent.
  void close() EXCLUDES(mu_, flush_mu_);

 private:
  Metrics(MetricsOptions options, std::unique_ptr<MetricStore> store);
  void run() EXCLUDES(mu_, flush_mu_);

  const MetricsOptions options_;
  Registry registry_;
  std::unique_ptr<MetricStore> store_;
  Mutex flush_mu_;  // one flush at a time
  int64_t last_retention_ GUARDED_BY(flush_mu_) = 0;

  Mutex mu_;
  CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace runnel::metrics
