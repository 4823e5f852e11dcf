#include "bench/consumer.h"

#include "bench/latency_stamp.h"
#include "bench/records_answer.h"

namespace runnel::bench {

std::string Consumer::fatal() const {
  MutexLock lock(mu_);
  return fatal_;
}

void Consumer::set_fatal(std::string why) {
  {
    MutexLock lock(mu_);
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

void ReceivedBatch::add_base64(std::string_view b64, int64_t now_us) {
  bytes_ += base64_decoded_size(b64);
  char stamp[kStampBytes];
  std::optional<int64_t> sent;
  if (base64_prefix(b64, kStampBytes, stamp)) sent = read_stamp(std::string_view(stamp, kStampBytes));
  if (sent) {
    latencies_.push_back(now_us - *sent);
  } else {
    unstamped_++;
  }
}

void ReceivedBatch::flush(RunStats& stats, int64_t at_us) {
  if (latencies_.empty() && unstamped_ == 0) return;
  stats.received(latencies_, unstamped_, bytes_, at_us);
  latencies_.clear();
  unstamped_ = 0;
  bytes_ = 0;
}

}  // namespace runnel::bench
