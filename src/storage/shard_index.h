#pragma once
// ShardIndex: where a shard's records are, in memory. One entry covers one or
// more consecutive batches of the shard inside one segment: a new batch is
// folded into the shard's last entry when it sits in the same segment, its
// counters continue the entry's, and the entry's byte span (from its first
// batch to the end of the new one, other shards' batches in between
// included) stays within the span limit. A read preads the span and skips the
// batches of other shards. This trades read amplification (at most one span
// per entry) for memory (40 bytes per entry); docs/storage.md derives the
// bound. Not thread-safe: the Log guards it with its index lock.

#include <cstdint>
#include <vector>

#include "storage/batch_format.h"

namespace runnel::storage {

struct IndexEntry {
  uint64_t first_counter = 0;
  int64_t first_arrival_ms = 0;
  int64_t last_arrival_ms = 0;
  uint32_t segment = 0;       // segment id
  uint32_t offset = 0;        // byte offset of the first batch in the segment
  uint32_t length = 0;        // bytes from `offset` to the end of the last batch
  uint32_t record_count = 0;  // records of this shard in the span

  uint64_t last_counter() const { return first_counter + record_count - 1; }
};
static_assert(sizeof(IndexEntry) == 40);

class ShardIndex {
 public:
  // Records a durable batch of this shard stored at (segment, offset).
  // Batches must be added in counter order.
  void add(const batch::Header& h, uint32_t segment, uint32_t offset, uint32_t span_limit);

  // Index of the entry holding `counter`, or of the first entry after it;
  // entries().size() if none.
  size_t find_counter(uint64_t counter) const;
  // Index of the first entry with last_arrival_ms >= ts; size() if none.
  size_t find_arrival(int64_t ts_ms) const;

  // Drops every entry in segments with id <= segment_id (retention deleted
  // `segment_id`; older entries of this shard are expired too).
  void trim_through_segment(uint32_t segment_id);

  const std::vector<IndexEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  // Counter of the last indexed record, 0 when empty.
  uint64_t last_counter() const { return entries_.empty() ? 0 : entries_.back().last_counter(); }

 private:
  std::vector<IndexEntry> entries_;
};

}  // namespace runnel::storage
