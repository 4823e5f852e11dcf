// UpdateDestination.
#include <spdlog/spdlog.h>

#include "firehose/firehose_service.h"
#include "firehose/validation.h"

namespace runnel::firehose {
namespace {

// The legacy S3DestinationDescription of an extended one: its S3 members.
std::optional<api::S3DestinationDescription> s3_subset(const api::DestinationDescription& d) {
  if (!d.extended_s3_destination_description) return std::nullopt;
  protocol::Value ext = api::encode(*d.extended_s3_destination_description);
  protocol::Value s3 = protocol::Object{};
  for (const char* key : {"RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints", "CompressionFormat",
                          "EncryptionConfiguration", "CloudWatchLoggingOptions"}) {
    if (protocol::Value* v = ext.find(key)) s3.set(key, std::move(*v));
  }
  api::S3DestinationDescription out;
  if (!api::decode(std::move(s3), out)) return std::nullopt;
  return out;
}

}  // namespace

protocol::ApiResult<protocol::NoOutput> FirehoseService::update_destination(const api::UpdateDestinationInput& in,
                                                                            const Ctx& ctx) {
  if (auto e = rate_limit("UpdateDestination", ctx)) return std::unexpected(*e);
  protocol::Value input = api::encode(in);
  std::optional<DestinationType> type;
  protocol::Value update;
  int count = 0;
  for (const auto& k : destination_keys()) {
    protocol::Value* v = input.find(k.update);
    if (!v || v->is_null()) continue;
    ++count;
    type = k.type;
    update = std::move(*v);
  }
  if (count != 1) {
    return std::unexpected(protocol::invalid_argument(
        "Exactly one destination update must be specified (ExtendedS3DestinationUpdate, S3DestinationUpdate, "
        "HttpEndpointDestinationUpdate, ...); found " +
        std::to_string(count) + "."));
  }
  if (*type == DestinationType::kSnowflake || *type == DestinationType::kIceberg) {
    return std::unexpected(protocol::invalid_argument("runnel does not support the " +
                                                      std::string(keys_of(*type).name) + " destination."));
  }

  StreamSpec configured;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(in.delivery_stream_name);
    if (!s) return std::unexpected(not_found(in.delivery_stream_name, ctx));
    auto& d = s->spec.description;
    if (d.delivery_stream_status != "ACTIVE") {
      return std::unexpected(protocol::resource_in_use("Firehose " + in.delivery_stream_name + " is in " +
                                                       d.delivery_stream_status +
                                                       " state; its destination can be updated only while ACTIVE."));
    }
    if (in.current_delivery_stream_version_id != d.version_id) {
      return std::unexpected(protocol::ApiError{
          "ConcurrentModificationException",
          "Cannot update firehose: " + in.delivery_stream_name + " since the current version id: " + d.version_id +
              " and the specified version id: " + in.current_delivery_stream_version_id + " do not match",
          400, false});
    }
    if (d.destinations.empty() || d.destinations.front().destination_id != in.destination_id) {
      return std::unexpected(protocol::invalid_argument("Destination Id " + in.destination_id +
                                                        " is not a destination of Firehose " + in.delivery_stream_name +
                                                        "."));
    }
    const api::DestinationDescription& before = d.destinations.front();
    const DestinationType current = type_of(before);  // kExtendedS3 for a legacy S3 stream
    const bool legacy = before.s3_destination_description.has_value();
    const DestinationType incoming = *type == DestinationType::kS3 ? DestinationType::kExtendedS3 : *type;
    Secrets secrets = s->secrets;
    protocol::Value next;
    DestinationType built = incoming;
    if (incoming == current) {
      next = merge_update(current, description_value(current, before), std::move(update), secrets);
    } else {
      built = *type;        // a legacy S3 update replacing another type is described both ways
      secrets = Secrets{};  // a new type's secrets are its own
      next = replace_with_update(*type, std::move(update), secrets);
    }
    auto after = make_destination(built, before.destination_id, std::move(next));
    if (!after) return std::unexpected(after.error());
    if (incoming == current && legacy) after->s3_destination_description = s3_subset(*after);
    if (auto e = validate_destination(*after)) return std::unexpected(*e);
    if (auto e = check_update(before, *after)) return std::unexpected(*e);

    StreamSpec previous_spec = s->spec;
    Secrets previous_secrets = s->secrets;
    d.destinations.front() = std::move(*after);
    d.version_id = std::to_string(s->spec.version() + 1);
    d.last_update_timestamp = protocol::Timestamp{now_ms()};
    s->secrets = std::move(secrets);
    s->spec.http_access_key = s->secrets.http_access_key;
    s->spec.redshift_password = s->secrets.redshift_password;
    if (Status st = persist_locked(*s); !st) {
      s->spec = std::move(previous_spec);
      s->secrets = std::move(previous_secrets);
      spdlog::error("firehose: persisting {}: {}", in.delivery_stream_name, st.to_string());
      return std::unexpected(protocol::internal_failure());
    }
    configured = s->spec;
  }
  engine_.configure(configured);
  return protocol::NoOutput{};
}

}  // namespace runnel::firehose
