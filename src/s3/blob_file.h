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

// Writes go around the page cache (O_DIRECT) where the file system allows
// it, from two 4 MiB aligned buffers: one is written by a helper thread
// while the caller copies into (and hashes) the other. On this kind of
// machine a buffered write plus fsync ran at about half the disk's direct
// rate (docs/performance.md, "Firehose delivery"), and the store's PutObject
// rate is the ceiling of Firehose's delivery. Where O_DIRECT is refused
// (older tmpfs, ...), the same buffers go through the page cache, each handed to
// the disk at once (sync_file_range) so writeback overlaps the hashing.
class BlobWriter {
 public:
  // Creates <root>/tmp/<id>; the blob will be <root>/blobs/<id>.
  // `direct_io` false: through the page cache even where O_DIRECT works.
  static Result<std::unique_ptr<BlobWriter>> create(const std::string& root, bool direct_io = true);
  // Removes the temp file unless seal() succeeded.
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Appends bytes (buffered; a full buffer goes to the file; no fsync).
  Status append(std::string_view bytes);
  // Appends the whole of another blob file (multipart completion, copies).
  Status append_file(const std::string& path);
  // Writes what is buffered, fsync()s the file, renames it to blobs/<id>
  // and fsync()s blobs/: once this returns ok the blob survives a crash.
  // Call once.
  Status seal();

  const std::string& id() const { return id_; }
  uint64_t size() const { return size_; }
  // The raw MD5 of what was appended (16 bytes); valid after the last append.
  std::string md5();

  static constexpr size_t kBufferSize = 4 << 20;

 private:
  struct Buffer;
  BlobWriter(std::string root, std::string id, int fd, bool direct);
  // Starts writing the current buffer at file offset `written_` (padded to
  // the block size when `last`), then switches to the other buffer.
  Status flush_buffer(bool last);
  // Waits for the write in flight, if any; its error, if it failed.
  Status wait_write();

  std::string root_, id_;
  int fd_ = -1;
  bool direct_ = false;
  uint64_t size_ = 0;     // bytes appended
  uint64_t written_ = 0;  // file offset of the current buffer's first byte
  bool sealed_ = false;
  std::unique_ptr<Buffer> buffers_[2];
  int current_ = 0;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md5_;
  std::string digest_;
};

}  // namespace runnel::s3
