#pragma once
// Discovery: DiscoverInputSchema. It samples records, from a Kinesis stream
// through the internal Data Streams API or from an S3 object through the
// ObjectStore, and infers their schema (analytics/schema_discovery.h).
//
//  - Kinesis (ResourceARN + RoleARN): TRIM_HORIZON keeps the oldest 100
//    records of the stream (every shard read from its trim horizon); NOW
//    and LAST_STOPPED_POINT (the default) the newest 100 by arrival time,
//    read from the last minute, else the last hour, else the whole stream
//    (KDA sampled what arrived from then on; runnel answers at once with
//    what the stream holds). At most 100 records per shard are held.
//  - S3 (S3Configuration): the object's first 100 non-empty lines, one
//    record each.
//
//  - A Firehose delivery stream (ResourceARN): a DirectPut stream's records
//    from its log shard (as the runtime reads it: analytics/input_source.h),
//    newest or oldest as for Kinesis; a KinesisStreamAsSource stream's
//    records are its Kinesis stream's.
//  - InputProcessingConfiguration: the sampled records go through the
//    Lambda preprocessor (the runtime's event, analytics/lambda_events.h)
//    before their schema is inferred; RawInputRecords are the records as
//    read, ProcessedInputRecords what the function returned Ok.
//
// Threads: discover() may be called from any thread; `done` runs on the
// calling thread (Kinesis, Firehose, the Lambda call, which blocks it) or
// on the object store's thread (S3).

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "analytics/input_source.h"
#include "firehose/lambda.h"
#include "kinesisanalytics_shapes.h"
#include "protocol/api_error.h"
#include "s3/object_store.h"
#include "storage/log.h"
#include "streams/data_streams.h"

namespace runnel::analytics {

// A sampled record, with what a preprocessor's event carries of it.
struct SampledRecord {
  std::string data;
  int64_t arrival_ms = 0;
  std::string shard_id;
  std::string sequence_number;
  std::string partition_key;
};

class Discovery {
 public:
  using Done = std::function<void(protocol::ApiResult<api::DiscoverInputSchemaResponse>)>;

  // Either may be null (then that source is refused); both must outlive
  // this object.
  Discovery(streams::DataStreams* data_streams, s3::ObjectStore* objects);

  void discover(const api::DiscoverInputSchemaRequest& in, Done done);

  // Where Firehose delivery streams and Lambda functions are (unset: those
  // sources answer InvalidArgumentException saying so). Set before use.
  struct Sources {
    firehose::LambdaSettings lambda;
    storage::Log* log = nullptr;
    std::string key_file;
    FindDeliveryStream delivery_stream;
  };
  void set_sources(Sources sources) { sources_ = std::move(sources); }

  // How many records are sampled.
  static constexpr size_t kSampleSize = 100;

  // Wall clock in epoch ms (where NOW's windows end); tests may replace it.
  std::function<int64_t()> now_ms;

 private:
  // Reads `shard_id` from `start` into `kept`, which holds at most
  // kSampleSize records: the first read (`oldest`) or the last. A throttled
  // read is ResourceProvisionedThroughputExceededException.
  std::optional<protocol::ApiError> sample_shard(const std::string& stream, const std::string& shard_id,
                                                 const streams::ReadPosition& start, bool oldest,
                                                 std::deque<streams::StreamRecord>& kept);
  // The sampled records of a Kinesis stream or a delivery stream, oldest first.
  protocol::ApiResult<std::vector<SampledRecord>> sample_kinesis(const std::string& stream, const std::string& arn,
                                                                 bool oldest);
  protocol::ApiResult<std::vector<SampledRecord>> sample_delivery_stream(const DeliveryStreamSource& source,
                                                                         bool oldest);
  void discover_stream(const api::DiscoverInputSchemaRequest& in, Done done);
  void discover_s3(const api::S3Configuration& s3, Done done);

  streams::DataStreams* data_streams_;
  s3::ObjectStore* objects_;
  Sources sources_;
};

// The answer for sampled `records` (`processed`: what preprocessing made
// of them, else the same): the inferred schema with the parsed, processed
// and raw records, or UnableToDetectSchemaException carrying the raw and
// processed records.
protocol::ApiResult<api::DiscoverInputSchemaResponse> answer_for(const std::vector<std::string>& records,
                                                                 const std::vector<std::string>* processed = nullptr);

// The records the preprocessor `function` returns Ok for `records` (one
// invocation, as the runtime makes it); an error names why it failed.
Result<std::vector<std::string>> preprocess_sample(const firehose::LambdaSettings& settings,
                                                   const std::string& function, const std::string& source_arn,
                                                   bool from_firehose, const std::vector<SampledRecord>& records,
                                                   int64_t now_ms);

}  // namespace runnel::analytics
