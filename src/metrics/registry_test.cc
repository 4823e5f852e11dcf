#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace runnel::metrics {
namespace {

using std::chrono::seconds;

TimePoint at(int64_t unix_s) { return TimePoint(seconds(unix_s)); }

MetricId kinesis_metric(const std::string& name, const std::string& stream) {
  return *MetricId::make("AWS/Kinesis", name, {{"StreamName", stream}});
}

TEST(MetricId, DimensionOrderDoesNotMatterAndKeysRoundTrip) {
  auto a = MetricId::make("NS", "M", {{"b", "2"}, {"a", "1"}});
  auto b = MetricId::make("NS", "M", {{"a", "1"}, {"b", "2"}});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->key(), b->key());
  auto back = MetricId::from_key(a->key());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, *a);
  EXPECT_EQ(*a->dimension("b"), "2");
  EXPECT_FALSE(MetricId::make("NS", "M", {{"a", "1"}, {"a", "2"}}).has_value());
  std::vector<Dimension> many(31);
  for (size_t i = 0; i < many.size(); ++i) many[i].name = "d" + std::to_string(i);
  EXPECT_FALSE(MetricId::make("NS", "M", many).has_value());
  many.pop_back();
  EXPECT_TRUE(MetricId::make("NS", "M", many).has_value());
}

TEST(Unit, NamesRoundTrip) {
  for (int i = 0; i < kUnitCount; ++i) {
    auto u = static_cast<Unit>(i);
    EXPECT_EQ(parse_unit(unit_name(u)), u);
  }
  EXPECT_EQ(unit_name(Unit::kBytesPerSecond), "Bytes/Second");
  EXPECT_FALSE(parse_unit("bytes").has_value());
}

TEST(Registry, SameIdentityGivesSameHandleAndUnitsAreSeparateSeries) {
  Registry r;
  auto a = r.series(kinesis_metric("IncomingBytes", "s"), Unit::kBytes);
  auto b = r.series(*MetricId::make("AWS/Kinesis", "IncomingBytes", {{"StreamName", "s"}}), Unit::kBytes);
  auto c = r.series(kinesis_metric("IncomingBytes", "s"), Unit::kCount);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.find(kinesis_metric("IncomingBytes", "s"), Unit::kBytes), a);
  EXPECT_EQ(a->id(), kinesis_metric("IncomingBytes", "s"));
}

TEST(Registry, ConcurrentRecordingCountsExactly) {
  TimePoint now = at(1'700'000'040);
  Registry r([&] { return now; });
  auto s = r.series(kinesis_metric("IncomingRecords", "s"), Unit::kCount);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50000;
  std::vector<std::thread> threads;
  std::atomic<int> taken_count{0};
  Aggregate taken;
  std::atomic<bool> stop{false};
  // A flusher taking deltas all along must neither lose nor double values.
  std::thread flusher([&] {
    while (!stop.load()) {
      for (auto& d : r.take_deltas()) {
        for (auto& slot : d.slots) taken.merge(slot.aggregate);
        taken_count++;
      }
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) s->record(t + 1);
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  flusher.join();
  for (auto& d : r.take_deltas()) {
    for (auto& slot : d.slots) taken.merge(slot.aggregate);
  }
  EXPECT_EQ(taken.count, kThreads * kPerThread);
  EXPECT_EQ(taken.sum, kPerThread * (kThreads * (kThreads + 1) / 2));
  EXPECT_EQ(taken.min, 1);
  EXPECT_EQ(taken.max, kThreads);
  EXPECT_EQ(taken.histogram.total(), static_cast<uint64_t>(kThreads * kPerThread));
  auto totals = s->totals();
  EXPECT_EQ(totals.count, kThreads * kPerThread);
  EXPECT_EQ(totals.sum, kPerThread * (kThreads * (kThreads + 1) / 2));
}

TEST(Registry, ValuesLandInTheirMinuteOrSecond) {
  TimePoint now = at(1'700'000'059);  // its minute starts at 1'700'000'040
  Registry r([&] { return now; });
  auto regular = r.series(kinesis_metric("A", "s"), Unit::kCount);
  auto high =
      r.series(kinesis_metric("B", "s"), Unit::kCount, SeriesOptions{.high_resolution = true, .prometheus = nullptr});
  regular->record(1);
  regular->record_at(at(1'699'999'000 + 5), 2);  // back-dated
  high->record(3);
  high->record_statistics_at(at(1'700'000'000), StatisticSet{2, 10, 4, 6});
  auto deltas = r.take_deltas();
  ASSERT_EQ(deltas.size(), 2u);
  for (auto& d : deltas) {
    if (d.series == regular) {
      ASSERT_EQ(d.slots.size(), 2u);
      EXPECT_EQ(d.slots[0].start, 1'700'000'040);
      EXPECT_EQ(d.slots[1].start, 1'699'998'960);
    } else {
      ASSERT_EQ(d.slots.size(), 2u);
      EXPECT_EQ(d.slots[0].start, 1'700'000'059);
      EXPECT_EQ(d.slots[1].start, 1'700'000'000);
      EXPECT_EQ(d.slots[1].aggregate.sum, 10);
    }
  }
  EXPECT_TRUE(r.take_deltas().empty());
}

TEST(Registry, DroppedSeriesKeepsItsUnflushedValuesAndDiscardsLaterOnes) {
  TimePoint now = at(1'700'000'000);
  Registry r([&] { return now; });
  auto s = r.series(kinesis_metric("IncomingBytes", "gone"), Unit::kBytes);
  s->record(100);
  r.drop(s);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_TRUE(s->dropped());
  s->record(5);
  auto deltas = r.take_deltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].slots[0].aggregate.sum, 100);
  auto again = r.series(kinesis_metric("IncomingBytes", "gone"), Unit::kBytes);
  EXPECT_NE(again, s);
}

TEST(Registry, RestoredDeltasAreTakenAgainMergedWithNewValues) {
  TimePoint now = at(1'700'000'000);
  Registry r([&] { return now; });
  auto s = r.series(kinesis_metric("IncomingBytes", "s"), Unit::kBytes);
  s->record(1);
  auto deltas = r.take_deltas();
  s->record(2);
  r.restore_deltas(std::move(deltas));
  auto again = r.take_deltas();
  ASSERT_EQ(again.size(), 1u);
  ASSERT_EQ(again[0].slots.size(), 1u);
  EXPECT_EQ(again[0].slots[0].aggregate.sum, 3);
  EXPECT_EQ(again[0].slots[0].aggregate.count, 2);
}

TEST(Registry, HandlesOutliveTheRegistry) {
  std::shared_ptr<Series> s;
  {
    Registry r;
    s = r.series(kinesis_metric("IncomingBytes", "s"), Unit::kBytes);
  }
  s->record(1);
  EXPECT_EQ(s->totals().count, 1);
}

}  // namespace
}  // namespace runnel::metrics

namespace runnel::metrics {
namespace {

TEST(Registry, EvictsOnlyUnheldFlushedSeriesWithoutDescriptor) {
  Registry r;
  auto held = r.series(*MetricId::make("Custom", "Held"), Unit::kNone);
  r.series(*MetricId::make("Custom", "Put"), Unit::kNone)->record(1);  // a PutMetricData datum
  r.series(*MetricId::make("Custom", "Gone"), Unit::kNone)->record(1);
  auto descriptor = std::make_shared<PrometheusDescriptor>();
  r.series(*MetricId::make("Custom", "Shown"), Unit::kNone, {.prometheus = descriptor});
  EXPECT_EQ(r.evict_unreferenced(), 0u);  // the dirty list holds the recorded ones
  auto deltas = r.take_deltas();
  ASSERT_EQ(deltas.size(), 2u);
  EXPECT_EQ(r.evict_unreferenced(), 0u);  // the flusher still holds them
  deltas.clear();
  EXPECT_EQ(r.evict_unreferenced(), 2u);
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.find(*MetricId::make("Custom", "Held"), Unit::kNone), held);
  EXPECT_EQ(r.find(*MetricId::make("Custom", "Put"), Unit::kNone), nullptr);
}

}  // namespace
}  // namespace runnel::metrics
