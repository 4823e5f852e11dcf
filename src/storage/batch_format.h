#pragma once
// The on-disk record batch: a 64-byte header followed by the records of one
// shard with consecutive counters. docs/storage.md spells out every byte.
// All integers little-endian. Pure functions and value types: thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace runnel::storage::batch {

constexpr uint32_t kMagic = 0x424C4E52;  // bytes "RNLB"
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 64;
// Largest payload recovery and reads accept; a header claiming more is corrupt.
// The writer splits a shard's records into several batches well below it.
constexpr uint32_t kMaxPayload = 64u << 20;
// The writer closes a batch once its payload passes this size.
constexpr uint32_t kTargetPayload = 1u << 20;

struct Header {
  uint32_t crc = 0;
  uint8_t version = kVersion;
  uint8_t flags = 0;
  uint32_t payload_length = 0;
  uint64_t leader_epoch = 0;
  uint64_t shard = 0;
  uint64_t first_counter = 0;
  uint32_t record_count = 0;
  int64_t first_arrival_ms = 0;
  int64_t last_arrival_ms = 0;

  uint64_t last_counter() const { return first_counter + record_count - 1; }
  size_t total_size() const { return kHeaderSize + payload_length; }
};

// Appends one batch to `out`: reserve a header, add records, finish. The
// records must all be added between begin() and finish() with non-decreasing
// arrival times.
class Builder {
 public:
  void begin(std::string* out, uint64_t shard, uint64_t first_counter, uint64_t leader_epoch = 0);
  void add(int64_t arrival_ms, std::string_view partition_key, std::string_view data);
  // Fills in the header and CRC; returns the finished header.
  Header finish();

  uint32_t payload_size() const;
  uint32_t record_count() const { return header_.record_count; }

 private:
  std::string* out_ = nullptr;
  size_t start_ = 0;
  Header header_;
};

// Decodes a header from at least kHeaderSize bytes. Checks magic, version,
// reserved bytes and the sanity of lengths/counts; does NOT check the CRC.
std::optional<Header> parse_header(const char* p);

// The checks parse_header makes of the fields themselves: lengths and
// counts within bounds, counters that do not wrap, arrivals in order.
bool plausible(const Header& h);

// True when the CRC in `h` matches header bytes [8, 64) and the payload.
// `batch` points at the header start and spans h.total_size() bytes.
bool crc_matches(const Header& h, const char* batch);

struct RecordView {
  uint64_t counter;
  int64_t arrival_ms;
  std::string_view partition_key;
  std::string_view data;
};

// Walks the payload, calling visit(const RecordView&) -> bool (false stops
// early). Returns corruption if the payload does not hold exactly
// h.record_count well-formed records with arrivals in
// [first_arrival_ms, last_arrival_ms]. Call only after crc_matches().
template <class Visit>
Status decode(const Header& h, std::string_view payload, Visit&& visit);

// decode() without a visitor: full structural validation.
Status validate(const Header& h, std::string_view payload);

namespace detail {
// Reads a LEB128 varint of up to 64 bits; false on truncation/overflow.
bool get_varint(std::string_view* in, uint64_t* v);
}  // namespace detail

template <class Visit>
Status decode(const Header& h, std::string_view payload, Visit&& visit) {
  if (payload.size() != h.payload_length) return Status::corruption("batch payload size mismatch");
  std::string_view in = payload;
  for (uint32_t i = 0; i < h.record_count; ++i) {
    uint64_t delta = 0, key_len = 0, data_len = 0;
    if (!detail::get_varint(&in, &delta)) return Status::corruption("bad arrival varint");
    const uint64_t span = static_cast<uint64_t>(h.last_arrival_ms) - static_cast<uint64_t>(h.first_arrival_ms);
    if (delta > span) return Status::corruption("arrival outside batch range");
    if (!detail::get_varint(&in, &key_len) || key_len > in.size()) return Status::corruption("bad key length");
    const std::string_view key = in.substr(0, key_len);
    in.remove_prefix(key_len);
    if (!detail::get_varint(&in, &data_len) || data_len > in.size()) return Status::corruption("bad data length");
    const std::string_view data = in.substr(0, data_len);
    in.remove_prefix(data_len);
    const auto arrival = static_cast<int64_t>(static_cast<uint64_t>(h.first_arrival_ms) + delta);
    const RecordView r{h.first_counter + i, arrival, key, data};
    if (!visit(r)) return Status::ok();
  }
  if (!in.empty()) return Status::corruption("trailing bytes in batch");
  return Status::ok();
}

}  // namespace runnel::storage::batch
