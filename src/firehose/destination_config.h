#pragma once
// The destination of a delivery stream, converted between the request's
// *DestinationConfiguration / *DestinationUpdate and the
// *DestinationDescription DescribeDeliveryStream answers, on protocol::Value
// trees (the generated encode()/decode() of firehose_shapes.h at either
// end): renames (S3Configuration → S3DestinationDescription, ...), AWS's
// defaults (BufferingHints, CompressionFormat, ...), secrets taken out
// (HTTP AccessKey, Redshift Password, which AWS never describes back) and
// UpdateDestination's merge. Tables: docs/firehose.md ("Defaults").
//
// Threads: pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firehose_shapes.h"
#include "protocol/api_error.h"
#include "protocol/value.h"

namespace runnel::firehose {

enum class DestinationType {
  kS3,  // legacy S3DestinationConfiguration
  kExtendedS3,
  kRedshift,
  kElasticsearch,
  kOpenSearch,
  kServerless,
  kSplunk,
  kHttpEndpoint,
  kSnowflake,
  kIceberg,
};

struct DestinationKeys {
  DestinationType type;
  std::string_view config;       // CreateDeliveryStream's member
  std::string_view update;       // UpdateDestination's member
  std::string_view description;  // DestinationDescription's member
  std::string_view name;         // for messages ("Amazon S3", "Splunk", ...)
};
const std::vector<DestinationKeys>& destination_keys();
const DestinationKeys& keys_of(DestinationType type);

// Settings AWS takes but never describes back; kept beside the description.
struct Secrets {
  std::optional<std::string> http_access_key;
  std::optional<std::string> redshift_password;
};

// The description (the value of DestinationDescription's member for `type`)
// of a create-time configuration, with AWS's defaults filled in. Moves the
// secrets into `secrets`.
protocol::Value describe_configuration(DestinationType type, protocol::Value config, Secrets& secrets);

// The description after an UpdateDestination of the same type: the
// update's members replace the description's, nested structures merged
// member by member (lists replaced whole), then defaults filled in again.
protocol::Value merge_update(DestinationType type, protocol::Value description, protocol::Value update,
                             Secrets& secrets);

// An update of another type replaces the destination: read as that type's
// configuration (renamed), with defaults.
protocol::Value replace_with_update(DestinationType type, protocol::Value update, Secrets& secrets);

// The destination of a stream's description: its type (ExtendedS3 for a
// legacy S3 stream, which is described both ways).
DestinationType type_of(const api::DestinationDescription& d);

// Builds a DestinationDescription {DestinationId, <type's member>: description}
// (and, for kS3, the ExtendedS3DestinationDescription beside it), decoding
// the Value: a required member that is missing is InvalidArgumentException.
protocol::ApiResult<api::DestinationDescription> make_destination(DestinationType type, const std::string& id,
                                                                  protocol::Value description);

// The Value of the destination's member for `type` (for merging).
protocol::Value description_value(DestinationType type, const api::DestinationDescription& d);

}  // namespace runnel::firehose
