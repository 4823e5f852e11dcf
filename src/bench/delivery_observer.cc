#include "bench/delivery_observer.h"

#include <chrono>
#include <optional>
#include <thread>

#include "bench/latency_stamp.h"
#include "bench/s3_objects.h"

namespace runnel::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Give up when this many listings in a row fail before any succeeded.
constexpr int kFailuresBeforeGivingUp = 20;
// Fetches of one object before it is given up.
constexpr int kMaxFetches = 5;

std::string s3_error_type(const HttpResult& r) {
  if (!r.network_error.empty()) return "network: " + r.network_error;
  std::string code = s3_error_code(r.body);
  return code.empty() ? "HTTP " + std::to_string(r.status) : code;
}

}  // namespace

DeliveryObserver::DeliveryObserver(const BenchOptions& options, std::string bucket, RunStats& stats)
    : o_(options), bucket_(std::move(bucket)), stats_(stats), loop_(options, 1, 1, kS3Api) {}

HttpResult DeliveryObserver::perform(std::string_view method, const std::string& target) {
  std::optional<HttpResult> out;
  loop_.start_rest(method, target, {}, [&out](HttpResult&& r) { out = std::move(r); });
  while (!out) loop_.poll(100);
  return std::move(*out);
}

bool DeliveryObserver::list() {
  std::string token;
  do {
    HttpResult r = perform("GET", list_objects_v2_target(bucket_, token));
    const int64_t listed_us = now_epoch_micros();
    stats_.consume_request();
    if (!r.ok()) {
      stats_.error("ListObjectsV2", s3_error_type(r), true);
      if (listings_ok_ == 0 && ++failures_in_a_row_ >= kFailuresBeforeGivingUp) {
        set_fatal("every one of the first " + std::to_string(kFailuresBeforeGivingUp) +
                  " ListObjectsV2 requests failed; last: " + s3_error_type(r));
      }
      return false;
    }
    std::string why;
    auto page = parse_list_objects_v2(r.body, &why);
    if (!page) {
      stats_.error("ListObjectsV2", "undecodable answer", true);
      if (listings_ok_ == 0 && ++failures_in_a_row_ >= kFailuresBeforeGivingUp) {
        set_fatal("ListObjectsV2 answers could not be read: " + why);
      }
      return false;
    }
    for (ListedObject& o : page->objects) {
      if (seen_.insert(o.key).second) pending_.push_back(NewObject{std::move(o.key), listed_us, 0});
    }
    token = page->truncated ? page->next_token : std::string();
  } while (!token.empty() && !stopping());
  listings_ok_++;
  failures_in_a_row_ = 0;
  return true;
}

bool DeliveryObserver::fetch(NewObject& object) {
  object.attempts++;
  HttpResult r = perform("GET", object_target(bucket_, object.key));
  stats_.consume_request();
  if (!r.ok()) {
    stats_.error("GetObject", s3_error_type(r), object.attempts < kMaxFetches);
    return false;
  }
  stats_.object_delivered(r.body.size());
  std::string inflated;
  std::string_view records = r.body;
  if (o_.compression == Compression::kGzip) {
    auto plain = gunzip(r.body);
    if (!plain) {
      stats_.error("GetObject", "undecodable object (not gzip)", false);
      return true;
    }
    inflated = std::move(*plain);
    records = inflated;
  }
  ReceivedBatch batch;
  if (split_records(records, static_cast<size_t>(o_.record_size), object.first_listed_us, batch) != 0) {
    stats_.consumer_warning("an object that is not a whole number of --record-size records");
  }
  batch.flush(stats_, object.first_listed_us);
  return true;
}

void DeliveryObserver::run() {
  const auto interval = std::chrono::milliseconds(o_.poll_interval_ms);
  while (!stopping()) {
    const Clock::time_point listed = Clock::now();
    if (list()) set_ready();
    while (!pending_.empty() && !stopping()) {
      NewObject& next = pending_.front();
      if (!fetch(next) && next.attempts < kMaxFetches) {
        pending_.push_back(std::move(next));
      }
      pending_.pop_front();
      if (Clock::now() - listed >= interval) break;
    }
    while (!stopping() && Clock::now() < listed + interval) {
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(10), interval));
    }
  }
}

}  // namespace runnel::bench
