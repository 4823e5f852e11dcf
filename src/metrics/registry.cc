#include "metrics/registry.h"

#include <algorithm>
#include <functional>

#include "metrics/registry_shared.h"

namespace runnel::metrics {

size_t Registry::Hash::operator()(const Lookup& k) const noexcept {
  return std::hash<std::string_view>()(k.key) * 31 + static_cast<size_t>(k.unit);
}

Registry::Registry(Clock clock) : shared_(std::make_shared<detail::RegistryShared>(std::move(clock))) {}

Registry::~Registry() {
  MutexLock lock(shared_->mu);
  shared_->closed = true;
  shared_->dirty.clear();
}

std::shared_ptr<Series> Registry::series(const MetricId& id, Unit unit, const SeriesOptions& options) {
  std::string key = id.key();
  MutexLock lock(mu_);
  auto it = series_.find(Lookup{key, unit});
  if (it != series_.end()) {
    if (options.high_resolution) (*it)->set_high_resolution();
    return *it;
  }
  auto s = std::make_shared<Series>(Series::Token{}, shared_, std::move(key), unit, options);
  series_.insert(s);
  return s;
}

std::shared_ptr<Series> Registry::find(const MetricId& id, Unit unit) const {
  std::string key = id.key();
  MutexLock lock(mu_);
  auto it = series_.find(Lookup{key, unit});
  return it == series_.end() ? nullptr : *it;
}

void Registry::drop(const std::shared_ptr<Series>& series) {
  if (!series) return;
  {
    // Unflushed values stay in the series, which the dirty list keeps alive
    // until the flusher has taken them.
    MutexLock lock(series->mu_);
    series->dropped_ = true;
  }
  MutexLock lock(mu_);
  auto it = series_.find(Lookup{series->key(), series->unit()});
  if (it != series_.end() && *it == series) series_.erase(it);
}

size_t Registry::size() const {
  MutexLock lock(mu_);
  return series_.size();
}

size_t Registry::evict_unreferenced() {
  MutexLock lock(mu_);
  // Under mu_ nobody can get a new handle from the map, so a use count of 1
  // (the map's own) stays 1 while we look.
  return std::erase_if(series_, [](const std::shared_ptr<Series>& s) {
    if (s.use_count() != 1 || s->prometheus()) return false;
    MutexLock series_lock(s->mu_);
    return s->pending_.empty() && !s->queued_;
  });
}

TimePoint Registry::now() const { return shared_->clock(); }
const Clock& Registry::clock() const { return shared_->clock; }

std::vector<Registry::Delta> Registry::take_deltas() {
  std::vector<std::shared_ptr<Series>> dirty;
  {
    MutexLock lock(shared_->mu);
    dirty.swap(shared_->dirty);
  }
  std::vector<Delta> out;
  out.reserve(dirty.size());
  for (auto& s : dirty) {
    auto slots = s->take_pending();
    if (!slots.empty()) out.push_back(Delta{std::move(s), std::move(slots)});
  }
  return out;
}

void Registry::restore_deltas(std::vector<Delta> deltas) {
  for (auto& d : deltas) d.series->restore_pending(std::move(d.slots));
}

std::vector<std::shared_ptr<Series>> Registry::prometheus_series() const {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<Series>> out;
  for (const auto& s : series_) {
    if (s->prometheus()) out.push_back(s);
  }
  return out;
}

int Registry::add_gauge(GaugeCallback gauge) {
  MutexLock lock(mu_);
  int id = next_gauge_++;
  gauges_.emplace_back(id, std::move(gauge));
  return id;
}

void Registry::remove_gauge(int id) {
  MutexLock lock(mu_);
  std::erase_if(gauges_, [id](const auto& g) { return g.first == id; });
}

std::vector<GaugeCallback> Registry::gauges() const {
  MutexLock lock(mu_);
  std::vector<GaugeCallback> out;
  out.reserve(gauges_.size());
  for (const auto& [id, g] : gauges_) out.push_back(g);
  return out;
}

}  // namespace runnel::metrics
