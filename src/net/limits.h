#pragma once
// Server-wide state behind the limits against hostile clients: the count of
// open connections (for ServerOptions::max_connections) and the memory held
// by request bodies still being read (ServerOptions::body_memory_bytes).
// One instance per Server, shared by every worker through ServerConfig.
//
// Threads: every method may be called from any thread (atomics only).

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace runnel::net {

// Bytes of request bodies held by connections, against a fixed budget.
class BodyBudget {
 public:
  explicit BodyBudget(size_t limit) : limit_(limit) {}

  // Reserves `n` bytes; false (nothing reserved) if that would pass the limit.
  [[nodiscard]] bool try_reserve(size_t n) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ || used > limit_ - n) return false;
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_acq_rel));
    return true;
  }
  void release(size_t n) {
    if (n) used_.fetch_sub(n, std::memory_order_acq_rel);
  }
  size_t used() const { return used_.load(std::memory_order_acquire); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

// What an open connection speaks, once that is known: sockets still sniffing
// for the h2c preface or in their TLS handshake are none of these.
enum class ConnectionKind : uint8_t { kHttp1, kH2c, kTlsHttp1, kTlsH2, kCount };

// Open connections by kind, a snapshot (Server::stats()).
struct ConnectionStats {
  std::array<size_t, static_cast<size_t>(ConnectionKind::kCount)> open{};
  size_t of(ConnectionKind k) const { return open[static_cast<size_t>(k)]; }
};

struct ServerLimits {
  ServerLimits(size_t max_connections, size_t body_memory_bytes)
      : max_connections(max_connections), bodies(body_memory_bytes) {}

  const size_t max_connections;
  std::atomic<size_t> connections{0};  // registered connections and accepted sockets on their way to a worker
  BodyBudget bodies;
  // Registered HTTP/1.1 and HTTP/2 connections by kind (Connection::set_kind),
  // counted from registration to unregistration on the worker. For metrics.
  std::array<std::atomic<size_t>, static_cast<size_t>(ConnectionKind::kCount)> open_by_kind{};

  // True at most once per `period`: rate-limits the warnings of an episode.
  bool should_warn(std::chrono::steady_clock::duration period = std::chrono::seconds(10)) {
    int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    int64_t last = last_warning_.load(std::memory_order_relaxed);
    if (last != 0 && now - last < period.count()) return false;
    return last_warning_.compare_exchange_strong(last, now, std::memory_order_acq_rel);
  }

 private:
  std::atomic<int64_t> last_warning_{0};
};

// A reservation in a BodyBudget, released when destroyed or reset. Not
// thread-safe itself (owned by one connection or stream).
class BodyReservation {
 public:
  BodyReservation() = default;
  ~BodyReservation() { reset(); }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

  // Adds `n` bytes to the reservation; false if the budget has no room (the
  // reservation is then unchanged).
  [[nodiscard]] bool grow(BodyBudget& budget, size_t n) {
    if (budget_ && budget_ != &budget) reset();
    if (!budget.try_reserve(n)) return false;
    budget_ = &budget;
    bytes_ += n;
    return true;
  }
  void reset() {
    if (budget_) budget_->release(bytes_);
    bytes_ = 0;
  }
  size_t bytes() const { return bytes_; }

 private:
  BodyBudget* budget_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace runnel::net
