// The service pushes each shard's retention down to the log (issue 15:
// storage must not call up into streams): on CreateStream, on load, for the
// children of SplitShard / MergeShards / UpdateShardCount, on
// Increase/DecreaseStreamRetentionPeriod; a deleted stream's shards are
// cleared. Observed through a log that records the calls and forwards them.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "streams/service_test_base.h"
#include "streams/shard_retention.h"

namespace runnel::streams {
namespace {

constexpr int64_t kHourMs = 3600'000;

// Forwards everything to a real log; remembers the retention settings.
class RecordingLog final : public storage::Log {
 public:
  explicit RecordingLog(storage::Log& log) : log_(log) {}
  void append(std::vector<storage::ShardAppend> a, AppendDone done) override {
    log_.append(std::move(a), std::move(done));
  }
  Result<storage::ReadResult> read(storage::ShardKey s, uint64_t from, uint32_t n, uint64_t bytes,
                                   int64_t min_arrival_ms) override {
    return log_.read(s, from, n, bytes, min_arrival_ms);
  }
  uint64_t counter_at_time(storage::ShardKey s, int64_t ts) override { return log_.counter_at_time(s, ts); }
  storage::ShardTail tail(storage::ShardKey s) override { return log_.tail(s); }
  uint64_t last_assigned_counter(storage::ShardKey s) override { return log_.last_assigned_counter(s); }
  Status drop_shards(const std::vector<storage::ShardKey>& s) override { return log_.drop_shards(s); }
  void set_retention(const std::vector<storage::ShardKey>& shards, storage::ShardRetention r) override {
    {
      MutexLock lock(mu_);
      for (auto k : shards) settings_[k] = r;
    }
    log_.set_retention(shards, r);
  }
  void clear_retention(const std::vector<storage::ShardKey>& shards) override {
    {
      MutexLock lock(mu_);
      for (auto k : shards) settings_.erase(k);
    }
    log_.clear_retention(shards);
  }
  void retention_settings_complete() override {
    complete_ = true;
    log_.retention_settings_complete();
  }
  Status writable() override { return log_.writable(); }
  Status close() override { return Status::ok(); }  // the fixture closes the real log

  std::map<storage::ShardKey, storage::ShardRetention> settings() {
    MutexLock lock(mu_);
    return settings_;
  }
  std::atomic<bool> complete_{false};

 private:
  storage::Log& log_;
  Mutex mu_;
  std::map<storage::ShardKey, storage::ShardRetention> settings_ GUARDED_BY(mu_);
};

class ShardRetentionTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-retention");
    open();
    reopen_over_recorder();
  }
  // The base opened a service over the real log; replace it by one over a
  // recorder, as a restart would (load() runs again).
  void reopen_over_recorder() {
    service_.reset();
    recorder_ = std::make_unique<RecordingLog>(*log_);
    service_ = std::make_unique<KinesisService>(options_, *recorder_, *metadata_, std::string(32, 'k'));
    service_->now_ms = [this] { return now_.load(); };
    ASSERT_TRUE(service_->load());
  }
  void TearDown() override {
    service_.reset();
    ServiceTestBase::TearDown();
  }
  std::unique_ptr<RecordingLog> recorder_;
  std::atomic<int64_t> now_{1'765'000'000'000};
};

TEST_F(ShardRetentionTest, CreateStreamSetsEveryShardToTheDefault24Hours) {
  EXPECT_TRUE(recorder_->complete_.load()) << "load() completes the settings";
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 3}})));
  auto settings = recorder_->settings();
  ASSERT_EQ(settings.size(), 3u);
  for (const auto& [key, r] : settings) {
    EXPECT_EQ(r.period_ms, 24 * kHourMs);
    EXPECT_EQ(r.floor_ms, 0);
    EXPECT_EQ(r.cutoff(now_.load()), now_.load() - 24 * kHourMs);
  }
}

// Today's semantics, kept: an increase keeps what was trimmed trimmed (the
// floor is the old horizon), a decrease trims at once.
TEST_F(ShardRetentionTest, RetentionChangesArePushedWithTheTrimFloor) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  const int64_t t0 = now_.load();
  ASSERT_TRUE(call("IncreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 48}})));
  auto settings = recorder_->settings();
  ASSERT_EQ(settings.size(), 1u);
  storage::ShardRetention r = settings.begin()->second;
  EXPECT_EQ(r.period_ms, 48 * kHourMs);
  EXPECT_EQ(r.floor_ms, t0 - 24 * kHourMs);
  EXPECT_EQ(r.cutoff(t0 + kHourMs), t0 - 24 * kHourMs);                      // the floor holds
  EXPECT_EQ(r.cutoff(t0 + 30 * kHourMs), t0 + 30 * kHourMs - 48 * kHourMs);  // then the period
  ASSERT_TRUE(call("DecreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 24}})));
  r = recorder_->settings().begin()->second;
  EXPECT_EQ(r.period_ms, 24 * kHourMs);
  EXPECT_EQ(r.cutoff(t0 + kHourMs), t0 + kHourMs - 24 * kHourMs);
}

TEST_F(ShardRetentionTest, ReshardedChildrenGetTheStreamsRetention) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  ASSERT_TRUE(call("IncreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 72}})));
  ASSERT_TRUE(call("UpdateShardCount",
                   obj({{"StreamName", "s"}, {"TargetShardCount", 4}, {"ScalingType", "UNIFORM_SCALING"}})));
  auto settings = recorder_->settings();
  ASSERT_GT(settings.size(), 2u);  // the closed parents keep theirs, the children got one
  for (const auto& [key, r] : settings) EXPECT_EQ(r.period_ms, 72 * kHourMs) << key;
}

TEST_F(ShardRetentionTest, DeleteStreamClearsItsShards) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "gone"}, {"ShardCount", 2}})));
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "kept"}, {"ShardCount", 1}})));
  ASSERT_EQ(recorder_->settings().size(), 3u);
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "gone"}})));
  // The purge (drop_shards, then the clear) may finish on another thread.
  for (int i = 0; i < 500 && recorder_->settings().size() != 1u; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(recorder_->settings().size(), 1u);
}

TEST_F(ShardRetentionTest, LoadPushesEveryStreamsRetentionThenCompletes) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "a"}, {"ShardCount", 2}})));
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "b"}, {"ShardCount", 1}})));
  ASSERT_TRUE(call("IncreaseStreamRetentionPeriod", obj({{"StreamName", "b"}, {"RetentionPeriodHours", 100}})));
  reopen_over_recorder();  // a restart: the log forgot its settings
  EXPECT_TRUE(recorder_->complete_.load());
  auto settings = recorder_->settings();
  ASSERT_EQ(settings.size(), 3u);
  int long_ones = 0;
  for (const auto& [key, r] : settings) long_ones += r.period_ms == 100 * kHourMs;
  EXPECT_EQ(long_ones, 1);
}

}  // namespace
}  // namespace runnel::streams
