#include "protocol/base64.h"

#include <immintrin.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace runnel::protocol {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Decoding tables: entry c of table k holds the 6-bit value of character c
// already shifted to its place in a 24-bit group, so a quad decodes with four
// loads and three ORs. Characters outside the alphabet (including '=') map
// to kBad, a bit above the 24 data bits, so one compare checks all four.
constexpr uint32_t kBad = 0x01000000;

constexpr std::array<uint32_t, 256> make_table(int shift) {
  std::array<uint32_t, 256> t{};
  for (auto& e : t) e = kBad;
  for (uint32_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i << shift;
  return t;
}

constexpr auto kD0 = make_table(18);
constexpr auto kD1 = make_table(12);
constexpr auto kD2 = make_table(6);
constexpr auto kD3 = make_table(0);

bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

// AVX2: 24 bytes to 32 characters per step (Mula and Lemire, as the decoder
// below; why our own: see there). Each 128-bit lane takes 12 bytes: spread
// to 16, each 3-byte group's four 6-bit fields moved into bytes of their own
// with two multiplies, then mapped to the alphabet by adding a per-range
// offset looked up with one shuffle. Reads 4 bytes past each step's 24, so
// it stops while fewer than 28 remain. Returns how many bytes it encoded.
__attribute__((target("avx2"))) std::size_t encode_avx2(const uint8_t* src, std::size_t n, char* dst) {
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0, 2, 1, 4, 3, 5, 4, 7,
                                          6, 8, 7, 10, 9, 11, 10);
  const __m256i fields_ac = _mm256_set1_epi32(0x0FC0FC00);
  const __m256i shift_ac = _mm256_set1_epi32(0x04000040);
  const __m256i fields_bd = _mm256_set1_epi32(0x003F03F0);
  const __m256i shift_bd = _mm256_set1_epi32(0x01000010);
  // Offsets from a 6-bit value to its character, by range: A-Z +65, a-z +71,
  // 0-9 -4, '+' -19, '/' -16.
  const __m256i to_ascii = _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71, -4,
                                            -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
  const __m256i v51 = _mm256_set1_epi8(51);
  const __m256i v25 = _mm256_set1_epi8(25);
  std::size_t done = 0;
  for (; n - done >= 28; done += 24, src += 24, dst += 32) {
    const __m256i in =
        _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(src + 12), reinterpret_cast<const __m128i*>(src));
    const __m256i groups = _mm256_shuffle_epi8(in, spread);
    const __m256i ac = _mm256_mulhi_epu16(_mm256_and_si256(groups, fields_ac), shift_ac);
    const __m256i bd = _mm256_mullo_epi16(_mm256_and_si256(groups, fields_bd), shift_bd);
    const __m256i values = _mm256_or_si256(ac, bd);
    // Range index: 0 for A-Z, 1 for a-z, 2-11 for digits, 12 '+', 13 '/'.
    const __m256i index = _mm256_sub_epi8(_mm256_subs_epu8(values, v51), _mm256_cmpgt_epi8(values, v25));
    const __m256i chars = _mm256_add_epi8(values, _mm256_shuffle_epi8(to_ascii, index));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), chars);
  }
  return done;
}

void encode_into(const uint8_t* src, std::size_t n, char* dst) {
  std::size_t i = 0;
  if (n >= 28 && have_avx2()) {
    i = encode_avx2(src, n, dst);
    dst += i / 3 * 4;
  }
  for (; i + 3 <= n; i += 3) {
    uint32_t x = uint32_t{src[i]} << 16 | uint32_t{src[i + 1]} << 8 | src[i + 2];
    dst[0] = kAlphabet[x >> 18];
    dst[1] = kAlphabet[(x >> 12) & 63];
    dst[2] = kAlphabet[(x >> 6) & 63];
    dst[3] = kAlphabet[x & 63];
    dst += 4;
  }
  if (n - i == 1) {
    uint32_t x = uint32_t{src[i]} << 16;
    dst[0] = kAlphabet[x >> 18];
    dst[1] = kAlphabet[(x >> 12) & 63];
    dst[2] = '=';
    dst[3] = '=';
  } else if (n - i == 2) {
    uint32_t x = uint32_t{src[i]} << 16 | uint32_t{src[i + 1]} << 8;
    dst[0] = kAlphabet[x >> 18];
    dst[1] = kAlphabet[(x >> 12) & 63];
    dst[2] = kAlphabet[(x >> 6) & 63];
    dst[3] = '=';
  }
}

// The shape of a base64 text: how many '=' end it and how many quads carry
// no padding. Only for a non-empty length that is a multiple of 4.
struct Layout {
  std::size_t pad;
  std::size_t full_quads;
  std::size_t out_len;
};

Layout layout_of(const uint8_t* s, std::size_t n) {
  const std::size_t pad = s[n - 1] != '=' ? 0 : s[n - 2] != '=' ? 1 : 2;
  return Layout{pad, pad == 0 ? n / 4 : n / 4 - 1, n / 4 * 3 - pad};
}

// AVX2: 32 characters to 24 bytes per step, after Wojciech Mula and Daniel
// Lemire, "Faster Base64 Encoding and Decoding Using AVX2 Instructions"
// (ACM TOPS, 2018). No Debian package offers a vectorised base64 (libb64,
// libmodpbase64 and OpenSSL's EVP_DecodeBlock are all scalar), and decoding
// was a quarter of the server's CPU when ingesting 64 KiB records
// (docs/performance.md, fifth round). Returns how many quads it decoded:
// it stops while at least 11 quads are left, so that its 32-byte stores
// (24 bytes of output each) stay inside the output; the scalar loop does the
// rest. *bad is set when a step met a character outside the alphabet.
__attribute__((target("avx2"))) std::size_t decode_quads_avx2(const uint8_t* s, std::size_t quads, char* dst,
                                                              bool* bad) {
  // Each character is classified by its low and its high nibble: the two
  // tables give bit sets whose AND is empty exactly for A-Z a-z 0-9 + /.
  const __m256i lo_classes =
      _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,
                       0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i hi_classes =
      _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                       0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  // What to add to a valid character to get its 6-bit value, by its high
  // nibble ('/' shares '+''s nibble and is told apart below).
  const __m256i offsets = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4, -65,
                                           -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i slash = _mm256_set1_epi8(0x2F);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  // Within each 32-bit group of four 6-bit values: pairs merged, then pairs
  // of pairs, giving 24 bits; then the 3 bytes of each group gathered, and
  // the two 12-byte lanes joined.
  const __m256i pair_weights = _mm256_set1_epi32(0x01400140);
  const __m256i quad_weights = _mm256_set1_epi32(0x00011000);
  const __m256i gather = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6, 5, 4, 10,
                                          9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 6, 7);
  std::size_t done = 0;
  for (; quads - done >= 11; done += 8, s += 32, dst += 24) {
    const __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s));
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), nibble);
    const __m256i lo = _mm256_and_si256(in, nibble);
    const __m256i classes = _mm256_and_si256(_mm256_shuffle_epi8(lo_classes, lo), _mm256_shuffle_epi8(hi_classes, hi));
    if (!_mm256_testz_si256(classes, classes)) {
      *bad = true;
      return done;
    }
    const __m256i is_slash = _mm256_cmpeq_epi8(in, slash);
    const __m256i values = _mm256_add_epi8(in, _mm256_shuffle_epi8(offsets, _mm256_add_epi8(is_slash, hi)));
    const __m256i pairs = _mm256_maddubs_epi16(values, pair_weights);
    const __m256i groups = _mm256_madd_epi16(pairs, quad_weights);
    const __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(groups, gather), join);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), packed);
  }
  return done;
}

// Decodes `s` (laid out as `l`) into `dst`; false if a character is outside
// the alphabet (`dst` then holds garbage).
bool decode_into(const uint8_t* s, const Layout& l, char* dst) {
  uint32_t bad = 0;
  std::size_t q = 0;
  if (l.full_quads >= 11 && have_avx2()) {
    bool simd_bad = false;
    q = decode_quads_avx2(s, l.full_quads, dst, &simd_bad);
    if (simd_bad) return false;
    s += q * 4;
    dst += q * 3;
  }
  for (; q < l.full_quads; ++q, s += 4, dst += 3) {
    uint32_t x = kD0[s[0]] | kD1[s[1]] | kD2[s[2]] | kD3[s[3]];
    bad |= x;
    dst[0] = static_cast<char>(x >> 16);
    dst[1] = static_cast<char>(x >> 8);
    dst[2] = static_cast<char>(x);
  }
  if (l.pad == 1) {
    uint32_t x = kD0[s[0]] | kD1[s[1]] | kD2[s[2]];
    bad |= x;
    dst[0] = static_cast<char>(x >> 16);
    dst[1] = static_cast<char>(x >> 8);
  } else if (l.pad == 2) {
    uint32_t x = kD0[s[0]] | kD1[s[1]];
    bad |= x;
    dst[0] = static_cast<char>(x >> 16);
  }
  return bad < kBad;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_encode_append(bytes, out);
  return out;
}

void base64_encode_append(std::string_view bytes, std::string& out) {
  const std::size_t old = out.size();
  const std::size_t add = base64_encoded_size(bytes.size());
  // The size is returned explicitly: libstdc++ 12 passes the operation the
  // capacity, not the requested size.
  out.resize_and_overwrite(old + add, [&](char* p, std::size_t) {
    encode_into(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), p + old);
    return old + add;
  });
}

std::optional<std::string> base64_decode(std::string_view text) {
  const std::size_t n = text.size();
  if (n == 0) return std::string();
  if (n % 4 != 0) return std::nullopt;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const Layout l = layout_of(s, n);
  bool ok = true;
  std::string out;
  out.resize_and_overwrite(l.out_len, [&](char* dst, std::size_t) -> std::size_t {
    ok = decode_into(s, l, dst);
    return ok ? l.out_len : 0;
  });
  if (!ok) return std::nullopt;
  return out;
}

bool base64_decode_in_place(std::string& text) {
  const std::size_t n = text.size();
  if (n == 0) return true;
  if (n % 4 != 0) return false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const Layout l = layout_of(s, n);
  // Decoded into a per-thread scratch buffer first, so that a rejected text
  // is left as it was at the cost of one memcpy (a second lookup pass costs
  // more). The buffer keeps the largest blob this thread has decoded.
  thread_local std::string scratch;
  if (scratch.size() < l.out_len) scratch.resize(l.out_len);
  if (!decode_into(s, l, scratch.data())) return false;
  std::memcpy(text.data(), scratch.data(), l.out_len);
  text.resize(l.out_len);
  return true;
}

}  // namespace runnel::protocol
