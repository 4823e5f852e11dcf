#pragma once
// Consumer: reads every open shard of the stream and records, for each
// record, whether it carries a latency stamp and how long after its stamp it
// arrived. Two kinds: PollingConsumer (GetRecords, one loop per shard) and
// SubscribingConsumer (SubscribeToShard, one subscription per shard).
//
// Thread-safety: run() is the body of the consumer thread; stop(), ready()
// and fatal() may be called from any thread.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/stats.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace runnel::bench {

class Consumer {
 public:
  virtual ~Consumer() = default;

  // Reads until stop() is called.
  virtual void run() = 0;
  void stop() { stop_.store(true); }
  // Every shard is being read from its starting position (GetShardIterator
  // answered, or the subscription's initial-response arrived): records put
  // from now on will be seen.
  bool ready() const { return ready_.load(); }
  // Non-empty when reading cannot work at all (e.g. the endpoint does not
  // implement the operation); says why. run() returns soon after.
  std::string fatal() const EXCLUDES(mu_);

 protected:
  void set_fatal(std::string why) EXCLUDES(mu_);
  bool stopping() const { return stop_.load(); }
  void set_ready() { ready_.store(true); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  mutable Mutex mu_;
  std::string fatal_ GUARDED_BY(mu_);
};

// Accumulates the records of one answer or event, then hands them to
// RunStats in one call.
class ReceivedBatch {
 public:
  void add(std::string_view data, int64_t now_us);
  // The same for a record whose Data is still base64 (JSON answers): only
  // the stamp's 16 characters are decoded.
  void add_base64(std::string_view b64, int64_t now_us);
  // Hands the records over, as received at `at_us` (0: now), and starts afresh.
  void flush(RunStats& stats, int64_t at_us = 0);

 private:
  std::vector<int64_t> latencies_;
  uint64_t unstamped_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace runnel::bench
