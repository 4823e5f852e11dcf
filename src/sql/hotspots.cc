#include "sql/hotspots.h"

#include <algorithm>
#include <cmath>

#include "sql/value.h"

namespace runnel::sql {

HotspotDetector::HotspotDetector(size_t dims, size_t window_size, double scan_radius, size_t min_points)
    : dims_(dims),
      window_(window_size),
      radius2_(scan_radius * scan_radius),
      radius_(scan_radius),
      min_points_(min_points),
      coords_(dims * window_size),
      adj_(window_size) {}

void HotspotDetector::add(std::span<const double> point) {
  const uint32_t slot = static_cast<uint32_t>(next_);
  if (count_ == window_) {
    // The oldest point leaves: out of its neighbours' lists.
    for (uint32_t n : adj_[slot]) {
      auto& list = adj_[n];
      list.erase(std::find(list.begin(), list.end(), slot));
    }
    adj_[slot].clear();
  } else {
    ++count_;
  }
  std::copy(point.begin(), point.begin() + static_cast<ptrdiff_t>(dims_), coords_.begin() + slot * dims_);
  const double* p = at(slot);
  for (size_t s = 0; s < count_; ++s) {
    if (s == slot) continue;
    const double* q = at(s);
    double d2 = 0;
    for (size_t j = 0; j < dims_ && d2 <= radius2_; ++j) d2 += (p[j] - q[j]) * (p[j] - q[j]);
    if (d2 <= radius2_) {
      adj_[slot].push_back(static_cast<uint32_t>(s));
      adj_[s].push_back(slot);
    }
  }
  next_ = (next_ + 1) % window_;
}

std::vector<Hotspot> HotspotDetector::hotspots() const {
  std::vector<Hotspot> out;
  if (count_ == 0) return out;
  // Slots oldest first, so the result does not depend on where the ring starts.
  const size_t first = count_ == window_ ? next_ : 0;
  auto core = [&](size_t s) { return adj_[s].size() + 1 >= min_points_; };
  std::vector<int> cluster(window_, -1);
  std::vector<uint32_t> stack;
  std::vector<std::pair<size_t, Hotspot>> found;  // (oldest member's age, hotspot)
  std::vector<double> wlo(dims_, INFINITY), whi(dims_, -INFINITY);
  int next_id = 0;
  for (size_t k = 0; k < count_; ++k) {
    const size_t s = (first + k) % window_;
    for (size_t j = 0; j < dims_; ++j) {
      wlo[j] = std::min(wlo[j], at(s)[j]);
      whi[j] = std::max(whi[j], at(s)[j]);
    }
  }
  for (size_t k = 0; k < count_; ++k) {
    const size_t s = (first + k) % window_;
    if (cluster[s] >= 0 || !core(s)) continue;
    const int id = next_id++;
    Hotspot h;
    h.min_values.assign(at(s), at(s) + dims_);
    h.max_values = h.min_values;
    auto take = [&](uint32_t m) {
      cluster[m] = id;
      ++h.points;
      for (size_t j = 0; j < dims_; ++j) {
        h.min_values[j] = std::min(h.min_values[j], at(m)[j]);
        h.max_values[j] = std::max(h.max_values[j], at(m)[j]);
      }
    };
    take(static_cast<uint32_t>(s));
    stack.assign(1, static_cast<uint32_t>(s));
    while (!stack.empty()) {
      const uint32_t c = stack.back();
      stack.pop_back();
      for (uint32_t n : adj_[c]) {
        if (cluster[n] >= 0) continue;
        take(n);
        if (core(n)) stack.push_back(n);  // a border point joins but does not spread
      }
    }
    if (h.points < min_points_) continue;
    double ratio = static_cast<double>(h.points) / static_cast<double>(count_);
    for (size_t j = 0; j < dims_; ++j)
      ratio *= std::max(whi[j] - wlo[j], radius_) / std::max(h.max_values[j] - h.min_values[j], radius_);
    h.density = ratio;
    found.emplace_back(k, std::move(h));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.second.density > b.second.density; });
  for (auto& [age, h] : found) out.push_back(std::move(h));
  return out;
}

std::string HotspotDetector::to_json(const std::vector<Hotspot>& hs) {
  auto number = [](double d) { return std::isfinite(d) ? format_double(d) : std::string("null"); };
  auto list = [&](const std::vector<double>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + number(v[i]);
    return s + "]";
  };
  std::string s = "{\"hotspots\":[";
  for (size_t i = 0; i < hs.size(); ++i) {
    if (i > 0) s += ",";
    s += "{\"density\":" + number(hs[i].density) + ",\"minValues\":" + list(hs[i].min_values) +
         ",\"maxValues\":" + list(hs[i].max_values) + "}";
  }
  return s + "]}";
}

}  // namespace runnel::sql
