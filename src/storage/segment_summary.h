#pragma once
// Segment summaries (`<id>.sum`, docs/storage.md §3a): the headers of every
// batch of a sealed segment, so that recovery indexes a sealed segment
// without reading it. Written once, after the segment's last fdatasync;
// never synced itself: a summary that is missing, torn or inconsistent with
// its segment is ignored and the segment is scanned as before.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/batch_format.h"

namespace runnel::storage {

struct SummaryEntry {
  uint32_t offset = 0;   // where the batch starts in the segment
  batch::Header header;  // all but crc, as written
};

// The summary of a segment being written, built batch by batch in its file
// form (56 bytes per batch). A segment of more than kMaxBatches batches (tiny
// commits: a 128 MiB segment holds about 32,000 batches when ingesting 100 B
// records in PutRecords of 500) gets no summary, so that the writer's memory
// stays bounded; it is read whole at open, as every segment was before
// summaries. Not thread-safe; movable.
class SummaryBuilder {
 public:
  static constexpr size_t kMaxBatches = 65536;  // 3.5 MiB of entries

  // Adds the batch at `offset`; batches come in file order.
  void add(uint32_t offset, const batch::Header& h);
  void clear();
  // Forgets the batches at offsets >= end (a failed commit cut off).
  void truncate(uint64_t end);
  // False once more than kMaxBatches were added (until clear()).
  bool complete() const { return !overflow_; }
  size_t batches() const { return count_; }
  // The file's bytes for segment `id`, whose batches fill exactly its first
  // `segment_bytes` bytes. Only when complete().
  std::string finish(uint32_t id, uint64_t segment_bytes) const;

 private:
  std::string entries_;
  size_t count_ = 0;
  bool overflow_ = false;
};

// The file's bytes for segment `id`, whose batches `entries` (in file order)
// fill exactly its first `segment_bytes` bytes (tests and tools; the log
// uses SummaryBuilder).
std::string encode_segment_summary(uint32_t id, uint64_t segment_bytes, const std::vector<SummaryEntry>& entries);

// The entries, if `bytes` is an intact summary of segment `id` whose batches
// tile [0, segment_bytes) exactly, with plausible headers (the same checks a
// batch header gets, short of the CRC of its payload); else Corruption.
Result<std::vector<SummaryEntry>> decode_segment_summary(std::string_view bytes, uint32_t id, uint64_t segment_bytes);

}  // namespace runnel::storage
