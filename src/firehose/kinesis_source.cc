#include "firehose/kinesis_source.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

constexpr int kReadLimit = 1000;           // records per read call
constexpr int64_t kRediscoverMs = 5'000;   // how often the shard list is looked at again
constexpr int kReadsPerShardPerCall = 16;  // bounds one read() call

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

KinesisSource::KinesisSource(streams::DataStreams& streams, std::string stream, int64_t start_ms,
                             const std::string& checkpoint)
    : streams_(streams), stream_(std::move(stream)), start_ms_(start_ms) {
  if (checkpoint.empty()) return;
  auto doc = protocol::decode_json(checkpoint);
  const protocol::Value* shards = doc && doc->is_object() ? doc->find("shards") : nullptr;
  if (!shards || !shards->is_object()) {
    spdlog::warn("firehose: the checkpoint of source stream {} is not readable; starting from the start time", stream_);
    return;
  }
  for (const protocol::Member& m : shards->as_object()) {
    const std::string& id = m.key;
    const protocol::Value& v = m.value;
    Shard s;
    s.id = id;
    if (const protocol::Value* seq = v.find("seq"); seq && seq->is_string()) s.delivered_seq = seq->as_string();
    if (const protocol::Value* done = v.find("done"); done && done->is_bool()) s.done = s.finished = done->as_bool();
    shards_.emplace(id, std::move(s));
  }
}

Status KinesisSource::discover() {
  auto info = streams_.describe_stream(stream_);
  if (!info) return Status::not_found(info.error().message);
  discovered_ms_ = wall_ms();
  for (const streams::StreamShard& sh : info->shards) {
    auto [it, added] = shards_.try_emplace(sh.shard_id);
    Shard& s = it->second;
    if (added) s.id = sh.shard_id;
    s.parents.clear();
    if (sh.parent_shard_id) s.parents.push_back(*sh.parent_shard_id);
    if (sh.adjacent_parent_shard_id) s.parents.push_back(*sh.adjacent_parent_shard_id);
  }
  return Status::ok();
}

bool KinesisSource::parents_done(const Shard& s) const {
  for (const std::string& p : s.parents) {
    auto it = shards_.find(p);
    // A parent we never knew (trimmed, or before the start) holds nothing for us.
    if (it != shards_.end() && !it->second.finished) return false;
  }
  return true;
}

Status KinesisSource::read(uint64_t max_bytes, std::vector<SourceRecord>& out) {
  if (shards_.empty() || discovered_ms_ == 0 || wall_ms() - discovered_ms_ >= kRediscoverMs) {
    if (Status st = discover(); !st) return st;
  }
  uint64_t bytes = 0;
  bool found_children = false;
  for (auto& [id, s] : shards_) {
    if (s.finished || !parents_done(s)) continue;
    for (int round = 0; round < kReadsPerShardPerCall && bytes < max_bytes; ++round) {
      if (s.cursor.empty()) {
        streams::ReadPosition pos;
        const std::string& after = !s.read_seq.empty() ? s.read_seq : s.delivered_seq;
        if (!after.empty()) {
          pos.type = streams::ReadPositionType::kAfterSequenceNumber;
          pos.sequence_number = after;
        } else {
          pos.type = streams::ReadPositionType::kAtTimestamp;
          pos.timestamp_ms = start_ms_;
        }
        auto cursor = streams_.cursor(stream_, id, pos);
        if (!cursor) return Status::not_found(cursor.error().message);
        s.cursor = std::move(*cursor);
      }
      auto r = streams_.read(s.cursor, kReadLimit);
      if (!r) {
        // An expired cursor (nothing read for five minutes): start again
        // from the last record read, next time.
        s.cursor.clear();
        return Status::aborted(r.error().message);
      }
      for (auto& rec : r->records) {
        bytes += rec.data.size();
        s.read_seq = rec.sequence_number;
        SourceRecord sr;
        sr.record.partition_key = std::move(rec.partition_key);
        sr.record.data = std::move(rec.data);
        sr.record.arrival_ms = rec.arrival_ms;
        sr.shard_id = id;
        sr.sequence_number = s.read_seq;
        out.push_back(std::move(sr));
      }
      if (!r->next_cursor) {
        s.finished = true;
        s.cursor.clear();
        found_children = !r->child_shards.empty() || found_children;
        break;
      }
      s.cursor = std::move(*r->next_cursor);
      if (r->records.empty()) break;
    }
  }
  if (found_children) discovered_ms_ = 0;  // read the children's place in the next call
  return Status::ok();
}

std::string KinesisSource::delivered(const std::map<std::string, std::string>& last_sequence_by_shard) {
  for (const auto& [id, seq] : last_sequence_by_shard) {
    auto it = shards_.find(id);
    if (it != shards_.end()) it->second.delivered_seq = seq;
  }
  for (auto& [id, s] : shards_)
    if (s.finished && s.read_seq == s.delivered_seq) s.done = true;
  return checkpoint_json();
}

std::string KinesisSource::checkpoint_json() const {
  protocol::Value shards = protocol::Object{};
  for (const auto& [id, s] : shards_) {
    if (s.delivered_seq.empty() && !s.done) continue;
    protocol::Value v = protocol::Object{};
    v.set("seq", s.delivered_seq);
    v.set("done", s.done);
    shards.set(id, std::move(v));
  }
  protocol::Value doc = protocol::Object{};
  doc.set("shards", std::move(shards));
  return protocol::encode_json(doc);
}

}  // namespace runnel::firehose
