// Capacity and monitoring: UpdateShardCount, UpdateStreamMode,
// UpdateMaxRecordSize, UpdateStreamWarmThroughput,
// Enable/DisableEnhancedMonitoring, and the on-demand autoscaler's round.
// Policy and limits: docs/capacity.md.

#include <spdlog/spdlog.h>
#include <algorithm>
#include <array>
#include <mutex>

#include "streams/input.h"
#include "streams/kinesis_service.h"

namespace runnel::streams {

using protocol::Value;

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr size_t kShardCountUpdatesPerDay = 10;
constexpr size_t kModeSwitchesPerDay = 2;
constexpr int64_t kMaxShardsPerStream = 10000;
constexpr int64_t kMaxWarmThroughputMiBps = 10 * 1024;  // 10 GiB/s

// The shard-level metrics in the model's order, without "ALL".
constexpr std::array<std::string_view, 7> kShardLevelMetrics = {"IncomingBytes",
                                                                "IncomingRecords",
                                                                "OutgoingBytes",
                                                                "OutgoingRecords",
                                                                "WriteProvisionedThroughputExceeded",
                                                                "ReadProvisionedThroughputExceeded",
                                                                "IteratorAgeMilliseconds"};

// Drops the times older than 24 h before `now`.
void prune_day(std::vector<int64_t>& times, int64_t now) {
  std::erase_if(times, [&](int64_t t) { return t <= now - kDayMs; });
}

bool commitment_enabled(const Value& account_settings) {
  const Value* c = account_settings.find("MinimumThroughputBillingCommitment");
  const std::string* status = c ? input_string(*c, "Status") : nullptr;
  return status && *status != "DISABLED";
}

}  // namespace

protocol::ApiResult<api::UpdateShardCountOutput> KinesisService::update_shard_count(
    const api::UpdateShardCountInput& in, const Ctx& ctx) {
  if (in.scaling_type != api::ScalingType::kUniformScaling || in.target_shard_count < 1)
    return std::unexpected(
        protocol::validation_error("TargetShardCount (at least 1) and ScalingType UNIFORM_SCALING are required."));
  const int64_t target = in.target_shard_count;

  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  const std::string who =
      "UpdateShardCount failed for stream " + s.name + " under account " + options_.account_id + ".";
  if (s.mode == "ON_DEMAND")
    return std::unexpected(protocol::validation_error("Request is invalid. Stream " + s.name + " under account " +
                                                      options_.account_id + " is in On-Demand mode."));
  if (auto err = require_active(s)) return std::unexpected(*err);
  const int64_t current = static_cast<int64_t>(s.open_shard_count());
  // AWS's answers as kinesalite recorded them: the account's shard limit is
  // checked before the doubling and halving bounds, all three are
  // LimitExceededException, and the counts are the stream's open shards.
  const std::string counts =
      "Current open shard count: " + std::to_string(current) + ", Target shard count: " + std::to_string(target);
  const size_t open_now = account_open_shards_locked();
  if (target > current && open_now + static_cast<size_t>(target - current) > options_.shard_limit)
    return std::unexpected(
        protocol::limit_exceeded("Target shard count or number of open shards cannot be greater than " +
                                 std::to_string(options_.shard_limit) + ". " + counts));
  if (target > 2 * current)
    return std::unexpected(protocol::limit_exceeded(
        "UpdateShardCount cannot scale up over double your current open shard count. " + counts));
  if (2 * target < current)
    return std::unexpected(protocol::limit_exceeded(
        "UpdateShardCount cannot scale down below half your current open shard count. " + counts));
  if (target > kMaxShardsPerStream)
    return std::unexpected(protocol::invalid_argument(who + " Target shard count " + std::to_string(target) +
                                                      " is more than the limit of 10000 shards per stream."));
  const int64_t now = now_ms();
  prune_day(s.shard_count_updates_ms, now);
  if (s.shard_count_updates_ms.size() >= kShardCountUpdatesPerDay)
    return std::unexpected(
        protocol::limit_exceeded(who + " The stream has been scaled 10 times in the last 24 hours, the most allowed."));

  if (target != current) {
    s.shard_count_updates_ms.push_back(now);
    auto done = reshard_uniform_locked(s, static_cast<uint32_t>(target));
    if (!done) {
      s.shard_count_updates_ms.pop_back();
      return std::unexpected(done.error());
    }
  }
  api::UpdateShardCountOutput out;
  out.stream_name = s.name;
  out.current_shard_count = static_cast<int32_t>(current);
  out.target_shard_count = static_cast<int32_t>(target);
  out.stream_arn = stream_arn(s);
  return out;
}

protocol::ApiResult<NoOutput> KinesisService::update_stream_mode(const api::UpdateStreamModeInput& in, const Ctx& ctx) {
  const std::string* mode = &in.stream_mode_details.stream_mode;
  if (*mode != api::StreamMode::kProvisioned && *mode != api::StreamMode::kOnDemand)
    return std::unexpected(protocol::validation_error("StreamARN and StreamModeDetails are required."));
  const std::optional<int32_t>& warm = in.warm_throughput_mi_bps;

  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  const std::string stream_words = "Stream " + s.name + " under account " + options_.account_id;
  if (auto err = require_active(s)) return std::unexpected(*err);
  if (s.mode == *mode)
    return std::unexpected(protocol::invalid_argument(stream_words + " is already in " + *mode + " mode."));
  if (warm && *mode != "ON_DEMAND")
    return std::unexpected(protocol::invalid_argument(
        "WarmThroughputMiBps is only valid when the stream mode is being updated to ON_DEMAND."));
  if (warm && !commitment_enabled(account_settings_))
    return std::unexpected(protocol::invalid_argument(
        "Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account " + options_.account_id +
        "."));
  if (warm && *warm > kMaxWarmThroughputMiBps)
    return std::unexpected(protocol::invalid_argument("WarmThroughputMiBps " + std::to_string(*warm) +
                                                      " is more than the maximum of 10240."));
  const int64_t now = now_ms();
  prune_day(s.mode_switches_ms, now);
  if (s.mode_switches_ms.size() >= kModeSwitchesPerDay)
    return std::unexpected(protocol::limit_exceeded(
        stream_words + " has switched its capacity mode twice in the last 24 hours, the most allowed."));
  if (*mode == "ON_DEMAND") {
    size_t on_demand = 0;
    for (const auto& [_, other] : streams_) on_demand += other.mode == "ON_DEMAND";
    if (on_demand >= options_.on_demand_stream_limit)
      return std::unexpected(protocol::limit_exceeded(
          "This request would exceed the limit on on-demand streams for the account " + options_.account_id +
          ". Limit: " + std::to_string(options_.on_demand_stream_limit) + "."));
  }
  StreamState next = s;
  next.mode = *mode;
  next.mode_switches_ms.push_back(now);
  if (*mode == "PROVISIONED") next.warm_throughput_mibps.reset();
  if (warm) next.warm_throughput_mibps = static_cast<int32_t>(*warm);
  if (auto err = commit_update_locked(s, std::move(next), now, options_.update_stream_ms > 0))
    return std::unexpected(*err);
  return NoOutput{};
}

protocol::ApiResult<NoOutput> KinesisService::update_max_record_size(const api::UpdateMaxRecordSizeInput& in,
                                                                     const Ctx& ctx) {
  const std::optional<int64_t> kib = in.max_record_size_in_ki_b;
  if (!kib || *kib < 1024 || *kib > 10240)
    return std::unexpected(protocol::invalid_argument("MaxRecordSizeInKiB must be between 1024 and 10240."));
  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (auto err = require_active(s)) return std::unexpected(*err);
  StreamState next = s;
  next.max_record_kib = static_cast<int32_t>(*kib);
  if (Status st = persist_locked(next); !st) return std::unexpected(protocol::internal_failure());
  s = std::move(next);
  attach_metrics_locked(s);
  return NoOutput{};
}

protocol::ApiResult<api::UpdateStreamWarmThroughputOutput> KinesisService::update_stream_warm_throughput(
    const api::UpdateStreamWarmThroughputInput& in, const Ctx& ctx) {
  const std::optional<int64_t> mibps = in.warm_throughput_mi_bps;
  if (!mibps || *mibps < 0) return std::unexpected(protocol::validation_error("WarmThroughputMiBps is required."));
  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (s.mode != "ON_DEMAND")
    return std::unexpected(protocol::validation_error("Request is invalid. Stream " + s.name + " under account " +
                                                      options_.account_id + " is in Provisioned mode."));
  if (!commitment_enabled(account_settings_))
    return std::unexpected(protocol::invalid_argument(
        "Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account " + options_.account_id +
        "."));
  if (*mibps > kMaxWarmThroughputMiBps)
    return std::unexpected(protocol::invalid_argument("WarmThroughputMiBps " + std::to_string(*mibps) +
                                                      " is more than the maximum of 10240."));
  if (auto err = require_active(s)) return std::unexpected(*err);
  const int64_t now = now_ms();
  StreamState next = s;
  next.warm_throughput_mibps = static_cast<int32_t>(*mibps);
  if (auto err = commit_update_locked(s, std::move(next), now, options_.update_stream_ms > 0))
    return std::unexpected(*err);
  api::UpdateStreamWarmThroughputOutput out;
  out.stream_arn = stream_arn(s);
  out.stream_name = s.name;
  out.warm_throughput = api::WarmThroughputObject{
      .target_mi_bps = *s.warm_throughput_mibps,
      .current_mi_bps = static_cast<int32_t>(s.open_shard_count())};  // 1 MiB/s per open shard
  return out;
}

protocol::ApiResult<api::EnhancedMonitoringOutput> KinesisService::enable_enhanced_monitoring(
    const api::EnableEnhancedMonitoringInput& in, const Ctx& ctx) {
  return change_enhanced_monitoring(stream_ref(in), in.shard_level_metrics, ctx, true);
}

protocol::ApiResult<api::EnhancedMonitoringOutput> KinesisService::disable_enhanced_monitoring(
    const api::DisableEnhancedMonitoringInput& in, const Ctx& ctx) {
  return change_enhanced_monitoring(stream_ref(in), in.shard_level_metrics, ctx, false);
}

protocol::ApiResult<api::EnhancedMonitoringOutput> KinesisService::change_enhanced_monitoring(
    StreamRef ref, const std::vector<std::string>& list, const Ctx& ctx, bool enable) {
  if (list.empty()) return std::unexpected(protocol::validation_error("ShardLevelMetrics is required."));
  std::vector<std::string_view> named;
  bool all = false;
  for (const std::string& name : list) {
    if (name == "ALL") {
      all = true;
      continue;
    }
    auto it = std::find(kShardLevelMetrics.begin(), kShardLevelMetrics.end(), name);
    if (it == kShardLevelMetrics.end())
      return std::unexpected(protocol::invalid_argument("Invalid shard-level metric " + name + "."));
    named.push_back(*it);
  }

  WriterLock lock(mu_);
  auto found = find_stream_locked(ref, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (auto err = require_active(s)) return std::unexpected(*err);
  auto has = [](const std::vector<std::string>& v, std::string_view m) {
    return std::find(v.begin(), v.end(), m) != v.end();
  };
  // The desired set, kept in the model's order.
  std::vector<std::string> desired;
  for (std::string_view m : kShardLevelMetrics) {
    const bool named_here = all || std::find(named.begin(), named.end(), m) != named.end();
    const bool on =
        enable ? (has(s.shard_level_metrics, m) || named_here) : (has(s.shard_level_metrics, m) && !named_here);
    if (on) desired.emplace_back(m);
  }
  StreamState next = s;
  next.shard_level_metrics = desired;
  if (Status st = persist_locked(next); !st) return std::unexpected(protocol::internal_failure());
  api::EnhancedMonitoringOutput out;
  out.current_shard_level_metrics = s.shard_level_metrics;
  out.desired_shard_level_metrics = std::move(desired);
  s = std::move(next);
  attach_metrics_locked(s);
  out.stream_name = s.name;
  out.stream_arn = stream_arn(s);
  return out;
}

void KinesisService::autoscale_once() {
  advance_transitions();
  {
    ReaderLock peek(mu_);
    bool any = false;
    for (const auto& [_, s] : streams_) any = any || (s.mode == "ON_DEMAND" && s.status == StreamStatus::kActive);
    if (!any) return;
  }
  WriterLock lock(mu_);
  const int64_t now = now_ms();
  size_t open = account_open_shards_locked();
  std::vector<storage::ShardKey> live;
  for (auto& [name, s] : streams_) {
    const uint64_t headroom = options_.shard_limit > open ? options_.shard_limit - open : 0;
    for (const SplitDecision& d : scaler_.decide(s, now, headroom)) {
      auto done = split_locked(s, d.shard_index, d.new_starting_hash_key, false);
      if (!done) {
        spdlog::warn("on-demand scaling of stream {}: {}", name, done.error().message);
        break;
      }
      ++open;
      spdlog::info("on-demand scaling split shard {} of stream {}", d.shard_index, name);
    }
    for (const auto& sh : s.shards)
      if (sh.open()) live.push_back(sh.key);
  }
  scaler_.forget_except(live);
}

}  // namespace runnel::streams
