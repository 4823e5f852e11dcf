#include "streams/hash_key.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace runnel::streams {
namespace {

constexpr uint64_t k10To19 = 10'000'000'000'000'000'000ull;

// One MD5 method for the process, fetched once: in OpenSSL 3 passing
// EVP_md5() to every EVP_DigestInit_ex would repeat an implicit fetch (a
// locked lookup) per record.
const EVP_MD* md5_method() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "MD5", nullptr);
    if (fetched == nullptr) {
      std::fprintf(stderr, "runnel: OpenSSL has no MD5 implementation; cannot route records\n");
      std::abort();
    }
    return fetched;
  }();
  return md;
}

// A digest context per thread, reused for every record the thread routes.
struct Md5Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Md5Context() { EVP_MD_CTX_free(ctx); }
};

// Writes `v` (< 10^19) as exactly 19 digits, zero-padded.
void write_19_digits(uint64_t v, char* out) {
  for (int i = 18; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

HashKey hash_partition_key(std::string_view partition_key) {
  thread_local Md5Context md5;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (md5.ctx == nullptr || EVP_DigestInit_ex(md5.ctx, md5_method(), nullptr) != 1 ||
      EVP_DigestUpdate(md5.ctx, partition_key.data(), partition_key.size()) != 1 ||
      EVP_DigestFinal_ex(md5.ctx, digest, &len) != 1 || len != 16) {
    std::fprintf(stderr, "runnel: MD5 of a partition key failed\n");
    std::abort();
  }
  HashKey key = 0;
  for (unsigned i = 0; i < 16; ++i) key = (key << 8) | digest[i];
  return key;
}

std::optional<HashKey> parse_hash_key(std::string_view s) {
  if (s.empty() || s.size() > kMaxHashKeyDigits) return std::nullopt;
  if (s[0] == '0' && s.size() > 1) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  // Only 39-digit values can exceed 2^128-1; equal-length digit strings
  // compare like their values.
  if (s.size() == kMaxHashKeyDigits && s > std::string_view("340282366920938463463374607431768211455")) {
    return std::nullopt;
  }
  // Up to 19 digits at a time in 64-bit arithmetic: v = v * 10^k + chunk.
  HashKey v = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    uint64_t chunk = 0, scale = 1;
    for (int k = 0; k < 19 && i < s.size(); ++k, ++i) {
      chunk = chunk * 10 + static_cast<uint64_t>(s[i] - '0');
      scale *= 10;
    }
    v = v * scale + chunk;
  }
  return v;
}

std::string format_hash_key(HashKey key) {
  // key = top * 10^38 + mid * 10^19 + low, top <= 3.
  const uint64_t low = static_cast<uint64_t>(key % k10To19);
  key /= k10To19;
  const uint64_t mid = static_cast<uint64_t>(key % k10To19);
  const uint64_t top = static_cast<uint64_t>(key / k10To19);
  char buf[3 * 19];
  write_19_digits(top, buf);
  write_19_digits(mid, buf + 19);
  write_19_digits(low, buf + 38);
  std::size_t first = 0;
  while (first < sizeof(buf) - 1 && buf[first] == '0') ++first;
  return std::string(buf + first, sizeof(buf) - first);
}

std::vector<HashKeyRange> split_hash_space(uint32_t shard_count) {
  std::vector<HashKeyRange> ranges;
  if (shard_count == 0) return ranges;
  if (shard_count == 1) {
    ranges.push_back({0, kMaxHashKey});
    return ranges;
  }
  // floor(2^128 / n) computed without 2^128: 2^128 = kMaxHashKey + 1.
  HashKey step = kMaxHashKey / shard_count;
  if (kMaxHashKey % shard_count == shard_count - 1) ++step;
  ranges.reserve(shard_count);
  for (uint32_t i = 0; i < shard_count; ++i) {
    const HashKey start = step * i;
    const HashKey end = (i + 1 == shard_count) ? kMaxHashKey : step * (i + 1) - 1;
    ranges.push_back({start, end});
  }
  return ranges;
}

}  // namespace runnel::streams
