#pragma once
// GetMetricData's dynamic labels (CloudWatch's "Use dynamic labels"): a
// label's `${...}` placeholders replaced by the metric's properties and by
// summary statistics of the result's points.
//   ${PROP('MetricName')}, ${PROP('Namespace')}, ${PROP('Period')},
//   ${PROP('Stat')}, ${PROP('Dim.<name>')}  (MetricStat queries)
//   ${LABEL}                 the label CloudWatch would give without one
//   ${AVG} ${SUM} ${MIN} ${MAX} ${FIRST} ${LAST} ${DATAPOINT_COUNT}
// A placeholder runnel does not know, or a property the query lacks, is
// left as written. Pure function.

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "cloudwatch/metric_math.h"

namespace runnel::cloudwatch {

// `properties` maps PROP names ("MetricName", "Dim.Host", ...) to values;
// `points` are the result's, in ascending time order.
std::string expand_dynamic_label(std::string_view label, const std::map<std::string, std::string>& properties,
                                 std::string_view default_label, std::span<const Datapoint> points);

}  // namespace runnel::cloudwatch
