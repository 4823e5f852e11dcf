// Dispatcher::transport_error_response: the answers to the transport errors
// net/ reports (net/transport_error.h), in the request's protocol.

#include <optional>
#include <string>

#include "net/responses.h"
#include "protocol/dispatcher.h"
#include "protocol/wire_answers.h"

namespace runnel::protocol {
namespace {

ApiError transport_api_error(const net::TransportError& error) {
  switch (error.kind) {
    case net::TransportErrorKind::kBodyTooLarge:
      return ApiError{"SerializationException",
                      "Request body of " + std::to_string(error.body_bytes) + " bytes exceeds the limit of " +
                          std::to_string(error.limit) + " bytes.",
                      413, true};
    case net::TransportErrorKind::kBodyMemoryExhausted:
      return ApiError{"ServiceUnavailableException",
                      "The server is receiving too many request bodies at once; retry the request.", 503, true};
    case net::TransportErrorKind::kAbandoned: break;
  }
  return internal_failure();
}

}  // namespace

net::HttpResponse Dispatcher::transport_error_response(const net::HttpRequest& head, net::TransportError error) const {
  // Only a request that names a service (its target or RPC v2 path) speaks
  // that service's protocol; anything else is answered as Kinesis always
  // answered it, in AWS JSON 1.1.
  const AnswerFormat answer = answer_format(head).value_or(AnswerFormat{});
  net::HttpResponse resp = encode_error(answer, transport_api_error(error), net::make_request_id());
  // AWS SDKs retry 503s; Retry-After says when.
  if (error.kind == net::TransportErrorKind::kBodyMemoryExhausted) resp.headers.push_back({"Retry-After", "1"});
  return resp;
}

}  // namespace runnel::protocol
