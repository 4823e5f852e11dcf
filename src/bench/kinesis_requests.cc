#include "bench/kinesis_requests.h"

#include <string.h>

#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"

namespace runnel::bench {

using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

std::string_view content_type(Encoding e) {
  return e == Encoding::kJson ? "application/x-amz-json-1.1" : "application/x-amz-cbor-1.1";
}

std::string encode_body(const Value& v, Encoding e) {
  return e == Encoding::kJson ? protocol::encode_json(v) : protocol::encode_cbor(v);
}

std::optional<Value> decode_body(std::string_view body, Encoding e) {
  if (body.empty()) return Value(Object{});
  auto r = e == Encoding::kJson ? protocol::decode_json(body) : protocol::decode_cbor(body);
  if (!r) return std::nullopt;
  return std::move(*r);
}

Value put_records_request(std::string_view stream, const std::vector<OutRecord>& records) {
  Array entries;
  entries.reserve(records.size());
  for (const auto& r : records) {
    entries.emplace_back(Object{{"Data", Blob{r.data}}, {"PartitionKey", r.partition_key}});
  }
  return Object{{"Records", std::move(entries)}, {"StreamName", stream}};
}

Value put_record_request(std::string_view stream, const OutRecord& record) {
  return Object{{"StreamName", stream}, {"Data", Blob{record.data}}, {"PartitionKey", record.partition_key}};
}

Value get_shard_iterator_request(std::string_view stream, std::string_view shard_id, std::string_view type,
                                 std::string_view sequence_number) {
  Value v = Object{{"StreamName", stream}, {"ShardId", shard_id}, {"ShardIteratorType", type}};
  if (!sequence_number.empty()) v.set("StartingSequenceNumber", sequence_number);
  return v;
}

Value get_records_request(std::string_view iterator, int limit) {
  return Object{{"ShardIterator", iterator}, {"Limit", limit}};
}

Value subscribe_request(std::string_view consumer_arn, std::string_view shard_id, std::string_view type,
                        std::string_view sequence_number) {
  Value pos = Object{{"Type", type}};
  if (!sequence_number.empty()) pos.set("SequenceNumber", sequence_number);
  return Object{{"ConsumerARN", consumer_arn}, {"ShardId", shard_id}, {"StartingPosition", std::move(pos)}};
}

std::optional<std::string> blob_bytes(const Value& v) {
  if (v.is_blob()) return v.as_blob().bytes;
  if (v.is_string()) return protocol::base64_decode(v.as_string());
  // kinesalite's CBOR answers carry blobs as a serialised Node.js Buffer:
  // {"type": "Buffer", "data": [104, 105]}.
  const Value* data = v.find("data");
  if (string_member(v, "type") == "Buffer" && data && data->is_array()) {
    std::string out;
    out.reserve(data->as_array().size());
    for (const Value& b : data->as_array()) {
      if (!b.is_int() || b.as_int() < 0 || b.as_int() > 255) return std::nullopt;
      out.push_back(static_cast<char>(b.as_int()));
    }
    return out;
  }
  return std::nullopt;
}

std::string_view string_member(const Value& v, std::string_view key) {
  const Value* m = v.find(key);
  return m && m->is_string() ? std::string_view(m->as_string()) : std::string_view();
}

std::optional<std::vector<std::string>> put_records_entry_errors(const Value& answer, size_t expected) {
  const Value* records = answer.find("Records");
  if (!records || !records->is_array() || records->as_array().size() != expected) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(expected);
  for (const Value& entry : records->as_array()) {
    std::string_view code = string_member(entry, "ErrorCode");
    out.emplace_back(code);
  }
  return out;
}

namespace {

// memmem rather than string_view::find: find looks for the first character
// with memchr, and '"' is every few bytes of a JSON answer.
const char* find_in(std::string_view text, std::string_view what) {
  return static_cast<const char*>(memmem(text.data(), text.size(), what.data(), what.size()));
}

size_t occurrences(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (const char* at = find_in(text, what); at != nullptr;
       at = find_in(text.substr(static_cast<size_t>(at - text.data()) + what.size()), what)) {
    n++;
  }
  return n;
}

}  // namespace

std::optional<std::vector<std::string>> put_records_entry_errors(std::string_view body, Encoding e, size_t expected) {
  if (e == Encoding::kJson) {
    std::string_view trimmed = body.substr(0, body.find_last_not_of(" \t\r\n") + 1);
    if (trimmed.ends_with('}') && find_in(trimmed, R"("ErrorCode")") == nullptr &&
        occurrences(trimmed, R"("SequenceNumber")") == expected) {
      return std::vector<std::string>(expected);
    }
  }
  auto answer = decode_body(body, e);
  if (!answer) return std::nullopt;
  return put_records_entry_errors(*answer, expected);
}

namespace {

std::string_view after_hash(std::string_view t) {
  if (auto colon = t.find(':'); colon != std::string_view::npos) t = t.substr(0, colon);  // "Type:http://..."
  if (auto hash = t.rfind('#'); hash != std::string_view::npos) t = t.substr(hash + 1);
  return t;
}

}  // namespace

std::string error_type(std::string_view body, Encoding e, std::string_view amzn_error_type, long status) {
  // Servers answer errors in the request's encoding, but some send JSON to a
  // CBOR request; try both.
  for (Encoding enc : {e, e == Encoding::kJson ? Encoding::kCbor : Encoding::kJson}) {
    if (auto v = decode_body(body, enc)) {
      std::string_view t = string_member(*v, "__type");
      if (!t.empty()) return std::string(after_hash(t));
    }
  }
  if (!amzn_error_type.empty()) return std::string(after_hash(amzn_error_type));
  return "HTTP " + std::to_string(status);
}

std::string error_message(std::string_view body, Encoding e) {
  for (Encoding enc : {e, e == Encoding::kJson ? Encoding::kCbor : Encoding::kJson}) {
    if (auto v = decode_body(body, enc)) {
      for (std::string_view key : {"message", "Message"}) {
        if (std::string_view m = string_member(*v, key); !m.empty()) return std::string(m);
      }
    }
  }
  return {};
}

bool retryable(std::string_view type) {
  return type == "ProvisionedThroughputExceededException" || type == "ThrottlingException" ||
         type == "LimitExceededException" || type == "InternalFailure" || type == "ServiceUnavailable" ||
         type == "ServiceUnavailableException" || type == "KMSThrottlingException" || type.starts_with("HTTP 5") ||
         type.starts_with("network:");
}

}  // namespace runnel::bench
