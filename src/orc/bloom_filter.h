#pragma once
// ORC's bloom filters, as Apache ORC's Java and C++ writers build them and
// every ORC reader tests them (docs/orc.md, "Bloom filters"): one filter per
// row group and column, sized from the row index stride and the false
// positive probability, each value hashed to 64 bits (Murmur3 "hash64" for
// bytes, Thomas Wang's integer hash for integers) and the two 32-bit halves
// combined into the bit positions. A reader that computes different
// positions skips row groups that hold the value it looks for, so every
// detail here follows ORC's code, and the tests pin them to Apache ORC's
// own published test vectors. Values, not thread-safe; one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orc/orc_proto.pb.h"

namespace runnel::orc {

// ORC's Murmur3 64-bit hash with its seed, 104729: 8-byte little-endian
// blocks mixed into one 64-bit lane, then fmix64. Not the first half of
// MurmurHash3_x64_128.
uint64_t murmur3_hash64(std::string_view bytes);

// Thomas Wang's 64-bit integer hash as ORC's getLongHash() computes it
// (arithmetic right shifts, wrapping arithmetic).
int64_t long_hash(int64_t key);

// The ColumnEncoding.bloomEncoding of a column with bloom filters:
// UTF8_UTC (strings hashed as UTF-8 bytes, timestamps as UTC milliseconds).
inline constexpr uint32_t kBloomEncodingUtf8Utc = 1;

class BloomFilter {
 public:
  // Sized as ORC sizes it: bits = (int)(-n ln p / (ln 2)^2), then rounded
  // up to the next multiple of 64 (a further 64 when already a multiple);
  // hash functions = max(1, round(bits / n * ln 2)). n below 1 counts as 1;
  // 0 < fpp < 1 (FileWriter::open checks it).
  BloomFilter(int64_t expected_entries, double fpp);
  // A filter read back: its 64-bit words and hash count.
  BloomFilter(std::vector<uint64_t> words, int num_hash_functions);

  // The bits a filter of this size would have, or -1 if ORC's 32-bit
  // arithmetic cannot represent it.
  static int64_t bits_for(int64_t expected_entries, double fpp);

  void add_long(int64_t v) { add_hash(static_cast<uint64_t>(long_hash(v))); }
  // By Java's doubleToLongBits: every NaN hashes as 0x7ff8000000000000.
  void add_double(double v);
  void add_bytes(std::string_view v) { add_hash(murmur3_hash64(v)); }

  bool test_long(int64_t v) const { return test_hash(static_cast<uint64_t>(long_hash(v))); }
  bool test_double(double v) const;
  bool test_bytes(std::string_view v) const { return test_hash(murmur3_hash64(v)); }

  // Bit `i` is bit i % 64 of word i / 64.
  void set_bit(uint64_t i) { words_[i >> 6] |= uint64_t{1} << (i & 63); }
  bool get_bit(uint64_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }

  uint64_t num_bits() const { return words_.size() * 64; }
  int num_hash_functions() const { return k_; }
  const std::vector<uint64_t>& words() const { return words_; }
  void reset();

  // numHashFunctions and utf8bitset (the words little-endian), as the
  // BLOOM_FILTER_UTF8 stream holds them.
  void to_proto(proto::BloomFilter* out) const;

 private:
  void add_hash(uint64_t hash64);
  bool test_hash(uint64_t hash64) const;

  std::vector<uint64_t> words_;
  int k_;
};

// A decimal as ORC's writers hash it: HiveDecimal's string, trailing
// fractional zeros (and a bare point) dropped: "12.5" for 12.50, "12" for
// 12.00, "-0.5", "0".
std::string decimal_bloom_string(__int128 unscaled, int scale);

}  // namespace runnel::orc
