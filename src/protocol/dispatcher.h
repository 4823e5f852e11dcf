#pragma once
// Dispatcher: the front door of every AWS service runnel serves. It takes
// every HTTP request net/ hands over, finds the service and operation, picks
// the protocol front end the request speaks, and:
//   - local routes (GET /health, GET /metrics) by exact method and path;
//   - X-Amz-Target: AWS JSON 1.0 / 1.1 (by the service model's jsonVersion)
//     and AWS CBOR 1.1 (for services that take it);
//   - POST /service/<Service>/operation/<Op>: Smithy RPC v2 CBOR;
//   - a form body (application/x-www-form-urlencoded): AWS Query, the
//     service chosen by the SigV4 credential scope's service name;
//   - REST-JSON and REST-XML: the service named by the SigV4 credential
//     scope (or the only REST service), the operation by method and URI
//     template (REST-XML also by the members the request carries);
//   - anything else: AWS's 403 in XML.
// Then, in AWS's order: decodes the body (gzip Content-Encoding first),
// parses and (with a credential store) verifies SigV4, validates the input
// against the model, calls the service's handler, and encodes the result or
// error in the request's protocol (docs/protocols.md).
//
// This file (with wire_answers.*) is the one place where an ApiError becomes
// bytes on the wire.
//
// Thread-safety: handle() and check_head() may be called concurrently from
// every net/ thread; services must be registered before the server starts.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"
#include "net/transport_error.h"
#include "protocol/api_error.h"
#include "protocol/event_stream_response.h"
#include "protocol/model.h"
#include "protocol/service.h"
#include "protocol/streamed_payload.h"
#include "protocol/validator.h"
#include "protocol/value.h"

namespace runnel::protocol {

class CredentialStore;
struct AnswerFormat;

// The protocol a request speaks.
enum class Protocol : uint8_t { kAwsJson, kAwsCbor, kRpcV2Cbor, kQuery, kRestJson, kRestXml };

// What a service learns about the caller.
struct RequestContext {
  std::string region;      // from the SigV4 credential scope, or the default
  std::string account_id;  // from configuration
  std::string request_id;  // the x-amzn-RequestId of this request
  WireFormat format = WireFormat::kJson;
  // Set only for operations whose output is an event stream
  // (SubscribeToShard): the service replies an error through OperationReply
  // before anything is sent, or takes the response over with events->begin()
  // and then must not call the OperationReply.
  std::shared_ptr<EventStreamResponse> events;
  // Set only for operations whose input payload is a streaming blob (S3
  // PutObject, PutMedia) when net/ streamed the body (streams_body()): the
  // payload arrives through it, after the handler is called; the input's
  // payload member is an empty blob. The service reads it (read()), and
  // answers through the OperationReply, typically at on_payload_end().
  std::shared_ptr<StreamedPayload> payload = {};
  // Runs work on the thread serving the request's connection; unset means
  // "inline". For an operation that completes on a thread shared by all
  // requests (the log's writer): it builds its output there instead, so
  // that thread only hands over results. Callable from any thread.
  std::function<void(std::function<void()>)> run_on_request_thread = {};
  // The output will be encoded in `format` (AWS JSON or AWS CBOR 1.1) by the
  // dispatcher, so an operation may put Encoded fragments (in that format)
  // into it. Unset for callers that read the output as a Value tree (tests)
  // and for the protocols that re-encode (RPC v2, Query).
  bool direct_encoding = false;
  Protocol protocol = Protocol::kAwsJson;  // the front end the request came through
  // The request's Host header (HTTP/2: :authority), or empty. Last, so that
  // positional initialisers of the fields above stay valid.
  std::string host = {};
};

// One answered operation, for the dispatcher's observer (request metrics).
// Reported only once the service and the operation are known: routing
// failures (403, UnknownOperationException, a Query request without a valid
// Action) name no operation and are not reported; nor is a successful
// event-stream operation (SubscribeToShard), which answers with events
// rather than through the reply. Its views point into the request's
// answer and live only during the call.
struct RequestOutcome {
  const ServiceModel* model = nullptr;        // the service's model (static)
  const OperationModel* operation = nullptr;  // in model->operations
  Protocol protocol = Protocol::kAwsJson;
  std::string_view error;  // the ApiError's type (__type); empty on success
  int http_status = 200;
  std::chrono::nanoseconds elapsed{0};  // since handle() was called
};
// Called on the thread that sends the answer (a net/ worker, or the thread
// the service replied on: the log's writer for appends). Must be cheap and
// thread-safe; it runs before the answer is handed to net/.
using RequestObserver = std::function<void(const RequestOutcome&)>;

struct DispatcherOptions {
  std::string default_region = "us-east-1";
  std::string account_id = "000000000000";
  const CredentialStore* credentials = nullptr;  // verify signatures when set
  // The largest body a Content-Encoding: gzip request may inflate to (beyond:
  // 413 in the request's protocol).
  size_t max_inflated_body_bytes = 20u << 20;
  // Told about every answered operation (see RequestOutcome); unset: no
  // clock is read and nothing is reported. The dispatcher must outlive the
  // replies of the requests it handed over (server/serve.cc stops the
  // server and closes the services before destroying it).
  RequestObserver observer;
};

class Dispatcher {
 public:
  explicit Dispatcher(DispatcherOptions options);
  ~Dispatcher();

  // Serves `service`'s operations and local routes. The service must
  // outlive the dispatcher. Its X-Amz-Target prefix and RPC v2 name
  // (targetPrefix) must be unique.
  void register_service(Service& service);
  // Serves one model with one handler for all its operations (tests, tools).
  void register_service(const ServiceModel& model, OperationHandler handler);
  // Serves a path outside the AWS APIs.
  void add_route(LocalRoute route);

  // The models of the registered services, in registration order (for an
  // observer that makes its series up front).
  std::vector<const ServiceModel*> models() const;

  // The net::RequestHandler entry point.
  void handle(net::HttpRequest request, std::shared_ptr<net::ResponseSink> sink) const;

  // For net/'s head hook: given a request's head (no body yet), the answer
  // to send without reading the body, or nullopt to go on reading it. Only
  // when a credential store is configured (else always nullopt): what
  // handle() answers without looking at the body (403 XML, the plain-JSON
  // envelope, an unknown target or RPC v2 path), then the authentication
  // checks that need no body (no or malformed auth, clock, unsigned x-amz-*
  // headers, unknown key). Callable from any thread.
  std::optional<net::HttpResponse> check_head(const net::HttpRequest& head) const;

  // For net/'s stream_body hook: whether the request's body should be
  // streamed to its operation rather than read whole first: the head routes
  // to an operation whose input payload is a streaming blob. Callable from
  // any thread.
  bool streams_body(const net::HttpRequest& head) const;

  // For net/'s transport_error hook: the answer to a transport error (body
  // too large -> 413 SerializationException, body memory exhausted -> 503
  // ServiceUnavailableException with Retry-After: 1, abandoned -> 500
  // InternalFailure) in the protocol the head speaks, routed as handle()
  // routes it; AWS JSON 1.1 for a request that names no service. Callable
  // from any thread. Defined in transport_errors.cc.
  net::HttpResponse transport_error_response(const net::HttpRequest& head, net::TransportError error) const;

  // Encodes an error as AWS JSON 1.1 / AWS CBOR 1.1 do (exposed for tests
  // and for net-level errors).
  static net::HttpResponse error_response(const ApiError& error, WireFormat format, const std::string& request_id);

 private:
  struct Registered;
  struct Route;
  Route route(const net::HttpRequest& req) const;
  std::optional<Route> rest_route(const net::HttpRequest& req) const;
  Route query_route(const net::HttpRequest& req) const;
  // The format route() picks for a head that names a service (an operation
  // or an unknown one of a known front end), else nullopt.
  std::optional<AnswerFormat> answer_format(const net::HttpRequest& head) const;
  const Registered* find_by_target(std::string_view target, const OperationModel** op) const;
  const LocalRoute* find_local(const net::HttpRequest& req) const;

  DispatcherOptions options_;
  std::vector<std::unique_ptr<Registered>> services_;
  std::vector<LocalRoute> routes_;
};

}  // namespace runnel::protocol
