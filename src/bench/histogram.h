#pragma once
// Histogram: a log-linear latency histogram in the manner of HdrHistogram,
// for microsecond values from 0 up to kMaxTrackable (about 12.7 days).
//
// Values below 2 * kSubBuckets land in buckets of width 1 (exact). Above
// that, each power-of-two range [2^k, 2^(k+1)) is split into kSubBuckets
// equal buckets, so a bucket is never wider than 1/128 of the values in it:
// every reported percentile is within 0.8% of a value that was recorded.
// Values beyond kMaxTrackable are counted in the top bucket (and in max()).
//
// Thread-safety: a plain value, no locking. Each thread records into its own
// Histogram (or under its own lock) and merges into a total with merge().

#include <array>
#include <cstddef>
#include <cstdint>

namespace runnel::bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // 128 per power of two
  static constexpr int kTopExponent = 40;
  static constexpr uint64_t kMaxTrackable = (uint64_t{1} << kTopExponent) - 1;
  // 256 exact buckets, then 128 per power of two from 2^8 to 2^39.
  static constexpr size_t kBucketCount = 2 * kSubBuckets + (kTopExponent - kSubBucketBits - 1) * kSubBuckets;

  Histogram() = default;

  // Records `value` once (or `times` times). Negative values count as 0.
  void record(int64_t value, uint64_t times = 1);

  // Adds every count of `other` to this histogram.
  void merge(const Histogram& other);

  void clear();

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

  // The value at percentile `p` (0..100): the smallest bucket bound below
  // which at least p% of the recorded values lie, reported as that bucket's
  // highest value, clamped to [min(), max()]. 0 when empty. p = 100 gives max().
  int64_t percentile(double p) const;

  // Bucket arithmetic, exposed for tests.
  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_lowest(size_t bucket);
  static uint64_t bucket_highest(size_t bucket);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace runnel::bench
