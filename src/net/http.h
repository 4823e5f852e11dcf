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

class RequestBody;

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
  // Set instead of `body` when the request's body is streamed
  // (ServerOptions::stream_body chose it at the head): the handler is called
  // as soon as the head is in, and the body's bytes arrive through this.
  std::shared_ptr<RequestBody> body_stream;
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
// unsent_bytes(), pausing while it is above its own threshold, and resuming
// from when_drained().
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
  // Runs `fn` once unsent_bytes() has fallen to `below` or less, or the
  // sink is closed() (so a producer that paused on a full queue resumes or
  // learns the peer is gone without polling). At once, on the caller's
  // thread, if that is already so; otherwise on the connection's thread
  // when its writes complete. One waiter at a time: a new call replaces a
  // waiter that has not run (which then never runs). `fn` must not block.
  virtual void when_drained(uint64_t below, std::function<void()> fn) {
    (void)below;
    fn();
  }
  // Runs `work` later on the connection's own thread (inline where there is
  // none, or once the server has stopped). Lets a handler that completes on
  // a thread every request shares (the log's writer) build its response
  // elsewhere. `work` may be dropped unrun while the server shuts down. Any
  // thread.
  virtual void run_on_connection_thread(std::function<void()> work) { work(); }
};

// Receives a streamed request body. Implemented above net/.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // The next bytes of the body, in order, with transfer framing (HTTP/1.1
  // chunks, HTTP/2 DATA frames) removed. The view lives only during the call.
  // Each byte counts against the request's flow-control window until the
  // reader hands it back with RequestBody::consume().
  virtual void on_body_data(std::string_view bytes) = 0;
  // The body is over: `complete` after its last byte, false when it broke
  // (the peer closed or reset it, the framing broke, no byte came within
  // body_timeout_ms while net/ wanted some, the server is stopping, or the
  // response ended first). Once; nothing follows.
  virtual void on_body_end(bool complete) = 0;
};

// A request body that arrives while the request is being served (a video
// upload that never ends, an object larger than max_body_bytes). net/ reads
// at most ServerOptions::stream_window_bytes ahead of what the reader has
// consumed: beyond that HTTP/1.1 stops reading the socket and HTTP/2 holds
// back the stream's WINDOW_UPDATE, so a slow consumer slows the sender
// instead of filling memory. The reader's callbacks run on the connection's
// thread, one at a time; they must not block.
//
// The handler may answer at any time (also while the body still arrives, as
// PutMedia's acknowledgements do). A response that ends before the body
// does ends the body (on_body_end(false)): HTTP/1.1 then closes the
// connection, HTTP/2 resets the stream with NO_ERROR (RFC 9113 8.1).
class RequestBody {
 public:
  virtual ~RequestBody() = default;
  // Starts delivering the body to `reader` (bytes that arrived before come
  // first). Call once. Any thread.
  virtual void read(std::shared_ptr<BodyReader> reader) = 0;
  // The reader is done with `n` more delivered bytes: their room in the
  // window is given back. Any thread.
  virtual void consume(size_t n) = 0;
  // The Content-Length the client declared, or -1 when it sent none
  // (HTTP/1.1 chunked, HTTP/2 without content-length).
  virtual int64_t declared_length() const = 0;
};

// Called on a connection's thread for every complete request (except OPTIONS
// preflights, which net/ answers itself). It may complete the sink later, on
// any thread.
using RequestHandler = std::function<void(HttpRequest, std::shared_ptr<ResponseSink>)>;

}  // namespace runnel::net
