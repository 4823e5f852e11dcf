#pragma once
// Hotspot detection over a sliding window of points, the model behind KDA's
// HOTSPOTS table function: the last `window_size` points are clustered by
// density the way DBSCAN does (Ester, Kriegel, Sander, Xu 1996), with
// `scan_radius` as its ε and `min_points` as its minimum: a point with at
// least min_points points (itself included) within scan_radius (Euclidean)
// is a core point; core points within scan_radius of each other, and the
// points within scan_radius of them, make one cluster; a cluster of at least
// min_points points is a hotspot.
//
// Neighbour lists are kept as points come and go (O(window × dims) per
// point); the clusters are found again after each point (O(window + pairs of
// neighbours)).
//
// Threads: none of its own; one thread at a time.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace runnel::sql {

struct Hotspot {
  double density = 0;  // see HotspotDetector::hotspots()
  size_t points = 0;
  std::vector<double> min_values, max_values;
};

class HotspotDetector {
 public:
  HotspotDetector(size_t dims, size_t window_size, double scan_radius, size_t min_points);

  // Adds a point (dims numbers); the oldest leaves once the window is full.
  void add(std::span<const double> point);
  // The window's hotspots, densest first. A hotspot's density is how many
  // times more of the window's points lie in its bounding box than would if
  // they were spread evenly over the window's bounding box (each side taken
  // as at least scan_radius, so a flat box has a volume).
  std::vector<Hotspot> hotspots() const;
  size_t size() const { return count_; }

  // {"hotspots":[{"density":..,"minValues":[..],"maxValues":[..]}, ...]}
  static std::string to_json(const std::vector<Hotspot>& hs);

 private:
  const double* at(size_t slot) const { return &coords_[slot * dims_]; }

  size_t dims_;
  size_t window_;
  double radius2_;
  double radius_;
  size_t min_points_;
  std::vector<double> coords_;              // slot × dims
  std::vector<std::vector<uint32_t>> adj_;  // slot → neighbour slots
  size_t next_ = 0;                         // the slot the next point takes
  size_t count_ = 0;
};

}  // namespace runnel::sql
