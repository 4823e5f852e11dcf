#pragma once
// Test-only helpers (header-only, used by net/*_test.cc): a blocking client
// socket with timeouts, optionally TLS with ALPN, an HTTP/1.1 response
// reader, and a self-signed certificate writer. Deliberately independent of the server code under test.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::net::testing {

class TestSocket {
 public:
  // Connects to 127.0.0.1:port; with `alpn` (wire format) non-null, does a TLS
  // handshake (no certificate verification) offering those protocols.
  explicit TestSocket(uint16_t port, const std::string* alpn = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (ok_ && alpn) {
      ctx_ = SSL_CTX_new(TLS_client_method());
      ssl_ = SSL_new(ctx_);
      SSL_set_fd(ssl_, fd_);
      if (!alpn->empty())
        SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(alpn->data()),
                            static_cast<unsigned>(alpn->size()));
      ok_ = SSL_connect(ssl_) == 1;
    }
  }
  ~TestSocket() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  bool ok() const { return ok_; }
  std::string alpn() const {
    const unsigned char* p = nullptr;
    unsigned len = 0;
    if (ssl_) SSL_get0_alpn_selected(ssl_, &p, &len);
    return p ? std::string(reinterpret_cast<const char*>(p), len) : std::string();
  }

  bool write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                       : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Bytes read (appended to `out`), 0 on EOF/reset, -1 on timeout.
  ssize_t read_some(std::string& out, int timeout_ms) {
    if (!(ssl_ && SSL_pending(ssl_) > 0)) {
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, timeout_ms);
      if (r == 0) return -1;
    }
    char buf[16384];
    ssize_t n = ssl_ ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return 0;
    out.append(buf, static_cast<size_t>(n));
    return n;
  }

  // Bytes received but not yet consumed by a reader.
  std::string inbox;

  // Reads into inbox until it holds `n` bytes; false on EOF or timeout.
  bool fill(size_t n, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (inbox.size() < n) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0 || read_some(inbox, left) <= 0) return false;
    }
    return true;
  }
  // Reads until inbox contains `marker`; returns its end offset, or npos.
  size_t fill_until(std::string_view marker, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      size_t at = inbox.find(marker);
      if (at != std::string::npos) return at + marker.size();
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0 || read_some(inbox, left) <= 0) return std::string::npos;
    }
  }
  // True if the peer closed the connection within the timeout (no more data).
  bool closed_by_peer(int timeout_ms) {
    std::string sink;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      ssize_t n = read_some(sink, 50);
      if (n == 0) return true;
    }
    return false;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool ok_ = false;
};

struct TestResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool chunked = false;
  std::vector<std::string> chunks;

  const std::string* header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return &v;
    return nullptr;
  }
  size_t count(std::string_view name) const {
    return static_cast<size_t>(std::count_if(headers.begin(), headers.end(), [&](auto& h) { return h.first == name; }));
  }
};

// Reads one HTTP/1.x response (a 1xx interim response counts as one).
inline std::optional<TestResponse> read_response(TestSocket& s, int timeout_ms = 3000) {
  size_t head_end = s.fill_until("\r\n\r\n", timeout_ms);
  if (head_end == std::string::npos) return std::nullopt;
  std::string head = s.inbox.substr(0, head_end);
  s.inbox.erase(0, head_end);
  TestResponse r;
  if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return std::nullopt;
  r.status = std::stoi(head.substr(9, 3));
  size_t pos = head.find("\r\n") + 2;
  while (pos < head.size() - 2) {
    size_t end = head.find("\r\n", pos);
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers.emplace_back(name, value);
    pos = end + 2;
  }
  if (r.status < 200) return r;
  if (const std::string* te = r.header("transfer-encoding"); te && *te == "chunked") {
    r.chunked = true;
    while (true) {
      size_t line_end = s.fill_until("\r\n", timeout_ms);
      if (line_end == std::string::npos) return std::nullopt;
      size_t size = std::stoul(s.inbox.substr(0, line_end - 2), nullptr, 16);
      s.inbox.erase(0, line_end);
      if (!s.fill(size + 2, timeout_ms)) return std::nullopt;
      if (size == 0) {
        s.inbox.erase(0, 2);
        return r;
      }
      r.chunks.push_back(s.inbox.substr(0, size));
      r.body += r.chunks.back();
      s.inbox.erase(0, size + 2);
    }
  }
  if (const std::string* cl = r.header("content-length")) {
    size_t n = std::stoul(*cl);
    if (!s.fill(n, timeout_ms)) return std::nullopt;
    r.body = s.inbox.substr(0, n);
    s.inbox.erase(0, n);
    return r;
  }
  while (s.read_some(s.inbox, timeout_ms) > 0) {
  }
  r.body = std::move(s.inbox);
  s.inbox.clear();
  return r;
}

// Writes a fresh self-signed P-256 certificate for "localhost" and its key.
inline bool write_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return false;
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  bool ok = X509_sign(x, key, EVP_sha256()) > 0;
  FILE* f = std::fopen(cert_path.c_str(), "w");
  ok = ok && f && PEM_write_X509(f, x);
  if (f) std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  ok = ok && f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (f) std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace runnel::net::testing
