#include "firehose/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <vector>

namespace runnel::firehose {
namespace {

std::string sample(size_t n) {
  std::mt19937 rng(7);
  std::string s;
  while (s.size() < n) s += "{\"id\":" + std::to_string(rng() % 1000) + ",\"msg\":\"hello firehose\"}\n";
  s.resize(n);
  return s;
}

TEST(Compression, ParsesTheApiNames) {
  EXPECT_EQ(parse_compression("GZIP"), Compression::kGzip);
  EXPECT_EQ(parse_compression("Snappy"), Compression::kSnappy);
  EXPECT_EQ(parse_compression("HADOOP_SNAPPY"), Compression::kHadoopSnappy);
  EXPECT_EQ(parse_compression("SNAPPY"), std::nullopt);  // the API's spelling is "Snappy"
  EXPECT_EQ(default_extension(Compression::kGzip), ".gz");
  EXPECT_EQ(default_extension(Compression::kUncompressed), "");
}

class EveryFormat : public ::testing::TestWithParam<Compression> {};

TEST_P(EveryFormat, RoundTripsEmptySmallAndMultiChunkInputs) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, size_t{700'000}}) {
    const std::string in = sample(n);
    auto packed = compress(GetParam(), in, "entry");
    ASSERT_TRUE(packed) << n;
    auto out = decompress(GetParam(), *packed);
    ASSERT_TRUE(out) << n << ": " << out.error().to_string();
    EXPECT_EQ(*out, in) << n;
  }
}

TEST_P(EveryFormat, RoundTripsIncompressibleInput) {
  // Random bytes grow a little when compressed: GZIP's output buffer, sized
  // for 2:1 at first, has to grow (twice) for them.
  std::mt19937_64 rng(7);
  std::string in(3 << 20, '\0');
  for (char& c : in) c = static_cast<char>(rng());
  auto packed = compress(GetParam(), in, "entry");
  ASSERT_TRUE(packed);
  auto out = decompress(GetParam(), *packed);
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_TRUE(*out == in);
}

TEST_P(EveryFormat, PiecesCompressAsTheirConcatenation) {
  const std::string whole = sample(300'000);
  // Uneven pieces, empty ones among them, as a batch's records are.
  std::vector<std::string_view> pieces;
  for (size_t at = 0, n = 0; at < whole.size(); at += n, n = (n * 7 + 3) % 5000)
    pieces.push_back(std::string_view(whole).substr(at, n));
  auto packed = compress(GetParam(), pieces, "entry");
  ASSERT_TRUE(packed);
  auto out = decompress(GetParam(), *packed);
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_TRUE(*out == whole);
  auto none = compress(GetParam(), std::span<const std::string_view>(), "entry");
  ASSERT_TRUE(none);
  auto empty = decompress(GetParam(), *none);
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST_P(EveryFormat, RefusesTruncatedInput) {
  auto packed = compress(GetParam(), sample(200'000));
  ASSERT_TRUE(packed);
  auto half = decompress(GetParam(), std::string_view(*packed).substr(0, packed->size() / 2));
  if (GetParam() == Compression::kUncompressed) {
    EXPECT_EQ(half->size(), 100'000u);  // no framing: any prefix is data
  } else {
    EXPECT_FALSE(half);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, EveryFormat,
                         ::testing::Values(Compression::kUncompressed, Compression::kGzip, Compression::kZip,
                                           Compression::kSnappy, Compression::kHadoopSnappy));

TEST(Compression, FormatsStartWithTheirMagicBytes) {
  const std::string in = sample(1000);
  EXPECT_TRUE(compress(Compression::kGzip, in)->starts_with("\x1f\x8b"));
  EXPECT_TRUE(compress(Compression::kZip, in)->starts_with("PK\x03\x04"));
  EXPECT_TRUE(compress(Compression::kSnappy, in)->starts_with(std::string_view("\xff\x06\x00\x00sNaPpY", 10)));
  // Hadoop: the block's uncompressed length, big-endian.
  EXPECT_TRUE(compress(Compression::kHadoopSnappy, in)->starts_with(std::string_view("\x00\x00\x03\xe8", 4)));
}

TEST(Compression, SnappyChecksumsAreVerified) {
  auto packed = compress(Compression::kSnappy, sample(1000));
  ASSERT_TRUE(packed);
  (*packed)[12] ^= 0x01;  // a byte of the first chunk's CRC
  EXPECT_FALSE(decompress(Compression::kSnappy, *packed));
}

}  // namespace
}  // namespace runnel::firehose
