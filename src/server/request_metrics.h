#pragma once
// Requests by service, operation and error type: the dispatcher's observer
// (protocol::DispatcherOptions::observer) turned into registry series, on
// the Prometheus page and in CloudWatch under namespace "runnel"
// (docs/prometheus.md):
//   Requests        {Service, Operation}             runnel_requests_total
//   RequestErrors   {Service, Operation, ErrorType}  runnel_request_errors_total
//   RequestLatency  {Service, Operation}             runnel_request_latency_milliseconds
//
// Cost per request: the series of every (model, operation) are made up
// front, except for operations with no input, output or errors (a model
// generated with only some operations' shapes, like Glue's: the others are
// answered "not served" and made on first use, so that 250 operations
// nobody calls do not fill the Prometheus page), so a success is a model lookup among the few registered models
// (pointer compare), an index into its operations and two Series::record
// calls. An error series is made the first time its (operation, error
// type) is seen, under a per-operation mutex, and reused after.
//
// Thread-safe: observe() may be called from any thread once constructed;
// the object must outlive the dispatcher's replies (serve.cc declares it
// before the dispatcher).

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "metrics/registry.h"
#include "protocol/dispatcher.h"

namespace runnel::server {

inline constexpr std::string_view kRunnelNamespace = "runnel";
// Distinct error types kept per operation; beyond, errors count under "Other"
// (error types come from the services' code, this only bounds a bug).
inline constexpr size_t kMaxErrorTypesPerOperation = 64;

class RequestMetrics {
 public:
  // Makes the Requests and RequestLatency series of every operation of
  // every model. Outcomes of other models are ignored.
  RequestMetrics(metrics::Registry& registry, const std::vector<const protocol::ServiceModel*>& models);
  ~RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  void observe(const protocol::RequestOutcome& outcome);
  // An observer for DispatcherOptions::observer that calls observe().
  protocol::RequestObserver observer();

 private:
  struct Operation {
    std::string service;
    std::string name;
    std::shared_ptr<metrics::Series> requests;  // null when made on first use (lazy)
    std::shared_ptr<metrics::Series> latency;
    bool lazy = false;
    Mutex mu;
    std::shared_ptr<metrics::Series> lazy_requests GUARDED_BY(mu);
    std::shared_ptr<metrics::Series> lazy_latency GUARDED_BY(mu);
    std::vector<std::pair<std::string, std::shared_ptr<metrics::Series>>> errors GUARDED_BY(mu);
  };
  struct Model {
    const protocol::ServiceModel* model;
    std::vector<std::unique_ptr<Operation>> operations;  // by operation_index
  };
  std::shared_ptr<metrics::Series> error_series(Operation& op, std::string_view error);
  // A lazy operation's Requests and RequestLatency series, made on first use.
  std::pair<std::shared_ptr<metrics::Series>, std::shared_ptr<metrics::Series>> lazy_series(Operation& op);

  metrics::Registry& registry_;
  std::vector<Model> models_;  // immutable after construction
};

}  // namespace runnel::server
