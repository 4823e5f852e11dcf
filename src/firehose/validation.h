#pragma once
// The rules AWS enforces on a delivery stream's destination beyond what the
// model's constraints say (the dispatcher's validator checks those: lengths,
// ranges of single members, enums). Each check runs on the destination as it
// will be stored (a DestinationDescription with defaults filled in), so
// CreateDeliveryStream and UpdateDestination share them; the rules that
// compare an update with what it replaces are in check_update. Every
// failure is InvalidArgumentException in the wording docs/firehose.md
// ("Validation") lists.
//
// Threads: pure functions.

#include <optional>
#include <string>
#include <string_view>

#include "firehose/destination_config.h"
#include "firehose_shapes.h"
#include "protocol/api_error.h"

namespace runnel::firehose {

using MaybeError = std::optional<protocol::ApiError>;

// Every rule on one destination.
MaybeError validate_destination(const api::DestinationDescription& d);

// The rules of UpdateDestination: `before` is the stored destination,
// `after` the merged or replacing one (already validate_destination()ed).
MaybeError check_update(const api::DestinationDescription& before, const api::DestinationDescription& after);

// Parts (each exported for its unit tests).
MaybeError check_buffering(std::string_view where, std::optional<int32_t> size_mb, std::optional<int32_t> interval_s,
                           int32_t max_size_mb, int32_t max_interval_s);
// `prefixes`: also validate Prefix/ErrorOutputPrefix (without dynamic
// partitioning: extended S3 checks them itself).
MaybeError check_s3(std::string_view where, const api::S3DestinationDescription& s3, bool redshift,
                    bool prefixes = true);
MaybeError check_processing(const std::optional<api::ProcessingConfiguration>& p, DestinationType type,
                            bool dynamic_partitioning);
MaybeError check_retry(std::string_view where, std::optional<int32_t> seconds);
MaybeError check_cloudwatch(std::string_view where, const std::optional<api::CloudWatchLoggingOptions>& cw);
MaybeError check_secrets_manager(std::string_view where, const std::optional<api::SecretsManagerConfiguration>& sm);
MaybeError check_file_extension(const std::string& ext);
MaybeError check_time_zone(const std::string& zone);
MaybeError check_http_url(const std::string& url);
// A DeliveryStreamEncryptionConfigurationInput (KeyType, KeyARN).
MaybeError check_encryption_input(const api::DeliveryStreamEncryptionConfigurationInput& in);

// The value of a processor's parameter, or nullptr.
const std::string* processor_parameter(const api::Processor& p, std::string_view name);

}  // namespace runnel::firehose
