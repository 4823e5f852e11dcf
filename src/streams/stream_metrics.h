#pragma once
// The CloudWatch metrics Data Streams publishes (namespace AWS/Kinesis), as
// handles into metrics::Registry made once per stream, consumer and shard
// (docs/kinesis-metrics.md says what each records and when).
//
// The handles live with the state they measure: StreamState::metrics,
// Consumer::metrics, Shard::metrics. They are made and replaced only under
// KinesisService::mu_ held exclusively (create, load, register, resharding,
// Enable/DisableEnhancedMonitoring), and are immutable once made: a reader
// copies the shared_ptr under mu_ (shared) and records through it later on
// any thread (Series::record takes only the series' own mutex).
//
// Lock order: KinesisService::mu_, then the registry's mutex (series(),
// drop()), then a series' mutex. Recording never takes the registry's mutex.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"

namespace runnel::streams {

inline constexpr std::string_view kKinesisNamespace = "AWS/Kinesis";

// Stream level, dimension StreamName: published for every stream.
enum class StreamMetric : uint8_t {
  kIncomingBytes,
  kIncomingRecords,
  kPutRecordBytes,
  kPutRecordLatency,
  kPutRecordSuccess,
  kPutRecordsBytes,
  kPutRecordsLatency,
  kPutRecordsRecords,
  kPutRecordsSuccess,
  kPutRecordsSuccessfulRecords,
  kPutRecordsFailedRecords,
  kPutRecordsThrottledRecords,
  kPutRecordsTotalRecords,
  kGetRecordsBytes,
  kGetRecordsIteratorAge,
  kGetRecordsLatency,
  kGetRecordsRecords,
  kGetRecordsSuccess,
  kReadThrottled,
  kWriteThrottled,
  kCount,
};
// Dimensions StreamName and ConsumerName: per registered consumer.
enum class ConsumerMetric : uint8_t {
  kSubscribeRateExceeded,
  kSubscribeSuccess,
  kEventBytes,
  kEventMillisBehindLatest,
  kEventRecords,
  kEventSuccess,
  kCount,
};
// Dimensions StreamName and ShardId: only those EnableEnhancedMonitoring
// turned on for the stream. Bit i of a mask is ShardMetric i.
enum class ShardMetric : uint8_t {
  kIncomingBytes,
  kIncomingRecords,
  kIteratorAge,
  kOutgoingBytes,
  kOutgoingRecords,
  kReadThrottled,
  kWriteThrottled,
  kCount,
};

// AWS's name of each metric (the CloudWatch MetricName).
std::string_view metric_name(StreamMetric m);
std::string_view metric_name(ConsumerMetric m);
std::string_view metric_name(ShardMetric m);
// The mask of a stream's ShardLevelMetrics setting (AWS's names; "ALL" is
// every one). Unknown names are ignored.
uint8_t shard_metric_mask(const std::vector<std::string>& names);

// A fixed set of series handles indexed by an enum; a null handle records
// nothing (a shard-level metric that is not enabled).
template <class E>
class MetricSet {
 public:
  void record(E m, double value, double count = 1) const {
    if (const auto& s = series_[static_cast<size_t>(m)]) s->record(value, count);
  }
  void record_statistics(E m, const metrics::StatisticSet& set) const {
    if (const auto& s = series_[static_cast<size_t>(m)]) s->record_statistics(set);
  }
  bool has(E m) const { return series_[static_cast<size_t>(m)] != nullptr; }
  const std::shared_ptr<metrics::Series>& series(E m) const { return series_[static_cast<size_t>(m)]; }
  // Registry::drop of every handle (the stream or consumer is gone).
  void drop(metrics::Registry& registry) const;

 protected:
  std::array<std::shared_ptr<metrics::Series>, static_cast<size_t>(E::kCount)> series_;
};

class StreamMetrics : public MetricSet<StreamMetric> {
 public:
  static std::shared_ptr<const StreamMetrics> make(metrics::Registry& registry, const std::string& stream);
};

class ConsumerMetrics : public MetricSet<ConsumerMetric> {
 public:
  static std::shared_ptr<const ConsumerMetrics> make(metrics::Registry& registry, const std::string& stream,
                                                     const std::string& consumer);
};

class ShardMetrics : public MetricSet<ShardMetric> {
 public:
  // The series of `mask` for shard `shard_index` of `stream`. Handles of
  // `previous` whose metric stays on are kept (same series); those whose
  // metric went off are dropped from the registry. Null when `mask` is 0.
  static std::shared_ptr<const ShardMetrics> make(metrics::Registry& registry, const std::string& stream,
                                                  uint32_t shard_index, uint8_t mask, const ShardMetrics* previous);
  uint8_t mask() const { return mask_; }

 private:
  uint8_t mask_ = 0;
};

}  // namespace runnel::streams
