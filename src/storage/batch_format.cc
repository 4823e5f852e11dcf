#include "storage/batch_format.h"

#include <cstring>

#include "storage/crc32c.h"
#include "storage/fixed_le.h"

namespace runnel::storage::batch {
namespace {

void put_varint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

}  // namespace

namespace detail {
bool get_varint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (unsigned shift = 0, i = 0; i < in->size() && shift <= 63; shift += 7, ++i) {
    const auto byte = static_cast<uint8_t>((*in)[i]);
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}
}  // namespace detail

void Builder::begin(std::string* out, uint64_t shard, uint64_t first_counter, uint64_t leader_epoch) {
  out_ = out;
  start_ = out->size();
  header_ = Header{};
  header_.shard = shard;
  header_.first_counter = first_counter;
  header_.leader_epoch = leader_epoch;
  out->append(kHeaderSize, '\0');
}

void Builder::add(int64_t arrival_ms, std::string_view partition_key, std::string_view data) {
  if (header_.record_count == 0) {
    header_.first_arrival_ms = arrival_ms;
    header_.last_arrival_ms = arrival_ms;
  }
  if (arrival_ms > header_.last_arrival_ms) header_.last_arrival_ms = arrival_ms;
  put_varint(out_, static_cast<uint64_t>(arrival_ms) - static_cast<uint64_t>(header_.first_arrival_ms));
  put_varint(out_, partition_key.size());
  out_->append(partition_key);
  put_varint(out_, data.size());
  out_->append(data);
  ++header_.record_count;
}

uint32_t Builder::payload_size() const { return static_cast<uint32_t>(out_->size() - start_ - kHeaderSize); }

Header Builder::finish() {
  header_.payload_length = payload_size();
  char* p = out_->data() + start_;
  put_fixed<uint32_t>(p + 0, kMagic);
  put_fixed<uint8_t>(p + 8, header_.version);
  put_fixed<uint8_t>(p + 9, header_.flags);
  put_fixed<uint16_t>(p + 10, 0);
  put_fixed<uint32_t>(p + 12, header_.payload_length);
  put_fixed<uint64_t>(p + 16, header_.leader_epoch);
  put_fixed<uint64_t>(p + 24, header_.shard);
  put_fixed<uint64_t>(p + 32, header_.first_counter);
  put_fixed<uint32_t>(p + 40, header_.record_count);
  put_fixed<uint32_t>(p + 44, 0);
  put_fixed<int64_t>(p + 48, header_.first_arrival_ms);
  put_fixed<int64_t>(p + 56, header_.last_arrival_ms);
  header_.crc = crc32c::value(p + 8, kHeaderSize - 8 + header_.payload_length);
  put_fixed<uint32_t>(p + 4, header_.crc);
  out_ = nullptr;
  return header_;
}

std::optional<Header> parse_header(const char* p) {
  if (get_fixed<uint32_t>(p) != kMagic) return std::nullopt;
  Header h;
  h.crc = get_fixed<uint32_t>(p + 4);
  h.version = get_fixed<uint8_t>(p + 8);
  h.flags = get_fixed<uint8_t>(p + 9);
  h.payload_length = get_fixed<uint32_t>(p + 12);
  h.leader_epoch = get_fixed<uint64_t>(p + 16);
  h.shard = get_fixed<uint64_t>(p + 24);
  h.first_counter = get_fixed<uint64_t>(p + 32);
  h.record_count = get_fixed<uint32_t>(p + 40);
  h.first_arrival_ms = get_fixed<int64_t>(p + 48);
  h.last_arrival_ms = get_fixed<int64_t>(p + 56);
  if (h.version != kVersion || h.flags != 0 || get_fixed<uint16_t>(p + 10) != 0 || get_fixed<uint32_t>(p + 44) != 0) {
    return std::nullopt;
  }
  if (!plausible(h)) return std::nullopt;
  return h;
}

bool plausible(const Header& h) {
  return h.payload_length <= kMaxPayload && h.record_count != 0 && h.record_count <= h.payload_length / 3 &&
         h.first_counter != 0 && h.first_counter <= UINT64_MAX - h.record_count &&
         h.last_arrival_ms >= h.first_arrival_ms;
}

bool crc_matches(const Header& h, const char* batch) {
  return crc32c::value(batch + 8, kHeaderSize - 8 + h.payload_length) == h.crc;
}

Status validate(const Header& h, std::string_view payload) {
  return decode(h, payload, [](const RecordView&) { return true; });
}

}  // namespace runnel::storage::batch
