#pragma once
// Transport: the byte pipe under one HTTP connection, either a plain TCP
// socket or TLS over one. Lets the HTTP/1.1 and HTTP/2 connection code stay
// ignorant of encryption. All methods are called on the connection's
// io_context thread only; handlers run there too.

#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "net/asio.h"

namespace runnel::net {

class Transport {
 public:
  using IoHandler = std::function<void(const std::error_code&, size_t)>;

  virtual ~Transport() = default;

  // At most one read and one write may be outstanding at a time.
  virtual void async_read_some(asio::mutable_buffer buffer, IoHandler handler) = 0;
  // Writes all of `buffers` (gathered); they must stay valid until the handler runs.
  virtual void async_write(const std::vector<asio::const_buffer>& buffers, IoHandler handler) = 0;
  // Half-closes the sending side (TCP FIN); reads keep working. Best effort.
  virtual void shutdown_send() = 0;
  // Closes the socket; outstanding operations complete with operation_aborted.
  virtual void close() = 0;
  virtual bool is_open() const = 0;

  // "ip:port" of the peer, or "" if unknown.
  std::string remote_address() const;
  virtual asio::ip::tcp::socket& tcp_socket() = 0;
  virtual const asio::ip::tcp::socket& tcp_socket() const = 0;
};

class TcpTransport final : public Transport {
 public:
  explicit TcpTransport(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
  void async_read_some(asio::mutable_buffer buffer, IoHandler handler) override;
  void async_write(const std::vector<asio::const_buffer>& buffers, IoHandler handler) override;
  void shutdown_send() override;
  void close() override;
  bool is_open() const override { return socket_.is_open(); }
  asio::ip::tcp::socket& tcp_socket() override { return socket_; }
  const asio::ip::tcp::socket& tcp_socket() const override { return socket_; }

 private:
  asio::ip::tcp::socket socket_;
};

class TlsTransport final : public Transport {
 public:
  TlsTransport(asio::ip::tcp::socket socket, asio::ssl::context& context) : stream_(std::move(socket), context) {}
  // Server-side handshake; afterwards alpn() tells what the client and we agreed on.
  void async_handshake(std::function<void(const std::error_code&)> handler);
  // Negotiated ALPN protocol ("h2", "http/1.1") or "" if none.
  std::string alpn() const;

  void async_read_some(asio::mutable_buffer buffer, IoHandler handler) override;
  void async_write(const std::vector<asio::const_buffer>& buffers, IoHandler handler) override;
  void shutdown_send() override;
  void close() override;
  bool is_open() const override { return stream_.lowest_layer().is_open(); }
  asio::ip::tcp::socket& tcp_socket() override { return stream_.next_layer(); }
  const asio::ip::tcp::socket& tcp_socket() const override { return stream_.next_layer(); }

 private:
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  std::string coalesced_;  // TLS writes go out as one record sequence from one buffer
};

}  // namespace runnel::net
