#pragma once
// SubscribingConsumer: one SubscribeToShard per shard for a registered
// consumer, all on one HttpLoop (multiplexed on one connection over HTTP/2).
// Each answer's body is parsed as it arrives (SubscriptionReader). When a
// subscription ends, the shard is subscribed again AFTER_SEQUENCE_NUMBER the
// last ContinuationSequenceNumber, no sooner than 5 s after the previous
// subscription began (Kinesis refuses a faster one with
// ResourceInUseException); a shard whose end was announced is left alone.
//
// A first SubscribeToShard that fails with an error that retrying cannot fix
// (the endpoint does not know the operation, the consumer is unknown, ...)
// is fatal: the run stops and says so rather than waiting for events.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/consumer.h"
#include "bench/http_client.h"
#include "bench/options.h"
#include "bench/subscription_reader.h"

namespace runnel::bench {

class SubscribingConsumer final : public Consumer {
 public:
  SubscribingConsumer(const BenchOptions& options, std::string consumer_arn, std::vector<std::string> shard_ids,
                      RunStats& stats);
  void run() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Shard {
    std::string id;
    std::string continuation;
    std::unique_ptr<SubscriptionReader> reader;
    Clock::time_point next;
    Clock::time_point last_start;
    bool live = false;        // a subscription transfer is running
    bool ended = false;       // the shard is closed and fully read
    bool subscribed = false;  // some subscription got its initial-response
  };

  void subscribe(Shard& s);
  bool on_data(Shard& s, std::string_view bytes);
  void on_done(Shard& s, HttpResult&& r);

  const BenchOptions& o_;
  std::string consumer_arn_;
  RunStats& stats_;
  HttpLoop loop_;
  std::vector<Shard> shards_;
  ReceivedBatch batch_;
};

}  // namespace runnel::bench
