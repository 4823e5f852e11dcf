#include "bench/producer.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"

namespace runnel::bench {

namespace {

// Give up when this many requests in a row fail before any succeeded.
constexpr int kFailuresBeforeGivingUp = 20;

// Wait before the next send of a record sent `sends` times: exponential from
// 20 ms, at most 1 s.
std::chrono::milliseconds backoff(int sends) {
  return std::chrono::milliseconds(std::min<int64_t>(1000, int64_t{20} << std::clamp(sends - 1, 0, 6)));
}

}  // namespace

Producer::Producer(const BenchOptions& options, std::string stream, RunStats& stats)
    : o_(options),
      stream_(std::move(stream)),
      stats_(stats),
      factory_(options.record_size, options.hot_keys, static_cast<uint64_t>(now_epoch_micros()) ^ getpid()),
      loop_(options, options.connections, options.concurrency) {}

std::string Producer::fatal() const {
  std::lock_guard lock(fatal_mu_);
  return fatal_;
}

void Producer::run() {
  start_ = Clock::now();
  while (!stop_.load()) {
    Clock::time_point now = Clock::now();
    while (static_cast<int>(loop_.in_flight()) < o_.concurrency && send_due(now)) {
    }
    loop_.poll(wait_ms(now));
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(o_.request_timeout_ms);
  while (loop_.in_flight() > 0 && Clock::now() < deadline) loop_.poll(50);
  loop_.cancel_all();
  if (!retries_.empty()) stats_.records_failed(retries_.size());
  retries_.clear();
}

int Producer::wait_ms(Clock::time_point now) const {
  if (static_cast<int>(loop_.in_flight()) >= o_.concurrency) return 100;
  Clock::time_point next = now + std::chrono::milliseconds(100);
  if (o_.rate > 0) {
    auto due = start_ + std::chrono::microseconds(
                            static_cast<int64_t>(static_cast<double>(fresh_sent_) / o_.rate * 1e6));
    next = std::min(next, due);
  }
  if (!retries_.empty()) next = std::min(next, retries_.front().not_before);
  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(next - now).count();
  return static_cast<int>(std::clamp<int64_t>((ms + 999) / 1000, 0, 100));
}

bool Producer::send_due(Clock::time_point now) {
  std::vector<Pending> batch;
  const auto want = static_cast<size_t>(o_.batch);
  while (batch.size() < want && !retries_.empty() && retries_.front().not_before <= now) {
    batch.push_back(std::move(retries_.front()));
    retries_.pop_front();
  }
  const bool fresh_due =
      o_.rate <= 0 ||
      static_cast<double>(fresh_sent_) <=
          o_.rate * std::chrono::duration<double>(now - start_).count();
  if (fresh_due && batch.size() < want) {
    const int64_t stamp = now_epoch_micros();
    const size_t fresh = want - batch.size();
    for (size_t i = 0; i < fresh; ++i) batch.push_back(Pending{factory_.partition_key(), stamp, 0, now});
    fresh_sent_ += fresh;
  }
  if (batch.empty()) return false;

  std::string body;
  std::string_view operation;
  if (o_.api == PutApi::kPutRecords) {
    std::vector<OutRecord> records;
    records.reserve(batch.size());
    for (const Pending& p : batch) records.push_back(factory_.record(p.key, p.stamp_us));
    body = encode_body(put_records_request(stream_, records), o_.encoding);
    operation = "PutRecords";
  } else {
    body = encode_body(put_record_request(stream_, factory_.record(batch[0].key, batch[0].stamp_us)), o_.encoding);
    operation = "PutRecord";
  }
  for (Pending& p : batch) {
    if (p.sends++ > 0) stats_.records_retried(1);
  }
  loop_.start(operation, std::move(body),
              [this, batch = std::move(batch)](HttpResult&& r) mutable { on_answer(std::move(batch), std::move(r)); });
  return true;
}

void Producer::retry_or_fail(Pending p, std::string_view operation, std::string_view type, bool retryable_type) {
  const bool retry = retryable_type && p.sends <= o_.max_retries && !stop_.load();
  stats_.error(operation, type, retry);
  if (!retry) {
    stats_.records_failed(1);
    return;
  }
  p.not_before = Clock::now() + backoff(p.sends);
  retries_.push_back(std::move(p));
}

void Producer::note_failure(std::string what) {
  if (successes_ > 0 || ++failures_in_a_row_ < kFailuresBeforeGivingUp) return;
  std::lock_guard lock(fatal_mu_);
  if (fatal_.empty()) {
    fatal_ = "every one of the first " + std::to_string(kFailuresBeforeGivingUp) + " put requests failed; last: " + what;
  }
  stop_.store(true);
}

void Producer::on_answer(std::vector<Pending> batch, HttpResult&& r) {
  const std::string_view operation = o_.api == PutApi::kPutRecords ? "PutRecords" : "PutRecord";
  const auto record_bytes = static_cast<uint64_t>(o_.record_size);
  if (!r.ok()) {
    std::string type = r.error_type(o_.encoding);
    // One request-level error, whatever the number of records in it.
    const bool retry_type = retryable(type);
    bool any_retried = false;
    for (Pending& p : batch) {
      const bool retry = retry_type && p.sends <= o_.max_retries && !stop_.load();
      any_retried |= retry;
      if (retry) {
        p.not_before = Clock::now() + backoff(p.sends);
        retries_.push_back(std::move(p));
      } else {
        stats_.records_failed(1);
      }
    }
    stats_.error(operation, type, any_retried);
    std::string msg = r.network_error.empty() ? error_message(r.body, o_.encoding) : std::string();
    note_failure(msg.empty() ? type : type + ": " + msg);
    return;
  }
  successes_++;
  failures_in_a_row_ = 0;
  if (o_.api == PutApi::kPutRecord) {
    stats_.put_ok(r.latency_us, 1, record_bytes);
    return;
  }
  auto answer = decode_body(r.body, o_.encoding);
  auto entries = answer ? put_records_entry_errors(*answer, batch.size()) : std::nullopt;
  if (!entries) {
    for (Pending& p : batch) retry_or_fail(std::move(p), operation, "undecodable answer", true);
    return;
  }
  uint64_t stored = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if ((*entries)[i].empty()) {
      stored++;
    } else {
      retry_or_fail(std::move(batch[i]), operation, (*entries)[i], true);
    }
  }
  stats_.put_ok(r.latency_us, stored, stored * record_bytes);
}

}  // namespace runnel::bench
