#pragma once
// Server: the listening side of net/. Accepts TCP connections on a plaintext
// port (HTTP/1.1 keep-alive, or HTTP/2 when the client opens with the h2c
// prior-knowledge preface) and optionally on a TLS port (ALPN h2 or
// http/1.1), turns requests into HttpRequest values and hands them to the
// RequestHandler. See src/net/README.md for threads and docs/http.md for
// what is accepted on the wire.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/http.h"
#include "net/limits.h"
#include "net/transport_error.h"

namespace runnel::net {

// Looks at a request's head (method, path, query, headers, remote_address;
// the body is empty and not yet read) and returns a response to answer it
// with at once, or nothing to let the request proceed. When it answers, the
// body is not read: HTTP/1.1 closes the connection after the answer, HTTP/2
// discards the stream's DATA. Called on the connection's worker thread, once
// per request (not for OPTIONS preflights), after net/'s own framing checks
// and before the body-memory budget is charged; it must not block.
using HeadCheck = std::function<std::optional<HttpResponse>(const HttpRequest& head)>;

// Looks at a request's head and chooses whether its body is streamed
// (true: the handler is called at once with HttpRequest::body_stream set and
// an empty `body`; max_body_bytes does not apply) or read whole first
// (false). Called on the connection's worker thread after head_check passed
// it; must not block. Unset: every body is read whole.
using StreamBodyCheck = std::function<bool(const HttpRequest& head)>;

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 4567;                     // plaintext: HTTP/1.1 and h2c; 0 = ephemeral
  uint16_t tls_port = 0;                    // TLS listener (ALPN h2, http/1.1) if != 0 or tls_cert_file set
  std::string tls_cert_file, tls_key_file;  // PEM; the cert file may hold a chain
  unsigned threads = 0;                     // 0 = std::thread::hardware_concurrency()
  size_t max_body_bytes = 20 << 20;         // larger -> 413
  size_t max_header_bytes = 64 << 10;       // larger -> 431
  uint32_t idle_timeout_ms = 120000;        // connections without traffic or open requests are closed
  // Limits against hostile clients (docs/http.md, "Limits against hostile clients").
  uint32_t header_timeout_ms = 20000;     // HTTP/1.1 head (and sniffing, TLS handshake) must finish within this -> 408
  size_t max_connections = 0;             // open sockets, all listeners; 0 = RLIMIT_NOFILE - 64 (16..65536)
  size_t body_memory_bytes = 256 << 20;   // request bodies being read, all connections together; beyond -> 503
  size_t h2_max_queued_bytes = 64 << 20;  // per HTTP/2 connection: response bytes waiting on flow control
  uint32_t h2_stall_timeout_ms = 30000;   // HTTP/2 connection with bytes queued and none sent for this long -> closed
  uint32_t body_timeout_ms = 60000;       // a request body must end within this of its head -> 408 (h2: RST_STREAM)
  uint32_t stuck_write_ms = 5000;  // a socket write pending this long makes its connection evictable at the limit
  HeadCheck head_check;            // optional; see HeadCheck
  StreamBodyCheck stream_body;     // optional; see StreamBodyCheck
  // A streamed body is read at most this far ahead of its reader
  // (RequestBody::consume); each streamed request holds this much of
  // body_memory_bytes while its body arrives. HTTP/2 streams are bounded by
  // their 1 MiB receive window as well.
  size_t stream_window_bytes = 1 << 20;
  // Optional: answers the transport errors net/ meets (body too large, body
  // memory exhausted, a request abandoned by its handler) in the caller's
  // protocol; see net/transport_error.h. Unset: plain text.
  TransportErrorHook transport_error;
};

// The connection limit max_connections == 0 stands for: the soft
// RLIMIT_NOFILE minus a reserve of 64 descriptors (log segments, the metadata
// store, the log file), kept within [16, 65536].
size_t default_max_connections();

class Worker;
class Listener;

class Server {
 public:
  Server(ServerOptions options, RequestHandler handler);
  // Calls stop() if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (port 0 picks an ephemeral port, see bound_port()),
  // loads the TLS certificate if a TLS listener is configured, and starts the
  // worker threads. Fails (and leaves nothing running) if binding or loading
  // the certificate fails. Call at most once.
  Status start();

  // The plaintext / TLS port actually bound; 0 before start() or if none.
  uint16_t bound_port() const { return bound_port_; }
  uint16_t bound_tls_port() const { return bound_tls_port_; }

  // Open connections by kind now (all zero before start()). Any thread,
  // also after stop(); atomics only.
  ConnectionStats stats() const;

  // Graceful shutdown (e.g. on SIGTERM): stops accepting, lets requests that
  // are in flight complete (HTTP/2 peers get GOAWAY) for up to about 5 s,
  // then closes every connection and joins the worker threads. Idempotent.
  // Must not be called from a worker thread (e.g. from inside the handler).
  void stop();

 private:
  ServerOptions options_;
  RequestHandler handler_;
  std::vector<std::shared_ptr<Worker>> workers_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  struct Runtime;  // TLS context, threads, work guards
  std::unique_ptr<Runtime> runtime_;
  uint16_t bound_port_ = 0;
  uint16_t bound_tls_port_ = 0;
  std::shared_ptr<ServerLimits> limits_;  // set by start(), then immutable
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace runnel::net
