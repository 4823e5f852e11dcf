#pragma once
// FanOut: the push side of enhanced fan-out. It owns every live
// SubscribeToShard subscription and one delivery thread that reads new records
// from storage::Log and writes them to the subscribers as SubscribeToShardEvent
// frames.
//
// Push, not poll: the put path calls notify() once a batch is durable, which
// wakes the delivery thread; it reads each woken subscription's shard from its
// position and sends what it finds. Idle subscriptions get an event every
// heartbeat_ms, and every subscription ends after max_subscription_ms.
//
// Bounds per subscription (AWS: 2 MiB/s per consumer per shard): a token
// bucket of rate_bytes_per_sec limits what is read for it. net/ keeps the
// events a subscriber has not taken yet (ResponseSink::unsent_bytes(); over
// HTTP/2 also the bytes its flow-control window holds back); while that
// backlog is above max_unsent_bytes no event is produced for it, and an event
// is sized to what is left under the cap (at least min_event_bytes, or one
// record). Memory held for a subscriber is thus about max_unsent_bytes plus
// one small event. Across all subscriptions: while their backlogs add up to
// more than max_unsent_total_bytes, a subscription whose backlog has not
// shrunk since its last event (a stalled reader) gets nothing more, and the
// others get events of at most min_event_bytes. A subscription whose backlog
// has not shrunk for stall_timeout_ms is ended.
//
// A held-back subscription costs no work: it is looked at again after a
// back-off that doubles from backoff_min_ms to backoff_max_ms while its
// backlog does not shrink (net/ has no drain callback), without a registry
// lookup or a log read, and a slow subscriber delays only itself: producers
// never wait for subscribers.
//
// Exclusivity per (consumer, shard), as AWS documents it: a subscribe within
// takeover_ms of the previous successful one is refused with
// ResourceInUseException; a later one takes over, and the older subscription
// ends with a ResourceInUseException event.
//
// Threads: subscribe(), notify(), wake() and stop() may be called from any
// thread. The lookup callback runs on the delivery thread, never under
// FanOut's own lock. Sinks are only touched by the delivery thread once a
// subscription is admitted. The backlog accounting is the delivery thread's;
// live_subscriptions() and queued_bytes() may be read from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "protocol/api_error.h"
#include "protocol/event_stream_response.h"
#include "protocol/value.h"
#include "storage/log.h"
#include "streams/record_cipher.h"

namespace runnel::streams {

class ConsumerMetrics;  // streams/stream_metrics.h
class ShardMetrics;

struct FanOutOptions {
  int64_t max_subscription_ms = 300'000;   // AWS: a subscription lasts 5 minutes
  int64_t heartbeat_ms = 5'000;            // an event at least this often
  int64_t takeover_ms = 5'000;             // AWS's back-off window per consumer and shard
  uint64_t rate_bytes_per_sec = 2u << 20;  // AWS: 2 MiB/s per consumer per shard
  uint64_t max_event_bytes = 1u << 20;     // records per event, in bytes of data + key
  uint32_t max_event_records = 10'000;
  uint64_t max_unsent_bytes = 1u << 20;         // no event for a subscriber past this backlog
  uint64_t min_event_bytes = 64u << 10;         // the smallest event budget under backpressure
  uint64_t max_unsent_total_bytes = 64u << 20;  // all backlogs; past it stalled readers get nothing
  int64_t stall_timeout_ms = 60'000;            // end a subscription whose backlog has not shrunk (0: never)
  int64_t backoff_min_ms = 5;                   // re-check of a held-back subscription: first delay
  int64_t backoff_max_ms = 250;                 // ... doubling up to this
};

// What a subscription needs to know about its shard, looked up on every
// delivery pass (so resharding, deregistration and deletion are seen).
struct ShardView {
  storage::ShardKey key = 0;
  uint32_t index = 0;
  int64_t created_secs = 0;
  bool open = true;
  uint64_t ending_counter = 0;     // when closed: the last counter it holds
  int64_t horizon_ms = 0;          // records that arrived before are trimmed
  protocol::Value child_shards;    // when closed: the ChildShards list
  RecordCipher* cipher = nullptr;  // decrypts encrypted records; outlives the subscription
  // The shard's enhanced metrics (OutgoingBytes/Records), or null.
  std::shared_ptr<const ShardMetrics> metrics;
};

struct SubscriptionSpec {
  std::string consumer_arn;    // the consumer incarnation
  std::string consumer_label;  // for messages: "<account>:<stream>:<shardId>:<consumer>"
  uint64_t stream_uid = 0;
  uint32_t shard_index = 0;
  storage::ShardKey shard_key = 0;
  int64_t shard_created_secs = 0;
  uint64_t position = 0;                               // the next counter to deliver
  int64_t before_arrival_secs = 0;                     // arrival time (s) to print in a continuation before position
  std::shared_ptr<protocol::EventStreamResponse> out;  // not begun yet
  // The consumer's SubscribeToShardEvent.* series, or null (metrics off);
  // recorded by the delivery thread for every event it sends.
  std::shared_ptr<const ConsumerMetrics> metrics;
};

// Answers whether the subscription may go on and where its shard stands; an
// error (consumer deregistered, stream or shard gone) ends it with that
// error as an exception event.
using ShardLookup = std::function<protocol::ApiResult<ShardView>(const SubscriptionSpec&)>;

class FanOut {
 public:
  FanOut(storage::Log& log, ShardLookup lookup, FanOutOptions options, std::function<int64_t()> now_ms);
  ~FanOut();
  FanOut(const FanOut&) = delete;
  FanOut& operator=(const FanOut&) = delete;

  // Admits a subscription or refuses it (ResourceInUseException). Once
  // admitted, the delivery thread sends the initial response and then owns
  // spec.out.
  protocol::ApiResult<void> subscribe(SubscriptionSpec spec) EXCLUDES(mu_);

  // Records of these shards became durable. Cheap when nobody subscribes.
  void notify(const std::vector<storage::ShardKey>& shards) EXCLUDES(mu_);

  // Re-examine every subscription now (after deregistration, deletion,
  // resharding).
  void wake() EXCLUDES(mu_);

  // Ends every subscription cleanly and joins the delivery thread. Idempotent.
  void stop() EXCLUDES(mu_);

  size_t live_subscriptions() const { return live_.load(std::memory_order_relaxed); }
  // The bytes net/ held for live subscriptions when the delivery thread last
  // looked at each (an upper bound: backlogs only shrink between looks).
  uint64_t queued_bytes() const { return queued_bytes_.load(std::memory_order_relaxed); }

 private:
  struct Subscription;
  struct Slot {
    int64_t last_start_ms = 0;
    std::weak_ptr<Subscription> live;
  };

  void run() EXCLUDES(mu_);
  // Returns false when the subscription is over and must be dropped.
  // `recheck`: look the shard up even if the subscription is held back.
  bool service(Subscription& sub, int64_t now, bool recheck);
  // Reads net/'s backlog for `sub` into sub.unsent and queued_bytes_; true
  // when it shrank (or is empty) since the last look.
  bool observe(Subscription& sub, int64_t now);
  void forget(Subscription& sub);
  // `records`: the Records list, a tree or already encoded (records_value).
  // `count` records of `bytes` (data + key) are in it, read from `shard`.
  void send_event(Subscription& sub, protocol::Value records, uint64_t tail_counter, int64_t now, size_t count,
                  uint64_t bytes, const ShardView& shard);
  void start_thread_locked() REQUIRES(mu_);

  storage::Log& log_;
  ShardLookup lookup_;
  FanOutOptions options_;
  std::function<int64_t()> now_ms_;

  mutable Mutex mu_;
  CondVar cv_;  // the delivery thread waits on it for work (ready in run())
  bool stopping_ GUARDED_BY(mu_) = false;
  bool wake_all_ GUARDED_BY(mu_) = false;
  std::unordered_set<storage::ShardKey> dirty_ GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Subscription>> incoming_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, uint32_t>, Slot> slots_ GUARDED_BY(mu_);
  std::thread thread_;
  std::atomic<size_t> live_{0};
  std::atomic<uint64_t> queued_bytes_{0};  // written by the delivery thread only

  // Delivery thread only.
  std::vector<std::shared_ptr<Subscription>> subs_;
};

}  // namespace runnel::streams
