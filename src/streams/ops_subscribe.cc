// SubscribeToShard: admits a subscription and hands it to FanOut, which
// pushes the records (see fanout.h for delivery, limits and exclusivity).

#include <mutex>

#include "streams/child_shards.h"
#include "streams/kinesis_service.h"
#include "streams/shard_id.h"
#include "streams/starting_position.h"
#include "streams/stream_metrics.h"

namespace runnel::streams {

namespace {

std::string shard_not_found(const std::string& shard_id, const std::string& stream, const std::string& account) {
  return "Shard " + shard_id + " in stream " + stream + " under account " + account + " does not exist";
}

}  // namespace

void KinesisService::subscribe_to_shard(api::SubscribeToShardInput& in, const Ctx& ctx,
                                        TypedReply<api::SubscribeToShardOutput> reply) {
  if (!ctx.events) return reply(std::unexpected(protocol::internal_failure()));
  const std::string& arn = in.consumer_arn;
  const std::string& shard_id = in.shard_id;
  const api::StartingPosition& start_in = in.starting_position;
  StartingPosition start;
  start.type = start_in.type;
  start.sequence_number = opt_ptr(start_in.sequence_number);
  if (start_in.timestamp) start.timestamp_ms = start_in.timestamp->millis;
  const int64_t now = now_ms();

  SubscriptionSpec spec;
  {
    ReaderLock lock(mu_);
    auto ref = find_consumer_by_arn_locked(arn, ctx);
    if (!ref) return reply(std::unexpected(ref.error()));
    const StreamState& s = *ref->stream;
    const Consumer& c = *ref->consumer;
    if (c.status != ConsumerStatus::kActive)
      return reply(std::unexpected(protocol::resource_in_use(
          "Consumer " + c.name + " with creation timestamp " + std::to_string(c.created_secs()) +
          " under stream: " + s.name + " , account " + options_.account_id + " is not in ACTIVE status.")));
    auto index = parse_shard_id(shard_id);
    const Shard* shard = index ? s.find_shard(*index) : nullptr;
    if (!shard || s.status == StreamStatus::kCreating)
      return reply(
          std::unexpected(protocol::resource_not_found(shard_not_found(shard_id, s.name, options_.account_id))));
    auto position = resolve_starting_position(log_, s, *shard, start, now, "SubscribeToShard", options_.account_id);
    if (!position) return reply(std::unexpected(position.error()));

    spec.metrics = c.metrics;
    spec.consumer_arn = arn;
    spec.consumer_label = options_.account_id + ":" + s.name + ":" + format_shard_id(shard->index) + ":" + c.name;
    spec.stream_uid = s.uid;
    spec.shard_index = shard->index;
    spec.shard_key = shard->key;
    spec.shard_created_secs = shard->created_secs();
    spec.position = *position;
    // The arrival time printed in a continuation number before any record
    // was sent; ordering within a shard does not depend on it.
    const storage::ShardTail tail = log_.tail(shard->key);
    spec.before_arrival_secs = *position > tail.last_counter ? tail.last_arrival_ms / 1000 : shard->created_secs();
  }
  spec.out = ctx.events;
  const std::shared_ptr<const ConsumerMetrics> metrics = spec.metrics;
  auto admitted = fanout_->subscribe(std::move(spec));
  if (metrics) {
    // Refused for a subscription of the same consumer and shard within
    // AWS's back-off window: RateExceeded.
    if (!admitted && admitted.error().type == "ResourceInUseException")
      metrics->record(ConsumerMetric::kSubscribeRateExceeded, 1);
    metrics->record(ConsumerMetric::kSubscribeSuccess, admitted ? 1 : 0);
  }
  if (!admitted) return reply(std::unexpected(admitted.error()));
  // From here on FanOut owns the response; `reply` is not used.
}

protocol::ApiResult<ShardView> KinesisService::subscription_view(const SubscriptionSpec& spec) {
  ReaderLock lock(mu_);
  StreamState* s = find_stream_by_uid_locked(spec.stream_uid);
  if (!s || s->status == StreamStatus::kDeleting)
    return std::unexpected(protocol::resource_not_found(
        s ? not_found_message(s->name) : "The stream of consumer " + spec.consumer_arn + " no longer exists."));
  auto ref = find_consumer_by_arn_locked(spec.consumer_arn, Ctx{});
  if (!ref || ref->consumer->status == ConsumerStatus::kDeleting)
    return std::unexpected(protocol::resource_not_found("Consumer " + spec.consumer_arn + " under account " +
                                                        options_.account_id + " not found."));
  const Shard* shard = s->find_shard(spec.shard_index);
  if (!shard)
    return std::unexpected(
        protocol::resource_not_found(shard_not_found(format_shard_id(spec.shard_index), s->name, options_.account_id)));
  ShardView v;
  v.key = shard->key;
  v.index = shard->index;
  v.created_secs = shard->created_secs();
  v.open = shard->open();
  v.ending_counter = v.open ? 0 : closed_shard_end(log_, *shard);
  v.horizon_ms = s->trim_horizon_ms(now_ms());
  v.cipher = &cipher_;
  v.metrics = shard->metrics;
  if (!v.open) v.child_shards = child_shards_value(child_shards(*s, *shard));
  return v;
}

}  // namespace runnel::streams
