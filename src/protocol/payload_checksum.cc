#include "protocol/payload_checksum.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <cstdint>

#include "protocol/base64.h"

namespace runnel::protocol {
namespace {

std::string big_endian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

class Crc32 final : public PayloadChecksum {
 public:
  void update(std::string_view b) override {
    // zlib takes at most UINT_MAX bytes a call.
    while (!b.empty()) {
      uInt n = static_cast<uInt>(std::min<size_t>(b.size(), 1u << 30));
      crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(b.data()), n);
      b.remove_prefix(n);
    }
  }
  std::string base64() override { return base64_encode(big_endian(crc_, 4)); }
  std::string_view algorithm() const override { return "CRC32"; }

 private:
  uLong crc_ = crc32(0, nullptr, 0);
};

// Reflected CRCs over a 256-entry table: CRC32C (polynomial 0x82F63B78) and
// CRC64/NVME (0x9A6C9329AC4BC9B5), both with all-ones initial value and final
// xor.
template <class T, T kPoly>
class ReflectedCrc final : public PayloadChecksum {
 public:
  explicit ReflectedCrc(std::string_view name) : name_(name) {}
  void update(std::string_view b) override {
    static const std::array<T, 256> table = [] {
      std::array<T, 256> t{};
      for (unsigned i = 0; i < 256; ++i) {
        T c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
        t[i] = c;
      }
      return t;
    }();
    for (unsigned char c : b) crc_ = table[(crc_ ^ c) & 0xff] ^ (crc_ >> 8);
  }
  std::string base64() override {
    const T value = static_cast<T>(~crc_);
    return base64_encode(big_endian(value, sizeof(T)));
  }
  std::string_view algorithm() const override { return name_; }

 private:
  T crc_ = ~T{0};
  std::string_view name_;
};

class Digest final : public PayloadChecksum {
 public:
  Digest(const EVP_MD* md, std::string_view name) : ctx_(EVP_MD_CTX_new()), name_(name) {
    EVP_DigestInit_ex(ctx_, md, nullptr);
  }
  ~Digest() override { EVP_MD_CTX_free(ctx_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(std::string_view b) override { EVP_DigestUpdate(ctx_, b.data(), b.size()); }
  std::string base64() override {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out, &len);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(out), len));
  }
  std::string_view algorithm() const override { return name_; }

 private:
  EVP_MD_CTX* ctx_;
  std::string_view name_;
};

}  // namespace

std::unique_ptr<PayloadChecksum> PayloadChecksum::for_header(std::string_view name) {
  if (name == "x-amz-checksum-crc32") return std::make_unique<Crc32>();
  if (name == "x-amz-checksum-crc32c") return std::make_unique<ReflectedCrc<uint32_t, 0x82F63B78u>>("CRC32C");
  if (name == "x-amz-checksum-crc64nvme")
    return std::make_unique<ReflectedCrc<uint64_t, 0x9A6C9329AC4BC9B5ull>>("CRC64NVME");
  if (name == "x-amz-checksum-sha1") return std::make_unique<Digest>(EVP_sha1(), "SHA1");
  if (name == "x-amz-checksum-sha256") return std::make_unique<Digest>(EVP_sha256(), "SHA256");
  return nullptr;
}

}  // namespace runnel::protocol
