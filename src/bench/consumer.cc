#include "bench/consumer.h"

#include "bench/latency_stamp.h"

namespace runnel::bench {

std::string Consumer::fatal() const {
  std::lock_guard lock(mu_);
  return fatal_;
}

void Consumer::set_fatal(std::string why) {
  {
    std::lock_guard lock(mu_);
    if (fatal_.empty()) fatal_ = std::move(why);
  }
  stop_.store(true);
}

void ReceivedBatch::add(std::string_view data, int64_t now_us) {
  bytes_ += data.size();
  if (auto stamp = read_stamp(data)) {
    latencies_.push_back(now_us - *stamp);
  } else {
    unstamped_++;
  }
}

void ReceivedBatch::flush(RunStats& stats) {
  if (latencies_.empty() && unstamped_ == 0) return;
  stats.received(latencies_, unstamped_, bytes_);
  latencies_.clear();
  unstamped_ = 0;
  bytes_ = 0;
}

}  // namespace runnel::bench
