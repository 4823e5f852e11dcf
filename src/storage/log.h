#pragma once
// storage::Log: the durable record log behind Data Streams. This interface is
// deliberately narrow (append, read by position, find by time, tail) so that a
// replicated log can stand in for the local one later (see ARCHITECTURE.md).
//
// Records belong to shards identified by a ShardKey, a number that the
// metadata store assigns once and never reuses. Within a shard, every record
// gets a counter (1, 2, 3, ...; 0 means "before the first record") and an
// arrival time in epoch milliseconds; both are non-decreasing in append order
// and counters strictly increase, across restarts too.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "metrics/series.h"

namespace runnel::storage {

using ShardKey = uint64_t;

enum class FsyncPolicy {
  kAlways,    // a batch is acknowledged only after write + fdatasync (default)
  kInterval,  // acknowledged after write; fdatasync every interval
  kNever,     // acknowledged after write; the OS decides
};

struct AppendRecord {
  std::string partition_key;
  std::string data;
};

struct ShardAppend {
  ShardKey shard = 0;
  std::vector<AppendRecord> records;
};

// What one ShardAppend got: counters first_counter .. first_counter+n-1, and
// each record's arrival time.
struct Appended {
  uint64_t first_counter = 0;
  std::vector<int64_t> arrival_ms;
};

struct StoredRecord {
  uint64_t counter = 0;
  int64_t arrival_ms = 0;
  std::string partition_key;
  std::string data;
};

struct ReadResult {
  std::vector<StoredRecord> records;
  // Where the next read should start: one past the last returned record, or
  // the first retained counter if everything before it was trimmed.
  uint64_t next_counter = 0;
};

// A shard's retention: its records that arrived before
// max(now - period_ms, floor_ms) expire. kKeepForever as the period makes
// floor_ms an absolute cutoff.
struct ShardRetention {
  static constexpr int64_t kKeepForever = INT64_MAX;
  int64_t period_ms = kKeepForever;
  int64_t floor_ms = INT64_MIN;
  // The cutoff at `now_ms` (saturating).
  int64_t cutoff(int64_t now_ms) const {
    const int64_t aged = (period_ms == kKeepForever || now_ms < INT64_MIN + period_ms) ? INT64_MIN : now_ms - period_ms;
    return aged > floor_ms ? aged : floor_ms;
  }
};

struct ShardTail {
  uint64_t last_counter = 0;    // 0 when the shard never had a record
  int64_t last_arrival_ms = 0;  // 0 when the shard never had a record
};

// What the log's files hold now (Log::usage()).
struct LogUsage {
  uint64_t segments = 0;  // live segment files
  uint64_t bytes = 0;     // bytes of published records in them (runway zeros and unpublished bytes not counted)
};

class Log {
 public:
  virtual ~Log() = default;

  // Appends the records of one or more shards as one group-commit unit.
  // Counters and arrival times are assigned at call time, in call order per
  // shard. `done` is called exactly once, after the records are durable
  // under the configured FsyncPolicy (with kAlways: written and
  // fdatasync'd), or with the failure. Records become visible to read()
  // only once durable, i.e. before `done` runs. Which thread runs it:
  //  - kAlways: the log's sync thread for every append of a group commit
  //    that was written (it fdatasyncs while the writer writes the next
  //    group), whether the fdatasync succeeds or not; the writer thread for a
  //    group with nothing written (its write failed, writes are failing, or
  //    it held only refused appends, e.g. to dropped shards);
  //  - kInterval and kNever: the writer thread;
  //  - the log already closed: the caller of append(), before it returns.
  // Always with no log lock held; it must not block for long (it delays
  // every later acknowledgement) and must not call close(). Thread-safe.
  using AppendDone = std::function<void(Result<std::vector<Appended>>)>;
  virtual void append(std::vector<ShardAppend> appends, AppendDone done) = 0;

  // Reads durable records of `shard` with counter >= from_counter, skipping
  // records whose arrival_ms < min_arrival_ms (trimmed by retention), at most
  // max_records records and at most max_bytes of data+partition key (always
  // at least one record when one exists). Never returns a record whose
  // checksum fails. Thread-safe.
  virtual Result<ReadResult> read(ShardKey shard, uint64_t from_counter, uint32_t max_records, uint64_t max_bytes,
                                  int64_t min_arrival_ms) = 0;

  // The first counter whose arrival_ms >= ts_ms, or last_counter+1 if none.
  virtual uint64_t counter_at_time(ShardKey shard, int64_t ts_ms) = 0;

  // The newest durable record of the shard. Thread-safe.
  virtual ShardTail tail(ShardKey shard) = 0;

  // The highest counter append() has assigned to `shard` so far (0 if none),
  // durable or not: records up to it may still be on their way to disk, and
  // become readable by the time their `done` runs. A caller that stops
  // appending to a shard (resharding closes it) and reads this afterwards,
  // with no append to that shard in flight, learns the last counter the
  // shard will ever hold in this process. After a crash, counters that were
  // assigned but never made durable are forgotten: on reopen this equals
  // tail().last_counter. Thread-safe; takes only the append-side lock.
  virtual uint64_t last_assigned_counter(ShardKey shard) = 0;

  // Forget shards whose stream was deleted: their records are no longer
  // readable, appends to them fail, and their space is reclaimed with the
  // segments that hold them (retention deletes those later, in the
  // background). The whole set is made durable by ONE checkpoint write (one
  // fdatasync, one rename, one directory fsync, whatever the number of
  // shards), done on the calling thread with no log lock held while it
  // syncs: appends, their acknowledgements and reads of other shards go on
  // meanwhile. Returns ok once the drop is durable. On an error the shards
  // are already gone in memory but a crash may bring them back: the caller
  // retries (dropping a dropped shard again is harmless). Thread-safe; may be
  // called from a `done` callback.
  [[nodiscard]] virtual Status drop_shards(const std::vector<ShardKey>& shards) = 0;

  // Retention is pushed down by the owner of the shards (the Kinesis
  // service), never asked for: set_retention() gives shards their retention
  // (on stream creation, load, resharding, a retention change), and each
  // retention pass (LogOptions::retention_check_ms, on the writer thread)
  // computes every shard's cutoff from the log's own clock (LogOptions::now_ms):
  // records that arrived before max(now - period_ms, floor_ms) may be deleted.
  // Not durable: the owner sets them again after every open. Thread-safe and
  // cheap (a map under a leaf mutex); callable with the owner's locks held.
  virtual void set_retention(const std::vector<ShardKey>& shards, ShardRetention retention) = 0;
  // The shards' setting is removed (their stream was deleted): once
  // retention_settings_complete() was called they expire entirely.
  virtual void clear_retention(const std::vector<ShardKey>& shards) = 0;
  // The owner has set the retention of every live shard (it has loaded).
  // Until then a shard without a setting keeps all its records; from then on
  // such a shard (one a crash brought back after its drop, docs/storage.md
  // §7) expires entirely. Thread-safe.
  virtual void retention_settings_complete() = 0;

  // Ok while appends can succeed; otherwise why they fail now (a write or
  // fdatasync failed, e.g. ResourceExhausted for a full disk). Appends fail
  // fast with that status until the log has recovered by itself: it retries
  // every LogOptions::failure_retry_ms, cutting the failed, never
  // acknowledged bytes off and checking that the disk takes writes again
  // (docs/storage.md §6a). For health checks. Thread-safe.
  virtual Status writable() = 0;

  // Segment files and bytes now, for gauges. Thread-safe.
  virtual LogUsage usage() { return {}; }

  // Flushes and fsyncs everything pending, stops the writer, and completes
  // all outstanding appends. Called once at shutdown.
  virtual Status close() = 0;
};

// Optional handles the log records its internals into (docs/storage.md,
// "Metrics"); null: not recorded. Recording is a Series mutex and a few
// additions, on the thread that did the work.
struct LogMetrics {
  // Milliseconds of each fdatasync of a segment file (sync thread under
  // kAlways, the writer otherwise).
  std::shared_ptr<metrics::Series> fdatasync_ms;
  // Records of each group commit: the appends the writer thread gathered
  // and wrote with one write (under kAlways, acknowledged after one
  // fdatasync, which may cover several commits when the disk is behind).
  std::shared_ptr<metrics::Series> group_commit_records;
};

struct LogOptions {
  // The log's own directory (created if missing): segment files and the
  // shard-tail checkpoint live directly in it, e.g. <data-dir>/log.
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  uint32_t fsync_interval_ms = 1000;      // for kInterval
  uint64_t segment_bytes = 128ull << 20;  // roll to a new segment past this size
  // With kAlways, while appends are slow (under runway_max_rate bytes per
  // second), keep up to this many bytes of synced zeros past the end of the
  // active segment so that a commit's fdatasync does not also have to write
  // the file's new size and block map (docs/storage.md, "Runway"). 0: off.
  uint64_t runway_bytes = 1ull << 20;
  uint64_t runway_max_rate = 4ull << 20;
  // How many of the newest synced bytes are left in the page cache; older
  // ones are dropped from it once synced, so that the log's page cache stays
  // about this size and new writes reuse pages freed a moment ago
  // (docs/storage.md, "Page cache window"). Reads further back than this go
  // to the disk. 0: leave the page cache to the kernel.
  uint64_t cache_window_bytes = 256ull << 20;
  // Off: segments are never deleted (not even dropped shards'). On: every
  // retention_check_ms, segments whose shards all expired (Log::set_retention)
  // or were dropped are deleted.
  bool retention = false;
  uint32_t retention_check_ms = 60'000;  // how often to drop expired segments
  // After a failed write or fdatasync (a full disk), how long the log waits
  // before it tries to write again (docs/storage.md §6a). 0: at once.
  uint32_t failure_retry_ms = 1000;
  // Largest byte span one in-memory index entry may cover (see
  // docs/storage.md, "Memory"): smaller means faster reads, more memory.
  uint32_t index_span_bytes = 256u << 10;
  // Source of arrival times (epoch ms); empty means the system clock. Tests
  // inject a fake clock here.
  std::function<int64_t()> now_ms;
  LogMetrics metrics;
};

class Env;  // storage/env.h: the file layer (real or fault-injecting)

// Opens (recovering if needed) the log in options.dir. `env` may be null for
// the real file system.
Result<std::unique_ptr<Log>> open_log(const LogOptions& options, Env* env = nullptr);

}  // namespace runnel::storage
