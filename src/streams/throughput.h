#pragma once
// Per-shard throughput limits as Kinesis Data Streams enforces them on
// provisioned shards: writes 1 MiB/s and 1,000 records/s, reads 2 MiB/s and
// 5 GetRecords calls/s. The write rates it measures also feed on-demand
// scaling. Implementation and policy: throughput.cc, docs/throughput.md.
//
// Every limit is a token bucket refilled continuously at its per-second rate
// and holding at most one second's worth, so a shard that was idle may take
// one second's budget at once. Byte budgets may go into debt: a record larger
// than the write budget (up to 10 MiB, UpdateMaxRecordSize) is admitted when
// the write budget is full, and a GetRecords response may return up to 10 MiB
// when the read budget is not exhausted; the debt is repaid at the per-second
// rate before anything more is admitted.
//
// Thread-safety: every member is safe to call from any thread. Each shard's
// state has its own short mutex; the table of shards is a reader-writer lock
// taken shared on the hot path and exclusively only to add or prune a shard.
// Lock order: callers may hold their own locks; ShardThroughput never calls
// out while holding its locks.

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "storage/log.h"

namespace runnel::streams {

// AWS's per-shard limits.
inline constexpr double kShardWriteBytesPerSecond = 1 << 20;
inline constexpr double kShardWriteRecordsPerSecond = 1000;
inline constexpr double kShardReadBytesPerSecond = 2 << 20;
inline constexpr double kShardReadCallsPerSecond = 5;

class ShardThroughput {
 public:
  // State of a shard idle this long is dropped (its buckets are full and its
  // write rate is zero by then, so dropping it changes no answer).
  static constexpr int64_t kIdleForgetMs = 120'000;

  ShardThroughput();
  ~ShardThroughput();
  ShardThroughput(const ShardThroughput&) = delete;
  ShardThroughput& operator=(const ShardThroughput&) = delete;

  // The writes of one request to one shard, admitted one record at a time in
  // request order. Holds the shard's lock while it lives: keep it short, and
  // hold at most one at a time (two would risk a lock-order inversion).
  //
  // It holds the table's lock (shared) and the shard's State::mu in
  // std::shared_lock / std::unique_lock members that find_or_add() and
  // writes() move into it: the thread-safety analysis cannot follow a lock
  // moved between functions or kept in a movable member, so the three
  // functions that hand them over or rely on them (find_or_add(), the
  // constructor, admit()) are NO_THREAD_SAFETY_ANALYSIS, and say so.
  // Making Writes a SCOPED_CAPABILITY instead would not help: the capability
  // it holds is the State::mu of a shard found at run time.
  class Writes {
   public:
    Writes(Writes&&) noexcept;
    Writes& operator=(Writes&&) = delete;
    ~Writes();

    // Whether a record of `bytes` (data + partition key) fits the shard's
    // write budget now; if so it is charged and counted. With enforcement
    // off every record is admitted (and still counted for write_rate()).
    bool admit(uint64_t bytes);

   private:
    friend class ShardThroughput;
    struct State;
    Writes(std::shared_lock<SharedMutex> table, State* state, int64_t now_ms, bool enforce) NO_THREAD_SAFETY_ANALYSIS;
    std::shared_lock<SharedMutex> table_;  // ShardThroughput::table_mu_, shared
    std::unique_lock<Mutex> lock_;         // state_->mu
    State* state_;
    bool enforce_;
    uint64_t* second_bytes_;  // this second's write counters in *state_
    uint64_t* second_records_;
  };

  // Starts admitting the writes of one request to `shard` at `now_ms`.
  Writes writes(storage::ShardKey shard, int64_t now_ms, bool enforce);

  // Counts writes for write_rate() without enforcing anything: the path
  // with the limits off, one call per shard per request.
  void count_writes(storage::ShardKey shard, int64_t now_ms, uint64_t records, uint64_t bytes);

  // A GetRecords call on `shard` at `now_ms`: false (throttled) when the
  // shard's 5 calls/s budget is used up or its read bytes are in debt;
  // otherwise one call is charged. Charge the bytes the call returned with
  // read_done() afterwards.
  bool admit_read(storage::ShardKey shard, int64_t now_ms);
  void read_done(storage::ShardKey shard, int64_t now_ms, uint64_t bytes);

  // What was written to `shard` recently, per second, averaged over the last
  // minute (or since the shard's first write, if later). Counted whether the
  // limits are on or off: on-demand scaling reads it.
  struct WriteRate {
    double bytes_per_s = 0;
    double records_per_s = 0;
  };
  WriteRate write_rate(storage::ShardKey shard, int64_t now_ms) const;

  // Drops the state of a shard that will never be written or read again
  // (its stream was deleted). Optional: idle shards are pruned anyway.
  void forget(storage::ShardKey shard);

  // Shards with state right now (for tests of pruning).
  size_t tracked_shards() const;

 private:
  using State = Writes::State;
  // The shard's state, created if missing, with the table locked shared
  // (the returned lock): the State stays in shards_ while it is held.
  std::pair<std::shared_lock<SharedMutex>, State*> find_or_add(storage::ShardKey shard, int64_t now_ms)
      EXCLUDES(table_mu_);
  void prune_locked(int64_t now_ms) REQUIRES(table_mu_);

  mutable SharedMutex table_mu_;
  std::unordered_map<storage::ShardKey, std::unique_ptr<State>> shards_ GUARDED_BY(table_mu_);
  int64_t last_prune_ms_ GUARDED_BY(table_mu_) = 0;
};

}  // namespace runnel::streams
