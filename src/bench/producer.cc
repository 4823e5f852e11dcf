#include "bench/producer.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "bench/firehose_requests.h"
#include "bench/http_client.h"
#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "bench/put_records_body.h"
#include "bench/record_factory.h"

namespace runnel::bench {

namespace {

// Give up when this many requests in a row fail before any succeeded.
constexpr int kFailuresBeforeGivingUp = 20;

// Wait before the next send of a record sent `sends` times: exponential from
// 20 ms, at most 1 s.
std::chrono::milliseconds backoff(int sends) {
  return std::chrono::milliseconds(std::min<int64_t>(1000, int64_t{20} << std::clamp(sends - 1, 0, 6)));
}

// A random generator's seed for lane `index`, different per run and per lane.
uint64_t lane_seed(int index) {
  return (static_cast<uint64_t>(now_epoch_micros()) ^ static_cast<uint64_t>(getpid())) +
         static_cast<uint64_t>(index) * 0x9e3779b97f4a7c15ULL;
}

// Lane `i`'s share of `total` split over `lanes` (the first ones take the remainder).
int share(int total, int lanes, int i) { return total / lanes + (i < total % lanes ? 1 : 0); }

}  // namespace

// One producer thread: its own HttpLoop, record factory and retry queue.
// Everything here runs on that thread.
class Producer::Lane {
 public:
  Lane(Producer& p, int index);
  void run();

 private:
  struct Pending {
    std::string key;
    int64_t stamp_us = 0;  // first send, epoch microseconds
    int sends = 0;
    Clock::time_point not_before;
  };

  // Starts one request if one is due; returns whether it did.
  bool send_due(Clock::time_point now);
  std::string body(const std::vector<Pending>& batch);
  void on_answer(std::vector<Pending> batch, HttpResult&& r);
  void retry_or_fail(Pending p, std::string_view operation, std::string_view type, bool retryable_type);
  void note_failure(std::string what);
  // When this thread may next start a request (max(): only an answer can
  // change that), and the same as a poll timeout in whole milliseconds.
  Clock::time_point next_send() const;
  int wait_ms(Clock::time_point now) const;

  Producer& p_;
  const BenchOptions& o_;
  const int concurrency_;
  RecordFactory factory_;
  PutRecordsJsonWriter json_writer_;
  std::optional<PutRecordBatchJsonWriter> batch_writer_;  // --service firehose only
  uint64_t batch_records_ = 0;                            // records written by batch_writer_, to pick their templates
  HttpLoop loop_;
  std::deque<Pending> retries_;
  uint64_t successes_ = 0;
  int failures_in_a_row_ = 0;
};

Producer::Producer(const BenchOptions& options, std::string stream, RunStats& stats)
    : o_(options), stream_(std::move(stream)), stats_(stats) {}

std::string Producer::fatal() const {
  MutexLock lock(fatal_mu_);
  return fatal_;
}

void Producer::set_fatal(std::string why) {
  MutexLock lock(fatal_mu_);
  if (fatal_.empty()) fatal_ = std::move(why);
  stop_.store(true);
}

bool Producer::claim_fresh(uint64_t n, Clock::time_point now, uint64_t* first) {
  if (o_.rate <= 0) {
    *first = fresh_claimed_.fetch_add(n, std::memory_order_relaxed);
    return true;
  }
  const double allowed = o_.rate * std::chrono::duration<double>(now - start_).count();
  uint64_t claimed = fresh_claimed_.load(std::memory_order_relaxed);
  while (static_cast<double>(claimed) <= allowed) {
    if (fresh_claimed_.compare_exchange_weak(claimed, claimed + n, std::memory_order_relaxed)) {
      *first = claimed;
      return true;
    }
  }
  return false;
}

std::chrono::microseconds Producer::due_after_start(uint64_t index) const {
  return std::chrono::microseconds(static_cast<int64_t>(static_cast<double>(index) / o_.rate * 1e6));
}

int64_t Producer::due_epoch_micros(uint64_t index) const { return start_epoch_us_ + due_after_start(index).count(); }

Producer::Clock::time_point Producer::next_fresh_due() const {
  return start_ + due_after_start(fresh_claimed_.load(std::memory_order_relaxed));
}

void Producer::run() {
  start_ = Clock::now();
  start_epoch_us_ = now_epoch_micros();
  const int lanes = std::max(1, o_.producer_threads);
  std::vector<std::jthread> others;
  for (int i = 1; i < lanes; ++i) {
    others.emplace_back([this, i] { Lane(*this, i).run(); });
  }
  Lane(*this, 0).run();
  // ~jthread joins the others.
}

Producer::Lane::Lane(Producer& p, int index)
    : p_(p),
      o_(p.o_),
      concurrency_(share(o_.concurrency, std::max(1, o_.producer_threads), index)),
      factory_(o_.record_size, o_.hot_keys, lane_seed(index)),
      json_writer_(p.stream_, factory_.data(0)),
      loop_(o_, std::max(1, share(o_.connections, std::max(1, o_.producer_threads), index)), concurrency_,
            o_.service == Service::kFirehose ? kFirehoseApi : kKinesisApi) {
  if (o_.api == PutApi::kPutRecordBatch) {
    batch_writer_.emplace(p.stream_, firehose_record_templates(o_.record_size, firehose_template_count(o_.record_size),
                                                               lane_seed(index) + 1));
  }
}

void Producer::Lane::run() {
  while (!p_.stop_.load()) {
    Clock::time_point now = Clock::now();
    while (static_cast<int>(loop_.in_flight()) < concurrency_ && send_due(now)) {
    }
    loop_.poll(wait_ms(now), next_send());
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(o_.request_timeout_ms);
  while (loop_.in_flight() > 0 && Clock::now() < deadline) loop_.poll(50);
  loop_.cancel_all();
  if (!retries_.empty()) p_.stats_.records_failed(retries_.size());
  retries_.clear();
}

Producer::Clock::time_point Producer::Lane::next_send() const {
  if (static_cast<int>(loop_.in_flight()) >= concurrency_) return Clock::time_point::max();
  Clock::time_point next = Clock::time_point::max();
  if (o_.rate > 0) next = p_.next_fresh_due();
  if (!retries_.empty()) next = std::min(next, retries_.front().not_before);
  return next;
}

int Producer::Lane::wait_ms(Clock::time_point now) const {
  const Clock::time_point next = std::min(now + std::chrono::milliseconds(100), next_send());
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(next - now).count();
  return static_cast<int>(std::clamp<int64_t>((us + 999) / 1000, 0, 100));
}

bool Producer::Lane::send_due(Clock::time_point now) {
  std::vector<Pending> batch;
  const auto want = static_cast<size_t>(o_.batch);
  batch.reserve(want);
  while (batch.size() < want && !retries_.empty() && retries_.front().not_before <= now) {
    batch.push_back(std::move(retries_.front()));
    retries_.pop_front();
  }
  const size_t fresh = want - batch.size();
  uint64_t first = 0;
  if (fresh > 0 && p_.claim_fresh(fresh, now, &first)) {
    // Under --rate the batch carries the due time of its first record: the
    // time it waited in the tool counts (see producer.h). The due time is
    // never after now, since only due records are claimed.
    const int64_t stamp = o_.rate > 0 ? std::min(p_.due_epoch_micros(first), now_epoch_micros()) : now_epoch_micros();
    // Firehose records have no partition key.
    const bool keyed = o_.api != PutApi::kPutRecordBatch;
    for (size_t i = 0; i < fresh; ++i) batch.push_back(Pending{keyed ? factory_.partition_key() : "", stamp, 0, now});
  }
  if (batch.empty()) return false;

  std::string request = body(batch);
  uint64_t resent = 0;
  for (Pending& p : batch) {
    if (p.sends++ > 0) resent++;
  }
  if (resent > 0) p_.stats_.records_retried(resent);
  loop_.start(to_string(o_.api), std::move(request),
              [this, batch = std::move(batch)](HttpResult&& r) mutable { on_answer(std::move(batch), std::move(r)); });
  return true;
}

std::string Producer::Lane::body(const std::vector<Pending>& batch) {
  std::string out;
  if (o_.api == PutApi::kPutRecordBatch) {
    batch_writer_->begin(out, batch.size());
    for (const Pending& p : batch) batch_writer_->add(out, p.stamp_us, batch_records_++);
    batch_writer_->finish(out);
  } else if (o_.api == PutApi::kPutRecords && o_.encoding == Encoding::kJson) {
    json_writer_.begin(out, batch.size());
    for (const Pending& p : batch) json_writer_.add(out, p.key, p.stamp_us);
    json_writer_.finish(out);
  } else if (o_.api == PutApi::kPutRecords) {
    std::vector<OutRecord> records;
    records.reserve(batch.size());
    for (const Pending& p : batch) records.push_back(factory_.record(p.key, p.stamp_us));
    out = encode_body(put_records_request(p_.stream_, records), o_.encoding);
  } else {
    out = encode_body(put_record_request(p_.stream_, factory_.record(batch[0].key, batch[0].stamp_us)), o_.encoding);
  }
  return out;
}

void Producer::Lane::retry_or_fail(Pending p, std::string_view operation, std::string_view type, bool retryable_type) {
  const bool retry = retryable_type && p.sends <= o_.max_retries && !p_.stop_.load();
  p_.stats_.error(operation, type, retry);
  if (!retry) {
    p_.stats_.records_failed(1);
    return;
  }
  p.not_before = Clock::now() + backoff(p.sends);
  retries_.push_back(std::move(p));
}

void Producer::Lane::note_failure(std::string what) {
  if (successes_ > 0 || ++failures_in_a_row_ < kFailuresBeforeGivingUp) return;
  p_.set_fatal("every one of the first " + std::to_string(kFailuresBeforeGivingUp) +
               " put requests failed; last: " + what);
}

void Producer::Lane::on_answer(std::vector<Pending> batch, HttpResult&& r) {
  const std::string_view operation = to_string(o_.api);
  const auto record_bytes = static_cast<uint64_t>(o_.record_size);
  RunStats& stats = p_.stats_;
  if (!r.ok()) {
    std::string type = r.error_type(o_.encoding);
    // One request-level error, whatever the number of records in it.
    const bool retry_type = retryable(type);
    bool any_retried = false;
    uint64_t failed = 0;
    for (Pending& p : batch) {
      const bool retry = retry_type && p.sends <= o_.max_retries && !p_.stop_.load();
      any_retried |= retry;
      if (retry) {
        p.not_before = Clock::now() + backoff(p.sends);
        retries_.push_back(std::move(p));
      } else {
        failed++;
      }
    }
    if (failed > 0) stats.records_failed(failed);
    stats.error(operation, type, any_retried);
    std::string msg = r.network_error.empty() ? error_message(r.body, o_.encoding) : std::string();
    note_failure(msg.empty() ? type : type + ": " + msg);
    return;
  }
  successes_++;
  failures_in_a_row_ = 0;
  if (o_.api == PutApi::kPutRecord) {
    stats.put_ok(r.latency_us, 1, record_bytes);
    return;
  }
  auto entries = o_.api == PutApi::kPutRecordBatch ? put_record_batch_entry_errors(r.body, batch.size())
                                                   : put_records_entry_errors(r.body, o_.encoding, batch.size());
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
  stats.put_ok(r.latency_us, stored, stored * record_bytes);
}

}  // namespace runnel::bench
