#pragma once
// Sender: delivery of one batch to a destination that is not an S3 bucket
// of its own (Redshift through its intermediate object, OpenSearch and
// Elasticsearch, Splunk). The engine (engine.h) buffers, processes, forms
// batches, keeps them across retries, writes error records and backups and
// checkpoints; a Sender only turns one attempt at one batch into requests
// to its destination and says what came of it.
//
// A Sender is made per stream configuration from the stream's destination
// description (make_*_sender() in each destination's file) and knows that
// destination's settings, including its RetryOptions: it is the sender, not
// the engine, that decides when retrying is over (kFailed).
//
// Threads: send() is called on the engine's delivery thread and must not
// block (work runs on the sender's own threads or HttpPoster's); `done`
// may be called on any thread, exactly once per send(). The destructor
// waits for (or completes, with kRetry) every send() under way.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runnel::firehose {

struct SendRecord {
  std::string_view data;   // the record as delivered (after processing)
  int64_t arrival_ms = 0;  // its approximate arrival time (index rotation, error records)
  // Stable across retries and restarts: "<source>.<position>" (the log shard
  // and counter, or the Kinesis shard id and sequence number). OpenSearch's
  // FIREHOSE_DEFAULT document id is made from it.
  std::string_view id;
};

struct SendRequest {
  std::string batch_id;  // a UUID, the same on every attempt at this batch
  int attempt = 1;       // 1 on the first
  int64_t first_attempt_ms = 0;
  int64_t now_ms = 0;
  // The records to deliver on this attempt: the whole batch, or those a
  // previous attempt's kRetry listed in `failures`.
  std::vector<SendRecord> records;
  // The whole batch as the object the engine formed for the destination's
  // S3 bucket (S3Configuration: AWS's name under Prefix, CompressionFormat):
  // Redshift's intermediate object, which it writes and then loads. The
  // same on every attempt.
  std::string bucket, key;
  std::shared_ptr<const std::string> body;  // shared, so it goes to a store without a copy; null: none
  std::string_view bytes() const { return body ? std::string_view(*body) : std::string_view(); }
};

// One record that did not get there, by its index in SendRequest::records.
struct RecordFailure {
  size_t index = 0;
  std::string error_code;  // AWS's errorCode of the error record ("OpenSearch.MapperParsingException", ...)
  std::string error_message;
  // Further string fields of the destination's error record, in order
  // (OpenSearch: esDocumentId, esIndexName, esTypeName; Splunk: EventId).
  std::vector<std::pair<std::string, std::string>> error_fields;
};

struct SendOutcome {
  enum class Verdict {
    kDelivered,  // every record of the request is at the destination
    // Try again after retry_after_ms: every record, or only those in
    // `failures` (the others are delivered).
    kRetry,
    // Give up: every record, or only those in `failures` (the others are
    // delivered), goes to the error output as AWS's error records under
    // the sender's error_output_type().
    kFailed,
    // Given up on and already dealt with by the sender (Redshift lists the
    // object in a manifest under errors/manifests/): the batch is done,
    // without error records.
    kHandled,
  };
  Verdict verdict = Verdict::kDelivered;
  int64_t retry_after_ms = 0;
  std::string error_code;  // for every record without a RecordFailure of its own
  std::string error_message;
  std::vector<RecordFailure> failures;  // empty: the verdict is the whole request's
};

class Sender {
 public:
  virtual ~Sender() = default;
  // !{firehose:error-output-type} of the records it fails:
  // "AmazonOpenSearchService-failed", "elasticsearch-failed", "splunk-failed".
  virtual std::string_view error_output_type() const = 0;
  virtual void send(SendRequest request, std::function<void(SendOutcome)> done) = 0;
};

}  // namespace runnel::firehose
