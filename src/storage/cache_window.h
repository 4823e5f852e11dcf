#pragma once
// CacheWindow: keeps the log's newest synced bytes in the page cache and
// advises the kernel to drop older ones (File::drop_cache, posix_fadvise
// DONTNEED), so that the page cache the log occupies stays about `window`
// bytes and new writes land in pages that were freed a moment ago.
//
// Why: the kernel keeps every written page cached until memory runs short.
// Each new page cache page is memory the process has not touched recently,
// and in a virtual machine whose host takes freed guest memory back (virtio
// free page reporting, as on the machine in docs/performance.md) touching it
// costs a host page fault: writing 1 GiB into new page cache ran at 214 MB/s
// there, and at 771 MB/s with a 64 MiB window, using a fifth of the CPU
// (docs/storage.md, "Page cache window"). Reads of dropped ranges stay
// correct; they are served from the disk.
//
// Not thread-safe: one thread at a time calls synced() (the log's sync
// thread under kAlways, else its writer).

#include <cstdint>
#include <deque>
#include <memory>

#include "storage/env.h"

namespace runnel::storage {

class CacheWindow {
 public:
  // window 0: never drop anything (the kernel decides).
  explicit CacheWindow(uint64_t window);

  // [begin, end) of `file` is durable. Ranges arrive in log order. Drops the
  // oldest ranges once more than window plus one step is held; holds only a
  // weak reference, so a segment deleted meanwhile is skipped.
  void synced(const std::shared_ptr<File>& file, uint64_t begin, uint64_t end);

  // Bytes held (synced and not dropped).
  uint64_t held() const { return held_; }

 private:
  struct Range {
    std::weak_ptr<File> file;
    const File* id;  // identity only, never dereferenced
    uint64_t begin;
    uint64_t end;
  };
  void drop_oldest();

  const uint64_t window_;
  const uint64_t step_;  // drop in pieces of at least this much: one syscall per step
  std::deque<Range> ranges_;
  uint64_t held_ = 0;
};

}  // namespace runnel::storage
