#pragma once
// On-demand scaling: which open shards of an ON_DEMAND stream to split, and
// where, given each shard's recent write rate. The policy (docs/capacity.md):
//
//   A shard is hot while its write rate (ShardThroughput::write_rate, a
//   one-minute average) is at least `threshold` of the per-shard write limit
//   in bytes (1 MiB/s) or in records (1,000/s). A shard that has stayed hot
//   for `sustain_ms`, and is at least `min_shard_age_ms` old, is split at the
//   middle of its hash key range. At most `max_splits_per_stream` shards of a
//   stream split per round, hottest first, and never past the account's
//   shard limit or 10,000 open shards per stream. On-demand streams never
//   merge shards back (AWS does not shrink them visibly either).
//
// OnDemandScaler holds only the "hot since" memory of each shard; the rates
// come from a function, so tests drive it with fake rates. KinesisService
// calls decide() under its registry lock and applies the splits itself
// (ops_reshard.cc), the same way SplitShard closes a parent.
//
// Thread-safety: none; the caller serializes calls (KinesisService does so
// with its registry lock held exclusively).

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "storage/log.h"
#include "streams/hash_key.h"
#include "streams/stream.h"
#include "streams/throughput.h"

namespace runnel::streams {

struct AutoscalePolicy {
  double write_bytes_limit = 1024.0 * 1024.0;  // per shard, per second
  double write_records_limit = 1000.0;         // per shard, per second
  double threshold = 0.8;                      // fraction of either limit that makes a shard hot
  int64_t sustain_ms = 10'000;                 // how long a shard stays hot before it splits
  int64_t min_shard_age_ms = 30'000;           // a shard younger than this does not split again
  uint32_t max_splits_per_stream = 16;         // per round
  uint32_t max_open_shards_per_stream = 10'000;
};

// The write rate of one shard now (bytes and records per second).
using ShardWriteRate = std::function<ShardThroughput::WriteRate(storage::ShardKey shard, int64_t now_ms)>;

struct SplitDecision {
  uint32_t shard_index = 0;           // an open shard of the stream
  HashKey new_starting_hash_key = 0;  // the upper child's first key
};

class OnDemandScaler {
 public:
  OnDemandScaler(AutoscalePolicy policy, ShardWriteRate rate);

  // The splits `s` should make now, hottest shard first. `account_headroom`
  // is how many more open shards the account may have; each split adds one.
  // Returns nothing for a stream that is not ON_DEMAND and ACTIVE. Updates
  // the hot-since memory of every open shard of `s`.
  std::vector<SplitDecision> decide(const StreamState& s, int64_t now_ms, uint64_t account_headroom);

  // Drops the memory of shards that no longer exist or are closed; call
  // once per round after decide() has seen every stream.
  void forget_except(const std::vector<storage::ShardKey>& live);

  const AutoscalePolicy& policy() const { return policy_; }

 private:
  // The rate as a fraction of the per-shard limit (the larger of bytes and
  // records).
  double load_of(const ShardThroughput::WriteRate& r) const;

  AutoscalePolicy policy_;
  ShardWriteRate rate_;
  std::unordered_map<storage::ShardKey, int64_t> hot_since_ms_;
};

// The key at which to split `range` into two halves of (nearly) equal size.
// SplitShard's rule holds for it whenever range.end - range.start >= 3.
HashKey midpoint_split_key(const HashKeyRange& range);

}  // namespace runnel::streams
