// The metric math functions (AWS's "Functions supported for metric math"
// table), called from evaluate_node. FILL and IF are in metric_math_fill.cc.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <string_view>
#include <utility>

#include "cloudwatch/metric_math_eval.h"
#include "cloudwatch/metric_math_functions.h"

namespace runnel::cloudwatch {
namespace {

std::unexpected<Status> invalid(std::string m) { return error(Status::invalid_argument(std::move(m))); }

Result<MathValue> elementwise(const MathValue& v, const std::function<double(double)>& f, EvalBudget& budget) {
  if (const double* x = std::get_if<double>(&v)) return f(*x);
  if (const Series* s = std::get_if<Series>(&v)) return map_series(*s, f, budget);
  SeriesArray out;
  for (const auto& s : std::get<SeriesArray>(v)) out.push_back(map_series(s, f, budget));
  return out;
}

// A statistic over a list of values; `present` counts the series that had a
// value (for DATAPOINT_COUNT).
using Statistic = double (*)(const std::vector<double>&, std::size_t present);

double stat_sum(const std::vector<double>& v, std::size_t) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}
double stat_avg(const std::vector<double>& v, std::size_t p) {
  return v.empty() ? NAN : stat_sum(v, p) / static_cast<double>(v.size());
}
double stat_min(const std::vector<double>& v, std::size_t) {
  return v.empty() ? NAN : *std::min_element(v.begin(), v.end());
}
double stat_max(const std::vector<double>& v, std::size_t) {
  return v.empty() ? NAN : *std::max_element(v.begin(), v.end());
}
// Population standard deviation (divides by N).
double stat_stddev(const std::vector<double>& v, std::size_t p) {
  if (v.empty()) return NAN;
  const double mean = stat_avg(v, p);
  double sq = 0;
  for (double x : v) sq += (x - mean) * (x - mean);
  return std::sqrt(sq / static_cast<double>(v.size()));
}
double stat_count(const std::vector<double>&, std::size_t present) { return static_cast<double>(present); }

Statistic statistic_named(std::string_view name) {
  if (name == "SUM") return stat_sum;
  if (name == "AVG") return stat_avg;
  if (name == "MIN") return stat_min;
  if (name == "MAX") return stat_max;
  if (name == "STDDEV") return stat_stddev;
  if (name == "DATAPOINT_COUNT") return stat_count;
  return nullptr;
}

std::vector<double> values_of(const Series& s) {
  std::vector<double> v;
  v.reserve(s.points.size());
  for (const auto& p : s.points) v.push_back(p.value);
  return v;
}

// TS -> S over its points; TS[] -> TS over the union of the timestamps, a
// series without a value at a timestamp counting as 0 (AWS: "Missing values
// are treated as 0").
Result<MathValue> aggregate(std::string_view name, Statistic stat, const MathValue& v, EvalBudget& budget) {
  if (const Series* s = std::get_if<Series>(&v)) return stat(values_of(*s), s->points.size());
  const auto* arr = std::get_if<SeriesArray>(&v);
  if (arr == nullptr)
    return invalid(std::string(name) + " expects a time series or an array of time series, not a scalar");
  Series out;
  if (!arr->empty()) out.period = arr->front().period;
  std::vector<int64_t> stamps;
  for (const auto& s : *arr) {
    for (const auto& p : s.points) stamps.push_back(p.timestamp);
  }
  std::sort(stamps.begin(), stamps.end());
  stamps.erase(std::unique(stamps.begin(), stamps.end()), stamps.end());
  std::vector<std::size_t> cursor(arr->size(), 0);
  std::vector<double> column(arr->size());
  for (int64_t t : stamps) {
    std::size_t present = 0;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto& pts = (*arr)[i].points;
      if (cursor[i] < pts.size() && pts[cursor[i]].timestamp == t) {
        column[i] = pts[cursor[i]++].value;
        ++present;
      } else {
        column[i] = 0;
      }
    }
    const double r = stat(column, present);
    if (std::isfinite(r)) {
      out.points.push_back({t, r});
    } else {
      budget.dropped_non_finite = true;
    }
  }
  budget.points += out.points.size() + stamps.size() * arr->size();
  return out;
}

// RATE, DIFF, DIFF_TIME, RUNNING_SUM: from a point and the one before it.
Result<MathValue> sequential(std::string_view name, const MathValue& v, EvalBudget& budget) {
  auto one = [&](const Series& s) {
    Series out{s.label, s.period, {}};
    double running = 0;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      double r;
      if (name == "RUNNING_SUM") {
        running += p.value;
        r = running;
      } else {
        if (i == 0) continue;  // the first point has no predecessor
        const auto& q = s.points[i - 1];
        const double dt = static_cast<double>(p.timestamp) - static_cast<double>(q.timestamp);
        if (name == "DIFF")
          r = p.value - q.value;
        else if (name == "DIFF_TIME")
          r = dt;
        else
          r = (p.value - q.value) / dt;  // RATE: per second
      }
      if (std::isfinite(r)) {
        out.points.push_back({p.timestamp, r});
      } else {
        budget.dropped_non_finite = true;
      }
    }
    budget.points += out.points.size();
    return out;
  };
  if (const Series* s = std::get_if<Series>(&v)) return one(*s);
  if (const SeriesArray* a = std::get_if<SeriesArray>(&v)) {
    SeriesArray out;
    for (const auto& s : *a) out.push_back(one(s));
    return out;
  }
  return invalid(std::string(name) + " expects a time series or an array of time series, not a scalar");
}

constexpr int64_t kMaxCalendarSeconds = int64_t{1} << 40;

// MINUTE, HOUR, DAY (1 = Monday ... 7 = Sunday), DATE, MONTH, YEAR, EPOCH of
// each period of the series' range, in UTC.
double time_field(std::string_view name, int64_t t) {
  using namespace std::chrono;
  // Beyond about 30,000 years from 1970 the calendar is not meaningful (and
  // std::chrono's civil conversion would overflow): no value.
  if (t > kMaxCalendarSeconds || t < -kMaxCalendarSeconds) return NAN;
  const int64_t day = t / 86400 - (t % 86400 < 0 ? 1 : 0);
  const int64_t second_of_day = t - day * 86400;
  if (name == "EPOCH") return static_cast<double>(t);
  if (name == "MINUTE") return static_cast<double>((second_of_day / 60) % 60);
  if (name == "HOUR") {
    const int64_t hour = second_of_day / 3600;  // whole hours: the division truncates on purpose
    return static_cast<double>(hour);
  }
  if (name == "DAY") return static_cast<double>(((day % 7) + 7 + 3) % 7 + 1);  // 1970-01-01 was a Thursday (4)
  const year_month_day ymd{sys_days{days{day}}};
  if (name == "DATE") return static_cast<double>(static_cast<unsigned>(ymd.day()));
  if (name == "MONTH") return static_cast<double>(static_cast<unsigned>(ymd.month()));
  return static_cast<double>(static_cast<int>(ymd.year()));  // YEAR
}

Result<MathValue> sort_array(const MathNode& call, SeriesArray arr, EvalContext& ctx) {
  if (call.children.size() < 3 || call.children.size() > 4) {
    return invalid("SORT takes (TS[], AVG | MIN | MAX | SUM, ASC | DESC [, limit])");
  }
  const MathNode& fn = call.children[1];
  const MathNode& order = call.children[2];
  const bool by_keyword = fn.kind == MathNode::Kind::kKeyword;
  const std::string_view fn_name = by_keyword ? std::string_view(fn.text) : std::string_view();
  if (!by_keyword || (fn_name != "AVG" && fn_name != "MIN" && fn_name != "MAX" && fn_name != "SUM")) {
    return invalid("SORT's second argument must be AVG, MIN, MAX or SUM");
  }
  if (order.kind != MathNode::Kind::kKeyword || (order.text != "ASC" && order.text != "DESC")) {
    return invalid("SORT's third argument must be ASC or DESC");
  }
  std::size_t limit = arr.size();
  if (call.children.size() == 4) {
    auto l = evaluate_node(call.children[3], ctx);
    if (!l) return l;
    const double* n = std::get_if<double>(&*l);
    if (n == nullptr || !(*n >= 0)) return invalid("SORT's limit must be a non-negative number");
    limit = std::min(limit, static_cast<std::size_t>(std::min(*n, 1e9)));
  }
  const Statistic stat = statistic_named(fn_name);
  std::vector<std::pair<double, std::size_t>> keys;
  for (std::size_t i = 0; i < arr.size(); ++i) keys.emplace_back(stat(values_of(arr[i]), arr[i].points.size()), i);
  const bool desc = order.text == "DESC";
  // Series with no key (no points) go last in either order.
  std::stable_sort(keys.begin(), keys.end(), [desc](const auto& a, const auto& b) {
    if (std::isnan(a.first) || std::isnan(b.first)) return !std::isnan(a.first) && std::isnan(b.first);
    return desc ? a.first > b.first : a.first < b.first;
  });
  SeriesArray out;
  for (std::size_t i = 0; i < limit; ++i) out.push_back(std::move(arr[keys[i].second]));
  return out;
}

Result<MathValue> slice_array(const MathNode& call, SeriesArray arr, EvalContext& ctx) {
  if (call.children.size() < 2 || call.children.size() > 3) return invalid("SLICE takes (TS[], start [, end])");
  std::size_t bounds[2] = {0, arr.size()};
  for (std::size_t i = 1; i < call.children.size(); ++i) {
    auto b = evaluate_node(call.children[i], ctx);
    if (!b) return b;
    const double* n = std::get_if<double>(&*b);
    if (n == nullptr || !(*n >= 0)) return invalid("SLICE's start and end must be non-negative numbers");
    bounds[i - 1] = std::min(arr.size(), static_cast<std::size_t>(std::min(*n, 1e9)));
  }
  if (bounds[1] < bounds[0]) bounds[1] = bounds[0];
  return SeriesArray(std::make_move_iterator(arr.begin() + static_cast<std::ptrdiff_t>(bounds[0])),
                     std::make_move_iterator(arr.begin() + static_cast<std::ptrdiff_t>(bounds[1])));
}

Result<MathValue> metrics_function(const MathNode& call, EvalContext& ctx) {
  if (call.children.size() > 1) return invalid("METRICS takes no argument or one string");
  std::string_view filter;
  if (call.children.size() == 1) {
    if (call.children[0].kind != MathNode::Kind::kString) return invalid("METRICS' argument must be a \"string\"");
    filter = call.children[0].text;
  }
  SeriesArray out;
  for (std::size_t i = 0; i < ctx.queries.size(); ++i) {
    const auto& q = ctx.queries[i];
    if (!q.expression.empty() || q.id.find(filter) == std::string::npos) continue;
    // A metric query's value is set before any expression is evaluated.
    out.push_back(std::get<Series>(*ctx.values[i]));  // NOLINT(bugprone-unchecked-optional-access)
    ctx.budget.points += out.back().points.size();
  }
  return out;
}

Result<MathValue> period_function(const MathNode& call, EvalContext& ctx) {
  if (call.children.size() != 1 || call.children[0].kind != MathNode::Kind::kId) {
    return invalid("PERIOD takes the Id of a metric");
  }
  const auto it = ctx.index.find(call.children[0].text);
  if (it == ctx.index.end()) return invalid("unknown Id '" + call.children[0].text + "'");
  const auto& q = ctx.queries[it->second];
  if (!q.expression.empty()) return invalid("PERIOD takes the Id of a metric, not of an expression ('" + q.id + "')");
  return static_cast<double>(q.period > 0 ? q.period : ctx.window.period);
}

Result<MathValue> time_series_function(const MathNode& call, EvalContext& ctx) {
  if (call.children.size() != 1) return invalid("TIME_SERIES takes one scalar");
  auto v = evaluate_node(call.children[0], ctx);
  if (!v) return v;
  const double* x = std::get_if<double>(&*v);
  if (x == nullptr) return invalid(std::string("TIME_SERIES expects a scalar, not ") + type_name(*v));
  auto grid = grid_timestamps(ctx, 0);
  if (!grid) return error(grid.error());
  Series out;
  out.period = ctx.query_period > 0 ? ctx.query_period : ctx.window.period;
  if (!std::isfinite(*x)) {
    if (!grid->empty()) ctx.budget.dropped_non_finite = true;
    return out;
  }
  for (int64_t t : *grid) out.points.push_back({t, *x});
  ctx.budget.points += out.points.size();
  return out;
}

Result<MathValue> time_function(std::string_view name, const MathValue& v, EvalContext& ctx) {
  const Series* s = std::get_if<Series>(&v);
  if (s == nullptr) return invalid(std::string(name) + " expects a time series, not " + type_name(v));
  auto grid = grid_timestamps(ctx, s->period);
  if (!grid) return error(grid.error());
  Series out{s->label, s->period, {}};
  for (int64_t t : *grid) {
    const double v = time_field(name, t);
    if (std::isfinite(v)) out.points.push_back({t, v});
  }
  ctx.budget.points += out.points.size();
  return out;
}

constexpr std::string_view kElementwise[] = {"ABS", "CEIL", "FLOOR", "LOG", "LOG10"};
constexpr std::string_view kSequential[] = {"RATE", "DIFF", "DIFF_TIME", "RUNNING_SUM"};
constexpr std::string_view kTimeFields[] = {"MINUTE", "HOUR", "DAY", "DATE", "MONTH", "YEAR", "EPOCH"};
// AWS functions that need data runnel does not have.
constexpr std::string_view kUnsupported[] = {
    "SEARCH", "ANOMALY_DETECTION_BAND", "INSIGHT_RULE_METRIC", "SERVICE_QUOTA", "LAMBDA", "DB_PERF_INSIGHTS",
    "SELECT", "LINEAR_REGRESSION",      "FORECAST_BAND",       "AVG_OVER_TIME"};

template <std::size_t N>
bool one_of(std::string_view name, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), name) != std::end(set);
}

std::function<double(double)> elementwise_function(std::string_view name) {
  if (name == "ABS") return [](double x) { return std::fabs(x); };
  if (name == "CEIL") return [](double x) { return std::ceil(x); };
  if (name == "FLOOR") return [](double x) { return std::floor(x); };
  if (name == "LOG") return [](double x) { return std::log(x); };
  return [](double x) { return std::log10(x); };
}

// Evaluates the call's only argument, checking the arity.
Result<MathValue> single_argument(const MathNode& call, EvalContext& ctx) {
  if (call.children.size() != 1) {
    return invalid(call.text + " takes 1 argument, not " + std::to_string(call.children.size()));
  }
  return evaluate_node(call.children[0], ctx);
}

}  // namespace

Result<MathValue> call_function(const MathNode& call, EvalContext& ctx) {
  const std::string_view name = call.text;
  if (name == "METRICS") return metrics_function(call, ctx);
  if (name == "PERIOD") return period_function(call, ctx);
  if (name == "TIME_SERIES") return time_series_function(call, ctx);
  if (name == "FILL") return fill_function(call, ctx);
  if (name == "IF") return if_function(call, ctx);
  if (name == "SORT" || name == "SLICE") {
    if (call.children.empty()) return invalid(call.text + " takes an array of time series first");
    auto arr = evaluate_node(call.children[0], ctx);
    if (!arr) return arr;
    SeriesArray* a = std::get_if<SeriesArray>(&*arr);
    if (a == nullptr) return invalid(call.text + " expects an array of time series, not " + type_name(*arr));
    return name == "SORT" ? sort_array(call, std::move(*a), ctx) : slice_array(call, std::move(*a), ctx);
  }
  const bool known = statistic_named(name) != nullptr || one_of(name, kElementwise) || one_of(name, kSequential) ||
                     one_of(name, kTimeFields) || name == "METRIC_COUNT" || name == "FIRST" || name == "LAST" ||
                     name == "REMOVE_EMPTY";
  if (!known) {
    if (one_of(name, kUnsupported)) return invalid("the function " + call.text + " is not supported by runnel");
    return invalid("unknown function '" + call.text + "'");
  }
  auto arg = single_argument(call, ctx);
  if (!arg) return arg;
  if (const Statistic stat = statistic_named(name)) return aggregate(name, stat, *arg, ctx.budget);
  if (one_of(name, kElementwise)) return elementwise(*arg, elementwise_function(name), ctx.budget);
  if (one_of(name, kSequential)) return sequential(name, *arg, ctx.budget);
  if (one_of(name, kTimeFields)) return time_function(name, *arg, ctx);
  SeriesArray* a = std::get_if<SeriesArray>(&*arg);
  if (a == nullptr) return invalid(call.text + " expects an array of time series, not " + type_name(*arg));
  if (name == "METRIC_COUNT") return static_cast<double>(a->size());
  if (name == "REMOVE_EMPTY") {
    std::erase_if(*a, [](const Series& s) { return s.points.empty(); });
    return std::move(*a);
  }
  if (a->empty()) return Series{};  // FIRST/LAST of an empty array: an empty series
  return name == "FIRST" ? std::move(a->front()) : std::move(a->back());
}

}  // namespace runnel::cloudwatch
