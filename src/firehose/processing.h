#pragma once
// The processors runnel runs itself, in AWS's documented order, on each
// record read back from the log before it is buffered:
//   0. Decompression (CompressionFormat GZIP: CloudWatch Logs subscription
//      data arrives gzipped) and CloudWatchLogProcessing with
//      DataMessageExtraction: each DATA_MESSAGE's log events' messages become
//      the records (one per event, each ending in "\n"); CONTROL_MESSAGEs are
//      dropped;
//   1. RecordDeAggregation: SubRecordType JSON (concatenated or
//      newline-separated JSON objects, one sub-record each) or DELIMITED
//      (split on the base64-decoded Delimiter); at most 500 sub-records per
//      record, as AWS caps it;
//   2. MetadataExtraction: the dynamic-partitioning keys of each (sub-)record
//      from its JQ query (JsonParsingEngine JQ-1.6: Debian's libjq is jq 1.6,
//      the version AWS runs), e.g. {customer:.customer_id};
//   3. AppendDelimiterToRecord: "\n" after each record.
// A record that cannot be de-aggregated or partitioned becomes an error
// (it goes to the error output under processing-failed, docs/firehose-delivery.md).
//
// Threads: a RecordProcessor is used by one thread at a time (libjq's state
// is not thread-safe); the engine's delivery thread owns each.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "firehose_shapes.h"

struct jq_state;

namespace runnel::firehose {

struct ProcessingSpec {
  enum class SubRecords { kNone, kJson, kDelimited };
  SubRecords sub_records = SubRecords::kNone;
  std::string delimiter;              // kDelimited: the decoded Delimiter
  std::optional<std::string> jq;      // MetadataExtractionQuery
  bool gunzip = false;                // Decompression, CompressionFormat GZIP
  bool extract_log_messages = false;  // CloudWatchLogProcessing, DataMessageExtraction true
  bool append_delimiter = false;      // AppendDelimiterToRecord
  // Lambda: the function (name or ARN), NumberOfRetries, and the
  // invocation buffer (BufferSizeInMBs 0.2-3, BufferIntervalInSeconds).
  std::optional<std::string> lambda_arn;
  int lambda_retries = 3;
  uint64_t lambda_buffer_bytes = 1ull << 20;
  int64_t lambda_interval_ms = 60'000;
};

// The processors of an enabled ProcessingConfiguration (nullopt or
// disabled: none). InvalidArgument for parameters that cannot be used (a
// Delimiter that is not base64); the control plane refuses those earlier.
Result<ProcessingSpec> processing_spec(const std::optional<api::ProcessingConfiguration>& config);

// One output of processing: the bytes to deliver and, with a JQ query, the
// partition keys in the query's order.
struct Piece {
  std::string data;
  std::vector<std::pair<std::string, std::string>> keys;
};

struct ProcessingError {
  std::string code;     // e.g. DynamicPartitioning.MetadataExtractionFailed
  std::string message;  // what a person can act on
};

class RecordProcessor {
 public:
  // Compiles the JQ query once; InvalidArgument with jq's message when it
  // does not compile.
  static Result<std::unique_ptr<RecordProcessor>> make(const ProcessingSpec& spec);
  ~RecordProcessor();
  RecordProcessor(const RecordProcessor&) = delete;
  RecordProcessor& operator=(const RecordProcessor&) = delete;

  const ProcessingSpec& spec() const { return spec_; }

  // Appends `record`'s pieces to `out`, or returns why it cannot be
  // processed (then nothing is appended): split() then finish() of each.
  std::optional<ProcessingError> process(std::string_view record, std::vector<Piece>& out);

  // What runs before a Lambda function (decompression, log message
  // extraction, de-aggregation): the record's sub-records, appended to
  // `parts`. A CloudWatch Logs control message yields none.
  std::optional<ProcessingError> split(std::string_view record, std::vector<std::string>& parts);

  // What runs after a Lambda function: the JQ keys (added to piece.keys)
  // and the delimiter.
  std::optional<ProcessingError> finish(Piece& piece);

 private:
  explicit RecordProcessor(ProcessingSpec spec) : spec_(std::move(spec)) {}
  std::optional<ProcessingError> keys_of(std::string_view json, std::vector<std::pair<std::string, std::string>>& keys);

  ProcessingSpec spec_;
  jq_state* jq_ = nullptr;
  std::string jq_error_;  // the last message jq reported
};

// Splits concatenated or newline-separated JSON objects ({"a":1}{"a":2},
// {"a":1}\n{"a":2}) into one string per object, or nullopt when the input is
// not such a sequence (a JSON array is not). Pure.
std::optional<std::vector<std::string_view>> split_json_objects(std::string_view data);

}  // namespace runnel::firehose
