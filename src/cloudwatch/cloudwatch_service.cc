#include "cloudwatch/cloudwatch_service.h"

#include "cloudwatch/model.h"
#include "metrics/prometheus.h"

namespace runnel::cloudwatch {

CloudWatchService::CloudWatchService(CloudWatchOptions options, metrics::Metrics& metrics)
    : options_(options), metrics_(metrics) {}

protocol::OperationTable CloudWatchService::operations() {
  // Each handler runs on the calling net/ thread and replies before returning.
  auto sync = [this]<class In, class Out>(ApiResult<Out> (CloudWatchService::*fn)(const In&)) {
    return protocol::typed<In, Out>(
        [this, fn](const In& in, const protocol::RequestContext&) { return (this->*fn)(in); });
  };
  protocol::OperationTable table(cloudwatch_model());
  table.on("PutMetricData", sync(&CloudWatchService::put_metric_data))
      .on("GetMetricStatistics", sync(&CloudWatchService::get_metric_statistics))
      .on("GetMetricData", sync(&CloudWatchService::get_metric_data))
      .on("ListMetrics", sync(&CloudWatchService::list_metrics))
      .otherwise([](const protocol::OperationModel& op, protocol::Value, const protocol::RequestContext&,
                    protocol::OperationReply reply) {
        // Alarms, dashboards, metric streams, insight rules...: not served.
        reply(std::unexpected(
            protocol::ApiError{"InvalidAction",
                               "runnel does not serve the CloudWatch operation " + std::string(op.name) +
                                   "; it serves PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics.",
                               400, false}));
      });
  return table;
}

std::vector<protocol::LocalRoute> CloudWatchService::local_routes() {
  protocol::LocalRoute page;
  page.method = "GET";
  page.path = "/metrics";
  page.open = options_.open_metrics_page;
  page.handle = [this](const net::HttpRequest&, net::ResponseSink& sink) {
    net::HttpResponse resp;
    resp.headers.push_back({"Content-Type", "text/plain; version=0.0.4; charset=utf-8"});
    resp.body = metrics::render_prometheus(metrics_.registry());
    sink.send(std::move(resp));
  };
  return {std::move(page)};
}

}  // namespace runnel::cloudwatch
