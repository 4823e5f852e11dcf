#include "sql/hotspots.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace runnel::sql {
namespace {

// KDA's example: x and y uniform over [0, 10), a window of 1000, a scan
// radius of 0.2, at least 17 points.
struct Plane {
  std::mt19937_64 rng{3};
  std::uniform_real_distribution<double> u{0.0, 10.0};
  std::vector<double> uniform() { return {u(rng), u(rng)}; }
  std::vector<double> near(double x, double y, double r) {
    std::uniform_real_distribution<double> d{-r, r};
    return {x + d(rng), y + d(rng)};
  }
};

TEST(HotspotsTest, UniformNoiseHasNoHotspot) {
  HotspotDetector h(2, 1000, 0.2, 17);
  Plane p;
  for (int i = 0; i < 3000; ++i) {
    h.add(p.uniform());
    if (i % 250 == 0) {
      EXPECT_TRUE(h.hotspots().empty()) << i;
    }
  }
  EXPECT_TRUE(h.hotspots().empty());
  EXPECT_EQ(h.size(), 1000u);
}

TEST(HotspotsTest, FindsAPlantedClusterAndForgetsIt) {
  HotspotDetector h(2, 1000, 0.2, 17);
  Plane p;
  for (int i = 0; i < 900; ++i) h.add(p.uniform());
  for (int i = 0; i < 100; ++i) h.add(p.near(6.5, 1.0, 0.15));
  std::vector<Hotspot> hs = h.hotspots();
  ASSERT_EQ(hs.size(), 1u) << HotspotDetector::to_json(hs);
  EXPECT_GE(hs[0].points, 100u);
  EXPECT_LT(hs[0].points, 120u);
  EXPECT_NEAR(hs[0].min_values[0], 6.35, 0.25);
  EXPECT_NEAR(hs[0].max_values[0], 6.65, 0.25);
  EXPECT_NEAR(hs[0].min_values[1], 0.85, 0.25);
  EXPECT_NEAR(hs[0].max_values[1], 1.15, 0.25);
  EXPECT_GT(hs[0].density, 50.0);  // 10% of the points in about 0.1% of the area
  // A thousand more uniform points push the cluster out of the window.
  for (int i = 0; i < 1000; ++i) h.add(p.uniform());
  EXPECT_TRUE(h.hotspots().empty()) << HotspotDetector::to_json(h.hotspots());
}

TEST(HotspotsTest, TwoClustersDensestFirst) {
  HotspotDetector h(2, 500, 0.3, 10);
  Plane p;
  for (int i = 0; i < 300; ++i) h.add(p.uniform());
  for (int i = 0; i < 40; ++i) h.add(p.near(2, 2, 0.4));  // looser
  for (int i = 0; i < 40; ++i) h.add(p.near(8, 8, 0.1));  // tighter
  std::vector<Hotspot> hs = h.hotspots();
  ASSERT_EQ(hs.size(), 2u) << HotspotDetector::to_json(hs);
  EXPECT_GT(hs[0].density, hs[1].density);
  EXPECT_NEAR(hs[0].min_values[0], 8, 0.5);
  EXPECT_NEAR(hs[1].min_values[0], 2, 0.8);
}

TEST(HotspotsTest, Json) {
  Hotspot a;
  a.density = 12.5;
  a.min_values = {1, 2.25};
  a.max_values = {1.5, 3};
  EXPECT_EQ(HotspotDetector::to_json({}), R"({"hotspots":[]})");
  EXPECT_EQ(HotspotDetector::to_json({a}),
            R"({"hotspots":[{"density":12.5,"minValues":[1.0,2.25],"maxValues":[1.5,3.0]}]})");
}

}  // namespace
}  // namespace runnel::sql
