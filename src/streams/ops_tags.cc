// Tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream and the
// ARN-based TagResource, UntagResource, ListTagsForResource.

#include <mutex>

#include "streams/input.h"
#include "streams/kinesis_service.h"
#include "streams/tags.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Object;
using protocol::Value;

namespace {

constexpr size_t kMaxTagsPerStream = 50;

// AWS allows Unicode letters, digits, white space and _ . / = + - % @ (and :
// for TagResource). Bytes of multi-byte UTF-8 sequences are accepted as
// letters: we do not classify every Unicode code point.
bool valid_tag_text(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80 || std::isalnum(c) || std::isspace(c)) continue;
    if (std::string_view("_./=+-%@:").find(static_cast<char>(c)) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

protocol::ApiResult<void> check_tags(const Value& tags) {
  for (const auto& m : tags.as_object()) {
    if (!valid_tag_text(m.key) || (m.value.is_string() && !valid_tag_text(m.value.as_string())))
      return std::unexpected(protocol::invalid_argument(
          "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
          "_ . / = + - % @."));
    if (m.key.rfind("aws:", 0) == 0)
      return std::unexpected(protocol::invalid_argument("Tag keys starting with 'aws:' are reserved for AWS use."));
  }
  return {};
}

Status KinesisService::tags_changed_locked(StreamState& s) { return persist_locked(s); }

protocol::ApiResult<Value> KinesisService::add_tags(const Value& in, const Ctx& ctx) {
  const Value& tags = *in.find("Tags");
  if (auto ok = check_tags(tags); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mu_);
  auto found = find_stream_locked(in, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  auto merged = s.tags;
  for (const auto& m : tags.as_object()) merged[m.key] = m.value.is_string() ? m.value.as_string() : "";
  if (merged.size() > kMaxTagsPerStream)
    return std::unexpected(protocol::invalid_argument(
        "Failed to add tags to stream " + s.name + " under account " + options_.account_id +
        " because a given stream cannot have more than " + std::to_string(kMaxTagsPerStream) +
        " tags associated with it."));
  s.tags = std::move(merged);
  if (Status st = tags_changed_locked(s); !st) return std::unexpected(protocol::internal_failure());
  return Value();
}

protocol::ApiResult<Value> KinesisService::remove_tags(const Value& in, const Ctx& ctx) {
  std::unique_lock lock(mu_);
  auto found = find_stream_locked(in, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  for (const auto& k : in.find("TagKeys")->as_array())
    if (k.is_string()) s.tags.erase(k.as_string());
  if (Status st = tags_changed_locked(s); !st) return std::unexpected(protocol::internal_failure());
  return Value();
}

protocol::ApiResult<Value> KinesisService::list_tags_for_stream(const Value& in, const Ctx& ctx) {
  std::shared_lock lock(mu_);
  auto found = find_stream_locked(in, ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  // AWS lists 10 tags unless asked for more (up to 50).
  size_t limit = static_cast<size_t>(input_int(in, "Limit").value_or(10));
  auto it = s.tags.begin();
  if (const std::string* start = input_string(in, "ExclusiveStartTagKey")) it = s.tags.upper_bound(*start);
  Array tags;
  bool more = false;
  for (; it != s.tags.end(); ++it) {
    if (tags.size() == limit) {
      more = true;
      break;
    }
    Value t = Object{};
    t.set("Key", it->first);
    t.set("Value", it->second);
    tags.push_back(std::move(t));
  }
  Value out = Object{};
  out.set("Tags", std::move(tags));
  out.set("HasMoreTags", more);
  return out;
}

// The tags of a stream ARN or of a consumer ARN (TagResource and friends
// accept both), and the stream whose document holds them. Caller holds mu_.
protocol::ApiResult<KinesisService::TaggedResource> KinesisService::find_tagged_locked(const std::string& arn,
                                                                                     const Ctx& ctx) {
  if (arn.find("/consumer/") != std::string::npos) {
    auto ref = find_consumer_by_arn_locked(arn, ctx);
    if (!ref) return std::unexpected(ref.error());
    return TaggedResource{ref->stream, &ref->consumer->tags};
  }
  auto s = find_stream_by_arn_locked(arn, ctx);
  if (!s) return std::unexpected(s.error());
  return TaggedResource{*s, &(*s)->tags};
}

protocol::ApiResult<Value> KinesisService::tag_resource(const Value& in, const Ctx& ctx) {
  const std::string& arn = *input_string(in, "ResourceARN");
  if (arn.find("/consumer/") == std::string::npos) {
    Value request = Object{};
    request.set("StreamARN", arn);
    request.set("Tags", *in.find("Tags"));
    return add_tags(request, ctx);
  }
  const Value& tags = *in.find("Tags");
  if (auto ok = check_tags(tags); !ok) return std::unexpected(ok.error());
  std::unique_lock lock(mu_);
  auto found = find_tagged_locked(arn, ctx);
  if (!found) return std::unexpected(found.error());
  auto merged = *found->tags;
  for (const auto& m : tags.as_object()) merged[m.key] = m.value.is_string() ? m.value.as_string() : "";
  if (merged.size() > kMaxTagsPerStream)
    return std::unexpected(protocol::invalid_argument(
        "Failed to add tags to " + arn + " because a resource cannot have more than " +
        std::to_string(kMaxTagsPerStream) + " tags associated with it."));
  *found->tags = std::move(merged);
  if (Status st = tags_changed_locked(*found->stream); !st) return std::unexpected(protocol::internal_failure());
  return Value();
}

protocol::ApiResult<Value> KinesisService::untag_resource(const Value& in, const Ctx& ctx) {
  std::unique_lock lock(mu_);
  auto found = find_tagged_locked(*input_string(in, "ResourceARN"), ctx);
  if (!found) return std::unexpected(found.error());
  for (const auto& k : in.find("TagKeys")->as_array())
    if (k.is_string()) found->tags->erase(k.as_string());
  if (Status st = tags_changed_locked(*found->stream); !st) return std::unexpected(protocol::internal_failure());
  return Value();
}

protocol::ApiResult<Value> KinesisService::list_tags_for_resource(const Value& in, const Ctx& ctx) {
  std::shared_lock lock(mu_);
  auto found = find_tagged_locked(*input_string(in, "ResourceARN"), ctx);
  if (!found) return std::unexpected(found.error());
  Array tags;
  for (const auto& [k, v] : *found->tags) {
    Value t = Object{};
    t.set("Key", k);
    t.set("Value", v);
    tags.push_back(std::move(t));
  }
  Value out = Object{};
  out.set("Tags", std::move(tags));
  return out;
}

}  // namespace runnel::streams
