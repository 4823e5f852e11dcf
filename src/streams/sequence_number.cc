#include "streams/sequence_number.h"

#include <cassert>
#include <cstring>

#include "streams/shard_id.h"

namespace runnel::streams {
namespace {

using u128 = unsigned __int128;

// A 192-bit unsigned integer as three little-endian 64-bit limbs.
struct U192 {
  uint64_t limb[3] = {0, 0, 0};
};

// ORs the low `width` (<= 64) bits of `value` into `n` at bit `pos`.
void put_bits(U192& n, unsigned pos, unsigned width, uint64_t value) {
  if (width < 64) value &= (uint64_t{1} << width) - 1;
  const unsigned k = pos / 64, off = pos % 64;
  n.limb[k] |= value << off;
  if (off != 0 && off + width > 64) n.limb[k + 1] |= value >> (64 - off);
}

// Division of a two-limb number (u1 < d) by the constant d = 10^19, by
// multiplication with its precomputed reciprocal (Moller and Granlund,
// "Improved division by invariant integers", 2011, algorithm 4). 10^19 is
// above 2^63, so it is already normalised. A hardware 128/64 divide costs
// tens of cycles; this costs two multiplications.
constexpr uint64_t kD = 10'000'000'000'000'000'000ull;
constexpr uint64_t kDInverse = static_cast<uint64_t>(((u128{~kD} << 64) | ~uint64_t{0}) / kD);

inline uint64_t div_by_d(uint64_t u1, uint64_t u0, uint64_t& rem) {
  u128 q = u128{kDInverse} * u1;
  q += (u128{u1 + 1} << 64) | u0;
  uint64_t q1 = static_cast<uint64_t>(q >> 64);
  const uint64_t q0 = static_cast<uint64_t>(q);
  uint64_t r = u0 - q1 * kD;
  if (r > q0) {
    --q1;
    r += kD;
  }
  if (r >= kD) {
    ++q1;
    r -= kD;
  }
  rem = r;
  return q1;
}

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes `v` (< 10^8) as exactly 8 digits. The four digit pairs come from
// independent multiplications, not one long chain of divisions.
inline void write_8_digits(uint32_t v, char* out) {
  const uint32_t hi = v / 10000, lo = v % 10000;
  std::memcpy(out, kDigitPairs + 2 * (hi / 100), 2);
  std::memcpy(out + 2, kDigitPairs + 2 * (hi % 100), 2);
  std::memcpy(out + 4, kDigitPairs + 2 * (lo / 100), 2);
  std::memcpy(out + 6, kDigitPairs + 2 * (lo % 100), 2);
}

// Writes `v` (< 10^19) as exactly 19 digits, zero-padded: 3 + 8 + 8.
inline void write_19_digits(uint64_t v, char* out) {
  const uint64_t top11 = v / 100'000'000;
  const uint32_t low8 = static_cast<uint32_t>(v % 100'000'000);
  const uint32_t top3 = static_cast<uint32_t>(top11 / 100'000'000);
  const uint32_t mid8 = static_cast<uint32_t>(top11 % 100'000'000);
  out[0] = static_cast<char>('0' + top3 / 100);
  std::memcpy(out + 1, kDigitPairs + 2 * (top3 % 100), 2);
  write_8_digits(mid8, out + 3);
  write_8_digits(low8, out + 11);
}

// Writes `v` without leading zeros ("0" for zero); returns the digit count.
inline std::size_t write_u64(uint64_t v, char* out) {
  char tmp[20];
  std::size_t n = 0;
  do {
    tmp[19 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  std::memcpy(out, tmp + 20 - n, n);
  return n;
}

// Decimal digits to a U192; nullopt on a non-digit, an empty string, or a
// value of 2^192 or more.
std::optional<U192> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  U192 n;
  std::size_t i = 0;
  while (i < s.size()) {
    // Take up to 19 digits at a time: n = n * 10^k + chunk.
    uint64_t chunk = 0, scale = 1;
    for (int k = 0; k < 19 && i < s.size(); ++k, ++i) {
      const char c = s[i];
      if (c < '0' || c > '9') return std::nullopt;
      chunk = chunk * 10 + static_cast<uint64_t>(c - '0');
      scale *= 10;
    }
    uint64_t carry = chunk;
    for (uint64_t& limb : n.limb) {
      const u128 t = u128{limb} * scale + carry;
      limb = static_cast<uint64_t>(t);
      carry = static_cast<uint64_t>(t >> 64);
    }
    if (carry != 0) return std::nullopt;
  }
  return n;
}

// The number as lowercase hex without leading zeros ("" for zero), the form
// kinesalite's parseSequence slices by position.
std::string to_hex(const U192& n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(48);
  for (int limb = 2; limb >= 0; --limb) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      const unsigned nibble = static_cast<unsigned>((n.limb[limb] >> shift) & 0xF);
      if (hex.empty() && nibble == 0) continue;
      hex.push_back(kHex[nibble]);
    }
  }
  return hex;
}

// The value of hex[begin, end) (at most 16 digits; all valid hex).
uint64_t hex_field(std::string_view hex, std::size_t begin, std::size_t end) {
  uint64_t v = 0;
  for (std::size_t i = begin; i < end && i < hex.size(); ++i) {
    const char c = hex[i];
    v = (v << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return v;
}

// Compares a and b; both little-endian.
int compare(const U192& a, const U192& b) {
  for (int i = 2; i >= 0; --i) {
    if (a.limb[i] != b.limb[i]) return a.limb[i] < b.limb[i] ? -1 : 1;
  }
  return 0;
}

U192 power_of_two(unsigned bit) {
  U192 n;
  n.limb[bit / 64] = uint64_t{1} << (bit % 64);
  return n;
}

// Shard create times at or above this are rejected in version-0 numbers, as
// kinesalite does ("Date too large").
constexpr int64_t kMaxVersion0CreateSecs = 16025175000;

}  // namespace

std::size_t format_sequence_number_to(const SequenceNumber& seq, char* out) {
  assert(seq.shard_create_secs >= 0 && seq.shard_create_secs <= kMaxSequenceSecs);
  assert(seq.arrival_secs >= 0 && seq.arrival_secs <= kMaxSequenceSecs);
  assert(seq.counter <= kMaxSequenceCounter);
  assert(seq.shard_index <= kMaxShardIndex);
  // Bit positions of the hex layout, counted from the least significant bit
  // (hex digit i of 47 occupies bits 4*(46-i) .. 4*(46-i)+3).
  U192 n;
  put_bits(n, 0, 4, 2);                                          // hex 46: version '2'
  put_bits(n, 4, 31, seq.shard_index);                           // hex 38..45
  put_bits(n, 36, 36, static_cast<uint64_t>(seq.arrival_secs));  // hex 29..37
  // hex 27..28 ('00') stay zero.
  put_bits(n, 80, 63, seq.counter);                                    // hex 11..26
  put_bits(n, 144, 4, seq.shard_index);                                // hex 10
  put_bits(n, 148, 36, static_cast<uint64_t>(seq.shard_create_secs));  // hex 1..9
  put_bits(n, 184, 4, 2);                                              // hex 0: '2'

  // n < 2^188 < 10^57: three chunks of 19 digits, the top one shorter.
  uint64_t r = n.limb[2];  // < 2^60 < 10^19, so the top quotient limb is 0
  const uint64_t q_mid = div_by_d(r, n.limb[1], r);
  const uint64_t q_lo = div_by_d(r, n.limb[0], r);
  const uint64_t chunk0 = r;
  const uint64_t qq_hi = div_by_d(0, q_mid, r);  // 0 for n < 2^188, kept for the remainder
  const uint64_t top = div_by_d(r, q_lo, r);
  const uint64_t chunk1 = r;
  assert(qq_hi == 0);
  (void)qq_hi;

  std::size_t len = 0;
  if (top != 0) {
    len = write_u64(top, out);
    write_19_digits(chunk1, out + len);
    len += 19;
  } else {
    len = write_u64(chunk1, out);  // unreachable for version 2; kept total
  }
  write_19_digits(chunk0, out + len);
  return len + 19;
}

std::string format_sequence_number(const SequenceNumber& seq) {
  char buf[kMaxSequenceNumberDigits];
  const std::size_t n = format_sequence_number_to(seq, buf);
  return std::string(buf, n);
}

std::optional<SequenceNumber> parse_sequence_number_any_version(std::string_view decimal) {
  std::optional<U192> parsed = parse_decimal(decimal);
  if (!parsed) return std::nullopt;
  U192 n = *parsed;

  // Below 2^124: kinesalite raises the number by 2^124 and reads it as
  // version 0 (so "5" encodes shard 5).
  if (compare(n, power_of_two(124)) < 0) n.limb[1] |= uint64_t{1} << 60;

  const std::string hex = to_hex(n);
  SequenceNumber seq;
  if (compare(n, power_of_two(129)) < 0) {
    seq.version = 0;
    seq.shard_create_secs = static_cast<int64_t>(hex_field(hex, 1, 10));
    if (seq.shard_create_secs >= kMaxVersion0CreateSecs) return std::nullopt;
    seq.shard_index = static_cast<uint32_t>(hex_field(hex, 28, 32));
    seq.counter = 0;
    seq.arrival_secs = seq.shard_create_secs;
    return seq;
  }

  // Versions 1 and 2: 2^185 < n < 1.5 * 2^185, i.e. 47 hex digits starting
  // with '2', the version in the last digit.
  U192 upper = power_of_two(185);
  upper.limb[2] |= uint64_t{1} << (184 - 128);
  if (compare(n, power_of_two(185)) <= 0 || compare(n, upper) >= 0) return std::nullopt;
  assert(hex.size() == 47);
  const char version = hex[46];
  if (version == '2') {
    if (hex[11] > '7') return std::nullopt;  // counter too high (kinesalite: "Sequence index too high")
    seq.version = 2;
    seq.shard_create_secs = static_cast<int64_t>(hex_field(hex, 1, 10));
    seq.counter = hex_field(hex, 11, 27);
    seq.arrival_secs = static_cast<int64_t>(hex_field(hex, 29, 38));
    seq.shard_index = static_cast<uint32_t>(hex_field(hex, 38, 46));
    return seq;
  }
  if (version == '1') {
    seq.version = 1;
    seq.shard_create_secs = static_cast<int64_t>(hex_field(hex, 1, 10));
    seq.arrival_secs = static_cast<int64_t>(hex_field(hex, 13, 22));
    seq.counter = hex_field(hex, 36, 38);
    seq.shard_index = static_cast<uint32_t>(hex_field(hex, 38, 46));
    return seq;
  }
  return std::nullopt;
}

std::optional<SequenceNumber> parse_sequence_number(std::string_view decimal) {
  // Every version-2 number has 56 digits; skip the big-integer work for
  // anything that cannot be one.
  std::size_t first = 0;
  while (first < decimal.size() && decimal[first] == '0') ++first;
  if (decimal.size() - first != kSequenceNumberDigits) return std::nullopt;
  std::optional<SequenceNumber> seq = parse_sequence_number_any_version(decimal.substr(first));
  if (!seq || seq->version != 2 || seq->shard_index > kMaxShardIndex) return std::nullopt;
  return seq;
}

OrderingVerdict check_sequence_number_for_ordering(std::string_view decimal, int64_t now_ms) {
  if (auto seq = parse_sequence_number_any_version(decimal)) {
    // Version 0 (small numbers) is not accepted for ordering; versions 1 and
    // 2 are, whatever stream or shard they name, unless they were issued in
    // the future.
    if (seq->version == 0) return OrderingVerdict::kInvalid;
    return seq->arrival_secs > now_ms / 1000 ? OrderingVerdict::kInvalid : OrderingVerdict::kAccepted;
  }
  // The layout of versions 1 and 2 with version nibble 3: AWS fails inside.
  const std::optional<U192> n = parse_decimal(decimal);
  if (!n) return OrderingVerdict::kInvalid;
  U192 upper = power_of_two(185);
  upper.limb[2] |= uint64_t{1} << (184 - 128);
  if (compare(*n, power_of_two(185)) > 0 && compare(*n, upper) < 0 && (n->limb[0] & 0xF) == 3)
    return OrderingVerdict::kInternalFailure;
  return OrderingVerdict::kInvalid;
}

int compare_sequence_numbers(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace runnel::streams
