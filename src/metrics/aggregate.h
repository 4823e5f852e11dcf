#pragma once
// Aggregate: what CloudWatch keeps of one metric's values in one period:
// SampleCount, Sum, Minimum, Maximum (Average = Sum / SampleCount) and the
// distribution (a LogHistogram) that answers percentiles. Two aggregates
// merge exactly: merging the aggregates of two sets of values gives the
// aggregate of their union (sums up to floating-point rounding).
//
// Percentiles follow CloudWatch's rules: they need raw values. A statistic
// set (PutMetricData's StatisticValues) enters the distribution only when
// its SampleCount is 1 or its Minimum equals its Maximum; any other one, or
// any negative value, makes percentiles unavailable for the whole period
// (percentile() returns nullopt; the service then omits the extended
// statistic, as CloudWatch does).
//
// Not thread-safe: the owner locks.

#include <cstdint>
#include <limits>
#include <optional>

#include "metrics/histogram.h"

namespace runnel::metrics {

struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
};

struct Aggregate {
  // Stored in the `flags` column (docs/metrics-store.md).
  static constexpr uint8_t kHasNegative = 1;          // a value < 0 was recorded
  static constexpr uint8_t kHasOpaqueStatistics = 2;  // a statistic set without raw values

  double count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  uint8_t flags = 0;
  LogHistogram histogram;

  // `count` values equal to `value` (PutMetricData's Values/Counts). The
  // distribution counts round(count) of them, at least one.
  void add(double value, double count = 1);
  void add(const StatisticSet& s);
  void merge(const Aggregate& other);

  bool empty() const { return count == 0 && histogram.empty(); }
  double average() const { return count > 0 ? sum / count : 0; }
  bool has_percentiles() const { return flags == 0 && !histogram.empty(); }
  // The p-th percentile (0 <= p <= 100), clamped to [min, max] (so p0 is the
  // minimum and p100 the maximum exactly); within 0.8% of the true value
  // otherwise. nullopt when has_percentiles() is false.
  std::optional<double> percentile(double p) const;

  // GetMetricData's trimmed statistics over the values ranked above the
  // lo-th and up to the hi-th percentile (0 <= lo < hi <= 100): TM is
  // sum / count, TC the count, TS the sum. Computed from the distribution
  // (each value as its bucket's midpoint, so sums are within 0.8 %).
  // nullopt when has_percentiles() is false or lo >= hi.
  struct Trimmed {
    double count = 0;
    double sum = 0;
    double mean() const { return count > 0 ? sum / count : 0; }
  };
  std::optional<Trimmed> trimmed(double lo, double hi) const;
  // PR(:v): the percentage of values <= v (within a bucket's width of v).
  std::optional<double> percentile_rank(double value) const;
};

}  // namespace runnel::metrics
