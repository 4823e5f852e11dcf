#pragma once
// The values metric math computes with (AWS's S, TS and TS[]) and the
// point-wise operations on them. Pure; any thread.

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "cloudwatch/metric_math.h"

namespace runnel::cloudwatch {

// A time series: ascending, unique timestamps. `period` is the MetricStat
// period it came from, or 0 when not known (the result of an expression
// keeps the period of its first series operand).
struct Series {
  std::string label;
  int64_t period = 0;
  std::vector<Datapoint> points;
};

using SeriesArray = std::vector<Series>;

// S, TS or TS[].
using MathValue = std::variant<double, Series, SeriesArray>;

// What an evaluation carries besides values: whether a point was dropped for
// a non-finite value (reported as AWS's ArithmeticError message), and the
// running count of points produced (bounded by kMaxEvaluatedPoints).
struct EvalBudget {
  bool dropped_non_finite = false;
  std::size_t points = 0;
  bool exhausted() const { return points > kMaxEvaluatedPoints; }
};

// f applied to every point; non-finite results are dropped (noted in budget).
Series map_series(const Series& s, const std::function<double(double)>& f, EvalBudget& budget);

// f over the union of the two series' timestamps, a missing value taken as 0
// (AWS: "Missing values in a time series are treated as 0"); non-finite
// results, such as a division by zero, are dropped.
Series join_series(const Series& a, const Series& b, const std::function<double(double, double)>& f,
                   EvalBudget& budget);

// Number of data points the value holds (0 for a scalar).
std::size_t point_count(const MathValue& v);

// Name of the value's type as AWS's docs write it: "S", "TS", "TS[]".
const char* type_name(const MathValue& v);

}  // namespace runnel::cloudwatch
