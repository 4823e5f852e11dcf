#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "metrics/aggregate.h"

namespace runnel::metrics {
namespace {

// The exact p-th percentile by CloudWatch's rank rule: the ceil(p% * n)-th
// smallest value.
double exact_percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

void expect_within_one_percent(const std::vector<double>& values, const Aggregate& a) {
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 100.0}) {
    double want = exact_percentile(values, p);
    auto got = a.percentile(p);
    ASSERT_TRUE(got.has_value()) << "p" << p;
    EXPECT_LE(std::abs(*got - want), 0.01 * std::abs(want)) << "p" << p << " want " << want << " got " << *got;
  }
}

TEST(LogHistogram, BucketsSortAsValuesDo) {
  double prev = 0;
  uint32_t prev_index = 0;
  for (double v = 1e-6; v < 1e12; v *= 1.003) {
    uint32_t i = LogHistogram::bucket_of(v);
    EXPECT_GE(i, prev_index) << v << " after " << prev;
    double answer = LogHistogram::bucket_value(i);
    EXPECT_LE(std::abs(answer - v), v / 128 + 1e-18) << v;
    prev = v;
    prev_index = i;
  }
  EXPECT_EQ(LogHistogram::bucket_of(0), 0u);
  EXPECT_EQ(LogHistogram::bucket_value(0), 0);
}

TEST(LogHistogram, PercentilesWithinOnePercentOnUniformLogNormalAndExponential) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(1, 1000);
  std::lognormal_distribution<double> lognormal(3, 1.5);
  std::exponential_distribution<double> exponential(0.01);
  for (int which = 0; which < 3; ++which) {
    std::vector<double> values;
    Aggregate a;
    for (int i = 0; i < 100000; ++i) {
      double v = which == 0 ? uniform(rng) : which == 1 ? lognormal(rng) : exponential(rng);
      values.push_back(v);
      a.add(v);
    }
    SCOPED_TRACE(which);
    expect_within_one_percent(values, a);
  }
}

TEST(LogHistogram, MergeEqualsRecordingAll) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(2, 2);
  Aggregate all, left, right;
  for (int i = 0; i < 20000; ++i) {
    double v = d(rng);
    all.add(v);
    (i % 3 ? left : right).add(v);
  }
  left.merge(right);
  EXPECT_EQ(left.histogram, all.histogram);
  EXPECT_EQ(left.count, all.count);
  EXPECT_EQ(left.min, all.min);
  EXPECT_EQ(left.max, all.max);
  EXPECT_NEAR(left.sum, all.sum, 1e-9 * all.sum);
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(left.percentile(p), all.percentile(p));
}

TEST(LogHistogram, EncodeDecodeRoundTripsAndRejectsGarbage) {
  LogHistogram h;
  for (double v : {0.0, 1.0, 1.5, 1e9, 3e-3, 42.0, 42.0}) h.add(v);
  auto back = LogHistogram::decode(h.encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
  EXPECT_TRUE(LogHistogram::decode("").has_value());
  EXPECT_FALSE(LogHistogram::decode(std::string("\x02\x00", 2)).has_value());
  std::string truncated = h.encode();
  truncated.pop_back();
  EXPECT_FALSE(LogHistogram::decode(truncated).has_value());
}

TEST(LogHistogram, MergingEncodedBlobsEqualsMergingHistograms) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> d(1, 3);
  for (int round = 0; round < 50; ++round) {
    LogHistogram a, b;
    for (int i = 0; i < round * 7; ++i) a.add(d(rng), 1 + i % 3);
    for (int i = 0; i < (50 - round) * 5; ++i) b.add(d(rng));
    auto merged = LogHistogram::merge_encoded(a.encode(), b.encode());
    ASSERT_TRUE(merged.has_value());
    LogHistogram want = a;
    want.merge(b);
    EXPECT_EQ(*merged, want.encode());
  }
  EXPECT_EQ(*LogHistogram::merge_encoded("", ""), LogHistogram().encode());
  std::string truncated = LogHistogram().encode();
  truncated[1] = 5;  // claims 5 buckets, holds none
  EXPECT_FALSE(LogHistogram::merge_encoded(truncated, "").has_value());
  std::string trailing = LogHistogram().encode() + "x";
  EXPECT_FALSE(LogHistogram::merge_encoded("", trailing).has_value());
}

TEST(LogHistogram, BlobBytesAreTheDocumentedOnes) {
  // docs/metrics-store.md §3.3's example.
  LogHistogram h;
  h.add(1.0, 2);
  h.add(3.0);
  EXPECT_EQ(h.encode(), std::string("\x01\x02\xC0\xFF\x03\x02\x60\x01", 8));
}

TEST(Aggregate, StatisticSetsFollowCloudWatchsPercentileRules) {
  Aggregate single;
  single.add(StatisticSet{1, 5, 5, 5});
  EXPECT_EQ(single.percentile(50), 5);
  Aggregate equal;
  equal.add(StatisticSet{10, 70, 7, 7});
  EXPECT_NEAR(*equal.percentile(90), 7, 0.07);
  Aggregate opaque;
  opaque.add(3.0);
  opaque.add(StatisticSet{10, 100, 1, 20});
  EXPECT_EQ(opaque.count, 11);
  EXPECT_EQ(opaque.sum, 103);
  EXPECT_EQ(opaque.min, 1);
  EXPECT_EQ(opaque.max, 20);
  EXPECT_FALSE(opaque.percentile(50).has_value());
  Aggregate negative;
  negative.add(-1.0);
  negative.add(5.0);
  EXPECT_FALSE(negative.percentile(50).has_value());
  EXPECT_EQ(negative.min, -1);
}

TEST(Aggregate, TrimmedStatisticsAndPercentileRankWithinOnePercent) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> d(3, 1);
  std::vector<double> values;
  Aggregate a;
  for (int i = 0; i < 100000; ++i) {
    double v = d(rng);
    values.push_back(v);
    a.add(v);
  }
  std::sort(values.begin(), values.end());
  // TM(10%:90%): the values of ranks 10,001 .. 90,000.
  double sum = 0;
  for (size_t i = 10000; i < 90000; ++i) sum += values[i];
  auto t = a.trimmed(10, 90);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->count, 80000);
  EXPECT_NEAR(t->sum, sum, 0.01 * sum);
  EXPECT_NEAR(t->mean(), sum / 80000, 0.01 * sum / 80000);
  auto whole = a.trimmed(0, 100);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->count, 100000);
  EXPECT_NEAR(whole->sum, a.sum, 0.01 * a.sum);
  EXPECT_FALSE(a.trimmed(50, 50).has_value());
  // PR(:v) for v the true median: about 50 %.
  EXPECT_NEAR(*a.percentile_rank(values[49999]), 50, 1);
  EXPECT_EQ(*a.percentile_rank(values.back()), 100);
  EXPECT_EQ(*a.percentile_rank(values.front() / 2), 0);
}

TEST(Aggregate, ValuesWithCountsWeighTheDistribution) {
  Aggregate a;
  a.add(1.0, 90);
  a.add(100.0, 10);
  EXPECT_EQ(a.count, 100);
  EXPECT_EQ(a.sum, 1090);
  EXPECT_NEAR(*a.percentile(90), 1, 0.01);
  EXPECT_NEAR(*a.percentile(91), 100, 1);
}

}  // namespace
}  // namespace runnel::metrics

namespace runnel::metrics {
namespace {

// A bucket delta near 2^64 wrapped the index back into range, so the blob
// decoded out of order and re-encoded differently (metric_key_fuzz).
TEST(LogHistogram, ADeltaThatWouldWrapTheIndexIsCorrupt) {
  const std::string blob("\x01\x02\x05\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01", 15);
  EXPECT_FALSE(LogHistogram::decode(blob).has_value());
  EXPECT_FALSE(LogHistogram::merge_encoded(blob, std::string("\x01\x00", 2)).has_value());
}

}  // namespace
}  // namespace runnel::metrics
