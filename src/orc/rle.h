#pragma once
// ORC's run-length encodings (docs/orc.md, "Encodings"): base-128 varints,
// byte RLE, boolean bit RLE and integer RLE version 2. Each encoder appends
// to a std::string and is pure: the column writers buffer a stripe's values
// and encode them at the stripe's end, one row group at a time, so every
// row group starts a fresh run (the row index then points at run starts).
// Thread-safe: no shared state.

#include <cstdint>
#include <span>
#include <string>

namespace runnel::orc {

// Unsigned base-128 varint, least significant group first (protobuf's).
void put_uvarint(std::string* out, uint64_t v);
// Signed: zigzag ((v << 1) ^ (v >> 63)), then the unsigned varint.
void put_svarint(std::string* out, int64_t v);
// The decimal DATA stream's unbounded varint: zigzag over 128 bits.
void put_svarint128(std::string* out, __int128 v);

inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

// Byte RLE: runs of 3..130 equal bytes as [count - 3, byte], literals as
// [-count, bytes...] with 1..128 bytes.
void encode_byte_rle(std::span<const uint8_t> values, std::string* out);

// Boolean RLE: eight values to a byte, the first in the most significant
// bit, the last byte zero-padded; the bytes then go through byte RLE.
void encode_bool_rle(std::span<const uint8_t> bits, std::string* out);

// Integer RLE v2. `is_signed` zigzags values (signed streams) where the
// specification says so. The encoder picks, for each stretch of values:
//  - SHORT_REPEAT for 3..10 equal values;
//  - DELTA with a fixed delta for longer equal runs and arithmetic
//    sequences (3..512 values);
//  - DELTA with packed deltas for monotonic stretches when it is smaller
//    than DIRECT;
//  - DIRECT otherwise (1..512 values).
// PATCHED_BASE is never written.
void encode_int_rle_v2(std::span<const int64_t> values, bool is_signed, std::string* out);

// The run types on their own, for the tests against the specification's
// worked examples. Each requires what its comment says; the caller checks.
// 3..10 equal values.
void encode_short_repeat(std::span<const int64_t> values, bool is_signed, std::string* out);
// 1..512 values.
void encode_direct(std::span<const int64_t> values, bool is_signed, std::string* out);
// 2..512 values whose consecutive differences fit int64 and, past the
// first, all have the first one's sign (or are all equal: a fixed delta).
void encode_delta(std::span<const int64_t> values, bool is_signed, std::string* out);

// RLE v2's bit widths. The 5-bit code can state 1..24, 26, 28, 30, 32, 40,
// 48, 56 and 64 bits, but the specification marks all but 1, 2, 4, 8, 16,
// 24, 32, 40, 48, 56 and 64 deprecated: closest_fixed_bits() is the least
// of those that holds `bits`, and encode_bit_width() the code of a width.
int closest_fixed_bits(int bits);
int encode_bit_width(int bits);

}  // namespace runnel::orc

namespace runnel::orc {

// Integer RLE version 1 (format 0.11): runs of 3..130 values with a
// constant delta in -128..127 as [length - 3, delta, base varint], other
// values as literals [-count, varints...] with 1..128 values.
void encode_int_rle_v1(std::span<const int64_t> values, bool is_signed, std::string* out);

}  // namespace runnel::orc
