// ListMetrics: the metrics the store holds data for, filtered and paged.

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/request_values.h"

namespace runnel::cloudwatch {

using protocol::Value;

protocol::ApiResult<Value> CloudWatchService::list_metrics(const Value& in) {
  metrics::ListMetricsQuery q;
  if (const Value* ns = in.find("Namespace")) q.ns = ns->as_string();
  if (const Value* name = in.find("MetricName")) q.metric_name = name->as_string();
  if (const Value* dims = in.find("Dimensions")) {
    for (const Value& d : dims->as_array()) {
      metrics::DimensionFilter f;
      f.name = d.find("Name")->as_string();
      if (const Value* v = d.find("Value")) f.value = v->as_string();
      q.dimensions.push_back(std::move(f));
    }
  }
  q.recently_active = in.find("RecentlyActive") != nullptr;
  if (const Value* token = in.find("NextToken")) q.next_token = token->as_string();
  auto page = metrics_.store().list_metrics(q);
  if (!page) return std::unexpected(invalid_parameter_value("The value for parameter NextToken is invalid."));
  protocol::Array list;
  for (const metrics::MetricId& id : page->metrics) {
    Value m = protocol::Object{};
    m.set("Namespace", id.ns());
    m.set("MetricName", id.name());
    protocol::Array dims;
    for (const metrics::Dimension& d : id.dimensions()) {
      Value dim = protocol::Object{};
      dim.set("Name", d.name);
      dim.set("Value", d.value);
      dims.push_back(std::move(dim));
    }
    m.set("Dimensions", Value(std::move(dims)));
    list.push_back(std::move(m));
  }
  Value out = protocol::Object{};
  out.set("Metrics", Value(std::move(list)));
  if (!page->next_token.empty()) out.set("NextToken", page->next_token);
  return out;
}

}  // namespace runnel::cloudwatch
