#pragma once
// Buffers for the objects the delivery engine forms (32–128 MiB by
// default), kept for the next object instead of freed. glibc serves a block
// that large with a fresh mapping whatever M_MMAP_THRESHOLD says (it cannot
// be set above 32 MiB), so every new object paid for page faults and
// zeroing on each of its pages: about a fifth of the server's CPU while
// delivering uncompressed at full speed (docs/performance.md). A body is
// handed out as a shared, immutable string; when its last holder (the
// engine's batch, the store writing it) lets go, its buffer comes back here.
//
// Threads: any. take() and share() on the engine's thread, the return from
// whichever thread drops the last reference (a store's worker).

#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"

namespace runnel::firehose {

class BodyPool : public std::enable_shared_from_this<BodyPool> {
 public:
  // Buffers smaller than this are not worth keeping; at most kKept are kept
  // (the engine has two objects per partition in flight), so the memory
  // held is at most kKept times the largest object.
  static constexpr size_t kMinKept = 1 << 20;
  static constexpr size_t kKept = 4;

  static std::shared_ptr<BodyPool> make() { return std::shared_ptr<BodyPool>(new BodyPool()); }

  // An empty string, with the capacity of a kept buffer when there is one.
  std::string take();
  // `body` as a shared immutable string whose buffer returns to the pool.
  std::shared_ptr<const std::string> share(std::string body);
  // Buffers kept now (tests).
  size_t kept() const;

 private:
  BodyPool() = default;
  void give(std::string buffer);

  mutable Mutex mu_;
  std::vector<std::string> free_ GUARDED_BY(mu_);
};

}  // namespace runnel::firehose
