#pragma once
// Reading CloudWatch inputs (validated against the model by the dispatcher,
// decoded into cloudwatch_shapes.h's structs) into metrics/ types, and CloudWatch's own error texts.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch_shapes.h"
#include "metrics/metric_id.h"
#include "metrics/series.h"
#include "metrics/unit.h"
#include "protocol/api_error.h"

namespace runnel::cloudwatch {

// {Namespace, MetricName, Dimensions:[{Name, Value}]} as a MetricId (`ns`
// or `name` null when absent; `where` prefixes member names in messages,
// e.g. "MetricDataQueries.member.1.MetricStat.Metric."); an error
// (MissingParameter) for an absent one or a dimension without name or
// value, InvalidParameterValue for repeated dimension names or more than 30.
protocol::ApiResult<metrics::MetricId> metric_id_from(const std::string* ns, const std::string* name,
                                                      const std::optional<std::vector<api::Dimension>>& dimensions,
                                                      std::string_view where);

// The Unit member, if present (the model's enum has been checked).
std::optional<metrics::Unit> unit_from(const std::optional<std::string>& unit);

metrics::TimePoint time_point(protocol::Timestamp timestamp);
protocol::Timestamp timestamp_of(int64_t unix_seconds);

// The value of a statistic ("Average", "Sum", "SampleCount", "Minimum",
// "Maximum", or an extended statistic "p0".."p100" such as "p99.9") of an
// aggregate; nullopt when it has none (percentiles of statistic sets).
std::optional<double> statistic_value(const metrics::Aggregate& a, std::string_view stat);
// Whether `stat` is one runnel can compute (the extended ones: pNN[.N]).
bool is_known_statistic(std::string_view stat);

// CloudWatch's error shapes (codes InvalidParameterValue,
// InvalidParameterCombination, MissingParameter).
protocol::ApiError invalid_parameter_value(std::string message);
protocol::ApiError invalid_parameter_combination(std::string message);
protocol::ApiError missing_parameter(std::string message);

}  // namespace runnel::cloudwatch
