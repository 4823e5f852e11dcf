#pragma once
// Http1Connection: serves HTTP/1.1 (and 1.0) on one transport, plain or TLS.
// One request at a time: bytes of pipelined requests stay buffered until the
// response to the current one has been queued. Responses go out as gathered
// writes (head + body); event-stream responses as chunked encoding (HTTP/1.1
// clients) or close-delimited (HTTP/1.0). A read stays pending while a
// response streams, so a client that goes away is noticed at once.
//
// Threads: everything runs on the worker's thread. The RequestHandler is
// called there; its ResponseSink (PostingSink) posts back here from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/body_channel.h"
#include "net/connection.h"
#include "net/http1_parser.h"
#include "net/limits.h"
#include "net/posting_sink.h"
#include "net/transport.h"

namespace runnel::net {

class Http1Connection final : public Connection {
 public:
  Http1Connection(std::shared_ptr<Worker> worker, std::unique_ptr<Transport> transport);

  // Begins serving; `initial` holds bytes already read (while sniffing), the
  // first of which arrived at `first_byte_at` (the header deadline's start).
  void start(std::string_view initial, std::chrono::steady_clock::time_point first_byte_at);

  void drain() override;
  void abort() override;

  // ResponseSink targets (see posting_sink.h); `id` names the request.
  void on_send(uint64_t id, HttpResponse response);
  void on_begin_stream(uint64_t id, int status, std::vector<Header> headers);
  // False if the chunk was dropped (its unsent bytes stay with the sink).
  bool on_chunk(uint64_t id, std::string bytes);
  void on_end_stream(uint64_t id);
  void on_abandoned(uint64_t id);
  // RequestBody targets (see body_channel.h); `id` names the request.
  void on_body_read(uint64_t id, std::shared_ptr<BodyReader> reader);
  void on_body_consumed(uint64_t id, size_t n);

 private:
  enum class RequestState { kIdle, kAwaiting, kStreaming };

  // Bytes waiting for, or in, a socket write. `counted` is set for chunk
  // payloads: their size is part of that sink's unsent_bytes() until written.
  // A string larger than one write batch goes out in slices.
  struct Outgoing {
    std::string bytes;
    std::shared_ptr<SinkState> counted;
    size_t offset = 0;   // bytes already written
    size_t sending = 0;  // bytes of the write in flight, from offset
  };

  bool busy() const override;
  void on_idle_timeout() override;
  // The header deadline: the head of a request must be complete within
  // header_timeout of its first byte (empty lines before it count), else 408.
  // The body deadline (same timer): a body must be complete within
  // body_timeout of the end of its head, else 408 and close.
  void on_deadline() override;
  void note_head_bytes(std::chrono::steady_clock::time_point first_byte_at);

  void read_more();
  void on_read(const std::error_code& ec, size_t n);
  void on_eof();
  void process();
  // At the end of a request's head: runs ServerOptions::head_check, then
  // either hands a streamed request over (dispatch_streamed) or charges a
  // declared body to the body-memory budget. False if the request was
  // answered (and the connection is closing).
  bool admit_head();
  // While a body is read: charges what arrived beyond the reservation
  // (chunked bodies). False if answered with 503.
  bool charge_body();
  // Hands a request to the handler; `streamed_length` (the declared length,
  // -1 unknown) gives it a body_stream reading body_.
  static constexpr int64_t kNotStreamed = -2;
  void dispatch(HttpRequest request, int64_t streamed_length = kNotStreamed);
  // At the end of a head that ServerOptions::stream_body chose: hands the
  // request over now, its body to follow through body_. False if answered
  // (503: no room in the body-memory budget for its window).
  bool dispatch_streamed();
  // Feeds the parser what is buffered of a streamed body and passes it on.
  // True when the body ended (the loop in process() may go on).
  bool pump_body();
  // The streamed body broke: its reader is told, the rest of the input is
  // discarded and the connection closes once the response is out.
  void fail_body();
  void send_parse_error(const Http1Error& error);
  // Answers with `response` (Connection: close), then half-closes and
  // discards input until the peer closes or kLingerTime passes.
  void send_error_and_close(HttpResponse response);
  void after_response();
  // Queues one chunk of a streamed body (framed when chunked).
  void queue_chunk(std::string bytes);
  // Releases the chunks that arrived before their stream's begin.
  void drop_early_chunks();

  // Serialises status line and headers (ours added) into one string.
  std::string response_head(int status, std::vector<Header>& headers, std::string_view framing);
  void write_response(HttpResponse response);
  void queue(std::string bytes, std::shared_ptr<SinkState> counted = nullptr) {
    pending_.push_back({std::move(bytes), std::move(counted)});
  }
  // Ends a begun stream from our side (server stopping): terminator, then close.
  void end_stream_now();
  void flush();
  void on_written(const std::error_code& ec);
  void begin_close();
  void close_now();

  std::unique_ptr<Transport> transport_;
  std::string remote_;
  Http1Parser parser_;
  BodyReservation body_reservation_;  // the body being read, in the server's body-memory budget
  // The streamed body of the current request (null for a buffered one);
  // body_reading_ while the parser is still reading it.
  std::unique_ptr<BodyChannel> body_;
  bool body_reading_ = false;

  std::unique_ptr<char[]> buf_;
  size_t buf_size_ = 0, rpos_ = 0, wpos_ = 0;  // unconsumed bytes are [rpos_, wpos_)
  bool reading_ = false;
  bool grow_next_ = false;  // the last read filled the buffer
  bool read_eof_ = false;

  std::deque<Outgoing> pending_;
  std::vector<Outgoing> writing_;
  std::vector<asio::const_buffer> iov_;
  bool write_in_flight_ = false;

  RequestState state_ = RequestState::kIdle;
  uint64_t request_id_ = 0;
  std::shared_ptr<SinkState> sink_state_;  // of the current request; closed once it is answered
  // Chunks (and an end) the current request's producer wrote before the
  // stream's begin reached this thread; see on_chunk().
  std::vector<std::string> early_chunks_;
  bool early_end_ = false;
  // A copy of the current request's head (no body), kept only when a
  // transport_error hook is set: on_abandoned answers from it.
  HttpRequest abandon_head_;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool chunked_ = true;     // streaming framing: chunked for 1.1 clients, close-delimited for 1.0
  bool closing_ = false;    // close once the queued bytes are written
  bool lingering_ = false;  // half-closed after an error; discarding input until EOF or timeout
  bool linger_started_ = false;
  bool closed_ = false;
  bool draining_ = false;
  asio::steady_timer linger_timer_;
};

}  // namespace runnel::net
