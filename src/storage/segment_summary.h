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

// The file's bytes for segment `id`, whose batches `entries` (in file order)
// fill exactly its first `segment_bytes` bytes.
std::string encode_segment_summary(uint32_t id, uint64_t segment_bytes, const std::vector<SummaryEntry>& entries);

// The entries, if `bytes` is an intact summary of segment `id` whose batches
// tile [0, segment_bytes) exactly, with plausible headers (the same checks a
// batch header gets, short of the CRC of its payload); else Corruption.
Result<std::vector<SummaryEntry>> decode_segment_summary(std::string_view bytes, uint32_t id, uint64_t segment_bytes);

}  // namespace runnel::storage
