#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

namespace runnel::bench {
namespace {

// The histogram promises every percentile within 1/128 of a recorded value.
void ExpectWithinPrecision(int64_t got, double want) {
  EXPECT_LE(std::abs(static_cast<double>(got) - want), want / 128.0 + 1.0) << "got " << got << " want " << want;
}

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 127);
  EXPECT_EQ(h.percentile(100), 255);
  EXPECT_EQ(h.min(), 0);
  EXPECT_DOUBLE_EQ(h.mean(), 127.5);
}

TEST(Histogram, BucketsTileTheRangeWithoutGaps) {
  EXPECT_EQ(Histogram::bucket_lowest(0), 0u);
  for (size_t b = 0; b + 1 < Histogram::kBucketCount; ++b) {
    ASSERT_EQ(Histogram::bucket_highest(b) + 1, Histogram::bucket_lowest(b + 1)) << b;
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_lowest(b)), b);
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_highest(b)), b);
    // Width at most 1/128 of the bucket's values.
    const uint64_t width = Histogram::bucket_highest(b) - Histogram::bucket_lowest(b) + 1;
    ASSERT_LE(width * 128, std::max<uint64_t>(Histogram::bucket_lowest(b), 128)) << b;
  }
  EXPECT_EQ(Histogram::bucket_of(Histogram::kMaxTrackable), Histogram::kBucketCount - 1);
  EXPECT_EQ(Histogram::bucket_of(~uint64_t{0}), Histogram::kBucketCount - 1);
}

TEST(Histogram, UniformDistributionPercentiles) {
  Histogram h;
  for (int64_t v = 1; v <= 1'000'000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 1'000'000u);
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9}) ExpectWithinPrecision(h.percentile(p), p * 10'000);
  EXPECT_EQ(h.percentile(100), 1'000'000);
  EXPECT_EQ(h.max(), 1'000'000);
  EXPECT_EQ(h.min(), 1);
  EXPECT_NEAR(h.mean(), 500'000.5, 0.01);
}

TEST(Histogram, ExponentialDistributionMatchesSortedSamples) {
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> dist(1.0 / 5000.0);  // mean 5 ms in microseconds
  std::vector<int64_t> samples;
  Histogram h;
  for (int i = 0; i < 200'000; ++i) {
    auto v = static_cast<int64_t>(dist(rng));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    // Nearest rank in whole numbers (p in thousandths of a percent).
    auto rank = static_cast<size_t>((std::llround(p * 1000) * samples.size() + 99'999) / 100'000) - 1;
    ExpectWithinPrecision(h.percentile(p), static_cast<double>(samples[rank]));
  }
  EXPECT_EQ(h.max(), samples.back());
}

// Nearest rank, exactly: of 1,000 values p99.9 is the 999th, not the largest.
TEST(Histogram, P999OfAThousandIsTheNineHundredNinetyNinth) {
  Histogram h;
  for (int i = 0; i < 999; ++i) h.record(10);
  h.record(1'000'000);
  EXPECT_EQ(h.percentile(99.9), 10);
  EXPECT_EQ(h.percentile(100.0), 1'000'000);
  h.record(1'000'000);  // 1,001 values: rank 1,000 is the first of the large ones
  EXPECT_GT(h.percentile(99.9), 900'000);
}

TEST(Histogram, BimodalTailIsSeen) {
  Histogram h;
  h.record(1000, 990);       // 1 ms
  h.record(60'000'000, 10);  // one minute
  ExpectWithinPrecision(h.percentile(50), 1000);
  ExpectWithinPrecision(h.percentile(99.5), 60'000'000);
  EXPECT_EQ(h.percentile(99), h.percentile(50)) << "990 of 1000 values are 1 ms";
}

TEST(Histogram, HugeAndNegativeValuesAreClamped) {
  Histogram h;
  h.record(-5);
  h.record(int64_t{1} << 50);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), int64_t{1} << 50);
  EXPECT_EQ(h.percentile(100), int64_t{1} << 50);
  EXPECT_EQ(h.percentile(10), 0);
}

TEST(Histogram, MergeAcrossThreadsEqualsOneHistogram) {
  constexpr int kThreads = 4;
  std::vector<Histogram> parts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&parts, t] {
      for (int64_t v = t; v < 400'000; v += kThreads) parts[t].record(v * 3);
    });
  }
  for (auto& th : threads) th.join();
  Histogram merged;
  for (const auto& p : parts) merged.merge(p);
  Histogram single;
  for (int64_t v = 0; v < 400'000; ++v) single.record(v * 3);
  EXPECT_EQ(merged.count(), single.count());
  EXPECT_EQ(merged.min(), single.min());
  EXPECT_EQ(merged.max(), single.max());
  EXPECT_DOUBLE_EQ(merged.mean(), single.mean());
  for (double p : {0.1, 50.0, 90.0, 99.0, 99.9, 99.99}) EXPECT_EQ(merged.percentile(p), single.percentile(p)) << p;
}

TEST(Histogram, MergeIntoEmptyTakesMinAndMax) {
  Histogram a, b;
  b.record(500);
  b.record(700);
  a.merge(b);
  EXPECT_EQ(a.min(), 500);
  EXPECT_EQ(a.max(), 700);
  a.merge(Histogram());
  EXPECT_EQ(a.count(), 2u);
}

}  // namespace
}  // namespace runnel::bench
