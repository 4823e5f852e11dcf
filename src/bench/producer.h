#pragma once
// Producer: puts records into one stream with PutRecords (or PutRecord) as
// the options say: --concurrency requests in flight on one HttpLoop, new
// records paced to --rate per second (or as fast as answers allow), entries
// that fail retried with backoff up to --max-retries times.
//
// Pacing is open-loop: the n-th new record is due at n / rate seconds after
// the start, whether or not earlier requests have been answered, so a slow
// endpoint is seen as latency (and a catch-up burst), not hidden by a
// slower send rate. Retried records do not count against --rate.
//
// Thread-safety: run() is the body of the producer thread; stop() and
// fatal() may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "bench/http_client.h"
#include "bench/options.h"
#include "bench/record_factory.h"
#include "bench/stats.h"

namespace runnel::bench {

class Producer {
 public:
  Producer(const BenchOptions& options, std::string stream, RunStats& stats);

  // Produces until stop() is called, then waits for the requests in flight
  // (at most --timeout-ms) and returns. Records still waiting for a retry
  // then are counted as failed.
  void run();
  void stop() { stop_.store(true); }

  // Non-empty when the producer gave up early because every request failed
  // (e.g. the endpoint does not know the operation); says why.
  std::string fatal() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    std::string key;
    int64_t stamp_us = 0;  // first send, epoch microseconds
    int sends = 0;
    Clock::time_point not_before;
  };

  // Starts one request if one is due; returns whether it did.
  bool send_due(Clock::time_point now);
  void on_answer(std::vector<Pending> batch, HttpResult&& r);
  void retry_or_fail(Pending p, std::string_view operation, std::string_view type, bool retryable_type);
  void note_failure(std::string what);
  int wait_ms(Clock::time_point now) const;

  const BenchOptions& o_;
  std::string stream_;
  RunStats& stats_;
  RecordFactory factory_;
  HttpLoop loop_;
  std::deque<Pending> retries_;
  Clock::time_point start_;
  uint64_t fresh_sent_ = 0;
  uint64_t successes_ = 0;
  int failures_in_a_row_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex fatal_mu_;
  std::string fatal_;
};

}  // namespace runnel::bench
