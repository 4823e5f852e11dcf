// TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "firehose/firehose_service.h"
#include "firehose/tags.h"

namespace runnel::firehose {

protocol::ApiResult<protocol::NoOutput> FirehoseService::tag(const api::TagDeliveryStreamInput& in, const Ctx& ctx) {
  if (auto e = rate_limit("TagDeliveryStream", ctx)) return std::unexpected(*e);
  MutexLock lock(mu_);
  Stream* s = find_locked(in.delivery_stream_name);
  if (!s) return std::unexpected(not_found(in.delivery_stream_name, ctx));
  if (s->spec.description.delivery_stream_status == "DELETING") {
    return std::unexpected(protocol::resource_in_use("Firehose " + in.delivery_stream_name + " is being deleted."));
  }
  std::vector<api::Tag> before = s->tags;
  if (auto e = merge_tags(s->tags, in.tags)) return std::unexpected(*e);
  if (Status st = persist_locked(*s); !st) {
    s->tags = std::move(before);
    spdlog::error("firehose: persisting {}: {}", in.delivery_stream_name, st.to_string());
    return std::unexpected(protocol::internal_failure());
  }
  return protocol::NoOutput{};
}

protocol::ApiResult<protocol::NoOutput> FirehoseService::untag(const api::UntagDeliveryStreamInput& in,
                                                               const Ctx& ctx) {
  if (auto e = rate_limit("UntagDeliveryStream", ctx)) return std::unexpected(*e);
  MutexLock lock(mu_);
  Stream* s = find_locked(in.delivery_stream_name);
  if (!s) return std::unexpected(not_found(in.delivery_stream_name, ctx));
  if (s->spec.description.delivery_stream_status == "DELETING") {
    return std::unexpected(protocol::resource_in_use("Firehose " + in.delivery_stream_name + " is being deleted."));
  }
  for (const std::string& key : in.tag_keys) {
    if (key.starts_with("aws:")) {
      return std::unexpected(protocol::invalid_argument("Tag keys beginning with 'aws:' are reserved by AWS: " + key));
    }
  }
  std::vector<api::Tag> before = s->tags;
  std::erase_if(s->tags, [&](const api::Tag& t) {
    return std::find(in.tag_keys.begin(), in.tag_keys.end(), t.key) != in.tag_keys.end();
  });
  if (Status st = persist_locked(*s); !st) {
    s->tags = std::move(before);
    spdlog::error("firehose: persisting {}: {}", in.delivery_stream_name, st.to_string());
    return std::unexpected(protocol::internal_failure());
  }
  return protocol::NoOutput{};
}

protocol::ApiResult<api::ListTagsForDeliveryStreamOutput> FirehoseService::list_tags(
    const api::ListTagsForDeliveryStreamInput& in, const Ctx& ctx) {
  if (auto e = rate_limit("ListTagsForDeliveryStream", ctx)) return std::unexpected(*e);
  MutexLock lock(mu_);
  Stream* s = find_locked(in.delivery_stream_name);
  if (!s) return std::unexpected(not_found(in.delivery_stream_name, ctx));
  const size_t limit = static_cast<size_t>(in.limit.value_or(int32_t(kMaxTags)));
  api::ListTagsForDeliveryStreamOutput out;
  for (const api::Tag& t : s->tags) {
    if (in.exclusive_start_tag_key && t.key <= *in.exclusive_start_tag_key) continue;
    if (out.tags.size() == limit) {
      out.has_more_tags = true;
      break;
    }
    out.tags.push_back(t);
  }
  return out;
}

}  // namespace runnel::firehose
