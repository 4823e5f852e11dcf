#include "net/handshake.h"

#include <cstring>

#include <spdlog/spdlog.h>

#include "net/connection.h"
#include "net/http1_connection.h"
#include "net/http2_connection.h"
#include "net/transport.h"

namespace runnel::net {
namespace {

// `first_byte_at`: when the first byte of `initial` arrived (the HTTP/1.1
// header deadline counts from there).
void hand_over(const std::shared_ptr<Worker>& worker, std::unique_ptr<Transport> transport, bool http2, bool tls,
               std::string_view initial, std::chrono::steady_clock::time_point first_byte_at) {
  if (http2) {
    auto c = std::make_shared<Http2Connection>(worker, std::move(transport));
    c->set_kind(tls ? ConnectionKind::kTlsH2 : ConnectionKind::kH2c);
    c->start(initial);
  } else {
    auto c = std::make_shared<Http1Connection>(worker, std::move(transport));
    c->set_kind(tls ? ConnectionKind::kTlsHttp1 : ConnectionKind::kHttp1);
    c->start(initial, first_byte_at);
  }
}

// Reads until the first bytes either match the whole preface or diverge from
// it. Bytes trickled one at a time are bounded by the header deadline, which
// starts at the first byte; a silent connection by the idle timeout.
class PrefaceSniffer final : public Connection {
 public:
  PrefaceSniffer(std::shared_ptr<Worker> worker, asio::ip::tcp::socket socket)
      : Connection(std::move(worker)), transport_(std::make_unique<TcpTransport>(std::move(socket))) {}

  void start() {
    register_with_worker();
    if (done_) return;
    start_idle_timer();
    read();
  }

  void drain() override { close(); }  // no request has been read yet
  void abort() override { close(); }

 private:
  bool busy() const override { return false; }
  void on_idle_timeout() override { close(); }

  void read() {
    transport_->async_read_some(asio::buffer(buf_ + got_, sizeof buf_ - got_),
                                [self = std::static_pointer_cast<PrefaceSniffer>(shared_from_this())](
                                    const std::error_code& ec, size_t n) { self->on_read(ec, n); });
  }

  void on_read(const std::error_code& ec, size_t n) {
    if (done_) return;
    if (ec) return close();
    if (got_ == 0 && n > 0) {
      first_byte_at_ = std::chrono::steady_clock::now();
      arm_deadline(first_byte_at_ + worker_->config().header_timeout());
    }
    got_ += n;
    if (std::memcmp(buf_, kHttp2Preface.data(), got_) != 0) return finish(false);
    if (got_ == sizeof buf_) return finish(true);
    read();
  }

  void finish(bool http2) {
    done_ = true;
    cancel_idle_timer();
    unregister_from_worker();
    hand_over(worker_, std::move(transport_), http2, false, std::string_view(buf_, got_), first_byte_at_);
  }

  void close() {
    if (done_) return;
    done_ = true;
    transport_->close();
    cancel_idle_timer();
    unregister_from_worker();
  }

  std::unique_ptr<Transport> transport_;
  char buf_[kHttp2Preface.size()];
  size_t got_ = 0;
  std::chrono::steady_clock::time_point first_byte_at_;
  bool done_ = false;
};

class TlsHandshake final : public Connection {
 public:
  TlsHandshake(std::shared_ptr<Worker> worker, asio::ip::tcp::socket socket, asio::ssl::context& context)
      : Connection(std::move(worker)), transport_(std::make_unique<TlsTransport>(std::move(socket), context)) {}

  void start() {
    register_with_worker();
    if (done_) return;
    start_idle_timer();
    arm_deadline(std::chrono::steady_clock::now() + worker_->config().header_timeout());
    transport_->async_handshake([self = std::static_pointer_cast<TlsHandshake>(shared_from_this())](
                                    const std::error_code& ec) { self->on_handshake(ec); });
  }

  void drain() override { close(); }
  void abort() override { close(); }

 private:
  bool busy() const override { return false; }
  void on_idle_timeout() override { close(); }

  void on_handshake(const std::error_code& ec) {
    if (done_) return;
    if (ec) {
      spdlog::debug("TLS handshake failed: {}", ec.message());
      return close();
    }
    done_ = true;
    cancel_idle_timer();
    unregister_from_worker();
    bool http2 = transport_->alpn() == "h2";
    hand_over(worker_, std::move(transport_), http2, true, {}, std::chrono::steady_clock::now());
  }

  void close() {
    if (done_) return;
    done_ = true;
    transport_->close();
    cancel_idle_timer();
    unregister_from_worker();
  }

  std::unique_ptr<TlsTransport> transport_;
  bool done_ = false;
};

}  // namespace

void serve_plaintext(std::shared_ptr<Worker> worker, asio::ip::tcp::socket socket) {
  std::make_shared<PrefaceSniffer>(std::move(worker), std::move(socket))->start();
}

void serve_tls(std::shared_ptr<Worker> worker, asio::ip::tcp::socket socket, asio::ssl::context& context) {
  std::make_shared<TlsHandshake>(std::move(worker), std::move(socket), context)->start();
}

}  // namespace runnel::net
