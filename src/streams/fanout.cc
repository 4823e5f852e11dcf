#include "streams/fanout.h"
#include "streams/stream_metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "streams/record_value.h"
#include "streams/sequence_number.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Object;
using protocol::Value;

struct FanOut::Subscription {
  SubscriptionSpec spec;
  int64_t started_ms = 0;
  int64_t expires_ms = 0;
  int64_t last_event_ms = INT64_MIN;  // no event yet: the first pass sends one
  int64_t due_ms = 0;                 // serve again at this time even without new records
  double tokens = 0;                  // bytes that may still be read (token bucket)
  int64_t tokens_at_ms = 0;
  std::string continuation;          // ContinuationSequenceNumber of the last event
  int64_t last_arrival_ms = 0;       // of the last record delivered
  uint64_t unsent = 0;               // net/'s backlog at the last look (part of queued_bytes_)
  bool drained_since_event = false;  // the backlog shrank (or was empty) since the last event
  int64_t progress_ms = 0;           // when the backlog was last seen to shrink or be empty
  int64_t backoff_ms = 0;            // the current re-check delay while held back
  bool begun = false;
  std::atomic<bool> taken_over{false};
};

FanOut::FanOut(storage::Log& log, ShardLookup lookup, FanOutOptions options, std::function<int64_t()> now_ms)
    : log_(log), lookup_(std::move(lookup)), options_(options), now_ms_(std::move(now_ms)) {}

FanOut::~FanOut() { stop(); }

void FanOut::start_thread_locked() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

protocol::ApiResult<void> FanOut::subscribe(SubscriptionSpec spec) {
  const int64_t now = now_ms_();
  auto sub = std::make_shared<Subscription>();
  sub->started_ms = now;
  sub->expires_ms = now + options_.max_subscription_ms;
  sub->tokens = static_cast<double>(options_.rate_bytes_per_sec);
  sub->tokens_at_ms = now;
  sub->progress_ms = now;
  sub->continuation = format_sequence_number(SequenceNumber{
      spec.shard_created_secs, spec.shard_index, spec.position > 0 ? spec.position - 1 : 0, spec.before_arrival_secs});
  sub->spec = std::move(spec);

  MutexLock lock(mu_);
  if (stopping_) return std::unexpected(protocol::ApiError{"InternalFailureException", "The server is stopping.", 500});
  // Forget slots nobody can collide with any more.
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (it->second.live.expired() && now - it->second.last_start_ms >= options_.takeover_ms)
      it = slots_.erase(it);
    else
      ++it;
  }
  Slot& slot = slots_[{sub->spec.consumer_arn, sub->spec.shard_index}];
  if (slot.last_start_ms != 0 && now - slot.last_start_ms < options_.takeover_ms)
    return std::unexpected(
        protocol::resource_in_use("Another active subscription exists for this consumer: " + sub->spec.consumer_label));
  if (auto old = slot.live.lock()) {
    old->taken_over = true;
    wake_all_ = true;
  }
  slot.last_start_ms = now;
  slot.live = sub;
  incoming_.push_back(std::move(sub));
  live_.fetch_add(1, std::memory_order_relaxed);
  start_thread_locked();
  cv_.notify_one();
  return {};
}

void FanOut::notify(const std::vector<storage::ShardKey>& shards) {
  if (live_.load(std::memory_order_relaxed) == 0) return;
  {
    MutexLock lock(mu_);
    dirty_.insert(shards.begin(), shards.end());
  }
  cv_.notify_one();
}

void FanOut::wake() {
  {
    MutexLock lock(mu_);
    wake_all_ = true;
  }
  cv_.notify_one();
}

void FanOut::stop() {
  {
    MutexLock lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void FanOut::run() {
  std::unordered_set<storage::ShardKey> dirty;
  int64_t next_due = INT64_MAX;
  for (;;) {
    bool all = false;
    {
      MutexLock lock(mu_);
      auto ready = [&]() REQUIRES(mu_) { return stopping_ || wake_all_ || !dirty_.empty() || !incoming_.empty(); };
      if (next_due == INT64_MAX) {
        cv_.wait(mu_, ready);
      } else {
        const int64_t wait_ms = next_due - now_ms_();
        if (wait_ms > 0) cv_.wait_for(mu_, std::chrono::milliseconds(wait_ms), ready);
      }
      if (stopping_) break;
      for (auto& s : incoming_) subs_.push_back(std::move(s));
      incoming_.clear();
      dirty.swap(dirty_);
      all = wake_all_;
      wake_all_ = false;
    }
    const int64_t now = now_ms_();
    next_due = INT64_MAX;
    for (size_t i = 0; i < subs_.size();) {
      Subscription& sub = *subs_[i];
      bool keep = true;
      if (all || !sub.begun || sub.due_ms <= now || dirty.contains(sub.spec.shard_key)) keep = service(sub, now, all);
      if (!keep) {
        forget(sub);
        subs_[i] = std::move(subs_.back());
        subs_.pop_back();
        live_.fetch_sub(1, std::memory_order_relaxed);
        continue;
      }
      next_due = std::min(next_due, sub.due_ms);
      ++i;
    }
    dirty.clear();
  }
  // Shutting down: end every stream cleanly, as AWS does at the 5-minute mark.
  MutexLock lock(mu_);
  for (auto& s : incoming_) subs_.push_back(std::move(s));
  incoming_.clear();
  for (auto& s : subs_) {
    if (!s->begun) s->spec.out->begin();
    s->spec.out->end();
  }
  live_.fetch_sub(subs_.size(), std::memory_order_relaxed);
  for (auto& s : subs_) forget(*s);
  subs_.clear();
}

bool FanOut::observe(Subscription& sub, int64_t now) {
  const uint64_t unsent = sub.spec.out->unsent_bytes();
  const bool shrank = unsent == 0 || unsent < sub.unsent;
  if (shrank) {
    sub.progress_ms = now;
    sub.drained_since_event = true;
  }
  queued_bytes_.store(queued_bytes_.load(std::memory_order_relaxed) - sub.unsent + unsent, std::memory_order_relaxed);
  sub.unsent = unsent;
  return shrank;
}

void FanOut::forget(Subscription& sub) {
  queued_bytes_.store(queued_bytes_.load(std::memory_order_relaxed) - sub.unsent, std::memory_order_relaxed);
  sub.unsent = 0;
}

bool FanOut::service(Subscription& sub, int64_t now, bool recheck) {
  protocol::EventStreamResponse& out = *sub.spec.out;
  if (!sub.begun) {
    out.begin();
    sub.begun = true;
  }
  if (out.closed()) return false;
  if (sub.taken_over) {
    out.fail(
        protocol::resource_in_use("Another active subscription exists for this consumer: " + sub.spec.consumer_label));
    return false;
  }
  const bool shrank = observe(sub, now);
  if (now >= sub.expires_ms) {
    out.end();
    return false;
  }
  if (options_.stall_timeout_ms > 0 && sub.unsent > 0 && now - sub.progress_ms >= options_.stall_timeout_ms) {
    spdlog::info("SubscribeToShard {}: ended, its reader took no byte of its last {} for {} ms",
                 sub.spec.consumer_label, sub.unsent, now - sub.progress_ms);
    out.end();
    return false;
  }

  // A slow or stalled reader: produce nothing for it until net/ has written
  // enough of its backlog, and look again after a back-off, not a poll. When
  // all backlogs together are over their cap, a reader that took nothing
  // since its last event is held back even under its own cap.
  const bool crowded = queued_bytes_.load(std::memory_order_relaxed) > options_.max_unsent_total_bytes;
  if (sub.unsent > options_.max_unsent_bytes || (crowded && sub.unsent > 0 && !sub.drained_since_event)) {
    if (recheck) {
      // Deregistration, deletion: seen even while held back.
      if (auto shard = lookup_(sub.spec); !shard) {
        out.fail(shard.error());
        return false;
      }
    }
    sub.backoff_ms =
        shrank || sub.backoff_ms == 0 ? options_.backoff_min_ms : std::min(options_.backoff_max_ms, sub.backoff_ms * 2);
    sub.due_ms = std::min(now + sub.backoff_ms, sub.expires_ms);
    if (options_.stall_timeout_ms > 0) sub.due_ms = std::min(sub.due_ms, sub.progress_ms + options_.stall_timeout_ms);
    return true;
  }
  sub.backoff_ms = 0;

  auto shard = lookup_(sub.spec);
  if (!shard) {
    out.fail(shard.error());
    return false;
  }
  const int64_t heartbeat_due = sub.last_event_ms == INT64_MIN ? now : sub.last_event_ms + options_.heartbeat_ms;
  sub.due_ms = std::min(heartbeat_due, sub.expires_ms);

  const double rate = static_cast<double>(options_.rate_bytes_per_sec);
  sub.tokens = std::min(rate, sub.tokens + rate * static_cast<double>(now - sub.tokens_at_ms) / 1000.0);
  sub.tokens_at_ms = now;

  const storage::ShardTail tail = log_.tail(shard->key);
  const uint64_t last_readable = shard->open ? tail.last_counter : std::min(tail.last_counter, shard->ending_counter);
  if (sub.spec.position <= last_readable) {
    if (sub.tokens < 1.0) {
      // Over 2 MiB/s: wait until the bucket refills enough for a record.
      const auto wait = static_cast<int64_t>((1.0 - sub.tokens) * 1000.0 / rate) + 1;
      sub.due_ms = std::min(sub.due_ms, now + wait);
    } else {
      // What is left under the subscriber's cap (under the smaller event
      // size when all backlogs are over theirs); a record larger than the
      // budget still goes out alone.
      uint64_t room = options_.max_unsent_bytes - std::min(sub.unsent, options_.max_unsent_bytes);
      if (out.format() == protocol::WireFormat::kJson) room = room / 4 * 3;  // Data is base64 there
      if (crowded) room = std::min(room, options_.min_event_bytes);
      const uint64_t budget = std::min(
          {options_.max_event_bytes, static_cast<uint64_t>(sub.tokens), std::max(room, options_.min_event_bytes)});
      auto read = log_.read(shard->key, sub.spec.position, options_.max_event_records, budget, shard->horizon_ms);
      if (!read) {
        spdlog::error("fan-out read of shard {}: {}", shard->key, read.error().to_string());
        out.fail(protocol::internal_failure());
        return false;
      }
      auto readable = readable_records(read->records, last_readable, shard->cipher);
      if (!readable) {
        spdlog::error("fan-out read of shard {}: {}", shard->key, readable.error().to_string());
        out.fail(RecordCipher::api_error(readable.error()));
        return false;
      }
      const size_t n = readable->n;
      if (n == 0) {
        // Everything up to next_counter was trimmed by retention.
        sub.spec.position = std::max(sub.spec.position, read->next_counter);
      } else {
        const storage::StoredRecord& last = read->records[n - 1];
        sub.spec.position = last.counter + 1;
        sub.last_arrival_ms = last.arrival_ms;
        sub.continuation = format_sequence_number(
            SequenceNumber{shard->created_secs, shard->index, last.counter, last.arrival_ms / 1000});
        sub.tokens -= static_cast<double>(readable->bytes);
        // Encoded straight in the subscriber's format, as GetRecords does:
        // no Value tree of several allocations per record.
        Value records = records_value(shard->created_secs, shard->index, read->records, n,
                                      RecordsEncoding{true, out.format()}, readable->encrypted);
        send_event(sub, std::move(records), tail.last_counter, now, n, readable->bytes, *shard);
        // More may be waiting, or the end of a closed shard is reached: come
        // back right after the others had a turn.
        if (sub.spec.position <= last_readable || !shard->open) sub.due_ms = now;
        return true;
      }
    }
  }
  if (!shard->open && sub.spec.position > shard->ending_counter) {
    // The end of a closed shard: no continuation, the children instead.
    Value event = Object{};
    event.set("Records", Array{});
    event.set("MillisBehindLatest", 0);
    event.set("ChildShards", shard->child_shards);
    out.event("SubscribeToShardEvent", event);
    out.end();
    return false;
  }
  if (now >= heartbeat_due) send_event(sub, Value(Array{}), tail.last_counter, now, 0, 0, *shard);
  return true;
}

void FanOut::send_event(Subscription& sub, Value records, uint64_t tail_counter, int64_t now, size_t count,
                        uint64_t bytes, const ShardView& shard) {
  // Behind when records past the ones sent exist already.
  int64_t behind = 0;
  if (sub.spec.position <= tail_counter && sub.last_arrival_ms > 0)
    behind = std::max<int64_t>(0, now - sub.last_arrival_ms);
  Value event = Object{};
  event.set("Records", std::move(records));
  event.set("ContinuationSequenceNumber", sub.continuation);
  event.set("MillisBehindLatest", behind);
  sub.spec.out->event("SubscribeToShardEvent", event);
  // A sample per event published, heartbeats included (AWS: emitted every
  // time an event is published); the shard's Outgoing* only for records.
  if (const ConsumerMetrics* m = sub.spec.metrics.get()) {
    m->record(ConsumerMetric::kEventBytes, double(bytes));
    m->record(ConsumerMetric::kEventRecords, double(count));
    m->record(ConsumerMetric::kEventMillisBehindLatest, double(behind));
    m->record(ConsumerMetric::kEventSuccess, 1);
  }
  if (shard.metrics && count > 0) {
    shard.metrics->record(ShardMetric::kOutgoingBytes, double(bytes));
    shard.metrics->record(ShardMetric::kOutgoingRecords, double(count));
  }
  observe(sub, now);
  sub.drained_since_event = false;
  sub.last_event_ms = now;
  sub.due_ms = std::min(now + options_.heartbeat_ms, sub.expires_ms);
}

}  // namespace runnel::streams
