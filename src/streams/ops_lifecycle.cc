// Stream lifecycle and listing: CreateStream, DeleteStream, DescribeStream,
// DescribeStreamSummary, ListStreams, ListShards, retention changes.

#include <algorithm>
#include <mutex>

#include "streams/input.h"
#include "streams/kinesis_service.h"
#include "streams/page_token.h"
#include "streams/sequence_number.h"
#include "streams/shard_id.h"
#include "streams/shard_retention.h"
#include "streams/tags.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Object;
using protocol::Timestamp;
using protocol::Value;

namespace {

Value shard_to_value(const Shard& sh) {
  Value v = Object{};
  v.set("ShardId", format_shard_id(sh.index));
  if (sh.parent) v.set("ParentShardId", format_shard_id(*sh.parent));
  if (sh.adjacent_parent) v.set("AdjacentParentShardId", format_shard_id(*sh.adjacent_parent));
  Value range = Object{};
  range.set("StartingHashKey", format_hash_key(sh.range.start));
  range.set("EndingHashKey", format_hash_key(sh.range.end));
  v.set("HashKeyRange", std::move(range));
  Value seq = Object{};
  seq.set("StartingSequenceNumber",
          format_sequence_number(SequenceNumber{sh.created_secs(), sh.index, 0, sh.created_secs()}));
  // A closed shard's EndingSequenceNumber sorts after every record it holds
  // (docs/sequence-numbers.md): the largest counter, at the close time. An
  // AT/AFTER_SEQUENCE_NUMBER iterator on it starts at the shard's end.
  if (sh.closed_ms)
    seq.set("EndingSequenceNumber", format_sequence_number(SequenceNumber{sh.created_secs(), sh.index,
                                                                          kMaxSequenceCounter, *sh.closed_ms / 1000}));
  v.set("SequenceNumberRange", std::move(seq));
  return v;
}

Value mode_details(const StreamState& s) {
  Value v = Object{};
  v.set("StreamMode", s.mode);
  return v;
}

Value enhanced_monitoring(const StreamState& s) {
  Array metrics;
  for (const auto& m : s.shard_level_metrics) metrics.emplace_back(m);
  Value entry = Object{};
  entry.set("ShardLevelMetrics", std::move(metrics));
  return Array{std::move(entry)};
}

std::optional<int64_t> limit_or(const Value& in, std::string_view key, int64_t dflt, int64_t cap) {
  auto v = input_int(in, key);
  return std::min(v.value_or(dflt), cap);
}

}  // namespace

protocol::ApiResult<Value> KinesisService::create_stream(const Value& in, const Ctx& ctx) {
  const std::string& name = *input_string(in, "StreamName");
  std::string mode = "PROVISIONED";
  if (const Value* details = in.find("StreamModeDetails"))
    if (const std::string* m = input_string(*details, "StreamMode")) mode = *m;
  auto shard_count = input_int(in, "ShardCount");
  // On-demand streams, and provisioned ones created without ShardCount,
  // start with 4 shards, as AWS's do.
  uint32_t count = mode == "ON_DEMAND" || !shard_count ? 4 : static_cast<uint32_t>(*shard_count);
  if (const Value* tags = in.find("Tags"); tags && tags->is_object())
    if (auto ok = check_new_stream_tags(*tags, name, options_.account_id); !ok) return std::unexpected(ok.error());

  std::unique_lock lock(mu_);
  if (streams_.contains(name))
    return std::unexpected(
        protocol::resource_in_use("Stream " + name + " under account " + options_.account_id + " already exists."));
  size_t open_shards = 0, creating = 0, on_demand = 0;
  for (const auto& [_, s] : streams_) {
    open_shards += s.open_shard_count();
    creating += s.status == StreamStatus::kCreating;
    on_demand += s.mode == "ON_DEMAND";
  }
  if (creating >= 5)
    return std::unexpected(protocol::limit_exceeded(
        "This request would exceed the limit on the number of streams in CREATING state for the account " +
        options_.account_id + ". Wait for streams to become ACTIVE and try again."));
  if (mode == "ON_DEMAND" && on_demand >= options_.on_demand_stream_limit)
    return std::unexpected(protocol::limit_exceeded(
        "This request would exceed the limit on on-demand streams for the account " + options_.account_id +
        ". Limit: " + std::to_string(options_.on_demand_stream_limit) + "."));
  if (open_shards + count > options_.shard_limit)
    return std::unexpected(shard_limit_error(open_shards, count, ctx.region));
  auto warm = input_int(in, "WarmThroughputMiBps");
  if (warm) {
    const Value* c = account_settings_.find("MinimumThroughputBillingCommitment");
    const std::string* status = c ? input_string(*c, "Status") : nullptr;
    if (mode != "ON_DEMAND")
      return std::unexpected(
          protocol::invalid_argument("WarmThroughputMiBps is only valid for streams in ON_DEMAND mode."));
    if (!status || *status == "DISABLED")
      return std::unexpected(protocol::invalid_argument(
          "Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account " +
          options_.account_id + "."));
    if (*warm > 10240)
      return std::unexpected(protocol::invalid_argument("WarmThroughputMiBps " + std::to_string(*warm) +
                                                        " is more than the maximum of 10240."));
  }

  auto uid = metadata_.next_id("stream");
  auto first_key = metadata_.next_id("shard", count);
  if (!uid || !first_key) return std::unexpected(protocol::internal_failure());

  StreamState s;
  s.uid = *uid;
  s.name = name;
  s.region = ctx.region;
  s.created_ms = now_ms();
  s.mode = mode;
  if (warm) s.warm_throughput_mibps = static_cast<int32_t>(*warm);
  if (auto kib = input_int(in, "MaxRecordSizeInKiB")) s.max_record_kib = static_cast<int32_t>(*kib);
  if (const Value* tags = in.find("Tags"); tags && tags->is_object())
    for (const auto& m : tags->as_object())
      if (m.value.is_string()) s.tags[m.key] = m.value.as_string();
  auto ranges = split_hash_space(count);
  for (uint32_t i = 0; i < count; ++i) {
    Shard sh;
    sh.index = i;
    sh.key = *first_key + i;
    sh.range = ranges[i];
    sh.created_ms = s.created_ms;
    s.shards.push_back(sh);
  }
  if (options_.create_stream_ms > 0) {
    s.status = StreamStatus::kCreating;
    s.transition_at_ms = s.created_ms + options_.create_stream_ms;
    schedule_transition_locked(s.transition_at_ms);
  } else {
    s.status = StreamStatus::kActive;
  }
  if (Status st = persist_locked(s); !st) return std::unexpected(protocol::internal_failure());
  names_by_uid_[s.uid] = name;
  for (const auto& sh : s.shards) stream_of_shard_[sh.key] = name;
  attach_metrics_locked(s);
  push_retention(log_, s);
  streams_.emplace(name, std::move(s));
  return Value();
}

protocol::ApiResult<Value> KinesisService::delete_stream(const Value& in, const Ctx& ctx) {
  std::unique_lock lock(mu_);
  auto s = find_stream_locked(in, ctx);
  if (!s) return std::unexpected(s.error());
  StreamState& stream = **s;
  if (stream.status == StreamStatus::kDeleting) return Value();
  if (!stream.consumers.empty() && !input_bool(in, "EnforceConsumerDeletion"))
    return std::unexpected(protocol::resource_in_use(
        "Stream " + stream.name + " under account " + options_.account_id + " has " +
        std::to_string(stream.consumers.size()) +
        " registered consumers. Deregister them first, or set EnforceConsumerDeletion to true."));
  stream.status = StreamStatus::kDeleting;
  stream.transition_at_ms = now_ms() + options_.delete_stream_ms;
  if (Status st = persist_locked(stream); !st) return std::unexpected(protocol::internal_failure());
  schedule_transition_locked(stream.transition_at_ms);
  if (options_.delete_stream_ms == 0) advance_transitions_locked(now_ms());
  lock.unlock();
  // The log's drop runs on the purge thread; handle() answers after it.
  fanout_->wake();  // its subscriptions end with ResourceNotFoundException
  return Value();
}

protocol::ApiResult<Value> KinesisService::describe_stream(const Value& in, const Ctx& ctx) {
  std::shared_lock lock(mu_);
  auto found = find_stream_locked(in, ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  auto limit = *limit_or(in, "Limit", 100, 100);
  Array shards;
  bool more = false;
  // A stream deleted while CREATING never had shards to show, as AWS answers
  // (kinesalite's "should allow stream to be deleted while it is being
  // created"): DeleteStream set transition_at_ms to its time plus
  // delete_stream_ms, before CREATING would have ended.
  const bool deleted_while_creating =
      s.status == StreamStatus::kDeleting && options_.create_stream_ms > 0 &&
      s.transition_at_ms - options_.delete_stream_ms < s.created_ms + options_.create_stream_ms;
  if (s.status != StreamStatus::kCreating && !deleted_while_creating) {
    std::optional<uint32_t> after;
    if (const std::string* start = input_string(in, "ExclusiveStartShardId")) {
      auto idx = parse_shard_id(*start);
      // An unknown start id lists the shards whose ids sort after it.
      after = idx.value_or(0);
      if (!idx) after.reset();
    }
    for (const auto& sh : s.shards) {
      if (after && sh.index <= *after) continue;
      if (static_cast<int64_t>(shards.size()) == limit) {
        more = true;
        break;
      }
      shards.push_back(shard_to_value(sh));
    }
  }
  Value d = Object{};
  d.set("StreamName", s.name);
  d.set("StreamARN", stream_arn(s));
  d.set("StreamStatus", std::string(to_string(s.status)));
  d.set("StreamModeDetails", mode_details(s));
  d.set("Shards", std::move(shards));
  d.set("HasMoreShards", more);
  d.set("RetentionPeriodHours", s.retention_hours);
  d.set("StreamCreationTimestamp", Timestamp{s.created_ms});
  d.set("EnhancedMonitoring", enhanced_monitoring(s));
  d.set("EncryptionType", s.encryption_type);
  if (!s.key_id.empty()) d.set("KeyId", s.key_id);
  Value out = Object{};
  out.set("StreamDescription", std::move(d));
  return out;
}

protocol::ApiResult<Value> KinesisService::describe_stream_summary(const Value& in, const Ctx& ctx) {
  std::shared_lock lock(mu_);
  auto found = find_stream_locked(in, ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  Value d = Object{};
  d.set("StreamName", s.name);
  d.set("StreamARN", stream_arn(s));
  d.set("StreamStatus", std::string(to_string(s.status)));
  d.set("StreamModeDetails", mode_details(s));
  d.set("RetentionPeriodHours", s.retention_hours);
  d.set("StreamCreationTimestamp", Timestamp{s.created_ms});
  d.set("EnhancedMonitoring", enhanced_monitoring(s));
  d.set("EncryptionType", s.encryption_type);
  if (!s.key_id.empty()) d.set("KeyId", s.key_id);
  d.set("OpenShardCount", static_cast<int64_t>(s.status == StreamStatus::kCreating ? 0 : s.open_shard_count()));
  d.set("ConsumerCount", static_cast<int64_t>(s.consumers.size()));
  // Present for on-demand streams with a warm throughput target, as the
  // model describes it; CurrentMiBps is 1 MiB/s per open shard.
  if (s.mode == "ON_DEMAND" && s.warm_throughput_mibps) {
    Value warm = Object{};
    warm.set("TargetMiBps", static_cast<int64_t>(*s.warm_throughput_mibps));
    warm.set("CurrentMiBps", static_cast<int64_t>(s.status == StreamStatus::kCreating ? 0 : s.open_shard_count()));
    d.set("WarmThroughput", std::move(warm));
  }
  d.set("MaxRecordSizeInKiB", s.max_record_kib);
  Value out = Object{};
  out.set("StreamDescriptionSummary", std::move(d));
  return out;
}

protocol::ApiResult<Value> KinesisService::list_streams(const Value& in, const Ctx&) {
  auto limit = *limit_or(in, "Limit", 100, 100);
  std::string after;
  const std::string* token = input_string(in, "NextToken");
  if (token) {
    auto t = read_page_token(*token, "streams", now_ms());
    if (!t) return std::unexpected(t.error());
    after = t->last_key;
  } else if (const std::string* start = input_string(in, "ExclusiveStartStreamName")) {
    after = *start;
  }
  std::shared_lock lock(mu_);
  Array names, summaries;
  bool more = false;
  std::string last;
  for (auto it = after.empty() ? streams_.begin() : streams_.upper_bound(after); it != streams_.end(); ++it) {
    if (static_cast<int64_t>(names.size()) == limit) {
      more = true;
      break;
    }
    const StreamState& s = it->second;
    names.emplace_back(s.name);
    Value sum = Object{};
    sum.set("StreamName", s.name);
    sum.set("StreamARN", stream_arn(s));
    sum.set("StreamStatus", std::string(to_string(s.status)));
    sum.set("StreamModeDetails", mode_details(s));
    sum.set("StreamCreationTimestamp", Timestamp{s.created_ms});
    summaries.push_back(std::move(sum));
    last = s.name;
  }
  Value out = Object{};
  out.set("StreamNames", std::move(names));
  out.set("HasMoreStreams", more);
  if (more) out.set("NextToken", encode_page_token(PageToken{"streams", now_ms(), "", last}));
  out.set("StreamSummaries", std::move(summaries));
  return out;
}

protocol::ApiResult<Value> KinesisService::list_shards(const Value& in, const Ctx& ctx) {
  const std::string* token = input_string(in, "NextToken");
  Value query = in;
  std::optional<uint32_t> after;
  if (token) {
    if (in.find("StreamCreationTimestamp"))
      return std::unexpected(
          protocol::invalid_argument("NextToken and StreamCreationTimestamp cannot be provided together."));
    if (in.find("StreamName") || in.find("StreamARN"))
      return std::unexpected(protocol::invalid_argument("NextToken and StreamName cannot be provided together."));
    auto t = read_page_token(*token, "shards", now_ms());
    if (!t) return std::unexpected(t.error());
    query.set("StreamName", t->stream);
    after = parse_shard_id(t->last_key);
  }
  if (const std::string* start = input_string(in, "ExclusiveStartShardId")) {
    if (token)
      return std::unexpected(
          protocol::invalid_argument("NextToken and ExclusiveStartShardId cannot be provided together."));
    after = parse_shard_id(*start);
  }
  auto limit = *limit_or(in, "MaxResults", 1000, 1000);

  std::shared_lock lock(mu_);
  auto found = find_stream_locked(query, ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  if (auto created = input_timestamp_ms(in, "StreamCreationTimestamp");
      created && *created / 1000 != s.created_ms / 1000)
    return std::unexpected(protocol::resource_not_found(not_found_message(s.name)));
  if (s.status == StreamStatus::kCreating)
    return std::unexpected(protocol::resource_in_use("Stream " + s.name + " under account " + options_.account_id +
                                                     " is not in ACTIVE or UPDATING state."));

  // ShardFilter: which shards a reader starting at that point needs.
  std::string filter = "FROM_TRIM_HORIZON";
  std::optional<int64_t> at_ms;
  if (const Value* f = in.find("ShardFilter")) {
    filter = *input_string(*f, "Type");
    if (filter == "AFTER_SHARD_ID") {
      const std::string* id = input_string(*f, "ShardId");
      if (!id)
        return std::unexpected(
            protocol::invalid_argument("Must specify ShardId in ShardFilter when type is AFTER_SHARD_ID."));
      after = parse_shard_id(*id);
    } else if (filter == "AT_TIMESTAMP" || filter == "FROM_TIMESTAMP") {
      at_ms = input_timestamp_ms(*f, "Timestamp");
      if (!at_ms)
        return std::unexpected(
            protocol::invalid_argument("Must specify Timestamp in ShardFilter when type is " + filter + "."));
    } else if (f->find("ShardId") || f->find("Timestamp")) {
      return std::unexpected(
          protocol::invalid_argument("ShardFilter of type " + filter + " does not take a ShardId or Timestamp."));
    }
  }
  const int64_t now = now_ms();
  const int64_t horizon = std::max(s.trim_horizon_ms(now), s.created_ms);
  auto open_at = [](const Shard& sh, int64_t t) { return sh.created_ms <= t && (!sh.closed_ms || *sh.closed_ms > t); };
  Array shards;
  std::string last;
  bool more = false;
  for (const auto& sh : s.shards) {
    if (after && sh.index <= *after) continue;
    // Shards closed before the trim horizon hold no readable records.
    if (sh.closed_ms && *sh.closed_ms < s.trim_horizon_ms(now)) continue;
    bool take = true;
    if (filter == "AT_LATEST") {
      take = sh.open();
    } else if (filter == "AT_TRIM_HORIZON") {
      take = open_at(sh, horizon);
    } else if (filter == "AT_TIMESTAMP") {
      take = open_at(sh, std::max(*at_ms, s.created_ms));
    } else if (filter == "FROM_TIMESTAMP") {
      int64_t t = std::max(*at_ms, s.created_ms);
      take = open_at(sh, t) || sh.created_ms > t;
    }
    if (!take) continue;
    if (static_cast<int64_t>(shards.size()) == limit) {
      more = true;
      break;
    }
    shards.push_back(shard_to_value(sh));
    last = format_shard_id(sh.index);
  }
  Value out = Object{};
  out.set("Shards", std::move(shards));
  if (more) out.set("NextToken", encode_page_token(PageToken{"shards", now, s.name, last}));
  return out;
}

protocol::ApiResult<Value> KinesisService::change_retention(const Value& in, const Ctx& ctx, bool increase) {
  int64_t hours = *input_int(in, "RetentionPeriodHours");
  std::unique_lock lock(mu_);
  auto found = find_stream_locked(in, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  const std::string h = std::to_string(hours);
  if (hours < 24)
    return std::unexpected(protocol::invalid_argument(
        "Minimum allowed retention period is 24 hours. Requested retention period (" + h + " hours) is too short."));
  if (hours > 8760)
    return std::unexpected(protocol::invalid_argument(
        "Maximum allowed retention period is 8760 hours. Requested retention period (" + h + " hours) is too long."));
  if (auto err = require_active(s)) return std::unexpected(*err);
  const std::string existing = std::to_string(s.retention_hours);
  if (increase && hours < s.retention_hours)
    return std::unexpected(protocol::invalid_argument("Requested retention period (" + h + " hours) for stream " +
                                                      s.name + " can not be shorter than existing retention period (" +
                                                      existing + " hours). Use DecreaseRetentionPeriod API."));
  if (!increase && hours > s.retention_hours)
    return std::unexpected(protocol::invalid_argument("Requested retention period (" + h + " hours) for stream " +
                                                      s.name + " can not be longer than existing retention period (" +
                                                      existing + " hours). Use IncreaseRetentionPeriod API."));
  if (increase) s.trim_floor_ms = s.trim_horizon_ms(now_ms());
  s.retention_hours = static_cast<int32_t>(hours);
  push_retention(log_, s);
  if (Status st = persist_locked(s); !st) return std::unexpected(protocol::internal_failure());
  return Value();
}

}  // namespace runnel::streams
