#pragma once
// Env and File: the file layer under the log. The log never calls POSIX
// directly, so tests can swap in FaultInjectionEnv (storage/fault_injection_env.h),
// which forgets unsynced writes on a simulated crash.
//
// Durability contract (what the log relies on, and what POSIX gives on ext4/xfs):
//  - File::append/write data is durable only after a later File::sync()
//    returned ok on that file.
//  - A newly created, renamed or removed directory entry is durable only after
//    Env::sync_dir() of its directory returned ok.
// Thread-safety: an Env is safe for concurrent use. A File may be read
// (read_at) from many threads while one thread appends to it; append, sync
// and truncate must come from one thread at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::storage {

class File {
 public:
  virtual ~File() = default;

  // Reads up to n bytes at `offset` into dst; returns how many were read,
  // fewer than n only at end of file.
  virtual Result<size_t> read_at(uint64_t offset, size_t n, char* dst) const = 0;

  // Writes `data` at the current end of the file (the size this object
  // tracks: the size at open plus everything appended since).
  virtual Status append(std::string_view data) = 0;

  // fdatasync: everything appended before the call is durable when it
  // returns ok.
  virtual Status sync() = 0;

  // Shrinks (or extends with zeros) the file to `size` bytes; the tracked end
  // moves with it. Durable after the next sync().
  virtual Status truncate(uint64_t size) = 0;

  // Writes zero bytes over [size(), end) without moving the tracked end, so
  // that later appends overwrite blocks the file already has (see
  // LocalLog's runway). Durable after the next sync(). A later truncate()
  // below `end` drops them.
  virtual Status zero_fill(uint64_t end) = 0;

  // The tracked size in bytes.
  virtual uint64_t size() const = 0;

  // Advice only: the bytes [offset, offset + length), already synced, need
  // not stay in the page cache (LocalLog's cache window). Later reads of
  // them stay correct. By default nothing happens.
  virtual void drop_cache(uint64_t /*offset*/, uint64_t /*length*/) {}
};

class Env {
 public:
  virtual ~Env() = default;

  enum class OpenMode {
    kRead,    // must exist; read_at only
    kAppend,  // must exist; read_at and append at its end
    kCreate,  // created (empty) if missing, else opened for append
  };
  virtual Result<std::unique_ptr<File>> open_file(const std::string& path, OpenMode mode) = 0;

  virtual bool file_exists(const std::string& path) = 0;
  // Creates the directory and missing parents; ok if it exists.
  virtual Status create_dirs(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  virtual Status remove_file(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual Status rename_file(const std::string& from, const std::string& to) = 0;
  // fsyncs the directory so entries created, renamed or removed in it are durable.
  virtual Status sync_dir(const std::string& dir) = 0;

  // The process-wide real file system. Never null; lives forever.
  static Env* posix();
};

// Reads the whole file at `path` (small files: the checkpoint).
Result<std::string> read_whole_file(Env* env, const std::string& path);

}  // namespace runnel::storage
