// StartDeliveryStreamEncryption, StopDeliveryStreamEncryption.
#include <spdlog/spdlog.h>

#include "firehose/firehose_service.h"
#include "firehose/validation.h"

namespace runnel::firehose {

namespace {
constexpr int64_t kDayMs = 24 * 3600 * 1000;
constexpr std::string_view kNotOnKinesisSource =
    "This operation is not permitted on KinesisStreamAsSource delivery stream type.";
}  // namespace

protocol::ApiResult<protocol::NoOutput> FirehoseService::start_encryption(
    const api::StartDeliveryStreamEncryptionInput& in, const Ctx& ctx) {
  if (auto e = rate_limit("StartDeliveryStreamEncryption", ctx)) return std::unexpected(*e);
  return change_encryption(in.delivery_stream_name, in.delivery_stream_encryption_configuration_input, true, ctx);
}

protocol::ApiResult<protocol::NoOutput> FirehoseService::stop_encryption(
    const api::StopDeliveryStreamEncryptionInput& in, const Ctx& ctx) {
  if (auto e = rate_limit("StopDeliveryStreamEncryption", ctx)) return std::unexpected(*e);
  return change_encryption(in.delivery_stream_name, std::nullopt, false, ctx);
}

protocol::ApiResult<protocol::NoOutput> FirehoseService::change_encryption(
    const std::string& name, const std::optional<api::DeliveryStreamEncryptionConfigurationInput>& in, bool enable,
    const Ctx& ctx) {
  api::DeliveryStreamEncryptionConfigurationInput key;
  key.key_type = "AWS_OWNED_CMK";
  if (in) key = *in;
  if (enable) {
    if (auto e = check_encryption_input(key)) return std::unexpected(*e);
  }
  uint64_t inc = 0;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(name);
    if (!s) return std::unexpected(not_found(name, ctx));
    auto& d = s->spec.description;
    if (d.delivery_stream_type != "DirectPut") {
      return std::unexpected(protocol::invalid_argument(std::string(kNotOnKinesisSource)));
    }
    if (d.delivery_stream_status != "ACTIVE") {
      return std::unexpected(protocol::resource_in_use("Firehose " + name + " is in " + d.delivery_stream_status +
                                                       " state; encryption can be changed only while ACTIVE."));
    }
    auto& enc = d.delivery_stream_encryption_configuration;
    if (!enc) enc.emplace();
    const std::string status = enc->status.value_or("DISABLED");
    if (status == "ENABLING" || status == "DISABLING") {
      return std::unexpected(protocol::resource_in_use("Firehose " + name + " encryption is " + status +
                                                       "; wait until it is ENABLED or DISABLED."));
    }
    // Start and Stop share AWS's limit of 25 calls per stream per 24 hours.
    const int64_t now = now_ms();
    while (!s->encryption_calls.empty() && s->encryption_calls.front() <= now - kDayMs) {
      s->encryption_calls.pop_front();
    }
    if (s->encryption_calls.size() >= size_t(options_.encryption_calls_per_day)) {
      return std::unexpected(protocol::limit_exceeded(
          "StartDeliveryStreamEncryption and StopDeliveryStreamEncryption may be called at most " +
          std::to_string(options_.encryption_calls_per_day) + " times per delivery stream in 24 hours."));
    }
    s->encryption_calls.push_back(now);
    if (!enable && status == "DISABLED") {
      // Already off: nothing changes, but the call counts.
      if (Status st = persist_locked(*s); !st) spdlog::error("firehose: persisting {}: {}", name, st.to_string());
      return protocol::NoOutput{};
    }
    if (enable) {
      enc->key_type = key.key_type;
      enc->key_arn = key.key_arn;
      enc->status = "ENABLING";
    } else {
      enc->status = "DISABLING";
    }
    enc->failure_description.reset();
    if (Status st = persist_locked(*s); !st) {
      spdlog::error("firehose: persisting {}: {}", name, st.to_string());
      return std::unexpected(protocol::internal_failure());
    }
    inc = s->incarnation;
  }
  timers_.after(options_.encryption_transition_ms, [this, name, inc] { finish_encryption(name, inc); });
  return protocol::NoOutput{};
}

void FirehoseService::finish_encryption(const std::string& name, uint64_t incarnation) {
  std::optional<StreamSpec> configure;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(name);
    if (!s || s->incarnation != incarnation) return;
    auto& enc = s->spec.description.delivery_stream_encryption_configuration;
    if (!enc) return;
    if (enc->status == "ENABLING") {
      enc->status = "ENABLED";
    } else if (enc->status == "DISABLING") {
      enc->status = "DISABLED";
      enc->key_arn.reset();
      enc->key_type.reset();
    } else {
      return;
    }
    if (Status st = persist_locked(*s); !st) spdlog::error("firehose: persisting {}: {}", name, st.to_string());
    if (s->spec.description.delivery_stream_status == "ACTIVE") configure = s->spec;
  }
  if (configure) engine_.configure(*configure);
}

}  // namespace runnel::firehose
