#pragma once
// Catalog: the Kinesis Video Streams control plane's state — video streams
// and signaling channels, with their tags and the configurations runnel
// stores without acting on yet (image generation, notifications, storage
// tier) — and the operations on it, with AWS's checks and errors. Every
// change is written to the MetadataStore (persistence.h) before it is
// answered, so what a caller was told survives SIGTERM and kill -9.
//
// Streams go CREATING -> ACTIVE after CatalogOptions::create_stream_ms and
// DELETING -> gone after delete_stream_ms; the transitions are applied, by
// the clock, at the start of every operation (and on load).
//
// Threads: every public method may be called from any thread; one mutex
// serialises them (control-plane rates are low; the store's writes are
// made with it held so that memory and disk agree).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "kinesisvideo_shapes.h"
#include "protocol/api_error.h"
#include "storage/metadata_store.h"
#include "video/names.h"

namespace runnel::video {

using Tags = std::vector<std::pair<std::string, std::string>>;

// A video stream as stored (docs/video.md, "Metadata").
struct StoredStream {
  api::StreamInfo info;  // as DescribeStream answers it
  Tags tags;
  std::optional<api::StreamStorageConfiguration> storage;
  std::optional<api::ImageGenerationConfiguration> image_generation;
  std::optional<api::NotificationConfiguration> notification;
  int64_t transition_at_ms = 0;  // CREATING ends, or DELETING completes, then
};

// A signaling channel as stored.
struct StoredChannel {
  api::ChannelInfo info;
  Tags tags;
  int64_t transition_at_ms = 0;
};

struct CatalogOptions {
  std::string account_id = "000000000000";
  int64_t create_stream_ms = 0;  // time a new stream or channel spends CREATING
  int64_t delete_stream_ms = 0;  // time a deleted one spends DELETING
  size_t stream_limit = 10000;   // streams in the account (AccountStreamLimitExceededException)
  size_t channel_limit = 10000;  // signaling channels in the account
};

// AWS's limits that the model does not carry.
inline constexpr int32_t kMaxDataRetentionHours = 87600;  // ten years
inline constexpr size_t kMaxTagsPerResource = 50;

class Catalog {
 public:
  // `store` must outlive the catalog.
  Catalog(CatalogOptions options, storage::MetadataStore& store);

  // Reads every stream and channel from the store. Call once, before use.
  [[nodiscard]] Status load();

  // The clock (epoch milliseconds); tests replace it before load().
  std::function<int64_t()> now_ms;

  // Streams. `region` is the request's, for new ARNs and the default KMS key.
  protocol::ApiResult<api::CreateStreamOutput> create_stream(const api::CreateStreamInput& in, std::string_view region);
  protocol::ApiResult<api::DescribeStreamOutput> describe_stream(const api::DescribeStreamInput& in);
  protocol::ApiResult<api::ListStreamsOutput> list_streams(const api::ListStreamsInput& in);
  protocol::ApiResult<void> update_stream(const api::UpdateStreamInput& in);
  protocol::ApiResult<void> update_data_retention(const api::UpdateDataRetentionInput& in);
  protocol::ApiResult<void> delete_stream(const api::DeleteStreamInput& in);
  // The stream a data-plane call names (by name or ARN), if it exists and
  // is not being deleted.
  protocol::ApiResult<api::StreamInfo> find_stream(const std::optional<std::string>& name,
                                                   const std::optional<std::string>& arn);

  // Tags, by stream name/ARN or by any resource ARN (stream or channel).
  protocol::ApiResult<void> tag_stream(const api::TagStreamInput& in);
  protocol::ApiResult<void> untag_stream(const api::UntagStreamInput& in);
  protocol::ApiResult<api::ListTagsForStreamOutput> list_tags_for_stream(const api::ListTagsForStreamInput& in);
  protocol::ApiResult<void> tag_resource(const api::TagResourceInput& in);
  protocol::ApiResult<void> untag_resource(const api::UntagResourceInput& in);
  protocol::ApiResult<api::ListTagsForResourceOutput> list_tags_for_resource(const api::ListTagsForResourceInput& in);

  // Configurations stored and described, not acted on (docs/video.md).
  protocol::ApiResult<api::DescribeImageGenerationConfigurationOutput> describe_image_generation(
      const api::DescribeImageGenerationConfigurationInput& in);
  protocol::ApiResult<void> update_image_generation(const api::UpdateImageGenerationConfigurationInput& in);
  protocol::ApiResult<api::DescribeNotificationConfigurationOutput> describe_notification(
      const api::DescribeNotificationConfigurationInput& in);
  protocol::ApiResult<void> update_notification(const api::UpdateNotificationConfigurationInput& in);
  protocol::ApiResult<api::DescribeStreamStorageConfigurationOutput> describe_storage(
      const api::DescribeStreamStorageConfigurationInput& in);
  protocol::ApiResult<void> update_storage(const api::UpdateStreamStorageConfigurationInput& in);

  // Signaling channels (stored; runnel serves no WebRTC signaling).
  protocol::ApiResult<api::CreateSignalingChannelOutput> create_channel(const api::CreateSignalingChannelInput& in,
                                                                        std::string_view region);
  protocol::ApiResult<api::DescribeSignalingChannelOutput> describe_channel(
      const api::DescribeSignalingChannelInput& in);
  protocol::ApiResult<api::ListSignalingChannelsOutput> list_channels(const api::ListSignalingChannelsInput& in);
  protocol::ApiResult<void> update_channel(const api::UpdateSignalingChannelInput& in);
  protocol::ApiResult<void> delete_channel(const api::DeleteSignalingChannelInput& in);

 private:
  enum class Need { kAny, kNotDeleting, kActive };
  // Applies the CREATING/DELETING transitions that are due.
  void advance() REQUIRES(mu_);
  // The stream named by name and/or ARN, in the state `need` asks for.
  protocol::ApiResult<StoredStream*> stream(const std::optional<std::string>& name,
                                            const std::optional<std::string>& arn, Need need) REQUIRES(mu_);
  protocol::ApiResult<StoredChannel*> channel(const std::optional<std::string>& name,
                                              const std::optional<std::string>& arn, Need need) REQUIRES(mu_);
  // Applies `change` to the tags of the resource `arn` names (a stream or
  // a channel) and stores the resource; `tags_of` reads them.
  protocol::ApiResult<void> change_tags(std::string_view arn,
                                        const std::function<protocol::ApiResult<void>(Tags&)>& change) REQUIRES(mu_);
  protocol::ApiResult<Tags> tags_of(std::string_view arn) REQUIRES(mu_);
  // Writes one stream or channel to the store; internal failure if it cannot.
  protocol::ApiResult<void> save(const StoredStream& s) REQUIRES(mu_);
  protocol::ApiResult<void> save(const StoredChannel& c) REQUIRES(mu_);
  // Stores `next` and, once stored, makes it `current` (which is left as it
  // was when the store fails).
  protocol::ApiResult<void> replace(StoredStream& current, StoredStream next) REQUIRES(mu_);
  protocol::ApiResult<void> replace(StoredChannel& current, StoredChannel next) REQUIRES(mu_);

  const CatalogOptions options_;
  storage::MetadataStore& store_;
  Mutex mu_;
  std::map<std::string, StoredStream> streams_ GUARDED_BY(mu_);    // by name
  std::map<std::string, StoredChannel> channels_ GUARDED_BY(mu_);  // by name
  VersionMaker versions_ GUARDED_BY(mu_);
};

// Tag checks shared by every Tag* operation: AWS's rule that keys do not
// start with "aws:", and the limit of 50 per resource after merging `add`
// into `tags`. Merges on success.
protocol::ApiResult<void> merge_tags(Tags& tags, const Tags& add, std::string_view resource);

}  // namespace runnel::video
