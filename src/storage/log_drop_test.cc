// drop_shards: a stream's deletion of many shards costs one checkpoint write,
// not one per shard (issue 14, item 2: deleting a 17,000-shard stream took
// 10-60 s of fsyncs on the writer thread, and every put waited for it), it
// does not stop other shards' appends, and a crash in the middle brings back
// either all the dropped shards or none, and loses nothing of the others.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "storage/fault_injection_env.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::make_append;
using testing::read_all;
using testing::TempDir;

constexpr ShardKey kOther = 1'000'000;  // a shard of another stream, never dropped

// Shards [1, n] each with one record, kOther with `other` records.
void fill(Log& log, ShardKey n, int other) {
  std::vector<ShardAppend> appends;
  for (ShardKey s = 1; s <= n; ++s) appends.push_back(make_append(s, 1, "s" + std::to_string(s)));
  appends.push_back(make_append(kOther, other, "other"));
  ASSERT_TRUE(append_wait(log, std::move(appends)).has_value());
}

std::vector<ShardKey> keys(ShardKey n) {
  std::vector<ShardKey> out;
  for (ShardKey s = 1; s <= n; ++s) out.push_back(s);
  return out;
}

// Waits (up to a minute, which only a hang exceeds) for `cond`.
template <class Cond>
bool eventually(Cond cond) {
  for (int i = 0; i < 60'000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

TEST(LogDrop, DroppingTwoThousandShardsWritesOneCheckpoint) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  LogOptions o = testing::options_for(dir.path());
  o.runway_bytes = 0;  // else the sync thread may sync a runway while we count
  auto log = open_log(o, &env);
  ASSERT_TRUE(log) << log.error().to_string();
  fill(**log, 2000, 3);
  const auto before = env.counts();
  ASSERT_TRUE((*log)->drop_shards(keys(2000)));
  const auto after = env.counts();
  // One checkpoint: its fdatasync, its rename, one directory fsync.
  EXPECT_LE(after.file_syncs - before.file_syncs, 1u);
  EXPECT_LE(after.renames - before.renames, 1u);
  EXPECT_LE(after.dir_syncs - before.dir_syncs, 1u);
  EXPECT_TRUE(read_all(**log, 1).empty());
  EXPECT_TRUE(read_all(**log, 2000).empty());
  EXPECT_EQ(read_all(**log, kOther).size(), 3u);
  // Appends to a dropped shard fail; to the others they go on.
  EXPECT_FALSE(append_wait(**log, {make_append(7, 1, "late")}).has_value());
  EXPECT_TRUE(append_wait(**log, {make_append(kOther, 1, "more")}).has_value());
}

TEST(LogDrop, AppendsAndReadsOfOtherShardsGoOnWhileADropCommits) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  auto log = open_log(testing::options_for(dir.path()), &env);
  ASSERT_TRUE(log) << log.error().to_string();
  fill(**log, 2000, 3);
  env.hold_renames();  // the drop stops right before its checkpoint replaces the old one
  auto drop = std::async(std::launch::async, [&] { return (*log)->drop_shards(keys(2000)); });
  ASSERT_TRUE(eventually([&] { return env.renames_waiting() == 1; }));

  std::promise<Result<std::vector<Appended>>> acked;
  auto put = acked.get_future();
  (*log)->append({make_append(kOther, 2, "during")},
                 [&](Result<std::vector<Appended>> r) { acked.set_value(std::move(r)); });
  // Before the fix the drop ran on the writer thread and this append waited
  // for it: the wait below would end with the drop still held.
  const bool served = put.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(served) << "an append of another shard waited for the drop";
  if (served) {
    EXPECT_TRUE(put.get().has_value());
    EXPECT_EQ(read_all(**log, kOther).size(), 5u);
  }
  env.release_renames();
  EXPECT_TRUE(drop.get());
}

// What a reopen sees after a crash: every dropped shard complete, or none.
void expect_all_or_nothing(Log& log, ShardKey n, bool* dropped) {
  const bool first_gone = read_all(log, 1).empty();
  for (ShardKey s = 1; s <= n; ++s) {
    ASSERT_EQ(read_all(log, s).size(), first_gone ? 0u : 1u) << "shard " << s << " came back half-dropped";
  }
  *dropped = first_gone;
}

TEST(LogDrop, CrashWhileTheDropCommitsBringsBackAllOrNothingAndLosesNoOtherShard) {
  for (const bool crash_before_rename : {true, false}) {
    SCOPED_TRACE(crash_before_rename ? "crash before the rename" : "crash after the drop returned");
    TempDir dir;
    FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
    {
      auto log = open_log(testing::options_for(dir.path()), &env);
      ASSERT_TRUE(log) << log.error().to_string();
      fill(**log, 500, 4);
      // Records of the other shard acknowledged while the drop is under way.
      if (crash_before_rename) env.hold_renames();
      auto drop = std::async(std::launch::async, [&] { return (*log)->drop_shards(keys(500)); });
      if (crash_before_rename) {
        ASSERT_TRUE(eventually([&] { return env.renames_waiting() == 1; }));
      }
      ASSERT_TRUE(append_wait(**log, {make_append(kOther, 2, "during")}).has_value());
      if (crash_before_rename) {
        env.crash();
        env.release_renames();
        EXPECT_FALSE(drop.get());  // not durable: the caller retries
      } else {
        ASSERT_TRUE(drop.get());
        env.crash();
      }
      (void)(*log)->close();
    }
    ASSERT_TRUE(env.apply_crash(FaultInjectionEnv::TornWrite::kGarbage));
    env.reset();
    auto log = open_log(testing::options_for(dir.path()), &env);
    ASSERT_TRUE(log) << log.error().to_string();
    bool dropped = false;
    expect_all_or_nothing(**log, 500, &dropped);
    if (!crash_before_rename) {
      EXPECT_TRUE(dropped) << "an acknowledged drop came back";
    }
    EXPECT_EQ(read_all(**log, kOther).size(), 6u);
    // The retried drop finishes it.
    ASSERT_TRUE((*log)->drop_shards(keys(500)));
    EXPECT_TRUE(read_all(**log, 250).empty());
  }
}

// A put accepted before the drop but published after the drop's checkpoint
// copied the segment table was not covered by it: that checkpoint did not
// list the shard (no segment held it yet), so a crash before the next
// checkpoint brought the dropped shard back. Publishing such a batch now
// makes the writer write another checkpoint.
TEST(LogDrop, ABatchPublishedAfterTheDropsCheckpointDoesNotBringTheShardBackAfterACrash) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  LogOptions o = testing::options_for(dir.path());  // kAlways: callbacks on the sync thread
  {
    auto log = LocalLog::open(o, &env);
    ASSERT_TRUE(log) << log.error().to_string();
    // Hold the sync thread in a callback, so that the next commit is written
    // but not published.
    std::promise<void> entered;
    std::promise<void> release;
    auto released = release.get_future().share();
    (*log)->append({make_append(kOther, 1, "hold")}, [&, released](Result<std::vector<Appended>>) {
      entered.set_value();
      released.wait();
    });
    entered.get_future().wait();
    std::promise<bool> in_flight;
    (*log)->append({make_append(7, 3, "in-flight")},
                   [&](Result<std::vector<Appended>> r) { in_flight.set_value(r.has_value()); });
    ASSERT_TRUE((*log)->drop_shards({7}));  // its checkpoint: no segment holds shard 7 yet
    release.set_value();
    ASSERT_TRUE(in_flight.get_future().get());  // accepted before the drop: published now
    ASSERT_TRUE((*log)->enforce_retention());   // a barrier: the writer went round once
    env.crash();
    (void)(*log)->close();
  }
  ASSERT_TRUE(env.apply_crash(FaultInjectionEnv::TornWrite::kDropAll));
  env.reset();
  auto log = open_log(o, &env);
  ASSERT_TRUE(log) << log.error().to_string();
  EXPECT_TRUE(read_all(**log, 7).empty()) << "a dropped shard came back";
  EXPECT_EQ(read_all(**log, kOther).size(), 1u);
}

}  // namespace
}  // namespace runnel::storage
