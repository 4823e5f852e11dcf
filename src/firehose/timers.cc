#include "firehose/timers.h"

#include <chrono>

namespace runnel::firehose {
namespace {
int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Timers::Timers() : thread_([this] { loop(); }) {}
Timers::~Timers() { stop(); }

void Timers::after(int64_t delay_ms, std::function<void()> fn) {
  MutexLock lock(mu_);
  if (stopping_) return;
  due_.emplace(steady_ms() + (delay_ms > 0 ? delay_ms : 0), std::move(fn));
  cv_.notify_all();
}

void Timers::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    due_.clear();
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Timers::loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      cv_.wait(mu_);
      continue;
    }
    int64_t now = steady_ms();
    auto first = due_.begin();
    if (first->first > now) {
      cv_.wait_until(mu_, std::chrono::steady_clock::now() + std::chrono::milliseconds(first->first - now));
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    due_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace runnel::firehose
