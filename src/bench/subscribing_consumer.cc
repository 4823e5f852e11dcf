#include "bench/subscribing_consumer.h"
#include "bench/shard_rounds.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"

namespace runnel::bench {

namespace {

constexpr auto kErrorPause = std::chrono::seconds(1);
// Kinesis refuses a subscription for the same consumer and shard within 5 s
// of the previous one; wait a little longer.
constexpr auto kResubscribeSpacing = std::chrono::milliseconds(5200);

}  // namespace

SubscribingConsumer::SubscribingConsumer(const BenchOptions& options, std::string consumer_arn,
                                         std::vector<std::string> shard_ids, RunStats& stats)
    : o_(options),
      consumer_arn_(std::move(consumer_arn)),
      stats_(stats),
      loop_(options, options.http2 ? 1 : static_cast<int>(shard_ids.size()), static_cast<int>(shard_ids.size())) {
  for (auto& id : shard_ids) {
    Shard s;
    s.id = std::move(id);
    shards_.push_back(std::move(s));
  }
}

void SubscribingConsumer::run() {
  run_shard_rounds(
      shards_, loop_, [this] { return stopping(); }, [](const Shard& s) { return !s.live && !s.ended; },
      [this](Shard& s) { subscribe(s); });
}

void SubscribingConsumer::subscribe(Shard& s) {
  std::string_view type = o_.start == StartAt::kLatest ? "LATEST" : "TRIM_HORIZON";
  if (!s.continuation.empty()) type = "AFTER_SEQUENCE_NUMBER";
  auto body = encode_body(subscribe_request(consumer_arn_, s.id, type, s.continuation), o_.encoding);
  s.reader = std::make_unique<SubscriptionReader>([this](std::string_view data, bool base64) {
    if (base64) {
      batch_.add_base64(data, now_epoch_micros());
    } else {
      batch_.add(data, now_epoch_micros());
    }
  });
  s.live = true;
  s.last_start = Clock::now();
  loop_.start_stream(
      "SubscribeToShard", std::move(body), [this, &s](std::string_view bytes) { return on_data(s, bytes); },
      [this, &s](HttpResult&& r) { on_done(s, std::move(r)); });
}

bool SubscribingConsumer::on_data(Shard& s, std::string_view bytes) {
  const bool had_started = s.reader->started();
  const uint64_t events_before = s.reader->events();
  Status st = s.reader->feed(bytes);
  stats_.consume_request(s.reader->events() - events_before);
  batch_.flush(stats_);
  if (!had_started && s.reader->started()) {
    if (s.reader->missing_initial_response()) stats_.consumer_warning("no initial-response event");
    stats_.subscription_started();
    s.subscribed = true;
    if (std::all_of(shards_.begin(), shards_.end(), [](const Shard& x) { return x.subscribed || x.ended; })) {
      set_ready();
    }
  }
  if (!s.reader->continuation().empty()) s.continuation = s.reader->continuation();
  return st.is_ok();
}

void SubscribingConsumer::on_done(Shard& s, HttpResult&& r) {
  s.live = false;
  SubscriptionReader& reader = *s.reader;
  const auto spaced = s.last_start + kResubscribeSpacing;
  if (!r.ok() && r.network_error.empty()) {
    // An ordinary error answer: the subscription never started.
    std::string type = r.error_type(o_.encoding);
    stats_.error("SubscribeToShard", type, true);
    const bool permanent = !retryable(type) && type != "ResourceInUseException";
    if (!s.subscribed && permanent) {
      std::string msg = error_message(r.body, o_.encoding);
      set_fatal(
          "SubscribeToShard on " + s.id + " failed: " + type + (msg.empty() ? "" : ": " + msg) +
          (type == "UnknownOperationException" ? " (this endpoint has no enhanced fan-out; try --consume poll)" : ""));
      return;
    }
    s.next =
        type == "ResourceInUseException" ? std::max(spaced, Clock::now() + kErrorPause) : Clock::now() + kErrorPause;
    return;
  }
  if (!reader.exception_type().empty()) {
    stats_.error("SubscribeToShard", reader.exception_type(), true);
    if (!s.subscribed && reader.exception_type() == "ResourceNotFoundException") {
      set_fatal("SubscribeToShard on " + s.id + ": " + reader.exception_type() + ": " + reader.exception_message());
      return;
    }
  } else if (!reader.failure().is_ok()) {
    stats_.error("SubscribeToShard", "damaged event stream", true);
    spdlog::warn("SubscribeToShard on {}: {}", s.id, reader.failure().message());
  } else if (!r.network_error.empty()) {
    stats_.error("SubscribeToShard", r.error_type(o_.encoding), true);
  }
  if (reader.shard_ended()) {
    s.ended = true;
    return;
  }
  // A clean end (the subscription's lifetime is over) or a broken stream:
  // carry on after the last event.
  s.next = std::max(spaced, Clock::now() + (r.ok() ? std::chrono::milliseconds(0) : kErrorPause));
}

}  // namespace runnel::bench
