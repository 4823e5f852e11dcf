#include "protocol/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace runnel::protocol {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("hi"), "aGk=");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9v"), "foo");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("+/+/"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64, AppendWritesAfterExistingText) {
  std::string out = "\"";
  base64_encode_append("hi", out);
  EXPECT_EQ(out, "\"aGk=");
}

TEST(Base64, RejectsLengthNotMultipleOfFour) {
  // AWS: "Base64 encoded length is expected a multiple of 4 bytes but found: 5"
  EXPECT_EQ(base64_decode("23456"), std::nullopt);
  EXPECT_EQ(base64_decode("aGk"), std::nullopt);
  EXPECT_EQ(base64_decode("a"), std::nullopt);
}

TEST(Base64, RejectsCharactersOutsideTheStandardAlphabet) {
  EXPECT_EQ(base64_decode("aG k"), std::nullopt);
  EXPECT_EQ(base64_decode("aGk=\n"), std::nullopt);
  EXPECT_EQ(base64_decode("-_-_"), std::nullopt);  // URL-safe alphabet
  EXPECT_EQ(base64_decode("aG*="), std::nullopt);
  EXPECT_EQ(base64_decode(std::string("aG\0=", 4)), std::nullopt);
  EXPECT_EQ(base64_decode("aGk\xff"), std::nullopt);
}

TEST(Base64, RejectsMisplacedPadding) {
  EXPECT_EQ(base64_decode("===="), std::nullopt);
  EXPECT_EQ(base64_decode("a==="), std::nullopt);
  EXPECT_EQ(base64_decode("a=Gk"), std::nullopt);
  EXPECT_EQ(base64_decode("aG=k"), std::nullopt);
  EXPECT_EQ(base64_decode("aGk=aGk="), std::nullopt);
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);
}

TEST(Base64, AcceptsNonZeroTrailingBits) {
  // "aGl=" differs from "aGk=" only in bits that the padding discards.
  EXPECT_EQ(base64_decode("aGl="), "hi");
  EXPECT_EQ(base64_decode("Zh=="), "f");
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::mt19937 rng(7);
  for (std::size_t n = 0; n < 300; ++n) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    const std::string text = base64_encode(bytes);
    ASSERT_EQ(text.size(), base64_encoded_size(n));
    ASSERT_EQ(base64_decode(text), bytes) << "length " << n;
  }
  std::string all(256, '\0');
  for (int i = 0; i < 256; ++i) all[i] = static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, RejectsEveryNonAlphabetByteInEveryPosition) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int c = 0; c < 256; ++c) {
    if (alphabet.find(static_cast<char>(c)) != std::string::npos) continue;
    for (int pos = 0; pos < 8; ++pos) {
      std::string text = "QUJDREVG";  // "ABCDEF"
      text[pos] = static_cast<char>(c);
      if (c == '=' && pos == 7) continue;  // "QUJDREV=" is valid padding
      EXPECT_EQ(base64_decode(text), std::nullopt) << "byte " << c << " at " << pos;
    }
  }
}

TEST(Base64, InPlaceDecodingAcceptsAndRejectsWhatDecodeDoes) {
  std::mt19937 rng(11);
  for (std::size_t n = 0; n < 200; ++n) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string text = base64_encode(bytes);
    ASSERT_TRUE(base64_decode_in_place(text)) << "length " << n;
    ASSERT_EQ(text, bytes) << "length " << n;
  }
  for (std::string bad : {"QUJ", "QUJDR!VG", "QUJDREVG=", "QU=D", "Q===", "====", "QUJDREV=QUJD", "QUJD\n"}) {
    const std::string before = bad;
    EXPECT_EQ(base64_decode(bad), std::nullopt) << before;
    EXPECT_FALSE(base64_decode_in_place(bad)) << before;
    EXPECT_EQ(bad, before) << "a rejected text is left unchanged";
  }
  std::string empty;
  EXPECT_TRUE(base64_decode_in_place(empty));
  EXPECT_EQ(empty, "");
}

}  // namespace
}  // namespace runnel::protocol
