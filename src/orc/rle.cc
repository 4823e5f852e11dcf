#include "orc/rle.h"

#include <algorithm>
#include <vector>

namespace runnel::orc {
namespace {

constexpr size_t kMaxRun = 512;

int bits_needed(uint64_t v) { return v == 0 ? 1 : 64 - __builtin_clzll(v); }

uint64_t encode_value(int64_t v, bool is_signed) { return is_signed ? zigzag(v) : static_cast<uint64_t>(v); }

// Appends `values`, `width` bits each, most significant bit first; the last
// byte is zero-padded.
void pack_bits(std::span<const uint64_t> values, int width, std::string* out) {
  uint32_t acc = 0;
  int filled = 0;  // bits in acc
  for (uint64_t v : values) {
    for (int b = width - 1; b >= 0; --b) {
      acc = (acc << 1) | ((v >> b) & 1);
      if (++filled == 8) {
        out->push_back(static_cast<char>(acc));
        acc = 0;
        filled = 0;
      }
    }
  }
  if (filled > 0) out->push_back(static_cast<char>(acc << (8 - filled)));
}

// The two-byte header of DIRECT (1) and DELTA (3).
void put_header(int type, int width_code, size_t length, std::string* out) {
  size_t len = length - 1;
  out->push_back(static_cast<char>((type << 6) | (width_code << 1) | static_cast<int>(len >> 8)));
  out->push_back(static_cast<char>(len & 0xff));
}

size_t equal_run(std::span<const int64_t> v, size_t i) {
  size_t j = i + 1;
  while (j < v.size() && j - i < kMaxRun && v[j] == v[i]) ++j;
  return j - i;
}

// The length of the stretch from i with one constant, non-zero delta.
size_t arithmetic_run(std::span<const int64_t> v, size_t i) {
  if (i + 1 >= v.size()) return 1;
  int64_t d;
  if (__builtin_sub_overflow(v[i + 1], v[i], &d) || d == 0) return 1;
  size_t j = i + 2;
  while (j < v.size() && j - i < kMaxRun) {
    int64_t e;
    if (__builtin_sub_overflow(v[j], v[j - 1], &e) || e != d) break;
    ++j;
  }
  return j - i;
}

// Whether v suits encode_delta() with packed deltas: every difference fits
// int64 and none has the other sign than the first (zeros are allowed past
// the first, which must not be zero).
bool monotonic(std::span<const int64_t> v) {
  if (v.size() < 3) return false;
  int64_t first;
  if (__builtin_sub_overflow(v[1], v[0], &first) || first == 0) return false;
  for (size_t i = 2; i < v.size(); ++i) {
    int64_t d;
    if (__builtin_sub_overflow(v[i], v[i - 1], &d)) return false;
    if ((first > 0 && d < 0) || (first < 0 && d > 0)) return false;
  }
  return true;
}

size_t direct_size(std::span<const int64_t> v, bool is_signed) {
  uint64_t mx = 0;
  for (int64_t x : v) mx = std::max(mx, encode_value(x, is_signed));
  return 2 + (v.size() * closest_fixed_bits(bits_needed(mx)) + 7) / 8;
}

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

size_t delta_size(std::span<const int64_t> v, bool is_signed) {
  uint64_t mx = 0;
  for (size_t i = 2; i < v.size(); ++i) {
    int64_t d = v[i] - v[i - 1];
    mx = std::max(mx, d < 0 ? static_cast<uint64_t>(-(d + 1)) + 1 : static_cast<uint64_t>(d));
  }
  int w = std::max(2, closest_fixed_bits(bits_needed(mx)));
  return 2 + varint_size(encode_value(v[0], is_signed)) + varint_size(zigzag(v[1] - v[0])) +
         ((v.size() - 2) * w + 7) / 8;
}

void encode_literals(std::span<const int64_t> v, bool is_signed, std::string* out) {
  if (monotonic(v) && delta_size(v, is_signed) < direct_size(v, is_signed)) {
    encode_delta(v, is_signed, out);
  } else {
    encode_direct(v, is_signed, out);
  }
}

}  // namespace

void put_uvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void put_svarint(std::string* out, int64_t v) { put_uvarint(out, zigzag(v)); }

void put_svarint128(std::string* out, __int128 v) {
  unsigned __int128 z = (static_cast<unsigned __int128>(v) << 1) ^ static_cast<unsigned __int128>(v >> 127);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

int closest_fixed_bits(int bits) {
  // The widths the specification's table does not mark deprecated.
  for (int w : {1, 2, 4, 8, 16, 24, 32, 40, 48, 56}) {
    if (bits <= w) return w;
  }
  return 64;
}

int encode_bit_width(int bits) {
  if (bits <= 24) return std::max(bits, 1) - 1;
  if (bits <= 26) return 24;
  if (bits <= 28) return 25;
  if (bits <= 30) return 26;
  if (bits <= 32) return 27;
  if (bits <= 40) return 28;
  if (bits <= 48) return 29;
  if (bits <= 56) return 30;
  return 31;
}

void encode_byte_rle(std::span<const uint8_t> v, std::string* out) {
  size_t i = 0;
  while (i < v.size()) {
    size_t run = 1;
    while (i + run < v.size() && run < 130 && v[i + run] == v[i]) ++run;
    if (run >= 3) {
      out->push_back(static_cast<char>(run - 3));
      out->push_back(static_cast<char>(v[i]));
      i += run;
      continue;
    }
    // Literals up to the next run of three (or 128 bytes).
    size_t j = i;
    while (j < v.size() && j - i < 128) {
      if (j + 2 < v.size() && v[j] == v[j + 1] && v[j] == v[j + 2]) break;
      ++j;
    }
    out->push_back(static_cast<char>(-static_cast<int>(j - i)));
    out->append(reinterpret_cast<const char*>(v.data() + i), j - i);
    i = j;
  }
}

void encode_bool_rle(std::span<const uint8_t> bits, std::string* out) {
  std::basic_string<uint8_t> bytes((bits.size() + 7) / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) bytes[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  encode_byte_rle(std::span<const uint8_t>(bytes.data(), bytes.size()), out);
}

void encode_short_repeat(std::span<const int64_t> values, bool is_signed, std::string* out) {
  uint64_t v = encode_value(values[0], is_signed);
  int bytes = (bits_needed(v) + 7) / 8;
  out->push_back(static_cast<char>(((bytes - 1) << 3) | static_cast<int>(values.size() - 3)));
  for (int b = bytes - 1; b >= 0; --b) out->push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}

void encode_direct(std::span<const int64_t> values, bool is_signed, std::string* out) {
  std::vector<uint64_t> enc(values.size());
  uint64_t mx = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    enc[i] = encode_value(values[i], is_signed);
    mx = std::max(mx, enc[i]);
  }
  int width = closest_fixed_bits(bits_needed(mx));
  put_header(1, encode_bit_width(width), values.size(), out);
  pack_bits(enc, width, out);
}

void encode_delta(std::span<const int64_t> values, bool is_signed, std::string* out) {
  int64_t first = values[1] - values[0];
  bool fixed = true;
  uint64_t mx = 0;
  std::vector<uint64_t> rest;
  rest.reserve(values.size());
  for (size_t i = 2; i < values.size(); ++i) {
    int64_t d = values[i] - values[i - 1];
    if (d != first) fixed = false;
    // |d|, without overflow for INT64_MIN.
    uint64_t a = d < 0 ? static_cast<uint64_t>(-(d + 1)) + 1 : static_cast<uint64_t>(d);
    rest.push_back(a);
    mx = std::max(mx, a);
  }
  // Width code 0 means a fixed delta, so packed deltas take at least 2 bits.
  int width = fixed ? 0 : closest_fixed_bits(std::max(2, bits_needed(mx)));
  put_header(3, fixed ? 0 : encode_bit_width(width), values.size(), out);
  if (is_signed) {
    put_svarint(out, values[0]);
  } else {
    put_uvarint(out, static_cast<uint64_t>(values[0]));
  }
  put_svarint(out, first);
  if (!fixed) pack_bits(rest, width, out);
}

void encode_int_rle_v2(std::span<const int64_t> v, bool is_signed, std::string* out) {
  size_t i = 0;
  size_t lit = 0;  // start of pending literals
  auto flush_literals = [&](size_t end) {
    while (lit < end) {
      size_t n = std::min(end - lit, kMaxRun);
      encode_literals(v.subspan(lit, n), is_signed, out);
      lit += n;
    }
  };
  while (i < v.size()) {
    size_t eq = equal_run(v, i);
    if (eq >= 3) {
      flush_literals(i);
      if (eq <= 10) {
        encode_short_repeat(v.subspan(i, eq), is_signed, out);
      } else {
        encode_delta(v.subspan(i, eq), is_signed, out);
      }
      i += eq;
      lit = i;
      continue;
    }
    size_t ar = arithmetic_run(v, i);
    if (ar >= 8) {
      flush_literals(i);
      encode_delta(v.subspan(i, ar), is_signed, out);
      i += ar;
      lit = i;
      continue;
    }
    ++i;
    if (i - lit == kMaxRun) flush_literals(i);
  }
  flush_literals(v.size());
}

}  // namespace runnel::orc

namespace runnel::orc {

void encode_int_rle_v1(std::span<const int64_t> v, bool is_signed, std::string* out) {
  auto put = [&](int64_t x) {
    if (is_signed) {
      put_svarint(out, x);
    } else {
      put_uvarint(out, static_cast<uint64_t>(x));
    }
  };
  // The length of the run from i with one delta in -128..127.
  auto run_at = [&](size_t i, int64_t* delta) -> size_t {
    if (i + 2 >= v.size()) return 1;
    int64_t d;
    if (__builtin_sub_overflow(v[i + 1], v[i], &d) || d < -128 || d > 127) return 1;
    size_t j = i + 2;
    while (j < v.size() && j - i < 130) {
      int64_t e;
      if (__builtin_sub_overflow(v[j], v[j - 1], &e) || e != d) break;
      ++j;
    }
    *delta = d;
    return j - i;
  };
  size_t i = 0;
  while (i < v.size()) {
    int64_t delta = 0;
    size_t run = run_at(i, &delta);
    if (run >= 3) {
      out->push_back(static_cast<char>(run - 3));
      out->push_back(static_cast<char>(static_cast<int8_t>(delta)));
      put(v[i]);
      i += run;
      continue;
    }
    size_t j = i + 1;
    int64_t ignored;
    while (j < v.size() && j - i < 128 && run_at(j, &ignored) < 3) ++j;
    out->push_back(static_cast<char>(-static_cast<int>(j - i)));
    for (size_t k = i; k < j; ++k) put(v[k]);
    i = j;
  }
}

}  // namespace runnel::orc
