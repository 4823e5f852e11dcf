#include "bench/polling_consumer.h"

#include <algorithm>

#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "bench/records_answer.h"
#include "bench/shard_rounds.h"

namespace runnel::bench {

namespace {
constexpr auto kErrorPause = std::chrono::seconds(1);
}  // namespace

PollingConsumer::PollingConsumer(const BenchOptions& options, std::string stream, std::vector<std::string> shard_ids,
                                 RunStats& stats)
    : o_(options),
      stream_(std::move(stream)),
      stats_(stats),
      loop_(options, options.http2 ? 1 : static_cast<int>(shard_ids.size()), static_cast<int>(shard_ids.size())) {
  for (auto& id : shard_ids) {
    Shard s;
    s.id = std::move(id);
    shards_.push_back(std::move(s));
  }
}

void PollingConsumer::run() {
  run_shard_rounds(
      shards_, loop_, [this] { return stopping(); }, [](const Shard& s) { return !s.busy && !s.closed; },
      [this](Shard& s) { step(s); });
}

void PollingConsumer::step(Shard& s) {
  s.busy = true;
  if (s.iterator.empty()) {
    std::string_view type = o_.start == StartAt::kLatest ? "LATEST" : "TRIM_HORIZON";
    if (!s.last_sequence.empty()) type = "AFTER_SEQUENCE_NUMBER";
    auto body = encode_body(get_shard_iterator_request(stream_, s.id, type, s.last_sequence), o_.encoding);
    loop_.start("GetShardIterator", std::move(body), [this, &s](HttpResult&& r) { on_iterator(s, std::move(r)); });
  } else {
    auto body = encode_body(get_records_request(s.iterator, o_.poll_limit), o_.encoding);
    loop_.start("GetRecords", std::move(body), [this, &s](HttpResult&& r) { on_records(s, std::move(r)); });
  }
}

void PollingConsumer::on_iterator(Shard& s, HttpResult&& r) {
  s.busy = false;
  if (!r.ok()) {
    std::string type = r.error_type(o_.encoding);
    stats_.error("GetShardIterator", type, true);
    if (!s.started && !retryable(type)) {
      set_fatal("GetShardIterator on " + s.id + " failed: " + type + " " + error_message(r.body, o_.encoding));
    }
    s.next = Clock::now() + kErrorPause;
    return;
  }
  auto v = decode_body(r.body, o_.encoding);
  std::string_view it = v ? string_member(*v, "ShardIterator") : std::string_view();
  if (it.empty()) {
    stats_.error("GetShardIterator", "undecodable answer", true);
    s.next = Clock::now() + kErrorPause;
    return;
  }
  s.iterator = std::string(it);
  s.started = true;
  s.next = Clock::now();
  update_ready();
}

void PollingConsumer::on_records(Shard& s, HttpResult&& r) {
  s.busy = false;
  if (!r.ok()) {
    std::string type = r.error_type(o_.encoding);
    stats_.error("GetRecords", type, true);
    if (type == "ExpiredIteratorException") s.iterator.clear();
    s.next = Clock::now() + kErrorPause;
    return;
  }
  stats_.consume_request();
  if (o_.encoding == Encoding::kJson) {
    // The fast path: no Value tree (records_answer.h).
    data_.clear();
    auto answer = scan_records_json(r.body, [this](std::string_view d) { data_.push_back(d); });
    if (answer) {
      const int64_t now_us = now_epoch_micros();
      for (std::string_view d : data_) batch_.add_base64(d, now_us);
      batch_.flush(stats_);
      if (!answer->last_sequence.empty()) s.last_sequence = std::move(answer->last_sequence);
      if (answer->next_iterator.empty()) {
        s.closed = true;
        return;
      }
      s.iterator = std::move(answer->next_iterator);
      s.next = Clock::now() +
               (answer->records == 0 ? std::chrono::milliseconds(o_.poll_interval_ms) : std::chrono::milliseconds(0));
      return;
    }
  }
  auto v = decode_body(r.body, o_.encoding);
  const protocol::Value* records = v ? v->find("Records") : nullptr;
  if (!records || !records->is_array()) {
    stats_.error("GetRecords", "undecodable answer", true);
    s.next = Clock::now() + kErrorPause;
    return;
  }
  const int64_t now_us = now_epoch_micros();
  for (const protocol::Value& rec : records->as_array()) {
    const protocol::Value* data = rec.find("Data");
    auto bytes = data ? blob_bytes(*data) : std::nullopt;
    if (!bytes) {
      stats_.error("GetRecords", "undecodable record Data", false);
      continue;
    }
    batch_.add(*bytes, now_us);
    if (auto seq = string_member(rec, "SequenceNumber"); !seq.empty()) s.last_sequence = std::string(seq);
  }
  batch_.flush(stats_);
  std::string_view next = string_member(*v, "NextShardIterator");
  if (next.empty()) {
    s.closed = true;
    return;
  }
  s.iterator = std::string(next);
  s.next = Clock::now() + (records->as_array().empty() ? std::chrono::milliseconds(o_.poll_interval_ms)
                                                       : std::chrono::milliseconds(0));
}

void PollingConsumer::update_ready() {
  if (std::all_of(shards_.begin(), shards_.end(), [](const Shard& s) { return s.started; })) set_ready();
}

}  // namespace runnel::bench
