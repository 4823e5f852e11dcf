#include "streams/child_shards.h"

#include <algorithm>

#include "streams/hash_key.h"
#include "streams/shard_id.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Object;
using protocol::Value;

Value child_shards(const StreamState& s, const Shard& closed) {
  Array children;
  if (closed.open()) return children;
  for (const auto& sh : s.shards) {
    const bool child =
        (sh.parent && *sh.parent == closed.index) || (sh.adjacent_parent && *sh.adjacent_parent == closed.index);
    if (!child) continue;
    Array parents;
    if (sh.parent) parents.emplace_back(format_shard_id(*sh.parent));
    if (sh.adjacent_parent) parents.emplace_back(format_shard_id(*sh.adjacent_parent));
    Value range = Object{};
    range.set("StartingHashKey", format_hash_key(sh.range.start));
    range.set("EndingHashKey", format_hash_key(sh.range.end));
    Value c = Object{};
    c.set("ShardId", format_shard_id(sh.index));
    c.set("ParentShards", std::move(parents));
    c.set("HashKeyRange", std::move(range));
    children.push_back(std::move(c));
  }
  return children;
}

uint64_t closed_shard_end(storage::Log& log, const Shard& shard) {
  if (shard.open()) return UINT64_MAX;
  // After a close no append reaches the shard, so the log's last assigned
  // counter only falls below ending_counter when a restart forgot records
  // that were assigned but never durable.
  return std::min(shard.ending_counter, log.last_assigned_counter(shard.key));
}

}  // namespace runnel::streams
