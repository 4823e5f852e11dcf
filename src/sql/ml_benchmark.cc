// The machine-learning table functions' models on one core: records per
// second through a random cut forest (KDA's defaults, 100 trees × 256) and
// through HOTSPOTS' window (KDA's example: 1000 points, radius 0.2, 17).
//
//   cmake --preset bench && cmake --build --preset bench --target runnel_sql_benchmarks
//   build/bench/runnel_sql_benchmarks --benchmark_filter='Forest|Hotspots'
//
// Records per second are the benchmark's items_per_second.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "sql/hotspots.h"
#include "sql/random_cut_forest.h"

namespace runnel::sql {
namespace {

std::vector<std::vector<double>> normal_points(size_t n, size_t dims) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> g;
  std::vector<std::vector<double>> out(n, std::vector<double>(dims));
  for (auto& p : out)
    for (double& x : p) x = g(rng);
  return out;
}

// Arguments: numeric columns, shingle size, 1 for the explanation.
void BM_RandomCutForest(benchmark::State& state) {
  RandomCutForest::Options o;
  o.input_dims = static_cast<size_t>(state.range(0));
  o.shingle_size = static_cast<size_t>(state.range(1));
  const bool explain = state.range(2) != 0;
  const auto points = normal_points(20'000, o.input_dims);
  RandomCutForest f(o);
  std::vector<double> attribution;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.score_and_update(points[i], explain ? &attribution : nullptr));
    i = (i + 1) % points.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RandomCutForest)->Args({1, 1, 0})->Args({2, 1, 0})->Args({5, 4, 1});

// Argument: the percentage of points in one dense cluster (the rest uniform).
void BM_Hotspots(benchmark::State& state) {
  HotspotDetector h(2, 1000, 0.2, 17);
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(0, 10), near(-0.15, 0.15);
  std::vector<std::vector<double>> points;
  for (int i = 0; i < 10'000; ++i)
    points.push_back(i % 100 < state.range(0) ? std::vector<double>{5 + near(rng), 5 + near(rng)}
                                              : std::vector<double>{u(rng), u(rng)});
  size_t i = 0;
  for (auto _ : state) {
    h.add(points[i]);
    benchmark::DoNotOptimize(h.hotspots());
    i = (i + 1) % points.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Hotspots)->Arg(0)->Arg(20)->Arg(100);

}  // namespace
}  // namespace runnel::sql
