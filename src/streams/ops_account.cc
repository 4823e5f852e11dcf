// Account-level operations: DescribeLimits, DescribeAccountSettings,
// UpdateAccountSettings.

#include <mutex>

#include "protocol/json_codec.h"
#include "streams/input.h"
#include "streams/kinesis_service.h"

namespace runnel::streams {

using protocol::Object;
using protocol::Timestamp;
using protocol::Value;

namespace {
constexpr int64_t kCommitmentMinimumMs = 365LL * 24 * 3600 * 1000;  // AWS commits for at least a year
}

protocol::ApiResult<Value> KinesisService::describe_limits(const Value&, const Ctx&) {
  std::shared_lock lock(mu_);
  int64_t open = 0, on_demand = 0;
  for (const auto& [_, s] : streams_) {
    open += static_cast<int64_t>(s.open_shard_count());
    on_demand += s.mode == "ON_DEMAND";
  }
  Value out = Object{};
  out.set("ShardLimit", static_cast<int64_t>(options_.shard_limit));
  out.set("OpenShardCount", open);
  out.set("OnDemandStreamCount", on_demand);
  out.set("OnDemandStreamCountLimit", static_cast<int64_t>(options_.on_demand_stream_limit));
  return out;
}

protocol::ApiResult<Value> KinesisService::describe_account_settings(const Value&, const Ctx&) {
  std::shared_lock lock(mu_);
  Value out = Object{};
  Value commitment = Object{};
  commitment.set("Status", "DISABLED");
  if (const Value* stored = account_settings_.find("MinimumThroughputBillingCommitment")) {
    commitment = Object{};
    for (const auto& m : stored->as_object()) {
      if (m.value.is_int() && m.key != "Status")
        commitment.set(m.key, Timestamp{m.value.as_int()});
      else
        commitment.set(m.key, m.value);
    }
  }
  out.set("MinimumThroughputBillingCommitment", std::move(commitment));
  return out;
}

protocol::ApiResult<Value> KinesisService::update_account_settings(const Value& in, const Ctx&) {
  const std::string& wanted = *input_string(*in.find("MinimumThroughputBillingCommitment"), "Status");
  const int64_t now = now_ms();
  std::unique_lock lock(mu_);
  Value stored = Object{};
  if (const Value* cur = account_settings_.find("MinimumThroughputBillingCommitment")) stored = *cur;
  const std::string* status = input_string(stored, "Status");
  bool enabled = status && *status != "DISABLED";
  if (wanted == "ENABLED" && !enabled) {
    stored = Object{};
    stored.set("Status", "ENABLED");
    stored.set("StartedAt", now);
    stored.set("EarliestAllowedEndAt", now + kCommitmentMinimumMs);
  } else if (wanted == "DISABLED" && enabled) {
    int64_t earliest = input_int(stored, "EarliestAllowedEndAt").value_or(0);
    if (now < earliest) {
      stored.set("Status", "ENABLED_UNTIL_EARLIEST_ALLOWED_END");
      stored.set("EndedAt", earliest);
    } else {
      stored.set("Status", "DISABLED");
      stored.set("EndedAt", now);
    }
  }
  if (!input_string(stored, "Status")) stored.set("Status", "DISABLED");
  Value settings = Object{};
  settings.set("MinimumThroughputBillingCommitment", stored);
  if (Status st = metadata_.put("account", "settings", protocol::encode_json(settings)); !st)
    return std::unexpected(protocol::internal_failure());
  account_settings_ = std::move(settings);
  lock.unlock();
  return describe_account_settings(Value(Object{}), Ctx{});
}

}  // namespace runnel::streams
