#pragma once
// The RLE/bit-packed hybrid encoding of parquet-format (Encodings.md), used
// for definition and repetition levels and for dictionary indices.

#include <cstdint>
#include <span>
#include <string>

namespace runnel::parquet {

// The number of bits needed for values 0..max_value (0 for 0).
int bit_width(uint64_t max_value);

// Appends `values` (each < 2^width) to `out` as RLE/bit-packed hybrid runs,
// without the 4-byte length prefix (the caller adds it where the page format
// wants one). Runs of 8 or more equal values become RLE runs; the rest are
// bit-packed in groups of 8, the last group padded with zeros (readers know
// the value count from the page header).
void rle_hybrid_encode(std::span<const uint32_t> values, int width, std::string* out);

// Appends `values` bit-packed LSB first (`width` bits each), as the hybrid's
// bit-packed runs and PLAIN booleans lay them out.
void bit_pack(std::span<const uint32_t> values, int width, std::string* out);

}  // namespace runnel::parquet
