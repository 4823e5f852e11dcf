#pragma once
// The Kinesis requests the bench tool sends and the parts of the answers it
// reads, as protocol::Value, plus their wire encoding (AWS JSON 1.1 or CBOR,
// encoded with the protocol codecs, the same ones the server uses).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/options.h"
#include "protocol/value.h"

namespace runnel::bench {

// One record to put.
struct OutRecord {
  std::string partition_key;
  std::string data;
};

// Content-Type of requests in `e`.
std::string_view content_type(Encoding e);

// Encodes a request body; decodes an answer body (an empty body decodes as
// an empty Object). decode_body fails with a short description.
std::string encode_body(const protocol::Value& v, Encoding e);
std::optional<protocol::Value> decode_body(std::string_view body, Encoding e);

// Request bodies.
protocol::Value put_records_request(std::string_view stream, const std::vector<OutRecord>& records);
protocol::Value put_record_request(std::string_view stream, const OutRecord& record);
protocol::Value get_shard_iterator_request(std::string_view stream, std::string_view shard_id, std::string_view type,
                                           std::string_view sequence_number = {});
protocol::Value get_records_request(std::string_view iterator, int limit);
// StartingPosition {Type: type[, SequenceNumber: sequence_number]}.
protocol::Value subscribe_request(std::string_view consumer_arn, std::string_view shard_id, std::string_view type,
                                  std::string_view sequence_number = {});

// The bytes of a blob as either codec delivers it: a Blob (CBOR) or a base64
// String (JSON); also kinesalite's CBOR form, {"type":"Buffer","data":[...]}.
// nullopt for anything else or bad base64.
std::optional<std::string> blob_bytes(const protocol::Value& v);

// A string member of an object, or "" when absent or not a string.
std::string_view string_member(const protocol::Value& v, std::string_view key);

// The per-entry outcome of a PutRecords answer: "" for a stored record, else
// the entry's ErrorCode. nullopt when the answer does not have exactly
// `expected` entries in `Records`.
std::optional<std::vector<std::string>> put_records_entry_errors(const protocol::Value& answer, size_t expected);
// The same, from the answer's body in `e`. An AWS JSON answer in which every
// entry was stored (no "ErrorCode", `expected` "SequenceNumber"s) is
// recognised without decoding it into a Value (the producer reads one per
// request); anything else is decoded in full.
std::optional<std::vector<std::string>> put_records_entry_errors(std::string_view body, Encoding e, size_t expected);

// The error type of a non-200 answer: the body's `__type` (its part after a
// '#', as in "com.amazon.coral.service#UnknownOperationException"), else
// `amzn_error_type` (the x-amzn-ErrorType header, same treatment), else
// "HTTP <status>".
std::string error_type(std::string_view body, Encoding e, std::string_view amzn_error_type, long status);
// The `message` (or `Message`) of an error body, "" if none.
std::string error_message(std::string_view body, Encoding e);

// Whether a failed request or entry with this error type is worth sending
// again: throttling (Firehose's is ServiceUnavailableException "Slow down."),
// internal failures, HTTP 5xx, network errors.
bool retryable(std::string_view type);

}  // namespace runnel::bench
