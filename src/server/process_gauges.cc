#include "server/process_gauges.h"

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "common/mutex.h"

namespace runnel::server {

GaugeSet::~GaugeSet() {
  for (int id : ids_) registry_.remove_gauge(id);
}

void GaugeSet::add(std::string name, std::string help, std::vector<std::pair<std::string, std::string>> labels,
                   std::function<double()> value) {
  ids_.push_back(registry_.add_gauge(
      metrics::GaugeCallback{std::move(name), std::move(help), std::move(labels), std::move(value)}));
}

double resident_memory_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double heap_in_use_bytes() {
  struct mallinfo2 mi = ::mallinfo2();
  return static_cast<double>(mi.uordblks + mi.hblkhd);
}

void add_memory_gauges(GaugeSet& gauges) {
  gauges.add("runnel_process_resident_memory_bytes", "Resident set size of the runnel process (/proc/self/statm).", {},
             resident_memory_bytes);
  gauges.add("runnel_heap_in_use_bytes",
             "Bytes allocated with malloc and not freed (glibc mallinfo2: uordblks + hblkhd).", {}, heap_in_use_bytes);
}

uint64_t directory_bytes(const std::string& dir) {
  namespace fs = std::filesystem;
  uint64_t total = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  // Files come and go while the walk runs (segments roll, objects are
  // written): an entry that vanished is skipped, not an error.
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

void add_process_gauges(GaugeSet& gauges, std::string version, int64_t started_at_ms, std::string data_dir) {
  gauges.add("runnel_build_info", "The runnel build serving (the value is always 1).", {{"version", version}},
             [] { return 1.0; });
  gauges.add("runnel_process_start_time_seconds", "When the server started, in seconds since the Unix epoch.", {},
             [started_at_ms] { return static_cast<double>(started_at_ms) / 1000.0; });
  struct Cached {
    Mutex mu;
    std::chrono::steady_clock::time_point at GUARDED_BY(mu){};
    double bytes GUARDED_BY(mu) = 0;
  };
  auto cached = std::make_shared<Cached>();
  gauges.add(
      "runnel_data_dir_bytes",
      "Bytes of the files in the data directory (log, metadata, metrics, objects); walked at most every 10 s.", {},
      [cached, dir = std::move(data_dir)] {
        MutexLock lock(cached->mu);
        auto now = std::chrono::steady_clock::now();
        if (cached->at == std::chrono::steady_clock::time_point{} || now - cached->at >= std::chrono::seconds(10)) {
          cached->bytes = static_cast<double>(directory_bytes(dir));
          cached->at = now;
        }
        return cached->bytes;
      });
}

storage::LogMetrics make_log_metrics(metrics::Registry& registry) {
  auto histogram = [&](std::string name, std::string family, std::string help, metrics::Unit unit,
                       std::vector<double> bounds) -> std::shared_ptr<metrics::Series> {
    auto d = std::make_shared<metrics::PrometheusDescriptor>();
    d->name = std::move(family);
    d->help = std::move(help);
    d->kind = metrics::PrometheusKind::kHistogram;
    d->bounds = std::move(bounds);
    auto id = metrics::MetricId::make("runnel", std::move(name), {});
    if (!id) return nullptr;
    return registry.series(*id, unit, metrics::SeriesOptions{false, std::move(d)});
  };
  storage::LogMetrics m;
  m.fdatasync_ms =
      histogram("FdatasyncLatency", "runnel_log_fdatasync_milliseconds", "Duration of each fdatasync of a log segment.",
                metrics::Unit::kMilliseconds, {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000});
  m.group_commit_records = histogram("GroupCommitRecords", "runnel_log_group_commit_records",
                                     "Records written by each group commit of the log's writer.", metrics::Unit::kCount,
                                     {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000});
  return m;
}

void add_log_gauges(GaugeSet& gauges, storage::Log& log) {
  gauges.add("runnel_log_segments", "Live segment files of the record log.", {},
             [&log] { return static_cast<double>(log.usage().segments); });
  gauges.add("runnel_log_bytes", "Bytes of published records in the log's segment files.", {},
             [&log] { return static_cast<double>(log.usage().bytes); });
}

void add_connection_gauges(GaugeSet& gauges, const net::Server& server) {
  struct Kind {
    net::ConnectionKind kind;
    const char* protocol;
    const char* tls;
  };
  static constexpr Kind kKinds[] = {{net::ConnectionKind::kHttp1, "http/1.1", "false"},
                                    {net::ConnectionKind::kH2c, "h2c", "false"},
                                    {net::ConnectionKind::kTlsHttp1, "http/1.1", "true"},
                                    {net::ConnectionKind::kTlsH2, "h2", "true"}};
  for (const Kind& k : kKinds) {
    gauges.add("runnel_open_connections", "Open client connections by protocol (known once sniffed or negotiated).",
               {{"protocol", k.protocol}, {"tls", k.tls}},
               [&server, kind = k.kind] { return static_cast<double>(server.stats().of(kind)); });
  }
}

}  // namespace runnel::server
