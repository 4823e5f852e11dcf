// RecordCipher: the envelope round trip, tamper detection, key derivation per
// KeyId, the key file's life cycle, and KeyId syntax.

#include "streams/record_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

namespace runnel::streams {
namespace {

namespace fs = std::filesystem;

class RecordCipherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("runnel-cipher-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string key_path(const std::string& name = "kms.key") const { return (dir_ / name).string(); }

  static storage::StoredRecord stored(const storage::AppendRecord& r) { return {7, 1000, r.partition_key, r.data}; }

  static std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

constexpr std::string_view kAlias = "alias/aws/kinesis";

TEST_F(RecordCipherTest, RoundTripRestoresKeyAndData) {
  RecordCipher cipher(key_path());
  const std::string data("secret \0 payload \xff\x01", 20);
  storage::AppendRecord r{"pk-1", data};
  ASSERT_TRUE(cipher.encrypt(kAlias, r));
  EXPECT_EQ(static_cast<uint8_t>(r.partition_key[0]), RecordCipher::kMarker);
  EXPECT_EQ(r.partition_key.size(), RecordCipher::header_size(kAlias));
  EXPECT_EQ(r.data.size(), 2 + 4 + data.size() + RecordCipher::kTagSize);
  EXPECT_EQ(r.data.find("secret"), std::string::npos);
  EXPECT_EQ(r.partition_key.find("pk-1"), std::string::npos);

  storage::StoredRecord s = stored(r);
  ASSERT_TRUE(RecordCipher::is_encrypted(s));
  ASSERT_TRUE(cipher.decrypt(s));
  EXPECT_EQ(s.partition_key, "pk-1");
  EXPECT_EQ(s.data, data);
  EXPECT_EQ(s.counter, 7u);
  EXPECT_FALSE(RecordCipher::is_encrypted(s));
}

TEST_F(RecordCipherTest, EmptyDataAndLongKeyRoundTrip) {
  RecordCipher cipher(key_path());
  const std::string long_pk(256 * 4, 'k');  // 256 four-byte characters at most
  const std::string arn(2000, 'a');         // decrypt takes any KeyId up to 2048 bytes
  for (auto [pk, data] : {std::pair<std::string, std::string>{"x", ""}, {long_pk, std::string(100000, 'd')}}) {
    storage::AppendRecord r{pk, data};
    ASSERT_TRUE(cipher.encrypt(arn, r));
    storage::StoredRecord s = stored(r);
    ASSERT_TRUE(cipher.decrypt(s));
    EXPECT_EQ(s.partition_key, pk);
    EXPECT_EQ(s.data, data);
  }
}

TEST_F(RecordCipherTest, SamePlaintextEncryptsDifferentlyEachTime) {
  RecordCipher cipher(key_path());
  storage::AppendRecord a{"k", "same"};
  storage::AppendRecord b{"k", "same"};
  ASSERT_TRUE(cipher.encrypt(kAlias, a));
  ASSERT_TRUE(cipher.encrypt(kAlias, b));
  EXPECT_NE(a.partition_key, b.partition_key);  // fresh nonce
  EXPECT_NE(a.data, b.data);
}

TEST_F(RecordCipherTest, NoncesNeverRepeatWithinAProcess) {
  // The nonce is the header's last 12 bytes: a per-process field and a
  // counter, so 10,000 records on 4 threads get 10,000 distinct nonces that
  // share their first 4 bytes.
  RecordCipher cipher(key_path());
  std::vector<std::string> nonces(10000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < nonces.size(); i += 4) {
        storage::AppendRecord r{"k", "v"};
        ASSERT_TRUE(cipher.encrypt(kAlias, r));
        nonces[i] = r.partition_key.substr(r.partition_key.size() - 12);
      }
    });
  for (auto& th : threads) th.join();
  std::set<std::string> distinct(nonces.begin(), nonces.end());
  EXPECT_EQ(distinct.size(), nonces.size());
  for (const auto& n : nonces) EXPECT_EQ(n.substr(0, 4), nonces[0].substr(0, 4));
}

TEST_F(RecordCipherTest, TamperingWithAnyByteFailsCleanly) {
  RecordCipher cipher(key_path());
  storage::AppendRecord r{"key", "the data"};
  ASSERT_TRUE(cipher.encrypt(kAlias, r));
  const storage::StoredRecord good = stored(r);
  const size_t total = good.partition_key.size() + good.data.size();
  for (size_t i = 0; i < total; ++i) {
    for (uint8_t flip : {0x01, 0x80}) {
      storage::StoredRecord s = good;
      std::string& field = i < s.partition_key.size() ? s.partition_key : s.data;
      const size_t at = i < s.partition_key.size() ? i : i - s.partition_key.size();
      field[at] = static_cast<char>(field[at] ^ flip);
      const storage::StoredRecord before = s;
      Status st = cipher.decrypt(s);
      ASSERT_FALSE(st) << "byte " << i << " flipped with " << int(flip) << " still decrypts";
      EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
      EXPECT_EQ(RecordCipher::api_error(st).type, "KMSAccessDeniedException");
      EXPECT_EQ(s.partition_key, before.partition_key) << "unchanged on failure";
      EXPECT_EQ(s.data, before.data) << "unchanged on failure";
    }
  }
  // Truncations and extensions of either field.
  for (size_t cut = 0; cut < good.data.size(); ++cut) {
    storage::StoredRecord s = good;
    s.data.resize(cut);
    EXPECT_FALSE(cipher.decrypt(s));
    EXPECT_EQ(s.data.size(), cut);
  }
  for (size_t cut = 0; cut < good.partition_key.size(); ++cut) {
    storage::StoredRecord s = good;
    s.partition_key.resize(cut);
    EXPECT_FALSE(cipher.decrypt(s));
  }
  storage::StoredRecord longer = good;
  longer.data.push_back('x');
  EXPECT_FALSE(cipher.decrypt(longer));
  storage::StoredRecord swapped = good;
  storage::AppendRecord other{"key", "other data"};
  ASSERT_TRUE(cipher.encrypt(kAlias, other));
  swapped.data = other.data;  // a valid ciphertext under another nonce
  EXPECT_FALSE(cipher.decrypt(swapped));
  // The original still decrypts.
  storage::StoredRecord s = good;
  EXPECT_TRUE(cipher.decrypt(s));
}

TEST_F(RecordCipherTest, UnknownVersionAndPlainRecordsAreRejected) {
  RecordCipher cipher(key_path());
  storage::AppendRecord r{"key", "data"};
  ASSERT_TRUE(cipher.encrypt(kAlias, r));
  storage::StoredRecord s = stored(r);
  s.partition_key[1] = 2;
  Status st = cipher.decrypt(s);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("version 2"), std::string::npos) << st.message();
  storage::StoredRecord plain{1, 1, "plain", "text"};
  EXPECT_FALSE(RecordCipher::is_encrypted(plain));
  EXPECT_FALSE(cipher.decrypt(plain));
  EXPECT_EQ(plain.partition_key, "plain");
}

TEST_F(RecordCipherTest, EachKeyIdHasItsOwnKeyAndAllStayReadable) {
  RecordCipher cipher(key_path());
  storage::AppendRecord a{"k", "under alias"};
  storage::AppendRecord b{"k", "under uuid"};
  ASSERT_TRUE(cipher.encrypt(kAlias, a));
  ASSERT_TRUE(cipher.encrypt("12345678-1234-1234-1234-123456789012", b));
  // Claiming another KeyId for a record fails: the KeyId selects the key and
  // is authenticated as part of the header.
  storage::StoredRecord forged = stored(a);
  std::string other_header = b.partition_key;
  forged.partition_key = other_header.substr(0, 4 + 36) + forged.partition_key.substr(4 + kAlias.size());
  EXPECT_FALSE(cipher.decrypt(forged));
  storage::StoredRecord sa = stored(a);
  storage::StoredRecord sb = stored(b);
  ASSERT_TRUE(cipher.decrypt(sa));
  ASSERT_TRUE(cipher.decrypt(sb));
  EXPECT_EQ(sa.data, "under alias");
  EXPECT_EQ(sb.data, "under uuid");
}

// An envelope built outside runnel (Python's `cryptography`) from the format
// in docs/encryption.md: master key 32 x 0x4b, KeyId alias/aws/kinesis,
// nonce 00..0b, partition key "pk-1", data "hello".
TEST_F(RecordCipherTest, DecryptsTheDocumentedFormat) {
  { std::ofstream(key_path(), std::ios::binary) << std::string(32, '\x4b'); }
  auto unhex = [](std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
  };
  storage::StoredRecord s{1, 1, unhex("ff010011616c6961732f6177732f6b696e65736973000102030405060708090a0b"),
                          unhex("c037e7f39185c318469c327d0d3588fa36356e8e864295ee6acdcd")};
  RecordCipher cipher(key_path());
  ASSERT_TRUE(cipher.decrypt(s));
  EXPECT_EQ(s.partition_key, "pk-1");
  EXPECT_EQ(s.data, "hello");
}

TEST_F(RecordCipherTest, KeyFileIsCreated0600AndReused) {
  const std::string path = key_path();
  storage::AppendRecord r{"k", "persisted"};
  {
    RecordCipher first(path);
    EXPECT_FALSE(fs::exists(path)) << "nothing is created before it is needed";
    ASSERT_TRUE(first.ready());
    ASSERT_TRUE(fs::exists(path));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);
    ASSERT_TRUE(first.encrypt(kAlias, r));
  }
  const std::string key_bytes = read_file(path);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename(), "kms.key") << "temporary file left behind";
  RecordCipher second(path);
  storage::StoredRecord s = stored(r);
  ASSERT_TRUE(second.decrypt(s));
  EXPECT_EQ(s.data, "persisted");
  EXPECT_EQ(read_file(path), key_bytes) << "an existing key is never replaced";
}

TEST_F(RecordCipherTest, AnotherMasterKeyCannotDecrypt) {
  storage::AppendRecord r{"k", "data"};
  RecordCipher one(key_path("one.key"));
  ASSERT_TRUE(one.encrypt(kAlias, r));
  RecordCipher two(key_path("two.key"));
  storage::StoredRecord s = stored(r);
  Status st = two.decrypt(s);
  ASSERT_FALSE(st);
  EXPECT_EQ(RecordCipher::api_error(st).type, "KMSAccessDeniedException");
  EXPECT_EQ(s.data, r.data);
}

TEST_F(RecordCipherTest, WrongSizeKeyFileIsAClearError) {
  for (size_t size : {0, 31, 33, 64}) {
    const std::string path = key_path("bad-" + std::to_string(size) + ".key");
    {
      std::ofstream out(path, std::ios::binary);
      out << std::string(size, 'x');
    }
    RecordCipher cipher(path);
    Status st = cipher.ready();
    ASSERT_FALSE(st) << size;
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("exactly 32 bytes"), std::string::npos) << st.message();
    storage::AppendRecord r{"k", "d"};
    Status enc = cipher.encrypt(kAlias, r);
    ASSERT_FALSE(enc);
    EXPECT_EQ(r.data, "d") << "unchanged on failure";
    EXPECT_EQ(RecordCipher::api_error(enc).type, "KMSInvalidStateException");
    EXPECT_EQ(fs::file_size(path), size) << "a bad key file is never overwritten";
  }
}

TEST_F(RecordCipherTest, UnusableDirectoryIsAnIoErrorAndRetried) {
  // The key file's directory is a regular file: opening and creating fail
  // (ENOTDIR) even for root.
  const fs::path not_dir = dir_ / "not-a-dir";
  { std::ofstream(not_dir) << "x"; }
  RecordCipher cipher((not_dir / "kms.key").string());
  Status st = cipher.ready();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find("not-a-dir/kms.key"), std::string::npos) << st.message();
  fs::remove(not_dir);
  fs::create_directories(not_dir);
  EXPECT_TRUE(cipher.ready()) << "a failed load is retried";
  EXPECT_TRUE(fs::exists(not_dir / "kms.key"));
}

TEST_F(RecordCipherTest, ConcurrentUseFromManyThreads) {
  RecordCipher cipher(key_path());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const std::string key_id = "alias/t" + std::to_string(t % 3);
      for (int i = 0; i < 200; ++i) {
        storage::AppendRecord r{"k" + std::to_string(i), std::to_string(t) + "/" + std::to_string(i)};
        const std::string want = r.data;
        if (!cipher.encrypt(key_id, r)) ++failures;
        storage::StoredRecord s = stored(r);
        if (!cipher.decrypt(s) || s.data != want) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(RecordCipherKeyId, AcceptsWhatKinesisAccepts) {
  for (const char* ok : {"alias/aws/kinesis", "alias/MyAliasName", "alias/a_b-c/d",
                         "12345678-1234-1234-1234-123456789012", "mrk-1234abcd12ab34cd56ef1234567890ab",
                         "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
                         "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName",
                         "arn:aws-cn:kms:cn-north-1:123456789012:alias/aws/kinesis",
                         "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"})
    EXPECT_FALSE(RecordCipher::check_key_id(ok)) << ok;
}

TEST(RecordCipherKeyId, RejectsMalformedIds) {
  const std::string bad_guid = "Received KeyId is not a properly formatted Alias or GUID";
  const std::string bad_arn = "Received KeyId ARN is not a properly formatted ARN";
  const std::pair<std::string, std::string> cases[] = {
      {"aws/kinesis", bad_guid},
      {"alias/", bad_guid},
      {"alias/has space", bad_guid},
      {"12345678-1234-1234-1234-12345678901", bad_guid},
      {"12345678x1234-1234-1234-123456789012", bad_guid},
      {"not-a-key", bad_guid},
      {"arn:aws:kms:us-east-1:123456789012:key/not-a-uuid", bad_arn},
      {"arn:aws:kms:us-east-1:12345:alias/x", bad_arn},
      {"arn:aws:s3:us-east-1:123456789012:alias/x", bad_arn},
      {"arn:aws:kms:us-east-1:123456789012:grant/x", bad_arn},
      {"arn:aws:kms", bad_arn},
      {"alias/" + std::string(251, 'a'), bad_guid},
  };
  for (const auto& [id, message] : cases) {
    auto err = RecordCipher::check_key_id(id);
    ASSERT_TRUE(err) << id;
    EXPECT_EQ(err->type, "InvalidArgumentException") << id;
    EXPECT_EQ(err->message, message) << id;
  }
}

}  // namespace
}  // namespace runnel::streams
