#include "parquet/rle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parquet/testing/random_values.h"
#include "parquet/testing/thrift_reader.h"

namespace runnel::parquet {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(BitWidth, OfMaxValues) {
  EXPECT_EQ(bit_width(0), 0);
  EXPECT_EQ(bit_width(1), 1);
  EXPECT_EQ(bit_width(2), 2);
  EXPECT_EQ(bit_width(3), 2);
  EXPECT_EQ(bit_width(4), 3);
  EXPECT_EQ(bit_width(255), 8);
  EXPECT_EQ(bit_width(256), 9);
}

// parquet-format's Encodings.md: 0..7 bit-packed with width 3 is
// 10001000 11000110 11111010.
TEST(BitPack, TheSpecExample) {
  std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  bit_pack(v, 3, &out);
  EXPECT_EQ(out, bytes({0x88, 0xC6, 0xFA}));
}

TEST(RleHybrid, ALongRunIsOneRleRun) {
  std::vector<uint32_t> v(100, 5);
  std::string out;
  rle_hybrid_encode(v, 3, &out);
  // header 100 << 1 = 200 as a varint, then the value in one byte.
  EXPECT_EQ(out, bytes({0xC8, 0x01, 0x05}));
}

TEST(RleHybrid, ValuesWiderThanAByteTakeMoreBytes) {
  std::vector<uint32_t> v(8, 0x1234);
  std::string out;
  rle_hybrid_encode(v, 13, &out);
  EXPECT_EQ(out, bytes({0x10, 0x34, 0x12}));
}

TEST(RleHybrid, WidthZeroRunsHaveNoValueBytes) {
  std::vector<uint32_t> v(20, 0);
  std::string out;
  rle_hybrid_encode(v, 0, &out);
  EXPECT_EQ(out, bytes({0x28}));
}

TEST(RleHybrid, ShortRunsAreBitPackedAndPaddedToAGroup) {
  std::vector<uint32_t> v = {1, 2, 3};
  std::string out;
  rle_hybrid_encode(v, 2, &out);
  // One group of 8 (header 1 << 1 | 1), 2 bytes for 8 values of 2 bits.
  EXPECT_EQ(out, bytes({0x03, 0x39, 0x00}));
}

TEST(RleHybrid, MixedRunsSwitchBetweenTheTwo) {
  std::vector<uint32_t> v = {1, 0, 1, 0, 1, 0, 1, 0};
  v.insert(v.end(), 16, 1);
  v.push_back(0);
  std::string out;
  rle_hybrid_encode(v, 1, &out);
  // 8 bit-packed (0b01010101), 16 x 1 as RLE, 1 more bit-packed group.
  EXPECT_EQ(out, bytes({0x03, 0x55, 0x20, 0x01, 0x03, 0x00}));
  EXPECT_EQ(testing::rle_decode(out, 1, v.size()), v);
}

TEST(RleHybrid, RoundTripsRandomRunsAtEveryWidth) {
  testing::SplitMix rng(7);
  for (int width = 1; width <= 24; ++width) {
    std::vector<uint32_t> v;
    while (v.size() < 5000) {
      uint32_t x = static_cast<uint32_t>(rng.next() & ((uint64_t{1} << width) - 1));
      size_t run = rng.next() % 3 == 0 ? rng.next() % 40 : 1;
      v.insert(v.end(), run, x);
    }
    std::string out;
    rle_hybrid_encode(v, width, &out);
    size_t used = 0;
    EXPECT_EQ(testing::rle_decode(out, width, v.size(), &used), v) << "width " << width;
    EXPECT_EQ(used, out.size()) << "width " << width;
  }
}

}  // namespace
}  // namespace runnel::parquet
