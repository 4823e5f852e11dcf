#pragma once
// Incremental HTTP/1.1 request parser. Pure: no I/O, no clocks, no globals, so
// it can be fed arbitrary bytes by a fuzzer. One parser serves one connection
// and parses its requests one after another.
//
// Usage: keep the connection's unconsumed bytes in a buffer and call feed()
// with all of them. feed() consumes a prefix (*consumed), which the caller
// drops; the remaining bytes must be passed again at the front of the next
// call (the parser remembers how far it has scanned them). feed() returns:
//   kNeedMore     : more bytes are needed.
//   kHeadersDone  : request line and headers are parsed (request() is valid
//                   apart from the body); the caller may send 100 Continue,
//                   and may choose to stream the body (stream_body()).
//                   Call feed() again to read the body (a declared length
//                   over max_body_bytes fails there with 413).
//   kRequestDone  : the whole request is parsed; call take_request(), which
//                   also readies the parser for the next request.
//   kError        : the framing is broken or a limit was hit; error() says
//                   which status to answer with. The connection must then be
//                   closed: the parser stays in the error state.
//
// Accepted: origin-form, absolute-form and "*" targets; HTTP/1.0 and 1.1;
// CRLF line endings (a bare LF, or a CR not followed by LF, is rejected as
// soon as it arrives, not when the head is complete); Content-Length or
// "Transfer-Encoding: chunked" bodies (chunk extensions and trailers are
// skipped). Rejected: obs-fold, whitespace before ':', control characters
// (including NUL) in names or values, both Content-Length and
// Transfer-Encoding, conflicting Content-Length values, codings other than
// chunked (501), versions other than 1.x (505), HTTP/1.1 without Host, more
// than one Host. An HTTP/1.0 request with Transfer-Encoding is parsed (as
// chunked) but keep_alive() is false (RFC 9112 6.1: its framing is suspect).
//
// Thread-safety: none; a parser belongs to one connection.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http.h"

namespace runnel::net {

struct Http1Limits {
  // Request line + headers (and, separately, the chunked trailer section).
  size_t max_header_bytes = 64 << 10;
  size_t max_header_count = 256;
  size_t max_body_bytes = 20 << 20;
  // RFC 9112 3.2: an HTTP/1.1 request without Host is a 400 (more than one
  // Host is a 400 on any version, whatever this says).
  bool require_host = true;
};

struct Http1Error {
  int status = 400;         // 400, 413, 431, 501 or 505
  std::string message;      // short, printable
  uint64_t body_bytes = 0;  // 413 only: declared length, or bytes seen so far when chunked
};

class Http1Parser {
 public:
  enum class Result { kNeedMore, kHeadersDone, kRequestDone, kError };

  explicit Http1Parser(Http1Limits limits = {});

  Result feed(std::string_view input, size_t* consumed);

  // The request being parsed; complete apart from the body from kHeadersDone on.
  const HttpRequest& request() const { return request_; }
  HttpRequest& request() { return request_; }
  // Moves the finished request out and resets for the next one. Only after kRequestDone.
  HttpRequest take_request();

  // Between kHeadersDone and the next feed(): the body is streamed, so
  // max_body_bytes does not apply to it and nothing is reserved for it up
  // front. Its bytes still collect in request().body; the caller takes them
  // out after each feed().
  void stream_body() { streaming_ = true; }
  // Between kHeadersDone and the next feed(): the declared length is over
  // max_body_bytes and the body is not streamed (the next feed() fails with
  // 413, as it does when this is not asked).
  bool declared_too_large() const { return !streaming_ && declared_length_ > limits_.max_body_bytes; }

  // Valid from kHeadersDone until take_request().
  bool keep_alive() const { return keep_alive_; }
  bool expects_continue() const { return expects_continue_; }
  bool has_body() const { return state_ != State::kDone; }
  // The Content-Length of the request; 0 when chunked or none.
  uint64_t declared_length() const { return declared_length_; }
  int http_minor() const { return http_minor_; }
  // True between requests and while a request line or headers are being read.
  bool reading_head() const { return state_ == State::kHead; }

  const Http1Error& error() const { return error_; }

 private:
  enum class State { kHead, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kDone, kError };

  Result parse_head(std::string_view input, size_t* consumed);
  bool parse_request_line(std::string_view line);
  bool parse_header_line(std::string_view line);
  bool finish_headers();
  Result parse_body(std::string_view input, size_t* consumed);
  Result fail(int status, std::string message, uint64_t body_bytes = 0);
  bool reject(int status, std::string message, uint64_t body_bytes = 0);  // fail(), returning false

  Http1Limits limits_;
  State state_ = State::kHead;
  HttpRequest request_;
  Http1Error error_;
  size_t scanned_ = 0;  // bytes of the unconsumed input already searched for a terminator
  size_t trailer_bytes_ = 0;
  uint64_t remaining_ = 0;  // body bytes left (Content-Length) or in the current chunk
  uint64_t declared_length_ = 0;
  int http_minor_ = 1;
  bool keep_alive_ = true;
  bool expects_continue_ = false;
  bool streaming_ = false;
};

}  // namespace runnel::net
