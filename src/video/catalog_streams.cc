// Catalog's stream operations: lifecycle, retention, stored configurations.
#include <fmt/format.h>

#include "video/catalog.h"
#include "video/errors.h"
#include "video/listing.h"

namespace runnel::video {

using protocol::ApiResult;

namespace {

ApiResult<void> check_retention(int64_t hours) {
  if (hours < 0 || hours > kMaxDataRetentionHours) {
    return std::unexpected(invalid_argument(
        fmt::format("DataRetentionInHours must be between 0 and {} hours, not {}.", kMaxDataRetentionHours, hours)));
  }
  return {};
}

}  // namespace

ApiResult<api::CreateStreamOutput> Catalog::create_stream(const api::CreateStreamInput& in, std::string_view region) {
  MutexLock lock(mu_);
  advance();
  if (streams_.contains(in.stream_name)) {
    return std::unexpected(resource_in_use(fmt::format("The stream {} already exists.", in.stream_name)));
  }
  if (streams_.size() >= options_.stream_limit) {
    return std::unexpected(account_stream_limit_exceeded(
        fmt::format("The account has reached its limit of {} video streams.", options_.stream_limit)));
  }
  const int32_t retention = in.data_retention_in_hours.value_or(0);
  if (auto r = check_retention(retention); !r) return std::unexpected(r.error());
  StoredStream s;
  if (in.tags) {
    if (auto r = merge_tags(s.tags, *in.tags, in.stream_name); !r) return std::unexpected(r.error());
  }
  const int64_t now = now_ms();
  s.info.stream_name = in.stream_name;
  s.info.stream_arn = resource_arn(kStreamType, region, options_.account_id, in.stream_name, now);
  s.info.device_name = in.device_name;
  s.info.media_type = in.media_type;
  s.info.kms_key_id =
      in.kms_key_id.value_or(fmt::format("arn:aws:kms:{}:{}:alias/aws/kinesisvideo", region, options_.account_id));
  s.info.version = versions_.next();
  s.info.status = std::string(api::Status::kCreating);
  s.info.creation_time = protocol::Timestamp{now};
  s.info.data_retention_in_hours = retention;
  s.storage = in.stream_storage_configuration;
  s.transition_at_ms = now + options_.create_stream_ms;
  if (auto r = save(s); !r) return std::unexpected(r.error());
  api::CreateStreamOutput out;
  out.stream_arn = s.info.stream_arn;
  streams_[in.stream_name] = std::move(s);
  return out;
}

ApiResult<api::DescribeStreamOutput> Catalog::describe_stream(const api::DescribeStreamInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kAny);
  if (!s) return std::unexpected(s.error());
  api::DescribeStreamOutput out;
  out.stream_info = (*s)->info;
  return out;
}

ApiResult<api::StreamInfo> Catalog::find_stream(const std::optional<std::string>& name,
                                                const std::optional<std::string>& arn) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(name, arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  return (*s)->info;
}

ApiResult<api::ListStreamsOutput> Catalog::list_streams(const api::ListStreamsInput& in) {
  MutexLock lock(mu_);
  advance();
  std::optional<std::string> begins_with;
  if (in.stream_name_condition) begins_with = in.stream_name_condition->comparison_value;
  api::ListStreamsOutput out;
  out.stream_info_list.emplace();
  auto next = page(streams_, in.next_token, begins_with, in.max_results,
                   [&](const StoredStream& s) { out.stream_info_list->push_back(s.info); });
  if (!next) return std::unexpected(next.error());
  out.next_token = std::move(*next);
  return out;
}

ApiResult<void> Catalog::update_stream(const api::UpdateStreamInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kActive);
  if (!s) return std::unexpected(s.error());
  if (auto r = check_version(in.current_version, *(*s)->info.version, "stream"); !r) return r;
  StoredStream next = **s;
  if (in.device_name) next.info.device_name = in.device_name;
  if (in.media_type) next.info.media_type = in.media_type;
  next.info.version = versions_.next();
  return replace(**s, std::move(next));
}

ApiResult<void> Catalog::update_data_retention(const api::UpdateDataRetentionInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kActive);
  if (!s) return std::unexpected(s.error());
  if (auto r = check_version(in.current_version, *(*s)->info.version, "stream"); !r) return r;
  const int64_t current = (*s)->info.data_retention_in_hours.value_or(0);
  const bool increase = in.operation == api::UpdateDataRetentionOperation::kIncreaseDataRetention;
  const int64_t wanted =
      increase ? current + in.data_retention_change_in_hours : current - in.data_retention_change_in_hours;
  if (wanted < 0 || wanted > kMaxDataRetentionHours) {
    return std::unexpected(invalid_argument(
        fmt::format("{} by {} hours would make the stream's data retention {} hours; it must be between 0 and {}.",
                    in.operation, in.data_retention_change_in_hours, wanted, kMaxDataRetentionHours)));
  }
  StoredStream next = **s;
  next.info.data_retention_in_hours = static_cast<int32_t>(wanted);
  next.info.version = versions_.next();
  return replace(**s, std::move(next));
}

ApiResult<void> Catalog::delete_stream(const api::DeleteStreamInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(std::nullopt, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  if (auto r = check_version(in.current_version, *(*s)->info.version, "stream"); !r) return r;
  StoredStream next = **s;
  next.info.status = std::string(api::Status::kDeleting);
  next.transition_at_ms = now_ms() + options_.delete_stream_ms;
  return replace(**s, std::move(next));
}

ApiResult<api::DescribeImageGenerationConfigurationOutput> Catalog::describe_image_generation(
    const api::DescribeImageGenerationConfigurationInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  api::DescribeImageGenerationConfigurationOutput out;
  if ((*s)->image_generation) out.image_generation_configuration = *(*s)->image_generation;
  return out;
}

ApiResult<void> Catalog::update_image_generation(const api::UpdateImageGenerationConfigurationInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kActive);
  if (!s) return std::unexpected(s.error());
  const auto& config = in.image_generation_configuration;
  if (config && config->status == api::ConfigurationStatus::kEnabled && (*s)->info.data_retention_in_hours == 0) {
    return std::unexpected(no_data_retention("The Stream data retention in hours is equal to zero."));
  }
  if (config && (config->sampling_interval < 200 || config->sampling_interval > 20000)) {
    return std::unexpected(invalid_argument(fmt::format(
        "SamplingInterval must be between 200 and 20000 milliseconds, not {}.", config->sampling_interval)));
  }
  StoredStream next = **s;
  next.image_generation = config;
  return replace(**s, std::move(next));
}

ApiResult<api::DescribeNotificationConfigurationOutput> Catalog::describe_notification(
    const api::DescribeNotificationConfigurationInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  api::DescribeNotificationConfigurationOutput out;
  if ((*s)->notification) out.notification_configuration = *(*s)->notification;
  return out;
}

ApiResult<void> Catalog::update_notification(const api::UpdateNotificationConfigurationInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kActive);
  if (!s) return std::unexpected(s.error());
  const auto& config = in.notification_configuration;
  if (config && config->status == api::ConfigurationStatus::kEnabled && (*s)->info.data_retention_in_hours == 0) {
    return std::unexpected(no_data_retention("The Stream data retention in hours is equal to zero."));
  }
  StoredStream next = **s;
  next.notification = config;
  return replace(**s, std::move(next));
}

ApiResult<api::DescribeStreamStorageConfigurationOutput> Catalog::describe_storage(
    const api::DescribeStreamStorageConfigurationInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  api::DescribeStreamStorageConfigurationOutput out;
  out.stream_name = (*s)->info.stream_name;
  out.stream_arn = (*s)->info.stream_arn;
  // A stream created without one is on the HOT tier, as on AWS.
  out.stream_storage_configuration =
      (*s)->storage.value_or(api::StreamStorageConfiguration{std::string(api::DefaultStorageTier::kHot)});
  return out;
}

ApiResult<void> Catalog::update_storage(const api::UpdateStreamStorageConfigurationInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kActive);
  if (!s) return std::unexpected(s.error());
  if (auto r = check_version(in.current_version, *(*s)->info.version, "stream"); !r) return r;
  StoredStream next = **s;
  next.storage = in.stream_storage_configuration;
  next.info.version = versions_.next();
  return replace(**s, std::move(next));
}

}  // namespace runnel::video
