#pragma once
// RunStats: what one bench run has measured so far. Producer and consumer
// threads record into it; the progress reporter and the final report read
// snapshots of it.
//
// Thread-safety: every member function may be called from any thread; one
// mutex guards everything (callers record once per request or received
// batch, not per record, so it is rarely contended).

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "bench/histogram.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace runnel::bench {

// Occurrences of one kind of error, by what became of them.
struct ErrorCount {
  uint64_t count = 0;    // failed requests, or failed entries of a PutRecords
  uint64_t retried = 0;  // ... whose records were sent again
  uint64_t gave_up = 0;  // ... whose records were dropped (not retryable, or out of retries)
};

// A consistent copy of RunStats at one instant.
struct StatsSnapshot {
  // Producer.
  uint64_t put_requests = 0;     // answered 200
  uint64_t put_records = 0;      // records the endpoint stored
  uint64_t put_bytes = 0;        // their Data bytes
  uint64_t records_retried = 0;  // sends of a record after its first
  uint64_t records_failed = 0;   // records given up
  Histogram put_latency;         // microseconds, per successful put request
  // Consumer.
  uint64_t consume_requests = 0;  // GetRecords answered, or SubscribeToShard events
  uint64_t subscriptions = 0;     // SubscribeToShard calls that began streaming
  uint64_t received_records = 0;
  uint64_t received_bytes = 0;
  uint64_t unstamped_records = 0;      // received without a bench latency stamp
  Histogram e2e_latency;               // microseconds, stamp to receipt
  int64_t first_receive_us = 0;        // epoch microseconds of the first receipt of records (0: none yet)
  uint64_t first_receipt_records = 0;  // records in that first receipt
  int64_t last_receive_us = 0;         // epoch microseconds of the last receipt of records
  // Record bytes received at or before production_end_us (all of them while
  // it is 0: producing has not ended yet).
  int64_t production_end_us = 0;
  uint64_t received_bytes_by_production_end = 0;
  Histogram e2e_latency_by_production_end;  // the e2e_latency samples of those records
  // Firehose: the objects read back from S3 and their stored (compressed) size.
  uint64_t delivered_objects = 0;
  uint64_t delivered_object_bytes = 0;
  // Deviations from AWS's behaviour that were tolerated, by description
  // (e.g. "no initial-response event"), with how often they were seen.
  std::map<std::string, uint64_t> consumer_warnings;
  // Errors by "<Operation> <ErrorType>".
  std::map<std::string, ErrorCount> errors;

  uint64_t error_total() const;
  uint64_t throttle_total() const;  // errors whose type says throttled (Firehose: ServiceUnavailableException)
};

class RunStats {
 public:
  // A put request answered 200 that stored `records` records of `bytes` Data bytes.
  void put_ok(int64_t latency_us, uint64_t records, uint64_t bytes);
  void records_retried(uint64_t n);
  void records_failed(uint64_t n);
  // One error of `type` on `operation`, `n` times, and whether its records were sent again.
  void error(std::string_view operation, std::string_view type, bool retried, uint64_t n = 1);

  void consume_request(uint64_t n = 1);
  void subscription_started();
  // Received records: `latencies_us` of the stamped ones, plus `unstamped` others, `bytes` of Data in all,
  // received at `at_us` (epoch microseconds; 0: now).
  void received(std::span<const int64_t> latencies_us, uint64_t unstamped, uint64_t bytes, int64_t at_us = 0);
  // Producing ended at `at_us` (epoch microseconds): records received later
  // (by their receipt time) no longer count in received_bytes_by_production_end.
  void production_ended(int64_t at_us);
  // Firehose: one object read back, of `stored_bytes` in the store.
  void object_delivered(uint64_t stored_bytes);
  // A tolerated deviation of the endpoint, seen once more.
  void consumer_warning(std::string_view what);

  StatsSnapshot snapshot() const;

 private:
  mutable Mutex mu_;
  StatsSnapshot s_ GUARDED_BY(mu_);
};

}  // namespace runnel::bench
