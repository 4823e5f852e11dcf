// What RequestMetrics adds to each request: observe() of a success (two
// Series::record), of an error whose series exists (a third record and a
// per-operation mutex), and one success from several threads at once on
// one operation (the series' mutexes contended).

#include <benchmark/benchmark.h>

#include "server/request_metrics.h"
#include "streams/model.h"

namespace runnel::server {
namespace {

protocol::RequestOutcome outcome(std::string_view op, std::string_view error = {}) {
  protocol::RequestOutcome o;
  o.model = &streams::kinesis_model();
  o.operation = o.model->find_operation(op);
  o.error = error;
  o.elapsed = std::chrono::microseconds(700);
  return o;
}

void BM_ObserveSuccess(benchmark::State& state) {
  metrics::Registry registry;
  RequestMetrics m(registry, {&streams::kinesis_model()});
  const protocol::RequestOutcome o = outcome("PutRecord");
  for (auto _ : state) m.observe(o);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ObserveSuccess);

void BM_ObserveError(benchmark::State& state) {
  metrics::Registry registry;
  RequestMetrics m(registry, {&streams::kinesis_model()});
  const protocol::RequestOutcome o = outcome("DescribeStream", "ResourceNotFoundException");
  for (auto _ : state) m.observe(o);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ObserveError);

metrics::Registry* g_registry = nullptr;
RequestMetrics* g_metrics = nullptr;

void BM_ObserveSuccessContended(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_registry = new metrics::Registry();
    g_metrics = new RequestMetrics(*g_registry, {&streams::kinesis_model()});
  }
  const protocol::RequestOutcome o = outcome("PutRecord");
  for (auto _ : state) g_metrics->observe(o);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_metrics;
    delete g_registry;
  }
}
BENCHMARK(BM_ObserveSuccessContended)->Threads(1)->Threads(4);

}  // namespace
}  // namespace runnel::server
