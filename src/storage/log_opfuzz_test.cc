// Randomized operation sequences against an in-memory model (in the spirit of
// Redpanda's storage opfuzz): appends, reads with limits, time lookups,
// tails, drops, retention, clean restarts and crash restarts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "storage/fault_injection_env.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::FakeClock;
using testing::TempDir;

constexpr ShardKey kShards = 8;

struct ModelShard {
  std::vector<StoredRecord> records;
  uint64_t next_counter = 1;
  int64_t last_arrival = 0;
  int64_t cutoff = INT64_MIN;  // never decreases
  bool dropped = false;
  int dropped_in = -1;  // generation (open of the log) of the drop
};

class OpFuzz {
 public:
  explicit OpFuzz(uint64_t seed) : rng_(seed), env_(Env::posix(), seed, /*real_syncs=*/false) {
    opts_.dir = dir_.path();
    opts_.segment_bytes = 4096;
    opts_.index_span_bytes = 1024;
    opts_.now_ms = clock_.fn();
    opts_.retention = true;
    opts_.retention_check_ms = 3'600'000;
    reopen();
  }

  void run(int ops) {
    for (int i = 0; i < ops && !::testing::Test::HasFatalFailure(); ++i) {
      const int op = static_cast<int>(rng_() % 100);
      if (op < 40)
        append();
      else if (op < 65)
        read();
      else if (op < 73)
        counter_at_time();
      else if (op < 80)
        tail();
      else if (op < 85)
        clock_.now += static_cast<int64_t>(rng_() % 200) - 20;  // sometimes backwards
      else if (op < 90)
        advance_cutoff();
      else if (op < 94)
        ASSERT_TRUE(log_->enforce_retention());
      else if (op < 96)
        drop();
      else if (op < 98)
        restart(false);
      else
        restart(true);
    }
  }

 private:
  ShardKey pick() { return rng_() % kShards; }

  void reopen() {
    auto log = LocalLog::open(opts_, &env_);
    ASSERT_TRUE(log) << log.error().to_string();
    log_ = std::move(*log);
    ++generation_;
    // As the service does on load: every live shard's cutoff, then dropped
    // (unset) shards expire entirely.
    for (ShardKey s = 0; s < kShards; ++s)
      if (!model_[s].dropped) push_cutoff(s);
    log_->retention_settings_complete();
  }

  void restart(bool crash) {
    if (crash) {
      env_.crash();
      log_.reset();
      ASSERT_TRUE(env_.apply_crash(static_cast<FaultInjectionEnv::TornWrite>(rng_() % 3)));
      env_.reset();
    } else {
      ASSERT_TRUE(log_->close());
      log_.reset();
    }
    reopen();
  }

  void append() {
    std::vector<ShardAppend> appends(1 + rng_() % 3);
    bool any_dropped = false;
    for (auto& sa : appends) {
      sa.shard = pick();
      // Keys are never reused; only within the same open is an append to a
      // dropped shard guaranteed to be refused (docs/storage.md).
      while (model_[sa.shard].dropped && model_[sa.shard].dropped_in != generation_) sa.shard = pick();
      any_dropped = any_dropped || model_[sa.shard].dropped;
      const int n = static_cast<int>(rng_() % 5);
      for (int k = 0; k < n; ++k) {
        sa.records.push_back(
            {"k" + std::to_string(rng_() % 1000), std::string(rng_() % 400, static_cast<char>('a' + rng_() % 26))});
      }
    }
    auto r = append_wait(*log_, appends);
    if (any_dropped) {
      ASSERT_FALSE(r);
      return;
    }
    ASSERT_TRUE(r) << r.error().to_string();
    for (size_t i = 0; i < appends.size(); ++i) {
      ModelShard& m = model_[appends[i].shard];
      const int64_t arrival = std::max(clock_.now.load(), m.last_arrival);
      ASSERT_EQ((*r)[i].first_counter, m.next_counter);
      for (size_t k = 0; k < appends[i].records.size(); ++k) {
        ASSERT_EQ((*r)[i].arrival_ms[k], arrival);
        m.records.push_back(
            {m.next_counter++, arrival, appends[i].records[k].partition_key, appends[i].records[k].data});
      }
      if (!appends[i].records.empty()) m.last_arrival = arrival;
    }
  }

  void read() {
    const ShardKey s = pick();
    ModelShard& m = model_[s];
    const uint64_t from = rng_() % (m.next_counter + 3);
    const uint32_t max_records = 1 + static_cast<uint32_t>(rng_() % 20);
    const uint64_t max_bytes = rng_() % 2 ? UINT64_MAX : rng_() % 3000;
    auto r = log_->read(s, from, max_records, max_bytes, m.cutoff);
    ASSERT_TRUE(r) << r.error().to_string();
    std::vector<const StoredRecord*> want;
    uint64_t bytes = 0;
    if (!m.dropped) {
      for (const auto& rec : m.records) {
        if (rec.counter < from || rec.arrival_ms < m.cutoff) continue;
        const uint64_t size = rec.partition_key.size() + rec.data.size();
        if (!want.empty() && (bytes + size > max_bytes || want.size() >= max_records)) break;
        want.push_back(&rec);
        bytes += size;
      }
    }
    ASSERT_EQ(r->records.size(), want.size()) << "shard " << s << " from " << from;
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(r->records[i].counter, want[i]->counter);
      ASSERT_EQ(r->records[i].arrival_ms, want[i]->arrival_ms);
      ASSERT_EQ(r->records[i].partition_key, want[i]->partition_key);
      ASSERT_EQ(r->records[i].data, want[i]->data);
    }
    const uint64_t tail = m.dropped ? 0 : m.next_counter - 1;
    const uint64_t next = want.empty() ? std::max<uint64_t>({from, 1, tail + 1}) : want.back()->counter + 1;
    ASSERT_EQ(r->next_counter, next);
  }

  void counter_at_time() {
    const ShardKey s = pick();
    ModelShard& m = model_[s];
    // Only at or after the cutoff: earlier records may or may not be deleted yet.
    const int64_t base = m.records.empty() ? clock_.now.load() : m.records[rng_() % m.records.size()].arrival_ms;
    const int64_t ts = std::max(m.cutoff, base + static_cast<int64_t>(rng_() % 3) - 1);
    uint64_t want = m.next_counter;
    for (const auto& rec : m.records) {
      if (rec.arrival_ms >= ts) {
        want = rec.counter;
        break;
      }
    }
    if (m.dropped) want = 1;
    ASSERT_EQ(log_->counter_at_time(s, ts), want) << "shard " << s << " ts " << ts;
  }

  void tail() {
    const ShardKey s = pick();
    ModelShard& m = model_[s];
    const ShardTail t = log_->tail(s);
    if (m.dropped || m.records.empty()) {
      ASSERT_EQ(t.last_counter, 0u);
      return;
    }
    ASSERT_EQ(t.last_counter, m.records.back().counter);
    ASSERT_EQ(t.last_arrival_ms, m.records.back().arrival_ms);
  }

  void advance_cutoff() {
    const ShardKey s = pick();
    ModelShard& m = model_[s];
    if (m.records.empty()) return;
    m.cutoff = std::max(m.cutoff, m.records[rng_() % m.records.size()].arrival_ms);
    if (!m.dropped) push_cutoff(s);
  }

  void push_cutoff(ShardKey s) {
    log_->set_retention({s}, ShardRetention{ShardRetention::kKeepForever, model_[s].cutoff});
  }

  void drop() {
    const ShardKey s = pick();
    if (model_[s].dropped) return;
    const auto dropped = std::count_if(model_.begin(), model_.end(), [](const auto& kv) { return kv.second.dropped; });
    if (dropped + 2 >= static_cast<long>(kShards)) return;  // keep live shards to append to
    model_[s].dropped = true;
    model_[s].dropped_in = generation_;
    (void)log_->drop_shards({s});
    log_->clear_retention({s});
  }

  std::mt19937_64 rng_;
  TempDir dir_;
  FakeClock clock_;
  FaultInjectionEnv env_;
  LogOptions opts_;
  std::map<ShardKey, ModelShard> model_;
  std::unique_ptr<LocalLog> log_;
  int generation_ = 0;
};

TEST(LogOpFuzz, RandomOperationSequencesMatchTheModel) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    OpFuzz fuzz(seed);
    fuzz.run(1500);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace runnel::storage
