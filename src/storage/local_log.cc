// LocalLog: the append path, the writer thread and group commit.
#include "storage/local_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "storage/checkpoint.h"
#include "storage/segment_name.h"

namespace runnel::storage {

struct LocalLog::Op {
  std::vector<ShardAppend> appends;
  std::vector<Appended> assigned;  // parallel to `appends`
  AppendDone done;
  Status reject;               // not ok: fail without writing
  std::function<void()> task;  // set: a job for the writer thread, no appends
};

struct LocalLog::Staged {
  struct Piece {
    const ShardAppend* append;
    const Appended* assigned;
  };
  ShardKey shard = 0;
  std::vector<Piece> pieces;
};

LocalLog::LocalLog(const LogOptions& options, Env* env)
    : options_(options), env_(env), cache_window_(options.cache_window_bytes) {}

LocalLog::~LocalLog() { (void)close(); }

Result<std::unique_ptr<Log>> open_log(const LogOptions& options, Env* env) {
  auto log = LocalLog::open(options, env);
  if (!log) return error(log.error());
  return std::unique_ptr<Log>(std::move(*log));
}

Result<std::unique_ptr<LocalLog>> LocalLog::open(const LogOptions& options, Env* env) {
  if (options.dir.empty()) return error(Status::invalid_argument("log directory not set"));
  if (options.segment_bytes < 4096 || options.segment_bytes > (1ull << 31)) {
    return error(Status::invalid_argument("segment_bytes must be within [4 KiB, 2 GiB]"));
  }
  if (options.fsync == FsyncPolicy::kInterval && options.fsync_interval_ms == 0) {
    return error(Status::invalid_argument("fsync_interval_ms must be > 0"));
  }
  std::unique_ptr<LocalLog> log(new LocalLog(options, env != nullptr ? env : Env::posix()));
  if (auto s = log->recover(); !s) return error(s);
  {
    ReaderLock lock(log->index_mu_);
    log->synced_end_ = log->published_end_;  // what recovery serves is on disk (or taken as such)
  }
  if (options.fsync == FsyncPolicy::kAlways) log->syncer_ = std::thread([l = log.get()] { l->syncer_loop(); });
  log->writer_ = std::thread([l = log.get()] { l->writer_loop(); });
  return log;
}

int64_t LocalLog::now_ms() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void LocalLog::append(std::vector<ShardAppend> appends, AppendDone done) {
  Op op;
  op.appends = std::move(appends);
  op.done = std::move(done);
  const int64_t now = now_ms();
  MutexLock lock(mu_);
  if (stopping_) {
    lock.unlock();
    op.done(error(Status::aborted("log is closed")));
    return;
  }
  for (const auto& sa : op.appends) {
    auto it = clocks_.find(sa.shard);
    if (it != clocks_.end() && it->second.dropped) {
      op.reject = Status::invalid_argument(fmt::format("shard {} was dropped", sa.shard));
      break;
    }
  }
  if (op.reject.is_ok()) {
    op.assigned.reserve(op.appends.size());
    for (const auto& sa : op.appends) {
      Clock& c = clocks_[sa.shard];
      const int64_t arrival = std::max(now, c.last_arrival_ms);
      if (!sa.records.empty()) c.last_arrival_ms = arrival;
      Appended a;
      a.first_counter = c.next_counter;
      a.arrival_ms.assign(sa.records.size(), arrival);
      c.next_counter += sa.records.size();
      op.assigned.push_back(std::move(a));
    }
  }
  queue_.push_back(std::move(op));
  if (writer_waiting_) cv_.notify_one();
}

uint64_t LocalLog::last_assigned_counter(ShardKey shard) {
  MutexLock lock(mu_);
  auto it = clocks_.find(shard);
  return it == clocks_.end() ? 0 : it->second.next_counter - 1;
}

Status LocalLog::drop_shards(const std::vector<ShardKey>& shards) {
  {
    MutexLock lock(mu_);
    for (ShardKey shard : shards) clocks_[shard].dropped = true;
  }
  {
    WriterLock lock(index_mu_);
    for (ShardKey shard : shards) {
      shards_.erase(shard);
      dropped_.insert(shard);
    }
  }
  // One checkpoint for the whole set makes the drop durable (it lists the
  // dropped shards that segments still hold), so that a crash cannot bring
  // their records back. Written here, not on the writer thread: commits of
  // other shards keep flowing while it syncs.
  Status s = write_checkpoint();
  if (!s) {
    spdlog::error("log {}: could not persist the drop of {} shards: {}", options_.dir, shards.size(), s.to_string());
  }
  return s;
}

Status LocalLog::run_on_writer(std::function<Status()> job) {
  if (std::this_thread::get_id() == writer_.get_id()) return job();  // called from a `done` callback
  std::promise<Status> promise;
  auto result = promise.get_future();
  Op op;
  op.task = [&] { promise.set_value(job()); };
  {
    MutexLock lock(mu_);
    if (stopping_) return Status::aborted("log is closed");
    queue_.push_back(std::move(op));
    if (writer_waiting_) cv_.notify_one();
  }
  return result.get();
}

Status LocalLog::enforce_retention() {
  return run_on_writer([this] { return run_retention(); });
}

Status LocalLog::close() {
  {
    MutexLock lock(mu_);
    if (closed_) return close_status_;
    closed_ = true;
    stopping_ = true;
    cv_.notify_one();
  }
  if (writer_.joinable()) writer_.join();
  return close_status_;
}

LocalLog::Stats LocalLog::stats() {
  ReaderLock lock(index_mu_);
  Stats s = stats_;
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.segments = segments_.size();
  s.shards = shards_.size();
  for (const auto& [key, st] : shards_) s.index_entries += st.index.entries().size();
  return s;
}

void LocalLog::writer_loop() {
  using Clock = std::chrono::steady_clock;
  const auto sync_every = std::chrono::milliseconds(options_.fsync_interval_ms);
  const auto retain_every = std::chrono::milliseconds(std::max<uint32_t>(options_.retention_check_ms, 1));
  auto next_sync = Clock::now() + sync_every;
  auto next_retention = Clock::now() + retain_every;
  std::vector<Op> ops;
  for (;;) {
    bool stop = false;
    {
      MutexLock lock(mu_);
      while (queue_.empty() && !stopping_ && !checkpoint_due_.load()) {
        auto deadline = Clock::time_point::max();
        if (options_.fsync == FsyncPolicy::kInterval && active_dirty_) deadline = std::min(deadline, next_sync);
        if (options_.retention) deadline = std::min(deadline, next_retention);
        if (write_failure_.load()) deadline = std::min(deadline, next_retry_);
        writer_waiting_ = true;
        bool timed_out = false;
        if (deadline == Clock::time_point::max()) {
          cv_.wait(mu_);
        } else {
          timed_out = cv_.wait_until(mu_, deadline) == std::cv_status::timeout;
        }
        writer_waiting_ = false;
        if (timed_out) break;
      }
      ops.swap(queue_);
      stop = stopping_ && ops.empty();
    }
    // Before the commit, so that the first write after space came back
    // succeeds.
    if (!stop && writes_failing() && Clock::now() >= next_retry_) retry_writes();
    // Before the commit, so that a job queued after the publication (a
    // test's barrier) runs after this checkpoint. A failure is not retried
    // here (a full disk would spin): retention's and close()'s checkpoints
    // cover it later.
    if (checkpoint_due_.exchange(false)) {
      if (auto s = write_checkpoint(); !s) {
        spdlog::error("log {}: could not persist the drop of a shard whose batch was published after its drop: {}",
                      options_.dir, s.to_string());
      }
    }
    if (!ops.empty()) {
      commit(ops);
      maybe_extend_runway();
    }
    ops.clear();
    const auto now = Clock::now();
    if (options_.fsync == FsyncPolicy::kInterval && now >= next_sync) {
      if (active_dirty_) {
        if (auto s = sync_active(); !s) {
          spdlog::error("log {}: periodic fdatasync failed: {}", options_.dir, s.to_string());
          if (failed_.is_ok()) fail_writes(s, /*retry_at_once=*/true);
        }
      }
      next_sync = now + sync_every;
    }
    if (options_.retention && now >= next_retention) {
      if (auto s = run_retention(); !s) spdlog::error("log {}: retention failed: {}", options_.dir, s.to_string());
      next_retention = Clock::now() + retain_every;
    }
    if (stop) break;
  }
  // Shutdown: let the sync thread finish what was handed to it, make
  // everything written durable whatever the policy, and record the shard
  // tails so the next open starts from a checkpoint.
  if (syncer_.joinable()) {
    {
      MutexLock lock(sync_mu_);
      sync_stop_ = true;
    }
    sync_cv_.notify_one();
    syncer_.join();
    MutexLock lock(sync_mu_);
    if (failed_.is_ok()) failed_ = sync_failed_;
  }
  // Cut off what failed commits left in the files, so that the next open
  // does not serve records whose puts were answered with an error.
  if (!failed_.is_ok()) (void)recover_writes();
  Status s = failed_;
  if (s.is_ok()) s = trim_runway();  // at rest a segment holds only batches
  if (s.is_ok() && active_dirty_) s = sync_active();
  if (s.is_ok()) s = write_checkpoint();
  close_status_ = s;
}

void LocalLog::commit(std::vector<Op>& ops) {
  const bool has_task = std::any_of(ops.begin(), ops.end(), [](const Op& op) { return bool(op.task); });
  if (!has_task) {
    commit_group(ops);
    return;
  }
  // Tasks split the queue: appends before a task are committed before it runs.
  std::vector<Op> group;
  for (auto& op : ops) {
    if (!op.task) {
      group.push_back(std::move(op));
      continue;
    }
    if (!group.empty()) commit_group(group);
    group.clear();
    op.task();
  }
  if (!group.empty()) commit_group(group);
}

void LocalLog::commit_group(std::vector<Op>& group) {
  const bool pipelined = syncer_.joinable();
  uint64_t base = 0;
  bool wrote = false;
  if (!writes_failing()) {
    if (auto s = write_group(group, &base, &wrote); !s) {
      spdlog::error("log {}: write failed, failing appends until it recovers: {}", options_.dir, s.to_string());
      fail_writes(s, /*retry_at_once=*/true);
    }
  }
  if (!failed_.is_ok()) {
    finish_ops(group, failed_);
    return;
  }
  if (wrote && options_.metrics.group_commit_records) {
    uint64_t records = 0;
    for (const Written& w : written_) records += w.header.record_count;
    options_.metrics.group_commit_records->record(static_cast<double>(records));
  }
  if (wrote && pipelined) {
    // The sync thread fdatasyncs, publishes and acknowledges; meanwhile
    // this thread goes on with the next group. The records' bytes are in
    // the page cache now, so only the counters travel on.
    for (auto& op : group) op.appends.clear();
    Pending p;
    p.ops = std::move(group);
    p.written = std::move(written_);
    p.file = active_;
    p.segment = active_id_;
    p.base = base;
    hand_off(std::move(p));
    group.clear();
    return;
  }
  if (wrote) {
    if (options_.fsync == FsyncPolicy::kAlways) {
      if (auto s = sync_active(); !s) {
        spdlog::error("log {}: fdatasync failed, failing appends until it recovers: {}", options_.dir, s.to_string());
        fail_writes(s, /*retry_at_once=*/true);
        finish_ops(group, failed_);
        return;
      }
    }
    WriterLock lock(index_mu_);
    publish_locked(written_, active_id_, base);
  }
  finish_ops(group, Status::ok());  // no lock held
}

void LocalLog::finish_ops(std::vector<Op>& ops, const Status& failure) {
  for (auto& op : ops) {
    if (!op.done) continue;
    if (!op.reject.is_ok()) {
      op.done(error(op.reject));
    } else if (!failure.is_ok()) {
      op.done(error(failure));
    } else {
      op.done(std::move(op.assigned));
    }
  }
}

void LocalLog::syncer_loop() {
  std::vector<Pending> work;
  for (;;) {
    Status failed;
    {
      MutexLock lock(sync_mu_);
      sync_cv_.wait(sync_mu_, [&]() REQUIRES(sync_mu_) { return !pending_.empty() || sync_stop_; });
      if (pending_.empty()) break;  // stopping, and nothing left
      work.swap(pending_);
      failed = sync_failed_;
      sync_busy_ = true;
    }
    // One fdatasync covers every group written before it starts. After a
    // roll the work can span two files: they are synced in order, the older
    // first (the roll handed its last sync over), before anything is
    // published. A Pending with no ops only asks for the sync (a roll, or a
    // runway's zeros).
    const File* synced = nullptr;
    for (const Pending& p : work) {
      if (!failed.is_ok() || p.file.get() == synced) continue;
      failed = timed_sync(*p.file);
      syncs_.fetch_add(1, std::memory_order_relaxed);
      synced = p.file.get();
    }
    if (failed.is_ok()) {
      WriterLock lock(index_mu_);
      for (const Pending& p : work) {
        if (!p.written.empty()) publish_locked(p.written, p.segment, p.base);
      }
    } else {
      spdlog::error("log {}: fdatasync failed, failing appends until it recovers: {}", options_.dir,
                    failed.to_string());
    }
    {
      MutexLock lock(sync_mu_);
      if (!failed.is_ok() && sync_failed_.is_ok()) {
        sync_failed_ = failed;
        write_failure_ = true;
      }
      // A seal stays counted until its summary is written (below), so that
      // retention cannot delete the segment first and leave the summary behind.
      for (const Pending& p : work) {
        if (!p.sealing) release_locked(p.segment);
      }
    }
    for (Pending& p : work) finish_ops(p.ops, failed);
    // After the acknowledgements, not before: dropping pages takes time.
    if (failed.is_ok()) {
      for (const Pending& p : work) {
        if (!p.written.empty()) cache_window_.synced(p.file, p.base, p.base + commit_bytes(p.written));
        if (p.sealing) write_summary(p.segment, p.seal_bytes, p.seal);
      }
    }
    {
      MutexLock lock(sync_mu_);
      for (const Pending& p : work) {
        if (p.sealing) release_locked(p.segment);
      }
      sync_busy_ = false;
    }
    sync_idle_cv_.notify_all();
    if (!failed.is_ok() || checkpoint_due_.load()) {
      MutexLock lock(mu_);  // the writer retries from a timer: wake it to set one
      cv_.notify_one();
    }
    work.clear();
  }
}

void LocalLog::release_locked(uint32_t segment) {
  auto it = unpublished_.find(segment);
  if (--it->second == 0) unpublished_.erase(it);
}

uint32_t LocalLog::oldest_unpublished_segment() {
  MutexLock lock(sync_mu_);
  return unpublished_.empty() ? UINT32_MAX : unpublished_.begin()->first;
}

Status LocalLog::write_group(std::vector<Op>& ops, uint64_t* base_out, bool* wrote) {
  *wrote = false;
  // Group the records by shard, keeping each shard's records in counter order.
  staged_.clear();
  staged_pos_.clear();
  for (const auto& op : ops) {
    if (!op.reject.is_ok()) continue;
    for (size_t i = 0; i < op.appends.size(); ++i) {
      const ShardAppend& sa = op.appends[i];
      if (sa.records.empty()) continue;
      auto [it, inserted] = staged_pos_.try_emplace(sa.shard, staged_.size());
      if (inserted) staged_.push_back(Staged{sa.shard, {}});
      staged_[it->second].pieces.push_back({&sa, &op.assigned[i]});
    }
  }
  if (staged_.empty()) return Status::ok();

  // Serialise one buffer: per shard, batches of consecutive counters.
  buf_.clear();
  written_.clear();
  batch::Builder builder;
  for (const Staged& st : staged_) {
    bool open = false;
    uint64_t expected = 0;
    uint32_t batch_offset = 0;
    for (const auto& piece : st.pieces) {
      const auto& records = piece.append->records;
      for (size_t r = 0; r < records.size(); ++r) {
        const uint64_t counter = piece.assigned->first_counter + r;
        if (open && (counter != expected || builder.payload_size() >= batch::kTargetPayload)) {
          written_.push_back({builder.finish(), batch_offset});
          open = false;
        }
        if (!open) {
          batch_offset = static_cast<uint32_t>(buf_.size());
          builder.begin(&buf_, st.shard, counter);
          open = true;
        }
        builder.add(piece.assigned->arrival_ms[r], records[r].partition_key, records[r].data);
        expected = counter + 1;
      }
    }
    if (open) written_.push_back({builder.finish(), batch_offset});
  }
  if (buf_.size() > UINT32_MAX / 2) return Status::resource_exhausted("group commit larger than 2 GiB");

  if (active_->size() >= options_.segment_bytes || active_->size() + buf_.size() > UINT32_MAX) {
    if (auto s = trim_runway(); !s) return s;
    if (syncer_.joinable()) {
      // The sync thread fdatasyncs the files of its work in order, the old
      // segment first, before it publishes anything: so acknowledged data
      // never sits after unsynced bytes, the roll does not wait, and only
      // that thread fdatasyncs segment files. After that sync it writes the
      // old segment's summary.
      Pending seal;
      seal.file = active_;
      seal.segment = active_id_;
      seal.sealing = true;
      seal.seal_bytes = active_->size();
      seal.seal = std::move(summary_);
      hand_off(std::move(seal));
    } else {
      if (active_dirty_) {
        if (auto s = sync_active(); !s) return s;
      }
      write_summary(active_id_, active_->size(), summary_);
    }
    if (auto s = create_segment(active_id_ + 1); !s) return s;
  }
  const uint64_t base = active_->size();
  if (auto s = active_->append(buf_); !s) return s;
  active_dirty_ = true;
  for (const Written& w : written_) summary_.add(static_cast<uint32_t>(base + w.offset), w.header);
  if (!syncer_.joinable()) {
    if (!unsynced_.empty() && unsynced_.back().end == base) {
      unsynced_.back().end = base + buf_.size();
    } else {
      unsynced_.push_back({base, base + buf_.size()});
    }
  }
  count_rate(buf_.size());
  *base_out = base;
  *wrote = true;
  return Status::ok();
}

void LocalLog::publish_locked(const std::vector<Written>& written, uint32_t segment, uint64_t base) {
  Segment& seg = segments_[segment];
  uint64_t records = 0;
  for (const Written& w : written) {
    const batch::Header& h = w.header;
    records += h.record_count;
    SegmentShard& ss = seg.shards[h.shard];
    ss.max_arrival_ms = std::max(ss.max_arrival_ms, h.last_arrival_ms);
    ss.last_counter = std::max(ss.last_counter, h.last_counter());
    if (dropped_.contains(h.shard)) {
      checkpoint_due_ = true;
      continue;
    }
    ShardState& state = shards_[h.shard];
    state.index.add(h, segment, static_cast<uint32_t>(base + w.offset), options_.index_span_bytes);
    state.note_batch(h.first_counter, segment, static_cast<uint32_t>(base + w.offset));
    state.tail = ShardTail{h.last_counter(), h.last_arrival_ms};
  }
  const std::pair<uint32_t, uint64_t> end{segment, base + commit_bytes(written)};
  if (end > published_end_) published_end_ = end;
  ++stats_.commits;
  stats_.batches += written.size();
  stats_.records += records;
  stats_.bytes += commit_bytes(written);
}

uint64_t LocalLog::commit_bytes(const std::vector<Written>& written) {
  return written.empty() ? 0 : written.back().offset + written.back().header.total_size();
}

Status LocalLog::timed_sync(File& file) {
  if (!options_.metrics.fdatasync_ms) return file.sync();
  auto start = std::chrono::steady_clock::now();
  Status s = file.sync();
  options_.metrics.fdatasync_ms->record(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return s;
}

LogUsage LocalLog::usage() {
  ReaderLock lock(index_mu_);
  LogUsage u;
  u.segments = segments_.size();
  for (const auto& [id, seg] : segments_) {
    if (id < published_end_.first && seg.file) u.bytes += seg.file->size();  // sealed: its size is final
    if (id == published_end_.first) u.bytes += published_end_.second;
  }
  return u;
}

Status LocalLog::sync_active() {
  if (auto s = timed_sync(*active_); !s) {
    note_sync_failure(s);
    return s;
  }
  active_dirty_ = false;
  synced_end_ = std::max(synced_end_, std::pair<uint32_t, uint64_t>{active_id_, active_->size()});
  syncs_.fetch_add(1, std::memory_order_relaxed);
  for (const WrittenRange& r : unsynced_) cache_window_.synced(active_, r.begin, r.end);
  unsynced_.clear();
  return Status::ok();
}

Status LocalLog::writable() {
  MutexLock lock(sync_mu_);
  return writer_failed_.is_ok() ? sync_failed_ : writer_failed_;
}

void LocalLog::fail_writes(const Status& s, bool retry_at_once) {
  failed_ = s;
  {
    MutexLock lock(sync_mu_);
    writer_failed_ = s;
  }
  write_failure_ = true;
  // At once only for the first failure in a while: a disk that takes the
  // probe but fails the next commit again is retried at the normal pace.
  const auto now = std::chrono::steady_clock::now();
  const auto pace = std::chrono::milliseconds(std::max<uint32_t>(options_.failure_retry_ms, 1));
  next_retry_ = retry_at_once && now - last_recovery_ >= pace ? now : now + pace;
}

bool LocalLog::writes_failing() {
  if (!failed_.is_ok()) return true;
  if (!syncer_.joinable() || !write_failure_.load()) return false;
  Status s;
  {
    MutexLock lock(sync_mu_);
    s = sync_failed_;
  }
  if (s.is_ok()) return false;
  fail_writes(s, /*retry_at_once=*/true);
  return true;
}

void LocalLog::note_sync_failure(const Status& s) {
  if (options_.fsync == FsyncPolicy::kAlways || !unsynced_lost_.is_ok()) return;
  std::pair<uint32_t, uint64_t> published;
  {
    ReaderLock lock(index_mu_);
    published = published_end_;
  }
  if (published <= synced_end_) return;  // nothing acknowledged was unsynced
  const std::string range =
      synced_end_.first == published.first
          ? fmt::format("segment {} bytes [{}, {})", published.first, synced_end_.second, published.second)
          : fmt::format("segment {} from byte {} to segment {} byte {}", synced_end_.first, synced_end_.second,
                        published.first, published.second);
  spdlog::error(
      "log {}: fdatasync failed ({}) over acknowledged records not yet synced ({}): they may be lost; appends "
      "fail until a restart",
      options_.dir, s.to_string(), range);
  std::string message = fmt::format("fdatasync failed over acknowledged records ({}); appends fail until a restart: {}",
                                    range, s.message());
  unsynced_lost_ = s.code() == Status::Code::kResourceExhausted ? Status::resource_exhausted(std::move(message))
                                                                : Status::io_error(std::move(message));
}

void LocalLog::retry_writes() {
  if (auto s = recover_writes(); !s) {
    if (!unsynced_lost_.is_ok()) {
      fail_writes(s, /*retry_at_once=*/false);
      next_retry_ = std::chrono::steady_clock::time_point::max();  // only a restart clears it
      return;
    }
    spdlog::warn("log {}: still not writable, retrying in {} ms: {}", options_.dir, options_.failure_retry_ms,
                 s.to_string());
    fail_writes(s, /*retry_at_once=*/false);
    return;
  }
  spdlog::info("log {}: writable again", options_.dir);
}

// Recovery from a failed write or fdatasync without a restart (a full disk
// that got space back). Only commits after the newest published one can be
// in the files without having been acknowledged; each of them was answered
// with an error, so their bytes go, whole or torn: cut back to where the
// published data ends, fdatasync, and write again only once a probe of
// zeros past the end was written and synced.
Status LocalLog::recover_writes() {
  if (syncer_.joinable()) {
    MutexLock lock(sync_mu_);
    sync_idle_cv_.wait(sync_mu_, [&]() REQUIRES(sync_mu_) { return pending_.empty() && !sync_busy_; });
  }
  std::pair<uint32_t, uint64_t> keep;
  std::vector<std::pair<uint32_t, std::shared_ptr<File>>> files;
  {
    ReaderLock lock(index_mu_);
    keep = published_end_;
    for (auto it = segments_.lower_bound(keep.first); it != segments_.end(); ++it) {
      files.emplace_back(it->first, it->second.file);
    }
  }
  // Segments after the published one hold failed commits only (rolled to
  // while failing); they stay, empty, until retention deletes them.
  for (const auto& [id, file] : files) {
    const uint64_t end = id == keep.first ? keep.second : 0;
    if (file != active_ && file->size() <= end) continue;
    if (auto s = file->truncate(end); !s) return s;  // the active one always: a torn write may lie past its size
    if (auto s = file->sync(); !s) {
      note_sync_failure(s);
      return unsynced_lost_.is_ok() ? s : unsynced_lost_;
    }
    syncs_.fetch_add(1, std::memory_order_relaxed);
    synced_end_ = std::max(synced_end_, std::pair<uint32_t, uint64_t>{id, end});
  }
  // A failed fdatasync over acknowledged bytes: this one succeeded, but it
  // cannot vouch for pages that Linux may have dropped after the failure.
  if (!unsynced_lost_.is_ok()) return unsynced_lost_;
  runway_end_ = 0;
  active_dirty_ = false;
  unsynced_.clear();
  if (active_id_ == keep.first) {
    summary_.truncate(keep.second);
  } else {
    summary_.clear();
  }
  const uint64_t probe_end = active_->size() + kWriteProbeBytes;
  if (auto s = active_->zero_fill(probe_end); !s) return s;
  if (auto s = active_->sync(); !s) return s;
  syncs_.fetch_add(1, std::memory_order_relaxed);
  runway_end_ = probe_end;  // the probe's zeros: a runway, cut at the next roll
  failed_ = Status::ok();
  {
    MutexLock lock(sync_mu_);
    sync_failed_ = Status::ok();
    writer_failed_ = Status::ok();
  }
  write_failure_ = false;
  last_recovery_ = std::chrono::steady_clock::now();
  WriterLock lock(index_mu_);
  ++stats_.write_recoveries;
  return Status::ok();
}

Status LocalLog::create_segment(uint32_t id) {
  const std::string path = segment_path(options_.dir, id);
  auto file = env_->open_file(path, Env::OpenMode::kCreate);
  if (!file) return file.error();
  if ((*file)->size() != 0) return Status::corruption("new segment already has data: " + path);
  // The new directory entry must be durable before anything in it is acked.
  if (auto s = env_->sync_dir(options_.dir); !s) return s;
  std::shared_ptr<File> shared(std::move(*file));
  {
    WriterLock lock(index_mu_);
    segments_[id].file = shared;
  }
  active_id_ = id;
  active_ = std::move(shared);
  active_dirty_ = false;
  runway_end_ = 0;
  summary_.clear();
  return Status::ok();
}

void LocalLog::write_summary(uint32_t id, uint64_t segment_bytes, const SummaryBuilder& summary) {
  if (!summary.complete()) return;  // too many batches: the segment is read at open
  auto file = env_->open_file(summary_path(options_.dir, id), Env::OpenMode::kCreate);
  Status s = file ? Status::ok() : file.error();
  if (s.is_ok() && (*file)->size() != 0) s = (*file)->truncate(0);
  if (s.is_ok()) s = (*file)->append(summary.finish(id, segment_bytes));
  if (!s) {
    spdlog::warn("log {}: could not write the summary of segment {} (it will be read whole at the next open): {}",
                 options_.dir, id, s.to_string());
  }
}

// The runway. An fdatasync after an append that grows the file must also
// write the file's new size and, for new blocks, its block map: on ext4 that
// is a journal commit, or without a journal a second synchronous write. On
// the machine in docs/performance.md, fdatasync after a 5.5 KB append took
// p50 0.40-0.60 ms, and after a 5.5 KB write over zeros that were already
// written and synced, 0.21-0.24 ms (fallocate'd space: 0.29-0.32 ms, since
// unwritten extents still change the block map when written), in a loop of
// back-to-back syncs. With 5 ms between syncs that probe showed all three
// near 0.45 ms, yet in the server SubscribeToShard's p50 at 10,000
// records/s (200 commits/s) fell by 0.2 ms with the runway, measured
// against the same build without it (docs/performance.md). So at low
// rates, where every commit pays a whole fdatasync, the writer keeps up to
// runway_bytes of synced zeros past the active segment's end, as PostgreSQL
// zero-fills new WAL files (wal_init_zero). At high rates commits are large,
// the metadata write is shared by many records, and zeroing would only double
// the bytes written, so the runway is left to run out. Recovery reads an
// all-zero tail as the end of the segment's data.
void LocalLog::count_rate(uint64_t bytes) {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  if (now - rate_window_ms_ >= 1000) {
    rate_prev_bytes_ = now - rate_window_ms_ < 2000 ? rate_bytes_ : 0;
    rate_bytes_ = 0;
    rate_window_ms_ = now;
  }
  rate_bytes_ += bytes;
}

void LocalLog::maybe_extend_runway() {
  if (options_.fsync != FsyncPolicy::kAlways || options_.runway_bytes == 0 || !syncer_.joinable() || !failed_.is_ok()) {
    return;
  }
  const uint64_t end = active_->size();
  if (end >= options_.segment_bytes) return;  // the next commit rolls
  if (runway_end_ > end && runway_end_ - end >= options_.runway_bytes / 4) return;
  if (rate_bytes_ > options_.runway_max_rate || rate_prev_bytes_ > options_.runway_max_rate) return;
  {
    MutexLock lock(mu_);
    if (!queue_.empty() || stopping_) return;  // appends are waiting: they go first
  }
  const uint64_t target = std::min(end + options_.runway_bytes, options_.segment_bytes);
  if (auto s = active_->zero_fill(target); !s) {
    spdlog::warn("log {}: writing the runway's zeros failed: {}", options_.dir, s.to_string());
    return;
  }
  runway_end_ = target;
  hand_off_sync(active_, active_id_);
}

// Two threads must not fdatasync one file at once: Linux reports a
// writeback error once per open file description, so one call could see it
// and the other, which then acknowledges, not.
void LocalLog::hand_off_sync(std::shared_ptr<File> file, uint32_t segment) {
  Pending p;
  p.file = std::move(file);
  p.segment = segment;
  hand_off(std::move(p));
}

void LocalLog::hand_off(Pending p) {
  {
    MutexLock lock(sync_mu_);
    ++unpublished_[p.segment];
    pending_.push_back(std::move(p));
  }
  sync_cv_.notify_one();
}

Status LocalLog::trim_runway() {
  if (runway_end_ <= active_->size()) return Status::ok();
  if (auto s = active_->truncate(active_->size()); !s) return s;
  runway_end_ = 0;
  active_dirty_ = true;  // the new size is made durable by the roll's sync
  return Status::ok();
}

}  // namespace runnel::storage
