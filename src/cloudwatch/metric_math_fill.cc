// FILL and IF: the functions whose result depends on which points are missing.
#include <cmath>
#include <optional>
#include <utility>

#include "cloudwatch/metric_math_functions.h"

namespace runnel::cloudwatch {
namespace {

std::unexpected<Status> invalid(std::string m) { return error(Status::invalid_argument(std::move(m))); }

enum class FillMode { kValue, kSeries, kRepeat, kLinear };

struct Filler {
  FillMode mode = FillMode::kValue;
  double value = 0;
  Series series;
};

// The filled value for grid timestamp t missing from the series, between its
// points `prev` and `next` (either may be absent: no fill before the first or,
// for LINEAR, after the last actual value).
std::optional<double> fill_value(const Filler& f, int64_t t, const Datapoint* prev, const Datapoint* next) {
  switch (f.mode) {
    case FillMode::kValue: return f.value;
    case FillMode::kSeries: return value_at(f.series, t);
    case FillMode::kRepeat:
      if (prev == nullptr) return std::nullopt;
      return prev->value;
    case FillMode::kLinear:
      if (prev == nullptr || next == nullptr) return std::nullopt;
      return prev->value + (next->value - prev->value) *
                               (static_cast<double>(t) - static_cast<double>(prev->timestamp)) /
                               (static_cast<double>(next->timestamp) - static_cast<double>(prev->timestamp));
  }
  return std::nullopt;
}

Result<Series> fill_one(const Series& s, const Filler& f, EvalContext& ctx) {
  auto grid = grid_timestamps(ctx, s.period);
  if (!grid) return error(grid.error());
  Series out{s.label, s.period, {}};
  out.points.reserve(s.points.size() + grid->size());
  std::size_t i = 0;
  for (int64_t t : *grid) {
    while (i < s.points.size() && s.points[i].timestamp < t) out.points.push_back(s.points[i++]);
    if (i < s.points.size() && s.points[i].timestamp == t) continue;  // pushed by the next round or the tail
    const Datapoint* prev = i > 0 ? &s.points[i - 1] : nullptr;
    const Datapoint* next = i < s.points.size() ? &s.points[i] : nullptr;
    const auto v = fill_value(f, t, prev, next);
    if (!v) continue;
    if (!std::isfinite(*v)) {
      ctx.budget.dropped_non_finite = true;
      continue;
    }
    out.points.push_back({t, *v});
  }
  while (i < s.points.size()) out.points.push_back(s.points[i++]);
  ctx.budget.points += out.points.size();
  return out;
}

}  // namespace

Result<MathValue> fill_function(const MathNode& call, EvalContext& ctx) {
  if (call.children.size() != 2) return invalid("FILL takes 2 arguments: (TS | TS[], value | TS | REPEAT | LINEAR)");
  auto target = evaluate_node(call.children[0], ctx);
  if (!target) return target;
  if (std::holds_alternative<double>(*target)) {
    return invalid("FILL expects a time series or an array of time series first, not a scalar");
  }
  Filler filler;
  const MathNode& how = call.children[1];
  if (how.kind == MathNode::Kind::kKeyword && how.text == "REPEAT") {
    filler.mode = FillMode::kRepeat;
  } else if (how.kind == MathNode::Kind::kKeyword && how.text == "LINEAR") {
    filler.mode = FillMode::kLinear;
  } else {
    auto v = evaluate_node(how, ctx);
    if (!v) return v;
    if (const double* x = std::get_if<double>(&*v)) {
      filler.value = *x;
    } else if (Series* s = std::get_if<Series>(&*v)) {
      filler.mode = FillMode::kSeries;
      filler.series = std::move(*s);
    } else {
      return invalid("FILL's second argument must be a scalar, a time series, REPEAT or LINEAR, not TS[]");
    }
  }
  if (const Series* s = std::get_if<Series>(&*target)) {
    auto filled = fill_one(*s, filler, ctx);
    if (!filled) return error(filled.error());
    return std::move(*filled);
  }
  SeriesArray out;
  for (const auto& s : std::get<SeriesArray>(*target)) {
    auto filled = fill_one(s, filler, ctx);
    if (!filled) return error(filled.error());
    out.push_back(std::move(*filled));
  }
  return out;
}

Result<MathValue> if_function(const MathNode& call, EvalContext& ctx) {
  if (call.children.size() != 2 && call.children.size() != 3) {
    return invalid("IF takes 2 or 3 arguments: (condition, trueValue [, falseValue])");
  }
  std::optional<MathValue> args[3];
  for (std::size_t i = 0; i < call.children.size(); ++i) {
    auto v = evaluate_node(call.children[i], ctx);
    if (!v) return v;
    if (std::holds_alternative<SeriesArray>(*v)) {
      return invalid("IF's arguments must be scalars or time series, not arrays of time series (argument " +
                     std::to_string(i + 1) + ")");
    }
    args[i] = std::move(*v);
  }
  const MathValue& cond = *args[0];
  if (const double* c = std::get_if<double>(&cond)) {
    // IF(S, a, b): a or b whole; an omitted b gives an empty time series.
    if (*c != 0) return std::move(*args[1]);
    if (args[2]) return std::move(*args[2]);
    return Series{};
  }
  const Series& cs = std::get<Series>(cond);
  Series out{cs.label, cs.period, {}};
  for (const auto& p : cs.points) {
    std::optional<double> v;
    if (p.value != 0) {
      // True: trueValue's point, 0 where that series has none.
      if (const double* x = std::get_if<double>(&*args[1]))
        v = *x;
      else
        v = value_at(std::get<Series>(*args[1]), p.timestamp).value_or(0.0);
    } else if (args[2]) {
      // False: falseValue's point; dropped where that series has none.
      if (const double* x = std::get_if<double>(&*args[2]))
        v = *x;
      else
        v = value_at(std::get<Series>(*args[2]), p.timestamp);
    }
    if (!v) continue;
    if (!std::isfinite(*v)) {
      ctx.budget.dropped_non_finite = true;
      continue;
    }
    out.points.push_back({p.timestamp, *v});
  }
  ctx.budget.points += out.points.size();
  return out;
}

}  // namespace runnel::cloudwatch
