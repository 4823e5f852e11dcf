#pragma once
// Http2Connection: serves HTTP/2 on one transport, h2c (prior knowledge, on
// the plaintext port) or h2 (TLS with ALPN), using libnghttp2's server
// session. Many concurrent streams per connection; each complete request
// (END_STREAM seen) is handed to the RequestHandler. Plain responses use a
// data provider over the body; event-stream responses use a deferred data
// provider fed by write_chunk() and resumed with nghttp2_session_resume_data.
// A streamed chunk counts in its sink's unsent_bytes() until the DATA frames
// carrying it have been written to the socket; chunks held back by the
// peer's flow-control window therefore keep counting.
//
// Threads: everything, nghttp2 callbacks included, runs on the worker's
// thread. ResponseSinks (PostingSink) post back here from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "net/body_channel.h"
#include "net/connection.h"
#include "net/posting_sink.h"
#include "net/transport.h"

namespace runnel::net {

class Http2Connection final : public Connection {
 public:
  Http2Connection(std::shared_ptr<Worker> worker, std::unique_ptr<Transport> transport);
  ~Http2Connection() override;

  // Begins serving; `initial` holds bytes already read (the client preface
  // when sniffed on the plaintext port). Returns after queueing our SETTINGS.
  void start(std::string_view initial);

  void drain() override;
  void abort() override;

  // ResponseSink targets (see posting_sink.h); `id` is the stream id.
  void on_send(uint64_t id, HttpResponse response);
  void on_begin_stream(uint64_t id, int status, std::vector<Header> headers);
  // False if the chunk was dropped (its unsent bytes stay with the sink).
  bool on_chunk(uint64_t id, std::string bytes);
  void on_end_stream(uint64_t id);
  void on_abandoned(uint64_t id);
  // RequestBody targets (see body_channel.h); `id` is the stream id.
  void on_body_read(uint64_t id, std::shared_ptr<BodyReader> reader);
  void on_body_consumed(uint64_t id, size_t n);

  struct Stream;  // one request/response exchange; defined in the .cc

 private:
  friend struct Http2Callbacks;

  bool busy() const override;
  void on_idle_timeout() override;

  void read_more();
  void on_read(const std::error_code& ec, size_t n);
  bool receive(const uint8_t* data, size_t n);
  void flush();
  void close_now();

  Stream* find(uint64_t id);
  Stream* open_stream(int32_t id);
  // Hands the request to the handler; `streamed_length` (declared length,
  // -1 unknown) gives it a body_stream over the stream's BodyChannel.
  static constexpr int64_t kNotStreamed = -2;
  void dispatch(Stream& s, int64_t streamed_length = kNotStreamed);
  // At the end of a head that ServerOptions::stream_body chose (`ended`:
  // it carried END_STREAM, so the body is empty).
  void dispatch_streamed(Stream& s, bool ended);
  // A streamed body's deadline moves on: body_timeout_ms from now.
  void renew_body_deadline(Stream& s);
  // Submits the response head; the body (if any) follows through the data provider.
  void submit(Stream& s, int status, std::vector<Header> headers, bool has_body);
  void reject(Stream& s, HttpResponse response);
  // Ends a begun stream from our side (server stopping): queued chunks, then END_STREAM.
  void end_stream_now(Stream& s);
  void release_credits();

  // Response bytes of all streams waiting for the peer's window (bodies and
  // chunks not yet copied into frames). O(streams).
  uint64_t queued_bytes() const;
  // Before bytes are queued: `before` is queued_bytes() until now.
  void note_queued(uint64_t before);
  // The stall check: a connection with bytes queued and none sent for
  // h2_stall_timeout_ms gets GOAWAY(ENHANCE_YOUR_CALM) and is closed.
  void arm_stall_timer(std::chrono::steady_clock::time_point at);
  std::chrono::milliseconds stall_timeout() const;
  // The body deadline: a stream whose request head ended without END_STREAM
  // must receive the rest within body_timeout_ms, else RST_STREAM(CANCEL),
  // its body dropped and its body-memory reservation released. One timer
  // per connection, armed for the earliest deadline.
  void start_body_deadline(Stream& s);
  void arm_body_timer(std::chrono::steady_clock::time_point at);

  std::unique_ptr<Transport> transport_;
  std::string remote_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;

  std::unique_ptr<uint8_t[]> read_buf_;
  bool reading_ = false;
  std::string out_;  // bytes of the write in flight
  // Chunk bytes copied into the DATA frames of out_, per sink: released
  // from its unsent_bytes() when the write completes.
  std::vector<std::pair<std::shared_ptr<SinkState>, uint64_t>> credits_;
  bool write_in_flight_ = false;
  bool receiving_ = false;          // inside nghttp2_session_mem_recv
  bool close_after_write_ = false;  // fatal session error: write what is queued, then close
  bool draining_ = false;
  bool closed_ = false;
  asio::steady_timer stall_timer_;
  std::chrono::steady_clock::time_point progress_at_;  // last DATA bytes framed, or the queue filling from empty
  bool stalled_ = false;
  asio::steady_timer body_timer_;
  bool body_timer_armed_ = false;
};

}  // namespace runnel::net
