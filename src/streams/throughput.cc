#include "streams/throughput.h"

#include <algorithm>
#include <array>

namespace runnel::streams {

namespace {

// Buckets count in thousandths of a unit so that refilling by whole
// milliseconds is exact integer arithmetic (1 MiB/s = 1,048,576 milli-bytes
// per ms; 5 calls/s = 5 milli-calls per ms).
constexpr int64_t kMilli = 1000;

struct Bucket {
  int64_t capacity;  // milli-units: one second's worth
  int64_t per_ms;    // milli-units added per millisecond
  int64_t level;     // milli-units available; negative is debt

  void refill(int64_t elapsed_ms) {
    // Past about 20 s of idleness every bucket, even after a 10 MiB debt, is
    // full; capping the elapsed time keeps the product far from overflow.
    level = std::min(capacity, level + std::min<int64_t>(elapsed_ms, 1'000'000) * per_ms);
  }
};

constexpr Bucket make_bucket(double per_second) {
  const auto capacity = static_cast<int64_t>(per_second) * kMilli;
  return Bucket{capacity, capacity / 1000, capacity};
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

// One shard's buckets and its last minute of writes, per second.
struct ShardThroughput::Writes::State {
  Mutex mu;
  Bucket write_bytes GUARDED_BY(mu) = make_bucket(kShardWriteBytesPerSecond);
  Bucket write_records GUARDED_BY(mu) = make_bucket(kShardWriteRecordsPerSecond);
  Bucket read_bytes GUARDED_BY(mu) = make_bucket(kShardReadBytesPerSecond);
  Bucket read_calls GUARDED_BY(mu) = make_bucket(kShardReadCallsPerSecond);
  int64_t refilled_ms GUARDED_BY(mu);  // the buckets are current as of this time
  int64_t last_active_ms GUARDED_BY(mu);
  int64_t first_write_ms GUARDED_BY(mu) = -1;

  struct Second {
    int64_t second = INT64_MIN;  // epoch second this slot counts, or INT64_MIN
    uint64_t bytes = 0;
    uint64_t records = 0;
  };
  std::array<Second, 60> seconds GUARDED_BY(mu);

  // Not yet shared with other threads: no lock needed.
  explicit State(int64_t now_ms) : refilled_ms(now_ms), last_active_ms(now_ms) {}

  // A clock that steps back refills nothing.
  void advance(int64_t now_ms) REQUIRES(mu) {
    if (now_ms > refilled_ms) {
      const int64_t elapsed = now_ms - refilled_ms;
      write_bytes.refill(elapsed);
      write_records.refill(elapsed);
      read_bytes.refill(elapsed);
      read_calls.refill(elapsed);
      refilled_ms = now_ms;
    }
    last_active_ms = std::max(last_active_ms, now_ms);
  }

  // The write counters of now_ms's second.
  Second& second_of(int64_t now_ms) REQUIRES(mu) {
    const int64_t sec = floor_div(now_ms, 1000);
    Second& slot = seconds[static_cast<size_t>(sec - floor_div(sec, 60) * 60)];
    if (slot.second != sec) slot = Second{sec, 0, 0};
    if (first_write_ms < 0) first_write_ms = now_ms;
    return slot;
  }
};

ShardThroughput::ShardThroughput() = default;
ShardThroughput::~ShardThroughput() = default;

// NO_THREAD_SAFETY_ANALYSIS (in the header): lock_ holds state->mu from its
// initializer on, and table_ the table, shared, which the analysis cannot see
// (Writes).
ShardThroughput::Writes::Writes(std::shared_lock<SharedMutex> table, State* state, int64_t now_ms, bool enforce)
    : table_(std::move(table)), lock_(state->mu), state_(state), enforce_(enforce) {
  state_->advance(now_ms);
  auto& second = state_->second_of(now_ms);
  second_bytes_ = &second.bytes;
  second_records_ = &second.records;
}

ShardThroughput::Writes::Writes(Writes&&) noexcept = default;
ShardThroughput::Writes::~Writes() = default;

// NO_THREAD_SAFETY_ANALYSIS: runs while lock_ holds state_->mu (Writes).
bool ShardThroughput::Writes::admit(uint64_t bytes) NO_THREAD_SAFETY_ANALYSIS {
  if (enforce_) {
    // A record larger than the whole budget needs the budget full; it then
    // leaves a debt (AWS's burst for records up to 10 MiB).
    const int64_t milli_bytes = static_cast<int64_t>(bytes) * kMilli;
    if (state_->write_records.level < kMilli ||
        state_->write_bytes.level < std::min(milli_bytes, state_->write_bytes.capacity))
      return false;
    state_->write_records.level -= kMilli;
    state_->write_bytes.level -= milli_bytes;
  }
  *second_bytes_ += bytes;
  *second_records_ += 1;
  return true;
}

// NO_THREAD_SAFETY_ANALYSIS: it reads shards_ under a std::shared_lock it
// returns to the caller, a hand-over the analysis cannot follow; the
// exclusive part below is an ordinary WriterLock.
std::pair<std::shared_lock<SharedMutex>, ShardThroughput::State*> ShardThroughput::find_or_add(
    storage::ShardKey shard, int64_t now_ms) NO_THREAD_SAFETY_ANALYSIS {
  for (;;) {
    {
      std::shared_lock table(table_mu_);
      auto it = shards_.find(shard);
      if (it != shards_.end()) return {std::move(table), it->second.get()};
    }
    // Not there: add it, then look again under the shared lock (a concurrent
    // forget() may have dropped it in between; then it is added again).
    WriterLock table(table_mu_);
    prune_locked(now_ms);
    auto& slot = shards_[shard];
    if (!slot) slot = std::make_unique<State>(now_ms);
  }
}

void ShardThroughput::prune_locked(int64_t now_ms) {
  if (now_ms - last_prune_ms_ < 10'000) return;
  last_prune_ms_ = now_ms;
  std::erase_if(shards_, [&](const auto& entry) {
    MutexLock state_lock(entry.second->mu);
    return now_ms - entry.second->last_active_ms > kIdleForgetMs;
  });
}

ShardThroughput::Writes ShardThroughput::writes(storage::ShardKey shard, int64_t now_ms, bool enforce) {
  // The table's lock moves from find_or_add() into the Writes (see Writes).
  auto [table, state] = find_or_add(shard, now_ms);
  return Writes(std::move(table), state, now_ms, enforce);
}

void ShardThroughput::count_writes(storage::ShardKey shard, int64_t now_ms, uint64_t records, uint64_t bytes) {
  auto [table, state] = find_or_add(shard, now_ms);
  MutexLock lock(state->mu);
  state->advance(now_ms);
  auto& second = state->second_of(now_ms);
  second.bytes += bytes;
  second.records += records;
}

bool ShardThroughput::admit_read(storage::ShardKey shard, int64_t now_ms) {
  auto [table, state] = find_or_add(shard, now_ms);
  MutexLock lock(state->mu);
  state->advance(now_ms);
  if (state->read_calls.level < kMilli || state->read_bytes.level <= 0) return false;
  state->read_calls.level -= kMilli;
  return true;
}

void ShardThroughput::read_done(storage::ShardKey shard, int64_t now_ms, uint64_t bytes) {
  auto [table, state] = find_or_add(shard, now_ms);
  MutexLock lock(state->mu);
  state->advance(now_ms);
  state->read_bytes.level -= static_cast<int64_t>(bytes) * kMilli;
}

ShardThroughput::WriteRate ShardThroughput::write_rate(storage::ShardKey shard, int64_t now_ms) const {
  ReaderLock table(table_mu_);
  auto it = shards_.find(shard);
  if (it == shards_.end()) return {};
  State& s = *it->second;
  MutexLock lock(s.mu);
  if (s.first_write_ms < 0) return {};
  const int64_t now_sec = floor_div(now_ms, 1000);
  const int64_t window_start_ms = std::max(s.first_write_ms, (now_sec - 59) * 1000);
  uint64_t bytes = 0, records = 0;
  for (const auto& slot : s.seconds) {
    if (slot.second > now_sec - 60 && slot.second <= now_sec) {
      bytes += slot.bytes;
      records += slot.records;
    }
  }
  const double span_s = std::max(1.0, static_cast<double>(now_ms - window_start_ms) / 1000.0);
  return WriteRate{static_cast<double>(bytes) / span_s, static_cast<double>(records) / span_s};
}

void ShardThroughput::forget(storage::ShardKey shard) {
  WriterLock table(table_mu_);
  shards_.erase(shard);
}

size_t ShardThroughput::tracked_shards() const {
  ReaderLock table(table_mu_);
  return shards_.size();
}

}  // namespace runnel::streams
