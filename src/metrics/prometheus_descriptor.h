#pragma once
// How one registry series appears on the Prometheus /metrics page: the
// caller maps (namespace, metric name, dimensions) to a Prometheus family
// name, a kind and label names once, when it creates the series, e.g.
// AWS/Kinesis IncomingBytes {StreamName=s} ->
// runnel_kinesis_incoming_bytes_total{stream="s"} (a counter). One
// descriptor is usually shared by every series of a family.

#include <string>
#include <utility>
#include <vector>

namespace runnel::metrics {

enum class PrometheusKind { kCounter, kGauge, kHistogram };

struct PrometheusDescriptor {
  // The family name, [a-zA-Z_:][a-zA-Z0-9_:]*. A counter's name gets
  // "_total" appended when it does not end with it.
  std::string name;
  std::string help;
  PrometheusKind kind = PrometheusKind::kCounter;
  // (dimension name, label name) pairs: each dimension of the series that
  // is listed becomes a label; the others are not shown.
  std::vector<std::pair<std::string, std::string>> labels;
  // A histogram's bucket upper bounds (ascending, +Inf implied). Counters
  // are the sum of the recorded values (IncomingBytes: bytes; a Count
  // metric: the count); gauges the last recorded value.
  std::vector<double> bounds;
};

// Bucket bounds suited to latencies in milliseconds (0.5 ms .. 60 s) and to
// sizes in bytes (64 B .. 16 MiB).
std::vector<double> millisecond_bounds();
std::vector<double> byte_bounds();

}  // namespace runnel::metrics
