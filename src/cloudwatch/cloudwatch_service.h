#pragma once
// CloudWatchService: the CloudWatch metrics API (PutMetricData,
// GetMetricStatistics, GetMetricData, ListMetrics) over runnel's metrics
// store, in the three protocols CloudWatch speaks (Smithy RPC v2 CBOR, AWS
// JSON 1.0, AWS Query: the dispatcher picks), and the Prometheus page
// GET /metrics. Every other operation of the model answers that runnel does
// not serve it.
//
// Threads: handlers run on net/ threads, concurrently; they read the store
// (its own reader lock) and record into the registry (per-series locks).
// The service holds no state of its own beyond its options.

#include <string>

#include "cloudwatch_shapes.h"
#include "metrics/metrics.h"
#include "protocol/service.h"
#include "protocol/typed_handler.h"

namespace runnel::cloudwatch {

struct CloudWatchOptions {
  // GET /metrics answers without a signature even with a credentials file.
  bool open_metrics_page = false;
};

class CloudWatchService final : public protocol::Service {
 public:
  // `metrics` must outlive the service.
  CloudWatchService(CloudWatchOptions options, metrics::Metrics& metrics);

  std::string_view name() const override { return "cloudwatch"; }
  protocol::OperationTable operations() override;
  std::vector<protocol::LocalRoute> local_routes() override;

 private:
  template <class T>
  using ApiResult = protocol::ApiResult<T>;

  // The operations, on typed shapes (cloudwatch_shapes.h, generated from the
  // model; protocol/typed_handler.h decodes and encodes them).
  ApiResult<protocol::NoOutput> put_metric_data(const api::PutMetricDataInput& in);
  ApiResult<api::GetMetricStatisticsOutput> get_metric_statistics(const api::GetMetricStatisticsInput& in);
  ApiResult<api::GetMetricDataOutput> get_metric_data(const api::GetMetricDataInput& in);
  ApiResult<api::ListMetricsOutput> list_metrics(const api::ListMetricsInput& in);

  CloudWatchOptions options_;
  metrics::Metrics& metrics_;
};

}  // namespace runnel::cloudwatch
