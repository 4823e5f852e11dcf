#include "analytics/input_source.h"

#include <spdlog/spdlog.h>

#include "protocol/json_codec.h"

namespace runnel::analytics {
namespace {

class KinesisInput final : public InputSource {
 public:
  KinesisInput(streams::DataStreams& streams, std::string stream, int64_t start_ms, const std::string& checkpoint)
      : source_(streams, std::move(stream), start_ms, checkpoint) {}
  Status read(uint64_t max_bytes, std::vector<firehose::SourceRecord>& out) override {
    return source_.read(max_bytes, out);
  }
  std::string delivered(const std::map<std::string, std::string>& last) override { return source_.delivered(last); }

 private:
  firehose::KinesisSource source_;
};

constexpr uint32_t kReadRecords = 10'000;

}  // namespace

std::unique_ptr<InputSource> kinesis_input(streams::DataStreams& streams, std::string stream, int64_t start_ms,
                                           const std::string& checkpoint) {
  return std::make_unique<KinesisInput>(streams, std::move(stream), start_ms, checkpoint);
}

DeliveryStreamInput::DeliveryStreamInput(storage::Log& log, storage::ShardKey shard, std::string key_file,
                                         int64_t start_ms, const std::string& checkpoint)
    : log_(log), shard_(shard), cipher_(std::move(key_file)) {
  if (auto doc = protocol::decode_json(checkpoint); doc && doc->is_object()) {
    if (const protocol::Value* c = doc->find("counter"); c && c->is_int() && c->as_int() > 0) {
      delivered_ = static_cast<uint64_t>(c->as_int());
      next_ = delivered_ + 1;
    }
  }
  if (next_ == 0) next_ = log_.counter_at_time(shard_, start_ms);
  if (next_ == 0) next_ = 1;  // counters start at 1
  // Needed from the first record to read on; with none yet, from the last
  // one's arrival (later records arrive no earlier); an empty shard: all.
  if (auto first = log_.read(shard_, next_, 1, 1, INT64_MIN); first && !first->records.empty())
    needed_ms_ = first->records.front().arrival_ms;
  else
    needed_ms_ = log_.tail(shard_).last_arrival_ms;
}

Status DeliveryStreamInput::read(uint64_t max_bytes, std::vector<firehose::SourceRecord>& out) {
  auto r = log_.read(shard_, next_, kReadRecords, max_bytes, INT64_MIN);
  if (!r) return r.error();
  if (r->records.empty()) {
    if (r->next_counter > next_) {
      spdlog::warn("analytics: delivery stream records {}..{} expired from the log before they were read", next_,
                   r->next_counter - 1);
      next_ = r->next_counter;
    }
    return Status::ok();
  }
  if (r->records.front().counter > next_)
    spdlog::warn("analytics: delivery stream records {}..{} expired from the log before they were read", next_,
                 r->records.front().counter - 1);
  for (storage::StoredRecord& rec : r->records) {
    if (streams::RecordCipher::is_encrypted(rec)) {
      // Not readable now (the key file is missing): stop here and try again
      // later rather than skip acknowledged data.
      if (Status st = cipher_.decrypt(rec); !st) return st;
    }
    next_ = rec.counter + 1;
    unconfirmed_.emplace_back(rec.counter, rec.arrival_ms);
    firehose::SourceRecord s;
    s.shard_id = std::string(kDeliveryStreamShard);
    s.sequence_number = std::to_string(rec.counter);
    s.record = std::move(rec);
    out.push_back(std::move(s));
  }
  return Status::ok();
}

std::string DeliveryStreamInput::delivered(const std::map<std::string, std::string>& last) {
  if (auto it = last.find(std::string(kDeliveryStreamShard)); it != last.end()) {
    try {
      delivered_ = std::max<uint64_t>(delivered_, std::stoull(it->second));
    } catch (...) {
    }
  }
  while (!unconfirmed_.empty() && unconfirmed_.front().first <= delivered_) {
    needed_ms_ = std::max(needed_ms_, unconfirmed_.front().second);
    unconfirmed_.pop_front();
  }
  return "{\"counter\":" + std::to_string(delivered_) + "}";
}

}  // namespace runnel::analytics
