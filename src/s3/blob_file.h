#pragma once
// Blob files of the embedded S3 store (docs/s3.md): an object's or a part's
// bytes, written to a temporary file under <dir>/tmp, then made durable and
// moved under <dir>/blobs by BlobWriter::seal(). A blob becomes visible only
// when the store's index names it, after seal() returned: a crash before
// that leaves a temp file or an unnamed blob, which the store removes when
// it opens.
//
// Thread-safety: a BlobWriter is used by one thread at a time (it may move
// between threads); the free functions are thread-safe.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace runnel::s3 {

// A fresh random identifier of 32 lower-case hex digits (blob names, upload ids).
std::string random_hex_id();
// Lower-case hex of `bytes`.
std::string to_hex(std::string_view bytes);

// fsync() of a directory, so that renames and unlinks in it are durable.
Status sync_directory(const std::string& dir);

class BlobWriter {
 public:
  // Creates <root>/tmp/<id>; the blob will be <root>/blobs/<id>.
  static Result<std::unique_ptr<BlobWriter>> create(const std::string& root);
  // Removes the temp file unless seal() succeeded.
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Appends bytes (a write(2) to the page cache; no fsync).
  Status append(std::string_view bytes);
  // Appends the whole of another blob file (multipart completion, copies).
  Status append_file(const std::string& path);
  // fsync()s the file, renames it to blobs/<id> and fsync()s blobs/: once
  // this returns ok the blob survives a crash. Call once.
  Status seal();

  const std::string& id() const { return id_; }
  uint64_t size() const { return size_; }
  // The raw MD5 of what was appended (16 bytes); valid after the last append.
  std::string md5();

 private:
  BlobWriter(std::string root, std::string id, int fd);
  std::string root_, id_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool sealed_ = false;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md5_;
  std::string digest_;
};

}  // namespace runnel::s3
