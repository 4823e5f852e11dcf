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

using protocol::Timestamp;
using protocol::Value;

namespace {

api::Shard shard_output(const Shard& sh) {
  api::Shard v;
  v.shard_id = format_shard_id(sh.index);
  if (sh.parent) v.parent_shard_id = format_shard_id(*sh.parent);
  if (sh.adjacent_parent) v.adjacent_parent_shard_id = format_shard_id(*sh.adjacent_parent);
  v.hash_key_range.starting_hash_key = format_hash_key(sh.range.start);
  v.hash_key_range.ending_hash_key = format_hash_key(sh.range.end);
  v.sequence_number_range.starting_sequence_number =
      format_sequence_number(SequenceNumber{sh.created_secs(), sh.index, 0, sh.created_secs()});
  // A closed shard's EndingSequenceNumber sorts after every record it holds
  // (docs/sequence-numbers.md): the largest counter, at the close time. An
  // AT/AFTER_SEQUENCE_NUMBER iterator on it starts at the shard's end.
  if (sh.closed_ms)
    v.sequence_number_range.ending_sequence_number =
        format_sequence_number(SequenceNumber{sh.created_secs(), sh.index, kMaxSequenceCounter, *sh.closed_ms / 1000});
  return v;
}

api::StreamModeDetails mode_details(const StreamState& s) { return api::StreamModeDetails{.stream_mode = s.mode}; }

std::vector<api::EnhancedMetrics> enhanced_monitoring(const StreamState& s) {
  return {api::EnhancedMetrics{.shard_level_metrics = s.shard_level_metrics}};
}

}  // namespace

protocol::ApiResult<NoOutput> KinesisService::create_stream(const api::CreateStreamInput& in, const Ctx& ctx) {
  const std::string& name = in.stream_name;
  std::string mode(api::StreamMode::kProvisioned);
  if (in.stream_mode_details) mode = in.stream_mode_details->stream_mode;
  // On-demand streams, and provisioned ones created without ShardCount,
  // start with 4 shards, as AWS's do.
  uint32_t count = mode == api::StreamMode::kOnDemand || !in.shard_count ? 4 : static_cast<uint32_t>(*in.shard_count);
  if (in.tags)
    if (auto ok = check_new_stream_tags(*in.tags, name, options_.account_id); !ok) return std::unexpected(ok.error());

  WriterLock lock(mu_);
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
  const std::optional<int32_t>& warm = in.warm_throughput_mi_bps;
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
  if (in.max_record_size_in_ki_b) s.max_record_kib = *in.max_record_size_in_ki_b;
  if (in.tags)
    for (const auto& [key, value] : *in.tags) s.tags[key] = value;
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
  return NoOutput{};
}

protocol::ApiResult<NoOutput> KinesisService::delete_stream(const api::DeleteStreamInput& in, const Ctx& ctx) {
  {
    WriterLock lock(mu_);
    auto s = find_stream_locked(stream_ref(in), ctx);
    if (!s) return std::unexpected(s.error());
    StreamState& stream = **s;
    if (stream.status == StreamStatus::kDeleting) return NoOutput{};
    if (!stream.consumers.empty() && !in.enforce_consumer_deletion.value_or(false))
      return std::unexpected(protocol::resource_in_use(
          "Stream " + stream.name + " under account " + options_.account_id + " has " +
          std::to_string(stream.consumers.size()) +
          " registered consumers. Deregister them first, or set EnforceConsumerDeletion to true."));
    stream.status = StreamStatus::kDeleting;
    stream.transition_at_ms = now_ms() + options_.delete_stream_ms;
    if (Status st = persist_locked(stream); !st) return std::unexpected(protocol::internal_failure());
    schedule_transition_locked(stream.transition_at_ms);
    if (options_.delete_stream_ms == 0) advance_transitions_locked(now_ms());
  }
  // The log's drop runs on the purge thread; handle() answers after it.
  fanout_->wake();  // its subscriptions end with ResourceNotFoundException
  return NoOutput{};
}

protocol::ApiResult<api::DescribeStreamOutput> KinesisService::describe_stream(const api::DescribeStreamInput& in,
                                                                               const Ctx& ctx) {
  ReaderLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  const int64_t limit = std::min<int64_t>(in.limit.value_or(100), 100);
  api::DescribeStreamOutput out;
  api::StreamDescription& d = out.stream_description;
  std::vector<api::Shard>& shards = d.shards;
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
    if (in.exclusive_start_shard_id) {
      auto idx = parse_shard_id(*in.exclusive_start_shard_id);
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
      shards.push_back(shard_output(sh));
    }
  }
  d.stream_name = s.name;
  d.stream_arn = stream_arn(s);
  d.stream_status = to_string(s.status);
  d.stream_mode_details = mode_details(s);
  d.has_more_shards = more;
  d.retention_period_hours = s.retention_hours;
  d.stream_creation_timestamp = Timestamp{s.created_ms};
  d.enhanced_monitoring = enhanced_monitoring(s);
  d.encryption_type = s.encryption_type;
  if (!s.key_id.empty()) d.key_id = s.key_id;
  return out;
}

protocol::ApiResult<api::DescribeStreamSummaryOutput> KinesisService::describe_stream_summary(
    const api::DescribeStreamSummaryInput& in, const Ctx& ctx) {
  ReaderLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  api::DescribeStreamSummaryOutput out;
  api::StreamDescriptionSummary& d = out.stream_description_summary;
  d.stream_name = s.name;
  d.stream_arn = stream_arn(s);
  d.stream_status = to_string(s.status);
  d.stream_mode_details = mode_details(s);
  d.retention_period_hours = s.retention_hours;
  d.stream_creation_timestamp = Timestamp{s.created_ms};
  d.enhanced_monitoring = enhanced_monitoring(s);
  d.encryption_type = s.encryption_type;
  if (!s.key_id.empty()) d.key_id = s.key_id;
  const auto open_shards = static_cast<int32_t>(s.status == StreamStatus::kCreating ? 0 : s.open_shard_count());
  d.open_shard_count = open_shards;
  d.consumer_count = static_cast<int32_t>(s.consumers.size());
  // Present for on-demand streams with a warm throughput target, as the
  // model describes it; CurrentMiBps is 1 MiB/s per open shard.
  if (s.mode == api::StreamMode::kOnDemand && s.warm_throughput_mibps)
    d.warm_throughput =
        api::WarmThroughputObject{.target_mi_bps = *s.warm_throughput_mibps, .current_mi_bps = open_shards};
  d.max_record_size_in_ki_b = s.max_record_kib;
  return out;
}

protocol::ApiResult<api::ListStreamsOutput> KinesisService::list_streams(const api::ListStreamsInput& in, const Ctx&) {
  const int64_t limit = std::min<int64_t>(in.limit.value_or(100), 100);
  std::string after;
  if (in.next_token) {
    auto t = read_page_token(*in.next_token, "streams", now_ms());
    if (!t) return std::unexpected(t.error());
    after = t->last_key;
  } else if (in.exclusive_start_stream_name) {
    after = *in.exclusive_start_stream_name;
  }
  ReaderLock lock(mu_);
  api::ListStreamsOutput out;
  std::vector<std::string>& names = out.stream_names;
  std::vector<api::StreamSummary>& summaries = out.stream_summaries.emplace();
  bool more = false;
  std::string last;
  for (auto it = after.empty() ? streams_.begin() : streams_.upper_bound(after); it != streams_.end(); ++it) {
    if (static_cast<int64_t>(names.size()) == limit) {
      more = true;
      break;
    }
    const StreamState& s = it->second;
    names.emplace_back(s.name);
    summaries.push_back(api::StreamSummary{.stream_name = s.name,
                                           .stream_arn = stream_arn(s),
                                           .stream_status = std::string(to_string(s.status)),
                                           .stream_mode_details = mode_details(s),
                                           .stream_creation_timestamp = Timestamp{s.created_ms}});
    last = s.name;
  }
  out.has_more_streams = more;
  if (more) out.next_token = encode_page_token(PageToken{"streams", now_ms(), "", last});
  return out;
}

protocol::ApiResult<api::ListShardsOutput> KinesisService::list_shards(const api::ListShardsInput& in, const Ctx& ctx) {
  const std::string* token = opt_ptr(in.next_token);
  StreamRef query = stream_ref(in);
  std::string token_stream;
  std::optional<uint32_t> after;
  if (token) {
    if (in.stream_creation_timestamp)
      return std::unexpected(
          protocol::invalid_argument("NextToken and StreamCreationTimestamp cannot be provided together."));
    if (in.stream_name || in.stream_arn)
      return std::unexpected(protocol::invalid_argument("NextToken and StreamName cannot be provided together."));
    auto t = read_page_token(*token, "shards", now_ms());
    if (!t) return std::unexpected(t.error());
    token_stream = t->stream;
    query = StreamRef{.name = &token_stream};
    after = parse_shard_id(t->last_key);
  }
  if (const std::string* start = opt_ptr(in.exclusive_start_shard_id)) {
    if (token)
      return std::unexpected(
          protocol::invalid_argument("NextToken and ExclusiveStartShardId cannot be provided together."));
    after = parse_shard_id(*start);
  }
  const int64_t limit = std::min<int64_t>(in.max_results.value_or(1000), 1000);

  ReaderLock lock(mu_);
  auto found = find_stream_locked(query, ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  if (in.stream_creation_timestamp && in.stream_creation_timestamp->millis / 1000 != s.created_ms / 1000)
    return std::unexpected(protocol::resource_not_found(not_found_message(s.name)));
  if (s.status == StreamStatus::kCreating)
    return std::unexpected(protocol::resource_in_use("Stream " + s.name + " under account " + options_.account_id +
                                                     " is not in ACTIVE or UPDATING state."));

  // ShardFilter: which shards a reader starting at that point needs.
  std::string filter(api::ShardFilterType::kFromTrimHorizon);
  std::optional<int64_t> at_ms;
  if (const api::ShardFilter* f = opt_ptr(in.shard_filter)) {
    filter = f->type;
    if (filter == api::ShardFilterType::kAfterShardId) {
      const std::string* id = opt_ptr(f->shard_id);
      if (!id)
        return std::unexpected(
            protocol::invalid_argument("Must specify ShardId in ShardFilter when type is AFTER_SHARD_ID."));
      after = parse_shard_id(*id);
    } else if (filter == api::ShardFilterType::kAtTimestamp || filter == api::ShardFilterType::kFromTimestamp) {
      if (f->timestamp) at_ms = f->timestamp->millis;
      if (!at_ms)
        return std::unexpected(
            protocol::invalid_argument("Must specify Timestamp in ShardFilter when type is " + filter + "."));
    } else if (f->shard_id || f->timestamp) {
      return std::unexpected(
          protocol::invalid_argument("ShardFilter of type " + filter + " does not take a ShardId or Timestamp."));
    }
  }
  const int64_t now = now_ms();
  const int64_t horizon = std::max(s.trim_horizon_ms(now), s.created_ms);
  auto open_at = [](const Shard& sh, int64_t t) { return sh.created_ms <= t && (!sh.closed_ms || *sh.closed_ms > t); };
  api::ListShardsOutput out;
  std::vector<api::Shard>& shards = out.shards.emplace();
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
    shards.push_back(shard_output(sh));
    last = format_shard_id(sh.index);
  }
  if (more) out.next_token = encode_page_token(PageToken{"shards", now, s.name, last});
  return out;
}

protocol::ApiResult<NoOutput> KinesisService::increase_retention(const api::IncreaseStreamRetentionPeriodInput& in,
                                                                 const Ctx& ctx) {
  return change_retention(stream_ref(in), in.retention_period_hours, ctx, true);
}

protocol::ApiResult<NoOutput> KinesisService::decrease_retention(const api::DecreaseStreamRetentionPeriodInput& in,
                                                                 const Ctx& ctx) {
  return change_retention(stream_ref(in), in.retention_period_hours, ctx, false);
}

protocol::ApiResult<NoOutput> KinesisService::change_retention(StreamRef ref, int64_t hours, const Ctx& ctx,
                                                               bool increase) {
  WriterLock lock(mu_);
  auto found = find_stream_locked(ref, ctx);
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
  return NoOutput{};
}

}  // namespace runnel::streams
