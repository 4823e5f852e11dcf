#pragma once
// SubscriptionReader: the client side of one SubscribeToShard answer body.
// It is fed the body's bytes as they arrive, in pieces of any size, and
// turns the event-stream messages (protocol/event_stream.h) into what the
// bench consumer needs: the Data of each record, the last
// ContinuationSequenceNumber (to resubscribe after it), whether the shard
// ended, and the exception or error that ended the stream, if any.
//
// Payloads are decoded by their `:content-type`: application/json (AWS JSON,
// blobs in base64) or application/x-amz-cbor-1.1 (CBOR). JSON events take
// the on-demand walk of records_answer.h; anything it declines, the generic
// decoder.
//
// AWS opens every stream with an `initial-response` event. Some emulators
// (kinesis-mock, npm `kinesis-local`) start straight with
// SubscribeToShardEvent; such a stream is accepted so the peer can still be
// measured, and missing_initial_response() says so, for the caller to report.
//
// Thread-safety: one thread at a time.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "protocol/event_stream.h"

namespace runnel::bench {

class SubscriptionReader {
 public:
  // `data` is a record's Data: still base64 when `base64` (AWS JSON events,
  // read without decoding the whole blob), else its bytes.
  using RecordCallback = std::function<void(std::string_view data, bool base64)>;

  // `on_record` receives the Data of every record, in order.
  explicit SubscriptionReader(RecordCallback on_record);

  // Consumes `bytes`. A non-ok Status when the stream is damaged (bad
  // framing or CRC, an undecodable event payload); the reader then stays
  // failed and ignores more bytes.
  Status feed(std::string_view bytes);

  // Why the stream was found damaged; ok while it is not.
  const Status& failure() const { return failure_; }
  bool got_initial_response() const { return initial_response_; }
  // A SubscribeToShardEvent came before any initial-response (the stream was
  // accepted anyway; AWS always sends the initial-response first).
  bool missing_initial_response() const { return missing_initial_response_; }
  // The subscription is streaming: an initial-response or, without one, a
  // first SubscribeToShardEvent arrived.
  bool started() const { return initial_response_ || missing_initial_response_; }
  // SubscribeToShardEvent messages seen.
  uint64_t events() const { return events_; }
  // The ContinuationSequenceNumber of the last event that had one ("" if none).
  const std::string& continuation() const { return continuation_; }
  // An event announced the end of the shard (ChildShards, or no continuation).
  bool shard_ended() const { return shard_ended_; }
  // ":exception-type" or ":error-code" of an exception/error message, "" if none came.
  const std::string& exception_type() const { return exception_type_; }
  const std::string& exception_message() const { return exception_message_; }

 private:
  Status handle(const protocol::eventstream::Message& m);
  Status handle_event(std::string_view content_type, std::string_view payload);
  // An event's ContinuationSequenceNumber ("" if none) and whether it listed
  // child shards: the shard ended when either says so.
  void note_position(std::string_view continuation, bool child_shards);

  RecordCallback on_record_;
  protocol::eventstream::Decoder decoder_;
  Status failure_;
  bool initial_response_ = false;
  bool missing_initial_response_ = false;
  bool shard_ended_ = false;
  uint64_t events_ = 0;
  std::string continuation_;
  std::string exception_type_;
  std::string exception_message_;
  std::string scratch_;                 // a JSON event's payload, padded for simdjson
  std::vector<std::string_view> data_;  // its records' Data, into scratch_
};

}  // namespace runnel::bench
