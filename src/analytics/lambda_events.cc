#include "analytics/lambda_events.h"

#include <map>

#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::analytics {
namespace {

std::string json_string(std::string_view s) { return protocol::encode_json(protocol::Value(std::string(s))); }

}  // namespace

firehose::EndpointRequest preprocessing_request(const firehose::LambdaSettings& settings, std::string_view function,
                                                std::string_view invocation_id, std::string_view application_arn,
                                                std::string_view stream_arn,
                                                const std::vector<PreprocessRecord>& records, int64_t now_ms) {
  std::string body = "{\"invocationId\":" + json_string(invocation_id) +
                     ",\"applicationArn\":" + json_string(application_arn) +
                     ",\"streamArn\":" + json_string(stream_arn) + ",\"records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    const PreprocessRecord& r = records[i];
    if (i) body.push_back(',');
    body += "{\"recordId\":" + json_string(r.input.record_id);
    if (r.from_firehose) {
      body +=
          ",\"kinesisFirehoseRecordMetadata\":{\"approximateArrivalTimestamp\":" + std::to_string(r.input.arrival_ms) +
          "}";
    } else {
      body += ",\"kinesisStreamRecordMetadata\":{\"sequenceNumber\":" + json_string(r.sequence_number) +
              ",\"partitionKey\":" + json_string(r.partition_key) + ",\"shardId\":" + json_string(r.shard_id) +
              ",\"approximateArrivalTimestamp\":" + std::to_string(r.input.arrival_ms) + "}";
    }
    body += ",\"data\":\"";
    protocol::base64_encode_append(r.input.data, body);
    body += "\"}";
  }
  body += "]}";
  return firehose::lambda_invoke_request(settings, function, std::move(body), now_ms);
}

firehose::EndpointRequest output_request(const firehose::LambdaSettings& settings, std::string_view function,
                                         std::string_view invocation_id, std::string_view application_arn,
                                         const std::vector<OutputRecord>& records, int64_t now_ms) {
  std::string body = "{\"invocationId\":" + json_string(invocation_id) +
                     ",\"applicationArn\":" + json_string(application_arn) + ",\"records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) body.push_back(',');
    body += "{\"recordId\":" + json_string(records[i].record_id) +
            ",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":" + std::to_string(records[i].retry_hint) +
            "},\"data\":\"";
    protocol::base64_encode_append(records[i].data, body);
    body += "\"}";
  }
  body += "]}";
  return firehose::lambda_invoke_request(settings, function, std::move(body), now_ms);
}

Result<std::vector<bool>> output_answer(const firehose::EndpointResponse& response,
                                        const std::vector<OutputRecord>& records) {
  auto fail = [](std::string why) { return std::unexpected(Status::invalid_argument(std::move(why))); };
  if (auto why = firehose::lambda_invocation_error(response)) return fail(std::move(*why));
  auto doc = protocol::decode_json(response.body);
  const protocol::Value* list = doc && doc->is_object() ? doc->find("records") : nullptr;
  if (!list || !list->is_array()) return fail("The Lambda function's answer has no \"records\" array.");
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < records.size(); ++i) index.emplace(records[i].record_id, i);
  std::vector<bool> ok(records.size(), false);
  for (const protocol::Value& r : list->as_array()) {
    const protocol::Value* id = r.is_object() ? r.find("recordId") : nullptr;
    const protocol::Value* result = r.is_object() ? r.find("result") : nullptr;
    if (!id || !id->is_string() || !result || !result->is_string())
      return fail("A record of the Lambda function's answer has no recordId or result.");
    auto at = index.find(id->as_string());
    if (at == index.end()) return fail("The Lambda function answered an unknown recordId " + id->as_string() + ".");
    if (result->as_string() == "Ok") {
      ok[at->second] = true;
    } else if (result->as_string() != "DeliveryFailed") {
      return fail("The Lambda function answered result " + result->as_string() + " for recordId " + id->as_string() +
                  "; it must be Ok or DeliveryFailed.");
    }
  }
  return ok;
}

}  // namespace runnel::analytics
