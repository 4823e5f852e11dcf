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

std::optional<Aggregate::Trimmed> Aggregate::trimmed(double lo, double hi) const {
  if (!has_percentiles() || !(lo < hi)) return std::nullopt;
  double n = static_cast<double>(histogram.total());
  // Ranks (1-based) kept: lo% · n < rank <= hi% · n.
  double first = std::floor(std::clamp(lo, 0.0, 100.0) / 100 * n);
  double last = std::floor(std::clamp(hi, 0.0, 100.0) / 100 * n);
  Trimmed t;
  double seen = 0;
  for (const auto& b : histogram.buckets()) {
    double from = seen;
    seen += static_cast<double>(b.count);
    double keep = std::min(seen, last) - std::max(from, first);
    if (keep > 0) {
      t.count += keep;
      t.sum += keep * std::clamp(LogHistogram::bucket_value(b.index), min, max);
    }
    if (seen >= last) break;
  }
  return t;
}

std::optional<double> Aggregate::percentile_rank(double value) const {
  if (!has_percentiles()) return std::nullopt;
  double n = static_cast<double>(histogram.total());
  if (value >= max) return 100.0;
  if (value < min) return 0.0;
  uint32_t limit = LogHistogram::bucket_of(std::max(value, 0.0));
  double below = 0;
  for (const auto& b : histogram.buckets()) {
    if (b.index > limit) break;
    below += static_cast<double>(b.count);
  }
  return 100 * below / n;
}

}  // namespace runnel::metrics
