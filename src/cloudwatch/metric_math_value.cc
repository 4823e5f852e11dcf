#include "cloudwatch/metric_math_value.h"

#include <algorithm>
#include <cmath>

namespace runnel::cloudwatch {

Series map_series(const Series& s, const std::function<double(double)>& f, EvalBudget& budget) {
  Series out{s.label, s.period, {}};
  out.points.reserve(s.points.size());
  for (const auto& p : s.points) {
    const double v = f(p.value);
    if (!std::isfinite(v)) {
      budget.dropped_non_finite = true;
      continue;
    }
    out.points.push_back({p.timestamp, v});
  }
  budget.points += out.points.size();
  return out;
}

Series join_series(const Series& a, const Series& b, const std::function<double(double, double)>& f,
                   EvalBudget& budget) {
  Series out{a.label, a.period != 0 ? a.period : b.period, {}};
  out.points.reserve(std::max(a.points.size(), b.points.size()));
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.points.size() || j < b.points.size()) {
    int64_t t;
    double x = 0;
    double y = 0;
    if (j >= b.points.size() || (i < a.points.size() && a.points[i].timestamp < b.points[j].timestamp)) {
      t = a.points[i].timestamp;
      x = a.points[i++].value;
    } else if (i >= a.points.size() || b.points[j].timestamp < a.points[i].timestamp) {
      t = b.points[j].timestamp;
      y = b.points[j++].value;
    } else {
      t = a.points[i].timestamp;
      x = a.points[i++].value;
      y = b.points[j++].value;
    }
    const double v = f(x, y);
    if (!std::isfinite(v)) {
      budget.dropped_non_finite = true;
      continue;
    }
    out.points.push_back({t, v});
  }
  budget.points += out.points.size();
  return out;
}

std::size_t point_count(const MathValue& v) {
  if (const Series* s = std::get_if<Series>(&v)) return s->points.size();
  std::size_t n = 0;
  if (const SeriesArray* a = std::get_if<SeriesArray>(&v)) {
    for (const auto& s : *a) n += s.points.size();
  }
  return n;
}

const char* type_name(const MathValue& v) {
  switch (v.index()) {
    case 0: return "S";
    case 1: return "TS";
    default: return "TS[]";
  }
}

}  // namespace runnel::cloudwatch
