// Retention: whole segments are deleted once every batch in them has expired
// (or belongs to a dropped shard), and counters never go backwards afterwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "common/mutex.h"
#include "storage/fault_injection_env.h"
#include "storage/log_test_util.h"
#include "storage/segment_name.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::FakeClock;
using testing::make_append;
using testing::read_all;
using testing::TempDir;

// Absolute cutoffs per shard, pushed into the log as settings whose period
// never ends (ShardRetention::kKeepForever) and whose floor is the cutoff.
// Shards never set keep everything: no test here calls
// retention_settings_complete() unless it says so.
struct Cutoffs {
  Mutex mu;
  std::map<ShardKey, int64_t> by_shard GUARDED_BY(mu);
  LocalLog* log GUARDED_BY(mu) = nullptr;
  // After every open: the log forgets its settings, as on a restart.
  void attach(LocalLog& l) {
    MutexLock lock(mu);
    log = &l;
    for (const auto& [s, v] : by_shard) log->set_retention({s}, ShardRetention{ShardRetention::kKeepForever, v});
  }
  void set(ShardKey s, int64_t v) {
    MutexLock lock(mu);
    by_shard[s] = v;
    if (log) log->set_retention({s}, ShardRetention{ShardRetention::kKeepForever, v});
  }
};

LogOptions retention_options(const std::string& dir, FakeClock& clock, Cutoffs&) {
  LogOptions o;
  o.dir = dir;
  o.segment_bytes = 4096;
  o.now_ms = clock.fn();
  o.retention = true;
  o.retention_check_ms = 3'600'000;  // tests call enforce_retention()
  return o;
}

TEST(Retention, DeletesOnlySegmentsWhereEveryShardExpired) {
  TempDir dir;
  FakeClock clock;
  Cutoffs cutoffs;
  auto log = LocalLog::open(retention_options(dir.path(), clock, cutoffs), nullptr);
  ASSERT_TRUE(log);
  cutoffs.attach(**log);
  const int64_t t0 = clock.now;
  for (int i = 0; i < 100; ++i) {
    clock.now = t0 + i;
    ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "a"), make_append(2, 2, "b")}));
  }
  const auto before = (*log)->stats().segments;
  ASSERT_GT(before, 4u);
  cutoffs.set(1, t0 + 50);
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ((*log)->stats().segments, before);  // shard 2 still keeps every segment
  cutoffs.set(2, t0 + 50);
  ASSERT_TRUE((*log)->enforce_retention());
  const auto after = (*log)->stats().segments;
  EXPECT_LT(after, before);
  for (ShardKey s : {1, 2}) {
    auto visible = read_all(**log, s, t0 + 50);
    ASSERT_EQ(visible.size(), 100u);  // arrivals t0+50 .. t0+99, two records each
    EXPECT_EQ(visible.front().counter, 101u);
    // Without the logical trim, some expired records of the partly expired segment remain.
    auto all = read_all(**log, s);
    EXPECT_LT(all.size(), 200u);
    EXPECT_GE(all.size(), 100u);
    EXPECT_EQ(all.back().counter, 200u);
  }
  EXPECT_EQ((*log)->counter_at_time(1, t0), read_all(**log, 1).front().counter);
}

// Segments roll and expire while appends go on: every summary left in the
// directory belongs to a segment that is still there (docs/storage.md §7),
// and the records not expired read back.
TEST(Retention, NoSummaryOutlivesItsSegment) {
  TempDir dir;
  FakeClock clock;
  Cutoffs cutoffs;
  const int64_t t0 = clock.now;
  {
    auto log = LocalLog::open(retention_options(dir.path(), clock, cutoffs), nullptr);
    ASSERT_TRUE(log);
    cutoffs.attach(**log);
    for (int i = 0; i < 200; ++i) {
      clock.now = t0 + i;
      ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "a"), make_append(2, 2, "b")}));
      if (i % 20 == 19) {
        cutoffs.set(1, clock.now - 30);
        cutoffs.set(2, clock.now - 30);
        ASSERT_TRUE((*log)->enforce_retention());
      }
    }
    EXPECT_EQ(read_all(**log, 1, t0 + 169).size(), 62u);  // arrivals t0+169 .. t0+199
    ASSERT_TRUE((*log)->close());
  }
  size_t summaries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    auto id = parse_summary_file_name(e.path().filename().string());
    if (!id) continue;
    ++summaries;
    EXPECT_TRUE(std::filesystem::exists(segment_path(dir.path(), *id))) << "summary of deleted segment " << *id;
  }
  EXPECT_GT(summaries, 0u);
  EXPECT_FALSE(std::filesystem::exists(segment_path(dir.path(), 1))) << "retention deleted segments";
}

TEST(Retention, CountersStayMonotonicAfterEverySegmentOfAShardIsGone) {
  TempDir dir;
  FakeClock clock;
  Cutoffs cutoffs;
  FaultInjectionEnv env(Env::posix());
  auto opts = retention_options(dir.path(), clock, cutoffs);
  {
    auto log = LocalLog::open(opts, &env);
    ASSERT_TRUE(log);
    cutoffs.attach(**log);
    const int64_t t0 = clock.now;
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 3, "old")}));
    // Shard 2 fills enough segments that shard 1 lives only in sealed ones.
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(append_wait(**log, {make_append(2, 3, "old2")}));
    clock.now += 1000;
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(append_wait(**log, {make_append(2, 3, "new")}));
    cutoffs.set(1, INT64_MAX);
    cutoffs.set(2, t0 + 1);
    ASSERT_TRUE((*log)->enforce_retention());
    EXPECT_TRUE(read_all(**log, 1).empty());
    EXPECT_EQ((*log)->tail(1).last_counter, 90u);
    // Power loss: close() never writes its checkpoint, only retention's survives.
    env.crash();
  }
  ASSERT_TRUE(env.apply_crash(FaultInjectionEnv::TornWrite::kDropAll));
  env.reset();
  {
    MutexLock lock(cutoffs.mu);
    cutoffs.log = nullptr;  // that log is gone
  }
  cutoffs.set(1, INT64_MIN);
  auto log = LocalLog::open(opts, &env);
  ASSERT_TRUE(log) << log.error().to_string();
  cutoffs.attach(**log);
  EXPECT_TRUE(read_all(**log, 1).empty());
  EXPECT_EQ((*log)->tail(1).last_counter, 90u);
  EXPECT_EQ(read_all(**log, 2, clock.now - 1).size(), 120u);
  EXPECT_EQ((*log)->tail(2).last_counter, 210u);
  auto r = append_wait(**log, {make_append(1, 1, "again")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 91u);
  auto got = read_all(**log, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].counter, 91u);
}

TEST(Retention, SegmentsOfDroppedShardsAreDeleted) {
  TempDir dir;
  FakeClock clock;
  Cutoffs cutoffs;
  auto opts = retention_options(dir.path(), clock, cutoffs);
  {
    auto log = LocalLog::open(opts, nullptr);
    ASSERT_TRUE(log);
    cutoffs.attach(**log);
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(append_wait(**log, {make_append(7, 3, "doomed")}));
    ASSERT_TRUE(append_wait(**log, {make_append(8, 1, "keep")}));
    const auto before = (*log)->stats().segments;
    ASSERT_GT(before, 2u);
    ASSERT_TRUE((*log)->drop_shards({7}));
    ASSERT_TRUE((*log)->enforce_retention());
    EXPECT_EQ((*log)->stats().segments, 1u);
    EXPECT_EQ(read_all(**log, 8).size(), 1u);
    ASSERT_TRUE((*log)->close());
  }
  auto log = LocalLog::open(opts, nullptr);
  ASSERT_TRUE(log);
  cutoffs.attach(**log);
  EXPECT_TRUE(read_all(**log, 7).empty());
  EXPECT_EQ(read_all(**log, 8).size(), 1u);
}

TEST(Retention, BackgroundPassRunsOnItsOwn) {
  TempDir dir;
  FakeClock clock;
  Cutoffs cutoffs;
  auto opts = retention_options(dir.path(), clock, cutoffs);
  opts.retention_check_ms = 10;
  auto log = LocalLog::open(opts, nullptr);
  ASSERT_TRUE(log);
  cutoffs.attach(**log);
  for (int i = 0; i < 120; ++i) ASSERT_TRUE(append_wait(**log, {make_append(3, 3, "x")}));
  ASSERT_GT((*log)->stats().segments, 2u);
  cutoffs.set(3, INT64_MAX);
  for (int i = 0; i < 300 && (*log)->stats().segments > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*log)->stats().segments, 1u);
}

// Retention is pushed down (issue 15): the log computes each shard's cutoff
// itself, max(now - period, floor), from its own clock at every pass, so a
// setting made once keeps expiring records as time goes on.
TEST(Retention, TheLogComputesTheCutoffFromItsClockAtEachPass) {
  TempDir dir;
  FakeClock clock;
  Cutoffs unused;
  auto log = LocalLog::open(retention_options(dir.path(), clock, unused), nullptr);
  ASSERT_TRUE(log);
  const int64_t t0 = clock.now;
  (*log)->set_retention({1}, ShardRetention{1000, INT64_MIN});  // 1 s
  for (int i = 0; i < 100; ++i) {
    clock.now = t0 + i;
    ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "a")}));
  }
  const auto before = (*log)->stats().segments;
  ASSERT_GT(before, 2u);
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ((*log)->stats().segments, before);  // nothing is a second old yet
  clock.now = t0 + 1000 + 50;                   // cutoff t0 + 50
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_LT((*log)->stats().segments, before);
  auto all = read_all(**log, 1);
  ASSERT_FALSE(all.empty());
  EXPECT_GT(all.front().counter, 1u);
  EXPECT_EQ(all.back().counter, 200u);
  EXPECT_EQ(read_all(**log, 1, t0 + 50).size(), 100u);
  clock.now = t0 + 1000 + 200;  // everything expired; the active segment stays
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ((*log)->stats().segments, 1u);
}

// The floor holds records trimmed before a retention increase trimmed.
TEST(Retention, TheFloorExpiresRecordsTheLongerPeriodWouldKeep) {
  TempDir dir;
  FakeClock clock;
  Cutoffs unused;
  auto log = LocalLog::open(retention_options(dir.path(), clock, unused), nullptr);
  ASSERT_TRUE(log);
  const int64_t t0 = clock.now;
  for (int i = 0; i < 100; ++i) {
    clock.now = t0 + i;
    ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "a")}));
  }
  const auto before = (*log)->stats().segments;
  (*log)->set_retention({1}, ShardRetention{48 * 3600'000LL, t0 + 50});
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_LT((*log)->stats().segments, before);
  EXPECT_EQ(read_all(**log, 1, t0 + 50).size(), 100u);
}

// Until the owner has pushed every live shard's setting (it is loading), a
// shard without one keeps its records; afterwards such a shard (a cleared
// one, or one a crash brought back after its drop) expires entirely.
TEST(Retention, ShardsWithoutASettingAreKeptUntilTheSettingsAreComplete) {
  TempDir dir;
  FakeClock clock;
  Cutoffs unused;
  auto log = LocalLog::open(retention_options(dir.path(), clock, unused), nullptr);
  ASSERT_TRUE(log);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "one"), make_append(2, 2, "two")}));
  const auto before = (*log)->stats().segments;
  ASSERT_GT(before, 2u);
  (*log)->set_retention({2}, ShardRetention{});  // kept forever
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ((*log)->stats().segments, before);
  (*log)->retention_settings_complete();
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ((*log)->stats().segments, before);  // shard 2 still holds every segment
  (*log)->clear_retention({2});
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ((*log)->stats().segments, 1u);
}

}  // namespace
}  // namespace runnel::storage
