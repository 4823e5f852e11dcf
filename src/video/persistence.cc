#include "video/persistence.h"

#include <fmt/format.h>

#include "protocol/json_codec.h"
#include "protocol/value_timestamps.h"

namespace runnel::video {
namespace {

using protocol::Value;

Value encode_tags(const Tags& tags) {
  Value out = protocol::Object{};
  for (const auto& [k, v] : tags) out.set(k, Value(v));
  return out;
}

Result<Tags> decode_tags(const Value* v) {
  Tags out;
  if (!v) return out;
  if (!v->is_object()) return std::unexpected(Status::corruption("video document: Tags is not an object"));
  for (const auto& m : v->as_object()) {
    if (!m.value.is_string()) return std::unexpected(Status::corruption("video document: a tag value is not a string"));
    out.emplace_back(m.key, m.value.as_string());
  }
  return out;
}

// Decodes member `key` of `doc` into `out` when present.
template <class T>
Status decode_member(Value& doc, std::string_view key, std::optional<T>& out) {
  Value* v = doc.find(key);
  if (!v || v->is_null()) return Status::ok();
  T shape;
  if (auto r = api::decode(std::move(*v), shape); !r)
    return Status::corruption(fmt::format("video document {}: {}", key, r.error().message));
  out = std::move(shape);
  return Status::ok();
}

Result<Value> parse(std::string_view json, std::string_view what) {
  auto doc = protocol::decode_json(json);
  if (!doc || !doc->is_object())
    return std::unexpected(Status::corruption(fmt::format("video {} document is not a JSON object", what)));
  // CreationTime is the only timestamp the documents hold.
  protocol::ms_to_timestamps(*doc, "Time");
  return std::move(*doc);
}

int64_t transition_at(const Value& doc) {
  const Value* t = doc.find("TransitionAtMs");
  return t && t->is_int() ? t->as_int() : 0;
}

}  // namespace

std::string encode_stream(const StoredStream& s) {
  Value doc = protocol::Object{};
  doc.set("StreamInfo", api::encode(s.info));
  doc.set("Tags", encode_tags(s.tags));
  doc.set("TransitionAtMs", Value(s.transition_at_ms));
  if (s.storage) doc.set("StreamStorageConfiguration", api::encode(*s.storage));
  if (s.image_generation) doc.set("ImageGenerationConfiguration", api::encode(*s.image_generation));
  if (s.notification) doc.set("NotificationConfiguration", api::encode(*s.notification));
  protocol::timestamps_to_ms(doc);
  return protocol::encode_json(doc);
}

Result<StoredStream> decode_stream(std::string_view json) {
  auto doc = parse(json, "stream");
  if (!doc) return std::unexpected(doc.error());
  StoredStream s;
  std::optional<api::StreamInfo> info;
  if (Status st = decode_member(*doc, "StreamInfo", info); !st) return std::unexpected(st);
  if (!info || !info->stream_name || !info->stream_arn)
    return std::unexpected(Status::corruption("video stream document without StreamInfo"));
  s.info = std::move(*info);
  auto tags = decode_tags(doc->find("Tags"));
  if (!tags) return std::unexpected(tags.error());
  s.tags = std::move(*tags);
  s.transition_at_ms = transition_at(*doc);
  if (Status st = decode_member(*doc, "StreamStorageConfiguration", s.storage); !st) return std::unexpected(st);
  if (Status st = decode_member(*doc, "ImageGenerationConfiguration", s.image_generation); !st)
    return std::unexpected(st);
  if (Status st = decode_member(*doc, "NotificationConfiguration", s.notification); !st) return std::unexpected(st);
  return s;
}

std::string encode_channel(const StoredChannel& c) {
  Value doc = protocol::Object{};
  doc.set("ChannelInfo", api::encode(c.info));
  doc.set("Tags", encode_tags(c.tags));
  doc.set("TransitionAtMs", Value(c.transition_at_ms));
  protocol::timestamps_to_ms(doc);
  return protocol::encode_json(doc);
}

Result<StoredChannel> decode_channel(std::string_view json) {
  auto doc = parse(json, "channel");
  if (!doc) return std::unexpected(doc.error());
  StoredChannel c;
  std::optional<api::ChannelInfo> info;
  if (Status st = decode_member(*doc, "ChannelInfo", info); !st) return std::unexpected(st);
  if (!info || !info->channel_name || !info->channel_arn)
    return std::unexpected(Status::corruption("video channel document without ChannelInfo"));
  c.info = std::move(*info);
  auto tags = decode_tags(doc->find("Tags"));
  if (!tags) return std::unexpected(tags.error());
  c.tags = std::move(*tags);
  c.transition_at_ms = transition_at(*doc);
  return c;
}

}  // namespace runnel::video
