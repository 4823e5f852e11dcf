#include "net/http2_connection.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "net/responses.h"

namespace runnel::net {
namespace {

constexpr size_t kReadBuffer = 64 << 10;
constexpr size_t kWriteBatch = 256 << 10;  // stop gathering frames into one write past this
constexpr uint32_t kMaxConcurrentStreams = 256;
constexpr int32_t kStreamWindow = 1 << 20;       // per-stream receive window
constexpr int32_t kConnectionWindow = 16 << 20;  // connection receive window

std::string_view as_view(const uint8_t* p, size_t n) { return std::string_view(reinterpret_cast<const char*>(p), n); }

HttpResponse body_budget_response(const ServerOptions& o, const HttpRequest& head) {
  return answer_transport_error(o.transport_error, head, TransportError{TransportErrorKind::kBodyMemoryExhausted});
}

}  // namespace

struct Http2Connection::Stream {
  int32_t id = 0;
  HttpRequest request;
  HttpRequest head;  // a copy of request's head once dispatched, kept only with a transport_error hook
  size_t header_bytes = 0;
  bool headers_too_large = false;
  bool rejected = false;  // we answered it ourselves (413, 431); DATA is dropped
  bool dispatched = false;
  bool head_request = false;   // a HEAD: no response body (the request is moved to the handler)
  bool request_ended = false;  // END_STREAM received from the client
  std::shared_ptr<SinkState> state = std::make_shared<SinkState>();
  BodyReservation reservation;  // the request body, in the server's body-memory budget
  // Set when the request head ended without END_STREAM: the body must end by
  // then (ServerOptions::body_timeout_ms), else the stream is reset.
  std::optional<std::chrono::steady_clock::time_point> body_deadline;
  // A streamed body (ServerOptions::stream_body): handed over at the head,
  // its DATA passed on through `body`. Its stream window is given back as
  // the reader consumes; the connection window at once.
  std::unique_ptr<BodyChannel> request_body;

  bool responded = false;  // response HEADERS submitted
  bool streaming = false;  // event-stream: body comes from chunks
  bool ended = false;      // streaming: end_stream() seen
  bool deferred = false;   // the data provider returned NGHTTP2_ERR_DEFERRED
  std::string body;
  size_t body_offset = 0;
  std::deque<std::string> chunks;
  size_t chunk_offset = 0;
  uint64_t queued = 0;  // bytes in chunks not yet copied into frames (counted in state->unsent)

  // Response bytes held here, waiting for the peer's flow-control window.
  uint64_t pending() const { return (body_offset < body.size() ? body.size() - body_offset : 0) + queued; }

  // The stream is over for its sink: calls are dropped, queued bytes no longer count.
  void close_sink() {
    state->close();
    state->release(queued);
    queued = 0;
  }
};

using Sink = PostingSink<Http2Connection>;

// nghttp2's C callbacks, with access to the connection's internals.
struct Http2Callbacks {
  static Http2Connection& self(void* user_data) { return *static_cast<Http2Connection*>(user_data); }
  static Http2Connection::Stream* stream(nghttp2_session* session, int32_t id) {
    return static_cast<Http2Connection::Stream*>(nghttp2_session_get_stream_user_data(session, id));
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Http2Connection& c = self(user_data);
    if (c.queued_bytes() >= c.worker_->config().options.h2_max_queued_bytes) {
      // Not processed, so safe for the client to retry (RFC 9113 8.7).
      nghttp2_submit_rst_stream(c.session_, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    c.open_stream(frame->hd.stream_id);
    return 0;
  }

  static int on_header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers dropped
    Http2Connection::Stream* s = stream(session, frame->hd.stream_id);
    if (!s || s->headers_too_large) return 0;
    s->header_bytes += namelen + valuelen + 32;  // RFC 9113 6.5.2 accounting
    if (s->header_bytes > self(user_data).worker_->config().options.max_header_bytes) {
      s->headers_too_large = true;
      return 0;
    }
    std::string_view n = as_view(name, namelen), v = as_view(value, valuelen);
    HttpRequest& r = s->request;
    if (n == ":method") {
      r.method.assign(v);
    } else if (n == ":path") {
      size_t q = v.find('?');
      r.path.assign(v.substr(0, q));
      if (q != std::string_view::npos) r.query.assign(v.substr(q + 1));
    } else if (n == ":authority") {
      r.headers.push_back({":authority", std::string(v)});
    } else if (!n.empty() && n.front() != ':') {
      r.headers.push_back({std::string(n), std::string(v)});  // nghttp2 guarantees lower-case names
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                           void* user_data) {
    Http2Connection::Stream* s = stream(session, stream_id);
    Http2Connection& c = self(user_data);
    // Window updates are ours (no automatic WINDOW_UPDATE): a buffered body
    // gives its window back as it arrives, a streamed one as it is consumed.
    if (s && s->request_body && !s->rejected) {
      nghttp2_session_consume_connection(session, len);
      if (s->request_body->finished()) {
        nghttp2_session_consume_stream(session, stream_id, len);  // the body broke: dropped
        return 0;
      }
      s->request_body->deliver(as_view(data, len));
      c.renew_body_deadline(*s);
      return 0;
    }
    nghttp2_session_consume(session, stream_id, len);
    if (!s || s->rejected || s->dispatched) return 0;
    size_t limit = c.worker_->config().options.max_body_bytes;
    if (len > limit - s->request.body.size()) {
      c.reject(*s, answer_transport_error(
                       c.worker_->config().options.transport_error, s->request,
                       TransportError{TransportErrorKind::kBodyTooLarge, s->request.body.size() + len, limit}));
      return 0;
    }
    std::string& body = s->request.body;
    if (body.size() + len > s->reservation.bytes() &&
        !s->reservation.grow(c.worker_->config().limits->bodies, body.size() + len - s->reservation.bytes())) {
      c.reject(*s, body_budget_response(c.worker_->config().options, s->request));
      return 0;
    }
    if (body.size() + len > body.capacity()) {
      // Grow to the declared length in one step (it was checked against the
      // limit with the headers); without one, double.
      size_t want = std::max(body.capacity() * 2, body.size() + len);
      if (const std::string* cl = s->request.header("content-length"))
        want = std::max<size_t>(want, std::min<unsigned long long>(std::strtoull(cl->c_str(), nullptr, 10), limit));
      body.reserve(want + kBodyPadding);
    }
    body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    Http2Connection::Stream* s = stream(session, frame->hd.stream_id);
    if (s && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) s->request_ended = true;
    if (!s || s->rejected) return 0;
    Http2Connection& c = self(user_data);
    if (s->request_body) {
      if (s->request_ended) {
        s->body_deadline.reset();
        s->reservation.reset();
        s->request_body->finish(true);
      }
      return 0;
    }
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      const auto& o = c.worker_->config().options;
      if (s->headers_too_large) {
        c.reject(*s, headers_too_large_response("Request header list exceeds " + std::to_string(o.max_header_bytes) +
                                                " bytes"));
        return 0;
      }
      HttpRequest& r = s->request;
      if (!r.header("host"))
        if (const std::string* authority = r.header(":authority")) r.headers.push_back({"host", *authority});
      if (o.head_check && !is_cors_preflight(r)) {
        std::optional<HttpResponse> answer;
        try {
          answer = o.head_check(r);
        } catch (const std::exception& e) {
          spdlog::error("head check threw: {}", e.what());
          answer = answer_transport_error(o.transport_error, r, TransportError{TransportErrorKind::kAbandoned});
        }
        if (answer) {
          c.reject(*s, std::move(*answer));
          return 0;
        }
      }
      if (o.stream_body && !is_cors_preflight(r)) {
        bool stream_it = false;
        try {
          stream_it = o.stream_body(r);
        } catch (const std::exception& e) {
          spdlog::error("stream_body check threw: {}", e.what());
        }
        if (stream_it) {
          c.dispatch_streamed(*s, (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0);
          return 0;
        }
      }
      if (const std::string* cl = r.header("content-length")) {
        // nghttp2 has validated it as a number.
        unsigned long long declared = std::strtoull(cl->c_str(), nullptr, 10);
        if (declared > o.max_body_bytes) {
          c.reject(*s, answer_transport_error(
                           o.transport_error, r,
                           TransportError{TransportErrorKind::kBodyTooLarge, declared, o.max_body_bytes}));
          return 0;
        }
        if (declared > 0 && !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM) &&
            !s->reservation.grow(c.worker_->config().limits->bodies, declared)) {
          c.reject(*s, body_budget_response(o, r));
          return 0;
        }
        r.body.reserve(std::min<unsigned long long>(declared, 1 << 20) + kBodyPadding);
      }
    }
    if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
      c.dispatch(*s);
    else if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
      c.start_body_deadline(*s);
    return 0;
  }

  // A stream we answered before its request ended (413, 503, head_check):
  // once the answer is out, RST_STREAM(NO_ERROR) tells the client to stop
  // sending the body (RFC 9113 8.1).
  static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void*) {
    if ((frame->hd.type != NGHTTP2_DATA && frame->hd.type != NGHTTP2_HEADERS) ||
        !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
      return 0;
    Http2Connection::Stream* s = stream(session, frame->hd.stream_id);
    if (s && (s->rejected || s->request_body) && !s->request_ended) {
      if (s->request_body) s->request_body->finish(false);  // the response did not wait for the body
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
    Http2Connection& c = self(user_data);
    auto it = c.streams_.find(stream_id);
    if (it == c.streams_.end()) return 0;
    it->second->close_sink();
    if (it->second->request_body) it->second->request_body->finish(false);
    c.streams_.erase(it);
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                           nghttp2_data_source* source, void* user_data) {
    auto* s = static_cast<Http2Connection::Stream*>(source->ptr);
    if (!s->streaming) {
      size_t n = std::min(length, s->body.size() - s->body_offset);
      std::memcpy(buf, s->body.data() + s->body_offset, n);
      s->body_offset += n;
      if (n > 0) self(user_data).progress_at_ = std::chrono::steady_clock::now();
      if (s->body_offset == s->body.size()) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        std::string().swap(s->body);
      }
      return static_cast<ssize_t>(n);
    }
    size_t copied = 0;
    while (copied < length && !s->chunks.empty()) {
      const std::string& chunk = s->chunks.front();
      size_t n = std::min(length - copied, chunk.size() - s->chunk_offset);
      std::memcpy(buf + copied, chunk.data() + s->chunk_offset, n);
      copied += n;
      s->chunk_offset += n;
      if (s->chunk_offset == chunk.size()) {
        s->chunks.pop_front();
        s->chunk_offset = 0;
      }
    }
    if (copied > 0) {
      // Still counted until out_, which this frame joins, has been written.
      s->queued -= std::min<uint64_t>(s->queued, copied);
      self(user_data).progress_at_ = std::chrono::steady_clock::now();
      auto& credits = self(user_data).credits_;
      if (!credits.empty() && credits.back().first == s->state)
        credits.back().second += copied;
      else
        credits.emplace_back(s->state, copied);
    }
    if (s->chunks.empty() && s->ended) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    } else if (copied == 0) {
      s->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(copied);
  }
};

Http2Connection::Http2Connection(std::shared_ptr<Worker> worker, std::unique_ptr<Transport> transport)
    : Connection(std::move(worker)),
      transport_(std::move(transport)),
      stall_timer_(worker_->io()),
      body_timer_(worker_->io()) {
  remote_ = transport_->remote_address();
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Http2Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Http2Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Http2Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Http2Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Http2Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Http2Callbacks::on_frame_send);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);  // streamed bodies give their window back as consumed
  nghttp2_session_server_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
}

Http2Connection::~Http2Connection() { nghttp2_session_del(session_); }

void Http2Connection::start(std::string_view initial) {
  register_with_worker();
  if (closed_) return;
  const auto& o = worker_->config().options;
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(std::min<size_t>(o.max_header_bytes, UINT32_MAX))},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  read_buf_.reset(new uint8_t[kReadBuffer]);
  start_idle_timer();
  arm_stall_timer(std::chrono::steady_clock::now() + stall_timeout());
  if (!initial.empty() && !receive(reinterpret_cast<const uint8_t*>(initial.data()), initial.size())) return;
  flush();
  read_more();
}

// Streams whose request is still arriving do not count: a client that opens
// a stream and then sends nothing is as idle as one that opens none. Nor do
// answered streams whose remaining bytes wait only for the peer's
// flow-control window (stream or connection window <= 0): a peer that keeps
// its window shut must not make its connection unevictable at the
// connection limit (it would otherwise hold its slot until the stall timeout).
bool Http2Connection::busy() const {
  if (write_in_flight_) return true;
  int32_t connection_window = nghttp2_session_get_remote_window_size(session_);
  for (const auto& [id, s] : streams_) {
    if (!s->dispatched && !s->responded) continue;
    if (s->responded && s->pending() > 0 &&
        (connection_window <= 0 || nghttp2_session_get_stream_remote_window_size(session_, id) <= 0))
      continue;
    return true;
  }
  return false;
}

void Http2Connection::on_idle_timeout() {
  if (closed_) return;
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);  // GOAWAY, then close once written
  flush();
}

void Http2Connection::drain() {
  if (closed_) return;
  draining_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  for (auto& [id, s] : streams_)
    if (s->streaming && !s->ended) end_stream_now(*s);
  flush();
}

void Http2Connection::abort() { close_now(); }

void Http2Connection::read_more() {
  if (reading_ || closed_) return;
  reading_ = true;
  transport_->async_read_some(asio::buffer(read_buf_.get(), kReadBuffer),
                              [self = std::static_pointer_cast<Http2Connection>(shared_from_this())](
                                  const std::error_code& ec, size_t n) { self->on_read(ec, n); });
}

void Http2Connection::on_read(const std::error_code& ec, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (ec) return close_now();
  touch();
  if (!receive(read_buf_.get(), n)) return;
  flush();
  read_more();
}

bool Http2Connection::receive(const uint8_t* data, size_t n) {
  receiving_ = true;
  ssize_t rv = nghttp2_session_mem_recv(session_, data, n);
  receiving_ = false;
  if (rv < 0) {
    spdlog::debug("HTTP/2 session error from {}: {}", remote_, nghttp2_strerror(static_cast<int>(rv)));
    // nghttp2 may have queued a GOAWAY saying why: write it, then close.
    close_after_write_ = true;
    flush();
    return false;
  }
  return true;
}

void Http2Connection::flush() {
  // Callbacks run inside nghttp2_session_mem_recv, which must not be re-entered
  // by mem_send; receive()'s caller flushes afterwards.
  if (write_in_flight_ || closed_ || receiving_) return;
  out_.clear();
  while (out_.size() < kWriteBatch) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      release_credits();
      return close_now();
    }
    if (n == 0) break;
    out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (out_.empty()) {
    if (close_after_write_ || (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)))
      close_now();
    return;
  }
  write_in_flight_ = true;
  write_began();
  transport_->async_write({asio::buffer(out_)}, [self = std::static_pointer_cast<Http2Connection>(shared_from_this())](
                                                    const std::error_code& ec, size_t) {
    self->write_in_flight_ = false;
    self->write_ended();
    self->release_credits();
    if (self->closed_) return;
    if (ec) return self->close_now();
    self->touch();
    self->flush();
  });
}

void Http2Connection::close_now() {
  if (closed_) return;
  closed_ = true;
  for (auto& [id, s] : streams_) {
    s->close_sink();
    s->reservation.reset();
    std::string().swap(s->request.body);
    if (s->request_body) s->request_body->finish(false);
  }
  transport_->close();
  cancel_idle_timer();
  stall_timer_.cancel();
  body_timer_.cancel();
  unregister_from_worker();
}

std::chrono::milliseconds Http2Connection::stall_timeout() const {
  return std::chrono::milliseconds(worker_->config().options.h2_stall_timeout_ms);
}

uint64_t Http2Connection::queued_bytes() const {
  uint64_t n = 0;
  for (const auto& [id, s] : streams_) n += s->pending();
  return n;
}

void Http2Connection::note_queued(uint64_t before) {
  if (before == 0) progress_at_ = std::chrono::steady_clock::now();  // the stall clock starts now
}

void Http2Connection::arm_stall_timer(std::chrono::steady_clock::time_point at) {
  stall_timer_.expires_at(at);
  stall_timer_.async_wait(
      [self = std::static_pointer_cast<Http2Connection>(shared_from_this())](const std::error_code& ec) {
        if (ec || self->closed_) return;
        auto now = std::chrono::steady_clock::now();
        if (self->stalled_) return self->close_now();  // the GOAWAY could not be written in time
        if (self->queued_bytes() == 0) return self->arm_stall_timer(now + self->stall_timeout());
        auto stalled_at = self->progress_at_ + self->stall_timeout();
        if (now < stalled_at) return self->arm_stall_timer(stalled_at);
        spdlog::debug("closing HTTP/2 connection from {}: {} response bytes queued, none sent for {} ms", self->remote_,
                      self->queued_bytes(), self->stall_timeout().count());
        self->stalled_ = true;
        nghttp2_session_terminate_session(self->session_, NGHTTP2_ENHANCE_YOUR_CALM);
        self->close_after_write_ = true;
        self->flush();
        if (!self->closed_) self->arm_stall_timer(now + std::chrono::seconds(1));
      });
}

void Http2Connection::start_body_deadline(Stream& s) {
  auto at = std::chrono::steady_clock::now() + worker_->config().body_timeout();
  s.body_deadline = at;
  if (!body_timer_armed_) arm_body_timer(at);
}

void Http2Connection::arm_body_timer(std::chrono::steady_clock::time_point at) {
  body_timer_armed_ = true;
  body_timer_.expires_at(at);
  body_timer_.async_wait(
      [self = std::static_pointer_cast<Http2Connection>(shared_from_this())](const std::error_code& ec) {
        self->body_timer_armed_ = false;
        if (ec || self->closed_) return;
        auto now = std::chrono::steady_clock::now();
        std::optional<std::chrono::steady_clock::time_point> next;
        bool reset = false;
        for (auto& [id, s] : self->streams_) {
          if (s->request_body && s->body_deadline && !s->request_ended && !s->request_body->finished()) {
            if (*s->body_deadline > now) {
              if (!next || *s->body_deadline < *next) next = s->body_deadline;
            } else if (s->request_body->held() < static_cast<size_t>(kStreamWindow)) {
              // The peer may send and sent nothing: the body ends broken; the
              // response is the handler's to give, later DATA is dropped.
              spdlog::debug("HTTP/2 streamed request body on stream {} from {}: no DATA for {} ms", id, self->remote_,
                            self->worker_->config().options.body_timeout_ms);
              s->body_deadline.reset();
              s->reservation.reset();
              s->request_body->finish(false);
            } else {
              s->body_deadline.reset();  // held back by its reader: renewed when it consumes
            }
            continue;
          }
          if (!s->body_deadline || s->request_ended || s->rejected || s->dispatched) continue;
          if (*s->body_deadline > now) {
            if (!next || *s->body_deadline < *next) next = s->body_deadline;
            continue;
          }
          spdlog::debug("HTTP/2 request body on stream {} from {} not complete within {} ms of its head: reset", id,
                        self->remote_, self->worker_->config().options.body_timeout_ms);
          s->rejected = true;  // its DATA is dropped from now on
          s->body_deadline.reset();
          s->reservation.reset();
          std::string().swap(s->request.body);
          nghttp2_submit_rst_stream(self->session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
          reset = true;
        }
        if (next) self->arm_body_timer(*next);
        if (reset) self->flush();
      });
}

Http2Connection::Stream* Http2Connection::find(uint64_t id) {
  if (closed_ || id > INT32_MAX) return nullptr;
  auto it = streams_.find(static_cast<int32_t>(id));
  return it == streams_.end() ? nullptr : it->second.get();
}

Http2Connection::Stream* Http2Connection::open_stream(int32_t id) {
  auto s = std::make_unique<Stream>();
  s->id = id;
  s->request.http2 = true;
  s->request.remote_address = remote_;
  Stream* raw = s.get();
  streams_[id] = std::move(s);
  nghttp2_session_set_stream_user_data(session_, id, raw);
  return raw;
}

void Http2Connection::dispatch_streamed(Stream& s, bool ended) {
  const ServerConfig& config = worker_->config();
  if (!ended && !s.reservation.grow(config.limits->bodies, static_cast<size_t>(kStreamWindow))) {
    reject(s, body_budget_response(config.options, s.request));
    return;
  }
  s.request_body = std::make_unique<BodyChannel>(static_cast<size_t>(kStreamWindow));
  int64_t declared = ended ? 0 : -1;
  if (const std::string* cl = s.request.header("content-length"); cl && !ended)
    declared = static_cast<int64_t>(std::strtoull(cl->c_str(), nullptr, 10));  // validated by nghttp2
  if (ended) s.request_body->finish(true);
  int32_t id = s.id;
  dispatch(s, declared);
  // The handler ran: the stream may be gone (it cannot, handlers post, but stay safe).
  if (Stream* still = find(static_cast<uint64_t>(id)); still && !ended) renew_body_deadline(*still);
}

void Http2Connection::renew_body_deadline(Stream& s) {
  if (!s.request_body || s.request_body->finished()) return;
  start_body_deadline(s);
}

void Http2Connection::on_body_read(uint64_t id, std::shared_ptr<BodyReader> reader) {
  Stream* s = find(id);
  if (!s || !s->request_body) return;
  s->request_body->attach(std::move(reader));
}

void Http2Connection::on_body_consumed(uint64_t id, size_t n) {
  Stream* s = find(id);
  if (!s || !s->request_body) return;
  size_t given = s->request_body->consumed(n);
  if (given == 0) return;
  nghttp2_session_consume_stream(session_, s->id, given);
  renew_body_deadline(*s);
  flush();
}

void Http2Connection::dispatch(Stream& s, int64_t streamed_length) {
  if (s.dispatched) return;
  s.dispatched = true;
  if (is_cors_preflight(s.request)) {
    HttpResponse r = preflight_response(s.request);
    submit(s, r.status, std::move(r.headers), false);
    return;
  }
  if (streamed_length == kNotStreamed) s.reservation.reset();  // handed over
  if (worker_->config().options.transport_error) keep_head(s.request, s.head);
  auto self = std::static_pointer_cast<Http2Connection>(shared_from_this());
  auto sink = std::make_shared<Sink>(self, static_cast<uint64_t>(s.id), s.state);
  if (streamed_length != kNotStreamed)
    s.request.body_stream =
        std::make_shared<PostingBody<Http2Connection>>(self, static_cast<uint64_t>(s.id), streamed_length);
  s.head_request = s.request.method == "HEAD";
  try {
    worker_->config().handler(std::move(s.request), std::move(sink));
  } catch (const std::exception& e) {
    spdlog::error("request handler threw: {}", e.what());  // the sink reported on_abandoned (500)
  }
}

void Http2Connection::submit(Stream& s, int status, std::vector<Header> headers, bool has_body) {
  s.responded = true;
  add_standard_headers(headers);
  std::vector<std::string> names;
  names.reserve(headers.size());
  std::string status_text = std::to_string(status);
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size() + 2);
  auto add = [&nva](const std::string& n, const std::string& v) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
  };
  static const std::string kStatus = ":status";
  add(kStatus, status_text);
  std::string length_text;
  static const std::string kContentLength = "content-length";
  if (!s.streaming) {
    length_text = std::to_string(s.body.size());
    // A HEAD answer may state the length a GET would have (S3's HeadObject).
    if (const Header* h = find_header(headers, "content-length"); h && s.head_request) length_text = h->value;
    add(kContentLength, length_text);
  }
  for (const Header& h : headers) {
    if (h.name.empty() || h.name.front() == ':' || is_connection_header(h.name) ||
        h.value.find_first_of("\r\n") != std::string::npos || h.name.find_first_of("\r\n") != std::string::npos)
      continue;
    std::string& n = names.emplace_back(h.name);
    std::transform(n.begin(), n.end(), n.begin(), [](char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; });
    add(n, h.value);
  }
  nghttp2_data_provider provider{};
  provider.source.ptr = &s;
  provider.read_callback = &Http2Callbacks::read_body;
  int rv = nghttp2_submit_response(session_, s.id, nva.data(), nva.size(), has_body ? &provider : nullptr);
  if (rv != 0) spdlog::debug("nghttp2_submit_response on stream {}: {}", s.id, nghttp2_strerror(rv));
  flush();
}

void Http2Connection::reject(Stream& s, HttpResponse response) {
  s.rejected = true;
  std::string().swap(s.request.body);
  s.reservation.reset();
  if (s.responded) return;
  if (!response.body.empty()) note_queued(queued_bytes());
  s.body = std::move(response.body);
  submit(s, response.status, std::move(response.headers), !s.body.empty());
}

void Http2Connection::on_send(uint64_t id, HttpResponse response) {
  Stream* s = find(id);
  if (!s || s->responded) return;
  bool has_body = !response.body.empty() && !s->head_request;
  uint64_t before = queued_bytes();
  if (has_body && before >= worker_->config().options.h2_max_queued_bytes) {
    // The peer is not taking what it already has: drop this body rather than
    // hold it (the stream is reset; the request was processed).
    spdlog::debug("HTTP/2 response of {} bytes to {} dropped: {} bytes already queued on the connection",
                  response.body.size(), remote_, before);
    s->responded = true;
    s->close_sink();
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_ENHANCE_YOUR_CALM);
    flush();
    return;
  }
  if (has_body) note_queued(before);
  s->body = std::move(response.body);
  if (!has_body) s->body.clear();
  submit(*s, response.status, std::move(response.headers), has_body);
}

void Http2Connection::on_begin_stream(uint64_t id, int status, std::vector<Header> headers) {
  Stream* s = find(id);
  if (!s || s->responded) return;
  s->streaming = true;
  if (draining_) {
    // The server is stopping: an empty stream. Its sink is closed, so the producer stops.
    s->ended = true;
    s->state->close();
  }
  submit(*s, status, std::move(headers), true);
}

bool Http2Connection::on_chunk(uint64_t id, std::string bytes) {
  Stream* s = find(id);
  if (!s || s->ended || bytes.empty()) return false;
  // A chunk may arrive before its stream's begin: begin_stream() posted from
  // this thread (the handler's) waits in asio's thread-private queue until
  // the current handler returns, while a producer on another thread posts
  // straight to the shared one. It is kept for the data provider that
  // on_begin_stream() starts, rather than dropped.
  if (!s->streaming && s->responded) return false;
  note_queued(queued_bytes());
  s->queued += bytes.size();
  s->chunks.push_back(std::move(bytes));
  if (!s->streaming) return true;
  if (s->deferred) {
    s->deferred = false;
    nghttp2_session_resume_data(session_, s->id);
  }
  flush();
  return true;
}

void Http2Connection::on_end_stream(uint64_t id) {
  Stream* s = find(id);
  if (!s || s->ended) return;
  if (!s->streaming) {
    // Before its begin (see on_chunk): the data provider ends the stream
    // once the chunks before it are out.
    if (!s->responded) s->ended = true;
    return;
  }
  s->ended = true;
  if (s->deferred) {
    s->deferred = false;
    nghttp2_session_resume_data(session_, s->id);
  }
  flush();
}

void Http2Connection::end_stream_now(Stream& s) {
  s.state->close();
  s.ended = true;
  if (s.deferred) {
    s.deferred = false;
    nghttp2_session_resume_data(session_, s.id);
  }
}

void Http2Connection::release_credits() {
  for (auto& [state, n] : credits_) state->release(n);
  credits_.clear();
}

void Http2Connection::on_abandoned(uint64_t id) {
  Stream* s = find(id);
  if (!s) return;
  if (!s->responded) {
    spdlog::error("request handler dropped its response sink without answering; sending 500");
    on_send(id, answer_transport_error(worker_->config().options.transport_error, s->head,
                                       TransportError{TransportErrorKind::kAbandoned}));
  } else if (s->streaming) {
    on_end_stream(id);
  }
}

}  // namespace runnel::net
