#pragma once
// What a reader sees at the end of a closed shard, shared by GetRecords and
// SubscribeToShard. The KCL accepts exactly two shapes of a read result
// (docs/resharding.md): before a shard's end, a next position and no
// ChildShards; at the end, no next position and a non-empty ChildShards in
// which every child lists its ParentShards.
//
// Pure functions over a StreamState snapshot, except closed_shard_end, which
// asks the log. The caller holds whatever lock guards the StreamState it
// passes (KinesisService::mu_, shared is enough).

#include <cstdint>
#include <vector>

#include "kinesis_shapes.h"
#include "protocol/value.h"
#include "storage/log.h"
#include "streams/stream.h"

namespace runnel::streams {

// The ChildShards member for a reader that finished `closed`: a list of
// {ShardId, ParentShards: [ids], HashKeyRange: {StartingHashKey,
// EndingHashKey}}, one per shard of `s` created from `closed` (two after a
// split, one after a merge; a merged child lists both of its parents,
// ParentShardId first). Ordered by shard index. Empty for an open shard.
std::vector<api::ChildShard> child_shards(const StreamState& s, const Shard& closed);
// That list as a Value (a SubscribeToShardEvent's ChildShards).
protocol::Value child_shards_value(const std::vector<api::ChildShard>& children);

// The last counter a reader of the closed shard `closed` has to pass before
// it may report the shard's end: ending_counter, except after a crash that
// lost records which had been assigned counters but were never made durable
// (never acknowledged either), where it is the last counter the log still
// holds. UINT64_MAX for an open shard. Thread-safe (storage::Log is).
uint64_t closed_shard_end(storage::Log& log, const Shard& shard);

// True when a reader whose next counter is `next_counter` has consumed every
// record `shard` will ever hold: the shard is closed and next_counter is past
// closed_shard_end. Records of a closed shard that are still on their way to
// disk keep this false until they have been read.
inline bool at_shard_end(storage::Log& log, const Shard& shard, uint64_t next_counter) {
  return !shard.open() && next_counter > closed_shard_end(log, shard);
}

}  // namespace runnel::streams
