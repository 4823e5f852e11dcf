#pragma once
// Connection: the common base of everything that owns an accepted socket
// (protocol sniffing, TLS handshake, HTTP/1.1, HTTP/2). It registers with its
// Worker while the socket is open, so Server::stop() can drain and count it,
// and it runs the idle timer, which also closes connections whose peer has
// stopped reading (a socket write that does not complete within the idle
// timeout).
//
// Threads: every method runs on the worker's thread. Objects are owned by
// shared_ptr: outstanding async operations and ResponseSinks keep them alive.

#include <chrono>
#include <cstdint>
#include <memory>

#include "net/asio.h"
#include "net/worker.h"

namespace runnel::net {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(std::shared_ptr<Worker> worker);
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Server is stopping: answer what is in flight, accept no new requests, close.
  virtual void drain() = 0;
  // Close the socket now; in-flight responses are dropped.
  virtual void abort() = 0;

  const std::shared_ptr<Worker>& worker() const { return worker_; }

  // For Worker::admit_new_connection: a connection with no request in flight
  // and no write pending may be closed to make room for a new one; so may
  // one whose socket write has been pending for stuck_write_ms (its peer
  // stopped reading: it would otherwise hold its slot for idle_timeout_ms).
  bool evictable() const {
    if (write_pending_) return std::chrono::steady_clock::now() - write_since_ >= worker_->config().stuck_write();
    return !busy();
  }
  std::chrono::steady_clock::time_point last_activity() const { return last_activity_; }
  // Counts this connection under `kind` in ServerLimits::open_by_kind while
  // it is registered (Server::stats()). Call before start(), on the worker.
  void set_kind(ConnectionKind kind) { kind_ = kind; }

 protected:
  // Adds this connection to the worker's live set (draining it at once if the
  // server is stopping). Call after construction, once shared_from_this works.
  void register_with_worker();
  // Removes it; idempotent. Call when the socket is closed.
  void unregister_from_worker();

  // Records traffic; the idle timer measures from the last touch().
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }
  // Starts the idle timer: on_idle_timeout() runs once idle_timeout has passed
  // since the last touch() while busy() was false.
  void start_idle_timer();
  void cancel_idle_timer();
  virtual bool busy() const = 0;
  virtual void on_idle_timeout() = 0;

  // A one-shot deadline beside the idle timer (the header deadline): at `at`,
  // on_deadline() runs unless cancel_deadline() came first. Re-arming moves it.
  void arm_deadline(std::chrono::steady_clock::time_point at);
  void cancel_deadline();
  bool deadline_armed() const { return deadline_armed_; }
  virtual void on_deadline() { abort(); }

  // Bracket every socket write. A write still pending idle_timeout after it
  // began means the peer stopped reading: the idle timer then calls abort().
  // Writes must therefore be bounded in size (a few hundred KiB).
  void write_began() {
    write_pending_ = true;
    write_since_ = std::chrono::steady_clock::now();
  }
  void write_ended() { write_pending_ = false; }

  std::shared_ptr<Worker> worker_;  // first member: outlives the sockets of derived classes

 private:
  void arm_idle_timer(std::chrono::steady_clock::time_point at);

  asio::steady_timer idle_timer_;
  asio::steady_timer deadline_timer_;
  uint64_t deadline_generation_ = 0;
  bool deadline_armed_ = false;
  std::chrono::steady_clock::time_point last_activity_;
  std::chrono::steady_clock::time_point write_since_;
  bool write_pending_ = false;
  bool registered_ = false;
  ConnectionKind kind_ = ConnectionKind::kCount;  // kCount: not counted by kind
  bool timer_stopped_ = false;
};

}  // namespace runnel::net
