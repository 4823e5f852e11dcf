// GetMetricStatistics: the store's periods of one metric, with the asked
// statistics (docs/cloudwatch.md).

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/request_values.h"
#include "metrics/query_plan.h"

namespace runnel::cloudwatch {

using protocol::Value;

namespace {

protocol::ApiError query_error(const metrics::QueryError& e) {
  switch (e.code) {
    case metrics::QueryErrorCode::kStorage: return protocol::internal_failure(e.message);
    case metrics::QueryErrorCode::kInvalidPeriod:
    case metrics::QueryErrorCode::kInvalidTimeRange: return invalid_parameter_value(e.message);
    case metrics::QueryErrorCode::kPeriodTooFineForAge:
    case metrics::QueryErrorCode::kTooManyDatapoints: return invalid_parameter_combination(e.message);
  }
  return invalid_parameter_value(e.message);
}

}  // namespace

protocol::ApiError statistics_query_error(const metrics::QueryError& e) { return query_error(e); }

protocol::ApiResult<Value> CloudWatchService::get_metric_statistics(const Value& in) {
  const Value* stats = in.find("Statistics");
  const Value* extended = in.find("ExtendedStatistics");
  if (!stats && !extended)
    return std::unexpected(invalid_parameter_combination(
        "At least one of the parameters Statistics and ExtendedStatistics must be specified."));
  if (stats && extended)
    return std::unexpected(invalid_parameter_combination(
        "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both."));
  if (extended) {
    for (const Value& e : extended->as_array())
      if (!e.as_string().starts_with("p") || !is_known_statistic(e.as_string()))
        return std::unexpected(invalid_parameter_value("The value " + e.as_string() +
                                                       " for parameter ExtendedStatistics is not supported."));
  }
  auto id = metric_id_from(in, "");
  if (!id) return std::unexpected(id.error());
  auto points = metrics_.store().statistics(*id, unit_from(in), time_point(*in.find("StartTime")),
                                            time_point(*in.find("EndTime")), in.find("Period")->as_int());
  if (!points) return std::unexpected(query_error(points.error()));

  protocol::Array datapoints;
  for (const metrics::Datapoint& p : *points) {
    Value dp = protocol::Object{};
    dp.set("Timestamp", protocol::Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(
                                                p.timestamp.time_since_epoch())
                                                .count()});
    if (stats) {
      for (const Value& s : stats->as_array())
        if (auto v = statistic_value(p.aggregate, s.as_string())) dp.set(s.as_string(), *v);
    } else {
      Value map = protocol::Object{};
      for (const Value& e : extended->as_array())
        if (auto v = statistic_value(p.aggregate, e.as_string())) map.set(e.as_string(), *v);
      dp.set("ExtendedStatistics", std::move(map));
    }
    dp.set("Unit", std::string(metrics::unit_name(p.unit)));
    datapoints.push_back(std::move(dp));
  }
  Value out = protocol::Object{};
  out.set("Label", id->name());
  out.set("Datapoints", Value(std::move(datapoints)));
  return out;
}

}  // namespace runnel::cloudwatch
