#include "protocol/credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace runnel::protocol {
namespace {

TEST(CredentialStore, ParsesProfilesAndComments) {
  auto store = CredentialStore::parse(
      "# a comment\n"
      "; another\n"
      "\n"
      "[default]\n"
      "aws_access_key_id = AKIDEXAMPLE\n"
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
      "region = us-east-1\n"
      "\n"
      "[ second ]\r\n"
      "AWS_ACCESS_KEY_ID=AKIDSECOND\r\n"
      "  aws_secret_access_key:s3cr=t  \r\n"
      "aws_session_token = ignored\n"
      "[sso-only]\n"
      "sso_start_url = https://example.com\n"
      "    continued line\n");
  ASSERT_TRUE(store.has_value()) << store.error().message();
  EXPECT_EQ(store->size(), 2u);
  EXPECT_EQ(store->secret_for("AKIDEXAMPLE"), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(store->secret_for("AKIDSECOND"), "s3cr=t");
  EXPECT_FALSE(store->secret_for("AKIDUNKNOWN").has_value());
  EXPECT_FALSE(store->secret_for("").has_value());
}

TEST(CredentialStore, RejectsMalformedFiles) {
  auto no_section = CredentialStore::parse("aws_access_key_id = A\n");
  ASSERT_FALSE(no_section.has_value());
  EXPECT_EQ(no_section.error().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(no_section.error().message().find("line 1"), std::string::npos);

  EXPECT_FALSE(CredentialStore::parse("[a]\njust words\n").has_value());
  EXPECT_FALSE(CredentialStore::parse("[a\n").has_value());
  EXPECT_FALSE(CredentialStore::parse("[]\n").has_value());

  auto half = CredentialStore::parse("[a]\naws_access_key_id = A\n[b]\n");
  ASSERT_FALSE(half.has_value());
  EXPECT_NE(half.error().message().find("'a'"), std::string::npos);

  auto clash = CredentialStore::parse(
      "[a]\naws_access_key_id = A\naws_secret_access_key = one\n"
      "[b]\naws_access_key_id = A\naws_secret_access_key = two\n");
  EXPECT_FALSE(clash.has_value());

  // The same pair twice is harmless.
  auto same = CredentialStore::parse(
      "[a]\naws_access_key_id = A\naws_secret_access_key = one\n"
      "[b]\naws_access_key_id = A\naws_secret_access_key = one\n");
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->size(), 1u);
}

TEST(CredentialStore, EmptyTextIsAnEmptyStore) {
  auto store = CredentialStore::parse("");
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(store->size(), 0u);
}

TEST(CredentialStore, LoadsFromFile) {
  std::string path = ::testing::TempDir() + "runnel_credentials_test_" + std::to_string(::getpid());
  {
    std::ofstream out(path);
    out << "[default]\naws_access_key_id=AK\naws_secret_access_key=SK\n";
  }
  auto store = CredentialStore::load(path);
  std::remove(path.c_str());
  ASSERT_TRUE(store.has_value()) << store.error().message();
  EXPECT_EQ(store->secret_for("AK"), "SK");

  auto missing = CredentialStore::load(path);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), Status::Code::kNotFound);
}

TEST(CredentialStore, ConcurrentReads) {
  auto store = CredentialStore::from_pairs({{"A", "1"}, {"B", "2"}});
  std::vector<std::thread> readers;
  std::atomic<int> hits{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (store.secret_for(i % 2 ? "A" : "B")) hits.fetch_add(1, std::memory_order_relaxed);
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(hits.load(), 4000);
}

}  // namespace
}  // namespace runnel::protocol
