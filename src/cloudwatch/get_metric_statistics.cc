// GetMetricStatistics: the store's periods of one metric, with the asked
// statistics (docs/cloudwatch.md).

#include <algorithm>

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/request_values.h"
#include "metrics/query_plan.h"

namespace runnel::cloudwatch {

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

namespace {

// The Datapoint member that holds `stat` (one of the model's Statistic enum).
std::optional<double>* statistic_member(api::Datapoint& dp, std::string_view stat) {
  if (stat == api::Statistic::kSampleCount) return &dp.sample_count;
  if (stat == api::Statistic::kAverage) return &dp.average;
  if (stat == api::Statistic::kSum) return &dp.sum;
  if (stat == api::Statistic::kMinimum) return &dp.minimum;
  if (stat == api::Statistic::kMaximum) return &dp.maximum;
  return nullptr;
}

}  // namespace

protocol::ApiResult<api::GetMetricStatisticsOutput> CloudWatchService::get_metric_statistics(
    const api::GetMetricStatisticsInput& in) {
  const auto& stats = in.statistics;
  const auto& extended = in.extended_statistics;
  if (!stats && !extended)
    return std::unexpected(invalid_parameter_combination(
        "At least one of the parameters Statistics and ExtendedStatistics must be specified."));
  if (stats && extended)
    return std::unexpected(invalid_parameter_combination(
        "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both."));
  if (extended) {
    for (const std::string& e : *extended)
      if (!e.starts_with("p") || !is_known_statistic(e))
        return std::unexpected(
            invalid_parameter_value("The value " + e + " for parameter ExtendedStatistics is not supported."));
  }
  auto id = metric_id_from(&in.namespace_, &in.metric_name, in.dimensions, "");
  if (!id) return std::unexpected(id.error());
  auto points = metrics_.store().statistics(*id, unit_from(in.unit), time_point(in.start_time), time_point(in.end_time),
                                            in.period);
  if (!points) return std::unexpected(query_error(points.error()));

  api::GetMetricStatisticsOutput out;
  out.label = id->name();
  auto& datapoints = out.datapoints.emplace();
  datapoints.reserve(points->size());
  for (const metrics::Datapoint& p : *points) {
    api::Datapoint& dp = datapoints.emplace_back();
    dp.timestamp = protocol::Timestamp{
        std::chrono::duration_cast<std::chrono::milliseconds>(p.timestamp.time_since_epoch()).count()};
    if (stats) {
      for (const std::string& s : *stats)
        if (auto v = statistic_value(p.aggregate, s))
          if (std::optional<double>* slot = statistic_member(dp, s)) *slot = *v;
    } else {
      auto& map = dp.extended_statistics.emplace();
      for (const std::string& e : *extended) {
        auto v = statistic_value(p.aggregate, e);
        if (!v) continue;
        // A statistic asked twice is answered once.
        auto it = std::find_if(map.begin(), map.end(), [&](const auto& kv) { return kv.first == e; });
        if (it != map.end())
          it->second = *v;
        else
          map.emplace_back(e, *v);
      }
    }
    dp.unit = std::string(metrics::unit_name(p.unit));
  }
  return out;
}

}  // namespace runnel::cloudwatch
