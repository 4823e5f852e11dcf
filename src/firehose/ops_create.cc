// CreateDeliveryStream.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "firehose/firehose_service.h"
#include "firehose/tags.h"
#include "firehose/validation.h"

namespace runnel::firehose {
namespace {

constexpr std::string_view kDestinationId = "destinationId-000000000001";

// The stream name of a Kinesis stream ARN, or nullopt.
std::optional<std::string> kinesis_stream_name(std::string_view arn) {
  // arn:<partition>:kinesis:<region>:<account>:stream/<name>
  if (!arn.starts_with("arn:")) return std::nullopt;
  size_t colons[5];
  size_t at = 0;
  for (size_t& c : colons) {
    at = arn.find(':', at);
    if (at == std::string_view::npos) return std::nullopt;
    c = at++;
  }
  if (arn.substr(colons[1] + 1, colons[2] - colons[1] - 1) != "kinesis") return std::nullopt;
  std::string_view resource = arn.substr(colons[4] + 1);
  if (!resource.starts_with("stream/") || resource.size() == 7) return std::nullopt;
  return std::string(resource.substr(7));
}

}  // namespace

protocol::ApiResult<api::CreateDeliveryStreamOutput> FirehoseService::create(const api::CreateDeliveryStreamInput& in,
                                                                             const Ctx& ctx) {
  if (auto e = rate_limit("CreateDeliveryStream", ctx)) return std::unexpected(*e);
  const std::string type = in.delivery_stream_type.value_or("DirectPut");
  if (type == "MSKAsSource" || type == "DatabaseAsSource") {
    return std::unexpected(protocol::invalid_argument(
        "runnel does not support the " + type + " delivery stream type; use DirectPut or KinesisStreamAsSource."));
  }
  if (in.msk_source_configuration || in.database_source_configuration) {
    return std::unexpected(protocol::invalid_argument(
        "MSKSourceConfiguration and DatabaseSourceConfiguration are not supported by runnel."));
  }
  if (type == "KinesisStreamAsSource" && !in.kinesis_stream_source_configuration) {
    return std::unexpected(protocol::invalid_argument(
        "KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource."));
  }
  if (type != "KinesisStreamAsSource" && in.kinesis_stream_source_configuration) {
    return std::unexpected(protocol::invalid_argument(
        "KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource."));
  }
  if (type != "DirectPut" && in.direct_put_source_configuration) {
    return std::unexpected(protocol::invalid_argument(
        "DirectPutSourceConfiguration is only allowed when DeliveryStreamType is DirectPut."));
  }
  if (in.direct_put_source_configuration) {
    int32_t hint = in.direct_put_source_configuration->throughput_hint_in_m_bs;
    if (hint < 1 || hint > 100) {
      return std::unexpected(protocol::invalid_argument("ThroughputHintInMBs must be between 1 and 100."));
    }
  }

  // Exactly one destination.
  protocol::Value input = api::encode(in);
  std::optional<DestinationType> dest;
  protocol::Value config;
  int count = 0;
  for (const auto& k : destination_keys()) {
    protocol::Value* v = input.find(k.config);
    if (!v || v->is_null()) continue;
    ++count;
    dest = k.type;
    config = std::move(*v);
  }
  if (count != 1) {
    return std::unexpected(protocol::invalid_argument(
        "Exactly one destination configuration must be specified (ExtendedS3DestinationConfiguration, "
        "S3DestinationConfiguration, HttpEndpointDestinationConfiguration, ...); found " +
        std::to_string(count) + "."));
  }
  if (*dest == DestinationType::kSnowflake || *dest == DestinationType::kIceberg) {
    return std::unexpected(protocol::invalid_argument("runnel does not support the " +
                                                      std::string(keys_of(*dest).name) + " destination."));
  }
  Secrets secrets;
  protocol::Value described = describe_configuration(*dest, std::move(config), secrets);
  auto destination = make_destination(*dest, std::string(kDestinationId), std::move(described));
  if (!destination) return std::unexpected(destination.error());
  if (auto e = validate_destination(*destination)) return std::unexpected(*e);

  // Encryption and tags.
  api::DeliveryStreamEncryptionConfiguration encryption;
  encryption.status = "DISABLED";
  if (in.delivery_stream_encryption_configuration_input) {
    if (type != "DirectPut") {
      return std::unexpected(protocol::invalid_argument(
          "Server-side encryption is supported only for delivery streams of type DirectPut; a " + type +
          " stream is encrypted by its source."));
    }
    const auto& enc = *in.delivery_stream_encryption_configuration_input;
    if (auto e = check_encryption_input(enc)) return std::unexpected(*e);
    encryption.key_type = enc.key_type;
    encryption.key_arn = enc.key_arn;
    encryption.status = "ENABLED";
  }
  std::vector<api::Tag> tags;
  if (in.tags) {
    if (auto e = merge_tags(tags, *in.tags)) return std::unexpected(*e);
  }

  // The source.
  const int64_t now = now_ms();
  std::optional<api::SourceDescription> source;
  if (in.kinesis_stream_source_configuration) {
    const auto& k = *in.kinesis_stream_source_configuration;
    auto stream = kinesis_stream_name(k.kinesis_stream_arn);
    if (!stream) {
      return std::unexpected(protocol::invalid_argument("KinesisStreamARN '" + k.kinesis_stream_arn +
                                                        "' is not a valid Kinesis stream ARN."));
    }
    if (!data_streams_ || !data_streams_->describe_stream(*stream)) {
      return std::unexpected(protocol::invalid_argument("Kinesis stream " + k.kinesis_stream_arn +
                                                        " does not exist or is not accessible."));
    }
    api::KinesisStreamSourceDescription ks;
    ks.kinesis_stream_arn = k.kinesis_stream_arn;
    ks.role_arn = k.role_arn;
    ks.delivery_start_timestamp = protocol::Timestamp{now};
    source.emplace();
    source->kinesis_stream_source_description = std::move(ks);
  } else if (in.direct_put_source_configuration) {
    source.emplace();
    source->direct_put_source_description.emplace();
    source->direct_put_source_description->throughput_hint_in_m_bs =
        in.direct_put_source_configuration->throughput_hint_in_m_bs;
  }

  // The log shard of a DirectPut stream, from the counter Data Streams
  // allocates its shards from, so keys never collide.
  storage::ShardKey shard = 0;
  if (type == "DirectPut") {
    auto id = metadata_.next_id("shard");
    if (!id) return std::unexpected(protocol::internal_failure());
    shard = *id;
  }

  auto stream = std::make_unique<Stream>();
  auto& d = stream->spec.description;
  d.delivery_stream_name = in.delivery_stream_name;
  d.delivery_stream_arn = arn(ctx.region.empty() ? options_.region : ctx.region, in.delivery_stream_name);
  d.delivery_stream_status = "CREATING";
  d.delivery_stream_encryption_configuration = std::move(encryption);
  d.delivery_stream_type = type;
  d.version_id = "1";
  d.create_timestamp = protocol::Timestamp{now};
  d.source = std::move(source);
  d.destinations.push_back(std::move(*destination));
  d.has_more_destinations = false;
  stream->spec.shard_key = shard;
  stream->spec.http_access_key = secrets.http_access_key;
  stream->spec.redshift_password = secrets.redshift_password;
  stream->secrets = std::move(secrets);
  stream->tags = std::move(tags);
  {
    MutexLock lock(mu_);
    if (streams_.contains(in.delivery_stream_name)) {
      return std::unexpected(protocol::resource_in_use("Firehose " + in.delivery_stream_name + " under accountId " +
                                                       options_.account_id + " already exists"));
    }
    if (streams_.size() >= options_.stream_limit) {
      return std::unexpected(protocol::limit_exceeded("You have already consumed your firehose quota of " +
                                                      std::to_string(options_.stream_limit) + " hoses."));
    }
    stream->incarnation = next_incarnation_++;
    if (Status st = persist_locked(*stream); !st) {
      spdlog::error("firehose: persisting {}: {}", in.delivery_stream_name, st.to_string());
      return std::unexpected(protocol::internal_failure());
    }
    streams_[in.delivery_stream_name] = std::move(stream);
  }
  check_destination(in.delivery_stream_name);
  api::CreateDeliveryStreamOutput out;
  out.delivery_stream_arn = arn(ctx.region.empty() ? options_.region : ctx.region, in.delivery_stream_name);
  return out;
}

}  // namespace runnel::firehose
