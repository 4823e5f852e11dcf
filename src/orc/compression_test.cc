// Compression chunks (the specification's "Compression" section) and the
// row index positions told in compressed terms.
#include "orc/compression.h"

#include <gtest/gtest.h>

#include <string>

#include "orc/testing/orc_reader.h"

namespace runnel::orc {
namespace {

uint32_t header_at(const std::string& s, size_t at) {
  return static_cast<uint8_t>(s[at]) | (static_cast<uint8_t>(s[at + 1]) << 8) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 16);
}

TEST(Compression, HeadersAsTheSpecificationShowsThem) {
  // 100,000 compressible bytes in one chunk: [length << 1 | 0].
  std::string zeros(100000, '\0');
  CompressedStream z;
  ASSERT_TRUE(compress_stream(Compression::kZlib, 256 * 1024, zeros, &z));
  ASSERT_EQ(z.chunk_starts.size(), 1u);
  EXPECT_EQ(header_at(z.bytes, 0), (z.bytes.size() - 3) << 1);
  // Five bytes that do not shrink are stored as they are: 0x0b 0x00 0x00.
  CompressedStream o;
  ASSERT_TRUE(compress_stream(Compression::kSnappy, 256 * 1024, "abcde", &o));
  EXPECT_EQ(o.bytes, std::string("\x0b\x00\x00"
                                 "abcde",
                                 8));
}

TEST(Compression, ChunksRoundTripAndPositionsFindTheirBytes) {
  std::string in;
  for (int i = 0; i < 5000; ++i) in += std::to_string(i * i) + ",";
  for (Compression c : {Compression::kNone, Compression::kZlib, Compression::kSnappy}) {
    CompressedStream s;
    ASSERT_TRUE(compress_stream(c, 1000, in, &s));
    EXPECT_EQ(testing::decompress(static_cast<int>(c), s.bytes), in);
    if (c != Compression::kNone) {
      EXPECT_EQ(s.chunk_starts.size(), (in.size() + 999) / 1000);
      EXPECT_LT(s.bytes.size(), in.size());
    }
    for (uint64_t off : {uint64_t{0}, uint64_t{999}, uint64_t{1000}, uint64_t{12345}, uint64_t{in.size()}}) {
      std::vector<uint64_t> pos;
      append_position(c, 1000, s, off, &pos);
      std::string rest;
      if (c == Compression::kNone) {
        ASSERT_EQ(pos.size(), 1u);
        rest = s.bytes.substr(pos[0]);
      } else {
        ASSERT_EQ(pos.size(), 2u);
        rest = testing::decompress(static_cast<int>(c), std::string_view(s.bytes).substr(pos[0])).substr(pos[1]);
      }
      EXPECT_EQ(rest, in.substr(off)) << "offset " << off;
    }
  }
}

}  // namespace
}  // namespace runnel::orc
