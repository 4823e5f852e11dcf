#pragma once
// The Firehose requests the bench tool sends (AWS JSON 1.1, as
// protocol::Value) and the part of PutRecordBatch's answer it reads.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/options.h"
#include "protocol/value.h"

namespace runnel::bench {

// The ARN of S3 bucket `bucket`: arn:aws:s3:::<bucket>.
std::string bucket_arn(std::string_view bucket);

// CreateDeliveryStream of a DirectPut stream `name` with an
// ExtendedS3DestinationConfiguration into `bucket`: the options'
// CompressionFormat and BufferingHints, no prefix (objects are named
// yyyy/MM/dd/HH/<name>-...), a RoleARN (required; runnel stores it, never
// assumes it).
protocol::Value create_delivery_stream_request(std::string_view name, std::string_view bucket, const BenchOptions& o);

// PutRecordBatch of `records` (each a record's Data) into `name`.
protocol::Value put_record_batch_request(std::string_view name, const std::vector<std::string>& records);

// The per-record outcome of a PutRecordBatch answer: "" for a stored record,
// else its ErrorCode. An answer with "FailedPutCount":0 and no "ErrorCode"
// is recognised without decoding (the producer reads one per request);
// anything else is decoded. nullopt unless `RequestResponses` has exactly
// `expected` entries.
std::optional<std::vector<std::string>> put_record_batch_entry_errors(std::string_view body, size_t expected);

}  // namespace runnel::bench
