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

#include "metrics/metrics.h"
#include "protocol/service.h"

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
  using Value = protocol::Value;
  template <class T>
  using ApiResult = protocol::ApiResult<T>;

  ApiResult<Value> put_metric_data(const Value& in);
  ApiResult<Value> get_metric_statistics(const Value& in);
  ApiResult<Value> get_metric_data(const Value& in);
  ApiResult<Value> list_metrics(const Value& in);

  CloudWatchOptions options_;
  metrics::Metrics& metrics_;
};

}  // namespace runnel::cloudwatch
