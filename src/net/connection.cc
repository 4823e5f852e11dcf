#include "net/connection.h"

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

namespace runnel::net {

void Worker::add(Connection* c) {
  connections_.insert(c);
  live_.fetch_add(1, std::memory_order_acq_rel);
  config_->limits->connections.fetch_add(1, std::memory_order_acq_rel);
}

void Worker::remove(Connection* c) {
  if (connections_.erase(c) > 0) {
    live_.fetch_sub(1, std::memory_order_acq_rel);
    config_->limits->connections.fetch_sub(1, std::memory_order_acq_rel);
  }
}

bool Worker::admit_new_connection() {
  ServerLimits& limits = *config_->limits;
  // `open` includes the socket being admitted.
  size_t open = limits.connections.load(std::memory_order_acquire);
  if (open <= limits.max_connections) return true;
  Connection* oldest = nullptr;
  for (Connection* c : connections_)
    if (c->evictable() && (!oldest || c->last_activity() < oldest->last_activity())) oldest = c;
  if (limits.should_warn())
    spdlog::warn("connection limit of {} reached ({} open): {}", limits.max_connections, open,
                 oldest ? "closing the connection idle longest for each new one"
                        : "new connections are closed at once while all are busy");
  if (!oldest) return false;
  oldest->shared_from_this()->abort();
  return true;
}

void Worker::drain_all() {
  draining_ = true;
  // drain() may close (and so remove) connections while we iterate.
  std::vector<std::shared_ptr<Connection>> all;
  for (Connection* c : connections_) all.push_back(c->shared_from_this());
  for (auto& c : all) c->drain();
}

void Worker::abort_all() {
  std::vector<std::shared_ptr<Connection>> all;
  for (Connection* c : connections_) all.push_back(c->shared_from_this());
  for (auto& c : all) c->abort();
}

Connection::Connection(std::shared_ptr<Worker> worker)
    : worker_(std::move(worker)),
      idle_timer_(worker_->io()),
      deadline_timer_(worker_->io()),
      last_activity_(std::chrono::steady_clock::now()) {}

Connection::~Connection() = default;

void Connection::register_with_worker() {
  if (registered_) return;
  registered_ = true;
  worker_->add(this);
  if (kind_ != ConnectionKind::kCount)
    worker_->config().limits->open_by_kind[static_cast<size_t>(kind_)].fetch_add(1, std::memory_order_relaxed);
  if (worker_->draining()) drain();
}

void Connection::unregister_from_worker() {
  if (!registered_) return;
  registered_ = false;
  worker_->remove(this);
  if (kind_ != ConnectionKind::kCount)
    worker_->config().limits->open_by_kind[static_cast<size_t>(kind_)].fetch_sub(1, std::memory_order_relaxed);
}

void Connection::start_idle_timer() {
  timer_stopped_ = false;
  touch();
  arm_idle_timer(last_activity_ + worker_->config().idle_timeout());
}

void Connection::cancel_idle_timer() {
  timer_stopped_ = true;
  idle_timer_.cancel();
  cancel_deadline();
}

void Connection::arm_deadline(std::chrono::steady_clock::time_point at) {
  deadline_armed_ = true;
  uint64_t generation = ++deadline_generation_;
  deadline_timer_.expires_at(at);
  deadline_timer_.async_wait([self = shared_from_this(), generation](const std::error_code& ec) {
    if (ec || !self->deadline_armed_ || generation != self->deadline_generation_) return;
    self->deadline_armed_ = false;
    self->on_deadline();
  });
}

void Connection::cancel_deadline() {
  if (!deadline_armed_) return;
  deadline_armed_ = false;
  ++deadline_generation_;
  deadline_timer_.cancel();
}

void Connection::arm_idle_timer(std::chrono::steady_clock::time_point at) {
  idle_timer_.expires_at(at);
  idle_timer_.async_wait([self = shared_from_this()](const std::error_code& ec) {
    if (ec || self->timer_stopped_) return;
    auto timeout = self->worker_->config().idle_timeout();
    auto now = std::chrono::steady_clock::now();
    if (self->write_pending_ && now >= self->write_since_ + timeout) {
      spdlog::debug("closing a connection whose peer stopped reading (a write pending for {} ms)", timeout.count());
      self->abort();
    } else if (self->busy()) {
      self->arm_idle_timer(self->write_pending_ ? std::min(now + timeout, self->write_since_ + timeout)
                                                : now + timeout);
    } else if (now >= self->last_activity_ + timeout) {
      self->on_idle_timeout();
    } else {
      self->arm_idle_timer(self->last_activity_ + timeout);
    }
  });
}

}  // namespace runnel::net
