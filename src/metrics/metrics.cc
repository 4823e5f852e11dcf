#include "metrics/metrics.h"

#include <spdlog/spdlog.h>

namespace runnel::metrics {

Result<std::unique_ptr<Metrics>> Metrics::open(MetricsOptions options) {
  StoreOptions so{options.path, options.clock, options.cache_kib};
  auto store = MetricStore::open(std::move(so));
  if (!store) return error(store.error());
  std::unique_ptr<Metrics> m(new Metrics(std::move(options), std::move(*store)));
  m->flusher_ = std::thread([p = m.get()] { p->run(); });
  return m;
}

Metrics::Metrics(MetricsOptions options, std::unique_ptr<MetricStore> store)
    : options_(std::move(options)), registry_(options_.clock), store_(std::move(store)) {
  last_retention_ = unix_seconds(options_.clock());  // open() just applied it
}

Metrics::~Metrics() { close(); }

Status Metrics::flush() {
  MutexLock lock(flush_mu_);
  auto deltas = registry_.take_deltas();
  Status s = store_->write(deltas);
  if (!s) registry_.restore_deltas(std::move(deltas));
  int64_t now = unix_seconds(options_.clock());
  if (now - last_retention_ >= options_.retention_interval_s) {
    last_retention_ = now;
    auto r = store_->apply_retention(options_.clock());
    if (!r) spdlog::warn("metrics: retention failed: {}", r.error().to_string());
    registry_.evict_unreferenced();
  }
  return s;
}

void Metrics::run() {
  MutexLock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(mu_, std::chrono::milliseconds(options_.flush_interval_ms),
                 [this]() REQUIRES(mu_) { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    if (Status s = flush(); !s) spdlog::warn("metrics: flush failed, retrying next interval: {}", s.to_string());
    lock.lock();
  }
}

void Metrics::close() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (Status s = flush(); !s) spdlog::warn("metrics: final flush failed: {}", s.to_string());
}

}  // namespace runnel::metrics
