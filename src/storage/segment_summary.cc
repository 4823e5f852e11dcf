#include "storage/segment_summary.h"

#include <cstring>

#include "storage/crc32c.h"
#include "storage/fixed_le.h"

namespace runnel::storage {
namespace {

constexpr uint32_t kMagic = 0x53534E52;  // bytes "RNSS"
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 32;
constexpr size_t kEntrySize = 56;

Status bad(const char* why) { return Status::corruption(std::string("segment summary: ") + why); }

}  // namespace

void SummaryBuilder::add(uint32_t offset, const batch::Header& h) {
  if (overflow_) return;
  if (count_ == kMaxBatches) {
    overflow_ = true;
    std::string().swap(entries_);
    return;
  }
  append_fixed<uint32_t>(&entries_, offset);
  append_fixed<uint32_t>(&entries_, h.payload_length);
  append_fixed<uint64_t>(&entries_, h.shard);
  append_fixed<uint64_t>(&entries_, h.first_counter);
  append_fixed<uint32_t>(&entries_, h.record_count);
  append_fixed<uint32_t>(&entries_, 0);
  append_fixed<int64_t>(&entries_, h.first_arrival_ms);
  append_fixed<int64_t>(&entries_, h.last_arrival_ms);
  append_fixed<uint64_t>(&entries_, h.leader_epoch);
  ++count_;
}

void SummaryBuilder::truncate(uint64_t end) {
  if (overflow_) return;  // no summary for this segment anyway
  size_t keep = 0;
  while (keep < count_ && get_fixed<uint32_t>(entries_.data() + keep * kEntrySize) < end) ++keep;
  entries_.resize(keep * kEntrySize);
  count_ = keep;
}

void SummaryBuilder::clear() {
  entries_.clear();
  count_ = 0;
  overflow_ = false;
}

std::string SummaryBuilder::finish(uint32_t id, uint64_t segment_bytes) const {
  std::string out;
  out.reserve(kHeaderSize + entries_.size());
  append_fixed<uint32_t>(&out, kMagic);
  append_fixed<uint32_t>(&out, 0);  // crc, filled below
  append_fixed<uint32_t>(&out, kVersion);
  append_fixed<uint32_t>(&out, id);
  append_fixed<uint64_t>(&out, segment_bytes);
  append_fixed<uint32_t>(&out, static_cast<uint32_t>(count_));
  append_fixed<uint32_t>(&out, 0);
  out += entries_;
  const uint32_t crc = crc32c::value(out.data() + 8, out.size() - 8);
  std::memcpy(out.data() + 4, &crc, 4);
  return out;
}

std::string encode_segment_summary(uint32_t id, uint64_t segment_bytes, const std::vector<SummaryEntry>& entries) {
  SummaryBuilder b;
  for (const SummaryEntry& e : entries) b.add(e.offset, e.header);
  return b.finish(id, segment_bytes);
}

Result<std::vector<SummaryEntry>> decode_segment_summary(std::string_view b, uint32_t id, uint64_t segment_bytes) {
  if (b.size() < kHeaderSize || get_fixed<uint32_t>(b.data()) != kMagic) return error(bad("bad magic"));
  if (crc32c::value(b.data() + 8, b.size() - 8) != get_fixed<uint32_t>(b.data() + 4))
    return error(bad("checksum mismatch"));
  if (get_fixed<uint32_t>(b.data() + 8) != kVersion) return error(bad("unknown version"));
  if (get_fixed<uint32_t>(b.data() + 12) != id) return error(bad("names another segment"));
  if (get_fixed<uint64_t>(b.data() + 16) != segment_bytes) return error(bad("segment size differs"));
  const uint32_t count = get_fixed<uint32_t>(b.data() + 24);
  if (get_fixed<uint32_t>(b.data() + 28) != 0) return error(bad("reserved field not zero"));
  if (b.size() != kHeaderSize + uint64_t{count} * kEntrySize) return error(bad("length does not match its count"));
  std::vector<SummaryEntry> entries(count);
  uint64_t expect = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const char* p = b.data() + kHeaderSize + size_t{i} * kEntrySize;
    SummaryEntry& e = entries[i];
    batch::Header& h = e.header;
    e.offset = get_fixed<uint32_t>(p);
    h.payload_length = get_fixed<uint32_t>(p + 4);
    h.shard = get_fixed<uint64_t>(p + 8);
    h.first_counter = get_fixed<uint64_t>(p + 16);
    h.record_count = get_fixed<uint32_t>(p + 24);
    h.first_arrival_ms = get_fixed<int64_t>(p + 32);
    h.last_arrival_ms = get_fixed<int64_t>(p + 40);
    h.leader_epoch = get_fixed<uint64_t>(p + 48);
    if (get_fixed<uint32_t>(p + 28) != 0) return error(bad("reserved field not zero"));
    if (e.offset != expect) return error(bad("batches do not follow one another"));
    if (!batch::plausible(h)) return error(bad("implausible batch header"));
    expect += h.total_size();
  }
  if (expect != segment_bytes) return error(bad("batches do not fill the segment"));
  return entries;
}

}  // namespace runnel::storage
