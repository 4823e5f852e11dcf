#include "streams/autoscale.h"

#include <algorithm>
#include <unordered_set>

namespace runnel::streams {

OnDemandScaler::OnDemandScaler(AutoscalePolicy policy, ShardWriteRate rate) : policy_(policy), rate_(std::move(rate)) {}

double OnDemandScaler::load_of(const ShardThroughput::WriteRate& r) const {
  return std::max(r.bytes_per_s / policy_.write_bytes_limit, r.records_per_s / policy_.write_records_limit);
}

HashKey midpoint_split_key(const HashKeyRange& range) { return range.start + (range.end - range.start) / 2 + 1; }

std::vector<SplitDecision> OnDemandScaler::decide(const StreamState& s, int64_t now_ms, uint64_t account_headroom) {
  std::vector<SplitDecision> out;
  if (s.mode != "ON_DEMAND" || s.status != StreamStatus::kActive) return out;
  struct Hot {
    double load;
    const Shard* shard;
  };
  std::vector<Hot> ready;
  for (const auto& sh : s.shards) {
    if (!sh.open()) continue;
    const double load = load_of(rate_(sh.key, now_ms));
    if (load < policy_.threshold) {
      hot_since_ms_.erase(sh.key);
      continue;
    }
    auto [it, _] = hot_since_ms_.try_emplace(sh.key, now_ms);
    const bool sustained = now_ms - it->second >= policy_.sustain_ms;
    const bool old_enough = now_ms - sh.created_ms >= policy_.min_shard_age_ms;
    // A range this narrow cannot be split by SplitShard's rule.
    const bool splittable = sh.range.end - sh.range.start >= 3;
    if (sustained && old_enough && splittable) ready.push_back({load, &sh});
  }
  std::stable_sort(ready.begin(), ready.end(), [](const Hot& a, const Hot& b) { return a.load > b.load; });
  const size_t open = s.open_shard_count();
  uint64_t room = std::min<uint64_t>(account_headroom, policy_.max_splits_per_stream);
  if (open >= policy_.max_open_shards_per_stream) room = 0;
  room = std::min<uint64_t>(
      room, policy_.max_open_shards_per_stream - std::min<size_t>(open, policy_.max_open_shards_per_stream));
  for (const Hot& h : ready) {
    if (out.size() >= room) break;
    out.push_back({h.shard->index, midpoint_split_key(h.shard->range)});
    hot_since_ms_.erase(h.shard->key);  // its children start their own clocks
  }
  return out;
}

void OnDemandScaler::forget_except(const std::vector<storage::ShardKey>& live) {
  std::unordered_set<storage::ShardKey> keep(live.begin(), live.end());
  std::erase_if(hot_since_ms_, [&](const auto& kv) { return !keep.contains(kv.first); });
}

}  // namespace runnel::streams
