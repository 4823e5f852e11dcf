// LocalLog: retention. Passes run on the writer thread, between group
// commits; the settings (set_retention, ...) are set from any thread.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "storage/checkpoint.h"
#include "storage/local_log.h"
#include "storage/segment_name.h"

namespace runnel::storage {
Checkpoint LocalLog::checkpoint_locked() {
  Checkpoint cp;
  // The active segment is never deleted and is the newest in segments_ (a
  // new one is entered there before it becomes active), so this is at least
  // active_id_ + 1 without reading the writer's own state.
  cp.next_segment_id = next_segment_floor_;
  if (!segments_.empty())
    cp.next_segment_id = std::max<uint64_t>(cp.next_segment_id, uint64_t{segments_.rbegin()->first} + 1);
  cp.shards.reserve(shards_.size());
  for (const auto& [key, st] : shards_) {
    cp.shards.push_back({key, st.tail.last_counter, st.tail.last_arrival_ms, st.start_counter, false});
  }
  std::unordered_set<ShardKey> dropped_present;
  for (const auto& [id, seg] : segments_) {
    for (const auto& [key, ss] : seg.shards) {
      if (dropped_.contains(key)) dropped_present.insert(key);
    }
  }
  for (ShardKey key : dropped_present) cp.shards.push_back({key, 0, 0, 0, true});
  return cp;
}

void LocalLog::set_retention(const std::vector<ShardKey>& shards, ShardRetention retention) {
  MutexLock lock(retention_mu_);
  for (ShardKey key : shards) retention_[key] = retention;
}

void LocalLog::clear_retention(const std::vector<ShardKey>& shards) {
  MutexLock lock(retention_mu_);
  for (ShardKey key : shards) retention_.erase(key);
}

void LocalLog::retention_settings_complete() {
  MutexLock lock(retention_mu_);
  retention_complete_ = true;
}

Status LocalLog::write_checkpoint() {
  MutexLock ckpt(ckpt_mu_);
  Checkpoint cp;
  {
    ReaderLock lock(index_mu_);
    cp = checkpoint_locked();
  }
  return storage::write_checkpoint(env_, options_.dir, cp);
}

// A sealed segment is deleted when, for every shard with a batch in it, the
// shard was dropped or the segment's newest record of the shard is older than
// the shard's cutoff. Before deleting, the checkpoint records each affected
// shard's new first retained counter, so that neither counters nor trimmed
// records come back after a restart.
Status LocalLog::run_retention() {
  if (!options_.retention) return Status::ok();
  struct Candidate {
    uint32_t id;
    std::vector<std::pair<ShardKey, SegmentShard>> shards;
  };
  std::vector<Candidate> candidates;
  std::unordered_set<ShardKey> dropped;
  // Segments holding batches the sync thread has not published yet are
  // skipped: their summaries do not show those batches. So are segments
  // whose seal's summary is not written yet, which would outlive them.
  const uint32_t unpublished = oldest_unpublished_segment();
  {
    ReaderLock lock(index_mu_);
    for (const auto& [id, seg] : segments_) {
      if (id == active_id_ || id >= unpublished) continue;
      Candidate c{id, {seg.shards.begin(), seg.shards.end()}};
      for (const auto& [key, ss] : c.shards) {
        if (dropped_.contains(key)) dropped.insert(key);
      }
      candidates.push_back(std::move(c));
    }
  }
  // The cutoffs at this pass's time, from the settings the shards' owner
  // pushed: a shard without one is kept until the owner has loaded, then
  // expires entirely (no stream maps to it).
  const int64_t now = now_ms();
  std::unordered_map<ShardKey, int64_t> cutoffs;
  {
    MutexLock lock(retention_mu_);
    for (const Candidate& c : candidates) {
      for (const auto& [key, ss] : c.shards) {
        if (dropped.contains(key)) continue;
        auto [it, inserted] = cutoffs.try_emplace(key, 0);
        if (!inserted) continue;
        auto r = retention_.find(key);
        it->second = r != retention_.end() ? r->second.cutoff(now) : retention_complete_ ? INT64_MAX : INT64_MIN;
      }
    }
  }
  std::vector<uint32_t> doomed;
  std::unordered_map<ShardKey, std::pair<uint32_t, uint64_t>> trims;  // shard -> (last doomed segment, new start)
  for (const Candidate& c : candidates) {
    bool expired = true;
    for (const auto& [key, ss] : c.shards) {
      if (dropped.contains(key)) continue;
      if (ss.max_arrival_ms >= cutoffs.at(key)) {
        expired = false;
        break;
      }
    }
    if (!expired) continue;
    doomed.push_back(c.id);
    for (const auto& [key, ss] : c.shards) {
      if (dropped.contains(key)) continue;
      auto& t = trims[key];
      t.first = std::max(t.first, c.id);
      t.second = std::max(t.second, ss.last_counter + 1);
    }
  }
  if (doomed.empty()) return Status::ok();

  // 0. Segments that hold only dropped shards (or nothing) are deleted
  // first, before any checkpoint, so that a full disk can be freed without
  // writing a new file: nothing reads them (dropped shards have no index),
  // and shard keys are never reused. A crash before the drop's own
  // checkpoint was written can bring such a shard back from its other
  // segments, without these ones' records: no stream maps to it, and
  // retention deletes it later (docs/storage.md §7).
  std::vector<uint32_t> freed;
  for (const Candidate& c : candidates) {
    const bool only_dropped =
        std::all_of(c.shards.begin(), c.shards.end(), [&](const auto& kv) { return dropped.contains(kv.first); });
    if (only_dropped && std::find(doomed.begin(), doomed.end(), c.id) != doomed.end()) freed.push_back(c.id);
  }
  if (!freed.empty()) {
    {
      WriterLock lock(index_mu_);
      for (uint32_t id : freed) segments_.erase(id);
    }
    delete_segment_files(freed);
    if (auto s = env_->sync_dir(options_.dir); !s) return s;
    std::erase_if(doomed, [&](uint32_t id) { return std::find(freed.begin(), freed.end(), id) != freed.end(); });
    if (doomed.empty()) return Status::ok();
  }

  // 1. Durably record the new start counters (and all tails). The state is
  // changed and copied under index_mu_; the file is written after releasing
  // it, so that reads and acknowledgements do not wait for its fsyncs.
  std::vector<std::pair<uint32_t, Segment>> forgotten;
  {
    MutexLock ckpt(ckpt_mu_);
    Checkpoint cp;
    {
      WriterLock lock(index_mu_);
      for (const auto& [key, t] : trims) {
        auto it = shards_.find(key);
        if (it == shards_.end()) continue;
        it->second.start_counter = std::max(it->second.start_counter, t.second);
        it->second.index.trim_through_segment(t.first);
      }
      // Forget the segments before writing the checkpoint so that it lists only
      // the dropped shards still present in surviving segments. Readers holding
      // a File keep it open; the unlink below does not disturb them.
      for (uint32_t id : doomed) {
        auto node = segments_.extract(id);
        forgotten.emplace_back(id, std::move(node.mapped()));
      }
      cp = checkpoint_locked();
    }
    if (auto s = storage::write_checkpoint(env_, options_.dir, cp); !s) {
      // Not deleted after all (e.g. the disk is full): the next pass tries
      // again, and deleting is what frees the space. The raised start
      // counters stay; the records below them have expired anyway.
      WriterLock lock(index_mu_);
      for (auto& [id, seg] : forgotten) segments_.emplace(id, std::move(seg));
      return s;
    }
  }
  // 2. Delete the files. After a crash between 1 and 2 the next open scans
  // these segments again; their batches lie below the recorded start
  // counters, so nothing is indexed from them and the first retention pass
  // deletes them.
  delete_segment_files(doomed);
  return env_->sync_dir(options_.dir);
}

void LocalLog::delete_segment_files(const std::vector<uint32_t>& ids) {
  for (uint32_t id : ids) {
    const std::string summary = summary_path(options_.dir, id);
    if (env_->file_exists(summary)) {
      if (auto s = env_->remove_file(summary); !s) spdlog::warn("log {}: {}", options_.dir, s.to_string());
    }
    const std::string path = segment_path(options_.dir, id);
    if (auto s = env_->remove_file(path); !s) spdlog::warn("log {}: {}", options_.dir, s.to_string());
    spdlog::info("log {}: retention deleted segment {}", options_.dir, id);
  }
}

}  // namespace runnel::storage
