#pragma once
// The Prometheus /metrics page: every registry series that has a
// PrometheusDescriptor, and every gauge callback, in the text exposition
// format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
// Counters are the series' cumulative sum since process start, gauges its
// last value, histograms its cumulative buckets with _sum and _count.
//
// Thread-safe: call from any thread (the net worker serving GET /metrics);
// it reads each series under its own mutex and calls the gauge callbacks on
// the calling thread.

#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace runnel::metrics {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const Registry& registry);

// Escapes a label value: backslash, double quote and line feed become \\,
// \" and \n.
std::string escape_label_value(std::string_view v);

}  // namespace runnel::metrics
