// Resource policies: PutResourcePolicy, GetResourcePolicy,
// DeleteResourcePolicy on stream and consumer ARNs. A policy is checked to
// be an IAM-style JSON policy document (rules in docs/operations.md), then
// stored byte for byte in the stream's document (docs/metadata.md). runnel
// does not evaluate policies: every caller is allowed.

#include <mutex>

#include "protocol/json_codec.h"
#include "streams/input.h"
#include "streams/kinesis_service.h"

namespace runnel::streams {

using protocol::Object;
using protocol::Value;

namespace {

std::optional<std::string> check_statement(const Value& st, size_t n) {
  const std::string where = "Statement " + std::to_string(n);
  if (!st.is_object()) return where + " is not a JSON object.";
  const std::string* effect = input_string(st, "Effect");
  if (!effect || (*effect != "Allow" && *effect != "Deny")) return where + " needs an Effect of Allow or Deny.";
  if (!st.find("Action") && !st.find("NotAction")) return where + " needs an Action or NotAction.";
  if (!st.find("Principal") && !st.find("NotPrincipal"))
    return where + " needs a Principal or NotPrincipal (a resource-based policy names whom it applies to).";
  return std::nullopt;
}

}  // namespace

// Why `text` is not a policy document, or nullopt if it is one: a JSON
// object with an optional Version ("2012-10-17" or "2008-10-17") and a
// Statement that is one statement object or a non-empty array of them, each
// with Effect, Action/NotAction and Principal/NotPrincipal.
std::optional<std::string> policy_document_problem(std::string_view text) {
  auto doc = protocol::decode_json(text);
  if (!doc) return "the policy is not valid JSON.";
  if (!doc->is_object()) return "the policy is not a JSON object.";
  if (const Value* version = doc->find("Version")) {
    if (!version->is_string() || (version->as_string() != "2012-10-17" && version->as_string() != "2008-10-17"))
      return "the policy Version must be 2012-10-17 or 2008-10-17.";
  }
  const Value* statement = doc->find("Statement");
  if (!statement) return "the policy has no Statement.";
  if (statement->is_object()) {
    if (auto problem = check_statement(*statement, 1)) return *problem;
    return std::nullopt;
  }
  if (!statement->is_array() || statement->as_array().empty())
    return "the policy Statement must be an object or a non-empty array.";
  size_t n = 0;
  for (const auto& st : statement->as_array())
    if (auto problem = check_statement(st, ++n)) return *problem;
  return std::nullopt;
}

protocol::ApiResult<NoOutput> KinesisService::put_resource_policy(const api::PutResourcePolicyInput& in,
                                                                  const Ctx& ctx) {
  const std::string* arn = &in.resource_arn;
  const std::string* policy = &in.policy;
  if (auto problem = policy_document_problem(*policy))
    return std::unexpected(protocol::invalid_argument("Invalid policy document: " + *problem));
  WriterLock lock(mu_);
  StreamState* s = nullptr;
  if (arn->find("/consumer/") != std::string::npos) {
    auto ref = find_consumer_by_arn_locked(*arn, ctx);
    if (!ref) return std::unexpected(ref.error());
    s = ref->stream;
    if (auto err = require_active(*s)) return std::unexpected(*err);
    if (ref->consumer->status != ConsumerStatus::kActive)
      return std::unexpected(protocol::resource_in_use("Consumer " + *arn + " under account " + options_.account_id +
                                                       " not ACTIVE, instead in state " +
                                                       std::string(to_string(ref->consumer->status))));
    StreamState next = *s;
    next.find_consumer(ref->consumer->name)->resource_policy = *policy;
    if (Status st = persist_locked(next); !st) return std::unexpected(protocol::internal_failure());
    *s = std::move(next);
    return NoOutput{};
  }
  auto found = find_stream_by_arn_locked(*arn, ctx);
  if (!found) return std::unexpected(found.error());
  s = *found;
  if (auto err = require_active(*s)) return std::unexpected(*err);
  StreamState next = *s;
  next.resource_policy = *policy;
  if (Status st = persist_locked(next); !st) return std::unexpected(protocol::internal_failure());
  *s = std::move(next);
  return NoOutput{};
}

protocol::ApiResult<api::GetResourcePolicyOutput> KinesisService::get_resource_policy(
    const api::GetResourcePolicyInput& in, const Ctx& ctx) {
  const std::string* arn = &in.resource_arn;
  ReaderLock lock(mu_);
  std::string policy;
  if (arn->find("/consumer/") != std::string::npos) {
    auto ref = find_consumer_by_arn_locked(*arn, ctx);
    if (!ref) return std::unexpected(ref.error());
    policy = ref->consumer->resource_policy;
  } else {
    auto found = find_stream_by_arn_locked(*arn, ctx);
    if (!found) return std::unexpected(found.error());
    policy = (*found)->resource_policy;
  }
  api::GetResourcePolicyOutput out;
  out.policy = policy.empty() ? std::string("{}") : std::move(policy);
  return out;
}

protocol::ApiResult<NoOutput> KinesisService::delete_resource_policy(const api::DeleteResourcePolicyInput& in,
                                                                     const Ctx& ctx) {
  const std::string* arn = &in.resource_arn;
  WriterLock lock(mu_);
  StreamState* s = nullptr;
  std::string consumer_name;
  if (arn->find("/consumer/") != std::string::npos) {
    auto ref = find_consumer_by_arn_locked(*arn, ctx);
    if (!ref) return std::unexpected(ref.error());
    s = ref->stream;
    consumer_name = ref->consumer->name;
    if (ref->consumer->resource_policy.empty()) return NoOutput{};
  } else {
    auto found = find_stream_by_arn_locked(*arn, ctx);
    if (!found) return std::unexpected(found.error());
    s = *found;
    if (s->resource_policy.empty()) return NoOutput{};
  }
  if (auto err = require_active(*s)) return std::unexpected(*err);
  StreamState next = *s;
  if (consumer_name.empty())
    next.resource_policy.clear();
  else
    next.find_consumer(consumer_name)->resource_policy.clear();
  if (Status st = persist_locked(next); !st) return std::unexpected(protocol::internal_failure());
  *s = std::move(next);
  return NoOutput{};
}

}  // namespace runnel::streams
