#pragma once
// Producer: puts records into one stream with PutRecords (or PutRecord), or
// into one Firehose delivery stream with PutRecordBatch (FailedPutCount's
// records retried like PutRecords' failed entries), as
// the options say: --producer-threads threads, each driving its own HttpLoop
// with its share of --concurrency requests in flight (and of
// --connections), together pacing new records to --rate per second (or as
// fast as answers allow); entries that fail are retried with backoff up to
// --max-retries times by the thread that sent them.
//
// Pacing is open-loop: the n-th new record is due at n / rate seconds after
// the start, whether or not earlier requests have been answered, and it is
// stamped with that due time, not with the moment it is sent. So a slow
// endpoint (or a tool that fell behind, all its --concurrency requests
// waiting) is seen as latency of every record that had to wait, not only
// of those in flight: no coordinated omission. The threads draw new records
// from one shared count, so the budget is the run's, not each thread's.
// Without --rate, records are stamped when sent. Retried records do not
// count against --rate and keep their first stamp.
//
// Thread-safety: run() is called once, from the thread that owns the
// producer (it runs one lane there and starts the others); stop() and
// fatal() may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "bench/options.h"
#include "bench/stats.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace runnel::bench {

class Producer {
 public:
  Producer(const BenchOptions& options, std::string stream, RunStats& stats);

  // Produces until stop() is called, then waits for the requests in flight
  // (at most --timeout-ms) and returns once every thread has. Records still
  // waiting for a retry then are counted as failed.
  void run();
  void stop() { stop_.store(true); }

  // Non-empty when the producer gave up early because every request of a
  // thread failed (e.g. the endpoint does not know the operation); says why.
  std::string fatal() const EXCLUDES(fatal_mu_);

 private:
  using Clock = std::chrono::steady_clock;
  class Lane;  // one thread's share: defined in producer.cc

  // Takes `n` new records from the rate budget if they are due at `now`
  // (always, without --rate); false when they are not due yet. *first: the
  // run-wide index of the first one taken.
  bool claim_fresh(uint64_t n, Clock::time_point now, uint64_t* first);
  // With --rate: when new record `index` is due, after the start, and in
  // epoch microseconds (the stamps' clock).
  std::chrono::microseconds due_after_start(uint64_t index) const;
  int64_t due_epoch_micros(uint64_t index) const;
  // When the next new record is due (meaningful with --rate only).
  Clock::time_point next_fresh_due() const;
  void set_fatal(std::string why) EXCLUDES(fatal_mu_);

  const BenchOptions& o_;
  std::string stream_;
  RunStats& stats_;
  Clock::time_point start_;
  int64_t start_epoch_us_ = 0;  // start_ on the stamps' clock
  std::atomic<uint64_t> fresh_claimed_{0};
  std::atomic<bool> stop_{false};
  mutable Mutex fatal_mu_;
  std::string fatal_ GUARDED_BY(fatal_mu_);
};

}  // namespace runnel::bench
