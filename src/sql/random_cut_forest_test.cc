#include "sql/random_cut_forest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace runnel::sql {
namespace {

RandomCutForest::Options options(size_t dims, size_t shingle = 1, double decay = 100'000, uint64_t seed = 7) {
  RandomCutForest::Options o;
  o.input_dims = dims;
  o.shingle_size = shingle;
  o.time_decay = decay;
  o.seed = seed;
  return o;
}

// Points of a normal cloud around (cx, cy), from a fixed generator.
struct Cloud {
  std::mt19937_64 rng{42};
  std::normal_distribution<double> n{0.0, 1.0};
  std::vector<double> next(double cx, double cy) { return {cx + n(rng), cy + n(rng)}; }
};

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }

TEST(RandomCutForestTest, ScoresZeroWhileLearningThenPositive) {
  RandomCutForest f(options(2));
  Cloud c;
  // 1 + 256/4 = 65 records score 0.
  for (int i = 0; i < 65; ++i) EXPECT_EQ(f.score_and_update(c.next(0, 0)), 0.0) << i;
  EXPECT_GT(f.score_and_update(c.next(0, 0)), 0.0);
}

TEST(RandomCutForestTest, AnOutlierScoresFarAboveTheCluster) {
  RandomCutForest f(options(2));
  Cloud c;
  std::vector<double> inliers;
  for (int i = 0; i < 2000; ++i) {
    double s = f.score_and_update(c.next(5, 5));
    if (i >= 1000) inliers.push_back(s);
  }
  const double outlier = f.score_and_update(std::vector<double>{30, -20});
  const double typical = mean(inliers);
  EXPECT_GT(typical, 0.3);
  EXPECT_LT(typical, 2.0);
  EXPECT_GT(outlier, 3 * typical) << "typical " << typical;
  EXPECT_GT(outlier, *std::max_element(inliers.begin(), inliers.end()));
  // Once learned, the same point is not so strange the next time round.
  EXPECT_LT(f.score_and_update(std::vector<double>{30, -20}), outlier);
}

TEST(RandomCutForestTest, TheSameSeedGivesTheSameScores) {
  auto run = [](uint64_t seed) {
    RandomCutForest f(options(2, 1, 100'000, seed));
    Cloud c;
    std::vector<double> out;
    for (int i = 0; i < 600; ++i) out.push_back(f.score_and_update(c.next(0, 0)));
    return out;
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

TEST(RandomCutForestTest, ShinglesSeeABrokenPattern) {
  // A square wave 0,0,0,0,10,10,10,10,...; then one 10 in the middle of a run
  // of 0s. Alone, 10 is an ordinary value; in a shingle of 8 it is not.
  auto ratio = [](size_t shingle) {
    RandomCutForest f(options(1, shingle));
    std::vector<double> usual;
    int t = 0;
    for (; t < 3000; ++t) {
      double s = f.score_and_update(std::vector<double>{(t / 4) % 2 == 0 ? 0.0 : 10.0});
      if (t >= 2000) usual.push_back(s);
    }
    while ((t / 4) % 2 != 0 || t % 4 != 1) {
      f.score_and_update(std::vector<double>{(t / 4) % 2 == 0 ? 0.0 : 10.0});
      ++t;
    }
    const double odd = f.score_and_update(std::vector<double>{10.0});
    return odd / mean(usual);
  };
  const double plain = ratio(1), shingled = ratio(8);
  EXPECT_GT(shingled, 2.0);
  EXPECT_GT(shingled, 2 * plain) << "plain " << plain << " shingled " << shingled;
}

TEST(RandomCutForestTest, TimeDecayForgetsOldPoints) {
  // 3000 points around (0,0), then 3000 around (20,20); then one at (0,0).
  auto score_of_old_place = [](double decay) {
    RandomCutForest f(options(2, 1, decay));
    Cloud c;
    for (int i = 0; i < 3000; ++i) f.score_and_update(c.next(0, 0));
    for (int i = 0; i < 3000; ++i) f.score_and_update(c.next(20, 20));
    return f.score_and_update(std::vector<double>{0, 0});
  };
  const double forgetful = score_of_old_place(100), long_memory = score_of_old_place(1e9);
  EXPECT_GT(forgetful, 2 * long_memory) << "decay 100: " << forgetful << ", decay 1e9: " << long_memory;
}

TEST(RandomCutForestTest, AttributionAddsUpAndPointsTheWay) {
  RandomCutForest f(options(2));
  Cloud c;
  std::vector<double> a;
  for (int i = 0; i < 1500; ++i) f.score_and_update(c.next(0, 0), &a);
  // Far above in column 0, ordinary in column 1.
  const double s = f.score_and_update(std::vector<double>{25, 0}, &a);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_NEAR(a[0] + a[1] + a[2] + a[3], s, 1e-9 * s);
  EXPECT_GT(a[0], 5 * a[1]);           // high, not low
  EXPECT_GT(a[0], 5 * (a[2] + a[3]));  // column 0, not column 1
  const double s2 = f.score_and_update(std::vector<double>{0, -25}, &a);
  EXPECT_NEAR(a[0] + a[1] + a[2] + a[3], s2, 1e-9 * s2);
  EXPECT_GT(a[3], 5 * a[2]);  // column 1, low
  EXPECT_GT(a[3], 5 * (a[0] + a[1]));
}

TEST(RandomCutForestTest, RepeatedPointsAndEvictionKeepTheTreesWhole) {
  // Many equal points (a leaf's mass grows and shrinks) through a small
  // sample with a short memory, so points leave all the time.
  RandomCutForest::Options o = options(3, 2, 20);
  o.sub_sample_size = 16;
  o.number_of_trees = 5;
  RandomCutForest f(o);
  for (int i = 0; i < 5000; ++i) {
    std::vector<double> p = {static_cast<double>(i % 3), 1.0, static_cast<double>(i % 7 == 0)};
    const double s = f.score_and_update(p);
    ASSERT_TRUE(std::isfinite(s));
    ASSERT_GE(s, 0.0);
  }
  EXPECT_EQ(f.points_seen(), 4999u);  // the first record makes no shingle of 2
  for (const RandomCutTree& t : f.trees()) {
    EXPECT_TRUE(t.consistent());
    EXPECT_EQ(t.mass(), 16u);
  }
}

TEST(RandomCutForestTest, TreesStayConsistentThroughInsertsAndEvictions) {
  RandomCutForest::Options o = options(2, 1, 50);
  o.sub_sample_size = 32;
  o.number_of_trees = 4;
  RandomCutForest f(o);
  Cloud c;
  for (int i = 0; i < 3000; ++i) {
    std::vector<double> p = c.next(i % 500 < 250 ? 0 : 8, 0);
    if (i % 11 == 0) p = {1.5, 1.5};  // a repeated point
    f.score_and_update(p);
    if (i % 97 != 0) continue;
    for (const RandomCutTree& t : f.trees()) ASSERT_TRUE(t.consistent()) << i;
  }
  for (const RandomCutTree& t : f.trees()) {
    EXPECT_TRUE(t.consistent());
    EXPECT_EQ(t.mass(), 32u);
  }
}

}  // namespace
}  // namespace runnel::sql
