#pragma once
// The ARNs Kinesis Data Analytics takes and gives: its own applications'
// (arn:aws:kinesisanalytics:<region>:<account>:application/<name>), and the
// Kinesis streams, Firehose delivery streams and S3 buckets its inputs,
// outputs and reference data name.
//
// Threads: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace runnel::analytics {

std::string application_arn(std::string_view region, std::string_view account, std::string_view name);

// The parts of an application ARN, or nullopt when `arn` is not one.
struct ApplicationArn {
  std::string region, account, name;
};
std::optional<ApplicationArn> parse_application_arn(std::string_view arn);

// The resource name of `arn:<partition>:<service>:<region>:<account>:<type>/<name>`
// when service and type are the ones given ("kinesis", "stream";
// "firehose", "deliverystream"); nullopt otherwise.
std::optional<std::string> resource_name(std::string_view arn, std::string_view service, std::string_view type);

}  // namespace runnel::analytics
