#pragma once
// The bytes of every answer the dispatcher sends, per protocol front end:
// AWS JSON 1.0/1.1 and AWS CBOR 1.1 (`__type` + message, x-amzn-ErrorType),
// Smithy RPC v2 CBOR (`__type` + message, smithy-protocol header), and the
// answers AWS gives before any protocol is chosen (403 XML, the retired
// plain-JSON envelope). With the request id headers every answer carries.
// docs/protocols.md shows each on the wire.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/dispatcher.h"
#include "protocol/model.h"
#include "protocol/value.h"

namespace runnel::protocol {

inline constexpr std::string_view kAmzCborType = "application/x-amz-cbor-1.1";
inline constexpr std::string_view kAmzJson11Type = "application/x-amz-json-1.1";
inline constexpr std::string_view kAmzJson10Type = "application/x-amz-json-1.0";
inline constexpr std::string_view kPlainJsonType = "application/json";
inline constexpr std::string_view kCborType = "application/cbor";
inline constexpr std::string_view kFormType = "application/x-www-form-urlencoded";

// How a request is answered: its protocol, and for the AWS JSON family the
// content type it came with (JSON 1.0, 1.1, or CBOR 1.1).
struct AnswerFormat {
  Protocol protocol = Protocol::kAwsJson;
  std::string_view content_type = kAmzJson11Type;  // for kAwsJson / kAwsCbor
  const ServiceModel* model = nullptr;             // once the service is known
};

// x-amzn-RequestId and x-amz-id-2 (base64 of 72 random bytes, as AWS sends).
void add_request_id_headers(net::HttpResponse& resp, const std::string& request_id);

// A successful answer. `op` has no output shape -> an empty body for the
// JSON protocols and RPC v2 (what AWS sends).
net::HttpResponse encode_success(const AnswerFormat& format, const OperationModel& op, const Value& output,
                                 const std::string& request_id);
// The same, moving a REST-XML blob or string payload into the body.
net::HttpResponse encode_success(const AnswerFormat& format, const OperationModel& op, Value&& output,
                                 const std::string& request_id);

// An error in the request's protocol. For services the model marks
// awsQueryCompatible, the JSON and CBOR answers also carry
// `x-amzn-query-error: <Code>;<Sender|Receiver>` (query_codec.h). AWS Query
// answers are XML (query_codec.h) in the request's protocol.
net::HttpResponse encode_error(const AnswerFormat& format, const ApiError& error, const std::string& request_id);

// AWS's answer to a request that is not a POST of a content type it serves:
// 403 in XML, without a Content-Type header. Which exception depends only on
// whether the request tried to authenticate.
net::HttpResponse forbidden_xml(bool authenticated, const std::string& request_id);

// AWS's answer to Content-Type: application/json: HTTP 200 and the error in
// the envelope of the retired JSON 1.0 protocol.
net::HttpResponse plain_json_error(std::string_view type, std::string_view message_key, const std::string& request_id);

}  // namespace runnel::protocol
