#include "metrics/series.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "metrics/registry_shared.h"

namespace runnel::metrics {

Clock system_clock() {
  // The coarse clock (a few ms of resolution, no syscall, no TSC read) is
  // enough to pick a value's second or minute, and halves record()'s cost.
  return [] {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                     std::chrono::nanoseconds(ts.tv_nsec)));
  };
}

int64_t unix_seconds(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count(); }

Series::Series(Token, std::shared_ptr<detail::RegistryShared> shared, std::string key, Unit unit, SeriesOptions options)
    : shared_(std::move(shared)),
      key_(std::move(key)),
      unit_(unit),
      prometheus_(std::move(options.prometheus)),
      high_resolution_(options.high_resolution) {
  if (prometheus_ && prometheus_->kind == PrometheusKind::kHistogram) {
    buckets_ = std::make_unique<uint64_t[]>(prometheus_->bounds.size() + 1);
  }
}

MetricId Series::id() const {
  auto id = MetricId::from_key(key_);
  return id ? std::move(*id) : MetricId();
}

bool Series::high_resolution() const {
  MutexLock lock(mu_);
  return high_resolution_;
}

void Series::set_high_resolution() {
  MutexLock lock(mu_);
  high_resolution_ = true;
}

bool Series::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

Aggregate& Series::slot_for(int64_t start, bool high_resolution) {
  // Nearly always the newest slot; late or back-dated values search the few
  // others.
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->start == start && it->high_resolution == high_resolution) return it->aggregate;
  }
  pending_.push_back(PendingSlot{start, high_resolution, {}});
  return pending_.back().aggregate;
}

void Series::mark_dirty() {
  if (queued_) return;
  MutexLock lock(shared_->mu);
  if (shared_->closed) return;
  shared_->dirty.push_back(shared_from_this());
  queued_ = true;
}

void Series::update_totals(double value, double count) {
  total_count_ += count;
  total_sum_ += value * count;
  last_ = value;
  if (buckets_) {
    const auto& bounds = prometheus_->bounds;
    size_t i = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
    buckets_[i] += static_cast<uint64_t>(std::max(1.0, std::round(count)));
  }
}

template <class F>
void Series::apply(TimePoint t, F&& f) {
  int64_t sec = unix_seconds(t);
  MutexLock lock(mu_);
  if (dropped_) return;
  int64_t res = high_resolution_ ? 1 : 60;
  int64_t start = sec - ((sec % res) + res) % res;
  f(slot_for(start, high_resolution_));
  mark_dirty();
}

void Series::record(double value, double count) { record_at(shared_->clock(), value, count); }

void Series::record_at(TimePoint t, double value, double count) {
  if (!std::isfinite(value) || !std::isfinite(count) || count <= 0) return;
  apply(t, [&](Aggregate& a) REQUIRES(mu_) {
    a.add(value, count);
    update_totals(value, count);
  });
}

void Series::record_statistics(const StatisticSet& s) { record_statistics_at(shared_->clock(), s); }

void Series::record_statistics_at(TimePoint t, const StatisticSet& s) {
  if (!std::isfinite(s.sample_count) || !std::isfinite(s.sum) || !std::isfinite(s.minimum) ||
      !std::isfinite(s.maximum) || s.sample_count <= 0) {
    return;
  }
  apply(t, [&](Aggregate& a) REQUIRES(mu_) {
    a.add(s);
    total_count_ += s.sample_count;
    total_sum_ += s.sum;
    last_ = s.maximum;
    if (buckets_) {
      // A statistic set has no distribution: its values count as its average.
      const auto& bounds = prometheus_->bounds;
      double avg = s.sum / s.sample_count;
      size_t i = std::lower_bound(bounds.begin(), bounds.end(), avg) - bounds.begin();
      buckets_[i] += static_cast<uint64_t>(std::max(1.0, std::round(s.sample_count)));
    }
  });
}

SeriesTotals Series::totals() const {
  MutexLock lock(mu_);
  SeriesTotals t{total_count_, total_sum_, last_, {}};
  if (buckets_) t.buckets.assign(buckets_.get(), buckets_.get() + prometheus_->bounds.size() + 1);
  return t;
}

std::vector<PendingSlot> Series::take_pending() {
  MutexLock lock(mu_);
  queued_ = false;
  std::vector<PendingSlot> out;
  out.swap(pending_);  // also frees the idle series' slot storage
  return out;
}

void Series::restore_pending(std::vector<PendingSlot> slots) {
  MutexLock lock(mu_);
  for (auto& s : slots) slot_for(s.start, s.high_resolution).merge(s.aggregate);
  if (!pending_.empty()) mark_dirty();
}

}  // namespace runnel::metrics
