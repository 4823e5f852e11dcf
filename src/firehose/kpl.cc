#include "firehose/kpl.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstring>

namespace runnel::firehose {
namespace {

constexpr unsigned char kMagic[4] = {0xF3, 0x89, 0x9A, 0xC2};
constexpr size_t kDigest = 16;

// A protobuf wire-format reader over a byte range.
class Wire {
 public:
  explicit Wire(std::string_view s) : s_(s) {}
  bool done() const { return at_ == s_.size(); }
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == s_.size()) return false;
      const uint8_t b = static_cast<uint8_t>(s_[at_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool bytes(std::string_view& out) {
    uint64_t n;
    if (!varint(n) || n > s_.size() - at_) return false;
    out = s_.substr(at_, n);
    at_ += n;
    return true;
  }
  // Skips a field of wire type `type` (0 varint, 1 fixed64, 2 bytes, 5 fixed32).
  bool skip(uint64_t type) {
    uint64_t v;
    std::string_view b;
    switch (type) {
      case 0: return varint(v);
      case 1:
        if (s_.size() - at_ < 8) return false;
        at_ += 8;
        return true;
      case 2: return bytes(b);
      case 5:
        if (s_.size() - at_ < 4) return false;
        at_ += 4;
        return true;
      default: return false;
    }
  }

 private:
  std::string_view s_;
  size_t at_ = 0;
};

// The data field (3) of one Record message.
std::optional<std::string_view> record_data(std::string_view message) {
  Wire w(message);
  std::optional<std::string_view> data;
  while (!w.done()) {
    uint64_t key;
    if (!w.varint(key)) return std::nullopt;
    if (key == ((3 << 3) | 2)) {
      std::string_view d;
      if (!w.bytes(d)) return std::nullopt;
      data = d;
    } else if (!w.skip(key & 7)) {
      return std::nullopt;
    }
  }
  return data;
}

}  // namespace

std::optional<std::vector<std::string_view>> kpl_records(std::string_view record) {
  if (record.size() < sizeof(kMagic) + kDigest || std::memcmp(record.data(), kMagic, sizeof(kMagic)) != 0)
    return std::nullopt;
  const std::string_view message = record.substr(sizeof(kMagic), record.size() - sizeof(kMagic) - kDigest);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (!EVP_Digest(message.data(), message.size(), digest, &digest_size, EVP_md5(), nullptr) || digest_size != kDigest)
    return std::nullopt;
  if (std::memcmp(digest, record.data() + record.size() - kDigest, kDigest) != 0) return std::nullopt;
  std::vector<std::string_view> out;
  Wire w(message);
  while (!w.done()) {
    uint64_t key;
    if (!w.varint(key)) return std::nullopt;
    if (key == ((3 << 3) | 2)) {
      std::string_view sub;
      if (!w.bytes(sub)) return std::nullopt;
      auto data = record_data(sub);
      if (!data) return std::nullopt;
      out.push_back(*data);
    } else if (!w.skip(key & 7)) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace runnel::firehose
