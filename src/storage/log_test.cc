// Functional tests of LocalLog through the Log interface.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::FakeClock;
using testing::make_append;
using testing::options_for;
using testing::read_all;
using testing::TempDir;

TEST(Log, RoundTripAcrossManyShards) {
  TempDir dir;
  auto log = open_log(options_for(dir.path()));
  ASSERT_TRUE(log) << log.error().to_string();
  std::map<ShardKey, std::vector<AppendRecord>> expected;
  for (int round = 0; round < 5; ++round) {
    std::vector<ShardAppend> appends;
    for (ShardKey s = 1; s <= 200; ++s) {
      appends.push_back(
          make_append(s, 1 + static_cast<int>((s + round) % 4), "s" + std::to_string(s) + "r" + std::to_string(round)));
      for (auto& r : appends.back().records) expected[s].push_back(r);
    }
    auto r = append_wait(**log, appends);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), 200u);
    for (size_t i = 0; i < r->size(); ++i) {
      const ShardKey s = appends[i].shard;
      EXPECT_EQ((*r)[i].first_counter, expected[s].size() - appends[i].records.size() + 1);
      EXPECT_EQ((*r)[i].arrival_ms.size(), appends[i].records.size());
    }
  }
  for (const auto& [s, recs] : expected) {
    auto got = read_all(**log, s);
    ASSERT_EQ(got.size(), recs.size()) << "shard " << s;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].counter, i + 1);
      EXPECT_EQ(got[i].partition_key, recs[i].partition_key);
      EXPECT_EQ(got[i].data, recs[i].data);
    }
    EXPECT_EQ((*log)->tail(s).last_counter, recs.size());
  }
  EXPECT_TRUE((*log)->close());
}

TEST(Log, SameShardTwiceInOneCallAndEmptyAppends) {
  TempDir dir;
  auto log = open_log(options_for(dir.path()));
  ASSERT_TRUE(log);
  auto r = append_wait(**log, {make_append(7, 2, "a"), make_append(8, 0, "x"), make_append(7, 3, "b")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 1u);
  EXPECT_EQ((*r)[2].first_counter, 3u);
  auto got = read_all(**log, 7);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[1].data, "a-data-1");
  EXPECT_EQ(got[2].data, "b-data-0");
  EXPECT_EQ((*log)->tail(8).last_counter, 0u);
  EXPECT_TRUE(append_wait(**log, {}).has_value());
}

TEST(Log, ReadLimits) {
  TempDir dir;
  auto log = open_log(options_for(dir.path()));
  ASSERT_TRUE(log);
  ASSERT_TRUE(append_wait(**log, {make_append(1, 50, "x")}));
  auto r = (*log)->read(1, 0, 10, UINT64_MAX, INT64_MIN);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->records.size(), 10u);
  EXPECT_EQ(r->records.front().counter, 1u);
  EXPECT_EQ(r->next_counter, 11u);
  // max_bytes smaller than one record still returns that record.
  r = (*log)->read(1, 11, 10, 1, INT64_MIN);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].counter, 11u);
  EXPECT_EQ(r->next_counter, 12u);
  // Byte budget of exactly three records ("x-pkN" + "x-data-N" = 13 bytes each for N < 10).
  r = (*log)->read(1, 2, 100, 3 * 13, INT64_MIN);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->records.size(), 3u);
  // Past the tail: nothing, and next stays put.
  r = (*log)->read(1, 51, 10, UINT64_MAX, INT64_MIN);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_counter, 51u);
  r = (*log)->read(1, 500, 10, UINT64_MAX, INT64_MIN);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next_counter, 500u);
  // Unknown shard.
  r = (*log)->read(99, 0, 10, UINT64_MAX, INT64_MIN);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_counter, 1u);
}

TEST(Log, CounterAtTimeAndMinArrival) {
  TempDir dir;
  FakeClock clock;
  auto opts = options_for(dir.path());
  opts.now_ms = clock.fn();
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  const int64_t t0 = clock.now;
  for (int i = 0; i < 10; ++i) {  // counters 3i+1..3i+3 arrive at t0 + 100 i
    clock.now = t0 + 100 * i;
    auto r = append_wait(**log, {make_append(4, 3, "t" + std::to_string(i))});
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].arrival_ms[0], t0 + 100 * i);
  }
  EXPECT_EQ((*log)->counter_at_time(4, t0 - 5), 1u);
  EXPECT_EQ((*log)->counter_at_time(4, t0), 1u);
  EXPECT_EQ((*log)->counter_at_time(4, t0 + 1), 4u);
  EXPECT_EQ((*log)->counter_at_time(4, t0 + 500), 16u);
  EXPECT_EQ((*log)->counter_at_time(4, t0 + 901), 31u);  // after everything: tail + 1
  EXPECT_EQ((*log)->counter_at_time(5, t0), 1u);

  // A clock going backwards never makes arrivals go backwards.
  clock.now = t0;
  auto r = append_wait(**log, {make_append(4, 1, "late")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].arrival_ms[0], t0 + 900);

  // min_arrival hides older records; next_counter moves past them.
  auto got = (*log)->read(4, 0, 1000, UINT64_MAX, t0 + 450);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->records.size(), 16u);
  EXPECT_EQ(got->records.front().counter, 16u);
  got = (*log)->read(4, 0, 1000, UINT64_MAX, t0 + 10'000);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->records.empty());
  EXPECT_EQ(got->next_counter, 32u);
}

TEST(Log, RestartRecoversCountersIndexAndTails) {
  TempDir dir;
  FakeClock clock;
  auto opts = options_for(dir.path());
  opts.now_ms = clock.fn();
  opts.segment_bytes = 8192;  // several segments
  std::map<ShardKey, std::vector<std::string>> expected;
  {
    auto log = open_log(opts);
    ASSERT_TRUE(log);
    for (int round = 0; round < 40; ++round) {
      clock.now += 10;
      std::vector<ShardAppend> appends;
      for (ShardKey s = 1; s <= 5; ++s) {
        appends.push_back(make_append(s, 3, "r" + std::to_string(round)));
        for (auto& rec : appends.back().records) expected[s].push_back(rec.data);
      }
      ASSERT_TRUE(append_wait(**log, appends));
    }
    EXPECT_GT(static_cast<LocalLog*>(log->get())->stats().segments, 2u);
    ASSERT_TRUE((*log)->close());
  }
  auto log = open_log(opts);
  ASSERT_TRUE(log) << log.error().to_string();
  for (ShardKey s = 1; s <= 5; ++s) {
    auto got = read_all(**log, s);
    ASSERT_EQ(got.size(), expected[s].size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].data, expected[s][i]);
    EXPECT_EQ((*log)->tail(s).last_counter, 120u);
    EXPECT_EQ((*log)->tail(s).last_arrival_ms, clock.now.load());
  }
  clock.now -= 1000;  // arrivals stay monotonic across the restart too
  auto r = append_wait(**log, {make_append(3, 1, "after")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 121u);
  EXPECT_EQ((*r)[0].arrival_ms[0], clock.now.load() + 1000);
}

TEST(Log, DropShardHidesRecordsAndSurvivesRestart) {
  TempDir dir;
  auto opts = options_for(dir.path());
  {
    auto log = open_log(opts);
    ASSERT_TRUE(log);
    ASSERT_TRUE(append_wait(**log, {make_append(1, 5, "a"), make_append(2, 5, "b")}));
    ASSERT_TRUE((*log)->drop_shards({1}));
    EXPECT_TRUE(read_all(**log, 1).empty());
    EXPECT_EQ((*log)->tail(1).last_counter, 0u);
    EXPECT_EQ(read_all(**log, 2).size(), 5u);
    auto r = append_wait(**log, {make_append(1, 1, "again")});
    EXPECT_FALSE(r);
    ASSERT_TRUE((*log)->close());
  }
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  EXPECT_TRUE(read_all(**log, 1).empty());
  EXPECT_EQ(read_all(**log, 2).size(), 5u);
}

TEST(Log, ConcurrentAppendersKeepPerShardOrder) {
  TempDir dir;
  auto log = open_log(options_for(dir.path()));
  ASSERT_TRUE(log);
  constexpr int kThreads = 4, kCalls = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        ShardAppend sa;
        sa.shard = static_cast<ShardKey>(i % 3);
        sa.records.push_back({"pk", std::to_string(t) + ":" + std::to_string(i)});
        std::promise<bool> p;
        (*log)->append({sa}, [&](Result<std::vector<Appended>> r) { p.set_value(r.has_value()); });
        ASSERT_TRUE(p.get_future().get());
      }
    });
  }
  for (auto& th : threads) th.join();
  size_t total = 0;
  for (ShardKey s = 0; s < 3; ++s) {
    auto got = read_all(**log, s);
    std::map<int, int> last_i;
    for (size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].counter, k + 1);
      const auto colon = got[k].data.find(':');
      const int t = std::stoi(got[k].data.substr(0, colon));
      const int i = std::stoi(got[k].data.substr(colon + 1));
      if (last_i.contains(t)) {
        EXPECT_GT(i, last_i[t]);
      }
      last_i[t] = i;
    }
    total += got.size();
  }
  EXPECT_EQ(total, size_t{kThreads * kCalls});
  auto stats = static_cast<LocalLog*>(log->get())->stats();
  EXPECT_EQ(stats.records, total);
  EXPECT_LE(stats.commits, total);
}

TEST(Log, IndexCoalescesSmallBatchesOfAShard) {
  TempDir dir;
  auto log = LocalLog::open(options_for(dir.path()), nullptr);
  ASSERT_TRUE(log);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 1, "c"), make_append(2, 1, "d")}));
  auto stats = (*log)->stats();
  EXPECT_EQ(stats.batches, 400u);
  EXPECT_EQ(stats.index_entries, 2u);  // 200 tiny batches per shard fit one 256 KiB span
  EXPECT_EQ(read_all(**log, 1, INT64_MIN, 7).size(), 200u);
  EXPECT_EQ((*log)->counter_at_time(2, INT64_MIN), 1u);
}

TEST(Log, LargeRecordsSplitIntoSeveralBatches) {
  TempDir dir;
  auto log = LocalLog::open(options_for(dir.path()), nullptr);
  ASSERT_TRUE(log);
  ShardAppend sa;
  sa.shard = 9;
  for (int i = 0; i < 5; ++i) sa.records.push_back({"k", std::string(600 << 10, static_cast<char>('a' + i))});
  ASSERT_TRUE(append_wait(**log, {sa}));
  EXPECT_GE((*log)->stats().batches, 3u);
  auto r = (*log)->read(9, 0, 100, 1 << 20, INT64_MIN);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->records.size(), 1u);  // 1 MiB budget: one 600 KiB record
  auto all = read_all(**log, 9);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[4].data, sa.records[4].data);
}

TEST(Log, WeakerFsyncPoliciesAreDurableAfterClose) {
  for (FsyncPolicy policy : {FsyncPolicy::kInterval, FsyncPolicy::kNever}) {
    TempDir dir;
    auto opts = options_for(dir.path());
    opts.fsync = policy;
    opts.fsync_interval_ms = 5;
    {
      auto log = LocalLog::open(opts, nullptr);
      ASSERT_TRUE(log);
      for (int i = 0; i < 20; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "w")}));
      EXPECT_EQ((*log)->stats().records, 40u);
      ASSERT_TRUE((*log)->close());
    }
    auto log = open_log(opts);
    ASSERT_TRUE(log);
    EXPECT_EQ(read_all(**log, 1).size(), 40u);
  }
}

TEST(Log, AppendAfterCloseFails) {
  TempDir dir;
  auto log = open_log(options_for(dir.path()));
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->close());
  EXPECT_FALSE(append_wait(**log, {make_append(1, 1, "late")}));
  EXPECT_TRUE((*log)->close());  // idempotent
}

TEST(Log, RejectsBadOptions) {
  LogOptions o;
  EXPECT_FALSE(open_log(o));
  TempDir dir;
  o = options_for(dir.path());
  o.segment_bytes = 10;
  EXPECT_FALSE(open_log(o));
}

}  // namespace
}  // namespace runnel::storage

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::options_for;
using testing::TempDir;

// Counts the bytes read from segment files.
class CountingEnv final : public Env {
 public:
  std::atomic<uint64_t> read_bytes{0};

  Result<std::unique_ptr<File>> open_file(const std::string& path, OpenMode mode) override {
    auto f = Env::posix()->open_file(path, mode);
    if (!f) return f;
    return std::unique_ptr<File>(std::make_unique<CountingFile>(std::move(*f), this));
  }
  bool file_exists(const std::string& p) override { return Env::posix()->file_exists(p); }
  Status create_dirs(const std::string& p) override { return Env::posix()->create_dirs(p); }
  Result<std::vector<std::string>> list_dir(const std::string& d) override { return Env::posix()->list_dir(d); }
  Status remove_file(const std::string& p) override { return Env::posix()->remove_file(p); }
  Status rename_file(const std::string& a, const std::string& b) override { return Env::posix()->rename_file(a, b); }
  Status sync_dir(const std::string& d) override { return Env::posix()->sync_dir(d); }

 private:
  class CountingFile final : public File {
   public:
    CountingFile(std::unique_ptr<File> base, CountingEnv* env) : base_(std::move(base)), env_(env) {}
    Result<size_t> read_at(uint64_t offset, size_t n, char* dst) const override {
      env_->read_bytes += n;
      return base_->read_at(offset, n, dst);
    }
    Status append(std::string_view d) override { return base_->append(d); }
    Status sync() override { return base_->sync(); }
    Status truncate(uint64_t s) override { return base_->truncate(s); }
    Status zero_fill(uint64_t end) override { return base_->zero_fill(end); }
    uint64_t size() const override { return base_->size(); }

   private:
    std::unique_ptr<File> base_;
    CountingEnv* env_;
  };
};

// A reader just behind the tail (SubscribeToShard) reads the batches it
// needs, not the whole index span they sit in; a reader further back still
// gets every record.
TEST(Log, ReadNearTheTailStartsAtTheBatchItNeeds) {
  TempDir dir;
  CountingEnv env;
  auto opts = options_for(dir.path());
  for (int restart = 0; restart < 2; ++restart) {
    auto log = open_log(opts, &env);
    ASSERT_TRUE(log);
    if (restart == 0) {
      for (int i = 0; i < 150; ++i) {
        std::vector<ShardAppend> appends;
        for (ShardKey s = 1; s <= 4; ++s) {
          ShardAppend sa;
          sa.shard = s;
          for (int k = 0; k < 3; ++k) sa.records.push_back({"pk", std::to_string(i * 3 + k) + std::string(100, 'x')});
          appends.push_back(std::move(sa));
        }
        ASSERT_TRUE(append_wait(**log, std::move(appends)));
      }
    }
    ASSERT_EQ((*log)->tail(2).last_counter, 450u);
    ASSERT_EQ(static_cast<LocalLog*>(log->get())->stats().index_entries, 4u) << "one span per shard";
    for (uint64_t from : {449u, 445u, 1u, 200u}) {
      env.read_bytes = 0;
      auto r = (*log)->read(2, from, 1000, UINT64_MAX, INT64_MIN);
      ASSERT_TRUE(r);
      ASSERT_EQ(r->records.size(), 451 - from);
      for (size_t k = 0; k < r->records.size(); ++k) {
        EXPECT_EQ(r->records[k].counter, from + k);
        EXPECT_EQ(r->records[k].data, std::to_string(from + k - 1) + std::string(100, 'x'));
      }
      if (from >= 445) {
        EXPECT_LT(env.read_bytes.load(), 8u << 10) << "from " << from << " after " << restart << " restarts";
      } else {
        EXPECT_GT(env.read_bytes.load(), 100u << 10) << "the whole span, from " << from;
      }
    }
  }
}

}  // namespace
}  // namespace runnel::storage
