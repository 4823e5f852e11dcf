#pragma once
// FakeEndpoint: a tiny HTTP/1.1 server for the bench tool's tests. It answers
// every POST by calling a handler with the X-Amz-Target operation and the
// body. Keep-alive, Content-Length bodies only, one thread per connection.
// Test-only (header-only, not part of the library).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace runnel::bench {

class FakeEndpoint {
 public:
  struct Answer {
    int status = 200;
    std::string body;
  };
  // Called concurrently from connection threads.
  using Handler = std::function<Answer(const std::string& operation, const std::string& body)>;

  explicit FakeEndpoint(Handler h) : handler_(std::move(h)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(listen_fd_, 64);
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~FakeEndpoint() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    acceptor_.join();
    MutexLock lock(mu_);
    for (int fd : fds_) shutdown(fd, SHUT_RDWR);
    for (auto& t : connections_) t.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void accept_loop() EXCLUDES(mu_) {
    while (!stop_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      MutexLock lock(mu_);
      fds_.push_back(fd);
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  static std::string header(const std::string& head, const std::string& name) {
    std::string lower;
    for (char c : head) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    auto p = lower.find("\r\n" + name + ":");
    if (p == std::string::npos) return "";
    p += name.size() + 3;
    auto e = head.find("\r\n", p);
    std::string v = head.substr(p, e - p);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return v;
  }

  void serve(int fd) {
    std::string buf;
    char chunk[65536];
    while (true) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) return close_fd(fd);
        buf.append(chunk, static_cast<size_t>(n));
      }
      std::string head = buf.substr(0, end);
      size_t length = std::stoul(header(head, "content-length").empty() ? "0" : header(head, "content-length"));
      while (buf.size() < end + 4 + length) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) return close_fd(fd);
        buf.append(chunk, static_cast<size_t>(n));
      }
      std::string body = buf.substr(end + 4, length);
      buf.erase(0, end + 4 + length);
      std::string target = header(head, "x-amz-target");
      auto dot = target.find('.');
      Answer a = handler_(dot == std::string::npos ? target : target.substr(dot + 1), body);
      std::string out =
          "HTTP/1.1 " + std::to_string(a.status) +
          " X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: " + std::to_string(a.body.size()) +
          "\r\n\r\n" + a.body;
      if (write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return close_fd(fd);
    }
  }

  void close_fd(int fd) { close(fd); }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  Mutex mu_;
  std::vector<int> fds_ GUARDED_BY(mu_);
  std::vector<std::thread> connections_ GUARDED_BY(mu_);
};

}  // namespace runnel::bench
