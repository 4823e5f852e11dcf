// BlobWriter: what is appended, in pieces of any size, is what the sealed
// blob holds, with its MD5, written directly (O_DIRECT, where the temp
// directory's file system takes it) and through the page cache, across the
// 4 MiB buffers' edges; an unsealed writer leaves nothing behind.
#include "s3/blob_file.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace runnel::s3 {
namespace {

namespace fs = std::filesystem;

std::string md5_of(std::string_view s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(d), n);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The parameter: whether to ask for direct I/O.
class BlobWriterTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("blob-test-" + random_hex_id());
    fs::create_directories(root_ / "tmp");
    fs::create_directories(root_ / "blobs");
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }
  fs::path root_;
};

TEST_P(BlobWriterTest, SealedBlobHoldsWhatWasAppended) {
  constexpr size_t kBuf = BlobWriter::kBufferSize;
  std::mt19937_64 rng(11);
  for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, kBuf - 1, kBuf, kBuf + 1,
                      2 * kBuf, 2 * kBuf + 4096, 3 * kBuf + 12345}) {
    std::string body(size, '\0');
    for (char& c : body) c = static_cast<char>(rng());
    auto blob = BlobWriter::create(root_.string(), GetParam());
    ASSERT_TRUE(blob) << blob.error().to_string();
    // Pieces of uneven sizes, as a streamed request body arrives.
    for (size_t at = 0, piece = 1; at < size; at += piece, piece = piece * 3 + 7)
      ASSERT_TRUE((*blob)->append(std::string_view(body).substr(at, piece)));
    EXPECT_EQ((*blob)->size(), size);
    EXPECT_EQ((*blob)->md5(), md5_of(body)) << size;
    ASSERT_TRUE((*blob)->seal()) << size;
    const fs::path sealed = root_ / "blobs" / (*blob)->id();
    EXPECT_EQ(fs::file_size(sealed), size);
    EXPECT_TRUE(slurp(sealed) == body) << size;
    EXPECT_FALSE(fs::exists(root_ / "tmp" / (*blob)->id()));
  }
}

TEST_P(BlobWriterTest, AppendFileCopiesAnotherBlob) {
  std::string body(BlobWriter::kBufferSize + 777, 'x');
  auto first = BlobWriter::create(root_.string(), GetParam());
  ASSERT_TRUE(first);
  ASSERT_TRUE((*first)->append(body));
  ASSERT_TRUE((*first)->seal());
  auto copy = BlobWriter::create(root_.string(), GetParam());
  ASSERT_TRUE(copy);
  ASSERT_TRUE((*copy)->append("head:"));
  ASSERT_TRUE((*copy)->append_file((root_ / "blobs" / (*first)->id()).string()));
  ASSERT_TRUE((*copy)->seal());
  EXPECT_TRUE(slurp(root_ / "blobs" / (*copy)->id()) == "head:" + body);
}

TEST_P(BlobWriterTest, AnUnsealedWriterLeavesNothing) {
  std::string id;
  {
    auto blob = BlobWriter::create(root_.string(), GetParam());
    ASSERT_TRUE(blob);
    id = (*blob)->id();
    ASSERT_TRUE((*blob)->append(std::string(2 * BlobWriter::kBufferSize + 5, 'y')));  // writes in flight
  }
  EXPECT_FALSE(fs::exists(root_ / "tmp" / id));
  EXPECT_FALSE(fs::exists(root_ / "blobs" / id));
}

INSTANTIATE_TEST_SUITE_P(DirectAndBuffered, BlobWriterTest, ::testing::Bool());

}  // namespace
}  // namespace runnel::s3
