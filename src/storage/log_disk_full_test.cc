// A full disk (issue 14, item 6): appends failed with 500 while the disk was
// full, and after space was freed every append still failed until a restart.
// Now appends fail with ResourceExhausted while the disk refuses writes or
// fdatasyncs, Log::writable() says so, and once space is back the log cuts
// the failed commits off and takes appends again: acknowledged records stay
// intact, failed ones are never served, before or after a reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "storage/fault_injection_env.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::make_append;
using testing::read_all;
using testing::TempDir;

struct Case {
  FsyncPolicy policy;
  FaultInjectionEnv::NoSpace no_space;
  const char* name;
};

class LogDiskFullTest : public ::testing::TestWithParam<Case> {
 protected:
  LogOptions options() const {
    LogOptions o = testing::options_for(dir_.path());
    o.fsync = GetParam().policy;
    o.fsync_interval_ms = 5;
    o.failure_retry_ms = 1;
    o.segment_bytes = 8 << 10;  // rolls while failing, too
    return o;
  }
  // Appends `n` records "<tag>-data-i" to `shard` until it is acknowledged
  // (a client retrying), up to a minute; the data of each attempt differs.
  std::string append_until_acked(Log& log, ShardKey shard, int n, const std::string& tag) {
    for (int attempt = 0; attempt < 60'000; ++attempt) {
      const std::string t = tag + "." + std::to_string(attempt);
      if (append_wait(log, {make_append(shard, n, t)})) return t;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ADD_FAILURE() << "appends never resumed";
    return "";
  }
  static std::vector<std::string> data_of(Log& log, ShardKey shard) {
    std::vector<std::string> out;
    for (const auto& r : read_all(log, shard)) out.push_back(r.data);
    return out;
  }
  static std::vector<std::string> expected(const std::vector<std::pair<std::string, int>>& batches) {
    std::vector<std::string> out;
    for (const auto& [tag, n] : batches) {
      for (const auto& rec : make_append(0, n, tag).records) out.push_back(rec.data);
    }
    return out;
  }

  TempDir dir_;
  FaultInjectionEnv env_{Env::posix(), 1, /*real_syncs=*/false};
};

TEST_P(LogDiskFullTest, AppendsResumeOnceSpaceIsBackAndFailedRecordsAreNeverServed) {
  auto log = open_log(options(), &env_);
  ASSERT_TRUE(log) << log.error().to_string();
  const std::string a = append_until_acked(**log, 1, 40, "a");
  ASSERT_TRUE((*log)->writable());
  if (GetParam().policy != FsyncPolicy::kAlways) {
    // Synced first (close() fsyncs): a failed fdatasync over acknowledged
    // unsynced records keeps these policies failed until a restart (the
    // test below).
    ASSERT_TRUE((*log)->close());
    log = open_log(options(), &env_);
    ASSERT_TRUE(log) << log.error().to_string();
  }

  env_.set_no_space(GetParam().no_space);
  for (int i = 0; i < 5; ++i) {  // each a group commit, some past a roll
    auto failed = append_wait(**log, {make_append(1, 40, "b" + std::to_string(i)), make_append(2, 3, "b")});
    ASSERT_FALSE(failed) << "acknowledged while the disk was full";
    EXPECT_EQ(failed.error().code(), Status::Code::kResourceExhausted) << failed.error().to_string();
  }
  const Status down = (*log)->writable();
  EXPECT_EQ(down.code(), Status::Code::kResourceExhausted) << down.to_string();
  EXPECT_EQ(data_of(**log, 1), expected({{a, 40}}));

  env_.set_no_space(FaultInjectionEnv::NoSpace::kOff);
  const std::string c = append_until_acked(**log, 1, 40, "c");
  EXPECT_TRUE((*log)->writable());
  const std::string d = append_until_acked(**log, 3, 2, "d");  // a shard never written before
  EXPECT_EQ(data_of(**log, 1), expected({{a, 40}, {c, 40}}));
  EXPECT_TRUE(data_of(**log, 2).empty());
  EXPECT_GE(static_cast<LocalLog&>(**log).stats().write_recoveries, 1u);

  // With kAlways a power loss now keeps every acknowledged record (the
  // weaker policies promise that only after a clean close), and brings back
  // none of the failed ones.
  if (GetParam().policy == FsyncPolicy::kAlways) {
    env_.crash();
    (void)(*log)->close();
    log->reset();
    ASSERT_TRUE(env_.apply_crash(FaultInjectionEnv::TornWrite::kDropAll));
    env_.reset();
  } else {
    ASSERT_TRUE((*log)->close());
    log->reset();
  }
  auto reopened = open_log(options(), &env_);
  ASSERT_TRUE(reopened) << reopened.error().to_string();
  EXPECT_EQ(data_of(**reopened, 1), expected({{a, 40}, {c, 40}}));
  EXPECT_TRUE(data_of(**reopened, 2).empty());
  EXPECT_EQ(data_of(**reopened, 3), expected({{d, 2}}));
}

TEST_P(LogDiskFullTest, AReopenAfterClosingWhileTheDiskIsFullServesNoFailedRecord) {
  {
    auto log = open_log(options(), &env_);
    ASSERT_TRUE(log) << log.error().to_string();
    ASSERT_TRUE(append_wait(**log, {make_append(1, 40, "a")}));
    env_.set_no_space(GetParam().no_space);
    ASSERT_FALSE(append_wait(**log, {make_append(1, 40, "b")}));
    EXPECT_FALSE((*log)->close());  // the disk is still full
  }
  env_.set_no_space(FaultInjectionEnv::NoSpace::kOff);
  auto log = open_log(options(), &env_);
  ASSERT_TRUE(log) << log.error().to_string();
  EXPECT_EQ(data_of(**log, 1), expected({{"a", 40}}));
  ASSERT_TRUE(append_wait(**log, {make_append(1, 1, "c")}));
  EXPECT_EQ(data_of(**log, 1), expected({{"a", 40}, {"c", 1}}));
}

// Retention is what frees space on a full disk. Its checkpoint write failed
// there, and the segments it meant to delete were forgotten, never deleted
// until a restart; now the next pass deletes them.
TEST(LogDiskFull, RetentionThatCouldNotWriteItsCheckpointDeletesTheSegmentsOnTheNextPass) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  LogOptions o = testing::options_for(dir.path());
  o.segment_bytes = 8 << 10;
  o.retention_check_ms = 3'600'000;  // only enforce_retention() below
  o.retention = true;                // shard 1 has no setting: kept until the settings are complete
  auto log = LocalLog::open(o, &env);
  ASSERT_TRUE(log) << log.error().to_string();
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 40, "r" + std::to_string(i))}));
  const size_t segments = testing::segment_paths(dir.path()).size();
  ASSERT_GT(segments, 2u);
  (*log)->retention_settings_complete();  // shard 1 is no stream's: it expires
  env.set_no_space(FaultInjectionEnv::NoSpace::kWritesAndSyncs);
  EXPECT_FALSE((*log)->enforce_retention());
  EXPECT_EQ(testing::segment_paths(dir.path()).size(), segments);
  env.set_no_space(FaultInjectionEnv::NoSpace::kOff);
  ASSERT_TRUE((*log)->enforce_retention());
  EXPECT_EQ(testing::segment_paths(dir.path()).size(), 1u);  // only the active one is left
}

// A disk filled by the log itself: retention and DeleteStream's drop both
// wrote a checkpoint (a new file, fdatasync, rename) before deleting
// anything, so on a full disk neither could free a byte. Segments holding
// only dropped shards are now deleted before any checkpoint is written.
TEST(LogDiskFull, RetentionFreesTheSegmentsOfDroppedShardsWhileTheDiskIsFull) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  LogOptions o = testing::options_for(dir.path());
  o.segment_bytes = 8 << 10;
  o.failure_retry_ms = 1;
  o.retention_check_ms = 3'600'000;  // only enforce_retention() below
  o.retention = true;                // no settings, never complete: nothing expires by age
  {
    auto log = LocalLog::open(o, &env);
    ASSERT_TRUE(log) << log.error().to_string();
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 40, "r" + std::to_string(i))}));
    ASSERT_TRUE(append_wait(**log, {make_append(2, 1, "kept")}));  // in the active segment only
    const size_t segments = testing::segment_paths(dir.path()).size();
    ASSERT_GT(segments, 2u);

    env.set_no_space(FaultInjectionEnv::NoSpace::kWritesAndSyncs);
    ASSERT_FALSE(append_wait(**log, {make_append(2, 1, "failed")}));
    EXPECT_FALSE((*log)->drop_shards({1}));  // its checkpoint cannot be written
    EXPECT_TRUE((*log)->enforce_retention());
    EXPECT_EQ(testing::segment_paths(dir.path()).size(), 1u);  // every sealed one held only shard 1

    env.set_no_space(FaultInjectionEnv::NoSpace::kOff);
    ASSERT_TRUE((*log)->drop_shards({1}));  // DeleteStream's retry
    bool appended = false;
    for (int i = 0; i < 1000 && !appended; ++i) {
      appended = bool(append_wait(**log, {make_append(2, 1, "after")}));
      if (!appended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(appended);
    ASSERT_TRUE((*log)->close());
  }
  auto log = LocalLog::open(o, &env);
  ASSERT_TRUE(log) << log.error().to_string();
  EXPECT_TRUE(read_all(**log, 1).empty());
  EXPECT_EQ(read_all(**log, 2).size(), 2u);
}

// Under kInterval/kNever a commit is acknowledged before any fdatasync. When
// a later fdatasync failed, recovery cut back to the end of the published
// data, which still held those acknowledged, never synced bytes, fdatasynced
// again (which succeeds even if Linux dropped the pages after the failure)
// and reported the log writable: records lost silently, or read back later
// as Corruption. Now the log stays failed, naming the range, until a restart.
TEST(LogDiskFull, AFailedFdatasyncOverAcknowledgedUnsyncedRecordsKeepsTheLogFailedUntilARestart) {
  for (FsyncPolicy policy : {FsyncPolicy::kInterval, FsyncPolicy::kNever}) {
    SCOPED_TRACE(policy == FsyncPolicy::kInterval ? "interval" : "never");
    TempDir dir;
    FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
    LogOptions o = testing::options_for(dir.path());
    o.fsync = policy;
    o.fsync_interval_ms = 3'600'000;  // only the roll below syncs
    o.failure_retry_ms = 1;
    o.segment_bytes = 8 << 10;
    {
      auto log = open_log(o, &env);
      ASSERT_TRUE(log) << log.error().to_string();
      ASSERT_TRUE(append_wait(**log, {make_append(1, 600, "a")}));  // acknowledged, past segment_bytes, unsynced
      ASSERT_GT(env.unsynced_bytes(), 0u);
      env.set_no_space(FaultInjectionEnv::NoSpace::kSyncs);
      ASSERT_GE(std::filesystem::file_size(testing::segment_paths(dir.path()).back()), o.segment_bytes);
      ASSERT_FALSE(append_wait(**log, {make_append(1, 1, "b")}));  // rolls: the old segment's fdatasync fails
      env.set_no_space(FaultInjectionEnv::NoSpace::kOff);
      for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto r = append_wait(**log, {make_append(1, 1, "c" + std::to_string(i))});
        ASSERT_FALSE(r) << "acknowledged after a failed fdatasync over unsynced acknowledged records";
      }
      const Status down = (*log)->writable();
      ASSERT_FALSE(down);
      EXPECT_NE(down.message().find("until a restart"), std::string::npos) << down.to_string();
      EXPECT_FALSE((*log)->close());
    }
    // A restart starts from what is on disk (here the fault env kept the bytes).
    auto log = open_log(o, &env);
    ASSERT_TRUE(log) << log.error().to_string();
    EXPECT_EQ(read_all(**log, 1).size(), 600u);
    ASSERT_TRUE(append_wait(**log, {make_append(1, 1, "d")}));
    EXPECT_TRUE((*log)->writable());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, LogDiskFullTest,
    ::testing::Values(Case{FsyncPolicy::kAlways, FaultInjectionEnv::NoSpace::kWritesAndSyncs, "AlwaysWrites"},
                      Case{FsyncPolicy::kAlways, FaultInjectionEnv::NoSpace::kSyncs, "AlwaysSyncsOnly"},
                      Case{FsyncPolicy::kInterval, FaultInjectionEnv::NoSpace::kWritesAndSyncs, "IntervalWrites"},
                      Case{FsyncPolicy::kNever, FaultInjectionEnv::NoSpace::kWritesAndSyncs, "NeverWrites"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace runnel::storage
