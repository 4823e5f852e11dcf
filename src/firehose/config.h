#pragma once
// The Firehose section of `runnel serve`'s settings (flags, RUNNEL_*
// variables; see server/config.h): where delivered objects go
// (--s3-endpoint: any S3-compatible store instead of the embedded one) and
// where Lambda transformation functions are invoked (--lambda-endpoint).
// Credentials for both come from the usual AWS environment variables, never
// from flags (argv is visible to every user of the machine).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "firehose/lambda.h"
#include "s3/object_store.h"

namespace runnel::firehose {

struct FirehoseConfig {
  std::string s3_endpoint;  // empty: the embedded store
  std::string s3_region;    // empty: AWS_REGION, AWS_DEFAULT_REGION, us-east-1
  uint32_t s3_part_size_mib = 16;
  uint32_t s3_multipart_threshold_mib = 64;
  uint32_t s3_max_connections = 16;
  uint32_t s3_timeout_ms = 300'000;
  std::string lambda_endpoint;  // empty: Lambda processors fail with a message saying so
};

// Adds the section's flags to `serve`, bound to `config`.
void add_firehose_options(CLI::App& serve, FirehoseConfig& config);

// The S3 client for `config.s3_endpoint`, with credentials and region from
// the environment where the flags leave them unset.
Result<std::unique_ptr<s3::ObjectStore>> open_remote_store(const FirehoseConfig& config);

// Where and as whom Lambda functions are invoked; `region` is the server's.
LambdaSettings lambda_settings(const FirehoseConfig& config, const std::string& region);

}  // namespace runnel::firehose
