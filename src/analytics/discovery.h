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
// Not served: Firehose delivery streams as ResourceARN, and
// InputProcessingConfiguration (a Lambda preprocessor): both answer
// InvalidArgumentException saying so (docs/analytics.md).
//
// Threads: discover() may be called from any thread; `done` runs on the
// calling thread (Kinesis) or on the object store's thread (S3).

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "kinesisanalytics_shapes.h"
#include "protocol/api_error.h"
#include "s3/object_store.h"
#include "streams/data_streams.h"

namespace runnel::analytics {

class Discovery {
 public:
  using Done = std::function<void(protocol::ApiResult<api::DiscoverInputSchemaResponse>)>;

  // Either may be null (then that source is refused); both must outlive
  // this object.
  Discovery(streams::DataStreams* data_streams, s3::ObjectStore* objects);

  void discover(const api::DiscoverInputSchemaRequest& in, Done done);

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
  void discover_kinesis(const api::DiscoverInputSchemaRequest& in, Done done);
  void discover_s3(const api::S3Configuration& s3, Done done);

  streams::DataStreams* data_streams_;
  s3::ObjectStore* objects_;
};

// The answer for sampled `records`: the inferred schema with the parsed,
// processed and raw records, or UnableToDetectSchemaException carrying the
// raw and processed records.
protocol::ApiResult<api::DiscoverInputSchemaResponse> answer_for(const std::vector<std::string>& records);

}  // namespace runnel::analytics
