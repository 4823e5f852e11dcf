// The Splunk Sender (splunk.h): the HEC request on an HttpPoster, then ack
// polls scheduled on a Timers thread, each one an HttpPoster request too.
// Every send() under way is an entry of pending_, keyed by a number; each
// step looks its entry up, and whoever takes the entry out (the last step,
// or the destructor) calls its `done`, so `done` runs exactly once.
#include <chrono>
#include <map>
#include <random>

#include "common/mutex.h"
#include "firehose/object_key.h"
#include "firehose/splunk.h"
#include "firehose/timers.h"

namespace runnel::firehose {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double jitter_unit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

class SplunkSender final : public Sender {
 public:
  SplunkSender(SplunkTarget target, SplunkSenderOptions options)
      : target_(std::move(target)),
        options_(options),
        channel_(random_uuid()),
        poster_(std::make_unique<HttpPoster>(options.threads)) {
    if (options_.ack_timeout_ms) target_.ack_timeout_ms = *options_.ack_timeout_ms;
  }

  ~SplunkSender() override {
    std::map<uint64_t, Pending> left;
    {
      MutexLock lock(mu_);
      left.swap(pending_);
    }
    timers_.stop();
    poster_.reset();  // waits for the requests under way; their steps find no entry
    for (auto& [id, p] : left) {
      SendOutcome o;
      o.verdict = SendOutcome::Verdict::kRetry;
      o.error_code = "Splunk.ConnectionClosed";
      o.error_message = "runnel is stopping";
      p.done(std::move(o));
    }
  }

  std::string_view error_output_type() const override { return "splunk-failed"; }

  void send(SendRequest request, std::function<void(SendOutcome)> done) override {
    EndpointRequest req = hec_request(target_, channel_, request.records);
    req.timeout_ms = options_.request_timeout_ms;
    uint64_t id;
    {
      MutexLock lock(mu_);
      id = next_id_++;
      Pending p;
      p.batch_id = request.batch_id;
      p.attempt = request.attempt;
      p.first_attempt_ms = request.first_attempt_ms;
      p.now_ms = request.now_ms;
      p.started = steady_ms();
      p.done = std::move(done);
      pending_.emplace(id, std::move(p));
    }
    poster_->post(std::move(req), [this, id](EndpointResponse r) { on_answer(id, r); });
  }

 private:
  struct Pending {
    std::string batch_id;
    int attempt = 1;
    int64_t first_attempt_ms = 0, now_ms = 0;
    int64_t started = 0;      // steady ms at send()
    int64_t ack_started = 0;  // steady ms at HEC's answer
    int64_t ack_id = -1;
    std::function<void(SendOutcome)> done;
  };

  void on_answer(uint64_t id, const EndpointResponse& response) {
    HecAnswer a = judge_hec_answer(response);
    if (a.error) return finish(id, std::move(*a.error));
    {
      MutexLock lock(mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      it->second.ack_id = *a.ack_id;
      it->second.ack_started = steady_ms();
    }
    timers_.after(options_.ack_poll_interval_ms, [this, id] { poll(id); });
  }

  void poll(uint64_t id) {
    int64_t ack_id;
    {
      MutexLock lock(mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      ack_id = it->second.ack_id;
    }
    EndpointRequest req = hec_ack_request(target_, channel_, ack_id);
    req.timeout_ms = options_.request_timeout_ms;
    poster_->post(std::move(req), [this, id, ack_id](EndpointResponse r) { on_ack(id, ack_id, r); });
  }

  void on_ack(uint64_t id, int64_t ack_id, const EndpointResponse& response) {
    AckAnswer a = judge_ack_answer(response, ack_id);
    if (a.state == AckAnswer::State::kAcked) return finish(id, std::nullopt);
    if (a.state == AckAnswer::State::kError) return finish(id, std::move(a.error));
    bool timed_out;
    {
      MutexLock lock(mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      timed_out = steady_ms() - it->second.ack_started >= target_.ack_timeout_ms;
    }
    if (timed_out) return finish(id, SplunkError{"Splunk.AckTimeout", kSplunkAckTimeoutMessage});
    timers_.after(options_.ack_poll_interval_ms, [this, id] { poll(id); });
  }

  // Ends the attempt `id`: delivered (no error) or retried/failed.
  void finish(uint64_t id, std::optional<SplunkError> failure) {
    Pending p;
    SendOutcome o;
    {
      MutexLock lock(mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      p = std::move(it->second);
      pending_.erase(it);
      const int64_t now = steady_ms();
      if (p.ack_started) ack_wait_ms_[p.batch_id] += now - p.ack_started;
      if (failure) {
        o.error_code = std::move(failure->code);
        o.error_message = std::move(failure->message);
        // The retry duration does not count the time spent waiting for acks.
        const int64_t now_ms = p.now_ms + (now - p.started);
        const int64_t spent = now_ms - p.first_attempt_ms - ack_wait_ms_[p.batch_id];
        if (spent >= target_.retry_duration_ms) {
          o.verdict = SendOutcome::Verdict::kFailed;
        } else {
          o.verdict = SendOutcome::Verdict::kRetry;
          o.retry_after_ms = endpoint_backoff_ms(p.attempt, jitter_unit());
        }
      }
      if (o.verdict != SendOutcome::Verdict::kRetry) ack_wait_ms_.erase(p.batch_id);
    }
    p.done(std::move(o));
  }

  SplunkTarget target_;
  const SplunkSenderOptions options_;
  const std::string channel_;
  Mutex mu_;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Pending> pending_ GUARDED_BY(mu_);
  // Per batch being retried: the time its attempts spent waiting for acks.
  std::map<std::string, int64_t> ack_wait_ms_ GUARDED_BY(mu_);
  Timers timers_;
  std::unique_ptr<HttpPoster> poster_;
};

}  // namespace

std::unique_ptr<Sender> make_splunk_sender(SplunkTarget target, SplunkSenderOptions options) {
  return std::make_unique<SplunkSender>(std::move(target), options);
}

Result<std::unique_ptr<Sender>> make_splunk_sender(const api::SplunkDestinationDescription& d,
                                                   SplunkSenderOptions options) {
  auto target = splunk_target(d);
  if (!target) return error(target.error());
  return make_splunk_sender(std::move(*target), options);
}

}  // namespace runnel::firehose
