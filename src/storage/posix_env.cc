// The real Env: POSIX calls, pread/pwrite, fdatasync.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/env.h"

namespace runnel::storage {
namespace {

// A full disk (or quota) is ResourceExhausted: it passes once space is
// freed, and the log recovers from it by itself (docs/storage.md §6a).
Status posix_error(const std::string& what, const std::string& path, int err) {
  std::string m = what + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::resource_exhausted(std::move(m));
  return Status::io_error(std::move(m));
}

class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixFile() override { ::close(fd_); }

  Result<size_t> read_at(uint64_t offset, size_t n, char* dst) const override {
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return error(posix_error("pread", path_, errno));
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }

  Status append(std::string_view data) override {
    const uint64_t at = size_.load(std::memory_order_relaxed);
    if (auto s = write_at(data, at); !s) return s;
    size_.store(at + data.size(), std::memory_order_release);
    return Status::ok();
  }

  Status sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return posix_error("fdatasync", path_, errno);
    }
    return Status::ok();
  }

  Status truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return posix_error("ftruncate", path_, errno);
    size_.store(size, std::memory_order_release);
    return Status::ok();
  }

  Status zero_fill(uint64_t end) override {
    static constexpr size_t kChunk = 256u << 10;
    static const std::string zeros(kChunk, '\0');
    for (uint64_t at = size_.load(std::memory_order_relaxed); at < end; at += kChunk) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, end - at));
      if (auto s = write_at(std::string_view(zeros.data(), n), at); !s) return s;
    }
    return Status::ok();
  }

  uint64_t size() const override { return size_.load(std::memory_order_acquire); }

  // POSIX_FADV_DONTNEED drops the range's clean pages (the kernel rounds to
  // whole pages); dirty ones it only starts writing back. Advice: a failure
  // changes nothing the log relies on, so it is not reported.
  void drop_cache(uint64_t offset, uint64_t length) override {
    (void)::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_DONTNEED);
  }

 private:
  // pwrite of all of `data` at `at`, through short writes and EINTR.
  Status write_at(std::string_view data, uint64_t at) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t r = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(at + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return posix_error("pwrite", path_, errno);
      }
      done += static_cast<size_t>(r);
    }
    return Status::ok();
  }

  std::string path_;
  int fd_;
  std::atomic<uint64_t> size_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<File>> open_file(const std::string& path, OpenMode mode) override {
    int flags = O_CLOEXEC;
    switch (mode) {
      case OpenMode::kRead: flags |= O_RDONLY; break;
      case OpenMode::kAppend: flags |= O_RDWR; break;
      case OpenMode::kCreate: flags |= O_RDWR | O_CREAT; break;
    }
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
      if (errno == ENOENT) return error(Status::not_found(path));
      return error(posix_error("open", path, errno));
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return error(posix_error("fstat", path, err));
    }
    return std::make_unique<PosixFile>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  bool file_exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status create_dirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::io_error("mkdir " + path + ": " + ec.message());
    return Status::ok();
  }

  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return error(Status::not_found(dir));
      return error(posix_error("opendir", dir, errno));
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(d);
    return names;
  }

  Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return posix_error("unlink", path, errno);
    return Status::ok();
  }

  Status rename_file(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return posix_error("rename", from, errno);
    return Status::ok();
  }

  Status sync_dir(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return posix_error("open dir", dir, errno);
    Status s;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        s = posix_error("fsync dir", dir, errno);
        break;
      }
    }
    ::close(fd);
    return s;
  }
};

}  // namespace

Env* Env::posix() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: outlives every Log
  return env;
}

Result<std::string> read_whole_file(Env* env, const std::string& path) {
  auto file = env->open_file(path, Env::OpenMode::kRead);
  if (!file) return error(file.error());
  std::string out((*file)->size(), '\0');
  auto n = (*file)->read_at(0, out.size(), out.data());
  if (!n) return error(n.error());
  out.resize(*n);
  return out;
}

}  // namespace runnel::storage
