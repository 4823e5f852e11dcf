#include "server/process_gauges.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

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
