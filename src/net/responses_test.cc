#include "net/responses.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace runnel::net {
namespace {

TEST(RequestId, IsAVersion4UuidAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = make_request_id();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t at : {8, 13, 18, 23}) EXPECT_EQ(id[at], '-') << id;
    for (size_t at = 0; at < id.size(); ++at) {
      if (at == 8 || at == 13 || at == 18 || at == 23) continue;
      EXPECT_NE(std::string("0123456789abcdef").find(id[at]), std::string::npos) << id;
    }
    EXPECT_EQ(id[14], '4') << id;                                          // version 4
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    EXPECT_TRUE(seen.insert(id).second) << "repeated: " << id;
  }
}

TEST(RequestId, RandomBytesFillEveryByte) {
  // Lengths that are not multiples of the generator's 8 bytes included: over
  // 64 draws, a byte left untouched would stay zero every time.
  for (size_t n : {1, 7, 8, 9, 16, 54}) {
    std::string ored(n, '\0');
    for (int draw = 0; draw < 64; ++draw) {
      std::string b(n, '\0');
      random_bytes(reinterpret_cast<unsigned char*>(b.data()), n);
      for (size_t i = 0; i < n; ++i) ored[i] = static_cast<char>(ored[i] | b[i]);
    }
    for (size_t i = 0; i < n; ++i) EXPECT_NE(ored[i], '\0') << "byte " << i << " of " << n;
  }
}

}  // namespace
}  // namespace runnel::net
