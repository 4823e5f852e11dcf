#pragma once
// LocalLog: the single-node Log. One append-only log per directory, records of
// all shards interleaved in segment files, group commit on one writer thread.
// README.md (this folder) describes the threads; docs/storage.md the format.
//
// Threads and the state they touch:
//  - callers of append()/drop_shards()/last_assigned_counter(): mu_ (shard
//    clocks, the queue); drop_shards() also takes index_mu_ exclusively for
//    a moment, then writes the checkpoint on its own thread (ckpt_mu_);
//  - the writer thread: owns the active segment, the serialisation buffer,
//    the fsync and retention timers; takes index_mu_ exclusively to publish
//    committed batches (kInterval, kNever) and to apply retention;
//  - the sync thread (kAlways only): fdatasyncs what the writer has written,
//    then publishes it under index_mu_ and runs its `done` callbacks, while
//    the writer serialises and writes the next group (sync_mu_ guards the
//    hand-off). The writer runs the callbacks with kInterval and kNever, and
//    with kAlways those of groups it did not write (Log::append).
//    Callbacks run with no lock held;
//  - readers (read/counter_at_time/tail): index_mu_ shared, only to copy a
//    few index entries and File handles; the pread and decode run unlocked.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/mutex.h"
#include "storage/batch_format.h"
#include "storage/cache_window.h"
#include "storage/checkpoint.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/segment_summary.h"
#include "storage/shard_index.h"

namespace runnel::storage {

class LocalLog final : public Log {
 public:
  // Opens and recovers the log in options.dir (see docs/storage.md,
  // "Recovery"), then starts the writer thread.
  static Result<std::unique_ptr<LocalLog>> open(const LogOptions& options, Env* env);
  ~LocalLog() override;  // close()s if the owner did not

  void append(std::vector<ShardAppend> appends, AppendDone done) override;
  Result<ReadResult> read(ShardKey shard, uint64_t from_counter, uint32_t max_records, uint64_t max_bytes,
                          int64_t min_arrival_ms) override;
  uint64_t counter_at_time(ShardKey shard, int64_t ts_ms) override;
  ShardTail tail(ShardKey shard) override;
  uint64_t last_assigned_counter(ShardKey shard) override;
  Status drop_shards(const std::vector<ShardKey>& shards) override;
  void set_retention(const std::vector<ShardKey>& shards, ShardRetention retention) override;
  void clear_retention(const std::vector<ShardKey>& shards) override;
  void retention_settings_complete() override;
  Status writable() override;
  LogUsage usage() override;
  Status close() override;

  // Runs one retention pass on the writer thread now and waits for it
  // (tests, and an operator's "compact now"). Thread-safe.
  Status enforce_retention();

  struct Stats {
    uint64_t commits = 0;           // group commits written
    uint64_t batches = 0;           // batches written
    uint64_t records = 0;           // records written
    uint64_t bytes = 0;             // bytes written
    uint64_t syncs = 0;             // fdatasyncs of segment files
    uint64_t segments = 0;          // live segment files
    uint64_t index_entries = 0;     // in-memory index entries, all shards
    uint64_t shards = 0;            // shards with index state
    uint64_t summaries_used = 0;    // sealed segments indexed from their summary at open, unread
    uint64_t write_recoveries = 0;  // times appends resumed after a failed write or fdatasync
  };
  Stats stats();

 private:
  struct Op;
  struct Staged;
  struct Written {
    batch::Header header;
    uint32_t offset;
  };
  struct SegmentShard {
    int64_t max_arrival_ms = 0;
    uint64_t last_counter = 0;
  };
  struct Segment {
    std::shared_ptr<File> file;
    // Per shard with a batch here: what retention needs to decide.
    std::unordered_map<ShardKey, SegmentShard> shards;
  };
  struct ShardState {
    ShardIndex index;
    ShardTail tail;              // newest durable record (or from the checkpoint)
    uint64_t start_counter = 1;  // counters below were deleted by retention
    // Where the shard's newest few batches start. A reader close behind the
    // tail (a SubscribeToShard, a consumer polling often) begins its scan at
    // the batch it needs instead of at the start of the index entry's span,
    // which can be index_span_bytes (256 KiB) earlier.
    struct BatchStart {
      uint64_t first_counter = 0;
      uint32_t segment = 0;
      uint32_t offset = 0;
    };
    std::array<BatchStart, 4> recent{};
    uint8_t recent_next = 0;

    void note_batch(uint64_t first_counter, uint32_t segment, uint32_t offset) {
      recent[recent_next] = BatchStart{first_counter, segment, offset};
      recent_next = static_cast<uint8_t>((recent_next + 1) % recent.size());
    }
    // Narrows `e` to start at the latest known batch of its span that begins
    // at or before counter `from`.
    void narrow(IndexEntry& e, uint64_t from) const;
  };
  struct Clock {  // append-side view of a shard, under mu_
    uint64_t next_counter = 1;
    int64_t last_arrival_ms = 0;
    bool dropped = false;
  };

  LocalLog(const LogOptions& options, Env* env);
  // Recovery (log_recovery.cc) runs in open() before the writer and sync
  // threads start and before the log is returned: no other thread can reach
  // its state, so it reads and writes guarded members without their locks
  // (and create_segment(), which it calls, takes index_mu_ itself). The
  // thread-safety analysis is off for these functions alone.
  Status recover() NO_THREAD_SAFETY_ANALYSIS;
  Status recover_segment(uint32_t id, bool is_last, bool* sealed) NO_THREAD_SAFETY_ANALYSIS;
  // Indexes sealed segment `id` from its summary; false (nothing indexed) when
  // there is none or it does not match the segment.
  bool recover_from_summary(uint32_t id, const std::shared_ptr<File>& file) NO_THREAD_SAFETY_ANALYSIS;
  // Writes segment `id`'s summary (not synced: docs/storage.md §3a); a failure
  // is only logged, and the segment is scanned at the next open.
  // A builder past SummaryBuilder::kMaxBatches writes nothing.
  void write_summary(uint32_t id, uint64_t segment_bytes, const SummaryBuilder& summary);
  // Recovery only (see recover()).
  void index_batch(const batch::Header& h, uint32_t segment, uint32_t offset) NO_THREAD_SAFETY_ANALYSIS;
  Status create_segment(uint32_t id) EXCLUDES(index_mu_);

  int64_t now_ms() const;
  void writer_loop() EXCLUDES(mu_, sync_mu_, index_mu_);
  void commit(std::vector<Op>& ops);
  void commit_group(std::vector<Op>& group) EXCLUDES(index_mu_);
  // Serialises the group's records and writes them to the active segment
  // (rolling it first if full). Sets *wrote when anything was written.
  Status write_group(std::vector<Op>& ops, uint64_t* base, bool* wrote);
  // file.sync(), its duration recorded in options_.metrics.fdatasync_ms.
  Status timed_sync(File& file);
  // Makes written batches readable: index entries, tails, segment summary.
  void publish_locked(const std::vector<Written>& written, uint32_t segment, uint64_t base) REQUIRES(index_mu_);
  // Runs each op's `done`: its own rejection, else `failure`, else its
  // assigned counters.
  static void finish_ops(std::vector<Op>& ops, const Status& failure);
  // The bytes a commit's batches take, from its first batch's offset.
  static uint64_t commit_bytes(const std::vector<Written>& written);
  void syncer_loop() EXCLUDES(mu_, sync_mu_, index_mu_);
  // The oldest segment with written batches not yet published, or with a
  // seal whose summary is not written yet (UINT32_MAX: none).
  uint32_t oldest_unpublished_segment() EXCLUDES(sync_mu_);
  // Takes one handed-off Pending of `segment` off unpublished_ (sync_mu_ held).
  void release_locked(uint32_t segment) REQUIRES(sync_mu_);
  Status sync_active();
  // Writer thread, kInterval/kNever: records a failed fdatasync; when it
  // covered acknowledged unsynced bytes, sets unsynced_lost_ and logs the
  // range at error level.
  void note_sync_failure(const Status& s) EXCLUDES(index_mu_);
  // Between commits at low write rates: tops up the active segment's runway
  // of synced zeros (docs/storage.md, "Runway").
  void maybe_extend_runway() EXCLUDES(mu_);
  // Counts appended bytes into the one-second rate windows.
  void count_rate(uint64_t bytes);
  // Before a roll: cuts the unused runway off the active segment.
  Status trim_runway();
  // kAlways: queues an fdatasync of `file` to the sync thread, after the
  // commits handed over before it.
  void hand_off_sync(std::shared_ptr<File> file, uint32_t segment);
  struct Pending;
  // Queues `p` (a written commit, or only a sync) for the sync thread.
  void hand_off(Pending p) EXCLUDES(sync_mu_);
  Status run_retention() EXCLUDES(ckpt_mu_, index_mu_, retention_mu_);
  // Removes the segments' summaries and files (failures are logged), no
  // directory sync. Writer thread, the segments already out of segments_.
  void delete_segment_files(const std::vector<uint32_t>& ids);
  // Writer thread. Records a failed write or fdatasync: appends fail with `s`
  // until recover_writes() succeeds, tried at once or failure_retry_ms later.
  void fail_writes(const Status& s, bool retry_at_once) EXCLUDES(sync_mu_);
  // Writer thread: recover_writes(), and on failure the next try later.
  void retry_writes();
  // recover_writes() writes and syncs this many zeros past the end to learn
  // whether the disk takes writes again.
  static constexpr uint64_t kWriteProbeBytes = 64u << 10;
  // Writer thread. True when appends are failing: the writer's own failure,
  // or the sync thread's (which it takes over).
  bool writes_failing() EXCLUDES(sync_mu_);
  // Writer thread, while writes_failing(): waits for the sync thread to be
  // idle, cuts every segment back to the end of the last published commit
  // (the bytes after it belong to failed commits, never acknowledged), makes
  // that durable, checks that the disk takes a write, and clears the failure
  // (docs/storage.md §6a).
  Status recover_writes() EXCLUDES(sync_mu_, index_mu_);
  // Runs `job` on the writer thread between commits and waits for it.
  Status run_on_writer(std::function<Status()> job) EXCLUDES(mu_);
  // The checkpoint of the current state (docs/storage.md §3); index_mu_ held
  // (shared or exclusive).
  Checkpoint checkpoint_locked() REQUIRES_SHARED(index_mu_);
  // Copies the state under index_mu_ (shared) and writes it with no log lock
  // held. Takes ckpt_mu_, so call it without ckpt_mu_.
  Status write_checkpoint() EXCLUDES(ckpt_mu_, index_mu_);

  const LogOptions options_;
  Env* const env_;

  // --- append side ---
  Mutex mu_;
  CondVar cv_;
  std::unordered_map<ShardKey, Clock> clocks_ GUARDED_BY(mu_);
  std::vector<Op> queue_ GUARDED_BY(mu_);
  bool writer_waiting_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool closed_ GUARDED_BY(mu_) = false;

  // --- published state ---
  SharedMutex index_mu_;
  std::unordered_map<ShardKey, ShardState> shards_ GUARDED_BY(index_mu_);
  std::map<uint32_t, Segment> segments_ GUARDED_BY(index_mu_);
  std::unordered_set<ShardKey> dropped_ GUARDED_BY(index_mu_);
  // (segment, end) of the newest published commit: every byte after it
  // belongs to commits not (yet) acknowledged.
  std::pair<uint32_t, uint64_t> published_end_ GUARDED_BY(index_mu_){0, 0};
  // Checkpoint writers (drop_shards callers, retention and close on the
  // writer thread) hold this from taking their copy of the state until the
  // file is renamed into place, so a newer copy is never replaced by an
  // older one. Lock order: ckpt_mu_ before index_mu_; never held with mu_.
  Mutex ckpt_mu_ ACQUIRED_BEFORE(index_mu_);
  // --- retention settings (Log::set_retention), pushed by the shards' owner ---
  // A leaf lock: taken by set/clear callers (with their own locks held) and
  // by the writer's retention pass, never with another log lock.
  Mutex retention_mu_;
  std::unordered_map<ShardKey, ShardRetention> retention_ GUARDED_BY(retention_mu_);
  bool retention_complete_ GUARDED_BY(retention_mu_) = false;
  // The recovered checkpoint's next_segment_id: a lower bound for later ones.
  uint64_t next_segment_floor_ = 1;  // set by recover()
  Stats stats_ GUARDED_BY(index_mu_);

  // --- writer thread only (and open() before it starts) ---
  uint32_t active_id_ = 0;
  std::shared_ptr<File> active_;
  bool active_dirty_ = false;     // written since the last sync
  uint64_t runway_end_ = 0;       // the active segment holds zeros up to here (0: none past its end)
  int64_t rate_window_ms_ = 0;    // start of the current one-second window of appended bytes
  uint64_t rate_bytes_ = 0;       // bytes appended in that window
  uint64_t rate_prev_bytes_ = 0;  // ... and in the window before it
  Status failed_;                 // set when a write or sync failed: appends fail until recover_writes()
  // kInterval/kNever: (segment, end) up to which the segment files were last
  // fdatasynced successfully. Acknowledged bytes after it are in the page
  // cache only.
  std::pair<uint32_t, uint64_t> synced_end_{0, 0};
  // kInterval/kNever: set when an fdatasync failed while acknowledged bytes
  // were unsynced (synced_end_ < published_end_). Linux may have dropped
  // those pages, and a later fdatasync would succeed without them, so the
  // log stays failed with this status until a restart (docs/storage.md §6a).
  Status unsynced_lost_;
  std::chrono::steady_clock::time_point next_retry_{};     // when recover_writes() may run next
  std::chrono::steady_clock::time_point last_recovery_{};  // when it last succeeded
  std::atomic<uint64_t> syncs_{0};
  // Set by publish_locked (writer or sync thread) when it publishes a batch
  // of a dropped shard: a put accepted before the drop, published after the
  // drop's checkpoint copied the segment table, so that checkpoint may not
  // list the shard. The writer writes a new checkpoint between commits.
  std::atomic<bool> checkpoint_due_{false};
  std::string buf_;
  std::vector<Staged> staged_;
  std::unordered_map<ShardKey, size_t> staged_pos_;
  std::vector<Written> written_;
  // Without a sync thread (kInterval, kNever): the active segment's ranges
  // written since its last fdatasync, for the cache window.
  struct WrittenRange {
    uint64_t begin;
    uint64_t end;
  };
  std::vector<WrittenRange> unsynced_;
  // Every batch of the active segment, for its summary when it is sealed.
  SummaryBuilder summary_;
  std::thread writer_;

  // The page cache window (docs/storage.md, "Page cache window"), fed by
  // the thread that fdatasyncs commits: the sync thread under kAlways, else
  // the writer (which also owns it after the sync thread has stopped).
  CacheWindow cache_window_;

  // --- hand-off to the sync thread (kAlways) ---
  struct Pending {
    std::vector<Op> ops;
    std::vector<Written> written;
    std::shared_ptr<File> file;
    uint32_t segment = 0;
    uint64_t base = 0;
    // A roll: once `file` is synced, write its summary (`seal`, covering
    // seal_bytes).
    bool sealing = false;
    uint64_t seal_bytes = 0;
    SummaryBuilder seal;
  };
  Mutex sync_mu_;
  CondVar sync_cv_;
  std::vector<Pending> pending_ GUARDED_BY(sync_mu_);
  std::map<uint32_t, int> unpublished_ GUARDED_BY(sync_mu_);  // segment -> pending groups
  Status sync_failed_ GUARDED_BY(sync_mu_);
  Status writer_failed_ GUARDED_BY(sync_mu_);    // failed_'s copy for writable()
  bool sync_busy_ GUARDED_BY(sync_mu_) = false;  // the sync thread is working on a batch
  CondVar sync_idle_cv_;                         // signalled when it finished one
  std::atomic<bool> write_failure_{false};       // some failure is set: the writer wakes to retry
  bool sync_stop_ GUARDED_BY(sync_mu_) = false;
  std::thread syncer_;
  Status close_status_;
};

}  // namespace runnel::storage
