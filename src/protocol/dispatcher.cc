#include "protocol/dispatcher.h"

#include <chrono>

#include "net/responses.h"
#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/credentials.h"
#include "protocol/json_codec.h"
#include "protocol/sigv4.h"

namespace runnel::protocol {
namespace {

constexpr std::string_view kCborType = "application/x-amz-cbor-1.1";
constexpr std::string_view kJsonType = "application/x-amz-json-1.1";
constexpr std::string_view kPlainJsonType = "application/json";

// What a request's Content-Type asks for. AWS's JSON endpoint serves
// x-amz-json-1.1 and CBOR; it answers plain application/json in the old
// "Output"/"Version" envelope without serving it, and anything else (none,
// x-amz-json-1.0, text/plain...) with a 403 in XML.
enum class ContentKind { kJson, kCbor, kPlainJson, kOther };

ContentKind content_kind(const net::HttpRequest& req) {
  const std::string* ct = req.header("content-type");
  if (!ct) return ContentKind::kOther;
  std::string_view media = std::string_view(*ct).substr(0, ct->find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  if (net::iequals_ascii(media, kJsonType)) return ContentKind::kJson;
  if (net::iequals_ascii(media, kCborType)) return ContentKind::kCbor;
  if (net::iequals_ascii(media, kPlainJsonType)) return ContentKind::kPlainJson;
  return ContentKind::kOther;
}

// x-amz-id-2 as AWS sends it: base64 of 72 random bytes (AWS's decode to
// 72-80 bytes).
std::string random_id2() {
  unsigned char bytes[72];
  net::random_bytes(bytes, sizeof bytes);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

void add_common_headers(net::HttpResponse& resp, const std::string& request_id) {
  resp.headers.push_back({"x-amzn-RequestId", request_id});
  resp.headers.push_back({"x-amz-id-2", random_id2()});
}

net::HttpResponse encode_ok(const Value& output, WireFormat format, bool empty_output, const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = 200;
  if (format == WireFormat::kCbor) {
    resp.headers.push_back({"Content-Type", std::string(kCborType)});
    resp.body = encode_cbor(output.is_null() ? Value(Object{}) : output);
  } else {
    resp.headers.push_back({"Content-Type", std::string(kJsonType)});
    // AWS answers operations without output members with an empty body.
    if (!empty_output) resp.body = encode_json(output.is_null() ? Value(Object{}) : output);
  }
  add_common_headers(resp, request_id);
  return resp;
}

// AWS's answer to a request that is not a POST of a content type it serves:
// 403 in XML, without a Content-Type header. Which exception depends only on
// whether the request tried to authenticate.
net::HttpResponse forbidden_xml(bool authenticated, const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = 403;
  resp.body = authenticated ? "<AccessDeniedException>\n"
                              "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
                              "</AccessDeniedException>\n"
                            : "<MissingAuthenticationTokenException>\n"
                              "  <Message>Missing Authentication Token</Message>\n"
                              "</MissingAuthenticationTokenException>\n";
  add_common_headers(resp, request_id);
  return resp;
}

// AWS's answer to Content-Type: application/json: HTTP 200 and the error in
// the envelope of the retired JSON 1.0 protocol, e.g.
// {"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}.
net::HttpResponse plain_json_error(std::string_view type, std::string_view message_key, const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = 200;
  resp.headers.push_back({"Content-Type", std::string(kPlainJsonType)});
  resp.body = "{\"Output\":{\"__type\":\"com.amazon.coral.service#" + std::string(type) + "\",\"" +
              std::string(message_key) + "\":null},\"Version\":\"1.0\"}";
  add_common_headers(resp, request_id);
  return resp;
}

ApiError serialization_error() { return ApiError{"SerializationException", "", 400, true}; }

ApiError unknown_operation() { return ApiError{"UnknownOperationException", "", 400, false}; }

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options) : options_(std::move(options)) {}

void Dispatcher::register_service(const ServiceModel& model, OperationHandler handler) {
  services_.push_back(Service{&model, std::move(handler), FastInput(model)});
}

net::HttpResponse Dispatcher::error_response(const ApiError& error, WireFormat format, const std::string& request_id) {
  Value body = Object{};
  body.set("__type", error.type);
  if (!error.message.empty())
    body.set(error.capital_message_key ? "Message" : "message", error.message);
  net::HttpResponse resp;
  resp.status = error.http_status;
  if (format == WireFormat::kCbor) {
    resp.headers.push_back({"Content-Type", std::string(kCborType)});
    resp.body = encode_cbor(body);
  } else {
    resp.headers.push_back({"Content-Type", std::string(kJsonType)});
    resp.body = encode_json(body);
  }
  resp.headers.push_back({"x-amzn-ErrorType", error.type});
  add_common_headers(resp, request_id);
  return resp;
}

const Dispatcher::Service* Dispatcher::find_service(const net::HttpRequest& req, const OperationModel** op) const {
  *op = nullptr;
  const std::string* target = req.header("x-amz-target");
  if (!target) return nullptr;
  auto dot = target->find('.');
  if (dot == std::string::npos) return nullptr;
  std::string_view prefix(target->data(), dot);
  for (const auto& s : services_) {
    if (s.model->target_prefix == prefix) {
      *op = s.model->find_operation(std::string_view(*target).substr(dot + 1));
      return *op ? &s : nullptr;
    }
  }
  return nullptr;
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
  ContentKind kind = content_kind(head);
  if (head.method != "POST" || kind == ContentKind::kOther) return forbidden_xml(has_sigv4_authentication(head), request_id);
  if (kind == ContentKind::kPlainJson) return plain_json_error("UnknownOperationException", "message", request_id);
  WireFormat format = kind == ContentKind::kCbor ? WireFormat::kCbor : WireFormat::kJson;
  const OperationModel* op = nullptr;
  if (!find_service(head, &op)) return error_response(unknown_operation(), format, request_id);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto auth = authenticate_sigv4_head(head, options_.credentials, now.count());
  if (auth) return std::nullopt;
  return error_response(auth.error(), format, request_id);
}

// The order of checks is AWS's (kinesalite's recorded answers): the method
// and content type, then the target, then the body's syntax, and only then
// the authentication, so an unsigned request with a bad body learns about
// the body first. Validation against the model comes last.
void Dispatcher::handle(net::HttpRequest req, std::shared_ptr<net::ResponseSink> sink) const {
  std::string request_id = net::make_request_id();
  ContentKind kind = content_kind(req);
  if (req.method != "POST" || kind == ContentKind::kOther) {
    sink->send(forbidden_xml(has_sigv4_authentication(req), request_id));
    return;
  }
  if (kind == ContentKind::kPlainJson) {
    bool parses = req.body.empty() || decode_json_in_place(req.body).has_value();
    sink->send(parses ? plain_json_error("UnknownOperationException", "message", request_id)
                      : plain_json_error("SerializationException", "Message", request_id));
    return;
  }
  WireFormat format = kind == ContentKind::kCbor ? WireFormat::kCbor : WireFormat::kJson;
  auto fail = [&](const ApiError& e) { sink->send(error_response(e, format, request_id)); };

  const OperationModel* op = nullptr;
  const Service* service = find_service(req, &op);
  if (!service) return fail(unknown_operation());
  if (req.body.empty()) return fail(serialization_error());

  // PutRecords in JSON takes a one-pass decoder when its body is the plain
  // case; it declines anything else, which the general path then handles.
  std::optional<Value> fast;
  if (format == WireFormat::kJson) fast = service->fast.decode(*op, req.body);
  ApiResult<Value> input = fast ? ApiResult<Value>(std::move(*fast))
                           : format == WireFormat::kCbor ? decode_cbor(req.body)
                                                         : decode_json_in_place(req.body);
  if (!input) return fail(input.error());

  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto auth = authenticate_sigv4(req, options_.credentials, now.count());
  if (!auth) return fail(auth.error());
  if (!fast) {
    if (auto ok = validate_input(*service->model, *op, *input, format); !ok) return fail(ok.error());
  }

  RequestContext ctx;
  ctx.region = auth->credential.region.empty() ? options_.default_region : auth->credential.region;
  ctx.account_id = options_.account_id;
  ctx.request_id = request_id;
  ctx.format = format;
  ctx.direct_encoding = true;
  ctx.run_on_request_thread = [sink](std::function<void()> work) { sink->run_on_connection_thread(std::move(work)); };
  bool empty_output = op->output == kNoShape;
  if (const Shape* out = service->model->output_shape(*op)) {
    for (const auto& m : out->members)
      if (service->model->shape(m.shape).event_stream)
        ctx.events = std::make_shared<EventStreamResponse>(sink, format, request_id);
  }
  service->handler(*op, std::move(*input), ctx,
                   [sink, format, request_id, empty_output](ApiResult<Value> result) {
                     if (result) {
                       sink->send(encode_ok(*result, format, empty_output, request_id));
                     } else {
                       sink->send(error_response(result.error(), format, request_id));
                     }
                   });
}

}  // namespace runnel::protocol
