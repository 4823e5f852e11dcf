#include "streams/shard_retention.h"

#include <vector>

namespace runnel::streams {

storage::ShardRetention shard_retention(const StreamState& s) {
  return storage::ShardRetention{int64_t{s.retention_hours} * 3600'000, s.trim_floor_ms};
}

void push_retention(storage::Log& log, const StreamState& s) {
  std::vector<storage::ShardKey> keys;
  keys.reserve(s.shards.size());
  for (const auto& sh : s.shards) keys.push_back(sh.key);
  log.set_retention(keys, shard_retention(s));
}

}  // namespace runnel::streams
