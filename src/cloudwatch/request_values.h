#pragma once
// Reading CloudWatch inputs (validated against the model by the dispatcher)
// into metrics/ types, and CloudWatch's own error texts.

#include <optional>
#include <string>
#include <string_view>

#include "metrics/metric_id.h"
#include "metrics/series.h"
#include "metrics/unit.h"
#include "protocol/api_error.h"
#include "protocol/value.h"

namespace runnel::cloudwatch {

// {Namespace, MetricName, Dimensions:[{Name, Value}]} as a MetricId; an
// error (InvalidParameterValue) for repeated dimension names or more than 30.
protocol::ApiResult<metrics::MetricId> metric_id_from(const protocol::Value& metric, std::string_view where);

// The Unit member, if present (the model's enum has been checked).
std::optional<metrics::Unit> unit_from(const protocol::Value& in);

metrics::TimePoint time_point(const protocol::Value& timestamp);
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
