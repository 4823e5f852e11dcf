#include "s3/blob_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>

#include "common/hex.h"

namespace runnel::s3 {
namespace {

Status errno_status(const std::string& what) { return Status::io_error(what + ": " + std::strerror(errno)); }

}  // namespace

std::string to_hex(std::string_view bytes) { return runnel::to_hex(bytes); }

std::string random_hex_id() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    // OpenSSL's generator failing is not recoverable; fall back to the
    // process's entropy rather than reuse a name.
    int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      [[maybe_unused]] ssize_t n = ::read(fd, raw, sizeof raw);
      ::close(fd);
    }
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

Status sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::ok() : errno_status("fsync " + dir);
}

// An aligned buffer (O_DIRECT wants the memory, the length and the file
// offset aligned to the device's block size; 4 KiB covers every device) and
// the write of it in flight, if any.
struct BlobWriter::Buffer {
  static constexpr size_t kAlign = 4096;
  std::unique_ptr<char, decltype(&std::free)> bytes{nullptr, &std::free};
  size_t used = 0;
  std::future<Status> write;

  bool allocate() {
    if (!bytes) bytes.reset(static_cast<char*>(std::aligned_alloc(kAlign, kBufferSize)));
    return bytes != nullptr;
  }
};

namespace {

// `*failed_errno` is the errno of a failed write.
Status pwrite_all(int fd, const char* p, size_t n, uint64_t offset, int* failed_errno) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      *failed_errno = errno;
      return errno == ENOSPC ? Status::resource_exhausted("no space left on device") : errno_status("write");
    }
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::ok();
}

}  // namespace

BlobWriter::BlobWriter(std::string root, std::string id, int fd, bool direct)
    : root_(std::move(root)), id_(std::move(id)), fd_(fd), direct_(direct), md5_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  EVP_DigestInit_ex(md5_.get(), EVP_md5(), nullptr);
  buffers_[0] = std::make_unique<Buffer>();
  buffers_[1] = std::make_unique<Buffer>();
}

Result<std::unique_ptr<BlobWriter>> BlobWriter::create(const std::string& root, bool direct_io) {
  std::string id = random_hex_id();
  std::string path = root + "/tmp/" + id;
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  bool direct = direct_io;
  int fd = ::open(path.c_str(), kFlags | (direct ? O_DIRECT : 0), 0644);
  if (fd < 0 && direct && errno == EINVAL) {  // the file system has no direct I/O
    direct = false;
    fd = ::open(path.c_str(), kFlags, 0644);
  }
  if (fd < 0) return error(errno_status("create " + path));
  return std::unique_ptr<BlobWriter>(new BlobWriter(root, std::move(id), fd, direct));
}

BlobWriter::~BlobWriter() {
  (void)wait_write();
  if (fd_ >= 0) ::close(fd_);
  if (!sealed_) ::unlink((root_ + "/tmp/" + id_).c_str());
}

Status BlobWriter::wait_write() {
  Status result;
  for (auto& b : buffers_)
    if (b->write.valid())
      if (Status s = b->write.get(); !s && result.is_ok()) result = s;
  return result;
}

Status BlobWriter::append(std::string_view bytes) {
  if (fd_ < 0) return Status::aborted("blob already sealed");
  EVP_DigestUpdate(md5_.get(), bytes.data(), bytes.size());
  size_ += bytes.size();
  while (!bytes.empty()) {
    Buffer& b = *buffers_[current_];
    if (!b.allocate()) return Status::resource_exhausted("no memory for a blob buffer");
    const size_t n = std::min(bytes.size(), kBufferSize - b.used);
    std::memcpy(b.bytes.get() + b.used, bytes.data(), n);
    b.used += n;
    bytes.remove_prefix(n);
    if (b.used == kBufferSize)
      if (Status s = flush_buffer(false); !s) return s;
  }
  return Status::ok();
}

Status BlobWriter::flush_buffer(bool last) {
  Buffer& b = *buffers_[current_];
  Buffer& other = *buffers_[1 - current_];
  // The other buffer's write must be done before this one starts (its
  // errors surface here) and before the caller fills it again.
  if (other.write.valid())
    if (Status s = other.write.get(); !s) return s;
  size_t length = b.used;
  if (direct_ && last) {
    // The tail is written padded to the block size; seal() cuts the file
    // back to its length.
    length = (b.used + Buffer::kAlign - 1) / Buffer::kAlign * Buffer::kAlign;
    std::memset(b.bytes.get() + b.used, 0, length - b.used);
  }
  const uint64_t offset = written_;
  written_ += b.used;
  b.used = 0;
  current_ = 1 - current_;
  const int fd = fd_;
  const bool direct = direct_;
  const char* p = b.bytes.get();
  auto write = [fd, direct, p, length, offset] {
    int failed_errno = 0;
    Status s = pwrite_all(fd, p, length, offset, &failed_errno);
    if (!s && direct && failed_errno == EINVAL) {
      // Direct I/O refused at write time (an alignment this device does
      // not take): the rest of this blob goes through the page cache.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_DIRECT);
      s = pwrite_all(fd, p, length, offset, &failed_errno);
    }
    if (s.is_ok() && !direct)
      ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
    return s;
  };
  if (last) return write();  // seal() waits for it anyway
  b.write = std::async(std::launch::async, write);
  return Status::ok();
}

Status BlobWriter::append_file(const std::string& path) {
  int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return errno_status("open " + path);
  std::string buf(1 << 20, '\0');
  Status result;
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = errno_status("read " + path);
      break;
    }
    if (n == 0) break;
    if (result = append(std::string_view(buf.data(), static_cast<size_t>(n))); !result) break;
  }
  ::close(in);
  return result;
}

Status BlobWriter::seal() {
  if (fd_ < 0) return Status::aborted("blob already sealed");
  md5();
  Status st = buffers_[current_]->used > 0 ? flush_buffer(true) : Status::ok();
  if (Status w = wait_write(); st.is_ok()) st = w;
  if (st.is_ok() && direct_ && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) st = errno_status("truncate blob");
  int rc = st.is_ok() ? ::fsync(fd_) : 0;
  if (st.is_ok() && rc != 0) st = errno_status("fsync blob");
  ::close(fd_);
  fd_ = -1;
  if (!st) return st;
  std::string from = root_ + "/tmp/" + id_, to = root_ + "/blobs/" + id_;
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_status("rename " + from);
  sealed_ = true;
  return sync_directory(root_ + "/blobs");
}

std::string BlobWriter::md5() {
  if (digest_.empty()) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md5_.get(), out, &len);
    digest_.assign(reinterpret_cast<const char*>(out), len);
  }
  return digest_;
}

}  // namespace runnel::s3
