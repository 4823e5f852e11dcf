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

protocol::ApiResult<api::DescribeLimitsOutput> KinesisService::describe_limits(const api::DescribeLimitsInput&,
                                                                               const Ctx&) {
  ReaderLock lock(mu_);
  int64_t open = 0, on_demand = 0;
  for (const auto& [_, s] : streams_) {
    open += static_cast<int64_t>(s.open_shard_count());
    on_demand += s.mode == api::StreamMode::kOnDemand;
  }
  api::DescribeLimitsOutput out;
  out.shard_limit = static_cast<int32_t>(options_.shard_limit);
  out.open_shard_count = static_cast<int32_t>(open);
  out.on_demand_stream_count = static_cast<int32_t>(on_demand);
  out.on_demand_stream_count_limit = static_cast<int32_t>(options_.on_demand_stream_limit);
  return out;
}

protocol::ApiResult<api::DescribeAccountSettingsOutput> KinesisService::describe_account_settings(
    const api::DescribeAccountSettingsInput&, const Ctx&) {
  ReaderLock lock(mu_);
  // The stored document (docs/metadata.md) keeps its times as epoch ms.
  api::MinimumThroughputBillingCommitmentOutput commitment;
  commitment.status = "DISABLED";
  if (const Value* stored = account_settings_.find("MinimumThroughputBillingCommitment")) {
    const std::string* status = input_string(*stored, "Status");
    commitment.status = status ? *status : std::string();
    auto time = [&](std::string_view key) -> std::optional<Timestamp> {
      if (auto ms = input_int(*stored, key)) return Timestamp{*ms};
      return std::nullopt;
    };
    commitment.started_at = time("StartedAt");
    commitment.ended_at = time("EndedAt");
    commitment.earliest_allowed_end_at = time("EarliestAllowedEndAt");
  }
  api::DescribeAccountSettingsOutput out;
  out.minimum_throughput_billing_commitment = std::move(commitment);
  return out;
}

protocol::ApiResult<api::UpdateAccountSettingsOutput> KinesisService::update_account_settings(
    const api::UpdateAccountSettingsInput& in, const Ctx&) {
  const std::string& wanted = in.minimum_throughput_billing_commitment.status;
  const int64_t now = now_ms();
  {
    WriterLock lock(mu_);
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
  }
  auto now_set = describe_account_settings(api::DescribeAccountSettingsInput{}, Ctx{});
  if (!now_set) return std::unexpected(now_set.error());
  api::UpdateAccountSettingsOutput out;
  out.minimum_throughput_billing_commitment = std::move(now_set->minimum_throughput_billing_commitment);
  return out;
}

}  // namespace runnel::streams
