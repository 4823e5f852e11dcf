#pragma once
// LogHistogram: a sparse, exactly mergeable distribution of non-negative
// values that answers quantiles within 0.79% relative error.
//
// Why our own and not DDSketch or HdrHistogram: neither is a Debian package
// for C++, and what we need is 100 lines. The buckets are HdrHistogram's
// log-linear ones taken straight from the IEEE-754 bits: a double's bits
// shifted right by 46 keep its exponent and the top 6 bits of its mantissa,
// so each power of two is cut into 64 equal buckets, the index is one shift
// (no log() on the hot path) and indexes sort as the values do. A bucket
// [lo, lo + lo/64) answered by its midpoint is off by at most 1/128 of the
// value (0.78%). Only non-empty buckets are kept (a sorted vector), so an
// empty histogram costs no heap and a minute of latencies spanning 1 µs to
// 10 s holds at most ~1,500 buckets (typically tens). Two histograms merge
// by adding counts bucket by bucket: merge(a, b) equals recording a's and
// b's values into one, exactly.
//
// Not thread-safe: the owner locks (Series, the flusher).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::metrics {

class LogHistogram {
 public:
  struct Bucket {
    uint32_t index;
    uint64_t count;
    friend bool operator==(const Bucket&, const Bucket&) = default;
  };

  // The bucket of `v`; v must be finite and >= 0 (0 and subnormals share
  // bucket 0, answered as 0).
  static uint32_t bucket_of(double v);
  // The value a bucket answers with: the midpoint of its range.
  static double bucket_value(uint32_t index);

  void add(double v, uint64_t count = 1) { add_bucket(bucket_of(v), count); }
  void add_bucket(uint32_t index, uint64_t count);
  void merge(const LogHistogram& other);
  void clear() { buckets_.clear(); }

  bool empty() const { return buckets_.empty(); }
  uint64_t total() const;
  const std::vector<Bucket>& buckets() const { return buckets_; }

  // The value at quantile q (0 <= q <= 1): the bucket holding the
  // ceil(q * total)-th smallest value (at least the first). nullopt when
  // empty.
  std::optional<double> quantile(double q) const;

  // The blob format of docs/metrics-store.md: a version byte (1), a varint
  // bucket count, then per bucket a varint index delta and a varint count.
  std::string encode() const;
  static Result<LogHistogram> decode(std::string_view blob);
  // encode(decode(a) merged with decode(b)), without building either: the
  // store's hist_merge, run on every flush for every row it adds to.
  static Result<std::string> merge_encoded(std::string_view a, std::string_view b);

  friend bool operator==(const LogHistogram&, const LogHistogram&) = default;

 private:
  std::vector<Bucket> buckets_;  // sorted by index, counts > 0
};

}  // namespace runnel::metrics
