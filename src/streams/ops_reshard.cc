// SplitShard and MergeShards: close one or two open shards and create their
// children, in one exclusive hold of mu_ (docs/resharding.md).
//
// Why closing is exact: put_records routes and calls log_.append under a
// shared hold of mu_, so once this file holds mu_ exclusively no append to
// the closing shard is half-way through, and the log's last assigned counter
// of that shard is final. It becomes the shard's ending_counter; records up
// to it that are not yet durable become readable later, and readers see the
// shard's end only once they are past it.

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "streams/input.h"
#include "streams/kinesis_service.h"
#include "streams/shard_id.h"
#include "streams/shard_retention.h"

namespace runnel::streams {

using protocol::Value;

namespace {

// A shard id as AWS echoes it: normalised when it parses, verbatim when not.
std::string echo_shard_id(const std::string& raw) {
  auto index = parse_shard_id(raw);
  return index ? format_shard_id(*index) : raw;
}

// AWS reads the shard ids before it looks for the stream: an id that names no
// shard ("ABKLFD8", "2147483648") is "Could not find shard <id as given>" even
// when the stream does not exist. nullopt when every id parses (or the
// request names no stream, which find_stream_locked then reports).
std::optional<protocol::ApiError> unparsable_shard_error(StreamRef ref, const std::vector<const std::string*>& ids,
                                                         const std::string& account) {
  const std::optional<std::string> stream = requested_stream_name(ref);
  if (!stream) return std::nullopt;
  for (const std::string* id : ids)
    if (!parse_shard_id(*id))
      return protocol::resource_not_found("Could not find shard " + *id + " in stream " + *stream + " under account " +
                                          account + ".");
  return std::nullopt;
}

uint32_t next_shard_index(const StreamState& s) {
  uint32_t next = 0;
  for (const auto& sh : s.shards) next = std::max(next, sh.index + 1);
  return next;
}

// The checks SplitShard and MergeShards share, in the order they apply: the
// stream's mode, then each named shard exists. Returns the shards' positions
// in s.shards. Caller holds KinesisService::mu_ exclusively.
protocol::ApiResult<std::vector<size_t>> find_reshard_shards(const StreamState& s,
                                                             const std::vector<const std::string*>& ids,
                                                             const std::string& account) {
  if (s.mode == "ON_DEMAND")
    return std::unexpected(protocol::validation_error("Request is invalid. Stream " + s.name + " under account " +
                                                      account + " is in On-Demand mode."));
  std::vector<size_t> slots;
  for (const std::string* id : ids) {
    auto index = parse_shard_id(*id);
    const Shard* sh = index ? s.find_shard(*index) : nullptr;
    if (!sh || s.status == StreamStatus::kCreating)
      return std::unexpected(protocol::resource_not_found("Could not find shard " + echo_shard_id(*id) + " in stream " +
                                                          s.name + " under account " + account + "."));
    slots.push_back(static_cast<size_t>(sh - s.shards.data()));
  }
  return slots;
}

// The state checks after the shards are known: the stream is ACTIVE and no
// named shard has closed yet.
std::optional<protocol::ApiError> check_reshardable(const StreamState& s, const std::vector<size_t>& slots,
                                                    const std::string& account) {
  if (s.status != StreamStatus::kActive)
    return protocol::resource_in_use("Stream " + s.name + " under account " + account +
                                     " not ACTIVE, instead in state " + std::string(to_string(s.status)));
  for (size_t slot : slots) {
    const Shard& sh = s.shards[slot];
    if (!sh.open())
      return protocol::invalid_argument("Shard " + format_shard_id(sh.index) + " in stream " + s.name +
                                        " under account " + account +
                                        " has already been merged or split, and thus is not eligible for merging "
                                        "or splitting.");
  }
  return std::nullopt;
}

}  // namespace

protocol::ApiResult<NoOutput> KinesisService::split_shard(const api::SplitShardInput& in, const Ctx& ctx) {
  const std::string* shard_id = &in.shard_to_split;
  const std::string* new_start_text = &in.new_starting_hash_key;
  if (auto err = unparsable_shard_error(stream_ref(in), {shard_id}, options_.account_id)) return std::unexpected(*err);

  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  auto slots = find_reshard_shards(s, {shard_id}, options_.account_id);
  if (!slots) return std::unexpected(slots.error());
  if (auto err = check_reshardable(s, *slots, options_.account_id)) return std::unexpected(*err);
  const Shard& parent = s.shards[slots->front()];

  // AWS's rule, as its message states it: StartingHashKey + 1 < new key <
  // EndingHashKey. A key that does not parse (above 2^128-1) fails it too.
  auto new_start = parse_hash_key(*new_start_text);
  if (!new_start || *new_start <= parent.range.start || *new_start - parent.range.start <= 1 ||
      *new_start >= parent.range.end)
    return std::unexpected(protocol::invalid_argument(
        "NewStartingHashKey " + *new_start_text + " used in SplitShard() on shard " + format_shard_id(parent.index) +
        " in stream " + s.name + " under account " + options_.account_id +
        " is not both greater than one plus the shard's StartingHashKey " + format_hash_key(parent.range.start) +
        " and less than the shard's EndingHashKey " + format_hash_key(parent.range.end) + "."));

  if (auto split = split_locked(s, parent.index, *new_start, options_.update_stream_ms > 0); !split)
    return std::unexpected(split.error());
  return NoOutput{};
}

protocol::ApiResult<Value> KinesisService::split_locked(StreamState& s, uint32_t index, HashKey new_start,
                                                        bool go_updating) {
  const Shard* found = s.find_shard(index);
  if (!found || !found->open()) return std::unexpected(protocol::internal_failure());
  const size_t slot = static_cast<size_t>(found - s.shards.data());
  const size_t open_shards = account_open_shards_locked();
  if (open_shards + 1 > options_.shard_limit) return std::unexpected(shard_limit_error(open_shards, 1, s.region));
  const uint32_t first_index = next_shard_index(s);
  if (first_index + 1 > kMaxShardIndex)
    return std::unexpected(protocol::limit_exceeded("Stream " + s.name + " under account " + options_.account_id +
                                                    " has used every shard id."));

  auto first_key = metadata_.next_id("shard", 2);
  if (!first_key) return std::unexpected(protocol::internal_failure());

  // Build the new state on a copy, so that a failed persist leaves memory
  // as it was.
  const int64_t now = now_ms();
  StreamState next = s;
  const Shard parent = next.shards[slot];
  {
    Shard& closing = next.shards[slot];  // invalidated by the push_backs below
    closing.closed_ms = now;
    closing.ending_counter = log_.last_assigned_counter(closing.key);
  }
  const HashKeyRange halves[2] = {{parent.range.start, new_start - 1}, {new_start, parent.range.end}};
  for (uint32_t i = 0; i < 2; ++i) {
    Shard child;
    child.index = first_index + i;
    child.key = *first_key + i;
    child.range = halves[i];
    child.created_ms = now;
    child.parent = parent.index;
    next.shards.push_back(child);
  }
  if (auto err = commit_update_locked(s, std::move(next), now, go_updating)) return std::unexpected(*err);
  for (size_t i = s.shards.size() - 2; i < s.shards.size(); ++i) stream_of_shard_[s.shards[i].key] = s.name;
  push_retention(log_, s);
  fanout_->wake();  // subscriptions to the parent deliver its tail, then ChildShards
  return Value();
}

protocol::ApiResult<NoOutput> KinesisService::merge_shards(const api::MergeShardsInput& in, const Ctx& ctx) {
  const std::string* shard_id = &in.shard_to_merge;
  const std::string* adjacent_id = &in.adjacent_shard_to_merge;
  if (auto err = unparsable_shard_error(stream_ref(in), {shard_id, adjacent_id}, options_.account_id))
    return std::unexpected(*err);

  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  auto slots = find_reshard_shards(s, {shard_id, adjacent_id}, options_.account_id);
  if (!slots) return std::unexpected(slots.error());
  if (auto err = check_reshardable(s, *slots, options_.account_id)) return std::unexpected(*err);

  // Adjacent: ShardToMerge's range ends just below AdjacentShardToMerge's
  // (the pair the other way round is refused, as kinesalite recorded of AWS),
  // so the two form one contiguous range. A shard is never adjacent to itself.
  const Shard& a = s.shards[(*slots)[0]];
  const Shard& b = s.shards[(*slots)[1]];
  if (a.index == b.index || a.range.end == kMaxHashKey || a.range.end + 1 != b.range.start)
    return std::unexpected(protocol::invalid_argument(
        "Shards " + format_shard_id(a.index) + " and " + format_shard_id(b.index) + " in stream " + s.name +
        " under account " + options_.account_id + " are not an adjacent pair of shards eligible for merging"));
  const HashKeyRange merged{a.range.start, b.range.end};

  const uint32_t index = next_shard_index(s);
  if (index > kMaxShardIndex)
    return std::unexpected(protocol::limit_exceeded("Stream " + s.name + " under account " + options_.account_id +
                                                    " has used every shard id."));
  auto key = metadata_.next_id("shard", 1);
  if (!key) return std::unexpected(protocol::internal_failure());

  const int64_t now = now_ms();
  StreamState next = s;
  for (size_t slot : *slots) {
    Shard& closing = next.shards[slot];
    closing.closed_ms = now;
    closing.ending_counter = log_.last_assigned_counter(closing.key);
  }
  Shard child;
  child.index = index;
  child.key = *key;
  child.range = merged;
  child.created_ms = now;
  child.parent = a.index;
  child.adjacent_parent = b.index;
  next.shards.push_back(child);
  if (auto err = commit_update_locked(s, std::move(next), now, options_.update_stream_ms > 0))
    return std::unexpected(*err);
  stream_of_shard_[s.shards.back().key] = s.name;
  push_retention(log_, s);
  fanout_->wake();  // subscriptions to either parent deliver its tail, then ChildShards
  return NoOutput{};
}

}  // namespace runnel::streams

namespace runnel::streams {

// UpdateShardCount's resharding, in two passes over the open shards in hash
// key order (docs/resharding.md):
//  1. every open shard that straddles a boundary of the target ranges is
//     split at each such boundary, left to right; a right part that is split
//     again is a short-lived shard, closed at once;
//  2. within each target range, its pieces are merged left to right; every
//     partial merge is a short-lived shard, closed at once.
// Each new shard names one parent (split) or two (merge, ParentShardId the
// left piece, AdjacentParentShardId the right), so a reader that finishes
// parents before children reads every record once. A short-lived shard
// takes no writes: its ending_counter is 0, and readers pass it at once.
protocol::ApiResult<Value> KinesisService::reshard_uniform_locked(StreamState& s, uint32_t target) {
  std::vector<size_t> open_slots;
  for (size_t i = 0; i < s.shards.size(); ++i)
    if (s.shards[i].open()) open_slots.push_back(i);
  std::sort(open_slots.begin(), open_slots.end(),
            [&](size_t a, size_t b) { return s.shards[a].range.start < s.shards[b].range.start; });
  const std::vector<HashKeyRange> targets = split_hash_space(target);

  const int64_t now = now_ms();
  StreamState next = s;
  uint32_t next_index = next_shard_index(s);
  std::vector<size_t> created;  // slots in next.shards of the new shards
  const size_t existing = s.shards.size();
  auto close = [&](size_t slot) {
    Shard& sh = next.shards[slot];
    sh.closed_ms = now;
    // A shard created by this call never took a write.
    sh.ending_counter = slot >= existing ? 0 : log_.last_assigned_counter(sh.key);
  };
  auto add = [&](HashKeyRange range, uint32_t parent, std::optional<uint32_t> adjacent) {
    Shard child;
    child.index = next_index++;
    child.key = 0;  // assigned below, once the count is known
    child.range = range;
    child.created_ms = now;
    child.parent = parent;
    child.adjacent_parent = adjacent;
    next.shards.push_back(child);
    created.push_back(next.shards.size() - 1);
    return next.shards.size() - 1;
  };

  // Pass 1: split at every target boundary inside an open shard.
  std::vector<size_t> pieces;  // slots, in hash key order
  size_t t = 0;
  for (size_t slot : open_slots) {
    size_t cur = slot;
    while (true) {
      const HashKeyRange range = next.shards[cur].range;
      while (t < targets.size() && targets[t].end < range.start) ++t;
      // The first target boundary strictly inside `range`, if any.
      if (t >= targets.size() || targets[t].end >= range.end) break;
      const HashKey boundary = targets[t].end + 1;
      const uint32_t parent = next.shards[cur].index;
      close(cur);
      pieces.push_back(add({range.start, boundary - 1}, parent, std::nullopt));
      cur = add({boundary, range.end}, parent, std::nullopt);
    }
    pieces.push_back(cur);
  }
  // Pass 2: merge the pieces within each target range.
  for (size_t i = 0; i < pieces.size();) {
    size_t acc = pieces[i];
    size_t j = i + 1;
    for (; j < pieces.size(); ++j) {
      const HashKeyRange a = next.shards[acc].range;
      const HashKeyRange b = next.shards[pieces[j]].range;
      // Pieces of one target range: the target containing a.start also
      // contains b.end.
      auto in_target = [&](HashKey k) {
        auto it = std::lower_bound(targets.begin(), targets.end(), k,
                                   [](const HashKeyRange& r, HashKey key) { return r.end < key; });
        return static_cast<size_t>(it - targets.begin());
      };
      if (in_target(a.start) != in_target(b.end)) break;
      close(acc);
      close(pieces[j]);
      acc = add({a.start, b.end}, next.shards[acc].index, next.shards[pieces[j]].index);
    }
    i = j;
  }

  const size_t open_now = account_open_shards_locked();
  const size_t open_after = open_now - s.open_shard_count() + target;
  if (target > s.open_shard_count() && open_after > options_.shard_limit)
    return std::unexpected(shard_limit_error(open_now, target - s.open_shard_count(), s.region));
  if (next_index > kMaxShardIndex + 1)
    return std::unexpected(protocol::limit_exceeded("Stream " + s.name + " under account " + options_.account_id +
                                                    " has used every shard id."));
  if (!created.empty()) {
    auto first_key = metadata_.next_id("shard", static_cast<uint32_t>(created.size()));
    if (!first_key) return std::unexpected(protocol::internal_failure());
    for (size_t i = 0; i < created.size(); ++i) next.shards[created[i]].key = *first_key + i;
  }
  if (options_.update_stream_ms > 0) {
    next.status = StreamStatus::kUpdating;
    next.transition_at_ms = now + options_.update_stream_ms;
  }
  if (Status st = persist_locked(next); !st) return std::unexpected(protocol::internal_failure());
  s = std::move(next);
  attach_metrics_locked(s);
  for (size_t slot : created) stream_of_shard_[s.shards[slot].key] = s.name;
  push_retention(log_, s);
  if (s.status == StreamStatus::kUpdating) schedule_transition_locked(s.transition_at_ms);
  fanout_->wake();
  return Value();
}

}  // namespace runnel::streams
