// GetMetricData: MetricStat queries read from the store, Expression queries
// evaluated by metric math (metric_math.h) over them, results in
// ScanBy order. runnel answers every query whole: no NextToken paging; a
// result beyond MaxDatapoints is cut with StatusCode PartialData.

#include <algorithm>
#include <map>

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/dynamic_labels.h"
#include "cloudwatch/metric_math.h"
#include "cloudwatch/request_values.h"
#include "metrics/query_plan.h"

namespace runnel::cloudwatch {

protocol::ApiError statistics_query_error(const metrics::QueryError& e);  // get_metric_statistics.cc

namespace {

constexpr int64_t kDefaultMaxDatapoints = 100'800;

protocol::ApiError validation(std::string message) { return protocol::validation_error(std::move(message)); }

std::string member(size_t i) { return "MetricDataQueries.member." + std::to_string(i + 1); }

api::MetricDataResult result_of(const std::string& id, const std::string& label, std::vector<Datapoint> points,
                                const std::vector<MetricMathMessage>& messages, bool descending, int64_t& budget) {
  if (descending) std::reverse(points.begin(), points.end());
  bool partial = false;
  if (static_cast<int64_t>(points.size()) > budget) {
    points.resize(static_cast<size_t>(std::max<int64_t>(budget, 0)));
    partial = true;
  }
  budget -= static_cast<int64_t>(points.size());
  api::MetricDataResult r;
  r.id = id;
  r.label = label;
  auto& timestamps = r.timestamps.emplace();
  auto& values = r.values.emplace();
  timestamps.reserve(points.size());
  values.reserve(points.size());
  for (const Datapoint& p : points) {
    timestamps.push_back(timestamp_of(p.timestamp));
    values.push_back(p.value);
  }
  r.status_code = std::string(partial ? api::StatusCode::kPartialData : api::StatusCode::kComplete);
  if (!messages.empty()) {
    auto& msgs = r.messages.emplace();
    for (const MetricMathMessage& m : messages) {
      api::MessageData& msg = msgs.emplace_back();
      msg.code = m.code;
      msg.value = m.value;
    }
  }
  return r;
}

}  // namespace

protocol::ApiResult<api::GetMetricDataOutput> CloudWatchService::get_metric_data(const api::GetMetricDataInput& in) {
  const std::vector<api::MetricDataQuery>& queries = in.metric_data_queries;
  if (queries.empty()) return std::unexpected(missing_parameter("The parameter MetricDataQueries is required."));
  if (queries.size() > kMaxQueries)
    return std::unexpected(validation("The collection MetricDataQueries must not have a size greater than " +
                                      std::to_string(kMaxQueries) + "."));
  const metrics::TimePoint start = time_point(in.start_time);
  const metrics::TimePoint end = time_point(in.end_time);
  const bool descending = !in.scan_by || *in.scan_by == api::ScanBy::kTimestampDescending;
  int64_t budget = in.max_datapoints.value_or(kDefaultMaxDatapoints);

  std::vector<MetricMathQuery> math;
  std::vector<bool> returned;
  std::vector<std::string> labels;
  std::vector<std::map<std::string, std::string>> properties;  // for dynamic labels
  std::vector<std::string> default_labels;
  int64_t min_period = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const api::MetricDataQuery& q = queries[i];
    const auto& stat = q.metric_stat;
    if (stat.has_value() == q.expression.has_value())
      return std::unexpected(
          validation("The parameter " + member(i) + " must specify exactly one of MetricStat and Expression."));
    MetricMathQuery mq;
    mq.id = q.id;
    mq.label = q.label.value_or("");
    std::map<std::string, std::string> props;
    std::string default_label = q.id;
    returned.push_back(q.return_data.value_or(true));
    if (q.expression) {
      mq.expression = *q.expression;
      mq.period = q.period.value_or(0);
    } else {
      const std::string& s = stat->stat;
      if (!is_known_statistic(s))
        return std::unexpected(
            validation("The value " + s + " for parameter " + member(i) + ".MetricStat.Stat is not supported."));
      const api::Metric& metric = stat->metric;
      auto id = metric_id_from(metric.namespace_ ? &*metric.namespace_ : nullptr,
                               metric.metric_name ? &*metric.metric_name : nullptr, metric.dimensions,
                               member(i) + ".MetricStat.Metric.");
      if (!id) return std::unexpected(id.error());
      mq.period = stat->period;
      default_label = id->name();
      if (mq.label.empty()) mq.label = id->name();
      props = {
          {"MetricName", id->name()}, {"Namespace", id->ns()}, {"Period", std::to_string(stat->period)}, {"Stat", s}};
      for (const metrics::Dimension& d : id->dimensions()) props["Dim." + d.name] = d.value;
      auto points = metrics_.store().statistics(*id, unit_from(stat->unit), start, end, mq.period, kMaxGridPoints);
      if (!points) return std::unexpected(statistics_query_error(points.error()));
      // One value per period: the units the metric was recorded with, merged.
      for (size_t k = 0; k < points->size();) {
        metrics::Aggregate merged = (*points)[k].aggregate;
        auto ts = (*points)[k].timestamp;
        for (++k; k < points->size() && (*points)[k].timestamp == ts; ++k) merged.merge((*points)[k].aggregate);
        if (auto v = statistic_value(merged, s)) mq.points.push_back({metrics::unix_seconds(ts), *v});
      }
      if (min_period == 0 || mq.period < min_period) min_period = mq.period;
    }
    labels.push_back(mq.label);
    properties.push_back(std::move(props));
    default_labels.push_back(std::move(default_label));
    math.push_back(std::move(mq));
  }

  MetricMathWindow window{metrics::unix_seconds(start), metrics::unix_seconds(end), min_period ? min_period : 60};
  auto evaluated = evaluate_metric_math(math, window);
  if (!evaluated) return std::unexpected(validation(evaluated.error().message()));

  api::GetMetricDataOutput out;
  auto& results = out.metric_data_results.emplace();
  size_t next_expression_result = 0;
  for (size_t i = 0; i < math.size(); ++i) {
    if (math[i].expression.empty()) {
      if (returned[i])
        results.push_back(result_of(math[i].id,
                                    expand_dynamic_label(labels[i], properties[i], default_labels[i], math[i].points),
                                    math[i].points, {}, descending, budget));
      continue;
    }
    // An expression gives one result or several (an array), all with its Id.
    while (next_expression_result < evaluated->size() && (*evaluated)[next_expression_result].id == math[i].id) {
      MetricMathResult& r = (*evaluated)[next_expression_result++];
      if (!returned[i]) continue;
      std::string label = expand_dynamic_label(r.label, properties[i], default_labels[i], r.points);
      results.push_back(result_of(r.id, label, std::move(r.points), r.messages, descending, budget));
    }
  }
  out.messages.emplace();
  return out;
}

}  // namespace runnel::cloudwatch
