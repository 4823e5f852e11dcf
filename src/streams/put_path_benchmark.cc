// Micro-benchmark of KinesisService's PutRecords path as the net threads run
// it after decoding: routing, the write budget, the log append (fsync never,
// so the log's writer only writes) and the response built on completion.
// The metrics work of a put (docs/kinesis-metrics.md) is on this path; the
// second argument says whether the service records into a registry, so the
// two cases compare within one run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <random>
#include <string>

#include "metrics/registry.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/benchmark_requests.h"
#include "streams/kinesis_service.h"
#include "streams/model.h"

namespace runnel::streams {
namespace {

using namespace protocol;  // NOLINT(google-build-using-namespace)

using testing::put_records_request;

ApiResult<Value> call(KinesisService& service, const OperationModel& op, Value input) {
  RequestContext ctx;
  ctx.region = "us-east-1";
  ctx.account_id = "000000000000";
  std::promise<ApiResult<Value>> done;
  service.handle(op, std::move(input), ctx, [&](ApiResult<Value> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

// Args: {records, record_bytes, metrics on}.
void BM_PutRecordsService(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("runnel-put-path-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto meta = storage::MetadataStore::open((dir / "meta.db").string());
    storage::LogOptions lo;
    lo.dir = (dir / "log").string();
    lo.fsync = storage::FsyncPolicy::kNever;
    auto log = storage::open_log(lo);
    if (!meta || !log) std::abort();
    metrics::Registry registry;
    KinesisOptions options;
    options.throughput_limits = false;
    options.autoscale_interval_ms = 0;
    if (state.range(2) != 0) options.metrics = &registry;
    KinesisService service(options, **log, **meta, std::string(32, 'k'));
    if (!service.load()) std::abort();
    Value create = Object{};
    create.set("StreamName", "benchmark-stream");
    create.set("ShardCount", int64_t{4});
    if (!call(service, *kinesis_model().find_operation("CreateStream"), std::move(create))) std::abort();
    const OperationModel& op = *kinesis_model().find_operation("PutRecords");
    const Value request = put_records_request(state.range(0), state.range(1));
    for (auto _ : state) {
      state.PauseTiming();
      Value input = request;  // put_records moves the records' bytes out
      state.ResumeTiming();
      auto r = call(service, op, std::move(input));
      if (!r) std::abort();
      benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    service.shutdown();
    (void)(*log)->close();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_PutRecordsService)
    ->ArgNames({"records", "bytes", "metrics"})
    ->ArgsProduct({{500}, {100}, {0, 1}})
    ->ArgsProduct({{1}, {100}, {0, 1}})
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
}  // namespace runnel::streams
