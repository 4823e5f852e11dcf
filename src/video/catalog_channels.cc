// Catalog's signaling-channel operations: stored and described; runnel
// serves no WebRTC signaling (docs/video.md).
#include <fmt/format.h>

#include "video/catalog.h"
#include "video/errors.h"
#include "video/listing.h"

namespace runnel::video {

using protocol::ApiResult;

ApiResult<api::CreateSignalingChannelOutput> Catalog::create_channel(const api::CreateSignalingChannelInput& in,
                                                                     std::string_view region) {
  MutexLock lock(mu_);
  advance();
  if (channels_.contains(in.channel_name)) {
    return std::unexpected(resource_in_use(fmt::format("The signaling channel {} already exists.", in.channel_name)));
  }
  if (channels_.size() >= options_.channel_limit) {
    return std::unexpected(account_channel_limit_exceeded(
        fmt::format("The account has reached its limit of {} signaling channels.", options_.channel_limit)));
  }
  StoredChannel c;
  if (in.tags) {
    Tags add;
    for (const api::Tag& t : *in.tags) add.emplace_back(t.key, t.value);
    if (auto r = merge_tags(c.tags, add, in.channel_name); !r) return std::unexpected(r.error());
  }
  const int64_t now = now_ms();
  c.info.channel_name = in.channel_name;
  c.info.channel_arn = resource_arn(kChannelType, region, options_.account_id, in.channel_name, now);
  c.info.channel_type = in.channel_type.value_or(std::string(api::ChannelType::kSingleMaster));
  c.info.channel_status = std::string(api::Status::kCreating);
  c.info.creation_time = protocol::Timestamp{now};
  // AWS's default message TTL is 60 seconds.
  api::SingleMasterConfiguration smc = in.single_master_configuration.value_or(api::SingleMasterConfiguration{});
  if (!smc.message_ttl_seconds) smc.message_ttl_seconds = 60;
  c.info.single_master_configuration = smc;
  c.info.version = versions_.next();
  c.transition_at_ms = now + options_.create_stream_ms;
  if (auto r = save(c); !r) return std::unexpected(r.error());
  api::CreateSignalingChannelOutput out;
  out.channel_arn = c.info.channel_arn;
  channels_[in.channel_name] = std::move(c);
  return out;
}

ApiResult<api::DescribeSignalingChannelOutput> Catalog::describe_channel(const api::DescribeSignalingChannelInput& in) {
  MutexLock lock(mu_);
  advance();
  auto c = channel(in.channel_name, in.channel_arn, Need::kAny);
  if (!c) return std::unexpected(c.error());
  api::DescribeSignalingChannelOutput out;
  out.channel_info = (*c)->info;
  return out;
}

ApiResult<api::ListSignalingChannelsOutput> Catalog::list_channels(const api::ListSignalingChannelsInput& in) {
  MutexLock lock(mu_);
  advance();
  std::optional<std::string> begins_with;
  if (in.channel_name_condition) begins_with = in.channel_name_condition->comparison_value;
  api::ListSignalingChannelsOutput out;
  out.channel_info_list.emplace();
  auto next = page(channels_, in.next_token, begins_with, in.max_results,
                   [&](const StoredChannel& c) { out.channel_info_list->push_back(c.info); });
  if (!next) return std::unexpected(next.error());
  out.next_token = std::move(*next);
  return out;
}

ApiResult<void> Catalog::update_channel(const api::UpdateSignalingChannelInput& in) {
  MutexLock lock(mu_);
  advance();
  auto c = channel(std::nullopt, in.channel_arn, Need::kActive);
  if (!c) return std::unexpected(c.error());
  if (auto r = check_version(in.current_version, *(*c)->info.version, "channel"); !r) return r;
  StoredChannel next = **c;
  if (in.single_master_configuration && in.single_master_configuration->message_ttl_seconds)
    next.info.single_master_configuration = in.single_master_configuration;
  next.info.version = versions_.next();
  return replace(**c, std::move(next));
}

ApiResult<void> Catalog::delete_channel(const api::DeleteSignalingChannelInput& in) {
  MutexLock lock(mu_);
  advance();
  auto c = channel(std::nullopt, in.channel_arn, Need::kNotDeleting);
  if (!c) return std::unexpected(c.error());
  if (auto r = check_version(in.current_version, *(*c)->info.version, "channel"); !r) return r;
  StoredChannel next = **c;
  next.info.channel_status = std::string(api::Status::kDeleting);
  next.transition_at_ms = now_ms() + options_.delete_stream_ms;
  return replace(**c, std::move(next));
}

}  // namespace runnel::video
