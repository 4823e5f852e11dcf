#pragma once
// The HTTP surface the rest of runnel sees. net/ turns bytes from a socket
// (HTTP/1.1, h2c with prior knowledge, or either over TLS) into HttpRequest
// values and hands each to the RequestHandler together with a ResponseSink.
// Nothing above net/ knows which HTTP version carried a request.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::net {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

// Spare capacity the servers leave after a request body they know the size
// of, so that a parser that reads past the end of its input (simdjson, up to
// 64 bytes) can parse the body where it lies instead of copying it.
inline constexpr size_t kBodyPadding = 64;

struct HttpRequest {
  std::string method;           // "POST", "GET", "OPTIONS", ...
  std::string path;             // request target up to '?', not decoded
  std::string query;            // after '?', not decoded; empty if none
  std::vector<Header> headers;  // names lower-cased, arrival order. HTTP/2
                                // requests also carry ":authority" here
                                // (the JS SDK signs it by that name), and
                                // a "host" header is synthesised from it
                                // when absent.
  std::string body;             // capacity() usually >= size() + kBodyPadding
  bool http2 = false;
  std::string remote_address;  // "ip:port"

  // First header with this lower-case name, or nullptr.
  const std::string* header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;  // any case; content-length is added by net/
  std::string body;
};

// Completes one request. Thread-safe: may be called from any thread; net/
// marshals the call onto the connection's own thread. Use either send()
// exactly once, or begin_stream() once, write_chunk() any number of times,
// then end_stream() once (used by event-stream responses: HTTP/1.1 chunked,
// HTTP/2 DATA frames). After the peer has gone, calls are ignored.
//
// Backpressure: write_chunk() never blocks; bytes queue in the connection
// until the peer takes them. A producer keeps memory bounded by watching
// unsent_bytes() and pausing while it is above its own threshold.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void send(HttpResponse response) = 0;
  virtual void begin_stream(int status, std::vector<Header> headers) = 0;
  virtual void write_chunk(std::string bytes) = 0;
  virtual void end_stream() = 0;
  // True once the response can no longer be delivered or is over: the peer
  // closed the connection or reset the stream, the server is stopping (a
  // begun stream is then ended by net/), or the exchange completed. Calls
  // made after closed() turned true are dropped. Any thread.
  virtual bool closed() const = 0;
  // Payload bytes passed to write_chunk() that have not left the process yet:
  // HTTP/1.1, bytes whose socket write has not completed; HTTP/2, bytes not
  // yet copied into DATA frames whose socket write has completed (so data
  // held back by the peer's flow-control window counts). Chunk framing is
  // not counted. Counted from the moment write_chunk() is called, on the
  // caller's thread. 0 once closed(). Any thread (an atomic read); a
  // snapshot, exact only up to the write in flight (at most ~256 KiB).
  virtual uint64_t unsent_bytes() const { return 0; }
  // Runs `work` later on the connection's own thread (inline where there is
  // none, or once the server has stopped). Lets a handler that completes on
  // a thread every request shares (the log's writer) build its response
  // elsewhere. `work` may be dropped unrun while the server shuts down. Any
  // thread.
  virtual void run_on_connection_thread(std::function<void()> work) { work(); }
};

// Called on a connection's thread for every complete request (except OPTIONS
// preflights, which net/ answers itself). It may complete the sink later, on
// any thread.
using RequestHandler = std::function<void(HttpRequest, std::shared_ptr<ResponseSink>)>;

}  // namespace runnel::net
