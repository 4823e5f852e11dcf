// PutMetricData: custom metrics into the registry, durable at the next
// flush (docs/metrics-store.md). AWS's rules: no namespace under "AWS/",
// one of Value, StatisticValues or Values per datum, Values and Counts of
// the same length, timestamps from two weeks back to two hours ahead, a
// StorageResolution of 1 or 60, at most 1,000 datums, and every number finite
// and within -2^360..2^360 ("special values (for example, NaN, +Infinity,
// -Infinity) are not supported").

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/request_values.h"

namespace runnel::cloudwatch {

namespace {

constexpr auto kMaxPast = std::chrono::hours(24 * 14);
constexpr auto kMaxFuture = std::chrono::hours(2);

constexpr size_t kMaxDatums = 1000;
const double kMaxMagnitude = std::ldexp(1.0, 360);

std::string member(size_t i) { return "MetricData.member." + std::to_string(i + 1); }

// An InvalidParameterValue unless v is a number CloudWatch stores.
std::optional<protocol::ApiError> check_number(double v, const std::string& parameter) {
  if (std::isfinite(v) && std::fabs(v) <= kMaxMagnitude) return std::nullopt;
  char number[32];
  std::snprintf(number, sizeof number, "%.17g", v);
  std::string shown = std::isnan(v) ? "NaN" : std::isinf(v) ? (v > 0 ? "Infinity" : "-Infinity") : number;
  return invalid_parameter_value("The value " + shown + " for parameter " + parameter +
                                 " is invalid: values must be finite and within -2^360 to 2^360.");
}

std::optional<protocol::ApiError> check_numbers(const api::MetricDatum& d, const std::string& where) {
  if (d.value)
    if (auto e = check_number(*d.value, where + ".Value")) return e;
  for (const auto& [list, items] : {std::pair{"Values", &d.values}, std::pair{"Counts", &d.counts}}) {
    if (!*items) continue;
    const std::vector<double>& a = **items;
    for (size_t k = 0; k < a.size(); ++k)
      if (auto e = check_number(a[k], where + "." + list + ".member." + std::to_string(k + 1))) return e;
  }
  if (const auto& stats = d.statistic_values) {
    const std::pair<const char*, double> fields[] = {{"SampleCount", stats->sample_count},
                                                     {"Sum", stats->sum},
                                                     {"Minimum", stats->minimum},
                                                     {"Maximum", stats->maximum}};
    for (const auto& [field, v] : fields)
      if (auto e = check_number(v, where + ".StatisticValues." + field)) return e;
  }
  return std::nullopt;
}

}  // namespace

protocol::ApiResult<protocol::NoOutput> CloudWatchService::put_metric_data(const api::PutMetricDataInput& in) {
  const std::string& ns = in.namespace_;
  if (ns.starts_with("AWS/"))
    return std::unexpected(invalid_parameter_value("The value " + ns + " for parameter Namespace is invalid."));
  if (!in.metric_data || in.metric_data->empty())
    return std::unexpected(missing_parameter("The parameter MetricData is required."));
  if (in.metric_data->size() > kMaxDatums)
    return std::unexpected(invalid_parameter_value("The collection MetricData must not have a size greater than " +
                                                   std::to_string(kMaxDatums) + "."));
  const metrics::TimePoint now = metrics_.registry().now();

  // Checked whole before anything is recorded: a request is taken or refused as one.
  struct Datum {
    std::shared_ptr<metrics::Series> series;
    metrics::TimePoint at;
    const api::MetricDatum* datum;
  };
  std::vector<Datum> accepted;
  const std::vector<api::MetricDatum>& items = *in.metric_data;
  for (size_t i = 0; i < items.size(); ++i) {
    const api::MetricDatum& d = items[i];
    const std::string where = member(i);
    const bool value = d.value.has_value();
    const bool stats = d.statistic_values.has_value();
    const bool values = d.values.has_value();
    const bool counts = d.counts.has_value();
    if (value && stats)
      return std::unexpected(invalid_parameter_combination("The parameters " + where + ".Value and " + where +
                                                           ".StatisticValues are mutually exclusive and you have "
                                                           "specified both."));
    if (values && (value || stats))
      return std::unexpected(invalid_parameter_combination("The parameters " + where + ".Values and " + where +
                                                           (value ? ".Value" : ".StatisticValues") +
                                                           " are mutually exclusive and you have specified both."));
    if (!value && !stats && !values)
      return std::unexpected(missing_parameter("At least one of the parameters " + where + ".Value, " + where +
                                               ".StatisticValues and " + where + ".Values must be specified."));
    if (counts && !values)
      return std::unexpected(
          invalid_parameter_combination("The parameter " + where + ".Counts requires " + where + ".Values."));
    if (counts && d.counts->size() != d.values->size())
      return std::unexpected(invalid_parameter_value("The parameters " + where + ".Values and " + where +
                                                     ".Counts must be of the same size."));
    if (values && d.values->size() > 150)
      return std::unexpected(
          invalid_parameter_value("The collection " + where + ".Values must not have a size greater than 150."));
    if (auto e = check_numbers(d, where)) return std::unexpected(*e);
    if (stats && d.statistic_values->sample_count <= 0)
      return std::unexpected(
          invalid_parameter_value("The parameter " + where + ".StatisticValues.SampleCount must be greater than 0."));
    int64_t resolution = d.storage_resolution.value_or(60);
    if (resolution != 1 && resolution != 60)
      return std::unexpected(invalid_parameter_value("The value " + std::to_string(resolution) + " for parameter " +
                                                     where +
                                                     ".StorageResolution is invalid. Valid values are 1 "
                                                     "and 60."));
    metrics::TimePoint at = d.timestamp ? time_point(*d.timestamp) : now;
    if (at < now - kMaxPast)
      return std::unexpected(invalid_parameter_value("The parameter " + where +
                                                     ".Timestamp must specify a time no more than two weeks in the "
                                                     "past."));
    if (at > now + kMaxFuture)
      return std::unexpected(invalid_parameter_value("The parameter " + where +
                                                     ".Timestamp must specify a time no more than two hours in the "
                                                     "future."));
    auto id = metric_id_from(&ns, &d.metric_name, d.dimensions, where);
    if (!id) return std::unexpected(id.error());
    metrics::SeriesOptions options;
    options.high_resolution = resolution == 1;
    auto series = metrics_.registry().series(*id, unit_from(d.unit).value_or(metrics::Unit::kNone), options);
    if (options.high_resolution && !series->high_resolution()) series->set_high_resolution();
    accepted.push_back({std::move(series), at, &d});
  }

  for (const Datum& a : accepted) {
    const api::MetricDatum& d = *a.datum;
    if (d.value) {
      a.series->record_at(a.at, *d.value);
    } else if (const auto& stats = d.statistic_values) {
      a.series->record_statistics_at(
          a.at, metrics::StatisticSet{stats->sample_count, stats->sum, stats->minimum, stats->maximum});
    } else {
      // Validation accepted the datum with one of Value, StatisticValues, Values.
      const std::vector<double>& values = *d.values;  // NOLINT(bugprone-unchecked-optional-access)
      for (size_t i = 0; i < values.size(); ++i) a.series->record_at(a.at, values[i], d.counts ? (*d.counts)[i] : 1.0);
    }
  }
  return protocol::NoOutput{};
}

}  // namespace runnel::cloudwatch
