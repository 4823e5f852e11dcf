#include "bench/subscription_reader.h"

#include "bench/kinesis_requests.h"
#include "bench/records_answer.h"

namespace runnel::bench {

SubscriptionReader::SubscriptionReader(RecordCallback on_record) : on_record_(std::move(on_record)) {}

Status SubscriptionReader::feed(std::string_view bytes) {
  if (!failure_.is_ok()) return failure_;
  decoder_.feed(bytes);
  while (true) {
    auto next = decoder_.next();
    if (!next) return failure_ = next.error();
    if (!next->has_value()) return Status::ok();
    if (Status s = handle(**next); !s.is_ok()) return failure_ = s;
  }
}

Status SubscriptionReader::handle(const protocol::eventstream::Message& m) {
  const std::string_view kind = m.string_header(":message-type");
  if (kind == "event") {
    const std::string_view type = m.string_header(":event-type");
    if (type == "initial-response") {
      initial_response_ = true;
      return Status::ok();
    }
    if (type != "SubscribeToShardEvent") return Status::ok();  // unknown events are skipped, as SDKs do
    if (!initial_response_) missing_initial_response_ = true;
    return handle_event(m.string_header(":content-type"), m.payload);
  }
  if (kind == "exception") {
    exception_type_ = std::string(m.string_header(":exception-type"));
    auto body = decode_body(m.payload, m.string_header(":content-type").find("cbor") != std::string_view::npos
                                           ? Encoding::kCbor
                                           : Encoding::kJson);
    if (body) {
      for (std::string_view key : {"message", "Message"}) {
        if (auto msg = string_member(*body, key); !msg.empty()) exception_message_ = std::string(msg);
      }
    }
    return Status::ok();
  }
  if (kind == "error") {
    exception_type_ = std::string(m.string_header(":error-code"));
    exception_message_ = std::string(m.string_header(":error-message"));
    return Status::ok();
  }
  return Status::corruption("event-stream message of unknown :message-type '" + std::string(kind) + "'");
}

Status SubscriptionReader::handle_event(std::string_view content_type, std::string_view payload) {
  const Encoding enc = content_type.find("cbor") != std::string_view::npos ? Encoding::kCbor : Encoding::kJson;
  if (enc == Encoding::kJson) {
    // Records are handed over only once the whole event has been read, so a
    // declined event is not counted twice by the generic path below.
    scratch_.assign(payload);
    data_.clear();
    auto fast = scan_subscribe_event_json(scratch_, [this](std::string_view d) { data_.push_back(d); });
    if (fast) {
      events_++;
      for (std::string_view d : data_) on_record_(d, true);
      note_position(fast->continuation, fast->child_shards);
      return Status::ok();
    }
  }
  auto event = decode_body(payload, enc);
  if (!event || !event->is_object()) return Status::corruption("undecodable SubscribeToShardEvent payload");
  events_++;
  if (const protocol::Value* records = event->find("Records"); records && records->is_array()) {
    for (const protocol::Value& r : records->as_array()) {
      const protocol::Value* data = r.find("Data");
      std::optional<std::string> bytes = data ? blob_bytes(*data) : std::nullopt;
      if (!bytes) return Status::corruption("a record without decodable Data");
      on_record_(*bytes, false);
    }
  }
  const protocol::Value* children = event->find("ChildShards");
  note_position(string_member(*event, "ContinuationSequenceNumber"),
                children && children->is_array() && !children->as_array().empty());
  return Status::ok();
}

void SubscriptionReader::note_position(std::string_view continuation, bool child_shards) {
  if (continuation.empty() || child_shards) shard_ended_ = true;
  if (!continuation.empty()) continuation_ = std::string(continuation);
}

}  // namespace runnel::bench
