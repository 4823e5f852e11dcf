#include "protocol/event_stream_response.h"

#include "protocol/cbor_codec.h"
#include "protocol/event_stream.h"
#include "protocol/json_codec.h"

namespace runnel::protocol {

namespace {
constexpr std::string_view kCborType = "application/x-amz-cbor-1.1";
constexpr std::string_view kJsonType = "application/json";
}  // namespace

EventStreamResponse::EventStreamResponse(std::shared_ptr<net::ResponseSink> sink, WireFormat format,
                                         std::string request_id)
    : sink_(std::move(sink)), format_(format), request_id_(std::move(request_id)) {}

std::string EventStreamResponse::encode(const Value& payload) const {
  return format_ == WireFormat::kCbor ? encode_cbor(payload) : encode_json(payload);
}

void EventStreamResponse::begin() {
  if (begun_) return;
  begun_ = true;
  sink_->begin_stream(200, {{"Content-Type", "application/vnd.amazon.eventstream"}, {"x-amzn-RequestId", request_id_}});
  const std::string_view type = format_ == WireFormat::kCbor ? kCborType : kJsonType;
  sink_->write_chunk(eventstream::event_frame("initial-response", type, encode(Value(Object{}))));
}

size_t EventStreamResponse::event(std::string_view event_type, const Value& payload) {
  if (!begun_ || ended_) return 0;
  const std::string_view type = format_ == WireFormat::kCbor ? kCborType : kJsonType;
  std::string frame = eventstream::event_frame(event_type, type, encode(payload));
  size_t n = frame.size();
  sink_->write_chunk(std::move(frame));
  return n;
}

void EventStreamResponse::fail(const ApiError& error) {
  if (!begun_ || ended_) return;
  Value body = Object{};
  body.set(error.capital_message_key ? "Message" : "message", error.message);
  const std::string_view type = format_ == WireFormat::kCbor ? kCborType : kJsonType;
  sink_->write_chunk(eventstream::exception_frame(error.type, type, encode(body)));
  end();
}

void EventStreamResponse::end() {
  if (!begun_ || ended_) return;
  ended_ = true;
  sink_->end_stream();
}

}  // namespace runnel::protocol
