#pragma once
// Transport errors: what net/ reports when it answers a request itself
// because of HTTP-level trouble that an AWS client must be able to read
// (body too large, body memory exhausted, a handler that failed to answer).
// net/ does not know AWS's error formats: it hands the request's head and the
// error to ServerOptions::transport_error, and the protocol layer answers in
// the caller's protocol (protocol::Dispatcher::transport_error_response).
// Without a hook, net/ answers in plain text (plain_transport_error_response).
// Pure framing errors (400, 408, 431, 501, 505) are not transport errors:
// they stay plain text, as the request's head may not even parse.

#include <cstdint>
#include <functional>

#include "net/http.h"

namespace runnel::net {

enum class TransportErrorKind : uint8_t {
  kBodyTooLarge,         // 413: body_bytes (declared, or seen so far) exceed limit
  kBodyMemoryExhausted,  // 503, retryable: the server's body-memory budget is full
  kAbandoned,            // 500: the handler (or the head check) failed to answer
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::kAbandoned;
  uint64_t body_bytes = 0;  // kBodyTooLarge only
  uint64_t limit = 0;       // kBodyTooLarge only: ServerOptions::max_body_bytes
};

// Builds the answer to a transport error from the request's head (method,
// path, query, headers, remote_address; the body is absent or partial).
// Called on the connection's worker thread; must not block. If it throws,
// net/ sends the plain-text answer.
using TransportErrorHook = std::function<HttpResponse(const HttpRequest& head, TransportError error)>;

// The plain-text answer (status 413 / 503 with Retry-After: 1 / 500).
HttpResponse plain_transport_error_response(const TransportError& error);

// The hook's answer when `hook` is set (and does not throw), else the plain one.
HttpResponse answer_transport_error(const TransportErrorHook& hook, const HttpRequest& head,
                                    const TransportError& error);

// Copies `request`'s head (everything but the body) into `out`, reusing its
// storage: what a connection keeps to answer a request it handed over.
void keep_head(const HttpRequest& request, HttpRequest& out);

}  // namespace runnel::net
