#include "s3/blob_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runnel::s3 {
namespace {

Status errno_status(const std::string& what) { return Status::io_error(what + ": " + std::strerror(errno)); }

Status write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == ENOSPC ? Status::resource_exhausted("no space left on device") : errno_status("write");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

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

BlobWriter::BlobWriter(std::string root, std::string id, int fd)
    : root_(std::move(root)), id_(std::move(id)), fd_(fd), md5_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  EVP_DigestInit_ex(md5_.get(), EVP_md5(), nullptr);
}

Result<std::unique_ptr<BlobWriter>> BlobWriter::create(const std::string& root) {
  std::string id = random_hex_id();
  std::string path = root + "/tmp/" + id;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return error(errno_status("create " + path));
  return std::unique_ptr<BlobWriter>(new BlobWriter(root, std::move(id), fd));
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!sealed_) ::unlink((root_ + "/tmp/" + id_).c_str());
}

Status BlobWriter::append(std::string_view bytes) {
  if (fd_ < 0) return Status::aborted("blob already sealed");
  // In slices, each handed to the disk at once (sync_file_range starts the
  // writeback without waiting for it) before it is hashed: the disk writes
  // while the CPU computes the MD5, and seal()'s fsync finds little left to
  // do. Without it the kernel holds the dirty pages until its own writeback
  // (seconds later, or the fsync), and disk and CPU take turns.
  constexpr size_t kSlice = 4 << 20;
  while (!bytes.empty()) {
    const std::string_view slice = bytes.substr(0, kSlice);
    if (Status s = write_all(fd_, slice); !s) return s;
    if (slice.size() == kSlice)
      ::sync_file_range(fd_, static_cast<off_t>(size_), static_cast<off_t>(slice.size()), SYNC_FILE_RANGE_WRITE);
    EVP_DigestUpdate(md5_.get(), slice.data(), slice.size());
    size_ += slice.size();
    bytes.remove_prefix(slice.size());
  }
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
  int rc = ::fsync(fd_);
  ::close(fd_);
  fd_ = -1;
  if (rc != 0) return errno_status("fsync blob");
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
