#include "bench/stats.h"

#include <algorithm>

#include "bench/latency_stamp.h"

namespace runnel::bench {

uint64_t StatsSnapshot::error_total() const {
  uint64_t n = 0;
  for (const auto& [k, v] : errors) n += v.count;
  return n;
}

uint64_t StatsSnapshot::throttle_total() const {
  uint64_t n = 0;
  for (const auto& [k, v] : errors) {
    if (k.find("ProvisionedThroughputExceeded") != std::string::npos || k.find("Throttl") != std::string::npos ||
        k.find("LimitExceeded") != std::string::npos || k.find("ServiceUnavailableException") != std::string::npos) {
      n += v.count;
    }
  }
  return n;
}

void RunStats::put_ok(int64_t latency_us, uint64_t records, uint64_t bytes) {
  MutexLock lock(mu_);
  s_.put_requests++;
  s_.put_records += records;
  s_.put_bytes += bytes;
  s_.put_latency.record(latency_us);
}

void RunStats::records_retried(uint64_t n) {
  MutexLock lock(mu_);
  s_.records_retried += n;
}

void RunStats::records_failed(uint64_t n) {
  MutexLock lock(mu_);
  s_.records_failed += n;
}

void RunStats::error(std::string_view operation, std::string_view type, bool retried, uint64_t n) {
  std::string key;
  key.reserve(operation.size() + 1 + type.size());
  key.append(operation).append(" ").append(type);
  MutexLock lock(mu_);
  ErrorCount& c = s_.errors[key];
  c.count += n;
  (retried ? c.retried : c.gave_up) += n;
}

void RunStats::consume_request(uint64_t n) {
  if (n == 0) return;
  MutexLock lock(mu_);
  s_.consume_requests += n;
}

void RunStats::subscription_started() {
  MutexLock lock(mu_);
  s_.subscriptions++;
}

void RunStats::received(std::span<const int64_t> latencies_us, uint64_t unstamped, uint64_t bytes, int64_t at_us) {
  const int64_t now = at_us != 0 ? at_us : now_epoch_micros();
  MutexLock lock(mu_);
  if (latencies_us.empty() && unstamped == 0) return;
  if (s_.first_receive_us == 0) {
    s_.first_receive_us = now;
    s_.first_receipt_records = latencies_us.size() + unstamped;
  }
  s_.last_receive_us = std::max(s_.last_receive_us, now);
  for (int64_t l : latencies_us) s_.e2e_latency.record(l);
  s_.received_records += latencies_us.size() + unstamped;
  s_.unstamped_records += unstamped;
  s_.received_bytes += bytes;
  if (s_.production_end_us == 0 || now <= s_.production_end_us) {
    s_.received_bytes_by_production_end += bytes;
    for (int64_t l : latencies_us) s_.e2e_latency_by_production_end.record(l);
  }
}

void RunStats::production_ended(int64_t at_us) {
  MutexLock lock(mu_);
  s_.production_end_us = at_us;
}

void RunStats::object_delivered(uint64_t stored_bytes) {
  MutexLock lock(mu_);
  s_.delivered_objects++;
  s_.delivered_object_bytes += stored_bytes;
}

void RunStats::consumer_warning(std::string_view what) {
  MutexLock lock(mu_);
  s_.consumer_warnings[std::string(what)]++;
}

StatsSnapshot RunStats::snapshot() const {
  MutexLock lock(mu_);
  return s_;
}

}  // namespace runnel::bench
