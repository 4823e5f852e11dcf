#include "storage/shard_index.h"

#include <algorithm>

namespace runnel::storage {

void ShardIndex::add(const batch::Header& h, uint32_t segment, uint32_t offset, uint32_t span_limit) {
  const uint64_t end = uint64_t{offset} + h.total_size();
  if (!entries_.empty()) {
    IndexEntry& last = entries_.back();
    const uint64_t span = end - last.offset;
    if (last.segment == segment && last.last_counter() + 1 == h.first_counter && offset >= last.offset &&
        span <= span_limit && uint64_t{last.record_count} + h.record_count <= UINT32_MAX) {
      last.length = static_cast<uint32_t>(span);
      last.record_count += h.record_count;
      last.last_arrival_ms = std::max(last.last_arrival_ms, h.last_arrival_ms);
      return;
    }
  }
  IndexEntry e;
  e.first_counter = h.first_counter;
  e.first_arrival_ms = h.first_arrival_ms;
  e.last_arrival_ms = h.last_arrival_ms;
  e.segment = segment;
  e.offset = offset;
  e.length = static_cast<uint32_t>(h.total_size());
  e.record_count = h.record_count;
  entries_.push_back(e);
}

size_t ShardIndex::find_counter(uint64_t counter) const {
  auto it = std::partition_point(entries_.begin(), entries_.end(),
                                 [&](const IndexEntry& e) { return e.last_counter() < counter; });
  return static_cast<size_t>(it - entries_.begin());
}

size_t ShardIndex::find_arrival(int64_t ts_ms) const {
  auto it = std::partition_point(entries_.begin(), entries_.end(),
                                 [&](const IndexEntry& e) { return e.last_arrival_ms < ts_ms; });
  return static_cast<size_t>(it - entries_.begin());
}

void ShardIndex::trim_through_segment(uint32_t segment_id) {
  auto it = std::partition_point(entries_.begin(), entries_.end(),
                                 [&](const IndexEntry& e) { return e.segment <= segment_id; });
  entries_.erase(entries_.begin(), it);
}

}  // namespace runnel::storage
