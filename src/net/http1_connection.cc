#include "net/http1_connection.h"

#include <cstdio>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "net/responses.h"

namespace runnel::net {
namespace {

constexpr size_t kInitialBuffer = 16 << 10;
constexpr size_t kMinRead = 4 << 10;
constexpr size_t kMaxAdaptiveBuffer = 1 << 20;  // reads grow up to this while they keep filling the buffer
constexpr size_t kPipelineSlack = 64 << 10;     // extra buffered bytes tolerated beyond max_header_bytes
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kWriteBatch = 256 << 10;  // stop gathering queued strings into one write past this
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

Http1Limits limits_from(const ServerOptions& o) {
  Http1Limits l;
  l.max_body_bytes = o.max_body_bytes;
  l.max_header_bytes = o.max_header_bytes;
  return l;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

using Sink = PostingSink<Http1Connection>;

Http1Connection::Http1Connection(std::shared_ptr<Worker> worker, std::unique_ptr<Transport> transport)
    : Connection(std::move(worker)),
      transport_(std::move(transport)),
      parser_(limits_from(worker_->config().options)),
      linger_timer_(worker_->io()) {
  remote_ = transport_->remote_address();
}

void Http1Connection::start(std::string_view initial, std::chrono::steady_clock::time_point first_byte_at) {
  register_with_worker();
  if (closed_) return;
  buf_size_ = std::max(kInitialBuffer, initial.size() + kMinRead);
  buf_.reset(new char[buf_size_]);
  if (!initial.empty()) std::memcpy(buf_.get(), initial.data(), initial.size());
  wpos_ = initial.size();
  start_idle_timer();
  if (!initial.empty()) note_head_bytes(first_byte_at);
  process();
}

bool Http1Connection::busy() const { return state_ != RequestState::kIdle || write_in_flight_; }

void Http1Connection::on_idle_timeout() { close_now(); }

void Http1Connection::note_head_bytes(std::chrono::steady_clock::time_point first_byte_at) {
  if (deadline_armed() || closed_ || closing_ || state_ != RequestState::kIdle || !parser_.reading_head()) return;
  arm_deadline(first_byte_at + worker_->config().header_timeout());
}

void Http1Connection::on_deadline() {
  if (body_reading_ && !closed_) {
    if (!body_->wants_more()) return;  // held back by its reader, not by the peer
    spdlog::debug("HTTP/1.1 streamed request body from {}: no bytes for {} ms", remote_,
                  worker_->config().options.body_timeout_ms);
    fail_body();
    return;
  }
  if (closed_ || closing_ || state_ != RequestState::kIdle) return;
  if (!parser_.reading_head() && parser_.has_body()) {
    spdlog::debug("HTTP/1.1 request body from {} not complete within {} ms of its head", remote_,
                  worker_->config().options.body_timeout_ms);
    send_error_and_close(plain_error_response(408, "Request body not received within " +
                                                       std::to_string(worker_->config().options.body_timeout_ms) +
                                                       " ms of the request head"));
    return;
  }
  if (!parser_.reading_head()) return;
  spdlog::debug("HTTP/1.1 request head from {} not complete within {} ms", remote_,
                worker_->config().options.header_timeout_ms);
  send_error_and_close(plain_error_response(408, "Request header section not received within " +
                                                     std::to_string(worker_->config().options.header_timeout_ms) +
                                                     " ms"));
}

void Http1Connection::drain() {
  draining_ = true;
  keep_alive_ = false;
  if (body_reading_) fail_body();
  if (state_ == RequestState::kIdle)
    begin_close();
  else if (state_ == RequestState::kStreaming)
    end_stream_now();
}

void Http1Connection::abort() { close_now(); }

void Http1Connection::read_more() {
  if (reading_ || closed_ || read_eof_) return;
  if (lingering_) {
    rpos_ = wpos_ = 0;
  } else if (body_reading_) {
    if (!body_->wants_more()) return;  // flow control: the reader is behind
  } else if (wpos_ - rpos_ >= worker_->config().options.max_header_bytes + kPipelineSlack) {
    return;  // the parser takes no more until the current response is out
  }
  if (rpos_ == wpos_) {
    rpos_ = wpos_ = 0;
    // The buffer is empty, so it may be swapped: bigger while reads keep filling
    // it (bulk bodies), back to the initial size once the connection goes quiet.
    size_t want = buf_size_;
    if (grow_next_)
      want = std::min(buf_size_ * 2, kMaxAdaptiveBuffer);
    else if (state_ == RequestState::kIdle)
      want = kInitialBuffer;
    if (want != buf_size_) {
      buf_.reset(new char[want]);
      buf_size_ = want;
    }
  }
  grow_next_ = false;
  if (buf_size_ - wpos_ < kMinRead) {
    if (rpos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + rpos_, wpos_ - rpos_);
      wpos_ -= rpos_;
      rpos_ = 0;
    }
    if (buf_size_ - wpos_ < kMinRead) {
      size_t size = std::max(buf_size_ * 2, wpos_ + kMinRead);
      std::unique_ptr<char[]> bigger(new char[size]);
      std::memcpy(bigger.get(), buf_.get(), wpos_);
      buf_ = std::move(bigger);
      buf_size_ = size;
    }
  }
  reading_ = true;
  size_t space = buf_size_ - wpos_;
  transport_->async_read_some(asio::buffer(buf_.get() + wpos_, space),
                              [self = std::static_pointer_cast<Http1Connection>(shared_from_this()), space](
                                  const std::error_code& ec, size_t n) {
                                if (!ec && n == space) self->grow_next_ = true;
                                self->on_read(ec, n);
                              });
}

void Http1Connection::on_read(const std::error_code& ec, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      read_eof_ = true;
      on_eof();
    } else {
      close_now();
    }
    return;
  }
  touch();
  if (lingering_) {
    read_more();
    return;
  }
  wpos_ += n;
  note_head_bytes(std::chrono::steady_clock::now());
  process();
}

void Http1Connection::on_eof() {
  if (lingering_) return close_now();
  if (body_reading_) {
    body_reading_ = false;
    body_reservation_.reset();
    cancel_deadline();
    body_->finish(false);
    keep_alive_ = false;
  }
  switch (state_) {
    case RequestState::kIdle:
      // A partial request, if any, can never complete.
      begin_close();
      break;
    case RequestState::kAwaiting:
      keep_alive_ = false;  // the client half-closed: answer, then close
      break;
    case RequestState::kStreaming:
      close_now();  // nobody is listening to the event stream any more
      break;
  }
}

void Http1Connection::process() {
  while (!closed_ && !closing_) {
    if (body_reading_) {
      if (!pump_body()) break;
      continue;
    }
    if (state_ != RequestState::kIdle) break;
    size_t consumed = 0;
    auto result = parser_.feed(std::string_view(buf_.get() + rpos_, wpos_ - rpos_), &consumed);
    rpos_ += consumed;
    if (result == Http1Parser::Result::kNeedMore) {
      if (parser_.has_body() && !parser_.reading_head() && !charge_body()) break;
      if (read_eof_) begin_close();
      break;
    }
    if (result == Http1Parser::Result::kError) {
      send_parse_error(parser_.error());
      break;
    }
    if (result == Http1Parser::Result::kHeadersDone) {
      cancel_deadline();
      if (!admit_head()) break;
      if (state_ != RequestState::kIdle) continue;  // streamed: handed over; the loop pumps its body
      // The body deadline: the body must be complete within body_timeout of the head (on_deadline).
      if (parser_.has_body()) arm_deadline(std::chrono::steady_clock::now() + worker_->config().body_timeout());
      // Only when the body has not started arriving; otherwise the client already chose not to wait.
      if (parser_.expects_continue() && parser_.has_body() && rpos_ == wpos_) queue(std::string(kContinue));
      continue;
    }
    keep_alive_ = keep_alive_ && parser_.keep_alive() && !draining_;
    chunked_ = parser_.http_minor() >= 1;
    dispatch(parser_.take_request());
  }
  // Bytes of a next (pipelined) head already buffered: its deadline starts now.
  if (rpos_ < wpos_) note_head_bytes(std::chrono::steady_clock::now());
  // The buffer is only rewound in read_more(), never while a read is writing into it.
  flush();
  read_more();
}

bool Http1Connection::admit_head() {
  HttpRequest& head = parser_.request();
  head.remote_address = remote_;
  const ServerConfig& config = worker_->config();
  if (config.options.head_check && !is_cors_preflight(head)) {
    std::optional<HttpResponse> answer;
    try {
      answer = config.options.head_check(head);
    } catch (const std::exception& e) {
      spdlog::error("head check threw: {}", e.what());
      answer =
          answer_transport_error(config.options.transport_error, head, TransportError{TransportErrorKind::kAbandoned});
    }
    if (answer) {
      send_error_and_close(std::move(*answer));
      return false;
    }
  }
  if (config.options.stream_body && !is_cors_preflight(head)) {
    bool stream = false;
    try {
      stream = config.options.stream_body(head);
    } catch (const std::exception& e) {
      spdlog::error("stream_body check threw: {}", e.what());
    }
    if (stream) return dispatch_streamed();
  }
  if (parser_.declared_too_large()) {
    send_parse_error(Http1Error{413, "Request body too large", parser_.declared_length()});
    return false;
  }
  if (uint64_t declared = parser_.declared_length();
      declared > 0 && !body_reservation_.grow(config.limits->bodies, declared)) {
    spdlog::debug("request body of {} bytes from {} refused: body memory budget full", declared, remote_);
    send_error_and_close(answer_transport_error(config.options.transport_error, head,
                                                TransportError{TransportErrorKind::kBodyMemoryExhausted}));
    return false;
  }
  return true;
}

bool Http1Connection::charge_body() {
  size_t have = parser_.request().body.size();
  if (have <= body_reservation_.bytes() ||
      body_reservation_.grow(worker_->config().limits->bodies, have - body_reservation_.bytes()))
    return true;
  spdlog::debug("chunked request body from {} refused at {} bytes: body memory budget full", remote_, have);
  body_reservation_.reset();
  send_error_and_close(answer_transport_error(worker_->config().options.transport_error, parser_.request(),
                                              TransportError{TransportErrorKind::kBodyMemoryExhausted}));
  return false;
}

bool Http1Connection::dispatch_streamed() {
  const ServerConfig& config = worker_->config();
  HttpRequest& parsed = parser_.request();
  size_t window = std::max<size_t>(config.options.stream_window_bytes, 1);
  bool has_body = parser_.has_body();
  if (has_body && !body_reservation_.grow(config.limits->bodies, window)) {
    spdlog::debug("streamed request body from {} refused: body memory budget full", remote_);
    send_error_and_close(answer_transport_error(config.options.transport_error, parsed,
                                                TransportError{TransportErrorKind::kBodyMemoryExhausted}));
    return false;
  }
  int64_t declared =
      has_body ? (parser_.declared_length() > 0 ? static_cast<int64_t>(parser_.declared_length()) : -1) : 0;
  keep_alive_ = keep_alive_ && parser_.keep_alive() && !draining_;
  chunked_ = parser_.http_minor() >= 1;
  bool expects_continue = parser_.expects_continue();
  HttpRequest request;
  if (has_body) {
    parser_.stream_body();
    keep_head(parsed, request);  // the parser keeps reading the body into its own request
  } else {
    request = parser_.take_request();
  }
  body_ = std::make_unique<BodyChannel>(window);
  body_reading_ = has_body;
  if (!has_body) body_->finish(true);
  // Only when the body has not started arriving (as for buffered bodies).
  if (has_body && expects_continue && rpos_ == wpos_) queue(std::string(kContinue));
  dispatch(std::move(request), declared);
  if (body_reading_) arm_deadline(std::chrono::steady_clock::now() + config.body_timeout());
  return true;
}

bool Http1Connection::pump_body() {
  if (!body_->wants_more()) {
    cancel_deadline();  // the reader is behind: no deadline for the peer
    return false;
  }
  size_t consumed = 0;
  auto result = parser_.feed(std::string_view(buf_.get() + rpos_, wpos_ - rpos_), &consumed);
  rpos_ += consumed;
  std::string& bytes = parser_.request().body;
  if (!bytes.empty()) {
    body_->deliver(bytes);
    bytes.clear();
    if (closed_ || !body_reading_) return false;
  }
  switch (result) {
    case Http1Parser::Result::kRequestDone:
      parser_.take_request();
      body_reading_ = false;
      body_reservation_.reset();
      cancel_deadline();
      body_->finish(true);
      return true;
    case Http1Parser::Result::kError:
      spdlog::debug("HTTP/1.1 streamed request body from {}: {} {}", remote_, parser_.error().status,
                    parser_.error().message);
      fail_body();
      return false;
    default:
      if (body_->wants_more())
        arm_deadline(std::chrono::steady_clock::now() + worker_->config().body_timeout());
      else
        cancel_deadline();
      return false;
  }
}

void Http1Connection::fail_body() {
  if (!body_reading_) return;
  body_reading_ = false;
  body_reservation_.reset();
  cancel_deadline();
  keep_alive_ = false;
  lingering_ = true;  // what else arrives is discarded; the connection closes after the response
  rpos_ = wpos_ = 0;
  body_->finish(false);
}

void Http1Connection::on_body_read(uint64_t id, std::shared_ptr<BodyReader> reader) {
  if (closed_ || id != request_id_ || !body_) return;
  body_->attach(std::move(reader));
}

void Http1Connection::on_body_consumed(uint64_t id, size_t n) {
  if (closed_ || id != request_id_ || !body_) return;
  bool was_blocked = !body_->wants_more();
  body_->consumed(n);
  if (was_blocked && body_reading_ && body_->wants_more()) process();
}

void Http1Connection::dispatch(HttpRequest request, int64_t streamed_length) {
  if (streamed_length == kNotStreamed) {
    cancel_deadline();          // the body deadline, if the request had a body
    body_reservation_.reset();  // handed over
  }
  request.remote_address = remote_;
  head_request_ = request.method == "HEAD";
  if (is_cors_preflight(request)) {
    write_response(preflight_response(request));
    if (!keep_alive_) begin_close();  // still kIdle: process() carries on with the next request
    return;
  }
  state_ = RequestState::kAwaiting;
  if (worker_->config().options.transport_error) keep_head(request, abandon_head_);
  sink_state_ = std::make_shared<SinkState>();
  auto self = std::static_pointer_cast<Http1Connection>(shared_from_this());
  auto sink = std::make_shared<Sink>(self, ++request_id_, sink_state_);
  if (streamed_length != kNotStreamed)
    request.body_stream = std::make_shared<PostingBody<Http1Connection>>(self, request_id_, streamed_length);
  try {
    worker_->config().handler(std::move(request), std::move(sink));
  } catch (const std::exception& e) {
    // The sink was destroyed during unwinding and reported on_abandoned (500).
    spdlog::error("request handler threw: {}", e.what());
  }
}

void Http1Connection::send_parse_error(const Http1Error& error) {
  const auto& o = worker_->config().options;
  HttpResponse r;
  switch (error.status) {
    case 413:  // the head is complete: the parser checks the length at its end, or while reading chunks
      r = answer_transport_error(o.transport_error, parser_.request(),
                                 TransportError{TransportErrorKind::kBodyTooLarge, error.body_bytes, o.max_body_bytes});
      break;
    case 431: r = headers_too_large_response(error.message); break;
    case 400: r = bad_request_response(error.message); break;
    default: r = plain_error_response(error.status, error.message); break;
  }
  spdlog::debug("HTTP/1.1 framing error from {}: {} {}", remote_, error.status, error.message);
  send_error_and_close(std::move(r));
}

void Http1Connection::send_error_and_close(HttpResponse response) {
  cancel_deadline();
  body_reservation_.reset();
  keep_alive_ = false;
  head_request_ = false;
  write_response(std::move(response));
  lingering_ = true;  // unread request bytes must not turn our close into a reset that eats the answer
  begin_close();
}

std::string Http1Connection::response_head(int status, std::vector<Header>& headers, std::string_view framing) {
  if (body_reading_) keep_alive_ = false;  // answered before its streamed body ended: the connection closes after
  add_standard_headers(headers);
  std::string head;
  size_t estimate = 64 + framing.size();
  for (const auto& h : headers) estimate += h.name.size() + h.value.size() + 4;
  head.reserve(estimate);
  head += "HTTP/1.1 ";
  head += std::to_string(status);
  head += ' ';
  head += reason_phrase(status);
  head += "\r\n";
  bool have_date = false;
  for (const auto& h : headers) {
    if (h.name.empty() || is_connection_header(h.name) || has_line_break(h.name) || has_line_break(h.value)) continue;
    if (iequals_ascii(h.name, "date")) have_date = true;
    head += h.name;
    head += ": ";
    head += h.value;
    head += "\r\n";
  }
  if (!have_date) {
    head += "Date: ";
    head += http_date();
    head += "\r\n";
  }
  head += framing;
  if (!keep_alive_) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

void Http1Connection::write_response(HttpResponse response) {
  std::string length = std::to_string(response.body.size());
  // A HEAD answer may state the length a GET would have (S3's HeadObject).
  if (const Header* h = find_header(response.headers, "content-length"); h && head_request_) length = h->value;
  std::string framing = "Content-Length: " + length + "\r\n";
  queue(response_head(response.status, response.headers, framing));
  if (!head_request_ && !response.body.empty()) queue(std::move(response.body));
}

void Http1Connection::after_response() {
  state_ = RequestState::kIdle;
  drop_early_chunks();  // chunks written to a sink that answered with send(): never sent
  if (sink_state_) sink_state_->close();
  fail_body();  // a streamed body the response did not wait for: the connection closes
  body_.reset();
  if (!keep_alive_) {
    begin_close();
    return;
  }
  process();
}

void Http1Connection::on_send(uint64_t id, HttpResponse response) {
  if (closed_ || id != request_id_ || state_ != RequestState::kAwaiting) return;
  write_response(std::move(response));
  after_response();
}

void Http1Connection::on_begin_stream(uint64_t id, int status, std::vector<Header> headers) {
  if (closed_ || id != request_id_ || state_ != RequestState::kAwaiting) return;
  state_ = RequestState::kStreaming;
  if (!chunked_) keep_alive_ = false;  // HTTP/1.0: the body ends when the connection does
  queue(response_head(status, headers, chunked_ ? "Transfer-Encoding: chunked\r\n" : ""));
  std::vector<std::string> early = std::move(early_chunks_);
  early_chunks_.clear();
  bool ended = std::exchange(early_end_, false);
  for (auto& c : early) queue_chunk(std::move(c));
  if (draining_ || ended) return end_stream_now();  // draining: the server is stopping, so end it here and close
  flush();
}

bool Http1Connection::on_chunk(uint64_t id, std::string bytes) {
  if (closed_ || id != request_id_ || bytes.empty() || head_request_) return false;
  if (state_ == RequestState::kAwaiting) {
    // A chunk may arrive before its stream's begin: begin_stream() posted
    // from the handler's own thread waits in asio's thread-private queue
    // until that handler returns, while a producer on another thread posts
    // straight to the shared queue. It waits here for the head.
    early_chunks_.push_back(std::move(bytes));
    return true;
  }
  if (state_ != RequestState::kStreaming) return false;
  queue_chunk(std::move(bytes));
  flush();
  return true;
}

void Http1Connection::queue_chunk(std::string bytes) {
  if (chunked_) {
    char size_line[24];
    int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", bytes.size());
    queue(std::string(size_line, static_cast<size_t>(len)));
  }
  queue(std::move(bytes), sink_state_);
  if (chunked_) queue("\r\n");
}

void Http1Connection::on_end_stream(uint64_t id) {
  if (closed_ || id != request_id_) return;
  if (state_ == RequestState::kAwaiting) {
    early_end_ = true;  // before its begin (see on_chunk): ended by on_begin_stream
    return;
  }
  if (state_ != RequestState::kStreaming) return;
  end_stream_now();
}

void Http1Connection::drop_early_chunks() {
  for (auto& c : early_chunks_)
    if (sink_state_) sink_state_->release(c.size());
  early_chunks_.clear();
  early_end_ = false;
}

void Http1Connection::end_stream_now() {
  if (chunked_ && !head_request_) queue("0\r\n\r\n");
  after_response();
}

void Http1Connection::on_abandoned(uint64_t id) {
  if (closed_ || id != request_id_) return;
  if (state_ == RequestState::kAwaiting) {
    spdlog::error("request handler dropped its response sink without answering; sending 500");
    on_send(id, answer_transport_error(worker_->config().options.transport_error, abandon_head_,
                                       TransportError{TransportErrorKind::kAbandoned}));
  } else if (state_ == RequestState::kStreaming) {
    on_end_stream(id);
  }
}

void Http1Connection::flush() {
  if (write_in_flight_ || closed_) return;
  if (pending_.empty()) {
    if (closing_) {
      if (lingering_ && !linger_started_) {
        linger_started_ = true;
        transport_->shutdown_send();
        linger_timer_.expires_after(kLingerTime);
        linger_timer_.async_wait(
            [self = std::static_pointer_cast<Http1Connection>(shared_from_this())](const std::error_code& ec) {
              if (!ec) self->close_now();
            });
        read_more();
      } else if (!lingering_) {
        close_now();
      }
    }
    return;
  }
  // Batches are bounded so unsent_bytes() moves in steps of at most
  // kWriteBatch and a stalled write means a peer that stopped reading.
  writing_.clear();
  iov_.clear();
  size_t batch = 0;
  while (!pending_.empty() && batch < kWriteBatch) {
    Outgoing& o = pending_.front();
    size_t left = o.bytes.size() - o.offset;
    size_t take = std::min(left, kWriteBatch - batch);
    if (take < left && batch > 0) break;  // a large string starts its own write
    o.sending = take;
    batch += take;
    writing_.push_back(std::move(o));
    pending_.pop_front();
  }
  for (const auto& o : writing_) iov_.emplace_back(asio::buffer(o.bytes.data() + o.offset, o.sending));
  write_began();
  write_in_flight_ = true;
  transport_->async_write(iov_, [self = std::static_pointer_cast<Http1Connection>(shared_from_this())](
                                    const std::error_code& ec, size_t) { self->on_written(ec); });
}

void Http1Connection::on_written(const std::error_code& ec) {
  write_in_flight_ = false;
  write_ended();
  if (closed_ || ec) {
    close_now();  // releases what writing_ still counts
    writing_.clear();
    return;
  }
  for (auto& o : writing_) {
    if (o.counted) o.counted->release(o.sending);
    o.offset += o.sending;
  }
  if (!writing_.empty() && writing_.back().offset < writing_.back().bytes.size())
    pending_.push_front(std::move(writing_.back()));  // the rest of a sliced string
  writing_.clear();
  touch();
  flush();
}

void Http1Connection::begin_close() {
  closing_ = true;
  flush();
}

void Http1Connection::close_now() {
  if (closed_) return;
  closed_ = true;
  body_reservation_.reset();
  drop_early_chunks();
  if (sink_state_) sink_state_->close();
  if (body_) body_->finish(false);
  body_reading_ = false;
  // Queued chunks will never be written. Those of the write in flight stay
  // allocated until its (aborted) completion, but are no longer counted.
  for (auto& o : writing_) {
    if (o.counted) o.counted->release(o.bytes.size() - o.offset);
    o.counted.reset();
  }
  for (auto& o : pending_)
    if (o.counted) o.counted->release(o.bytes.size() - o.offset);
  pending_.clear();
  transport_->close();
  linger_timer_.cancel();
  cancel_idle_timer();
  unregister_from_worker();
}

}  // namespace runnel::net
