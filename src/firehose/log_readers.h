#pragma once
// LogReaders: the other readers of DirectPut delivery streams' log shards
// (Analytics applications with a delivery stream as input) and how far back
// each still needs the records. The delivery engine keeps, when it lets the
// log drop what it delivered (Log::set_retention's floor), every record that
// arrived at or after the oldest such need, so a reader that is behind
// Firehose's delivery loses nothing to retention (the 24-hour limit on
// records still applies).
//
// Threads: thread-safe; every method takes one leaf mutex and never calls
// out.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/mutex.h"
#include "storage/log.h"

namespace runnel::firehose {

class LogReaders {
 public:
  // Reader `owner` (e.g. an application's name) needs the records of
  // `shard` that arrived at or after `arrival_ms` (epoch ms); replaces its
  // earlier need.
  void need(const std::string& owner, storage::ShardKey shard, int64_t arrival_ms) EXCLUDES(mu_);
  // `owner` reads no shard any more.
  void release(const std::string& owner) EXCLUDES(mu_);
  // The oldest arrival any reader of `shard` needs, or nullopt.
  std::optional<int64_t> floor(storage::ShardKey shard) const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<std::string, std::pair<storage::ShardKey, int64_t>> needs_ GUARDED_BY(mu_);  // owner → (shard, arrival)
};

}  // namespace runnel::firehose
