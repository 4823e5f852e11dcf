#include "cloudwatch/metric_math.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "cloudwatch/metric_math_eval.h"
#include "cloudwatch/metric_math_parser.h"

namespace runnel::cloudwatch {
namespace {

std::unexpected<Status> invalid(std::string m) { return error(Status::invalid_argument(std::move(m))); }

std::unexpected<Status> in_expression(const std::string& id, const Status& s) {
  return invalid("Error in expression " + id + ": " + s.message());
}

// AWS: "The valid characters are letters, numbers, and underscore. The first
// character must be a lowercase letter."
bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 255 || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Series metric_series(const MetricMathQuery& q) {
  Series s{q.label.empty() ? q.id : q.label, q.period, q.points};
  std::stable_sort(s.points.begin(), s.points.end(),
                   [](const Datapoint& a, const Datapoint& b) { return a.timestamp < b.timestamp; });
  s.points.erase(std::unique(s.points.begin(), s.points.end(),
                             [](const Datapoint& a, const Datapoint& b) { return a.timestamp == b.timestamp; }),
                 s.points.end());
  return s;
}

// Orders the expressions so that each comes after the expressions it refers
// to (Kahn's algorithm); what is left over sits on a cycle.
Result<std::vector<std::size_t>> evaluation_order(std::span<const MetricMathQuery> queries,
                                                  const std::vector<std::vector<std::size_t>>& deps) {
  const std::size_t n = queries.size();
  std::vector<std::size_t> pending(n, 0);
  std::vector<std::vector<std::size_t>> dependents(n);
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (queries[i].expression.empty()) continue;
    pending[i] = deps[i].size();
    for (std::size_t d : deps[i]) dependents[d].push_back(i);
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    const std::size_t i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (std::size_t j : dependents[i]) {
      if (--pending[j] == 0) ready.push_back(j);
    }
  }
  std::vector<std::string> stuck;
  for (std::size_t i = 0; i < n; ++i) {
    if (!queries[i].expression.empty() && pending[i] != 0) stuck.push_back(queries[i].id);
  }
  if (stuck.empty()) return order;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::find(deps[i].begin(), deps[i].end(), i) != deps[i].end()) {
      return invalid("Error in expression " + queries[i].id + ": the expression refers to itself");
    }
  }
  std::string ids;
  for (const auto& id : stuck) ids += (ids.empty() ? "" : ", ") + id;
  return invalid("Circular reference between the expressions " + ids +
                 " (or expressions referring to them): an expression cannot depend on its own result");
}

// The MetricDataResults of one expression's final value.
Result<std::vector<MetricMathResult>> results_of(const MetricMathQuery& q, MathValue value, bool dropped) {
  std::vector<MetricMathMessage> messages;
  if (dropped) messages.push_back({kArithmeticErrorCode, kArithmeticErrorMessage});
  std::vector<MetricMathResult> out;
  if (std::holds_alternative<double>(value)) {
    return invalid(
        "Error in expression " + q.id +
        ": the final result of an expression must be a time series or an array of time series, not a scalar; "
        "use the scalar within a larger expression (e.g. m1 - AVG(m1)) or wrap it in TIME_SERIES()");
  }
  if (Series* s = std::get_if<Series>(&value)) {
    out.push_back({q.id, q.label.empty() ? q.id : q.label, std::move(s->points), messages});
    return out;
  }
  for (auto& s : std::get<SeriesArray>(value)) {
    // AWS's legend format "Expression-Label Metric-Label"; the metric's label
    // alone when the expression has none.
    std::string label = q.label.empty() ? s.label : q.label + " " + s.label;
    out.push_back({q.id, std::move(label), std::move(s.points), messages});
  }
  return out;
}

}  // namespace

Result<std::vector<MetricMathResult>> evaluate_metric_math(std::span<const MetricMathQuery> queries,
                                                           const MetricMathWindow& window) {
  if (queries.size() > kMaxQueries) {
    return invalid("The request has " + std::to_string(queries.size()) + " queries; at most " +
                   std::to_string(kMaxQueries) + " are allowed");
  }
  EvalContext ctx;
  ctx.queries = queries;
  ctx.window = window;
  ctx.values.resize(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const auto& q = queries[i];
    if (!valid_id(q.id)) {
      return invalid("Invalid Id '" + q.id +
                     "': an Id holds letters, numbers and underscores, starts with a lower-case letter and has at most "
                     "255 characters");
    }
    if (!ctx.index.emplace(q.id, i).second)
      return invalid("Duplicate Id '" + q.id + "': the Ids of a request must be unique");
    if (q.expression.empty()) ctx.values[i] = metric_series(q);
  }
  std::vector<MathNode> trees(queries.size());
  std::vector<std::vector<std::size_t>> deps(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const auto& q = queries[i];
    if (q.expression.empty()) continue;
    auto tree = parse_metric_math(q.expression);
    if (!tree) return in_expression(q.id, tree.error());
    std::vector<std::string> ids;
    collect_ids(*tree, ids);
    for (const auto& id : ids) {
      const auto it = ctx.index.find(id);
      if (it == ctx.index.end()) {
        return invalid("Error in expression " + q.id + ": unknown Id '" + id +
                       "' (no query of the request has this Id)");
      }
      if (!queries[it->second].expression.empty() &&
          std::find(deps[i].begin(), deps[i].end(), it->second) == deps[i].end()) {
        deps[i].push_back(it->second);
      }
    }
    trees[i] = std::move(*tree);
  }
  auto order = evaluation_order(queries, deps);
  if (!order) return error(order.error());

  std::vector<std::vector<MetricMathResult>> per_query(queries.size());
  for (std::size_t i : *order) {
    const auto& q = queries[i];
    ctx.query_period = q.period;
    ctx.budget.dropped_non_finite = false;
    auto value = evaluate_node(trees[i], ctx);
    if (!value) return in_expression(q.id, value.error());
    auto results = results_of(q, *value, ctx.budget.dropped_non_finite);
    if (!results) return error(results.error());
    per_query[i] = std::move(*results);
    ctx.values[i] = std::move(*value);
  }
  std::vector<MetricMathResult> out;
  for (auto& results : per_query) {
    for (auto& r : results) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace runnel::cloudwatch
