#include "net/transport.h"

#include <openssl/ssl.h>

namespace runnel::net {

std::string Transport::remote_address() const {
  std::error_code ec;
  auto ep = tcp_socket().remote_endpoint(ec);
  if (ec) return "";
  auto addr = ep.address();
  std::string host = addr.is_v6() && !addr.to_v6().is_v4_mapped() ? "[" + addr.to_string() + "]"
                     : addr.is_v6() ? asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6()).to_string()
                                    : addr.to_string();
  return host + ":" + std::to_string(ep.port());
}

void TcpTransport::async_read_some(asio::mutable_buffer buffer, IoHandler handler) {
  socket_.async_read_some(buffer, std::move(handler));
}

void TcpTransport::async_write(const std::vector<asio::const_buffer>& buffers, IoHandler handler) {
  asio::async_write(socket_, buffers, std::move(handler));
}

void TcpTransport::shutdown_send() {
  std::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
}

void TcpTransport::close() {
  std::error_code ec;
  socket_.close(ec);
}

void TlsTransport::async_handshake(std::function<void(const std::error_code&)> handler) {
  stream_.async_handshake(asio::ssl::stream_base::server, std::move(handler));
}

std::string TlsTransport::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(const_cast<asio::ssl::stream<asio::ip::tcp::socket>&>(stream_).native_handle(), &data, &len);
  return data ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
}

void TlsTransport::async_read_some(asio::mutable_buffer buffer, IoHandler handler) {
  stream_.async_read_some(buffer, std::move(handler));
}

void TlsTransport::async_write(const std::vector<asio::const_buffer>& buffers, IoHandler handler) {
  if (buffers.size() == 1) {
    asio::async_write(stream_, buffers, std::move(handler));
    return;
  }
  coalesced_.clear();
  for (const auto& b : buffers) coalesced_.append(static_cast<const char*>(b.data()), b.size());
  asio::async_write(stream_, asio::buffer(coalesced_), std::move(handler));
}

void TlsTransport::shutdown_send() {
  std::error_code ec;
  stream_.next_layer().shutdown(asio::socket_base::shutdown_send, ec);
}

void TlsTransport::close() {
  std::error_code ec;
  stream_.next_layer().close(ec);
}

}  // namespace runnel::net
