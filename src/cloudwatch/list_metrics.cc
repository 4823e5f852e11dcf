// ListMetrics: the metrics the store holds data for, filtered and paged.

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/request_values.h"

namespace runnel::cloudwatch {

protocol::ApiResult<api::ListMetricsOutput> CloudWatchService::list_metrics(const api::ListMetricsInput& in) {
  metrics::ListMetricsQuery q;
  if (in.namespace_) q.ns = *in.namespace_;
  if (in.metric_name) q.metric_name = *in.metric_name;
  if (in.dimensions) {
    for (const api::DimensionFilter& d : *in.dimensions) {
      metrics::DimensionFilter f;
      f.name = d.name;
      if (d.value) f.value = *d.value;
      q.dimensions.push_back(std::move(f));
    }
  }
  q.recently_active = in.recently_active.has_value();
  if (in.next_token) q.next_token = *in.next_token;
  auto page = metrics_.store().list_metrics(q);
  if (!page) return std::unexpected(invalid_parameter_value("The value for parameter NextToken is invalid."));
  api::ListMetricsOutput out;
  auto& list = out.metrics.emplace();
  list.reserve(page->metrics.size());
  for (const metrics::MetricId& id : page->metrics) {
    api::Metric& m = list.emplace_back();
    m.namespace_ = id.ns();
    m.metric_name = id.name();
    auto& dims = m.dimensions.emplace();
    for (const metrics::Dimension& d : id.dimensions()) dims.push_back({d.name, d.value});
  }
  if (!page->next_token.empty()) out.next_token = page->next_token;
  return out;
}

}  // namespace runnel::cloudwatch
