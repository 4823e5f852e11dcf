#pragma once
// The first moments of an accepted connection, before we know which protocol
// it speaks: on the plaintext port the first bytes are compared with the
// HTTP/2 client preface (h2c with prior knowledge) and otherwise taken as
// HTTP/1.1; on the TLS port the handshake's ALPN result decides ("h2" means
// HTTP/2, anything else HTTP/1.1).
//
// Threads: call on the worker's thread (the socket must belong to its io_context).

#include <memory>

#include "net/asio.h"
#include "net/worker.h"

namespace runnel::net {

// The 24-byte HTTP/2 client connection preface (RFC 9113 3.4).
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

void serve_plaintext(std::shared_ptr<Worker> worker, asio::ip::tcp::socket socket);
// `context` must outlive the handshake (the Server keeps it until stop() has joined the workers).
void serve_tls(std::shared_ptr<Worker> worker, asio::ip::tcp::socket socket, asio::ssl::context& context);

}  // namespace runnel::net
