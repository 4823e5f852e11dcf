#include "firehose/config.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "s3/remote_store.h"

namespace runnel::firehose {

void add_firehose_options(CLI::App& serve, FirehoseConfig& cfg) {
  auto opt = [&](const char* name, auto& value, const char* help, const char* env) {
    return serve.add_option(name, value, help)->envname(env)->capture_default_str()->group("Firehose");
  };
  opt("--s3-endpoint", cfg.s3_endpoint,
      "Deliver Firehose objects to this S3-compatible store (http[s]://host[:port], path-style) instead of the "
      "embedded one; credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
      "RUNNEL_S3_ENDPOINT");
  opt("--s3-region", cfg.s3_region,
      "Region --s3-endpoint requests are signed for (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)",
      "RUNNEL_S3_REGION");
  opt("--s3-part-size-mib", cfg.s3_part_size_mib, "Multipart part size for --s3-endpoint", "RUNNEL_S3_PART_SIZE_MIB")
      ->check(CLI::Range(5u, 5120u));
  opt("--s3-multipart-threshold-mib", cfg.s3_multipart_threshold_mib,
      "Objects larger than this go to --s3-endpoint as multipart uploads", "RUNNEL_S3_MULTIPART_THRESHOLD_MIB")
      ->check(CLI::Range(5u, 5120u));
  opt("--s3-max-connections", cfg.s3_max_connections, "Requests in flight to --s3-endpoint",
      "RUNNEL_S3_MAX_CONNECTIONS")
      ->check(CLI::Range(1u, 1024u));
  opt("--s3-timeout-ms", cfg.s3_timeout_ms, "One request to --s3-endpoint, body included", "RUNNEL_S3_TIMEOUT_MS")
      ->check(CLI::Range(1000u, 3'600'000u));
  opt("--lambda-endpoint", cfg.lambda_endpoint,
      "Where Firehose invokes Lambda transformation functions and Analytics its Lambda preprocessors and outputs "
      "(the Lambda Invoke API: AWS Lambda, LocalStack, or any HTTP service that answers it); credentials from the "
      "AWS environment variables",
      "RUNNEL_LAMBDA_ENDPOINT");
}

Result<std::unique_ptr<s3::ObjectStore>> open_remote_store(const FirehoseConfig& config) {
  s3::RemoteStoreOptions o;
  o.endpoint = config.s3_endpoint;
  o.region = config.s3_region;
  s3::fill_remote_store_options_from_environment(o);
  o.part_size = uint64_t{config.s3_part_size_mib} << 20;
  o.multipart_threshold = uint64_t{config.s3_multipart_threshold_mib} << 20;
  o.max_connections = static_cast<int>(config.s3_max_connections);
  o.request_timeout_ms = config.s3_timeout_ms;
  auto remote = s3::RemoteStore::create(std::move(o));
  if (!remote) return std::unexpected(remote.error());
  spdlog::info("firehose delivers to {} (region {})", (*remote)->options().endpoint, (*remote)->options().region);
  return std::unique_ptr<s3::ObjectStore>(std::move(*remote));
}

LambdaSettings lambda_settings(const FirehoseConfig& config, const std::string& region) {
  LambdaSettings s;
  s.endpoint = config.lambda_endpoint;
  s.region = region;
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  s.access_key_id = env("AWS_ACCESS_KEY_ID");
  s.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  s.session_token = env("AWS_SESSION_TOKEN");
  if (s.access_key_id.empty() || s.secret_access_key.empty()) s.access_key_id.clear();
  return s;
}

}  // namespace runnel::firehose
