#include "orc/bloom_filter.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "orc/statistics.h"

namespace runnel::orc {

namespace {

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;
constexpr uint64_t kSeed = 104729;

uint64_t fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t mix_k(uint64_t k) {
  k *= kC1;
  k = std::rotl(k, 31);
  return k * kC2;
}

// The k bit positions of a 64-bit hash, as ORC's addHash()/testHash(): the
// low and high 32-bit halves combined in 32-bit signed arithmetic
// (wrapping), a negative result's bits flipped, then taken modulo the bits.
template <typename F>
bool for_each_position(uint64_t hash64, int k, uint64_t bits, F&& f) {
  const auto hash1 = static_cast<uint32_t>(hash64);
  const auto hash2 = static_cast<uint32_t>(hash64 >> 32);
  for (uint32_t i = 1; i <= static_cast<uint32_t>(k); ++i) {
    auto combined = static_cast<int32_t>(hash1 + i * hash2);
    if (combined < 0) combined = ~combined;
    if (!f(static_cast<uint64_t>(combined) % bits)) return false;
  }
  return true;
}

int64_t double_bits(double v) {
  // Java's Double.doubleToLongBits: one NaN for all.
  if (std::isnan(v)) return 0x7ff8000000000000LL;
  return std::bit_cast<int64_t>(v);
}

}  // namespace

uint64_t murmur3_hash64(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  uint64_t h = kSeed;
  const size_t blocks = n / 8;
  for (size_t b = 0; b < blocks; ++b) {
    uint64_t k = 0;
    for (int j = 7; j >= 0; --j) k = (k << 8) | p[b * 8 + static_cast<size_t>(j)];
    h ^= mix_k(k);
    h = std::rotl(h, 27) * 5 + 0x52dce729;
  }
  const size_t tail = n - blocks * 8;
  if (tail > 0) {
    uint64_t k = 0;
    for (size_t j = tail; j-- > 0;) k = (k << 8) | p[blocks * 8 + j];
    h ^= mix_k(k);
  }
  // Java xors in the int length, sign-extended; lengths here are below 2^31
  // in practice, and the low 32 bits are what matter for those.
  h ^= static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(n)));
  return fmix64(h);
}

int64_t long_hash(int64_t key) {
  // Wrapping adds and left shifts on the unsigned value; right shifts
  // arithmetic, as Java's >> on a long.
  auto u = static_cast<uint64_t>(key);
  u = ~u + (u << 21);
  u ^= static_cast<uint64_t>(static_cast<int64_t>(u) >> 24);
  u = u + (u << 3) + (u << 8);
  u ^= static_cast<uint64_t>(static_cast<int64_t>(u) >> 14);
  u = u + (u << 2) + (u << 4);
  u ^= static_cast<uint64_t>(static_cast<int64_t>(u) >> 28);
  u = u + (u << 31);
  return static_cast<int64_t>(u);
}

int64_t BloomFilter::bits_for(int64_t expected_entries, double fpp) {
  const int64_t n = expected_entries < 1 ? 1 : expected_entries;
  const double ln2 = std::log(2.0);
  const double nb = -static_cast<double>(n) * std::log(fpp) / (ln2 * ln2);
  if (!(nb < 2147483647.0)) return -1;
  const auto whole = static_cast<int64_t>(nb);  // Java's (int) cast truncates
  const int64_t bits = whole + (64 - whole % 64);
  return bits > std::numeric_limits<int32_t>::max() ? -1 : bits;
}

BloomFilter::BloomFilter(int64_t expected_entries, double fpp) {
  const int64_t n = expected_entries < 1 ? 1 : expected_entries;
  const int64_t bits = bits_for(n, fpp);
  words_.assign(static_cast<size_t>(bits > 0 ? bits : 64) / 64, 0);
  // Java's Math.round: floor(x + 0.5).
  const double k = std::floor(static_cast<double>(num_bits()) / static_cast<double>(n) * std::log(2.0) + 0.5);
  k_ = k < 1 ? 1 : static_cast<int>(k);
}

BloomFilter::BloomFilter(std::vector<uint64_t> words, int num_hash_functions)
    : words_(std::move(words)), k_(num_hash_functions) {
  if (words_.empty()) words_.push_back(0);
}

void BloomFilter::add_double(double v) { add_long(double_bits(v)); }

bool BloomFilter::test_double(double v) const { return test_long(double_bits(v)); }

void BloomFilter::add_hash(uint64_t hash64) {
  for_each_position(hash64, k_, num_bits(), [this](uint64_t pos) {
    set_bit(pos);
    return true;
  });
}

bool BloomFilter::test_hash(uint64_t hash64) const {
  return for_each_position(hash64, k_, num_bits(), [this](uint64_t pos) { return get_bit(pos); });
}

void BloomFilter::reset() {
  for (auto& w : words_) w = 0;
}

void BloomFilter::to_proto(proto::BloomFilter* out) const {
  out->set_numhashfunctions(static_cast<uint32_t>(k_));
  std::string bytes;
  bytes.reserve(words_.size() * 8);
  for (uint64_t w : words_) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((w >> (8 * i)) & 0xff));
  }
  out->set_utf8bitset(std::move(bytes));
}

std::string decimal_bloom_string(__int128 unscaled, int scale) {
  std::string s = decimal_to_string(unscaled, scale);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

}  // namespace runnel::orc
