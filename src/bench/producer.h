#pragma once
// Producer: puts records into one stream with PutRecords (or PutRecord) as
// the options say: --producer-threads threads, each driving its own HttpLoop
// with its share of --concurrency requests in flight (and of
// --connections), together pacing new records to --rate per second (or as
// fast as answers allow); entries that fail are retried with backoff up to
// --max-retries times by the thread that sent them.
//
// Pacing is open-loop: the n-th new record is due at n / rate seconds after
// the start, whether or not earlier requests have been answered, so a slow
// endpoint is seen as latency (and a catch-up burst), not hidden by a
// slower send rate. The threads draw new records from one shared count, so
// the budget is the run's, not each thread's. Retried records do not count
// against --rate.
//
// Thread-safety: run() is called once, from the thread that owns the
// producer (it runs one lane there and starts the others); stop() and
// fatal() may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "bench/options.h"
#include "bench/stats.h"

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
  std::string fatal() const;

 private:
  using Clock = std::chrono::steady_clock;
  class Lane;  // one thread's share: defined in producer.cc

  // Takes `n` new records from the rate budget if they are due at `now`
  // (always, without --rate); false when they are not due yet.
  bool claim_fresh(uint64_t n, Clock::time_point now);
  // When the next new record is due (meaningful with --rate only).
  Clock::time_point next_fresh_due() const;
  void set_fatal(std::string why);

  const BenchOptions& o_;
  std::string stream_;
  RunStats& stats_;
  Clock::time_point start_;
  std::atomic<uint64_t> fresh_claimed_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex fatal_mu_;
  std::string fatal_;
};

}  // namespace runnel::bench
