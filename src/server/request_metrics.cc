#include "server/request_metrics.h"

namespace runnel::server {
namespace {

using metrics::PrometheusDescriptor;
using metrics::PrometheusKind;

std::shared_ptr<const PrometheusDescriptor> descriptor(std::string name, std::string help, PrometheusKind kind,
                                                       bool with_error) {
  auto d = std::make_shared<PrometheusDescriptor>();
  d->name = std::move(name);
  d->help = std::move(help);
  d->kind = kind;
  d->labels = {{"Service", "service"}, {"Operation", "operation"}};
  if (with_error) d->labels.push_back({"ErrorType", "error"});
  if (kind == PrometheusKind::kHistogram) d->bounds = metrics::millisecond_bounds();
  return d;
}

const std::shared_ptr<const PrometheusDescriptor>& requests_descriptor() {
  static const auto d = descriptor("runnel_requests_total", "Operations answered (successes and errors).",
                                   PrometheusKind::kCounter, false);
  return d;
}
const std::shared_ptr<const PrometheusDescriptor>& errors_descriptor() {
  static const auto d = descriptor("runnel_request_errors_total", "Operations answered with an error, by error type.",
                                   PrometheusKind::kCounter, true);
  return d;
}
const std::shared_ptr<const PrometheusDescriptor>& latency_descriptor() {
  static const auto d = descriptor("runnel_request_latency_milliseconds",
                                   "Time from the dispatcher taking the request to its answer being handed to net/.",
                                   PrometheusKind::kHistogram, false);
  return d;
}

std::shared_ptr<metrics::Series> make(metrics::Registry& registry, std::string_view name, metrics::Unit unit,
                                      std::vector<metrics::Dimension> dims,
                                      std::shared_ptr<const PrometheusDescriptor> d) {
  auto id = metrics::MetricId::make(std::string(kRunnelNamespace), std::string(name), std::move(dims));
  if (!id) return nullptr;  // names are never empty, at most three dimensions
  return registry.series(*id, unit, metrics::SeriesOptions{false, std::move(d)});
}

}  // namespace

RequestMetrics::RequestMetrics(metrics::Registry& registry, const std::vector<const protocol::ServiceModel*>& models)
    : registry_(registry) {
  for (const protocol::ServiceModel* model : models) {
    Model m{model, {}};
    for (const protocol::OperationModel& op : model->operations) {
      auto o = std::make_unique<Operation>();
      o->service = std::string(model->service);
      o->name = std::string(op.name);
      o->lazy = op.input == protocol::kNoShape && op.output == protocol::kNoShape && op.errors.empty();
      if (o->lazy) {
        m.operations.push_back(std::move(o));
        continue;
      }
      std::vector<metrics::Dimension> dims = {{"Service", o->service}, {"Operation", o->name}};
      o->requests = make(registry, "Requests", metrics::Unit::kCount, dims, requests_descriptor());
      o->latency = make(registry, "RequestLatency", metrics::Unit::kMilliseconds, dims, latency_descriptor());
      m.operations.push_back(std::move(o));
    }
    models_.push_back(std::move(m));
  }
}

RequestMetrics::~RequestMetrics() = default;

std::shared_ptr<metrics::Series> RequestMetrics::error_series(Operation& op, std::string_view error) {
  MutexLock lock(op.mu);
  for (const auto& [type, series] : op.errors)
    if (type == error) return series;
  std::string type = op.errors.size() < kMaxErrorTypesPerOperation ? std::string(error) : std::string("Other");
  if (type == "Other") {
    for (const auto& [t, series] : op.errors)
      if (t == type) return series;
  }
  auto series = make(registry_, "RequestErrors", metrics::Unit::kCount,
                     {{"Service", op.service}, {"Operation", op.name}, {"ErrorType", type}}, errors_descriptor());
  op.errors.emplace_back(std::move(type), series);
  return series;
}

std::pair<std::shared_ptr<metrics::Series>, std::shared_ptr<metrics::Series>> RequestMetrics::lazy_series(
    Operation& op) {
  MutexLock lock(op.mu);
  if (!op.lazy_requests) {
    std::vector<metrics::Dimension> dims = {{"Service", op.service}, {"Operation", op.name}};
    op.lazy_requests = make(registry_, "Requests", metrics::Unit::kCount, dims, requests_descriptor());
    op.lazy_latency = make(registry_, "RequestLatency", metrics::Unit::kMilliseconds, dims, latency_descriptor());
  }
  return {op.lazy_requests, op.lazy_latency};
}

void RequestMetrics::observe(const protocol::RequestOutcome& outcome) {
  for (Model& m : models_) {
    if (m.model != outcome.model) continue;
    size_t index = m.model->operation_index(*outcome.operation);
    if (index >= m.operations.size()) return;
    Operation& op = *m.operations[index];
    auto [requests, latency] = op.lazy ? lazy_series(op) : std::pair{op.requests, op.latency};
    if (requests) requests->record(1);
    if (latency) latency->record(std::chrono::duration<double, std::milli>(outcome.elapsed).count());
    if (!outcome.error.empty()) {
      if (auto s = error_series(op, outcome.error)) s->record(1);
    }
    return;
  }
}

protocol::RequestObserver RequestMetrics::observer() {
  return [this](const protocol::RequestOutcome& o) { observe(o); };
}

}  // namespace runnel::server
