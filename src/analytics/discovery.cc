#include "analytics/discovery.h"

#include <algorithm>
#include <memory>

#include "analytics/arns.h"
#include "analytics/errors.h"
#include "analytics/schema_discovery.h"
#include "protocol/value.h"

namespace runnel::analytics {
namespace {

// Reads per shard before sampling stops (a read returns at most 10,000).
constexpr int kMaxReadsPerShard = 20;

}  // namespace

Discovery::Discovery(streams::DataStreams* data_streams, s3::ObjectStore* objects)
    : data_streams_(data_streams), objects_(objects) {}

protocol::ApiResult<api::DiscoverInputSchemaResponse> answer_for(const std::vector<std::string>& records) {
  auto inferred = infer_schema(records);
  if (!inferred) {
    protocol::ApiError e = unable_to_detect_schema(inferred.error());
    protocol::Value members = protocol::Object{};
    protocol::Value raw = protocol::Array{};
    for (const std::string& r : records) raw.as_array().push_back(r);
    members.set("RawInputRecords", raw);
    members.set("ProcessedInputRecords", std::move(raw));
    e.members = std::make_shared<const protocol::Value>(std::move(members));
    return std::unexpected(std::move(e));
  }
  api::DiscoverInputSchemaResponse out;
  out.input_schema = std::move(inferred->schema);
  out.parsed_input_records = std::move(inferred->rows);
  out.raw_input_records = records;
  out.processed_input_records = records;
  return out;
}

void Discovery::discover(const api::DiscoverInputSchemaRequest& in, Done done) {
  if (in.input_processing_configuration) {
    done(std::unexpected(invalid_argument(
        "runnel does not run input preprocessing (InputProcessingConfiguration) in DiscoverInputSchema yet; "
        "discover the schema of the preprocessed records instead.")));
    return;
  }
  if (in.resource_arn && in.s3_configuration) {
    done(std::unexpected(invalid_argument("Give either ResourceARN or S3Configuration, not both.")));
    return;
  }
  if (in.s3_configuration) {
    discover_s3(*in.s3_configuration, std::move(done));
    return;
  }
  if (!in.resource_arn) {
    done(
        std::unexpected(invalid_argument("DiscoverInputSchema needs a streaming source (ResourceARN with RoleARN and "
                                         "InputStartingPositionConfiguration) or an S3 object (S3Configuration).")));
    return;
  }
  if (!in.role_arn) {
    done(std::unexpected(invalid_argument("RoleARN is required with ResourceARN.")));
    return;
  }
  discover_kinesis(in, std::move(done));
}

void Discovery::discover_kinesis(const api::DiscoverInputSchemaRequest& in, Done done) {
  const std::string& arn = *in.resource_arn;
  if (resource_name(arn, "firehose", "deliverystream")) {
    done(std::unexpected(invalid_argument(
        "runnel does not discover schemas from Firehose delivery streams yet; use the Kinesis stream or an S3 object "
        "that holds the same records.")));
    return;
  }
  auto stream = resource_name(arn, "kinesis", "stream");
  if (!stream) {
    done(std::unexpected(invalid_argument("ResourceARN " + arn + " is not a Kinesis stream ARN.")));
    return;
  }
  if (!data_streams_) {
    done(std::unexpected(invalid_argument("Kinesis stream " + arn + " does not exist or is not accessible.")));
    return;
  }
  auto info = data_streams_->describe_stream(*stream);
  if (!info) {
    done(std::unexpected(invalid_argument("Kinesis stream " + arn + " does not exist or is not accessible.")));
    return;
  }
  std::string position = "NOW";
  if (in.input_starting_position_configuration && in.input_starting_position_configuration->input_starting_position) {
    position = *in.input_starting_position_configuration->input_starting_position;
  }
  const bool oldest = position == "TRIM_HORIZON";
  std::vector<streams::StreamRecord> sampled;
  for (const streams::StreamShard& shard : info->shards) {
    auto cursor = data_streams_->cursor(*stream, shard.shard_id, streams::ReadPosition{});
    if (!cursor) continue;  // a shard past retention
    std::optional<std::string> next = std::move(*cursor);
    for (int reads = 0; next && reads < kMaxReadsPerShard; ++reads) {
      auto r = data_streams_->read(*next, 10000);
      if (!r) {
        if (r.error().type == "ProvisionedThroughputExceededException") {
          done(std::unexpected(
              protocol::ApiError{"ResourceProvisionedThroughputExceededException", r.error().message, 400, false}));
          return;
        }
        break;
      }
      for (auto& rec : r->records) sampled.push_back(std::move(rec));
      if (r->records.empty() || (oldest && sampled.size() >= kSampleSize)) break;
      next = std::move(r->next_cursor);
    }
  }
  std::stable_sort(sampled.begin(), sampled.end(),
                   [](const auto& a, const auto& b) { return a.arrival_ms < b.arrival_ms; });
  if (sampled.size() > kSampleSize) {
    if (oldest) {
      sampled.resize(kSampleSize);
    } else {
      sampled.erase(sampled.begin(), sampled.end() - kSampleSize);
    }
  }
  std::vector<std::string> records;
  records.reserve(sampled.size());
  for (auto& rec : sampled) records.push_back(std::move(rec.data));
  done(answer_for(records));
}

void Discovery::discover_s3(const api::S3Configuration& s3, Done done) {
  auto bucket = s3::bucket_from_arn(s3.bucket_arn);
  if (!bucket) {
    done(std::unexpected(invalid_argument("BucketARN " + s3.bucket_arn + " is not an S3 bucket ARN.")));
    return;
  }
  if (!objects_) {
    done(std::unexpected(invalid_argument("runnel has no S3 store to read s3://" + *bucket + "/" + s3.file_key)));
    return;
  }
  const std::string where = "s3://" + *bucket + "/" + s3.file_key;
  objects_->get_object(*bucket, s3.file_key, [done = std::move(done), where](Result<std::string> body) {
    if (!body) {
      done(std::unexpected(
          invalid_argument("Unable to read " + where + " (" + body.error().to_string() +
                           "). Please check the role provided or validity of S3 location you provided.")));
      return;
    }
    std::vector<std::string> records;
    std::string_view rest = *body;
    while (!rest.empty() && records.size() < kSampleSize) {
      const size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) records.emplace_back(line);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    done(answer_for(records));
  });
}

}  // namespace runnel::analytics
