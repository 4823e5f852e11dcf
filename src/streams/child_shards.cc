#include "streams/child_shards.h"

#include <algorithm>

#include "streams/hash_key.h"
#include "streams/shard_id.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Value;

std::vector<api::ChildShard> child_shards(const StreamState& s, const Shard& closed) {
  std::vector<api::ChildShard> children;
  if (closed.open()) return children;
  for (const auto& sh : s.shards) {
    const bool child =
        (sh.parent && *sh.parent == closed.index) || (sh.adjacent_parent && *sh.adjacent_parent == closed.index);
    if (!child) continue;
    api::ChildShard c;
    c.shard_id = format_shard_id(sh.index);
    if (sh.parent) c.parent_shards.push_back(format_shard_id(*sh.parent));
    if (sh.adjacent_parent) c.parent_shards.push_back(format_shard_id(*sh.adjacent_parent));
    c.hash_key_range.starting_hash_key = format_hash_key(sh.range.start);
    c.hash_key_range.ending_hash_key = format_hash_key(sh.range.end);
    children.push_back(std::move(c));
  }
  return children;
}

Value child_shards_value(const std::vector<api::ChildShard>& children) {
  Array list;
  list.reserve(children.size());
  for (const api::ChildShard& c : children) list.push_back(encode(c));
  return list;
}

uint64_t closed_shard_end(storage::Log& log, const Shard& shard) {
  if (shard.open()) return UINT64_MAX;
  // After a close no append reaches the shard, so the log's last assigned
  // counter only falls below ending_counter when a restart forgot records
  // that were assigned but never durable.
  return std::min(shard.ending_counter, log.last_assigned_counter(shard.key));
}

}  // namespace runnel::streams
