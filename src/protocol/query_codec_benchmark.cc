// Micro-benchmarks of the AWS Query codec on CloudWatch's largest request
// and answer: PutMetricData with up to 100 metric data of 150 values and
// counts each and 3 dimensions (100: 31,000 pairs, 1.3 MB of form, just past
// CloudWatch's 1 MB limit), decoded; and GetMetricData's answer with 100
// results of 1,440 points, encoded. Run:
//   cmake --preset bench && cmake --build --preset bench && build/bench/runnel_protocol_benchmarks
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/query_codec.h"
#include "protocol/test_models.h"

namespace runnel::protocol {
namespace {

std::string put_metric_data_form(int data, int values) {
  std::string form = "Action=PutMetricData&Version=2010-08-01&Namespace=App%2FWeb";
  for (int i = 1; i <= data; ++i) {
    const std::string p = "&MetricData.member." + std::to_string(i) + ".";
    form += p + "MetricName=Latency" + std::to_string(i);
    for (int d = 1; d <= 3; ++d) {
      form += p + "Dimensions.member." + std::to_string(d) + ".Name=Dim" + std::to_string(d);
      form += p + "Dimensions.member." + std::to_string(d) + ".Value=value-" + std::to_string(i);
    }
    form += p + "Timestamp=2026-12-06T23%3A59%3A00Z";
    for (int v = 1; v <= values; ++v) {
      form += p + "Values.member." + std::to_string(v) + "=" + std::to_string(v * 1.5);
      form += p + "Counts.member." + std::to_string(v) + "=1";
    }
    form += p + "Unit=Milliseconds";
  }
  return form;
}

void BM_QueryDecodePutMetricData(benchmark::State& state) {
  const ServiceModel& model = cloudwatch_model();
  const OperationModel& op = *model.find_operation("PutMetricData");
  const std::string form = put_metric_data_form(static_cast<int>(state.range(0)), 150);
  for (auto _ : state) {
    auto v = decode_query_input(model, op, form);
    if (!v) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(form.size()));
}
BENCHMARK(BM_QueryDecodePutMetricData)->Arg(1)->Arg(20)->Arg(100);

void BM_QueryEncodeGetMetricData(benchmark::State& state) {
  const ServiceModel& model = cloudwatch_model();
  const OperationModel& op = *model.find_operation("GetMetricData");
  Array results;
  for (int r = 0; r < state.range(0); ++r) {
    Array timestamps;
    Array values;
    for (int i = 0; i < 1440; ++i) {
      timestamps.push_back(Value(Timestamp{1796601540000 - int64_t{i} * 60000}));
      values.push_back(Value(i * 0.37));
    }
    results.push_back(Value(Object{{"Id", "q" + std::to_string(r)},
                                   {"Label", "Latency"},
                                   {"Timestamps", Value(std::move(timestamps))},
                                   {"Values", Value(std::move(values))},
                                   {"StatusCode", "Complete"}}));
  }
  const Value output(Object{{"MetricDataResults", Value(std::move(results))}});
  size_t bytes = 0;
  for (auto _ : state) {
    std::string xml = encode_query_output(model, op, output, "request-id");
    bytes = xml.size();
    benchmark::DoNotOptimize(xml);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_QueryEncodeGetMetricData)->Arg(1)->Arg(100);

}  // namespace
}  // namespace runnel::protocol
