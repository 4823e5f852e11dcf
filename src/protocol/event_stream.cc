#include "protocol/event_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace runnel::protocol::eventstream {
namespace {

using Type = HeaderValue::Type;

// CRC-32 (IEEE 802.3, reflected, as zlib and Python's binascii.crc32 compute
// it), continuing from `crc` (0 to start).
uint32_t crc32_of(std::string_view bytes, uint32_t crc = 0) {
  // zlib takes a uInt length; feed very large inputs in pieces.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n)));
    bytes.remove_prefix(n);
  }
  return crc;
}

void put_u8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) put_u8(out, static_cast<uint8_t>(v >> shift));
}

uint64_t get_be(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int k = 0; k < bytes; ++k) v = (v << 8) | static_cast<uint8_t>(in[at + k]);
  return v;
}

void overwrite_be32(std::string& out, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) out[at + k] = static_cast<char>(static_cast<uint8_t>(v >> (24 - 8 * k)));
}

bool fits(int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; }

// Appends one header's wire form, or returns false when it cannot be encoded.
bool append_header(std::string& out, const Header& h) {
  if (h.name.empty() || h.name.size() > kMaxHeaderNameBytes) return false;
  put_u8(out, static_cast<uint8_t>(h.name.size()));
  out += h.name;
  const HeaderValue& v = h.value;
  put_u8(out, static_cast<uint8_t>(v.type));
  switch (v.type) {
    case Type::kBoolTrue:
    case Type::kBoolFalse: return true;
    case Type::kByte:
      if (!fits(v.i, INT8_MIN, INT8_MAX)) return false;
      put_be(out, static_cast<uint64_t>(v.i), 1);
      return true;
    case Type::kShort:
      if (!fits(v.i, INT16_MIN, INT16_MAX)) return false;
      put_be(out, static_cast<uint64_t>(v.i), 2);
      return true;
    case Type::kInteger:
      if (!fits(v.i, INT32_MIN, INT32_MAX)) return false;
      put_be(out, static_cast<uint64_t>(v.i), 4);
      return true;
    case Type::kLong:
    case Type::kTimestamp: put_be(out, static_cast<uint64_t>(v.i), 8); return true;
    case Type::kByteArray:
    case Type::kString:
      if (v.bytes.size() > kMaxHeaderValueBytes) return false;
      put_be(out, v.bytes.size(), 2);
      out += v.bytes;
      return true;
    case Type::kUuid:
      if (v.bytes.size() != 16) return false;
      out += v.bytes;
      return true;
  }
  return false;
}

std::string kinesis_frame(std::string_view type_key, std::string_view message_type, std::string_view key2,
                          std::string_view value2, std::string_view key3, std::string_view value3,
                          std::string_view payload) {
  const std::vector<Header> headers = {
      {std::string(type_key), HeaderValue::string(message_type)},
      {std::string(key2), HeaderValue::string(value2)},
      {std::string(key3), HeaderValue::string(value3)},
  };
  return encode_message(headers, payload);
}

Status corrupt(std::string what) { return Status::corruption("event stream: " + std::move(what)); }

}  // namespace

HeaderValue HeaderValue::boolean(bool v) { return {v ? Type::kBoolTrue : Type::kBoolFalse, v, 0, {}}; }
HeaderValue HeaderValue::byte(int8_t v) { return {Type::kByte, false, v, {}}; }
HeaderValue HeaderValue::int16(int16_t v) { return {Type::kShort, false, v, {}}; }
HeaderValue HeaderValue::int32(int32_t v) { return {Type::kInteger, false, v, {}}; }
HeaderValue HeaderValue::int64(int64_t v) { return {Type::kLong, false, v, {}}; }
HeaderValue HeaderValue::timestamp_millis(int64_t millis) { return {Type::kTimestamp, false, millis, {}}; }
HeaderValue HeaderValue::byte_array(std::string_view v) { return {Type::kByteArray, false, 0, std::string(v)}; }
HeaderValue HeaderValue::string(std::string_view v) { return {Type::kString, false, 0, std::string(v)}; }
HeaderValue HeaderValue::uuid(std::string_view sixteen_bytes) {
  return {Type::kUuid, false, 0, std::string(sixteen_bytes)};
}

bool operator==(const HeaderValue& a, const HeaderValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::kBoolTrue:
    case Type::kBoolFalse: return true;
    case Type::kByte:
    case Type::kShort:
    case Type::kInteger:
    case Type::kLong:
    case Type::kTimestamp: return a.i == b.i;
    case Type::kByteArray:
    case Type::kString:
    case Type::kUuid: return a.bytes == b.bytes;
  }
  // Types outside the enum: compare everything.
  return a.b == b.b && a.i == b.i && a.bytes == b.bytes;
}

const HeaderValue* Message::find(std::string_view name) const {
  for (const Header& h : headers)
    if (h.name == name) return &h.value;
  return nullptr;
}

std::string_view Message::string_header(std::string_view name) const {
  const HeaderValue* v = find(name);
  if (v == nullptr || v->type != Type::kString) return {};
  return v->bytes;
}

std::string encode_message(const std::vector<Header>& headers, std::string_view payload) {
  std::string out(kPreludeBytes, '\0');
  for (const Header& h : headers)
    if (!append_header(out, h)) return {};
  const size_t headers_length = out.size() - kPreludeBytes;
  const uint64_t total = static_cast<uint64_t>(out.size()) + payload.size() + 4;
  if (total > std::numeric_limits<uint32_t>::max()) return {};
  out.reserve(total);
  out += payload;
  overwrite_be32(out, 0, static_cast<uint32_t>(total));
  overwrite_be32(out, 4, static_cast<uint32_t>(headers_length));
  const uint32_t prelude_crc = crc32_of(std::string_view(out).substr(0, 8));
  overwrite_be32(out, 8, prelude_crc);
  const uint32_t message_crc = crc32_of(std::string_view(out).substr(8), prelude_crc);
  put_be(out, message_crc, 4);
  return out;
}

std::string event_frame(std::string_view event_type, std::string_view content_type, std::string_view payload) {
  return kinesis_frame(":message-type", "event", ":event-type", event_type, ":content-type", content_type, payload);
}

std::string exception_frame(std::string_view exception_type, std::string_view content_type, std::string_view payload) {
  return kinesis_frame(":message-type", "exception", ":exception-type", exception_type, ":content-type", content_type,
                       payload);
}

std::string error_frame(std::string_view code, std::string_view message) {
  return kinesis_frame(":message-type", "error", ":error-code", code, ":error-message", message, {});
}

Result<std::vector<Header>> decode_headers(std::string_view block) {
  std::vector<Header> headers;
  size_t at = 0;
  auto need = [&](size_t n) { return block.size() - at >= n; };
  while (at < block.size()) {
    const size_t name_len = static_cast<uint8_t>(block[at++]);
    if (name_len == 0) return error(corrupt("header with an empty name"));
    if (!need(name_len + 1)) return error(corrupt("truncated header name"));
    Header h;
    h.name.assign(block.substr(at, name_len));
    at += name_len;
    const uint8_t raw_type = static_cast<uint8_t>(block[at++]);
    if (raw_type > static_cast<uint8_t>(Type::kUuid))
      return error(corrupt("unknown header type " + std::to_string(raw_type) + " for '" + h.name + "'"));
    HeaderValue& v = h.value;
    v.type = static_cast<Type>(raw_type);
    auto take_int = [&](int bytes) -> bool {
      if (!need(static_cast<size_t>(bytes))) return false;
      const uint64_t raw = get_be(block, at, bytes);
      at += static_cast<size_t>(bytes);
      const int unused = 64 - 8 * bytes;
      // Sign-extend from `bytes` bytes (arithmetic right shift of int64_t is
      // defined in C++20).
      v.i = unused == 0 ? static_cast<int64_t>(raw) : static_cast<int64_t>(raw << unused) >> unused;
      return true;
    };
    bool ok = true;
    switch (v.type) {
      case Type::kBoolTrue:
      case Type::kBoolFalse: v.b = v.type == Type::kBoolTrue; break;
      case Type::kByte: ok = take_int(1); break;
      case Type::kShort: ok = take_int(2); break;
      case Type::kInteger: ok = take_int(4); break;
      case Type::kLong:
      case Type::kTimestamp: ok = take_int(8); break;
      case Type::kByteArray:
      case Type::kString: {
        if (!need(2)) {
          ok = false;
          break;
        }
        const size_t len = get_be(block, at, 2);
        at += 2;
        if (!need(len)) {
          ok = false;
          break;
        }
        v.bytes.assign(block.substr(at, len));
        at += len;
        break;
      }
      case Type::kUuid:
        if (!need(16)) {
          ok = false;
          break;
        }
        v.bytes.assign(block.substr(at, 16));
        at += 16;
        break;
    }
    if (!ok) return error(corrupt("truncated value of header '" + h.name + "'"));
    headers.push_back(std::move(h));
  }
  return headers;
}

Decoder::Decoder(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

void Decoder::feed(std::string_view bytes) {
  if (failed()) return;
  // Drop consumed bytes once they are at least half the buffer, so the cost
  // of compaction stays linear in the bytes fed.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<Message>> Decoder::fail(Status s) {
  failure_ = std::move(s);
  buffer_.clear();
  buffer_.shrink_to_fit();
  start_ = 0;
  return error(failure_);
}

Result<std::optional<Message>> Decoder::next() {
  if (failed()) return error(failure_);
  const std::string_view avail = std::string_view(buffer_).substr(start_);
  if (avail.size() < kPreludeBytes) return std::optional<Message>();

  const uint32_t total = static_cast<uint32_t>(get_be(avail, 0, 4));
  const uint32_t headers_length = static_cast<uint32_t>(get_be(avail, 4, 4));
  const uint32_t prelude_crc = static_cast<uint32_t>(get_be(avail, 8, 4));
  if (crc32_of(avail.substr(0, 8)) != prelude_crc) return fail(corrupt("prelude CRC mismatch"));
  if (total < kMessageOverheadBytes)
    return fail(corrupt("total length " + std::to_string(total) + " is shorter than the 16-byte minimum"));
  if (headers_length > total - kMessageOverheadBytes)
    return fail(corrupt("headers length " + std::to_string(headers_length) + " exceeds total length " +
                        std::to_string(total) + " minus 16"));
  if (total > max_message_bytes_)
    return fail(corrupt("message of " + std::to_string(total) + " bytes exceeds the limit of " +
                        std::to_string(max_message_bytes_)));
  if (avail.size() < total) return std::optional<Message>();

  const std::string_view frame = avail.substr(0, total);
  const uint32_t message_crc = static_cast<uint32_t>(get_be(frame, total - 4, 4));
  if (crc32_of(frame.substr(8, total - 12), prelude_crc) != message_crc) return fail(corrupt("message CRC mismatch"));

  auto headers = decode_headers(frame.substr(kPreludeBytes, headers_length));
  if (!headers) return fail(std::move(headers.error()));
  Message m;
  m.headers = std::move(*headers);
  m.payload.assign(frame.substr(kPreludeBytes + headers_length, total - kMessageOverheadBytes - headers_length));
  start_ += total;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return std::optional<Message>(std::move(m));
}

}  // namespace runnel::protocol::eventstream
