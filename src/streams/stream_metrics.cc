// The AWS/Kinesis metric table: CloudWatch name, unit and Prometheus family
// of every metric Data Streams publishes (docs/kinesis-metrics.md).

#include "streams/stream_metrics.h"

#include <algorithm>

#include "streams/shard_id.h"

namespace runnel::streams {

namespace {

using metrics::PrometheusDescriptor;
using metrics::PrometheusKind;
using metrics::Unit;

struct Spec {
  std::string_view name;  // CloudWatch MetricName
  Unit unit;
  std::string_view family;  // Prometheus family (a counter gets _total)
  PrometheusKind kind;
  std::string_view help;
};

constexpr auto kCounter = PrometheusKind::kCounter;
constexpr auto kGauge = PrometheusKind::kGauge;
constexpr auto kHistogram = PrometheusKind::kHistogram;

constexpr std::array<Spec, static_cast<size_t>(StreamMetric::kCount)> kStreamSpecs = {{
    {"IncomingBytes", Unit::kBytes, "runnel_kinesis_incoming_bytes", kCounter, "Bytes successfully put to the stream."},
    {"IncomingRecords", Unit::kCount, "runnel_kinesis_incoming_records", kCounter,
     "Records successfully put to the stream."},
    {"PutRecord.Bytes", Unit::kBytes, "runnel_kinesis_put_record_bytes", kCounter, "Bytes put with PutRecord."},
    {"PutRecord.Latency", Unit::kMilliseconds, "runnel_kinesis_put_record_latency_milliseconds", kHistogram,
     "PutRecord latency, arrival to durable answer."},
    {"PutRecord.Success", Unit::kCount, "runnel_kinesis_put_record_success", kCounter,
     "Successful PutRecord operations."},
    {"PutRecords.Bytes", Unit::kBytes, "runnel_kinesis_put_records_bytes", kCounter, "Bytes put with PutRecords."},
    {"PutRecords.Latency", Unit::kMilliseconds, "runnel_kinesis_put_records_latency_milliseconds", kHistogram,
     "PutRecords latency, arrival to durable answer."},
    {"PutRecords.Records", Unit::kCount, "runnel_kinesis_put_records_records", kCounter,
     "Records put with PutRecords (deprecated: SuccessfulRecords)."},
    {"PutRecords.Success", Unit::kCount, "runnel_kinesis_put_records_success", kCounter,
     "PutRecords operations with at least one record put."},
    {"PutRecords.SuccessfulRecords", Unit::kCount, "runnel_kinesis_put_records_successful_records", kCounter,
     "PutRecords entries put."},
    {"PutRecords.FailedRecords", Unit::kCount, "runnel_kinesis_put_records_failed_records", kCounter,
     "PutRecords entries failed for an internal error."},
    {"PutRecords.ThrottledRecords", Unit::kCount, "runnel_kinesis_put_records_throttled_records", kCounter,
     "PutRecords entries throttled."},
    {"PutRecords.TotalRecords", Unit::kCount, "runnel_kinesis_put_records_total_records", kCounter,
     "PutRecords entries sent."},
    {"GetRecords.Bytes", Unit::kBytes, "runnel_kinesis_get_records_bytes", kCounter, "Bytes returned by GetRecords."},
    {"GetRecords.IteratorAgeMilliseconds", Unit::kMilliseconds, "runnel_kinesis_get_records_iterator_age_milliseconds",
     kGauge, "Age of the last record returned by the last GetRecords."},
    {"GetRecords.Latency", Unit::kMilliseconds, "runnel_kinesis_get_records_latency_milliseconds", kHistogram,
     "GetRecords latency."},
    {"GetRecords.Records", Unit::kCount, "runnel_kinesis_get_records_records", kCounter,
     "Records returned by GetRecords."},
    {"GetRecords.Success", Unit::kCount, "runnel_kinesis_get_records_success", kCounter,
     "Successful GetRecords operations."},
    {"ReadProvisionedThroughputExceeded", Unit::kCount, "runnel_kinesis_read_provisioned_throughput_exceeded", kCounter,
     "GetRecords calls throttled."},
    {"WriteProvisionedThroughputExceeded", Unit::kCount, "runnel_kinesis_write_provisioned_throughput_exceeded",
     kCounter, "Records refused for the write limits."},
}};

constexpr std::array<Spec, static_cast<size_t>(ConsumerMetric::kCount)> kConsumerSpecs = {{
    {"SubscribeToShard.RateExceeded", Unit::kCount, "runnel_kinesis_subscribe_to_shard_rate_exceeded", kCounter,
     "SubscribeToShard calls refused for an active subscription."},
    {"SubscribeToShard.Success", Unit::kCount, "runnel_kinesis_subscribe_to_shard_success", kCounter,
     "Subscriptions established."},
    {"SubscribeToShardEvent.Bytes", Unit::kBytes, "runnel_kinesis_subscribe_to_shard_event_bytes", kCounter,
     "Bytes pushed in SubscribeToShard events."},
    {"SubscribeToShardEvent.MillisBehindLatest", Unit::kMilliseconds,
     "runnel_kinesis_subscribe_to_shard_event_millis_behind_latest", kGauge, "MillisBehindLatest of the last event."},
    {"SubscribeToShardEvent.Records", Unit::kCount, "runnel_kinesis_subscribe_to_shard_event_records", kCounter,
     "Records pushed in SubscribeToShard events."},
    {"SubscribeToShardEvent.Success", Unit::kCount, "runnel_kinesis_subscribe_to_shard_event_success", kCounter,
     "SubscribeToShard events published."},
}};

constexpr std::array<Spec, static_cast<size_t>(ShardMetric::kCount)> kShardSpecs = {{
    {"IncomingBytes", Unit::kBytes, "runnel_kinesis_shard_incoming_bytes", kCounter,
     "Bytes successfully put to the shard."},
    {"IncomingRecords", Unit::kCount, "runnel_kinesis_shard_incoming_records", kCounter,
     "Records successfully put to the shard."},
    {"IteratorAgeMilliseconds", Unit::kMilliseconds, "runnel_kinesis_shard_iterator_age_milliseconds", kGauge,
     "Age of the last record returned by the last GetRecords on the shard."},
    {"OutgoingBytes", Unit::kBytes, "runnel_kinesis_shard_outgoing_bytes", kCounter,
     "Bytes read from the shard (GetRecords and SubscribeToShard events)."},
    {"OutgoingRecords", Unit::kCount, "runnel_kinesis_shard_outgoing_records", kCounter,
     "Records read from the shard (GetRecords and SubscribeToShard events)."},
    {"ReadProvisionedThroughputExceeded", Unit::kCount, "runnel_kinesis_shard_read_provisioned_throughput_exceeded",
     kCounter, "GetRecords calls on the shard throttled."},
    {"WriteProvisionedThroughputExceeded", Unit::kCount, "runnel_kinesis_shard_write_provisioned_throughput_exceeded",
     kCounter, "Records refused for the shard's write limits."},
}};

// One shared descriptor per family, made on first use.
template <size_t N>
std::array<std::shared_ptr<const PrometheusDescriptor>, N> descriptors(
    const std::array<Spec, N>& specs, std::vector<std::pair<std::string, std::string>> labels) {
  std::array<std::shared_ptr<const PrometheusDescriptor>, N> out;
  for (size_t i = 0; i < N; ++i) {
    auto d = std::make_shared<PrometheusDescriptor>();
    d->name = specs[i].family;
    d->help = specs[i].help;
    d->kind = specs[i].kind;
    d->labels = labels;
    if (d->kind == kHistogram) d->bounds = metrics::millisecond_bounds();
    out[i] = std::move(d);
  }
  return out;
}

const auto& stream_descriptors() {
  static const auto d = descriptors(kStreamSpecs, {{"StreamName", "stream"}});
  return d;
}
const auto& consumer_descriptors() {
  static const auto d = descriptors(kConsumerSpecs, {{"StreamName", "stream"}, {"ConsumerName", "consumer"}});
  return d;
}
const auto& shard_descriptors() {
  static const auto d = descriptors(kShardSpecs, {{"StreamName", "stream"}, {"ShardId", "shard"}});
  return d;
}

std::shared_ptr<metrics::Series> make_series(metrics::Registry& registry, const Spec& spec,
                                             std::vector<metrics::Dimension> dims,
                                             std::shared_ptr<const PrometheusDescriptor> descriptor) {
  auto id = metrics::MetricId::make(std::string(kKinesisNamespace), std::string(spec.name), std::move(dims));
  // Names are never empty and there are at most two dimensions.
  if (!id) return nullptr;
  return registry.series(*id, spec.unit, metrics::SeriesOptions{false, std::move(descriptor)});
}

}  // namespace

std::string_view metric_name(StreamMetric m) { return kStreamSpecs[static_cast<size_t>(m)].name; }
std::string_view metric_name(ConsumerMetric m) { return kConsumerSpecs[static_cast<size_t>(m)].name; }
std::string_view metric_name(ShardMetric m) { return kShardSpecs[static_cast<size_t>(m)].name; }

uint8_t shard_metric_mask(const std::vector<std::string>& names) {
  uint8_t mask = 0;
  for (const auto& n : names) {
    if (n == "ALL") return (1u << static_cast<size_t>(ShardMetric::kCount)) - 1;
    for (size_t i = 0; i < kShardSpecs.size(); ++i)
      if (kShardSpecs[i].name == n) mask |= uint8_t(1u << i);
  }
  return mask;
}

template <class E>
void MetricSet<E>::drop(metrics::Registry& registry) const {
  for (const auto& s : series_)
    if (s) registry.drop(s);
}
template class MetricSet<StreamMetric>;
template class MetricSet<ConsumerMetric>;
template class MetricSet<ShardMetric>;

std::shared_ptr<const StreamMetrics> StreamMetrics::make(metrics::Registry& registry, const std::string& stream) {
  auto m = std::make_shared<StreamMetrics>();
  for (size_t i = 0; i < kStreamSpecs.size(); ++i)
    m->series_[i] = make_series(registry, kStreamSpecs[i], {{"StreamName", stream}}, stream_descriptors()[i]);
  return m;
}

std::shared_ptr<const ConsumerMetrics> ConsumerMetrics::make(metrics::Registry& registry, const std::string& stream,
                                                             const std::string& consumer) {
  auto m = std::make_shared<ConsumerMetrics>();
  for (size_t i = 0; i < kConsumerSpecs.size(); ++i)
    m->series_[i] = make_series(registry, kConsumerSpecs[i], {{"StreamName", stream}, {"ConsumerName", consumer}},
                                consumer_descriptors()[i]);
  return m;
}

std::shared_ptr<const ShardMetrics> ShardMetrics::make(metrics::Registry& registry, const std::string& stream,
                                                       uint32_t shard_index, uint8_t mask,
                                                       const ShardMetrics* previous) {
  std::shared_ptr<ShardMetrics> m = mask ? std::make_shared<ShardMetrics>() : nullptr;
  if (m) m->mask_ = mask;
  for (size_t i = 0; i < kShardSpecs.size(); ++i) {
    const bool on = mask & (1u << i);
    const std::shared_ptr<metrics::Series>* old = previous ? &previous->series_[i] : nullptr;
    if (on) {
      m->series_[i] = old && *old ? *old
                                  : make_series(registry, kShardSpecs[i],
                                                {{"StreamName", stream}, {"ShardId", format_shard_id(shard_index)}},
                                                shard_descriptors()[i]);
    } else if (old && *old) {
      registry.drop(*old);
    }
  }
  return m;
}

}  // namespace runnel::streams
