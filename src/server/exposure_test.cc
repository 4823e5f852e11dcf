#include "server/exposure.h"

#include <gtest/gtest.h>

namespace runnel::server {
namespace {

TEST(Exposure, LoopbackAddresses) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1", "localhost"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.10", "::ffff:10.0.0.1", "example.com", "",
                           "128.0.0.1", "127.0.0.1.example.com", "localhost.example.com"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

// Regression (issue 14, "a safe default"): the server listened on 0.0.0.0
// while accepting any credentials.
TEST(Exposure, NonLoopbackWithoutCredentialsIsRefusedUnlessAllowed) {
  auto refusal = exposure_refusal("0.0.0.0", /*has_credentials=*/false, /*allow_anonymous=*/false);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("--credentials-file"), std::string::npos);
  EXPECT_NE(refusal->find("--allow-anonymous"), std::string::npos);
  EXPECT_FALSE(exposure_refusal("0.0.0.0", true, false).has_value());
  EXPECT_FALSE(exposure_refusal("0.0.0.0", false, true).has_value());
  EXPECT_FALSE(exposure_refusal("127.0.0.1", false, false).has_value());
  EXPECT_FALSE(exposure_refusal("::1", false, false).has_value());
}

}  // namespace
}  // namespace runnel::server
