#include "firehose/lambda.h"

#include <cctype>
#include <chrono>
#include <map>

#include "net/http.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "protocol/sigv4.h"

namespace runnel::firehose {
namespace {

constexpr size_t kMaxAnswerBytes = 6 << 20;  // Lambda's synchronous payload limit

std::string json_string(std::string_view s) { return protocol::encode_json(protocol::Value(std::string(s))); }

}  // namespace

EndpointRequest lambda_invoke_request(const LambdaSettings& settings, std::string_view function, std::string body,
                                      int64_t now_ms) {
  std::string base = settings.endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string path =
      "/2015-03-31/functions/" + protocol::sigv4_uri_encode(function, /*keep_slash=*/false) + "/invocations";
  EndpointRequest req;
  req.url = base + path;
  req.timeout_ms = 300'000;  // a function runs at most 5 minutes for Firehose and KDA
  req.max_response_bytes = kMaxAnswerBytes + 1;
  req.headers = {{"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", "RequestResponse"}};
  if (!settings.access_key_id.empty()) {
    // Sign as the SDKs do: the host, the date, the body's hash.
    net::HttpRequest signing;
    signing.method = "POST";
    signing.path = path;
    std::string host = base;
    if (const size_t scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
    host = host.substr(0, host.find('/'));
    signing.headers.push_back({"host", host});
    signing.headers.push_back({"content-type", "application/json"});
    signing.headers.push_back({"x-amz-invocation-type", "RequestResponse"});
    if (!settings.session_token.empty()) signing.headers.push_back({"x-amz-security-token", settings.session_token});
    signing.body = body;
    protocol::SigV4Signer signer(settings.access_key_id, settings.secret_access_key, settings.region, "lambda");
    const std::string authorization = signer.sign(
        signing, std::chrono::duration_cast<std::chrono::seconds>(std::chrono::milliseconds(now_ms)).count());
    for (const auto& h : signing.headers)
      if (h.name == "x-amz-date" || h.name == "x-amz-security-token") req.headers.emplace_back(h.name, h.value);
    req.headers.emplace_back("Authorization", authorization);
  }
  req.body = std::move(body);
  return req;
}

std::optional<std::string> lambda_invocation_error(const EndpointResponse& response) {
  if (response.status == 0) return "The Lambda function could not be invoked: " + response.transport_error;
  if (response.status != 200)
    return "The Lambda invocation failed with HTTP " + std::to_string(response.status) + ": " +
           response.body.substr(0, 512);
  if (const std::string* error = response.header("x-amz-function-error"))
    return "The Lambda function failed (" + *error + "): " + response.body.substr(0, 512);
  if (response.body.size() > kMaxAnswerBytes) return "The Lambda function's answer is larger than 6 MB.";
  return std::nullopt;
}

EndpointRequest lambda_request(const LambdaSettings& settings, std::string_view function,
                               std::string_view invocation_id, std::string_view stream_arn,
                               const std::optional<std::string>& source_stream_arn,
                               const std::vector<LambdaInput>& records, int64_t now_ms) {
  std::string body = "{\"invocationId\":" + json_string(invocation_id) +
                     ",\"deliveryStreamArn\":" + json_string(stream_arn) +
                     ",\"region\":" + json_string(settings.region);
  if (source_stream_arn) body += ",\"sourceKinesisStreamArn\":" + json_string(*source_stream_arn);
  body += ",\"records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) body.push_back(',');
    body += "{\"recordId\":" + json_string(records[i].record_id) +
            ",\"approximateArrivalTimestamp\":" + std::to_string(records[i].arrival_ms) + ",\"data\":\"";
    protocol::base64_encode_append(records[i].data, body);
    body += "\"}";
  }
  body += "]}";

  return lambda_invoke_request(settings, function, std::move(body), now_ms);
}

Result<std::vector<LambdaOutput>> lambda_answer(const EndpointResponse& response,
                                                const std::vector<LambdaInput>& records) {
  auto fail = [](std::string why) { return std::unexpected(Status::invalid_argument(std::move(why))); };
  if (auto why = lambda_invocation_error(response)) return fail(std::move(*why));
  auto doc = protocol::decode_json(response.body);
  const protocol::Value* list = doc && doc->is_object() ? doc->find("records") : nullptr;
  if (!list || !list->is_array()) return fail("The Lambda function's answer has no \"records\" array.");
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < records.size(); ++i) index.emplace(records[i].record_id, i);
  std::vector<std::optional<LambdaOutput>> out(records.size());
  for (const protocol::Value& r : list->as_array()) {
    const protocol::Value* id = r.is_object() ? r.find("recordId") : nullptr;
    const protocol::Value* result = r.is_object() ? r.find("result") : nullptr;
    if (!id || !id->is_string() || !result || !result->is_string())
      return fail("A record of the Lambda function's answer has no recordId or result.");
    auto at = index.find(id->as_string());
    if (at == index.end()) return fail("The Lambda function answered an unknown recordId " + id->as_string() + ".");
    if (out[at->second]) return fail("The Lambda function answered recordId " + id->as_string() + " twice.");
    LambdaOutput o;
    o.record_id = id->as_string();
    o.result = result->as_string();
    if (o.result != "Ok" && o.result != "Dropped" && o.result != "ProcessingFailed")
      return fail("The Lambda function answered result " + o.result + " for recordId " + o.record_id +
                  "; it must be Ok, Dropped or ProcessingFailed.");
    if (const protocol::Value* data = r.find("data"); data && data->is_string()) {
      auto decoded = protocol::base64_decode(data->as_string());
      if (!decoded) return fail("The data of recordId " + o.record_id + " is not base64.");
      o.data = std::move(*decoded);
    } else if (o.result == "Ok") {
      return fail("The Lambda function answered Ok without data for recordId " + o.record_id + ".");
    }
    if (const protocol::Value* meta = r.find("metadata"); meta && meta->is_object()) {
      if (const protocol::Value* keys = meta->find("partitionKeys"); keys && keys->is_object()) {
        for (const protocol::Member& m : keys->as_object()) {
          if (m.value.is_string()) {
            o.partition_keys.emplace_back(m.key, m.value.as_string());
          } else {
            o.partition_keys.emplace_back(m.key, protocol::encode_json(m.value));
          }
        }
      }
    }
    out[at->second] = std::move(o);
  }
  std::vector<LambdaOutput> answers;
  answers.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i]) return fail("The Lambda function did not answer recordId " + records[i].record_id + ".");
    answers.push_back(std::move(*out[i]));
  }
  return answers;
}

}  // namespace runnel::firehose
