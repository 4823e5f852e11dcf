// ShardThroughput's bucket math with an injected clock: the per-shard write,
// read-call and read-byte budgets, their refill, the burst-and-debt rule for
// large records and responses, write_rate(), pruning, and concurrent callers.

#include "streams/throughput.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace runnel::streams {
namespace {

constexpr int64_t kT0 = 1'764'000'000'000;  // an epoch ms on a second boundary
constexpr uint64_t kMiB = 1 << 20;

// How many of `n` records of `bytes` one request admits to `shard` at `now`.
int admit_n(ShardThroughput& t, storage::ShardKey shard, int64_t now, int n, uint64_t bytes = 1, bool enforce = true) {
  auto w = t.writes(shard, now, enforce);
  int admitted = 0;
  for (int i = 0; i < n; ++i) admitted += w.admit(bytes) ? 1 : 0;
  return admitted;
}

TEST(ShardThroughputTest, ThousandRecordsPerSecondWithOneSecondOfBurst) {
  ShardThroughput t;
  EXPECT_EQ(admit_n(t, 1, kT0, 1500), 1000);
  EXPECT_EQ(admit_n(t, 1, kT0, 10), 0);
  EXPECT_EQ(admit_n(t, 1, kT0 + 1, 10), 1);            // 1 ms refills one record
  EXPECT_EQ(admit_n(t, 1, kT0 + 251, 1000), 250);      // 250 ms refill 250
  EXPECT_EQ(admit_n(t, 1, kT0 + 10'000, 5000), 1000);  // never more than one second's worth
  // Another shard has its own budget.
  EXPECT_EQ(admit_n(t, 2, kT0, 1000), 1000);
}

TEST(ShardThroughputTest, OneMebibytePerSecondCountingPartitionKeys) {
  ShardThroughput t;
  EXPECT_EQ(admit_n(t, 1, kT0, 4, 300 * 1024), 3);  // 900 KiB fit, the 4th does not
  // A throttled record charges nothing: a smaller one still fits the 124 KiB left.
  {
    auto w = t.writes(1, kT0, true);
    EXPECT_FALSE(w.admit(200 * 1024));
    EXPECT_TRUE(w.admit(124 * 1024));
    EXPECT_FALSE(w.admit(1));
  }
  EXPECT_FALSE(admit_n(t, 1, kT0 + 499, 1, kMiB / 2) == 1);
  EXPECT_EQ(admit_n(t, 1, kT0 + 500, 1, kMiB / 2), 1);  // 500 ms refill half a MiB
}

TEST(ShardThroughputTest, LargeRecordNeedsAFullBudgetAndLeavesADebt) {
  ShardThroughput t;
  EXPECT_EQ(admit_n(t, 1, kT0, 1, 1), 1);
  EXPECT_EQ(admit_n(t, 1, kT0, 1, 2 * kMiB), 0);  // budget not full
  EXPECT_EQ(admit_n(t, 1, kT0 + 1, 1, 10 * kMiB), 1);
  // 9 MiB of debt take 9 s to repay at 1 MiB/s.
  EXPECT_EQ(admit_n(t, 1, kT0 + 1 + 5'000, 1, 1), 0);
  EXPECT_EQ(admit_n(t, 1, kT0 + 1 + 9'000, 1, 1), 0);
  EXPECT_EQ(admit_n(t, 1, kT0 + 1 + 9'001, 1, 1), 1);
}

TEST(ShardThroughputTest, LimitsOffAdmitEverythingAndStillCount) {
  ShardThroughput t;
  EXPECT_EQ(admit_n(t, 1, kT0, 5000, 1000, /*enforce=*/false), 5000);
  auto rate = t.write_rate(1, kT0 + 1000);
  EXPECT_DOUBLE_EQ(rate.records_per_s, 5000);
  EXPECT_DOUBLE_EQ(rate.bytes_per_s, 5'000'000);
}

TEST(ShardThroughputTest, CountWritesCountsWithoutCharging) {
  ShardThroughput t;
  t.count_writes(1, kT0, 5000, 5'000'000);
  t.count_writes(1, kT0 + 500, 1000, 1'000'000);
  auto rate = t.write_rate(1, kT0 + 2000);
  EXPECT_DOUBLE_EQ(rate.records_per_s, 3000);
  EXPECT_DOUBLE_EQ(rate.bytes_per_s, 3'000'000);
  EXPECT_EQ(admit_n(t, 1, kT0 + 500, 2000), 1000);  // the budget is untouched
}

TEST(ShardThroughputTest, FiveReadCallsPerSecond) {
  ShardThroughput t;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(t.admit_read(7, kT0)) << i;
  EXPECT_FALSE(t.admit_read(7, kT0));
  EXPECT_FALSE(t.admit_read(7, kT0 + 199));
  EXPECT_TRUE(t.admit_read(7, kT0 + 200));
  EXPECT_FALSE(t.admit_read(7, kT0 + 200));
  EXPECT_TRUE(t.admit_read(8, kT0));  // per shard
}

TEST(ShardThroughputTest, LargeResponseThrottlesReadsUntilRepaid) {
  ShardThroughput t;
  ASSERT_TRUE(t.admit_read(7, kT0));
  t.read_done(7, kT0, 10 * kMiB);  // 2 MiB budget - 10 MiB = 8 MiB of debt
  EXPECT_FALSE(t.admit_read(7, kT0 + 1000));
  EXPECT_FALSE(t.admit_read(7, kT0 + 4000));  // debt repaid to exactly 0
  EXPECT_TRUE(t.admit_read(7, kT0 + 4001));
  // Small responses leave reads open up to the call limit.
  ShardThroughput u;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(u.admit_read(7, kT0));
    u.read_done(7, kT0, 100 * 1024);
  }
  EXPECT_FALSE(u.admit_read(7, kT0));
}

TEST(ShardThroughputTest, WriteRateAveragesTheLastMinute) {
  ShardThroughput t;
  EXPECT_EQ(t.write_rate(1, kT0).records_per_s, 0);  // never written
  // 100 records of 10 bytes every second for two minutes.
  for (int s = 0; s < 120; ++s) ASSERT_EQ(admit_n(t, 1, kT0 + s * 1000, 100, 10), 100);
  auto rate = t.write_rate(1, kT0 + 119'999);
  EXPECT_NEAR(rate.records_per_s, 100, 2);
  EXPECT_NEAR(rate.bytes_per_s, 1000, 20);
  // A young shard averages over its life, not the whole minute.
  EXPECT_EQ(admit_n(t, 2, kT0, 100), 100);
  EXPECT_DOUBLE_EQ(t.write_rate(2, kT0 + 2000).records_per_s, 50);
  // And the minute forgets.
  EXPECT_EQ(t.write_rate(2, kT0 + 61'000).records_per_s, 0);
  EXPECT_NEAR(t.write_rate(1, kT0 + 150'000).records_per_s, 50, 2);  // 30 of the last 60 s
}

TEST(ShardThroughputTest, IdleShardsArePrunedAndForgotten) {
  ShardThroughput t;
  for (storage::ShardKey k = 1; k <= 100; ++k) ASSERT_TRUE(t.admit_read(k, kT0));
  EXPECT_EQ(t.tracked_shards(), 100u);
  ASSERT_TRUE(t.admit_read(1, kT0 + 100'000));  // shard 1 stays active
  // Adding a shard after the others were idle past kIdleForgetMs drops them.
  ASSERT_TRUE(t.admit_read(1000, kT0 + ShardThroughput::kIdleForgetMs + 1));
  EXPECT_EQ(t.tracked_shards(), 2u);
  t.forget(1000);
  EXPECT_EQ(t.tracked_shards(), 1u);
  // A forgotten shard starts over with a full budget.
  EXPECT_EQ(admit_n(t, 1000, kT0 + ShardThroughput::kIdleForgetMs + 2, 2000), 1000);
}

TEST(ShardThroughputTest, ClockSteppingBackRefillsNothing) {
  ShardThroughput t;
  EXPECT_EQ(admit_n(t, 1, kT0, 1000), 1000);
  EXPECT_EQ(admit_n(t, 1, kT0 - 5000, 10), 0);
  EXPECT_EQ(admit_n(t, 1, kT0 + 1, 10), 1);
}

TEST(ShardThroughputTest, ConcurrentWritersShareOneBudgetExactly) {
  ShardThroughput t;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int r = 0; r < 50; ++r) {
        admitted += admit_n(t, 1, kT0, 10);
        admit_n(t, 100 + static_cast<storage::ShardKey>(i * 50 + r), kT0, 1);  // adds shards concurrently
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 1000);
  EXPECT_EQ(t.tracked_shards(), 201u);
}

}  // namespace
}  // namespace runnel::streams
