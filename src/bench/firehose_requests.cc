#include "bench/firehose_requests.h"

#include <cstring>

#include "bench/kinesis_requests.h"
#include "protocol/json_codec.h"

namespace runnel::bench {

using protocol::Object;
using protocol::Value;

std::string bucket_arn(std::string_view bucket) { return "arn:aws:s3:::" + std::string(bucket); }

Value create_delivery_stream_request(std::string_view name, std::string_view bucket, const BenchOptions& o) {
  Value destination = Object{
      {"RoleARN", "arn:aws:iam::000000000000:role/runnel-bench"},
      {"BucketARN", bucket_arn(bucket)},
      {"BufferingHints", Object{{"SizeInMBs", o.buffer_size_mb}, {"IntervalInSeconds", o.buffer_interval_s}}},
      {"CompressionFormat", std::string(to_string(o.compression))},
  };
  return Object{{"DeliveryStreamName", name},
                {"DeliveryStreamType", "DirectPut"},
                {"ExtendedS3DestinationConfiguration", std::move(destination)}};
}

Value put_record_batch_request(std::string_view name, const std::vector<std::string>& records) {
  protocol::Array list;
  list.reserve(records.size());
  for (const std::string& data : records) list.emplace_back(Object{{"Data", protocol::Blob{data}}});
  return Object{{"DeliveryStreamName", name}, {"Records", std::move(list)}};
}

namespace {

size_t occurrences(std::string_view text, std::string_view what) {
  size_t n = 0;
  const char* end = text.data() + text.size();
  for (const char* at = text.data();; ++n) {
    const void* hit = memmem(at, static_cast<size_t>(end - at), what.data(), what.size());
    if (!hit) return n;
    at = static_cast<const char*>(hit) + what.size();
  }
}

}  // namespace

std::optional<std::vector<std::string>> put_record_batch_entry_errors(std::string_view body, size_t expected) {
  const bool none_failed =
      occurrences(body, R"("FailedPutCount":0,)") + occurrences(body, R"("FailedPutCount":0})") > 0;
  if (none_failed && occurrences(body, R"("ErrorCode")") == 0) {
    if (occurrences(body, R"("RecordId")") != expected) return std::nullopt;
    return std::vector<std::string>(expected);
  }
  auto answer = protocol::decode_json(body);
  if (!answer) return std::nullopt;
  const Value* responses = answer->find("RequestResponses");
  if (!responses || !responses->is_array() || responses->as_array().size() != expected) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(expected);
  for (const Value& entry : responses->as_array()) out.emplace_back(string_member(entry, "ErrorCode"));
  return out;
}

}  // namespace runnel::bench
