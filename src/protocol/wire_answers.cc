#include "protocol/wire_answers.h"

#include <utility>

#include "net/responses.h"
#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"
#include "protocol/query_codec.h"
#include "protocol/rest_json.h"
#include "protocol/rest_xml.h"

namespace runnel::protocol {
namespace {

Value error_body(const ApiError& error) {
  Value body = Object{};
  body.set("__type", error.type);
  if (!error.message.empty()) body.set(error.capital_message_key ? "Message" : "message", error.message);
  if (error.members && error.members->is_object()) {
    for (const Member& m : error.members->as_object()) body.set(m.key, m.value);
  }
  return body;
}

}  // namespace

void add_request_id_headers(net::HttpResponse& resp, const std::string& request_id) {
  unsigned char bytes[72];
  net::random_bytes(bytes, sizeof bytes);
  resp.headers.push_back({"x-amzn-RequestId", request_id});
  resp.headers.push_back(
      {"x-amz-id-2", base64_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes))});
}

net::HttpResponse encode_success(const AnswerFormat& format, const OperationModel& op, Value&& output,
                                 const std::string& request_id) {
  if (format.protocol == Protocol::kRestXml && format.model)
    return encode_rest_xml_output(*format.model, op, std::move(output), request_id);
  return encode_success(format, op, std::as_const(output), request_id);
}

net::HttpResponse encode_success(const AnswerFormat& format, const OperationModel& op, const Value& output,
                                 const std::string& request_id) {
  net::HttpResponse resp;
  if (format.protocol == Protocol::kRestJson && format.model) {
    resp = encode_rest_json_output(*format.model, op, output);
    add_request_id_headers(resp, request_id);
    return resp;
  }
  if (format.protocol == Protocol::kRestXml && format.model)
    return encode_rest_xml_output(*format.model, op, output, request_id);
  if (format.protocol == Protocol::kQuery && format.model) {
    resp.status = 200;
    resp.headers.push_back({"Content-Type", std::string(kQueryContentType)});
    resp.body = encode_query_output(*format.model, op, output, request_id);
    add_request_id_headers(resp, request_id);
    return resp;
  }
  resp.status = 200;
  const bool empty_output = op.output == kNoShape;
  static const Value kEmpty = Object{};
  const Value& out = output.is_null() ? kEmpty : output;
  switch (format.protocol) {
    case Protocol::kAwsCbor:
      resp.headers.push_back({"Content-Type", std::string(kAmzCborType)});
      resp.body = encode_cbor(out);
      break;
    case Protocol::kRpcV2Cbor:
      resp.headers.push_back({"smithy-protocol", "rpc-v2-cbor"});
      if (!empty_output) {
        resp.headers.push_back({"Content-Type", std::string(kCborType)});
        resp.body = encode_cbor(out, CborEpoch::kSeconds);
      }
      break;
    case Protocol::kAwsJson:
    case Protocol::kRestJson:  // without a model: as JSON
    case Protocol::kRestXml:   // without a model: as JSON
    case Protocol::kQuery:     // answered by the query codec; never here
      resp.headers.push_back({"Content-Type", std::string(format.content_type)});
      if (!empty_output) resp.body = encode_json(out);
      break;
  }
  add_request_id_headers(resp, request_id);
  return resp;
}

net::HttpResponse encode_error(const AnswerFormat& format, const ApiError& error, const std::string& request_id) {
  net::HttpResponse resp;
  if (format.protocol == Protocol::kRestJson) {
    resp = encode_rest_json_error(error);
    add_request_id_headers(resp, request_id);
    return resp;
  }
  if (format.protocol == Protocol::kRestXml) return encode_rest_xml_error(format.model, error, request_id);
  if (format.protocol == Protocol::kQuery && format.model) {
    QueryErrorResponse q = encode_query_error(*format.model, error, request_id);
    resp.status = q.http_status;
    resp.headers.push_back({"Content-Type", std::string(kQueryContentType)});
    resp.body = std::move(q.body);
    add_request_id_headers(resp, request_id);
    return resp;
  }
  resp.status = error.http_status;
  switch (format.protocol) {
    case Protocol::kAwsCbor:
      resp.headers.push_back({"Content-Type", std::string(kAmzCborType)});
      resp.body = encode_cbor(error_body(error));
      break;
    case Protocol::kRpcV2Cbor:
      resp.headers.push_back({"smithy-protocol", "rpc-v2-cbor"});
      resp.headers.push_back({"Content-Type", std::string(kCborType)});
      resp.body = encode_cbor(error_body(error), CborEpoch::kSeconds);
      break;
    case Protocol::kAwsJson:
    case Protocol::kRestJson:
    case Protocol::kRestXml:
    case Protocol::kQuery:
      resp.headers.push_back({"Content-Type", std::string(format.content_type)});
      resp.body = encode_json(error_body(error));
      break;
  }
  resp.headers.push_back({"x-amzn-ErrorType", error.type});
  if (format.model) {
    if (std::string q = query_error_header(*format.model, error); !q.empty())
      resp.headers.push_back({"x-amzn-query-error", std::move(q)});
  }
  add_request_id_headers(resp, request_id);
  return resp;
}

net::HttpResponse forbidden_xml(bool authenticated, const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = 403;
  resp.body = authenticated ? "<AccessDeniedException>\n"
                              "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
                              "</AccessDeniedException>\n"
                            : "<MissingAuthenticationTokenException>\n"
                              "  <Message>Missing Authentication Token</Message>\n"
                              "</MissingAuthenticationTokenException>\n";
  add_request_id_headers(resp, request_id);
  return resp;
}

net::HttpResponse plain_json_error(std::string_view type, std::string_view message_key, const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = 200;
  resp.headers.push_back({"Content-Type", std::string(kPlainJsonType)});
  resp.body = "{\"Output\":{\"__type\":\"com.amazon.coral.service#" + std::string(type) + "\",\"" +
              std::string(message_key) + "\":null},\"Version\":\"1.0\"}";
  add_request_id_headers(resp, request_id);
  return resp;
}

}  // namespace runnel::protocol
