#include "protocol/dispatcher.h"

#include <zlib.h>

#include <chrono>

#include "net/responses.h"
#include "protocol/cbor_codec.h"
#include "protocol/credentials.h"
#include "protocol/json_codec.h"
#include "protocol/query_codec.h"
#include "protocol/rest_json.h"
#include "protocol/rest_xml.h"
#include "protocol/sigv4.h"
#include "protocol/streamed_request.h"
#include "protocol/wire_answers.h"

namespace runnel::protocol {
namespace {

// What a request's Content-Type names.
enum class ContentKind { kJson11, kJson10, kAmzCbor, kPlainJson, kCbor, kForm, kOther };

ContentKind content_kind(const net::HttpRequest& req) {
  const std::string* ct = req.header("content-type");
  if (!ct) return ContentKind::kOther;
  std::string_view media = std::string_view(*ct).substr(0, ct->find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  if (net::iequals_ascii(media, kAmzJson11Type)) return ContentKind::kJson11;
  if (net::iequals_ascii(media, kAmzJson10Type)) return ContentKind::kJson10;
  if (net::iequals_ascii(media, kAmzCborType)) return ContentKind::kAmzCbor;
  if (net::iequals_ascii(media, kPlainJsonType)) return ContentKind::kPlainJson;
  if (net::iequals_ascii(media, kCborType)) return ContentKind::kCbor;
  if (net::iequals_ascii(media, kFormType)) return ContentKind::kForm;
  return ContentKind::kOther;
}

ApiError serialization_error() { return ApiError{"SerializationException", "", 400, true}; }
ApiError unknown_operation() { return ApiError{"UnknownOperationException", "", 400, false}; }

// The operation's streaming blob payload member, or nullptr.
const MemberModel* streaming_payload(const ServiceModel& model, const OperationModel& op) {
  const Shape* in = model.input_shape(op);
  if (!in) return nullptr;
  for (const MemberModel& m : in->members)
    if (m.payload && m.streaming) return &m;
  return nullptr;
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The segments of an RPC v2 path, /service/<Service>/operation/<Op>, or
// false when the path has another shape.
bool rpc_v2_path(std::string_view path, std::string_view& service, std::string_view& op) {
  constexpr std::string_view kService = "/service/", kOperation = "/operation/";
  if (!path.starts_with(kService)) return false;
  path.remove_prefix(kService.size());
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  service = path.substr(0, slash);
  path.remove_prefix(slash);
  if (!path.starts_with(kOperation)) return false;
  op = path.substr(kOperation.size());
  return !op.empty() && op.find('/') == std::string_view::npos;
}

bool has_gzip_encoding(const net::HttpRequest& req) {
  const std::string* enc = req.header("content-encoding");
  return enc && net::iequals_ascii(*enc, "gzip");
}

// Inflates a gzip body into `out` (with net::kBodyPadding spare capacity for
// the in-place JSON parser). False when it is not gzip or would exceed
// `limit` bytes; `too_large` tells which.
bool gunzip(std::string_view in, size_t limit, std::string& out, bool& too_large) {
  too_large = false;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out.clear();
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > limit) {
      too_large = true;
      break;
    }
    out.append(buf, produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) break;  // truncated input
  }
  bool ok = rc == Z_STREAM_END && zs.avail_in == 0 && !too_large;
  inflateEnd(&zs);
  if (ok) out.reserve(out.size() + net::kBodyPadding);
  return ok;
}

void observe(const RequestObserver& observer, const ServiceModel& model, const OperationModel& op, Protocol protocol,
             std::string_view error, int status, std::chrono::steady_clock::time_point started) {
  RequestOutcome o;
  o.model = &model;
  o.operation = &op;
  o.protocol = protocol;
  o.error = error;
  o.http_status = status;
  o.elapsed = std::chrono::steady_clock::now() - started;
  observer(o);
}

}  // namespace

struct Dispatcher::Registered {
  const ServiceModel* model;
  OperationTable table;
  std::unique_ptr<FastDecoder> fast;
  bool takes_amz_cbor;  // application/x-amz-cbor-1.1 (Kinesis's Java SDK)
};

// What a request's head decides.
struct Dispatcher::Route {
  // kQuery: an AWS Query service; its operation is in the body (Action).
  enum class Kind { kLocal, kForbidden, kPlainJson, kUnknownOperation, kOperation, kQuery };
  Kind kind = Kind::kForbidden;
  const LocalRoute* local = nullptr;
  UriLabels labels;  // REST
  const Registered* service = nullptr;
  const OperationModel* op = nullptr;
  AnswerFormat answer;
};

Dispatcher::Dispatcher(DispatcherOptions options) : options_(std::move(options)) {}
Dispatcher::~Dispatcher() = default;

void Dispatcher::register_service(Service& service) {
  OperationTable table = service.operations();
  const ServiceModel& model = table.model();
  services_.push_back(std::make_unique<Registered>(
      Registered{&model, std::move(table), service.fast_decoder(), service.takes_amz_cbor()}));
  for (LocalRoute& r : service.local_routes()) add_route(std::move(r));
}

void Dispatcher::register_service(const ServiceModel& model, OperationHandler handler) {
  OperationTable table(model);
  table.otherwise(std::move(handler));
  services_.push_back(std::make_unique<Registered>(Registered{&model, std::move(table), nullptr, true}));
}

void Dispatcher::add_route(LocalRoute route) { routes_.push_back(std::move(route)); }

std::vector<const ServiceModel*> Dispatcher::models() const {
  std::vector<const ServiceModel*> out;
  out.reserve(services_.size());
  for (const auto& s : services_) out.push_back(s->model);
  return out;
}

net::HttpResponse Dispatcher::error_response(const ApiError& error, WireFormat format, const std::string& request_id) {
  AnswerFormat answer;
  answer.protocol = format == WireFormat::kCbor ? Protocol::kAwsCbor : Protocol::kAwsJson;
  answer.content_type = format == WireFormat::kCbor ? kAmzCborType : kAmzJson11Type;
  return encode_error(answer, error, request_id);
}

const Dispatcher::Registered* Dispatcher::find_by_target(std::string_view target, const OperationModel** op) const {
  *op = nullptr;
  size_t dot = target.find('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string_view prefix = target.substr(0, dot);
  for (const auto& s : services_) {
    if (s->model->target_prefix != prefix) continue;
    *op = s->model->find_operation(target.substr(dot + 1));
    return s.get();
  }
  return nullptr;
}

const LocalRoute* Dispatcher::find_local(const net::HttpRequest& req) const {
  // Exact paths first, then the longest prefix.
  const LocalRoute* best = nullptr;
  for (const LocalRoute& r : routes_) {
    if (r.method != req.method || (r.accepts && !r.accepts(req))) continue;
    if (!r.prefix && r.path == req.path) return &r;
    if (r.prefix && req.path.starts_with(r.path) && (!best || r.path.size() > best->path.size())) best = &r;
  }
  return best;
}

// Routing, in the documented order (docs/protocols.md): local paths, then
// X-Amz-Target, then the RPC v2 path. Everything the head can decide.
Dispatcher::Route Dispatcher::route(const net::HttpRequest& req) const {
  Route r;
  if (const LocalRoute* local = find_local(req)) {
    r.kind = Route::Kind::kLocal;
    r.local = local;
    return r;
  }
  ContentKind kind = content_kind(req);
  // A form body is AWS Query's unless the request is signed for a REST
  // service (an S3 object may be uploaded as a form's content type).
  if (!req.header("x-amz-target") && (kind != ContentKind::kForm || has_sigv4_authentication(req))) {
    if (std::optional<Route> rest = rest_route(req)) return *rest;
  }
  if (req.method != "POST") return r;  // kForbidden
  if (kind == ContentKind::kPlainJson) {
    r.kind = Route::Kind::kPlainJson;
    return r;
  }

  std::string_view rpc_service, rpc_op;
  if (rpc_v2_path(req.path, rpc_service, rpc_op)) {
    r.answer.protocol = Protocol::kRpcV2Cbor;
    r.kind = Route::Kind::kUnknownOperation;
    for (const auto& s : services_) {
      if (s->model->target_prefix != rpc_service || !s->model->speaks("smithy-rpc-v2-cbor")) continue;
      r.answer.model = s->model;
      r.service = s.get();
      r.op = s->model->find_operation(rpc_op);
      if (r.op && s->table.find(*r.op)) r.kind = Route::Kind::kOperation;
    }
    return r;
  }

  if (kind == ContentKind::kForm) return query_route(req);
  if (kind != ContentKind::kJson11 && kind != ContentKind::kJson10 && kind != ContentKind::kAmzCbor) return r;
  r.answer.protocol = kind == ContentKind::kAmzCbor ? Protocol::kAwsCbor : Protocol::kAwsJson;
  r.answer.content_type = kind == ContentKind::kAmzCbor  ? kAmzCborType
                          : kind == ContentKind::kJson10 ? kAmzJson10Type
                                                         : kAmzJson11Type;
  const std::string* target = req.header("x-amz-target");
  const OperationModel* op = nullptr;
  const Registered* service = target ? find_by_target(*target, &op) : nullptr;
  if (!service) {
    // No service claims the request: AWS JSON 1.1 and CBOR endpoints answer
    // UnknownOperationException; JSON 1.0 is served only by the services
    // whose model says so, so without one it is AWS's 403.
    if (kind == ContentKind::kJson10) return r;
    r.kind = Route::Kind::kUnknownOperation;
    return r;
  }
  // A content type the service does not take is AWS's 403, as Kinesis
  // answers x-amz-json-1.0.
  bool fits = kind == ContentKind::kAmzCbor
                  ? service->takes_amz_cbor
                  : service->model->json_version == (kind == ContentKind::kJson10 ? "1.0" : "1.1");
  if (!fits) return r;
  r.answer.model = service->model;
  r.service = service;
  r.op = op;
  r.kind = op && service->table.find(*op) ? Route::Kind::kOperation : Route::Kind::kUnknownOperation;
  return r;
}

// AWS Query: the service that speaks it whose signing name the SigV4
// credential scope names, or the only one when the request names none.
// None: AWS's 403.
Dispatcher::Route Dispatcher::query_route(const net::HttpRequest& req) const {
  Route r;
  std::string scope_service;
  if (auto auth = parse_sigv4(req)) scope_service = auth->credential.service;
  std::vector<const Registered*> query;
  for (const auto& s : services_)
    if (s->model->speaks("query")) query.push_back(s.get());
  const Registered* service = nullptr;
  for (const Registered* s : query)
    if (s->model->signing_name == scope_service) service = s;
  if (!service && query.size() == 1 && scope_service.empty()) service = query.front();
  if (!service) return r;
  r.kind = Route::Kind::kQuery;
  r.service = service;
  r.answer.protocol = Protocol::kQuery;
  r.answer.model = service->model;
  return r;
}

// REST-JSON: the service whose signing name the SigV4 credential scope
// names (or the only REST service when the request names none, but for "/"
// and Smithy RPC v2 requests), then the
// operation by method and URI template. nullopt when no REST service
// claims the request, so the rules for the RPC protocols apply.
std::optional<Dispatcher::Route> Dispatcher::rest_route(const net::HttpRequest& req) const {
  std::vector<const Registered*> rest;
  for (const auto& s : services_)
    if (s->model->speaks("rest-json") || s->model->speaks("rest-xml")) rest.push_back(s.get());
  if (rest.empty()) return std::nullopt;
  std::string scope_service;
  if (auto auth = parse_sigv4(req)) scope_service = auth->credential.service;
  const Registered* service = nullptr;
  for (const Registered* s : rest)
    if (s->model->signing_name == scope_service) service = s;
  // With no credential scope, the only REST service claims the request (of
  // several, the one whose operation matches, below),
  // except at "/" (where the RPC protocols post; its GET is S3's ListBuckets,
  // which needs a signature anyway) and when the request says it speaks
  // Smithy RPC v2 (smithy-protocol): those keep the RPC protocols' answers.
  if (!service && scope_service.empty() && req.path != "/" && !req.header("smithy-protocol")) {
    if (rest.size() == 1) {
      service = rest.front();
    } else {
      // Several REST services and no signature to tell them apart: the one
      // with an operation for this method and path, the most specific
      // template winning (S3's `/{Bucket}` does not take Video's
      // `POST /describeStream`; Video has no GET to take S3's).
      size_t best = 0;
      for (const Registered* s : rest) {
        UriLabels labels;
        const OperationModel* op = s->model->speaks("rest-json") ? find_rest_operation(*s->model, req, labels)
                                                                 : find_rest_xml_operation(*s->model, req, labels);
        if (op && (!service || literal_chars(op->request_uri) > best)) {
          service = s;
          best = literal_chars(op->request_uri);
        }
      }
    }
  }
  if (!service) return std::nullopt;
  Route r;
  const bool xml = !service->model->speaks("rest-json");
  r.answer.protocol = xml ? Protocol::kRestXml : Protocol::kRestJson;
  r.answer.content_type = xml ? kXmlContentType : kPlainJsonType;
  r.answer.model = service->model;
  r.service = service;
  r.op = xml ? find_rest_xml_operation(*service->model, req, r.labels)
             : find_rest_operation(*service->model, req, r.labels);
  if (!r.op) return std::nullopt;
  r.kind = service->table.find(*r.op) ? Route::Kind::kOperation : Route::Kind::kUnknownOperation;
  return r;
}

bool Dispatcher::streams_body(const net::HttpRequest& head) const {
  const Route r = route(head);
  return r.kind == Route::Kind::kOperation &&
         (r.answer.protocol == Protocol::kRestJson || r.answer.protocol == Protocol::kRestXml) &&
         streaming_payload(*r.service->model, *r.op) != nullptr;
}

std::optional<net::HttpResponse> Dispatcher::check_head(const net::HttpRequest& head) const {
  // Without credentials anyone may send bodies; the body-memory budget in
  // net/ bounds them. With credentials, no body is read for a request whose
  // answer the head already decides, so an unauthenticated client cannot
  // hold body memory: what handle() answers without the body (method and
  // content type, the plain-JSON envelope, the target), then the
  // authentication that needs no body. This puts authentication before the
  // body's syntax for unsigned requests, the one difference from AWS's order
  // (docs/auth.md).
  if (!options_.credentials) return std::nullopt;
  std::string request_id = net::make_request_id();
  const Route r = route(head);
  switch (r.kind) {
    case Route::Kind::kLocal:
      if (r.local->open) return std::nullopt;
      break;
    case Route::Kind::kForbidden: return forbidden_xml(has_sigv4_authentication(head), request_id);
    case Route::Kind::kPlainJson: return plain_json_error("UnknownOperationException", "message", request_id);
    case Route::Kind::kUnknownOperation: return encode_error(r.answer, unknown_operation(), request_id);
    case Route::Kind::kOperation:
    case Route::Kind::kQuery: break;
  }
  auto auth = authenticate_sigv4_head(head, options_.credentials, now_seconds());
  if (auth) return std::nullopt;
  if (r.kind == Route::Kind::kLocal) return forbidden_xml(has_sigv4_authentication(head), request_id);
  return encode_error(r.answer, auth.error(), request_id);
}

// The order of checks is AWS's (kinesalite's recorded answers): the method
// and content type, then the target, then the body's syntax, and only then
// the authentication, so an unsigned request with a bad body learns about
// the body first. Validation against the model comes last.
void Dispatcher::handle(net::HttpRequest req, std::shared_ptr<net::ResponseSink> sink) const {
  const auto started = options_.observer ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  std::string request_id = net::make_request_id();
  Route r = route(req);
  switch (r.kind) {
    case Route::Kind::kLocal:
      if (!r.local->open && options_.credentials && !authenticate_sigv4(req, options_.credentials, now_seconds())) {
        sink->send(forbidden_xml(has_sigv4_authentication(req), request_id));
        return;
      }
      r.local->handle(req, *sink);
      return;
    case Route::Kind::kForbidden: sink->send(forbidden_xml(has_sigv4_authentication(req), request_id)); return;
    case Route::Kind::kPlainJson: {
      bool parses = req.body.empty() || decode_json_in_place(req.body).has_value();
      sink->send(parses ? plain_json_error("UnknownOperationException", "message", request_id)
                        : plain_json_error("SerializationException", "Message", request_id));
      return;
    }
    case Route::Kind::kUnknownOperation: sink->send(encode_error(r.answer, unknown_operation(), request_id)); return;
    case Route::Kind::kOperation:
    case Route::Kind::kQuery: break;
  }
  const AnswerFormat answer = r.answer;
  const Registered& service = *r.service;
  const RequestObserver* observer = options_.observer ? &options_.observer : nullptr;
  auto fail = [&](const ApiError& e) {
    net::HttpResponse resp = encode_error(answer, e, request_id);
    if (observer && r.op) observe(*observer, *service.model, *r.op, answer.protocol, e.type, resp.status, started);
    sink->send(std::move(resp));
  };
  const bool rpc_v2 = answer.protocol == Protocol::kRpcV2Cbor;
  const bool cbor = answer.protocol == Protocol::kAwsCbor || answer.protocol == Protocol::kRpcV2Cbor;

  // A gzip body (botocore compresses PutMetricData) is inflated for the
  // codecs; the signature stays over the bytes that were sent. Not for
  // REST-XML: S3's Content-Encoding describes the object, which is stored
  // as sent.
  std::string inflated;
  std::string* body = &req.body;
  if (has_gzip_encoding(req) && !req.body.empty() && answer.protocol != Protocol::kRestXml) {
    bool too_large = false;
    if (!gunzip(req.body, options_.max_inflated_body_bytes, inflated, too_large)) {
      if (too_large)
        return fail(ApiError{"SerializationException", "The request body inflates beyond the size limit", 413, true});
      return fail(serialization_error());
    }
    body = &inflated;
  }
  const bool query = answer.protocol == Protocol::kQuery;
  if (query) {
    // The operation is the form's Action (MissingAction, InvalidAction).
    auto found = find_query_operation(*service.model, *body);
    if (!found) return fail(found.error());
    if (!service.table.find(**found)) return fail(unknown_operation());
    r.op = *found;
  }
  const OperationModel& op = *r.op;
  const bool rest = answer.protocol == Protocol::kRestJson || answer.protocol == Protocol::kRestXml;
  std::shared_ptr<StreamedPayload> streamed;
  std::optional<SigV4Request> streamed_auth;
  if (req.body_stream) {
    // Only REST operations with a streaming payload are streamed
    // (streams_body()); the head carries the rest of the input.
    const MemberModel* payload = rest ? streaming_payload(*service.model, op) : nullptr;
    if (!payload) return fail(serialization_error());
    auto auth = authenticate_streamed_request(req, options_.credentials, now_seconds());
    if (!auth) return fail(auth.error());
    streamed_auth = std::move(auth->auth);
    streamed = std::make_shared<StreamedPayload>(req.body_stream, std::move(auth->framing));
  }
  // RPC v2 sends nothing for an operation without input members; REST
  // requests often have no body at all.
  if (body->empty() && !rpc_v2 && !rest && !query) return fail(serialization_error());

  std::optional<Value> fast;
  if (!cbor && !rest && !query && service.fast && service.fast->covers(op)) fast = service.fast->decode(op, *body);
  const bool xml = answer.protocol == Protocol::kRestXml;
  ApiResult<Value> input = query           ? decode_query_input(*service.model, op, *body)
                           : xml           ? decode_rest_xml_input(*service.model, op, req, *body, r.labels)
                           : rest          ? decode_rest_json_input(*service.model, op, req, *body, r.labels)
                           : fast          ? ApiResult<Value>(std::move(*fast))
                           : body->empty() ? ApiResult<Value>(Value(Object{}))
                           : rpc_v2        ? decode_cbor(*body, CborEpoch::kSeconds)
                           : cbor          ? decode_cbor(*body)
                                           : decode_json_in_place(*body);
  if (!input) return fail(input.error());
  if (streamed) {
    // The payload member is there for validation (it may be required); its
    // bytes come through ctx.payload.
    if (const MemberModel* payload = streaming_payload(*service.model, op))
      input->set(std::string(payload->name), Value(Blob{}));
  }

  auto auth = streamed_auth ? ApiResult<SigV4Request>(std::move(*streamed_auth))
                            : authenticate_sigv4(req, options_.credentials, now_seconds());
  if (!auth) return fail(auth.error());
  const WireFormat format = cbor ? WireFormat::kCbor : WireFormat::kJson;
  if (!fast) {
    if (auto ok = validate_input(*service.model, op, *input, format); !ok) return fail(ok.error());
  }

  RequestContext ctx;
  ctx.region = auth->credential.region.empty() ? options_.default_region : auth->credential.region;
  ctx.account_id = options_.account_id;
  ctx.request_id = request_id;
  if (const std::string* host = req.header("host")) ctx.host = *host;
  ctx.format = format;
  ctx.protocol = answer.protocol;
  ctx.direct_encoding = answer.protocol == Protocol::kAwsJson || answer.protocol == Protocol::kAwsCbor;
  ctx.run_on_request_thread = [sink](std::function<void()> work) { sink->run_on_connection_thread(std::move(work)); };
  ctx.payload = std::move(streamed);
  if (const Shape* out = service.model->output_shape(op)) {
    for (const auto& m : out->members)
      if (service.model->shape(m.shape).event_stream)
        ctx.events = std::make_shared<EventStreamResponse>(sink, format, request_id);
  }
  (*service.table.find(op))(
      op, std::move(*input), ctx,
      [sink, answer, &op, request_id, observer, model = service.model, started](ApiResult<Value> result) {
        net::HttpResponse resp = result ? encode_success(answer, op, std::move(*result), request_id)
                                        : encode_error(answer, result.error(), request_id);
        if (observer)
          observe(*observer, *model, op, answer.protocol, result ? std::string_view() : result.error().type,
                  resp.status, started);
        sink->send(std::move(resp));
      });
}

// For transport_errors.cc, where Route is incomplete.
std::optional<AnswerFormat> Dispatcher::answer_format(const net::HttpRequest& head) const {
  const Route r = route(head);
  if (r.kind == Route::Kind::kOperation || r.kind == Route::Kind::kUnknownOperation || r.kind == Route::Kind::kQuery)
    return r.answer;
  return std::nullopt;
}

}  // namespace runnel::protocol
