#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace runnel::bench {

size_t Histogram::bucket_of(uint64_t value) {
  value = std::min(value, kMaxTrackable);
  if (value < 2 * kSubBuckets) return static_cast<size_t>(value);
  // value in [2^e, 2^(e+1)) with e >= kSubBucketBits + 1; keep its top
  // kSubBucketBits + 1 bits (a number in [kSubBuckets, 2 * kSubBuckets)).
  const int e = std::bit_width(value) - 1;
  const int shift = e - kSubBucketBits;
  const uint64_t sub = (value >> shift) - kSubBuckets;
  return static_cast<size_t>(2 * kSubBuckets + static_cast<uint64_t>(shift - 1) * kSubBuckets + sub);
}

uint64_t Histogram::bucket_lowest(size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const uint64_t rest = bucket - 2 * kSubBuckets;
  const uint64_t shift = rest / kSubBuckets + 1;
  const uint64_t sub = rest % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

uint64_t Histogram::bucket_highest(size_t bucket) {
  if (bucket + 1 >= kBucketCount) return kMaxTrackable;
  return bucket_lowest(bucket + 1) - 1;
}

void Histogram::record(int64_t value, uint64_t times) {
  if (times == 0) return;
  if (value < 0) value = 0;
  counts_[bucket_of(static_cast<uint64_t>(value))] += times;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += times;
  sum_ += static_cast<uint64_t>(value) * times;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::clear() { *this = Histogram(); }

int64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (p >= 100.0) return max_;
  p = std::max(p, 0.0);
  // The rank of the wanted value, 1-based: at least one value is always
  // taken. In whole numbers (p in thousandths of a percent), since in
  // doubles 99.9 / 100 is 0.9990000000000001 and ceil() of it times 1,000
  // samples would take the 1,000th value instead of the 999th.
  const auto milli = static_cast<uint64_t>(std::llround(p * 1000.0));
  auto rank = static_cast<uint64_t>((static_cast<unsigned __int128>(milli) * count_ + 99'999) / 100'000);
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const auto v = static_cast<int64_t>(bucket_highest(i));
      return std::clamp(v, min_, max_);
    }
  }
  return max_;
}

}  // namespace runnel::bench
