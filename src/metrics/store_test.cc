#include "metrics/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <random>
#include <thread>

#include "metrics/metrics.h"
#include "metrics/test_util.h"

namespace runnel::metrics {
namespace {

using testing::at;
using testing::ManualClock;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'006'400;  // a whole hour
constexpr int64_t kDay = 86400;

MetricId stream_metric(const std::string& name, const std::string& stream) {
  return *MetricId::make("AWS/Kinesis", name, {{"StreamName", stream}});
}

class StoreTest : public ::testing::Test {
 protected:
  void open() {
    MetricsOptions o;
    o.path = dir_.file("metrics.db");
    o.flush_interval_ms = 3'600'000;  // the tests flush by hand
    o.clock = clock_.clock();
    auto m = Metrics::open(std::move(o));
    ASSERT_TRUE(m.has_value()) << m.error().to_string();
    metrics_ = std::move(*m);
  }
  void SetUp() override { open(); }

  std::vector<Datapoint> stats(const MetricId& id, int64_t start, int64_t end, int64_t period,
                               std::optional<Unit> unit = std::nullopt) {
    auto r = metrics_->store().statistics(id, unit, at(start), at(end), period);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : std::vector<Datapoint>{};
  }

  std::map<int64_t, int64_t> rows_per_period() {
    sqlite3* db = nullptr;
    std::map<int64_t, int64_t> out;
    sqlite3_open(dir_.file("metrics.db").c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT period, count(*) FROM datapoints GROUP BY period", -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) out[sqlite3_column_int64(st, 0)] = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  TempDir dir_;
  ManualClock clock_{kT0};
  std::unique_ptr<Metrics> metrics_;
};

TEST_F(StoreTest, FlushedValuesAnswerEachPeriodWithCountSumMinMaxAndPercentiles) {
  auto s = metrics_->registry().series(stream_metric("PutRecord.Latency", "s"), Unit::kMilliseconds);
  // Minute 0: 1..100; minute 1: 1000 x 10; minute 7: a single 5.
  for (int i = 1; i <= 100; ++i) s->record(i);
  clock_.advance(60);
  s->record(1000, 10);
  clock_.advance(6 * 60);
  s->record(5);
  ASSERT_TRUE(metrics_->flush().is_ok());

  auto minutes = stats(s->id(), kT0, kT0 + 3600, 60);
  ASSERT_EQ(minutes.size(), 3u);
  EXPECT_EQ(minutes[0].timestamp, at(kT0));
  EXPECT_EQ(minutes[0].aggregate.count, 100);
  EXPECT_EQ(minutes[0].aggregate.sum, 5050);
  EXPECT_EQ(minutes[0].aggregate.min, 1);
  EXPECT_EQ(minutes[0].aggregate.max, 100);
  EXPECT_NEAR(*minutes[0].aggregate.percentile(90), 90, 0.9);
  EXPECT_EQ(minutes[1].timestamp, at(kT0 + 60));
  EXPECT_EQ(minutes[1].aggregate.sum, 10000);
  EXPECT_EQ(minutes[2].timestamp, at(kT0 + 420));
  EXPECT_EQ(minutes[0].unit, Unit::kMilliseconds);

  auto fives = stats(s->id(), kT0, kT0 + 3600, 300);
  ASSERT_EQ(fives.size(), 2u);
  EXPECT_EQ(fives[0].aggregate.count, 110);
  EXPECT_EQ(fives[0].aggregate.max, 1000);
  EXPECT_EQ(fives[1].timestamp, at(kT0 + 300));
  auto hour = stats(s->id(), kT0, kT0 + 3600, 3600);
  ASSERT_EQ(hour.size(), 1u);
  EXPECT_EQ(hour[0].aggregate.count, 111);
  EXPECT_EQ(hour[0].aggregate.sum, 5050 + 10000 + 5);
  EXPECT_NEAR(*hour[0].aggregate.percentile(50), 55, 0.55);  // the 56th of 111: 1..5, 5, 6..55
  // A 2-minute period made of 60-second rows, starting mid-hour.
  auto twos = stats(s->id(), kT0 + 60, kT0 + 600, 120);
  ASSERT_EQ(twos.size(), 2u);
  EXPECT_EQ(twos[0].timestamp, at(kT0 + 60));
  EXPECT_EQ(twos[1].timestamp, at(kT0 + 420));
  // The end is exclusive.
  EXPECT_EQ(stats(s->id(), kT0, kT0 + 60, 60).size(), 1u);
}

TEST_F(StoreTest, SuccessiveFlushesIntoOnePeriodAddUp) {
  auto s = metrics_->registry().series(stream_metric("IncomingBytes", "s"), Unit::kBytes);
  for (int round = 0; round < 5; ++round) {
    s->record(100);
    s->record_statistics(StatisticSet{2, 30, 10, 20});
    ASSERT_TRUE(metrics_->flush().is_ok());
    clock_.advance(1);
  }
  auto hour = stats(s->id(), kT0, kT0 + 3600, 3600);
  ASSERT_EQ(hour.size(), 1u);
  EXPECT_EQ(hour[0].aggregate.count, 15);
  EXPECT_EQ(hour[0].aggregate.sum, 650);
  EXPECT_EQ(hour[0].aggregate.min, 10);
  EXPECT_FALSE(hour[0].aggregate.percentile(50).has_value());  // statistic sets without raw values
}

TEST_F(StoreTest, RowsMergedAcrossFlushesEqualOneAggregateOfAllValues) {
  auto s = metrics_->registry().series(stream_metric("GetRecords.Latency", "s"), Unit::kMilliseconds);
  Aggregate all;
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(2, 1.5);
  for (int flush = 0; flush < 40; ++flush) {  // 40 flushes, 20 minutes
    for (int i = 0; i < 250; ++i) {
      double v = d(rng);
      s->record(v);
      all.add(v);
    }
    ASSERT_TRUE(metrics_->flush().is_ok());
    clock_.advance(30);
  }
  auto hour = stats(s->id(), kT0, kT0 + 3600, 3600);
  ASSERT_EQ(hour.size(), 1u);
  EXPECT_EQ(hour[0].aggregate.histogram, all.histogram);  // hist_merge in SQL is exact
  EXPECT_EQ(hour[0].aggregate.count, all.count);
  EXPECT_EQ(hour[0].aggregate.min, all.min);
  EXPECT_EQ(hour[0].aggregate.max, all.max);
  EXPECT_NEAR(hour[0].aggregate.sum, all.sum, 1e-9 * all.sum);
  for (double p : {50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(hour[0].aggregate.percentile(p), all.percentile(p)) << p;
  // Periods built from 5-minute rows, and from minute rows, answer the same.
  auto fives = stats(s->id(), kT0, kT0 + 3600, 1200);
  ASSERT_EQ(fives.size(), 1u);
  EXPECT_EQ(fives[0].aggregate.histogram, all.histogram);
  auto minutes = stats(s->id(), kT0 - 60, kT0 + 3600, 1320);
  ASSERT_EQ(minutes.size(), 1u);
  EXPECT_EQ(minutes[0].aggregate.histogram, all.histogram);
}

TEST_F(StoreTest, WithoutAUnitFilterEachUnitHasItsDatapoints) {
  auto id = stream_metric("Mixed", "s");
  metrics_->registry().series(id, Unit::kBytes)->record(10);
  metrics_->registry().series(id, Unit::kCount)->record(3);
  ASSERT_TRUE(metrics_->flush().is_ok());
  auto all = stats(id, kT0, kT0 + 60, 60);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].unit, Unit::kBytes);
  EXPECT_EQ(all[0].aggregate.sum, 10);
  EXPECT_EQ(all[1].unit, Unit::kCount);
  auto bytes = stats(id, kT0, kT0 + 60, 60, Unit::kBytes);
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes[0].aggregate.sum, 10);
  EXPECT_TRUE(stats(id, kT0, kT0 + 60, 60, Unit::kSeconds).empty());
  EXPECT_TRUE(stats(stream_metric("Mixed", "other"), kT0, kT0 + 60, 60).empty());
}

TEST_F(StoreTest, HighResolutionSeriesAnswerSubMinutePeriods) {
  auto high = metrics_->registry().series(stream_metric("Hi", "s"), Unit::kCount,
                                          SeriesOptions{.high_resolution = true, .prometheus = nullptr});
  auto regular = metrics_->registry().series(stream_metric("Lo", "s"), Unit::kCount);
  for (int sec = 0; sec < 30; ++sec) {
    high->record(1);
    regular->record(1);
    clock_.advance(1);
  }
  ASSERT_TRUE(metrics_->flush().is_ok());
  auto tens = stats(high->id(), kT0, kT0 + 60, 10);
  ASSERT_EQ(tens.size(), 3u);
  EXPECT_EQ(tens[0].aggregate.count, 10);
  EXPECT_EQ(tens[2].timestamp, at(kT0 + 20));
  EXPECT_EQ(stats(high->id(), kT0, kT0 + 60, 60)[0].aggregate.count, 30);
  EXPECT_TRUE(stats(regular->id(), kT0, kT0 + 60, 10).empty());  // regular resolution: minutes only
  EXPECT_EQ(stats(regular->id(), kT0, kT0 + 60, 60)[0].aggregate.count, 30);
}

TEST_F(StoreTest, RetentionDeletesEachTierByAge) {
  auto s = metrics_->registry().series(stream_metric("Old", "s"), Unit::kCount,
                                       SeriesOptions{.high_resolution = true, .prometheus = nullptr});
  s->record(1);
  ASSERT_TRUE(metrics_->flush().is_ok());
  EXPECT_EQ(rows_per_period(), (std::map<int64_t, int64_t>{{1, 1}, {60, 1}, {300, 1}, {3600, 1}}));
  clock_.advance(3 * 3600 + 60);  // the flusher checks once an hour
  ASSERT_TRUE(metrics_->flush().is_ok());
  EXPECT_EQ(rows_per_period(), (std::map<int64_t, int64_t>{{60, 1}, {300, 1}, {3600, 1}}));
  clock_.set(kT0 + 15 * kDay + 3600);
  ASSERT_TRUE(metrics_->flush().is_ok());
  EXPECT_EQ(rows_per_period(), (std::map<int64_t, int64_t>{{300, 1}, {3600, 1}}));
  EXPECT_EQ(stats(s->id(), kT0, kT0 + 3600, 300).size(), 1u);
  clock_.set(kT0 + 63 * kDay + 3600);
  ASSERT_TRUE(metrics_->flush().is_ok());
  EXPECT_EQ(rows_per_period(), (std::map<int64_t, int64_t>{{3600, 1}}));
  clock_.set(kT0 + 455 * kDay + 2 * 3600);
  // Reopening applies retention too.
  metrics_.reset();
  open();
  EXPECT_TRUE(rows_per_period().empty());
}

TEST_F(StoreTest, ReopeningNeitherLosesNorRecountsFlushedValues) {
  auto id = stream_metric("IncomingRecords", "s");
  metrics_->registry().series(id, Unit::kCount)->record(7);
  metrics_->close();  // flushes
  metrics_.reset();
  open();
  EXPECT_EQ(stats(id, kT0, kT0 + 60, 60)[0].aggregate.sum, 7);
  metrics_->registry().series(id, Unit::kCount)->record(3);
  metrics_.reset();  // the destructor closes and flushes
  open();
  auto again = stats(id, kT0, kT0 + 60, 60);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].aggregate.sum, 10);
  EXPECT_EQ(again[0].aggregate.count, 2);
}

TEST_F(StoreTest, ListMetricsFiltersAndPages) {
  for (int i = 0; i < 7; ++i) {
    std::string stream = "stream-" + std::to_string(i);
    metrics_->registry().series(stream_metric("IncomingBytes", stream), Unit::kBytes)->record(1);
    metrics_->registry().series(stream_metric("IncomingBytes", stream), Unit::kCount)->record(1);
    metrics_->registry()
        .series(*MetricId::make("AWS/Kinesis", "GetRecords.Latency", {{"StreamName", stream}, {"ShardId", "s0"}}),
                Unit::kMilliseconds)
        ->record(1);
  }
  metrics_->registry().series(*MetricId::make("Custom", "Thing"), Unit::kNone)->record(1);
  ASSERT_TRUE(metrics_->flush().is_ok());

  auto all = metrics_->store().list_metrics({});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->metrics.size(), 15u);  // units do not make separate metrics
  EXPECT_TRUE(all->next_token.empty());
  for (size_t i = 1; i < all->metrics.size(); ++i) EXPECT_LT(all->metrics[i - 1].key(), all->metrics[i].key());

  ListMetricsQuery q;
  q.ns = "AWS/Kinesis";
  q.metric_name = "IncomingBytes";
  EXPECT_EQ(metrics_->store().list_metrics(q)->metrics.size(), 7u);
  q.metric_name.reset();
  q.dimensions = {{"ShardId", std::nullopt}};
  EXPECT_EQ(metrics_->store().list_metrics(q)->metrics.size(), 7u);
  q.dimensions = {{"StreamName", "stream-3"}};
  auto one_stream = metrics_->store().list_metrics(q);
  ASSERT_EQ(one_stream->metrics.size(), 2u);
  EXPECT_EQ(one_stream->metrics[0].name(), "GetRecords.Latency");

  ListMetricsQuery paged;
  paged.page_size = 4;
  std::vector<MetricId> seen;
  for (int page = 0; page < 10; ++page) {
    auto r = metrics_->store().list_metrics(paged);
    ASSERT_TRUE(r.has_value());
    seen.insert(seen.end(), r->metrics.begin(), r->metrics.end());
    if (r->next_token.empty()) break;
    paged.next_token = r->next_token;
  }
  EXPECT_EQ(seen, all->metrics);
  paged.next_token = "zz";
  EXPECT_FALSE(metrics_->store().list_metrics(paged).has_value());

  clock_.advance(4 * 3600);
  metrics_->registry().series(*MetricId::make("Custom", "Thing"), Unit::kNone)->record(1);
  ASSERT_TRUE(metrics_->flush().is_ok());
  ListMetricsQuery recent;
  recent.recently_active = true;
  auto active = metrics_->store().list_metrics(recent);
  ASSERT_EQ(active->metrics.size(), 1u);
  EXPECT_EQ(active->metrics[0].ns(), "Custom");
  clock_.advance(15 * kDay);
  EXPECT_TRUE(metrics_->store().list_metrics({})->metrics.empty());  // two weeks without data
}

TEST_F(StoreTest, AFailedFlushKeepsItsValuesForTheNextOne) {
  auto exec = [&](const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open(dir_.file("metrics.db").c_str(), &db);
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc;
  };
  auto s = metrics_->registry().series(stream_metric("IncomingBytes", "s"), Unit::kBytes);
  s->record(10);
  ASSERT_EQ(exec("ALTER TABLE datapoints RENAME TO hidden"), SQLITE_OK);
  EXPECT_FALSE(metrics_->flush().is_ok());
  s->record(5);
  ASSERT_EQ(exec("ALTER TABLE hidden RENAME TO datapoints"), SQLITE_OK);
  ASSERT_TRUE(metrics_->flush().is_ok());
  auto minute = stats(s->id(), kT0, kT0 + 60, 60);
  ASSERT_EQ(minute.size(), 1u);
  EXPECT_EQ(minute[0].aggregate.sum, 15);
  EXPECT_EQ(minute[0].aggregate.count, 2);
  EXPECT_EQ(metrics_->store().list_metrics({})->metrics.size(), 1u);
}

TEST(FlusherThread, WritesWithoutBeingAsked) {
  TempDir dir;
  ManualClock clock(kT0);
  MetricsOptions o;
  o.path = dir.file("metrics.db");
  o.flush_interval_ms = 10;
  o.clock = clock.clock();
  auto m = Metrics::open(std::move(o));
  ASSERT_TRUE(m.has_value());
  auto s = (*m)->registry().series(stream_metric("IncomingRecords", "s"), Unit::kCount);
  s->record(4);
  // No flush() here: the flusher thread's own. Poll (not a timing test: the
  // bound only keeps a broken flusher from hanging the suite).
  bool seen = false;
  for (int i = 0; i < 500 && !seen; ++i) {
    auto r = (*m)->store().statistics(s->id(), std::nullopt, at(kT0), at(kT0 + 60), 60);
    seen = r.has_value() && !r->empty() && (*r)[0].aggregate.sum == 4;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(seen);
}

TEST_F(StoreTest, QueryErrorsAreValues) {
  auto r =
      metrics_->store().statistics(stream_metric("X", "s"), std::nullopt, at(kT0 - 20 * kDay), at(kT0 - 19 * kDay), 60);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, QueryErrorCode::kPeriodTooFineForAge);
  EXPECT_NE(r.error().message.find("300"), std::string::npos);
}

}  // namespace
}  // namespace runnel::metrics
