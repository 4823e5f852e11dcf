#pragma once
// EventStreamResponse: the server side of an operation whose output is an
// AWS event stream (Kinesis SubscribeToShard). The dispatcher creates one for
// such operations and hands it to the service in RequestContext::events; the
// service either replies an ordinary error through OperationReply (nothing
// has been sent yet), or takes the response over with begin().
//
// On the wire (docs/event-stream.md): HTTP 200 with Content-Type
// application/vnd.amazon.eventstream, then event-stream frames: first an
// `initial-response` event, then the service's events, and possibly one
// modelled exception frame before the body ends. Event payloads use the
// request's encoding (JSON or CBOR).
//
// Thread-safety: calls must be sequential (one owner at a time), from any
// thread; closed() and unsent_bytes() may be read from any thread.

#include <memory>
#include <string>
#include <string_view>

#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/validator.h"
#include "protocol/value.h"

namespace runnel::protocol {

class EventStreamResponse {
 public:
  EventStreamResponse(std::shared_ptr<net::ResponseSink> sink, WireFormat format, std::string request_id);

  // Sends the 200 head and the initial-response frame. Once.
  void begin();
  // One event frame of type `event_type` whose payload is `payload` in the
  // request's encoding. Returns the frame's size in bytes.
  size_t event(std::string_view event_type, const Value& payload);
  // A modelled exception frame (`:exception-type` = error.type), then the end
  // of the body.
  void fail(const ApiError& error);
  // Ends the body cleanly.
  void end();

  bool closed() const { return sink_->closed(); }
  // Bytes handed to net/ that have not reached the socket yet.
  uint64_t unsent_bytes() const { return sink_->unsent_bytes(); }
  WireFormat format() const { return format_; }

 private:
  std::string encode(const Value& payload) const;

  std::shared_ptr<net::ResponseSink> sink_;
  WireFormat format_;
  std::string request_id_;
  bool begun_ = false;
  bool ended_ = false;
};

}  // namespace runnel::protocol
