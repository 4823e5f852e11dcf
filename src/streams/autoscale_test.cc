// OnDemandScaler's decisions with fake write rates (streams/autoscale.h).

#include "streams/autoscale.h"

#include <gtest/gtest.h>

#include <map>

namespace runnel::streams {
namespace {

constexpr int64_t kT0 = 1'000'000'000;

class AutoscaleTest : public ::testing::Test {
 protected:
  AutoscaleTest() : scaler_(policy(), [this](storage::ShardKey k, int64_t) { return rates_[k]; }) {}

  static AutoscalePolicy policy() {
    AutoscalePolicy p;
    p.sustain_ms = 10'000;
    p.min_shard_age_ms = 30'000;
    p.max_splits_per_stream = 3;
    return p;
  }
  // An ACTIVE on-demand stream of `n` shards created at kT0 - 60 s, keys 100+i.
  static StreamState stream(uint32_t n, std::string mode = "ON_DEMAND") {
    StreamState s;
    s.uid = 1;
    s.name = "s";
    s.mode = std::move(mode);
    s.status = StreamStatus::kActive;
    auto ranges = split_hash_space(n);
    for (uint32_t i = 0; i < n; ++i) {
      Shard sh;
      sh.index = i;
      sh.key = 100 + i;
      sh.range = ranges[i];
      sh.created_ms = kT0 - 60'000;
      s.shards.push_back(sh);
    }
    return s;
  }
  static std::vector<uint32_t> indexes(const std::vector<SplitDecision>& d) {
    std::vector<uint32_t> out;
    for (const auto& x : d) out.push_back(x.shard_index);
    return out;
  }

  std::map<storage::ShardKey, ShardThroughput::WriteRate> rates_;
  OnDemandScaler scaler_;
};

TEST_F(AutoscaleTest, ColdShardsNeverSplit) {
  StreamState s = stream(4);
  rates_[100] = {.bytes_per_s = 0.79 * 1024 * 1024, .records_per_s = 790};
  EXPECT_TRUE(scaler_.decide(s, kT0, 100).empty());
  EXPECT_TRUE(scaler_.decide(s, kT0 + 60'000, 100).empty());
}

TEST_F(AutoscaleTest, HotShardSplitsAtItsMiddleOnceSustained) {
  StreamState s = stream(4);
  rates_[101] = {.bytes_per_s = 0.9 * 1024 * 1024, .records_per_s = 1};
  EXPECT_TRUE(scaler_.decide(s, kT0, 100).empty());
  EXPECT_TRUE(scaler_.decide(s, kT0 + 9'999, 100).empty());
  auto d = scaler_.decide(s, kT0 + 10'000, 100);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].shard_index, 1u);
  const HashKeyRange r = s.shards[1].range;
  EXPECT_EQ(d[0].new_starting_hash_key, r.start + (r.end - r.start) / 2 + 1);
  EXPECT_GT(d[0].new_starting_hash_key - r.start, HashKey{1});
  EXPECT_LT(d[0].new_starting_hash_key, r.end);
}

TEST_F(AutoscaleTest, RecordRateAloneMakesAShardHot) {
  StreamState s = stream(2);
  rates_[100] = {.bytes_per_s = 10, .records_per_s = 850};
  (void)scaler_.decide(s, kT0, 100);
  EXPECT_EQ(indexes(scaler_.decide(s, kT0 + 10'000, 100)), std::vector<uint32_t>{0});
}

TEST_F(AutoscaleTest, CoolingDownResetsTheClock) {
  StreamState s = stream(2);
  rates_[100] = {.bytes_per_s = 0, .records_per_s = 900};
  (void)scaler_.decide(s, kT0, 100);
  rates_[100] = {};
  (void)scaler_.decide(s, kT0 + 5'000, 100);
  rates_[100] = {.bytes_per_s = 0, .records_per_s = 900};
  EXPECT_TRUE(scaler_.decide(s, kT0 + 10'000, 100).empty());
  EXPECT_EQ(scaler_.decide(s, kT0 + 20'000, 100).size(), 1u);
}

TEST_F(AutoscaleTest, YoungShardsWait) {
  StreamState s = stream(2);
  s.shards[0].created_ms = kT0;
  rates_[100] = {.bytes_per_s = 0, .records_per_s = 1000};
  (void)scaler_.decide(s, kT0, 100);
  EXPECT_TRUE(scaler_.decide(s, kT0 + 10'000, 100).empty());
  EXPECT_EQ(scaler_.decide(s, kT0 + 30'000, 100).size(), 1u);
}

TEST_F(AutoscaleTest, HottestFirstAndBoundedByRoundAndHeadroom) {
  StreamState s = stream(6);
  const double loads[6] = {0.85, 0.99, 0.5, 0.95, 0.9, 0.81};
  for (int i = 0; i < 6; ++i) rates_[100 + i] = {.bytes_per_s = 0, .records_per_s = loads[i] * 1000};
  (void)scaler_.decide(s, kT0, 100);
  EXPECT_EQ(indexes(scaler_.decide(s, kT0 + 10'000, 100)), (std::vector<uint32_t>{1, 3, 4}));
  // Those three forgot their clocks; the others are still sustained.
  EXPECT_EQ(indexes(scaler_.decide(s, kT0 + 10'000, 1)), (std::vector<uint32_t>{0}));
  EXPECT_TRUE(scaler_.decide(s, kT0 + 10'000, 0).empty());
}

TEST_F(AutoscaleTest, OnlyActiveOnDemandStreamsScale) {
  StreamState p = stream(1, "PROVISIONED");
  rates_[100] = {.bytes_per_s = 2e6, .records_per_s = 5000};
  (void)scaler_.decide(p, kT0, 100);
  EXPECT_TRUE(scaler_.decide(p, kT0 + 60'000, 100).empty());
  StreamState u = stream(1);
  u.status = StreamStatus::kUpdating;
  (void)scaler_.decide(u, kT0, 100);
  EXPECT_TRUE(scaler_.decide(u, kT0 + 60'000, 100).empty());
}

TEST_F(AutoscaleTest, ClosedShardsAndTheStreamCapAreRespected) {
  StreamState s = stream(2);
  s.shards[0].closed_ms = kT0 - 1;
  rates_[100] = {.bytes_per_s = 2e6, .records_per_s = 0};
  rates_[101] = {.bytes_per_s = 2e6, .records_per_s = 0};
  (void)scaler_.decide(s, kT0, 100);
  EXPECT_EQ(indexes(scaler_.decide(s, kT0 + 10'000, 100)), std::vector<uint32_t>{1});

  AutoscalePolicy capped = policy();
  capped.max_open_shards_per_stream = 2;
  OnDemandScaler at_cap(capped, [this](storage::ShardKey k, int64_t) { return rates_[k]; });
  StreamState full = stream(2);
  (void)at_cap.decide(full, kT0, 100);
  EXPECT_TRUE(at_cap.decide(full, kT0 + 10'000, 100).empty());
}

TEST(MidpointSplitKey, SplitsTheWholeSpaceAt2To127) {
  EXPECT_EQ(midpoint_split_key({0, kMaxHashKey}), HashKey{1} << 127);
  EXPECT_EQ(midpoint_split_key({10, 13}), HashKey{12});
}

}  // namespace
}  // namespace runnel::streams
