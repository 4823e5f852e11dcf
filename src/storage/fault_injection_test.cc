// Crash tests: concurrent appenders, a simulated power loss at a random
// moment (unsynced writes dropped, torn, or replaced by garbage), reopen.
// Every acknowledged record must come back exactly once, in order, byte for
// byte; nothing else may be served but records that were really submitted.
#include "storage/fault_injection_env.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/mutex.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::read_all;
using testing::TempDir;

constexpr int kShards = 6;
constexpr int kThreads = 4;

struct Model {
  Mutex mu;
  std::map<ShardKey, std::map<uint64_t, std::string>> acked GUARDED_BY(mu);  // shard -> counter -> data
  std::set<std::string> submitted GUARDED_BY(mu);
  std::map<ShardKey, uint64_t> max_acked GUARDED_BY(mu);
};

// Data "t<thread>.<seq>#<padding>": seq grows per thread, so per-shard order is checkable.
std::string make_data(int thread, uint64_t seq, std::mt19937& rng) {
  return "t" + std::to_string(thread) + "." + std::to_string(seq) + "#" +
         std::string(rng() % 300, static_cast<char>('a' + rng() % 26));
}

void verify(Log& log, Model& m) {
  MutexLock lock(m.mu);  // the writers are joined; for the analysis
  for (ShardKey s = 0; s < kShards; ++s) {
    auto got = read_all(log, s);
    std::map<uint64_t, std::string> seen;
    std::map<std::string, uint64_t> last_seq;  // per thread
    uint64_t prev = 0;
    for (const auto& r : got) {
      ASSERT_GT(r.counter, prev) << "shard " << s;
      prev = r.counter;
      ASSERT_TRUE(m.submitted.contains(r.data))
          << "served a record nobody wrote: shard " << s << " counter " << r.counter;
      seen[r.counter] = r.data;
      const std::string thread = r.data.substr(0, r.data.find('.'));
      const uint64_t seq = std::stoull(r.data.substr(r.data.find('.') + 1));
      if (last_seq.contains(thread)) {
        ASSERT_GT(seq, last_seq[thread]) << "out of order in shard " << s;
      }
      last_seq[thread] = seq;
    }
    for (const auto& [counter, data] : m.acked[s]) {
      auto it = seen.find(counter);
      ASSERT_TRUE(it != seen.end()) << "lost acknowledged record: shard " << s << " counter " << counter;
      ASSERT_EQ(it->second, data) << "shard " << s << " counter " << counter;
    }
    ASSERT_GE(log.tail(s).last_counter, m.max_acked[s]);
  }
}

void crash_cycles(FaultInjectionEnv::TornWrite mode, uint64_t seed) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), seed, /*real_syncs=*/false);
  LogOptions opts;
  opts.dir = dir.path();
  opts.segment_bytes = 16 << 10;  // roll often: new segments must survive too
  Model m;
  std::mt19937 rng(static_cast<uint32_t>(seed));
  uint64_t seq = 0;
  for (int generation = 0; generation < 4; ++generation) {
    auto log = open_log(opts, &env);
    ASSERT_TRUE(log) << log.error().to_string();
    verify(**log, m);
    const std::map<ShardKey, uint64_t> floor = [&] {
      MutexLock lock(m.mu);
      return m.max_acked;  // counters must continue above these
    }();
    std::atomic<bool> stop{false};
    std::atomic<int> monotonic_violations{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t, thread_seed = rng()] {
        std::mt19937 trng(thread_seed);
        while (!stop) {
          ShardAppend sa;
          sa.shard = trng() % kShards;
          const int n = 1 + static_cast<int>(trng() % 3);
          {
            MutexLock lock(m.mu);
            for (int k = 0; k < n; ++k) {
              sa.records.push_back({"pk", make_data(t, ++seq, trng)});
              m.submitted.insert(sa.records.back().data);
            }
          }
          std::promise<void> p;
          (*log)->append({sa}, [&, sa](Result<std::vector<Appended>> r) {
            if (r) {
              MutexLock lock(m.mu);
              const uint64_t first = (*r)[0].first_counter;
              auto f = floor.find(sa.shard);
              if (f != floor.end() && first <= f->second) ++monotonic_violations;
              for (size_t k = 0; k < sa.records.size(); ++k) m.acked[sa.shard][first + k] = sa.records[k].data;
              m.max_acked[sa.shard] = std::max(m.max_acked[sa.shard], first + sa.records.size() - 1);
            }
            p.set_value();
          });
          p.get_future().wait();
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 40));
    env.crash();
    stop = true;
    for (auto& th : threads) th.join();
    EXPECT_EQ(monotonic_violations.load(), 0);
    log->reset();  // close fails: the "machine" is down
    ASSERT_TRUE(env.apply_crash(mode));
    env.reset();
  }
  auto log = open_log(opts, &env);
  ASSERT_TRUE(log);
  verify(**log, m);
  size_t acked = 0;
  MutexLock lock(m.mu);
  for (auto& [s, recs] : m.acked) acked += recs.size();
  EXPECT_GT(acked, 0u);
}

TEST(FaultInjection, AckedRecordsSurviveCrashWithUnsyncedDataDropped) {
  for (uint64_t seed = 1; seed <= 3; ++seed) crash_cycles(FaultInjectionEnv::TornWrite::kDropAll, seed);
}

TEST(FaultInjection, AckedRecordsSurviveCrashWithTornWrites) {
  for (uint64_t seed = 11; seed <= 13; ++seed) crash_cycles(FaultInjectionEnv::TornWrite::kRandomPrefix, seed);
}

TEST(FaultInjection, AckedRecordsSurviveCrashWithGarbageTails) {
  for (uint64_t seed = 21; seed <= 23; ++seed) crash_cycles(FaultInjectionEnv::TornWrite::kGarbage, seed);
}

TEST(FaultInjection, WriteErrorFailsItsAppendAndTheLogWritesAgainAfterCuttingItOff) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix());
  LogOptions opts;
  opts.dir = dir.path();
  opts.runway_bytes = 0;  // else the runway's zeros may be the write that fails
  auto log = open_log(opts, &env);
  ASSERT_TRUE(log);
  ASSERT_TRUE(testing::append_wait(**log, {testing::make_append(1, 2, "ok")}));
  env.fail_next_writes(1);
  EXPECT_FALSE(testing::append_wait(**log, {testing::make_append(1, 2, "failed")}));
  // The first retry comes at once (docs/storage.md §6a): the failed commit's
  // bytes are cut off, a probe is written and synced, and appends go on.
  EXPECT_TRUE(testing::append_wait(**log, {testing::make_append(1, 2, "later")}));
  auto data = [&] {
    std::vector<std::string> out;
    for (const auto& r : read_all(**log, 1)) out.push_back(r.data);
    return out;
  };
  const std::vector<std::string> want = {"ok-data-0", "ok-data-1", "later-data-0", "later-data-1"};
  EXPECT_EQ(data(), want);
  ASSERT_TRUE((*log)->close());
  log = open_log(opts, &env);
  ASSERT_TRUE(log);
  EXPECT_EQ(data(), want);
}

TEST(FaultInjectionEnv, DropsUnsyncedBytesAndUnsyncedFiles) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix());
  auto f = env.open_file(dir.path() + "/a", Env::OpenMode::kCreate);
  ASSERT_TRUE(f);
  ASSERT_TRUE(env.sync_dir(dir.path()));
  ASSERT_TRUE((*f)->append("durable"));
  ASSERT_TRUE((*f)->sync());
  ASSERT_TRUE((*f)->append("volatile"));
  auto g = env.open_file(dir.path() + "/b", Env::OpenMode::kCreate);
  ASSERT_TRUE(g);
  ASSERT_TRUE((*g)->append("x"));
  ASSERT_TRUE((*g)->sync());  // data synced, directory entry not
  EXPECT_EQ(env.unsynced_bytes(), 8u);
  env.crash();
  EXPECT_FALSE((*f)->append("after"));
  f->reset();
  g->reset();
  ASSERT_TRUE(env.apply_crash(FaultInjectionEnv::TornWrite::kDropAll));
  env.reset();
  auto bytes = read_whole_file(&env, dir.path() + "/a");
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, "durable");
  EXPECT_FALSE(env.file_exists(dir.path() + "/b"));
}

}  // namespace
}  // namespace runnel::storage
