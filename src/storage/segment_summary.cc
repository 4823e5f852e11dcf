#include "storage/segment_summary.h"

#include <cstring>

#include "storage/crc32c.h"

namespace runnel::storage {
namespace {

constexpr uint32_t kMagic = 0x53534E52;  // bytes "RNSS"
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 32;
constexpr size_t kEntrySize = 56;

template <class T>
void put(std::string* out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out->append(b, sizeof(T));
}
template <class T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

Status bad(const char* why) { return Status::corruption(std::string("segment summary: ") + why); }

}  // namespace

std::string encode_segment_summary(uint32_t id, uint64_t segment_bytes, const std::vector<SummaryEntry>& entries) {
  std::string out;
  out.reserve(kHeaderSize + entries.size() * kEntrySize);
  put<uint32_t>(&out, kMagic);
  put<uint32_t>(&out, 0);  // crc, filled below
  put<uint32_t>(&out, kVersion);
  put<uint32_t>(&out, id);
  put<uint64_t>(&out, segment_bytes);
  put<uint32_t>(&out, static_cast<uint32_t>(entries.size()));
  put<uint32_t>(&out, 0);
  for (const SummaryEntry& e : entries) {
    const batch::Header& h = e.header;
    put<uint32_t>(&out, e.offset);
    put<uint32_t>(&out, h.payload_length);
    put<uint64_t>(&out, h.shard);
    put<uint64_t>(&out, h.first_counter);
    put<uint32_t>(&out, h.record_count);
    put<uint32_t>(&out, 0);
    put<int64_t>(&out, h.first_arrival_ms);
    put<int64_t>(&out, h.last_arrival_ms);
    put<uint64_t>(&out, h.leader_epoch);
  }
  const uint32_t crc = crc32c::value(out.data() + 8, out.size() - 8);
  std::memcpy(out.data() + 4, &crc, 4);
  return out;
}

Result<std::vector<SummaryEntry>> decode_segment_summary(std::string_view b, uint32_t id, uint64_t segment_bytes) {
  if (b.size() < kHeaderSize || get<uint32_t>(b.data()) != kMagic) return error(bad("bad magic"));
  if (crc32c::value(b.data() + 8, b.size() - 8) != get<uint32_t>(b.data() + 4)) return error(bad("checksum mismatch"));
  if (get<uint32_t>(b.data() + 8) != kVersion) return error(bad("unknown version"));
  if (get<uint32_t>(b.data() + 12) != id) return error(bad("names another segment"));
  if (get<uint64_t>(b.data() + 16) != segment_bytes) return error(bad("segment size differs"));
  const uint32_t count = get<uint32_t>(b.data() + 24);
  if (b.size() != kHeaderSize + uint64_t{count} * kEntrySize) return error(bad("length does not match its count"));
  std::vector<SummaryEntry> entries(count);
  uint64_t expect = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const char* p = b.data() + kHeaderSize + size_t{i} * kEntrySize;
    SummaryEntry& e = entries[i];
    batch::Header& h = e.header;
    e.offset = get<uint32_t>(p);
    h.payload_length = get<uint32_t>(p + 4);
    h.shard = get<uint64_t>(p + 8);
    h.first_counter = get<uint64_t>(p + 16);
    h.record_count = get<uint32_t>(p + 24);
    h.first_arrival_ms = get<int64_t>(p + 32);
    h.last_arrival_ms = get<int64_t>(p + 40);
    h.leader_epoch = get<uint64_t>(p + 48);
    if (e.offset != expect) return error(bad("batches do not follow one another"));
    if (h.payload_length > batch::kMaxPayload || h.record_count == 0 || h.record_count > h.payload_length / 3 ||
        h.first_counter == 0 || h.first_counter > UINT64_MAX - h.record_count ||
        h.last_arrival_ms < h.first_arrival_ms) {
      return error(bad("implausible batch header"));
    }
    expect += h.total_size();
  }
  if (expect != segment_bytes) return error(bad("batches do not fill the segment"));
  return entries;
}

}  // namespace runnel::storage
