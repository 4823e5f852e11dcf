#include "storage/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace runnel::storage {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c::value("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c::value(""), 0u);
  // RFC 3720 (iSCSI) appendix B.4 vectors.
  EXPECT_EQ(crc32c::value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c::value(std::string(32, '\xff')), 0x62A8AB43u);
  std::string inc, dec;
  for (int i = 0; i < 32; ++i) {
    inc.push_back(static_cast<char>(i));
    dec.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(crc32c::value(inc), 0x46DD794Eu);
  EXPECT_EQ(crc32c::value(dec), 0x113FDB5Cu);
}

TEST(Crc32c, PortableMatchesDispatchedOnAllLengthsAndAlignments) {
  std::mt19937 rng(7);
  std::string data(4096, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t len : {0u, 1u, 7u, 8u, 9u, 15u, 63u, 64u, 100u, 1000u, 4000u}) {
      const char* p = data.data() + offset;
      EXPECT_EQ(crc32c::extend(0, p, len), crc32c::extend_portable(0, p, len)) << offset << " " << len;
    }
  }
}

TEST(Crc32c, ExtendEqualsWhole) {
  const std::string s = "hello, group commit";
  for (size_t split = 0; split <= s.size(); ++split) {
    const uint32_t a = crc32c::value(s.data(), split);
    EXPECT_EQ(crc32c::extend(a, s.data() + split, s.size() - split), crc32c::value(s));
  }
}

}  // namespace
}  // namespace runnel::storage
