#include "cloudwatch/metric_math_eval.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

namespace runnel::cloudwatch {
namespace {

std::unexpected<Status> invalid(std::string m) { return error(Status::invalid_argument(std::move(m))); }

const char* op_text(MathOp op) {
  switch (op) {
    case MathOp::kAdd: return "+";
    case MathOp::kSub: return "-";
    case MathOp::kMul: return "*";
    case MathOp::kDiv: return "/";
    case MathOp::kPow: return "^";
    case MathOp::kNeg: return "unary -";
    case MathOp::kEq: return "==";
    case MathOp::kNe: return "!=";
    case MathOp::kLt: return "<";
    case MathOp::kLe: return "<=";
    case MathOp::kGt: return ">";
    case MathOp::kGe: return ">=";
    case MathOp::kAnd: return "AND";
    case MathOp::kOr: return "OR";
  }
  return "?";
}

// The scalar function of a binary operator. Comparisons and logical
// operators give 1 (true) or 0 (false); a value is true when it is not 0.
std::function<double(double, double)> op_function(MathOp op) {
  switch (op) {
    case MathOp::kAdd: return [](double a, double b) { return a + b; };
    case MathOp::kSub: return [](double a, double b) { return a - b; };
    case MathOp::kMul: return [](double a, double b) { return a * b; };
    case MathOp::kDiv: return [](double a, double b) { return a / b; };
    case MathOp::kPow: return [](double a, double b) { return std::pow(a, b); };
    case MathOp::kEq: return [](double a, double b) { return a == b ? 1.0 : 0.0; };
    case MathOp::kNe: return [](double a, double b) { return a != b ? 1.0 : 0.0; };
    case MathOp::kLt: return [](double a, double b) { return a < b ? 1.0 : 0.0; };
    case MathOp::kLe: return [](double a, double b) { return a <= b ? 1.0 : 0.0; };
    case MathOp::kGt: return [](double a, double b) { return a > b ? 1.0 : 0.0; };
    case MathOp::kGe: return [](double a, double b) { return a >= b ? 1.0 : 0.0; };
    case MathOp::kAnd: return [](double a, double b) { return a != 0 && b != 0 ? 1.0 : 0.0; };
    case MathOp::kOr: return [](double a, double b) { return a != 0 || b != 0 ? 1.0 : 0.0; };
    case MathOp::kNeg: break;
  }
  return [](double a, double) { return -a; };
}

// S op S, S op TS, TS op TS, and either with TS[] element by element. Two
// arrays cannot be combined (AWS lists no such form).
Result<MathValue> apply_binary(MathOp op, const MathValue& a, const MathValue& b, EvalBudget& budget) {
  const auto f = op_function(op);
  if (const double* x = std::get_if<double>(&a)) {
    if (const double* y = std::get_if<double>(&b)) return f(*x, *y);
    if (const Series* s = std::get_if<Series>(&b)) {
      return map_series(
          *s, [&](double v) { return f(*x, v); }, budget);
    }
    SeriesArray out;
    for (const auto& s : std::get<SeriesArray>(b))
      out.push_back(map_series(
          s, [&](double v) { return f(*x, v); }, budget));
    return out;
  }
  if (const Series* s = std::get_if<Series>(&a)) {
    if (const double* y = std::get_if<double>(&b)) {
      return map_series(
          *s, [&](double v) { return f(v, *y); }, budget);
    }
    if (const Series* t = std::get_if<Series>(&b)) return join_series(*s, *t, f, budget);
    SeriesArray out;
    for (const auto& t : std::get<SeriesArray>(b)) {
      Series joined = join_series(*s, t, f, budget);
      joined.label = t.label;
      out.push_back(std::move(joined));
    }
    return out;
  }
  const auto& arr = std::get<SeriesArray>(a);
  if (std::holds_alternative<SeriesArray>(b)) {
    return invalid(std::string("the operator ") + op_text(op) + " cannot combine two arrays of time series (TS[] " +
                   op_text(op) + " TS[])");
  }
  SeriesArray out;
  for (const auto& s : arr) {
    if (const double* y = std::get_if<double>(&b)) {
      out.push_back(map_series(
          s, [&](double v) { return f(v, *y); }, budget));
    } else {
      out.push_back(join_series(s, std::get<Series>(b), f, budget));
    }
  }
  return out;
}

Result<MathValue> evaluate_array(const MathNode& node, EvalContext& ctx) {
  SeriesArray out;
  for (const auto& child : node.children) {
    auto v = evaluate_node(child, ctx);
    if (!v) return v;
    if (Series* s = std::get_if<Series>(&*v)) {
      out.push_back(std::move(*s));
    } else if (SeriesArray* a = std::get_if<SeriesArray>(&*v)) {
      // [METRICS("4xx"), METRICS("5xx")]: arrays are flattened.
      for (auto& s : *a) out.push_back(std::move(s));
    } else {
      return invalid("an array [...] holds time series, not scalars (element at column " +
                     std::to_string(child.position + 1) + ")");
    }
  }
  return out;
}

}  // namespace

Result<MathValue> evaluate_node(const MathNode& node, EvalContext& ctx) {
  if (ctx.budget.exhausted()) {
    return invalid("the request computes more than " + std::to_string(kMaxEvaluatedPoints) + " data points in all");
  }
  switch (node.kind) {
    case MathNode::Kind::kNumber: return node.number;
    case MathNode::Kind::kId: {
      const auto it = ctx.index.find(node.text);
      const std::optional<MathValue>* value = it == ctx.index.end() ? nullptr : &ctx.values[it->second];
      if (value == nullptr || !value->has_value()) return invalid("unknown Id '" + node.text + "'");
      ctx.budget.points += point_count(**value) + 1;
      return **value;
    }
    case MathNode::Kind::kString:
      return invalid("a string (\"" + node.text + "\") is only valid as the argument of METRICS()");
    case MathNode::Kind::kKeyword:
      return invalid("'" + node.text +
                     "' is neither a function call nor a value here (Ids start with a lower-case letter)");
    case MathNode::Kind::kArray: return evaluate_array(node, ctx);
    case MathNode::Kind::kUnary: {
      auto v = evaluate_node(node.children[0], ctx);
      if (!v) return v;
      return apply_binary(MathOp::kMul, MathValue(-1.0), *v, ctx.budget);
    }
    case MathNode::Kind::kBinary: {
      auto a = evaluate_node(node.children[0], ctx);
      if (!a) return a;
      auto b = evaluate_node(node.children[1], ctx);
      if (!b) return b;
      return apply_binary(node.op, *a, *b, ctx.budget);
    }
    case MathNode::Kind::kCall: return call_function(node, ctx);
  }
  return invalid("unsupported expression");
}

Result<std::vector<int64_t>> grid_timestamps(const EvalContext& ctx, int64_t period) {
  if (period <= 0) period = ctx.query_period;
  if (period <= 0) period = ctx.window.period;
  if (period <= 0) return invalid("the period must be positive to generate data points");
  std::vector<int64_t> out;
  if (ctx.window.end <= ctx.window.start) return out;
  // Overflow-safe count of start + k * period < end.
  const uint64_t span = static_cast<uint64_t>(ctx.window.end) - static_cast<uint64_t>(ctx.window.start);
  const uint64_t step = static_cast<uint64_t>(period);
  const uint64_t count = span / step + (span % step != 0 ? 1 : 0);
  if (count > static_cast<uint64_t>(kMaxGridPoints)) {
    return invalid("the time range holds " + std::to_string(count) + " periods of " + std::to_string(period) +
                   " seconds; at most " + std::to_string(kMaxGridPoints) + " data points can be generated");
  }
  out.reserve(count);
  // In uint64_t: k * step < span, and the sum wraps back into int64_t range.
  for (uint64_t k = 0; k < count; ++k)
    out.push_back(static_cast<int64_t>(static_cast<uint64_t>(ctx.window.start) + k * step));
  return out;
}

std::optional<double> value_at(const Series& s, int64_t t) {
  const auto it = std::lower_bound(s.points.begin(), s.points.end(), t,
                                   [](const Datapoint& p, int64_t ts) { return p.timestamp < ts; });
  if (it == s.points.end() || it->timestamp != t) return std::nullopt;
  return it->value;
}

}  // namespace runnel::cloudwatch
