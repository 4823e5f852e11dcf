#include "firehose/kpl.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

namespace runnel::firehose {
namespace {

void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void field(std::string& out, int number, std::string_view bytes) {
  varint(out, (static_cast<uint64_t>(number) << 3) | 2);
  varint(out, bytes.size());
  out.append(bytes);
}

// An aggregated record as the KPL writes it.
std::string aggregate(const std::vector<std::string>& data) {
  std::string message;
  field(message, 1, "pk");  // partition_key_table
  for (const auto& d : data) {
    std::string rec;
    varint(rec, (1 << 3) | 0);  // partition_key_index = 0
    varint(rec, 0);
    field(rec, 3, d);
    field(message, 3, rec);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(message.data(), message.size(), digest, &n, EVP_md5(), nullptr);
  return std::string("\xF3\x89\x9A\xC2", 4) + message + std::string(reinterpret_cast<char*>(digest), 16);
}

TEST(Kpl, UnpacksEveryUserRecord) {
  const std::string agg = aggregate({"one", std::string(300, 'x'), ""});
  auto out = kpl_records(agg);  // views into agg
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0], "one");
  EXPECT_EQ((*out)[1].size(), 300u);
  EXPECT_EQ((*out)[2], "");
}

TEST(Kpl, OrdinaryAndDamagedRecordsAreNotAggregated) {
  EXPECT_FALSE(kpl_records("plain data"));
  std::string agg = aggregate({"a", "b"});
  agg[6] ^= 1;  // the MD5 no longer matches
  EXPECT_FALSE(kpl_records(agg));
  EXPECT_FALSE(kpl_records(std::string("\xF3\x89\x9A\xC2", 4) + std::string(16, '\0') + "x"));
}

}  // namespace
}  // namespace runnel::firehose
