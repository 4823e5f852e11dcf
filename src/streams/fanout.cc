#include "streams/fanout.h"

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
  int64_t last_event_ms = INT64_MIN;   // no event yet: the first pass sends one
  int64_t due_ms = 0;                  // serve again at this time even without new records
  double tokens = 0;                   // bytes that may still be read (token bucket)
  int64_t tokens_at_ms = 0;
  std::string continuation;            // ContinuationSequenceNumber of the last event
  int64_t last_arrival_ms = 0;         // of the last record delivered
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
  sub->continuation = format_sequence_number(
      SequenceNumber{spec.shard_created_secs, spec.shard_index, spec.position > 0 ? spec.position - 1 : 0, spec.before_arrival_secs});
  sub->spec = std::move(spec);

  std::lock_guard lock(mu_);
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
    return std::unexpected(protocol::resource_in_use("Another active subscription exists for this consumer: " +
                                                     sub->spec.consumer_label));
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
    std::lock_guard lock(mu_);
    dirty_.insert(shards.begin(), shards.end());
  }
  cv_.notify_one();
}

void FanOut::wake() {
  {
    std::lock_guard lock(mu_);
    wake_all_ = true;
  }
  cv_.notify_one();
}

void FanOut::stop() {
  {
    std::lock_guard lock(mu_);
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
      std::unique_lock lock(mu_);
      auto ready = [&] { return stopping_ || wake_all_ || !dirty_.empty() || !incoming_.empty(); };
      if (next_due == INT64_MAX) {
        cv_.wait(lock, ready);
      } else {
        const int64_t wait_ms = next_due - now_ms_();
        if (wait_ms > 0) cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), ready);
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
      if (all || !sub.begun || sub.due_ms <= now || dirty.contains(sub.spec.shard_key)) keep = service(sub, now);
      if (!keep) {
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
  std::lock_guard lock(mu_);
  for (auto& s : incoming_) subs_.push_back(std::move(s));
  incoming_.clear();
  for (auto& s : subs_) {
    if (!s->begun) s->spec.out->begin();
    s->spec.out->end();
  }
  live_.fetch_sub(subs_.size(), std::memory_order_relaxed);
  subs_.clear();
}

bool FanOut::service(Subscription& sub, int64_t now) {
  protocol::EventStreamResponse& out = *sub.spec.out;
  if (!sub.begun) {
    out.begin();
    sub.begun = true;
  }
  if (out.closed()) return false;
  if (sub.taken_over) {
    out.fail(protocol::resource_in_use("Another active subscription exists for this consumer: " +
                                       sub.spec.consumer_label));
    return false;
  }
  auto shard = lookup_(sub.spec);
  if (!shard) {
    out.fail(shard.error());
    return false;
  }
  if (now >= sub.expires_ms) {
    out.end();
    return false;
  }
  const int64_t heartbeat_due = sub.last_event_ms == INT64_MIN ? now : sub.last_event_ms + options_.heartbeat_ms;
  sub.due_ms = std::min(heartbeat_due, sub.expires_ms);

  // A slow reader: deliver nothing more until net/ has written its backlog.
  if (out.unsent_bytes() > options_.max_unsent_bytes) {
    sub.due_ms = std::min(sub.due_ms, now + 5);
    return true;
  }
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
      const auto budget = std::min<uint64_t>(options_.max_event_bytes, static_cast<uint64_t>(sub.tokens));
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
        send_event(sub, std::move(records), tail.last_counter, now);
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
  if (now >= heartbeat_due) send_event(sub, Value(Array{}), tail.last_counter, now);
  return true;
}

void FanOut::send_event(Subscription& sub, Value records, uint64_t tail_counter, int64_t now) {
  // Behind when records past the ones sent exist already.
  int64_t behind = 0;
  if (sub.spec.position <= tail_counter && sub.last_arrival_ms > 0)
    behind = std::max<int64_t>(0, now - sub.last_arrival_ms);
  Value event = Object{};
  event.set("Records", std::move(records));
  event.set("ContinuationSequenceNumber", sub.continuation);
  event.set("MillisBehindLatest", behind);
  sub.spec.out->event("SubscribeToShardEvent", event);
  sub.last_event_ms = now;
  sub.due_ms = std::min(now + options_.heartbeat_ms, sub.expires_ms);
}

}  // namespace runnel::streams
