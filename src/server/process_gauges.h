#pragma once
// runnel's own internals read at scrape time (docs/prometheus.md): process
// memory and open connections by protocol. Each is a metrics::GaugeCallback;
// the callbacks run on the thread serving GET /metrics.
//
// GaugeSet removes its gauges when destroyed, so a callback never outlives
// what it reads: declare the set after the objects its callbacks read.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/registry.h"
#include "net/server.h"
#include "storage/log.h"

namespace runnel::server {

class GaugeSet {
 public:
  explicit GaugeSet(metrics::Registry& registry) : registry_(registry) {}
  ~GaugeSet();
  GaugeSet(const GaugeSet&) = delete;
  GaugeSet& operator=(const GaugeSet&) = delete;

  void add(std::string name, std::string help, std::vector<std::pair<std::string, std::string>> labels,
           std::function<double()> value);

 private:
  metrics::Registry& registry_;
  std::vector<int> ids_;
};

// runnel_process_resident_memory_bytes (/proc/self/statm) and
// runnel_heap_in_use_bytes (glibc mallinfo2: bytes of allocated chunks).
void add_memory_gauges(GaugeSet& gauges);
// runnel_build_info{version} (always 1), runnel_process_start_time_seconds,
// and runnel_data_dir_bytes: the bytes of every file below `data_dir`,
// walked at most once every 10 s (a scrape between reuses the last walk).
void add_process_gauges(GaugeSet& gauges, std::string version, int64_t started_at_ms, std::string data_dir);
// The bytes of the regular files below `dir` (0 when it cannot be read).
uint64_t directory_bytes(const std::string& dir);
// runnel_open_connections{protocol, tls}: from Server::stats(); `server`
// must outlive the gauges.
void add_connection_gauges(GaugeSet& gauges, const net::Server& server);

// The log's histograms, for LogOptions::metrics: runnel_log_fdatasync_milliseconds
// and runnel_log_group_commit_records (CloudWatch namespace "runnel",
// FdatasyncLatency and GroupCommitRecords).
storage::LogMetrics make_log_metrics(metrics::Registry& registry);
// runnel_log_segments and runnel_log_bytes from Log::usage(); `log` must
// outlive the gauges.
void add_log_gauges(GaugeSet& gauges, storage::Log& log);

// Resident set size of this process in bytes (0 if /proc is unreadable).
double resident_memory_bytes();
// Bytes in use in glibc's heap (malloc'ed and not freed).
double heap_in_use_bytes();

}  // namespace runnel::server
