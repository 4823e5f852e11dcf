#include "firehose/log_readers.h"

#include <algorithm>

namespace runnel::firehose {

void LogReaders::need(const std::string& owner, storage::ShardKey shard, int64_t arrival_ms) {
  MutexLock lock(mu_);
  needs_[owner] = {shard, arrival_ms};
}

void LogReaders::release(const std::string& owner) {
  MutexLock lock(mu_);
  needs_.erase(owner);
}

std::optional<int64_t> LogReaders::floor(storage::ShardKey shard) const {
  MutexLock lock(mu_);
  std::optional<int64_t> out;
  for (const auto& [owner, n] : needs_)
    if (n.first == shard) out = out ? std::min(*out, n.second) : n.second;
  return out;
}

}  // namespace runnel::firehose
