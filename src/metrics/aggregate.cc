#include "metrics/aggregate.h"

#include <algorithm>
#include <cmath>

namespace runnel::metrics {
namespace {

uint64_t histogram_count(double count) {
  double r = std::round(count);
  if (!(r >= 1)) return 1;
  if (r >= 9.0e18) return static_cast<uint64_t>(9.0e18);
  return static_cast<uint64_t>(r);
}

}  // namespace

void Aggregate::add(double value, double n) {
  count += n;
  sum += value * n;
  min = std::min(min, value);
  max = std::max(max, value);
  if (value < 0) {
    flags |= kHasNegative;
  } else {
    histogram.add(value, histogram_count(n));
  }
}

void Aggregate::add(const StatisticSet& s) {
  count += s.sample_count;
  sum += s.sum;
  min = std::min(min, s.minimum);
  max = std::max(max, s.maximum);
  if (s.minimum < 0) flags |= kHasNegative;
  if (s.sample_count == 1 || s.minimum == s.maximum) {
    if (s.minimum >= 0) histogram.add(s.minimum, histogram_count(s.sample_count));
  } else {
    flags |= kHasOpaqueStatistics;
  }
}

void Aggregate::merge(const Aggregate& o) {
  count += o.count;
  sum += o.sum;
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  flags |= o.flags;
  histogram.merge(o.histogram);
}

std::optional<double> Aggregate::percentile(double p) const {
  if (!has_percentiles()) return std::nullopt;
  if (p <= 0) return min;
  if (p >= 100) return max;
  auto v = histogram.quantile(p / 100);
  if (!v) return std::nullopt;
  return std::clamp(*v, min, max);
}

}  // namespace runnel::metrics
