#include "analytics/discovery.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>

#include "analytics/arns.h"
#include "analytics/errors.h"
#include "analytics/input_source.h"
#include "analytics/lambda_events.h"
#include "analytics/schema_discovery.h"
#include "firehose/object_key.h"
#include "protocol/value.h"

namespace runnel::analytics {
namespace {

// Reads per shard before sampling stops (a read returns at most 10,000).
constexpr int kMaxReadsPerShard = 20;

// The applicationArn of a preprocessing event sent while discovering (no
// application exists yet).
constexpr std::string_view kDiscoveryApplicationArn = "arn:aws:kinesisanalytics:discovery";

}  // namespace

Discovery::Discovery(streams::DataStreams* data_streams, s3::ObjectStore* objects)
    : now_ms([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      }),
      data_streams_(data_streams),
      objects_(objects) {}

protocol::ApiResult<api::DiscoverInputSchemaResponse> answer_for(const std::vector<std::string>& records,
                                                                 const std::vector<std::string>* processed) {
  const std::vector<std::string>& rows = processed != nullptr ? *processed : records;
  auto inferred = infer_schema(rows);
  if (!inferred) {
    protocol::ApiError e = unable_to_detect_schema(inferred.error());
    protocol::Value members = protocol::Object{};
    auto array_of = [](const std::vector<std::string>& v) {
      protocol::Value a = protocol::Array{};
      for (const std::string& r : v) a.as_array().push_back(r);
      return a;
    };
    members.set("RawInputRecords", array_of(records));
    members.set("ProcessedInputRecords", array_of(rows));
    e.members = std::make_shared<const protocol::Value>(std::move(members));
    return std::unexpected(std::move(e));
  }
  api::DiscoverInputSchemaResponse out;
  out.input_schema = std::move(inferred->schema);
  out.parsed_input_records = std::move(inferred->rows);
  out.raw_input_records = records;
  out.processed_input_records = rows;
  return out;
}

Result<std::vector<std::string>> preprocess_sample(const firehose::LambdaSettings& settings,
                                                   const std::string& function, const std::string& source_arn,
                                                   bool from_firehose, const std::vector<SampledRecord>& records,
                                                   int64_t now_ms) {
  std::vector<PreprocessRecord> batch;
  std::vector<firehose::LambdaInput> inputs;
  batch.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    PreprocessRecord p;
    p.input.record_id = std::to_string(i);
    p.input.arrival_ms = records[i].arrival_ms;
    p.input.data = records[i].data;
    p.from_firehose = from_firehose;
    p.shard_id = records[i].shard_id;
    p.sequence_number = records[i].sequence_number;
    p.partition_key = records[i].partition_key;
    inputs.push_back(p.input);
    batch.push_back(std::move(p));
  }
  const std::string invocation_id = firehose::random_uuid();
  firehose::EndpointResponse response = firehose::send_endpoint_request(
      preprocessing_request(settings, function, invocation_id, kDiscoveryApplicationArn, source_arn, batch, now_ms));
  Result<std::vector<firehose::LambdaOutput>> answer = firehose::lambda_answer(response, inputs);
  if (!answer) return error(answer.error());
  std::vector<std::string> out;
  for (firehose::LambdaOutput& o : *answer)
    if (o.result == "Ok") out.push_back(std::move(o.data));
  return out;
}

void Discovery::discover(const api::DiscoverInputSchemaRequest& in, Done done) {
  if (in.resource_arn && in.s3_configuration) {
    done(std::unexpected(invalid_argument("Give either ResourceARN or S3Configuration, not both.")));
    return;
  }
  if (in.input_processing_configuration) {
    if (in.s3_configuration) {
      done(std::unexpected(invalid_argument(
          "InputProcessingConfiguration preprocesses a streaming source's records (ResourceARN); an S3 object's "
          "lines are discovered as they are.")));
      return;
    }
    if (sources_.lambda.endpoint.empty()) {
      done(std::unexpected(invalid_argument(
          "runnel serves no Lambda functions to run the preprocessor " +
          in.input_processing_configuration->input_lambda_processor.resource_arn +
          ": start it with --lambda-endpoint URL, or discover the schema of the preprocessed records.")));
      return;
    }
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
  discover_stream(in, std::move(done));
}

void Discovery::discover_stream(const api::DiscoverInputSchemaRequest& in, Done done) {
  const std::string& arn = *in.resource_arn;
  std::string position = "NOW";
  if (in.input_starting_position_configuration && in.input_starting_position_configuration->input_starting_position) {
    position = *in.input_starting_position_configuration->input_starting_position;
  }
  const bool oldest = position == "TRIM_HORIZON";
  protocol::ApiResult<std::vector<SampledRecord>> sampled = std::vector<SampledRecord>{};
  bool from_firehose = false;
  if (auto delivery = resource_name(arn, "firehose", "deliverystream")) {
    std::optional<DeliveryStreamSource> source =
        sources_.delivery_stream ? sources_.delivery_stream(*delivery) : std::nullopt;
    if (!source) {
      done(std::unexpected(
          invalid_argument("Firehose delivery stream " + arn + " does not exist or is not accessible.")));
      return;
    }
    from_firehose = true;
    sampled = source->kinesis_stream.empty() ? sample_delivery_stream(*source, oldest)
                                             : sample_kinesis(source->kinesis_stream, arn, oldest);
  } else if (auto stream = resource_name(arn, "kinesis", "stream")) {
    sampled = sample_kinesis(*stream, arn, oldest);
  } else {
    done(std::unexpected(
        invalid_argument("ResourceARN " + arn + " is not a Kinesis stream or Firehose delivery stream ARN.")));
    return;
  }
  if (!sampled) {
    done(std::unexpected(std::move(sampled.error())));
    return;
  }
  std::vector<std::string> records;
  records.reserve(sampled->size());
  for (const SampledRecord& r : *sampled) records.push_back(r.data);
  if (!in.input_processing_configuration) {
    done(answer_for(records));
    return;
  }
  const std::string& function = in.input_processing_configuration->input_lambda_processor.resource_arn;
  Result<std::vector<std::string>> processed =
      preprocess_sample(sources_.lambda, function, arn, from_firehose, *sampled, now_ms());
  if (!processed) {
    done(std::unexpected(invalid_argument("The preprocessor " + function +
                                          " failed on the sampled records: " + processed.error().message())));
    return;
  }
  done(answer_for(records, &*processed));
}

protocol::ApiResult<std::vector<SampledRecord>> Discovery::sample_kinesis(const std::string& stream,
                                                                          const std::string& arn, bool oldest) {
  auto missing = [&] {
    return std::unexpected(invalid_argument("Kinesis stream " + arn + " does not exist or is not accessible."));
  };
  if (!data_streams_) return missing();
  auto info = data_streams_->describe_stream(stream);
  if (!info) return missing();
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
  std::vector<SampledRecord> sampled;
  for (const streams::ReadPosition& start : starts) {
    sampled.clear();
    for (const streams::StreamShard& shard : info->shards) {
      std::deque<streams::StreamRecord> kept;
      if (auto e = sample_shard(stream, shard.shard_id, start, oldest, kept)) return std::unexpected(std::move(*e));
      for (streams::StreamRecord& r : kept)
        sampled.push_back(SampledRecord{std::move(r.data), r.arrival_ms, shard.shard_id, r.sequence_number,
                                        std::move(r.partition_key)});
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
  return sampled;
}

protocol::ApiResult<std::vector<SampledRecord>> Discovery::sample_delivery_stream(const DeliveryStreamSource& source,
                                                                                  bool oldest) {
  if (sources_.log == nullptr) return std::vector<SampledRecord>{};
  // As for Kinesis: the newest records from the last minute, else the last
  // hour, else all the log holds; or the oldest.
  std::vector<int64_t> starts;
  if (!oldest) starts = {now_ms() - 60'000, now_ms() - 3'600'000};
  starts.push_back(0);
  std::deque<SampledRecord> kept;
  for (int64_t start : starts) {
    kept.clear();
    DeliveryStreamInput input(*sources_.log, source.shard_key, sources_.key_file, start, "");
    bool full = false;
    for (int reads = 0; reads < kMaxReadsPerShard && !full; ++reads) {
      std::vector<firehose::SourceRecord> batch;
      if (Status st = input.read(4u << 20, batch); !st || batch.empty()) break;
      for (firehose::SourceRecord& r : batch) {
        if (oldest && kept.size() == kSampleSize) {
          full = true;
          break;
        }
        kept.push_back(SampledRecord{std::move(r.record.data), r.record.arrival_ms, r.shard_id, r.sequence_number,
                                     std::move(r.record.partition_key)});
        if (kept.size() > kSampleSize) kept.pop_front();
      }
    }
    if (kept.size() >= kSampleSize) break;
  }
  return std::vector<SampledRecord>(std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()));
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
