#include "parquet/rle.h"

#include <algorithm>

#include "parquet/thrift_compact.h"

namespace runnel::parquet {

int bit_width(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void bit_pack(std::span<const uint32_t> values, int width, std::string* out) {
  uint64_t acc = 0;
  int bits = 0;
  for (uint32_t v : values) {
    acc |= static_cast<uint64_t>(v) << bits;
    bits += width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xFF));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(acc & 0xFF));
}

namespace {

// How many values equal to values[i] start at i (stops counting at 8 unless
// `full`).
size_t run_at(std::span<const uint32_t> values, size_t i, bool full) {
  size_t j = i + 1;
  while (j < values.size() && values[j] == values[i] && (full || j - i < 8)) ++j;
  return j - i;
}

}  // namespace

void rle_hybrid_encode(std::span<const uint32_t> values, int width, std::string* out) {
  const int value_bytes = (width + 7) / 8;
  size_t i = 0;
  while (i < values.size()) {
    size_t run = run_at(values, i, true);
    if (run >= 8) {
      // RLE run: header (count << 1), the value in ceil(width/8) bytes LE.
      CompactWriter::put_varint(out, static_cast<uint64_t>(run) << 1);
      for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>((values[i] >> (8 * b)) & 0xFF));
      i += run;
      continue;
    }
    // Bit-packed run: groups of 8 until a run of 8 equal values starts at a
    // group boundary. Header (groups << 1 | 1).
    size_t start = i;
    size_t groups = 0;
    while (i < values.size() && (i == start || run_at(values, i, false) < 8)) {
      i += 8;
      ++groups;
    }
    CompactWriter::put_varint(out, (static_cast<uint64_t>(groups) << 1) | 1);
    size_t end = std::min(i, values.size());
    size_t before = out->size();
    bit_pack(values.subspan(start, end - start), width, out);
    // Pad the last group to a whole group of 8 values (width bytes).
    out->resize(before + groups * width, '\0');
    i = end;
  }
}

}  // namespace runnel::parquet
