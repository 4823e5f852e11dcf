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

// Texts of 11 quads and more take the AVX2 path where the CPU has it: every
// character value in every lane, against a decoder written the slow way.
std::string reference_decode(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string reference_encode(const std::string& bytes) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : bytes) {
    acc = (acc << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

// Inputs of 28 bytes and more take the AVX2 encoder where the CPU has it.
TEST(Base64, EncodesLikeTheReferenceAtEveryLength) {
  std::mt19937 rng(3);
  for (std::size_t n = 0; n < 400; ++n) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    ASSERT_EQ(base64_encode(bytes), reference_encode(bytes)) << "length " << n;
  }
  // Every byte value in every position of a 24-byte step.
  for (int v = 0; v < 256; ++v) {
    std::string bytes(66, '\x5a');  // whole 3-byte groups: the loop below writes i + 2
    for (std::size_t i = 0; i < bytes.size(); i += 3) bytes[i + (v % 3)] = static_cast<char>(v);
    ASSERT_EQ(base64_encode(bytes), reference_encode(bytes)) << "value " << v;
    std::string all(64, '\0');
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>(v + static_cast<int>(i));
    ASSERT_EQ(base64_encode(all), reference_encode(all)) << "value " << v;
  }
}

TEST(Base64, LongTextsDecodeEveryCharacterInEveryPosition) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t rot = 0; rot < 64; ++rot) {
    std::string text;
    for (std::size_t i = 0; i < 200; ++i) text.push_back(alphabet[(i * 7 + rot) % 64]);
    ASSERT_EQ(base64_decode(text), reference_decode(text)) << "rotation " << rot;
  }
}

TEST(Base64, LongTextsRejectEveryNonAlphabetByteInEveryPosition) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string valid;
  for (std::size_t i = 0; i < 96; ++i) valid.push_back(alphabet[(i * 5) % 64]);  // 24 quads
  ASSERT_TRUE(base64_decode(valid));
  for (int c = 0; c < 256; ++c) {
    if (alphabet.find(static_cast<char>(c)) != std::string::npos) continue;
    for (std::size_t pos = 0; pos < valid.size(); ++pos) {
      if (c == '=' && pos >= valid.size() - 2) continue;  // valid padding at the end
      std::string text = valid;
      text[pos] = static_cast<char>(c);
      ASSERT_EQ(base64_decode(text), std::nullopt) << "byte " << c << " at " << pos;
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
