#pragma once
// Dispatcher: the AWS protocol front door. It takes every HTTP request that
// net/ hands over and, in AWS's order: answers requests that are not a POST
// of a served content type as AWS does (403 XML), finds the operation from
// X-Amz-Target, decodes the body (JSON 1.1 or CBOR, chosen by Content-Type),
// parses (and, when a credential store is configured, verifies) SigV4,
// validates the input against the service model, calls the service, and
// encodes the result or error in the request's encoding.
//
// This file is the one place where an ApiError becomes `__type` + message +
// HTTP status on the wire.
//
// Thread-safety: handle() may be called concurrently from every net/ thread;
// services must be registered before the server starts.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/event_stream_response.h"
#include "protocol/fast_input.h"
#include "protocol/model.h"
#include "protocol/validator.h"
#include "protocol/value.h"

namespace runnel::protocol {

class CredentialStore;

// What a service learns about the caller.
struct RequestContext {
  std::string region;        // from the SigV4 credential scope, or the default
  std::string account_id;    // from configuration
  std::string request_id;    // the x-amzn-RequestId of this request
  WireFormat format = WireFormat::kJson;
  // Set only for operations whose output is an event stream
  // (SubscribeToShard): the service replies an error through OperationReply
  // before anything is sent, or takes the response over with events->begin()
  // and then must not call the OperationReply.
  std::shared_ptr<EventStreamResponse> events;
  // Runs work on the thread serving the request's connection; unset means
  // "inline". For an operation that completes on a thread shared by all
  // requests (the log's writer): it builds its output there instead, so
  // that thread only hands over results. Callable from any thread.
  std::function<void(std::function<void()>)> run_on_request_thread = {};
  // The output will be encoded in `format` by the dispatcher, so an
  // operation may put Encoded fragments (in that format) into it. Unset for
  // callers that read the output as a Value tree (tests).
  bool direct_encoding = false;
};

// Completes an operation: the output structure, or an error.
using OperationReply = std::function<void(ApiResult<Value>)>;
// Runs one operation whose input has been validated. May reply later, on any thread.
using OperationHandler =
    std::function<void(const OperationModel& op, Value input, const RequestContext& ctx, OperationReply reply)>;

struct DispatcherOptions {
  std::string default_region = "us-east-1";
  std::string account_id = "000000000000";
  const CredentialStore* credentials = nullptr;   // verify signatures when set
};

class Dispatcher {
 public:
  explicit Dispatcher(DispatcherOptions options);

  // Serves operations whose X-Amz-Target starts with model.target_prefix + ".".
  void register_service(const ServiceModel& model, OperationHandler handler);

  // The net::RequestHandler entry point.
  void handle(net::HttpRequest request, std::shared_ptr<net::ResponseSink> sink) const;

  // For net/'s head hook: given a request's head (no body yet), the answer
  // to send without reading the body, or nullopt to go on reading it. Only
  // when a credential store is configured (else always nullopt): what
  // handle() answers without looking at the body (403 XML, the plain-JSON
  // envelope, UnknownOperationException), then the authentication checks
  // that need no body (no or malformed auth, clock, unsigned x-amz-* headers,
  // unknown key). Callable from any thread.
  std::optional<net::HttpResponse> check_head(const net::HttpRequest& head) const;

  // Encodes an error as AWS does for the given encoding (exposed for tests
  // and for net-level errors).
  static net::HttpResponse error_response(const ApiError& error, WireFormat format, const std::string& request_id);

 private:
  struct Service {
    const ServiceModel* model;
    OperationHandler handler;
    FastInput fast;  // one-pass decoders of its hottest inputs
  };
  const Service* find_service(const net::HttpRequest& req, const OperationModel** op) const;

  DispatcherOptions options_;
  std::vector<Service> services_;
};

}  // namespace runnel::protocol
