#include "streams/shard_iterator.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace runnel::streams {
namespace {

const std::string kKey(32, 'k');

// Standard base64 decoding for the tests' own inspection of iterators.
std::vector<unsigned char> b64decode(const std::string& s) {
  static const std::string abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(abc.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>(acc >> bits));
    }
  }
  return out;
}

std::string b64encode(const std::vector<unsigned char>& in) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(abc[(v >> s) & 63]);
  }
  if (in.size() - i == 1) {
    const uint32_t v = uint32_t{in[i]} << 16;
    out += {abc[v >> 18], abc[(v >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
    out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], '='};
  }
  return out;
}

const IteratorPosition kPos{0x0123456789abcdefull, 42, 1000, 1421889722000};

TEST(ShardIteratorCodec, RoundTrips) {
  ShardIteratorCodec codec(kKey);
  for (const IteratorPosition& p :
       {kPos, IteratorPosition{0, 0, 0, 0}, IteratorPosition{~0ull, 0xffffffffu, ~0ull, INT64_MAX},
        IteratorPosition{7, 2147483647u, 1, -1}, IteratorPosition{1, 1, 1, INT64_MIN}}) {
    for (std::size_t name_len : {0u, 1u, 13u, 14u, 30u, 128u}) {
      auto back = codec.decode(codec.encode(p, name_len));
      ASSERT_TRUE(back.has_value());
      EXPECT_EQ(*back, p);
    }
  }
}

TEST(ShardIteratorCodec, LooksLikeAwsIterators) {
  ShardIteratorCodec codec(kKey);
  for (std::size_t name_len = 0; name_len <= 200; ++name_len) {
    const std::string it = codec.encode(kPos, name_len);
    EXPECT_EQ(it.rfind("AAAAAAAAAAE", 0), 0u) << it;
    EXPECT_LE(it.size(), kMaxShardIteratorLength);
    // kinesalite's assertShardIterator: canonical base64, 8-byte prefix
    // 00..01, and 152 + 16 * floor((L + 2) / 16) bytes for a name of L chars.
    const auto bytes = b64decode(it);
    EXPECT_EQ(b64encode(bytes), it);
    const std::size_t l = std::min<std::size_t>(name_len, 128);
    EXPECT_EQ(bytes.size(), 152 + 16 * ((l + 2) / 16)) << name_len;
  }
  EXPECT_EQ(codec.encode(kPos).size(), 204u);       // 152 bytes
  EXPECT_EQ(codec.encode(kPos, 128).size(), 376u);  // 280 bytes
}

TEST(ShardIteratorCodec, HasTheDocumentedLayout) {
  // docs/sequence-numbers.md: prefix, version, big-endian fields, zero
  // padding, then HMAC-SHA256(key, everything before it) cut to 16 bytes.
  for (const std::string& key : {kKey, std::string(100, 'L'), std::string("short")}) {
    ShardIteratorCodec codec(key);
    const auto b = b64decode(codec.encode(kPos, 40));
    ASSERT_EQ(b.size(), 152u + 32u);
    const std::vector<unsigned char> head(b.begin(), b.begin() + 37);
    const std::vector<unsigned char> expected_head = {
        0,    0,    0,    0,    0,    0,    0,    1,      // prefix
        1,                                                // format version
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,   // stream_uid
        0,    0,    0,    42,                             // shard_index
        0,    0,    0,    0,    0,    0,    0x03, 0xe8,   // counter 1000
        0,    0,    0x01, 0x4b, 0x0f, 0x3b, 0x56, 0x90};  // issued_ms 1421889722000
    EXPECT_EQ(head, expected_head);
    for (std::size_t i = 37; i < b.size() - 16; ++i) ASSERT_EQ(b[i], 0) << i;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), b.data(), b.size() - 16, mac, &len),
              nullptr);
    EXPECT_EQ(std::vector<unsigned char>(b.end() - 16, b.end()), std::vector<unsigned char>(mac, mac + 16));
  }
}

TEST(ShardIteratorCodec, CopiesShareTheKey) {
  ShardIteratorCodec a(kKey);
  ShardIteratorCodec b = a;
  EXPECT_EQ(b.decode(a.encode(kPos)), kPos);
}

TEST(ShardIteratorCodec, WorksFromManyThreads) {
  ShardIteratorCodec codec(kKey);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const IteratorPosition p{static_cast<uint64_t>(t), static_cast<uint32_t>(i), static_cast<uint64_t>(i * t), i};
        if (codec.decode(codec.encode(p, static_cast<std::size_t>(i % 130))) != p) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ShardIteratorCodec, IsDeterministic) {
  ShardIteratorCodec a(kKey), b(kKey);
  EXPECT_EQ(a.encode(kPos), b.encode(kPos));
  IteratorPosition other = kPos;
  other.counter += 1;
  EXPECT_NE(a.encode(kPos), a.encode(other));
}

TEST(ShardIteratorCodec, DetectsAnyFlippedByte) {
  ShardIteratorCodec codec(kKey);
  for (std::size_t name_len : {0u, 20u, 128u}) {
    const auto bytes = b64decode(codec.encode(kPos, name_len));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        auto tampered = bytes;
        tampered[i] ^= mask;
        ASSERT_EQ(codec.decode(b64encode(tampered)), std::nullopt) << "byte " << i << " mask " << int(mask);
      }
    }
  }
}

TEST(ShardIteratorCodec, DetectsAnyChangedCharacter) {
  ShardIteratorCodec codec(kKey);
  const std::string it = codec.encode(kPos, 5);
  for (std::size_t i = 0; i < it.size(); ++i) {
    for (char c : {'A', 'B', 'z', '/', '+', '=', '-', '_', ' '}) {
      if (c == it[i]) continue;
      std::string t = it;
      t[i] = c;
      ASSERT_EQ(codec.decode(t), std::nullopt) << "position " << i << " char " << c;
    }
  }
}

TEST(ShardIteratorCodec, RejectsOtherSizesAndGarbage) {
  ShardIteratorCodec codec(kKey);
  const std::string it = codec.encode(kPos);
  auto bytes = b64decode(it);
  EXPECT_EQ(codec.decode(it.substr(0, it.size() - 4)), std::nullopt);
  EXPECT_EQ(codec.decode(it + "AAAA"), std::nullopt);
  auto longer = bytes;
  longer.insert(longer.end(), 16, 0);  // a valid size, but the MAC is in the wrong place
  EXPECT_EQ(codec.decode(b64encode(longer)), std::nullopt);
  for (const char* bad : {"", "\"\"", "\"", "AAAA", "AAAAAAAAAAE=", "not base64 at all", "streamname"}) {
    EXPECT_EQ(codec.decode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(codec.decode(std::string(513, 'A')), std::nullopt);
  EXPECT_EQ(codec.decode(std::string(204, 'A')), std::nullopt);
}

TEST(ShardIteratorCodec, RejectsAnotherKey) {
  ShardIteratorCodec a(kKey), b(std::string(32, 'x'));
  EXPECT_EQ(b.decode(a.encode(kPos)), std::nullopt);
  EXPECT_EQ(a.decode(b.encode(kPos)), std::nullopt);
}

TEST(ShardIteratorCodec, ToleratesOnePairOfQuotes) {
  ShardIteratorCodec codec(kKey);
  const std::string it = codec.encode(kPos);
  EXPECT_EQ(codec.decode("\"" + it + "\""), kPos);
  EXPECT_EQ(codec.decode("\"\"" + it + "\"\""), std::nullopt);
  EXPECT_EQ(codec.decode("\"" + it), std::nullopt);
  EXPECT_EQ(codec.decode(it + "\""), std::nullopt);
  EXPECT_EQ(codec.decode("'" + it + "'"), std::nullopt);
}

TEST(IteratorExpiredMessage, MatchesAwsWording) {
  // 2015-01-22 01:22:02 UTC and 01:27:03 UTC.
  EXPECT_EQ(iterator_expired_message(1421889722000, 1421890023000),
            "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC 2015 while right now it is "
            "Thu Jan 22 01:27:03 UTC 2015 which is further in the future than the tolerated delay of 300000 "
            "milliseconds.");
}

TEST(JavaUtcDateString, FormatsLikeJavaDateToString) {
  EXPECT_EQ(java_utc_date_string(0), "Thu Jan 01 00:00:00 UTC 1970");
  EXPECT_EQ(java_utc_date_string(999), "Thu Jan 01 00:00:00 UTC 1970");
  EXPECT_EQ(java_utc_date_string(-1), "Wed Dec 31 23:59:59 UTC 1969");
  EXPECT_EQ(java_utc_date_string(1421279230000), "Wed Jan 14 23:47:10 UTC 2015");
  EXPECT_EQ(java_utc_date_string(951782400000), "Tue Feb 29 00:00:00 UTC 2000");
}

class IteratorKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/runnel-iterkey-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (DIR* d = opendir(dir_.c_str())) {
      while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") unlink((dir_ + "/" + name).c_str());
      }
      closedir(d);
    }
    rmdir(dir_.c_str());
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    if (DIR* d = opendir(dir_.c_str())) {
      while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      closedir(d);
    }
    return names;
  }
  std::string dir_;
};

TEST_F(IteratorKeyFile, CreatesAPrivateKeyAndReloadsIt) {
  const std::string path = dir_ + "/iterator.key";
  auto first = load_or_create_iterator_key(path);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_EQ(first->size(), kIteratorKeySize);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_EQ(entries(), std::vector<std::string>{"iterator.key"});  // no temporary file left

  auto second = load_or_create_iterator_key(path);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first);

  // Iterators survive a "restart": a codec built from the reloaded key reads them.
  EXPECT_EQ(ShardIteratorCodec(*second).decode(ShardIteratorCodec(*first).encode(kPos)), kPos);
}

TEST_F(IteratorKeyFile, DifferentFilesGetDifferentKeys) {
  auto a = load_or_create_iterator_key(dir_ + "/a.key");
  auto b = load_or_create_iterator_key(dir_ + "/b.key");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(*a, *b);
}

TEST_F(IteratorKeyFile, RejectsAKeyOfTheWrongSize) {
  const std::string path = dir_ + "/iterator.key";
  std::ofstream(path) << "short";
  auto r = load_or_create_iterator_key(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Status::Code::kCorruption);
  std::ofstream(path) << std::string(33, 'x');
  r = load_or_create_iterator_key(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Status::Code::kCorruption);
}

TEST_F(IteratorKeyFile, ReportsAMissingDirectory) {
  auto r = load_or_create_iterator_key(dir_ + "/no/such/dir/iterator.key");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace runnel::streams
