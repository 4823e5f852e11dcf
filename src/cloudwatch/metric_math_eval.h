#pragma once
// Evaluation of one parsed expression against the values already computed
// for the request's other queries. Internal to cloudwatch/ (metric_math.cc is
// the entry point). Pure; any thread, one EvalContext per thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloudwatch/metric_math.h"
#include "cloudwatch/metric_math_parser.h"
#include "cloudwatch/metric_math_value.h"

namespace runnel::cloudwatch {

struct EvalContext {
  std::span<const MetricMathQuery> queries;
  MetricMathWindow window;
  std::unordered_map<std::string, std::size_t> index;  // Id -> position in queries
  std::vector<std::optional<MathValue>> values;        // by position; metrics first, expressions once evaluated
  int64_t query_period = 0;                            // Period of the expression being evaluated (0 = unset)
  EvalBudget budget;
};

// Evaluates `node`. Errors are Status::invalid_argument whose message says
// what is wrong (the caller prefixes the query's Id).
[[nodiscard]] Result<MathValue> evaluate_node(const MathNode& node, EvalContext& ctx);

// Evaluates a kCall node (metric_math_functions.cc).
[[nodiscard]] Result<MathValue> call_function(const MathNode& call, EvalContext& ctx);

// The timestamps start + k * period in [window.start, window.end), period
// being `period` if positive, else the expression's, else the window's.
// More than kMaxGridPoints timestamps is an error.
[[nodiscard]] Result<std::vector<int64_t>> grid_timestamps(const EvalContext& ctx, int64_t period);

// The value of `s` at timestamp t, if it has one (binary search).
std::optional<double> value_at(const Series& s, int64_t t);

}  // namespace runnel::cloudwatch
