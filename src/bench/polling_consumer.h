#pragma once
// PollingConsumer: GetShardIterator then GetRecords in a loop, for every
// shard at once on one HttpLoop. A shard is polled again at once after an
// answer with records, --poll-interval-ms after an empty one, and 1 s after
// a throttle or error. An expired iterator is replaced (after the last
// sequence number read). A shard whose answer has no NextShardIterator is
// closed and no longer read.

#include <chrono>
#include <string>
#include <vector>

#include "bench/consumer.h"
#include "bench/http_client.h"
#include "bench/options.h"

namespace runnel::bench {

class PollingConsumer final : public Consumer {
 public:
  PollingConsumer(const BenchOptions& options, std::string stream, std::vector<std::string> shard_ids, RunStats& stats);
  void run() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Shard {
    std::string id;
    std::string iterator;
    std::string last_sequence;
    Clock::time_point next;
    bool busy = false;
    bool closed = false;
    bool started = false;  // its first iterator was obtained
  };

  void step(Shard& s);
  void on_iterator(Shard& s, HttpResult&& r);
  void on_records(Shard& s, HttpResult&& r);
  void update_ready();

  const BenchOptions& o_;
  std::string stream_;
  RunStats& stats_;
  HttpLoop loop_;
  std::vector<Shard> shards_;
  ReceivedBatch batch_;
  std::vector<std::string_view> data_;  // one answer's base64 Data, fast path
};

}  // namespace runnel::bench
