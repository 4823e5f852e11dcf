#include "cloudwatch/request_values.h"

#include <charconv>
#include <cmath>

namespace runnel::cloudwatch {

protocol::ApiResult<metrics::MetricId> metric_id_from(const std::string* ns, const std::string* name,
                                                      const std::optional<std::vector<api::Dimension>>& dimensions,
                                                      std::string_view where) {
  std::vector<metrics::Dimension> dims;
  if (dimensions) {
    for (const api::Dimension& d : *dimensions) {
      // Never empty in a validated input (the model's minimum length is 1).
      if (d.name.empty() || d.value.empty())
        return std::unexpected(missing_parameter("The parameter " + std::string(where) +
                                                 ".Dimensions.member.N.Name and Value are required."));
      dims.push_back({d.name, d.value});
    }
  }
  for (size_t i = 0; i < dims.size(); ++i)
    for (size_t j = i + 1; j < dims.size(); ++j)
      if (dims[i].name == dims[j].name)
        return std::unexpected(invalid_parameter_value("No metric may have duplicate dimension names: " + dims[i].name +
                                                       " appears twice in " + std::string(where) + ".Dimensions."));
  if (!ns) return std::unexpected(missing_parameter("The parameter " + std::string(where) + "Namespace is required."));
  if (!name)
    return std::unexpected(missing_parameter("The parameter " + std::string(where) + "MetricName is required."));
  auto id = metrics::MetricId::make(*ns, *name, std::move(dims));
  if (!id) return std::unexpected(invalid_parameter_value(id.error().message()));
  return std::move(*id);
}

std::optional<metrics::Unit> unit_from(const std::optional<std::string>& unit) {
  if (!unit) return std::nullopt;
  return metrics::parse_unit(*unit);
}

metrics::TimePoint time_point(protocol::Timestamp timestamp) {
  return metrics::TimePoint(std::chrono::milliseconds(timestamp.millis));
}

protocol::Timestamp timestamp_of(int64_t unix_seconds) { return protocol::Timestamp{unix_seconds * 1000}; }

namespace {

// "p99.9" -> 99.9; nullopt unless "p" then a number in [0, 100] with at
// most 10 decimals (what CloudWatch accepts for percentiles).
std::optional<double> percentile_of(std::string_view stat) {
  if (stat.size() < 2 || stat[0] != 'p') return std::nullopt;
  std::string_view num = stat.substr(1);
  size_t dot = num.find('.');
  if (dot == 0 || (dot != std::string_view::npos && (dot == num.size() - 1 || num.size() - dot - 1 > 10)))
    return std::nullopt;
  for (char c : num)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return std::nullopt;
  double p = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), p);
  if (ec != std::errc() || end != num.data() + num.size() || p < 0 || p > 100) return std::nullopt;
  return p;
}

}  // namespace

std::optional<double> statistic_value(const metrics::Aggregate& a, std::string_view stat) {
  if (stat == "SampleCount") return a.count;
  if (stat == "Sum") return a.sum;
  if (stat == "Average") return a.average();
  if (stat == "Minimum") return a.min;
  if (stat == "Maximum") return a.max;
  if (auto p = percentile_of(stat)) return a.percentile(*p);
  return std::nullopt;
}

bool is_known_statistic(std::string_view stat) {
  return stat == "SampleCount" || stat == "Sum" || stat == "Average" || stat == "Minimum" || stat == "Maximum" ||
         percentile_of(stat).has_value();
}

protocol::ApiError invalid_parameter_value(std::string message) {
  return protocol::ApiError{"InvalidParameterValueException", std::move(message), 400, false};
}

protocol::ApiError invalid_parameter_combination(std::string message) {
  return protocol::ApiError{"InvalidParameterCombinationException", std::move(message), 400, false};
}

protocol::ApiError missing_parameter(std::string message) {
  return protocol::ApiError{"MissingRequiredParameterException", std::move(message), 400, false};
}

}  // namespace runnel::cloudwatch
