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

WireFormat format_of(const net::HttpRequest& req) {
  const std::string* ct = req.header("content-type");
  if (ct && ct->find("cbor") != std::string::npos) return WireFormat::kCbor;
  return WireFormat::kJson;
}

std::string random_id2() {
  unsigned char bytes[54];
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

// AWS's answer to anything but POST on the JSON endpoint.
net::HttpResponse access_denied_xml(const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = 403;
  resp.headers.push_back({"Content-Type", "application/xml"});
  resp.body =
      "<AccessDeniedException>\n"
      "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
      "</AccessDeniedException>\n";
  add_common_headers(resp, request_id);
  return resp;
}

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

void Dispatcher::handle(net::HttpRequest req, std::shared_ptr<net::ResponseSink> sink) const {
  std::string request_id = net::make_request_id();
  WireFormat format = format_of(req);
  auto fail = [&](const ApiError& e) { sink->send(error_response(e, format, request_id)); };

  if (req.method != "POST") {
    sink->send(access_denied_xml(request_id));
    return;
  }

  // Find the operation before checking auth, as AWS does: an unknown target
  // is reported even on an unsigned request.
  const std::string* target = req.header("x-amz-target");
  const Service* service = nullptr;
  const OperationModel* op = nullptr;
  if (target) {
    auto dot = target->find('.');
    if (dot != std::string::npos) {
      std::string_view prefix(target->data(), dot);
      for (const auto& s : services_) {
        if (s.model->target_prefix == prefix) {
          service = &s;
          op = s.model->find_operation(std::string_view(*target).substr(dot + 1));
          break;
        }
      }
    }
  }
  if (!op) return fail(unknown_operation());

  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto auth = authenticate_sigv4(req, options_.credentials, now.count());
  if (!auth) return fail(auth.error());

  // PutRecords in JSON takes a one-pass decoder when its body is the plain
  // case; it declines anything else, which the general path then handles.
  std::optional<Value> fast;
  if (format == WireFormat::kJson) fast = service->fast.decode(*op, req.body);
  ApiResult<Value> input = fast ? ApiResult<Value>(std::move(*fast))
                           : format == WireFormat::kCbor ? decode_cbor(req.body)
                                                         : decode_json_in_place(req.body);
  if (!input) return fail(input.error());
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
