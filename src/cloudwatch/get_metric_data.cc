// GetMetricData: MetricStat queries read from the store, Expression queries
// evaluated by metric math (metric_math.h) over them, results in
// ScanBy order. runnel answers every query whole: no NextToken paging; a
// result beyond MaxDatapoints is cut with StatusCode PartialData.

#include <algorithm>

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/metric_math.h"
#include "cloudwatch/request_values.h"
#include "metrics/query_plan.h"

namespace runnel::cloudwatch {

using protocol::Value;

protocol::ApiError statistics_query_error(const metrics::QueryError& e);  // get_metric_statistics.cc

namespace {

constexpr int64_t kDefaultMaxDatapoints = 100'800;

protocol::ApiError validation(std::string message) { return protocol::validation_error(std::move(message)); }

std::string member(size_t i) { return "MetricDataQueries.member." + std::to_string(i + 1); }

Value result_value(const std::string& id, const std::string& label, std::vector<Datapoint> points,
                   const std::vector<MetricMathMessage>& messages, bool descending, int64_t& budget) {
  if (descending) std::reverse(points.begin(), points.end());
  bool partial = false;
  if (static_cast<int64_t>(points.size()) > budget) {
    points.resize(static_cast<size_t>(std::max<int64_t>(budget, 0)));
    partial = true;
  }
  budget -= static_cast<int64_t>(points.size());
  protocol::Array timestamps, values;
  timestamps.reserve(points.size());
  values.reserve(points.size());
  for (const Datapoint& p : points) {
    timestamps.emplace_back(timestamp_of(p.timestamp));
    values.emplace_back(p.value);
  }
  Value r = protocol::Object{};
  r.set("Id", id);
  r.set("Label", label);
  r.set("Timestamps", Value(std::move(timestamps)));
  r.set("Values", Value(std::move(values)));
  r.set("StatusCode", std::string(partial ? "PartialData" : "Complete"));
  protocol::Array msgs;
  for (const MetricMathMessage& m : messages) {
    Value msg = protocol::Object{};
    msg.set("Code", m.code);
    msg.set("Value", m.value);
    msgs.push_back(std::move(msg));
  }
  if (!msgs.empty()) r.set("Messages", Value(std::move(msgs)));
  return r;
}

}  // namespace

protocol::ApiResult<Value> CloudWatchService::get_metric_data(const Value& in) {
  const auto& queries = in.find("MetricDataQueries")->as_array();
  if (queries.empty()) return std::unexpected(missing_parameter("The parameter MetricDataQueries is required."));
  if (queries.size() > kMaxQueries)
    return std::unexpected(validation("The collection MetricDataQueries must not have a size greater than " +
                                      std::to_string(kMaxQueries) + "."));
  const metrics::TimePoint start = time_point(*in.find("StartTime"));
  const metrics::TimePoint end = time_point(*in.find("EndTime"));
  const bool descending = !in.find("ScanBy") || in.find("ScanBy")->as_string() == "TimestampDescending";
  int64_t budget = in.find("MaxDatapoints") ? in.find("MaxDatapoints")->as_int() : kDefaultMaxDatapoints;

  std::vector<MetricMathQuery> math;
  std::vector<bool> returned;
  std::vector<std::string> labels;
  int64_t min_period = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const Value& q = queries[i];
    const Value* stat = q.find("MetricStat");
    const Value* expression = q.find("Expression");
    if ((stat != nullptr) == (expression != nullptr))
      return std::unexpected(validation("The parameter " + member(i) +
                                        " must specify exactly one of MetricStat and Expression."));
    MetricMathQuery mq;
    mq.id = q.find("Id")->as_string();
    mq.label = q.find("Label") ? q.find("Label")->as_string() : "";
    returned.push_back(!q.find("ReturnData") || q.find("ReturnData")->as_bool());
    if (expression) {
      mq.expression = expression->as_string();
      mq.period = q.find("Period") ? q.find("Period")->as_int() : 0;
    } else {
      const std::string& s = stat->find("Stat")->as_string();
      if (!is_known_statistic(s))
        return std::unexpected(validation("The value " + s + " for parameter " + member(i) +
                                          ".MetricStat.Stat is not supported."));
      auto id = metric_id_from(*stat->find("Metric"), member(i) + ".MetricStat.Metric.");
      if (!id) return std::unexpected(id.error());
      mq.period = stat->find("Period")->as_int();
      if (mq.label.empty()) mq.label = id->name();
      auto points = metrics_.store().statistics(*id, unit_from(*stat), start, end, mq.period, kMaxGridPoints);
      if (!points) return std::unexpected(statistics_query_error(points.error()));
      // One value per period: the units the metric was recorded with, merged.
      for (size_t k = 0; k < points->size();) {
        metrics::Aggregate merged = (*points)[k].aggregate;
        auto ts = (*points)[k].timestamp;
        for (++k; k < points->size() && (*points)[k].timestamp == ts; ++k) merged.merge((*points)[k].aggregate);
        if (auto v = statistic_value(merged, s))
          mq.points.push_back({metrics::unix_seconds(ts), *v});
      }
      if (min_period == 0 || mq.period < min_period) min_period = mq.period;
    }
    labels.push_back(mq.label);
    math.push_back(std::move(mq));
  }

  MetricMathWindow window{metrics::unix_seconds(start), metrics::unix_seconds(end), min_period ? min_period : 60};
  auto evaluated = evaluate_metric_math(math, window);
  if (!evaluated) return std::unexpected(validation(evaluated.error().message()));

  protocol::Array results;
  size_t next_expression_result = 0;
  for (size_t i = 0; i < math.size(); ++i) {
    if (math[i].expression.empty()) {
      if (returned[i])
        results.push_back(result_value(math[i].id, labels[i], math[i].points, {}, descending, budget));
      continue;
    }
    // An expression gives one result or several (an array), all with its Id.
    while (next_expression_result < evaluated->size() && (*evaluated)[next_expression_result].id == math[i].id) {
      MetricMathResult& r = (*evaluated)[next_expression_result++];
      if (returned[i]) results.push_back(result_value(r.id, r.label, std::move(r.points), r.messages, descending, budget));
    }
  }
  Value out = protocol::Object{};
  out.set("MetricDataResults", Value(std::move(results)));
  out.set("Messages", Value(protocol::Array{}));
  return out;
}

}  // namespace runnel::cloudwatch
