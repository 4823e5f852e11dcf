#pragma once
// Worker: one event loop (asio::io_context) and the thread that runs it.
// Each accepted connection lives on exactly one worker for its whole life.
//
// Threads: io() may be used from any thread (posting is thread-safe).
// add/remove/drain_all/abort_all and draining() are for the worker's own
// thread only. live_connections() and stopped() may be read from any thread.

#include <atomic>
#include <chrono>
#include <memory>
#include <unordered_set>

#include "net/asio.h"
#include "net/http.h"
#include "net/limits.h"
#include "net/server.h"

namespace runnel::net {

class Connection;

// What every connection needs to know about the server; immutable once running.
struct ServerConfig {
  ServerOptions options;
  RequestHandler handler;
  std::shared_ptr<ServerLimits> limits;  // never null; shared by all workers
  std::chrono::milliseconds idle_timeout() const { return std::chrono::milliseconds(options.idle_timeout_ms); }
  std::chrono::milliseconds header_timeout() const { return std::chrono::milliseconds(options.header_timeout_ms); }
  std::chrono::milliseconds body_timeout() const { return std::chrono::milliseconds(options.body_timeout_ms); }
  std::chrono::milliseconds stuck_write() const { return std::chrono::milliseconds(options.stuck_write_ms); }
};

class Worker {
 public:
  explicit Worker(std::shared_ptr<const ServerConfig> config) : config_(std::move(config)) {}

  asio::io_context& io() { return io_; }
  const ServerConfig& config() const { return *config_; }

  void add(Connection* c);
  void remove(Connection* c);
  // Asks every connection to finish what is in flight and close; connections
  // added later are drained at once.
  void drain_all();
  void abort_all();
  bool draining() const { return draining_; }
  // Called for a newly accepted socket before it becomes a connection (the
  // socket is already counted in ServerLimits::connections). Under or at
  // the connection limit: true. At or over it: closes this worker's
  // connection that has been idle longest (no request in flight, no write
  // pending) and returns true, or returns false (the caller closes the new
  // socket) if every connection here is busy.
  bool admit_new_connection();

  size_t live_connections() const { return live_.load(std::memory_order_acquire); }
  // Set once the worker's thread has exited; sinks then drop their calls.
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  void mark_stopped() { stopped_.store(true, std::memory_order_release); }

 private:
  std::shared_ptr<const ServerConfig> config_;
  asio::io_context io_{1};
  std::unordered_set<Connection*> connections_;
  bool draining_ = false;
  std::atomic<size_t> live_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace runnel::net
