#include "analytics/discovery.h"

#include <algorithm>
#include <chrono>
#include <iterator>
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
    : now_ms([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      }),
      data_streams_(data_streams),
      objects_(objects) {}

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
  // The newest records: from the last minute, else the last hour, else the
  // whole stream, so that a long stream is not read from its start.
  std::vector<streams::ReadPosition> starts;
  if (!oldest) {
    for (int64_t window_ms : {60'000, 3'600'000}) {
      streams::ReadPosition p;
      p.type = streams::ReadPositionType::kAtTimestamp;
      p.timestamp_ms = now_ms() - window_ms;
      starts.push_back(p);
    }
  }
  starts.push_back(streams::ReadPosition{});  // the trim horizon
  std::vector<streams::StreamRecord> sampled;
  for (const streams::ReadPosition& start : starts) {
    sampled.clear();
    for (const streams::StreamShard& shard : info->shards) {
      std::deque<streams::StreamRecord> kept;
      if (auto e = sample_shard(*stream, shard.shard_id, start, oldest, kept)) {
        done(std::unexpected(std::move(*e)));
        return;
      }
      std::move(kept.begin(), kept.end(), std::back_inserter(sampled));
    }
    if (sampled.size() >= kSampleSize) break;
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

std::optional<protocol::ApiError> Discovery::sample_shard(const std::string& stream, const std::string& shard_id,
                                                          const streams::ReadPosition& start, bool oldest,
                                                          std::deque<streams::StreamRecord>& kept) {
  auto cursor = data_streams_->cursor(stream, shard_id, start);
  if (!cursor) return std::nullopt;  // a shard past retention, or a time before the stream
  std::optional<std::string> next = std::move(*cursor);
  for (int reads = 0; next && reads < kMaxReadsPerShard; ++reads) {
    auto r = data_streams_->read(*next, 10000);
    if (!r) {
      if (r.error().type == "ProvisionedThroughputExceededException") {
        return protocol::ApiError{"ResourceProvisionedThroughputExceededException", r.error().message, 400, false};
      }
      return std::nullopt;
    }
    for (auto& rec : r->records) {
      if (oldest && kept.size() == kSampleSize) return std::nullopt;
      kept.push_back(std::move(rec));
      if (kept.size() > kSampleSize) kept.pop_front();
    }
    if (r->records.empty()) break;
    next = std::move(r->next_cursor);
  }
  return std::nullopt;
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
