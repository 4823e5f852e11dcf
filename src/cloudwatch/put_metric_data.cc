// PutMetricData: custom metrics into the registry, durable at the next
// flush (docs/metrics-store.md). AWS's rules: no namespace under "AWS/",
// one of Value, StatisticValues or Values per datum, Values and Counts of
// the same length, timestamps from two weeks back to two hours ahead, a
// StorageResolution of 1 or 60.

#include <chrono>
#include <cmath>

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/request_values.h"

namespace runnel::cloudwatch {

namespace {

constexpr auto kMaxPast = std::chrono::hours(24 * 14);
constexpr auto kMaxFuture = std::chrono::hours(2);

std::string member(size_t i) { return "MetricData.member." + std::to_string(i + 1); }

}  // namespace

protocol::ApiResult<protocol::NoOutput> CloudWatchService::put_metric_data(const api::PutMetricDataInput& in) {
  const std::string& ns = in.namespace_;
  if (ns.starts_with("AWS/"))
    return std::unexpected(invalid_parameter_value("The value " + ns + " for parameter Namespace is invalid."));
  if (!in.metric_data || in.metric_data->empty())
    return std::unexpected(missing_parameter("The parameter MetricData is required."));
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
      const std::vector<double>& values = *d.values;
      for (size_t i = 0; i < values.size(); ++i) a.series->record_at(a.at, values[i], d.counts ? (*d.counts)[i] : 1.0);
    }
  }
  return protocol::NoOutput{};
}

}  // namespace runnel::cloudwatch
