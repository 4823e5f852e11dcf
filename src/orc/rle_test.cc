// The encodings against the worked examples of the ORC v1 specification
// ("Run Length Encoding", "Integer Run Length Encoding, version 2") and
// round trips through the test reader's decoders (testing/orc_reader.h).
#include "orc/rle.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "orc/testing/orc_reader.h"
#include "parquet/testing/random_values.h"

namespace runnel::orc {
namespace {

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::vector<int64_t> decode_v2(const std::string& bytes, size_t n, bool is_signed) {
  testing::ByteReader r(bytes);
  auto v = testing::decode_int_rle_v2(r, n, is_signed);
  EXPECT_TRUE(r.done()) << "bytes left over";
  return v;
}

TEST(Varint, SpecificationTable) {
  auto u = [](uint64_t v) {
    std::string s;
    put_uvarint(&s, v);
    return hex(s);
  };
  auto s = [](int64_t v) {
    std::string out;
    put_svarint(&out, v);
    return hex(out);
  };
  EXPECT_EQ(u(0), "00");
  EXPECT_EQ(u(1), "01");
  EXPECT_EQ(u(127), "7f");
  EXPECT_EQ(u(128), "80 01");
  EXPECT_EQ(u(129), "81 01");
  EXPECT_EQ(u(16383), "ff 7f");
  EXPECT_EQ(u(16384), "80 80 01");
  EXPECT_EQ(u(16385), "81 80 01");
  EXPECT_EQ(s(0), "00");
  EXPECT_EQ(s(-1), "01");
  EXPECT_EQ(s(1), "02");
  EXPECT_EQ(s(-2), "03");
  EXPECT_EQ(s(2), "04");
}

TEST(Varint, Int128RoundTrips) {
  __int128 big = static_cast<__int128>(INT64_MAX) * 1000000 + 7;
  for (__int128 v : {__int128{0}, __int128{-1}, __int128{1}, big, -big}) {
    std::string s;
    put_svarint128(&s, v);
    testing::ByteReader r(s);
    EXPECT_TRUE(r.svarint128() == v);
    EXPECT_TRUE(r.done());
  }
}

TEST(ByteRle, SpecificationExamples) {
  std::vector<uint8_t> zeros(100, 0);
  std::string a;
  encode_byte_rle(zeros, &a);
  EXPECT_EQ(hex(a), "61 00");
  std::vector<uint8_t> two = {0x44, 0x45};
  std::string b;
  encode_byte_rle(two, &b);
  EXPECT_EQ(hex(b), "fe 44 45");
}

TEST(ByteRle, RoundTripsMixedRunsAndLiterals) {
  parquet::testing::SplitMix rng(7);
  std::vector<uint8_t> v;
  while (v.size() < 5000) {
    uint8_t x = static_cast<uint8_t>(rng.next());
    size_t n = rng.next() % 4 == 0 ? rng.next() % 300 : 1;
    v.insert(v.end(), n, x);
  }
  std::string out;
  encode_byte_rle(v, &out);
  testing::ByteReader r(out);
  EXPECT_EQ(testing::decode_byte_rle(r, v.size()), v);
  EXPECT_TRUE(r.done());
}

TEST(BoolRle, SpecificationExample) {
  std::vector<uint8_t> bits = {1, 0, 0, 0, 0, 0, 0, 0};
  std::string out;
  encode_bool_rle(bits, &out);
  EXPECT_EQ(hex(out), "ff 80");
}

TEST(IntRleV2, ShortRepeatSpecificationExample) {
  std::vector<int64_t> v(5, 10000);
  std::string a, b;
  encode_short_repeat(v, false, &a);
  EXPECT_EQ(hex(a), "0a 27 10");
  encode_int_rle_v2(v, false, &b);
  EXPECT_EQ(hex(b), "0a 27 10");
}

TEST(IntRleV2, DirectSpecificationExample) {
  std::vector<int64_t> v = {23713, 43806, 57005, 48879};
  std::string a, b;
  encode_direct(v, false, &a);
  EXPECT_EQ(hex(a), "5e 03 5c a1 ab 1e de ad be ef");
  encode_int_rle_v2(v, false, &b);
  EXPECT_EQ(hex(b), "5e 03 5c a1 ab 1e de ad be ef");
}

TEST(IntRleV2, DeltaSpecificationExample) {
  std::vector<int64_t> v = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
  std::string a, b;
  // Deltas up to 6 need 3 bits; 3 is a deprecated width, so 4.
  encode_delta(v, false, &a);
  EXPECT_EQ(hex(a), "c6 09 02 02 22 42 42 46");
  encode_int_rle_v2(v, false, &b);
  EXPECT_EQ(hex(b), "c6 09 02 02 22 42 42 46");
}

// The writer never makes PATCHED_BASE runs; the test reader decodes the
// specification's example, so it can read files of other writers too.
TEST(IntRleV2, TestReaderDecodesThePatchedBaseExample) {
  const uint8_t bytes[] = {0x8e, 0x13, 0x2b, 0x21, 0x07, 0xd0, 0x1e, 0x00, 0x14, 0x70, 0x28, 0x32, 0x3c, 0x46,
                           0x50, 0x5a, 0x64, 0x6e, 0x78, 0x82, 0x8c, 0x96, 0xa0, 0xaa, 0xb4, 0xbe, 0xfc, 0xe8};
  std::vector<int64_t> expect = {2030, 2000, 2020, 1000000, 2040, 2050, 2060, 2070, 2080, 2090,
                                 2100, 2110, 2120, 2130,    2140, 2150, 2160, 2170, 2180, 2190};
  EXPECT_EQ(decode_v2(std::string(reinterpret_cast<const char*>(bytes), sizeof bytes), expect.size(), false), expect);
}

TEST(IntRleV2, FixedDeltaForLongRunsAndSequences) {
  std::vector<int64_t> same(300, -5);
  std::string a;
  encode_int_rle_v2(same, true, &a);
  EXPECT_EQ(static_cast<uint8_t>(a[0]) >> 6, 3);           // DELTA
  EXPECT_EQ((static_cast<uint8_t>(a[0]) >> 1) & 0x1f, 0);  // fixed
  EXPECT_EQ(decode_v2(a, same.size(), true), same);
  std::vector<int64_t> seq;
  for (int i = 0; i < 1000; ++i) seq.push_back(1000 - 3 * i);
  std::string b;
  encode_int_rle_v2(seq, true, &b);
  EXPECT_LT(b.size(), 20u);
  EXPECT_EQ(decode_v2(b, seq.size(), true), seq);
}

TEST(IntRleV2, RoundTripsExtremesAndRandomData) {
  std::vector<int64_t> extremes = {INT64_MIN, INT64_MAX, 0,         -1,        1,         INT64_MIN, INT64_MIN,
                                   INT64_MIN, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, 42,        INT64_MIN + 1};
  std::string e;
  encode_int_rle_v2(extremes, true, &e);
  EXPECT_EQ(decode_v2(e, extremes.size(), true), extremes);
  // The same as unsigned 64-bit patterns.
  std::string u;
  encode_int_rle_v2(extremes, false, &u);
  EXPECT_EQ(decode_v2(u, extremes.size(), false), extremes);

  parquet::testing::SplitMix rng(11);
  for (int round = 0; round < 200; ++round) {
    std::vector<int64_t> v;
    size_t n = rng.next() % 2000 + 1;
    int64_t x = static_cast<int64_t>(rng.next());
    int shape = static_cast<int>(rng.next() % 5);
    int bits = static_cast<int>(rng.next() % 64) + 1;
    for (size_t i = 0; i < n; ++i) {
      switch (shape) {
        case 0: x = static_cast<int64_t>(rng.next() >> (64 - bits)) - (bits > 1 ? int64_t{1} << (bits - 2) : 0); break;
        case 1: x += static_cast<int64_t>(rng.next() % 8); break;     // rising
        case 2: x -= static_cast<int64_t>(rng.next() % 1000); break;  // falling
        case 3:
          if (rng.next() % 16 == 0) x = static_cast<int64_t>(rng.next() % 100);
          break;                                               // runs
        default: x = static_cast<int64_t>(rng.next()); break;  // anything
      }
      v.push_back(x);
    }
    bool is_signed = shape != 3 || rng.next() % 2 == 0;
    std::string out;
    encode_int_rle_v2(v, is_signed, &out);
    ASSERT_EQ(decode_v2(out, v.size(), is_signed), v) << "round " << round << " shape " << shape;
  }
}

TEST(IntRleV1, SpecificationExamples) {
  std::vector<int64_t> sevens(100, 7);
  std::string a;
  encode_int_rle_v1(sevens, false, &a);
  EXPECT_EQ(hex(a), "61 00 07");
  std::vector<int64_t> down;
  for (int i = 100; i >= 1; --i) down.push_back(i);
  std::string b;
  encode_int_rle_v1(down, false, &b);
  EXPECT_EQ(hex(b), "61 ff 64");
  // The specification's literals ("the first 5 primes", really 2 3 4 7 11):
  // its bytes decode to them. The writer makes a run of 2 3 4 instead.
  std::string spec("\xfb\x02\x03\x04\x07\x0b", 6);
  testing::ByteReader r(spec);
  EXPECT_EQ(testing::decode_int_rle_v1(r, 5, false), (std::vector<int64_t>{2, 3, 4, 7, 11}));
  std::vector<int64_t> lits = {2, 3, 6, 7, 11};
  std::string c;
  encode_int_rle_v1(lits, false, &c);
  EXPECT_EQ(hex(c), "fb 02 03 06 07 0b");
}

TEST(IntRleV1, RoundTrips) {
  parquet::testing::SplitMix rng(3);
  for (int round = 0; round < 100; ++round) {
    std::vector<int64_t> v;
    int64_t x = 0;
    for (size_t i = 0, n = rng.next() % 1000 + 1; i < n; ++i) {
      x = rng.next() % 3 == 0 ? static_cast<int64_t>(rng.next()) : x + static_cast<int64_t>(rng.next() % 5) - 2;
      v.push_back(x);
    }
    std::string out;
    encode_int_rle_v1(v, true, &out);
    testing::ByteReader r(out);
    ASSERT_EQ(testing::decode_int_rle_v1(r, v.size(), true), v);
  }
}

TEST(BitWidths, OnlyTheWidthsTheSpecificationDoesNotDeprecate) {
  EXPECT_EQ(closest_fixed_bits(0), 1);
  EXPECT_EQ(closest_fixed_bits(2), 2);
  EXPECT_EQ(closest_fixed_bits(3), 4);
  EXPECT_EQ(closest_fixed_bits(5), 8);
  EXPECT_EQ(closest_fixed_bits(17), 24);
  EXPECT_EQ(closest_fixed_bits(25), 32);
  EXPECT_EQ(closest_fixed_bits(33), 40);
  EXPECT_EQ(closest_fixed_bits(57), 64);
  EXPECT_EQ(encode_bit_width(1), 0);
  EXPECT_EQ(encode_bit_width(24), 23);
  EXPECT_EQ(encode_bit_width(32), 27);
  EXPECT_EQ(encode_bit_width(64), 31);
  for (int code = 0; code < 32; ++code) EXPECT_EQ(encode_bit_width(testing::decode_width(code)), code);
  // Every DIRECT run the encoder writes states one of those widths.
  parquet::testing::SplitMix rng(5);
  for (int bits = 1; bits <= 64; ++bits) {
    std::vector<int64_t> v(20);
    for (auto& x : v) x = static_cast<int64_t>(rng.next() >> (64 - bits));
    v[0] = static_cast<int64_t>(bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1);
    std::string out;
    encode_direct(v, false, &out);
    int width = testing::decode_width((static_cast<uint8_t>(out[0]) >> 1) & 0x1f);
    EXPECT_EQ(width, closest_fixed_bits(bits)) << bits;
    EXPECT_EQ(decode_v2(out, v.size(), false), v);
  }
}

}  // namespace
}  // namespace runnel::orc
