#include "streams/kinesis_service.h"
#include "streams/stream_metrics.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "protocol/json_codec.h"
#include "streams/input.h"
#include "streams/model.h"
#include "streams/put_records_decoder.h"
#include "streams/shard_id.h"
#include "streams/shard_retention.h"

namespace runnel::streams {

using protocol::ApiError;

namespace {

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// AWS's documented call rates of the control-plane updates, per account
// (docs/capacity.md). Enforced when KinesisOptions::control_plane_limits.
struct CallRate {
  std::string_view op;
  int per_second;
};
constexpr CallRate kUpdateRates[] = {
    {"CreateStream", 5},
    {"DeleteStream", 5},
    {"SplitShard", 5},
    {"MergeShards", 5},
    {"UpdateShardCount", 10},
    {"UpdateStreamWarmThroughput", 5},
    {"UpdateAccountSettings", 5},
    {"AddTagsToStream", 5},
    {"RemoveTagsFromStream", 5},
    {"RegisterStreamConsumer", 5},
    {"DeregisterStreamConsumer", 5},
};

// Operations of the model that this build does not serve yet.
ApiError not_supported(std::string_view op) {
  return ApiError{"NotImplementedException", "Operation " + std::string(op) + " is not supported by runnel yet.", 501,
                  false};
}

}  // namespace

KinesisService::KinesisService(KinesisOptions options, storage::Log& log, storage::MetadataStore& metadata,
                               std::string iterator_key)
    : now_ms(system_now_ms),
      options_(std::move(options)),
      log_(log),
      metadata_(metadata),
      iterators_(std::move(iterator_key)),
      cipher_(options_.key_file),
      scaler_(options_.autoscale,
              [this](storage::ShardKey shard, int64_t now) { return shard_write_rate(shard, now); }) {
  shard_write_rate = [this](storage::ShardKey shard, int64_t now) { return throughput_.write_rate(shard, now); };
  fanout_ = std::make_unique<FanOut>(
      log_, [this](const SubscriptionSpec& spec) { return subscription_view(spec); }, options_.fanout,
      [this] { return now_ms(); });
}

KinesisService::~KinesisService() {
  {
    MutexLock lock(autoscale_mu_);
    autoscale_stop_ = true;
  }
  autoscale_cv_.notify_all();
  if (autoscale_thread_.joinable()) autoscale_thread_.join();
  stop_purge_thread();
}

void KinesisService::shutdown() {
  {
    MutexLock lock(autoscale_mu_);
    autoscale_stop_ = true;
  }
  autoscale_cv_.notify_all();
  if (autoscale_thread_.joinable()) autoscale_thread_.join();
  stop_purge_thread();
  fanout_->stop();
}

void KinesisService::stop_purge_thread() {
  {
    MutexLock lock(purge_mu_);
    purge_stop_ = true;
  }
  purge_cv_.notify_all();
  if (purge_thread_.joinable()) purge_thread_.join();
}

void KinesisService::request_purge(protocol::OperationReply reply) {
  MutexLock lock(purge_mu_);
  if (purge_stop_) {  // shutting down: no thread to hand it to
    lock.unlock();
    run_purges();
    fanout_->wake();
    if (reply) reply(Value());
    return;
  }
  purge_wanted_ = true;
  if (reply) purge_replies_.push_back(std::move(reply));
  if (!purge_thread_.joinable()) purge_thread_ = std::thread([this] { purge_loop(); });
  purge_cv_.notify_one();
}

void KinesisService::purge_loop() {
  MutexLock lock(purge_mu_);
  for (;;) {
    purge_cv_.wait(purge_mu_, [&]() REQUIRES(purge_mu_) { return purge_wanted_ || purge_stop_; });
    if (!purge_wanted_) break;  // stopping, nothing left
    purge_wanted_ = false;
    std::vector<protocol::OperationReply> replies;
    replies.swap(purge_replies_);
    lock.unlock();
    run_purges();
    fanout_->wake();  // their subscriptions end with ResourceNotFoundException
    for (auto& reply : replies) reply(Value());
    lock.lock();
  }
}

void KinesisService::autoscale_loop() {
  MutexLock lock(autoscale_mu_);
  while (!autoscale_stop_) {
    autoscale_cv_.wait_until(
        autoscale_mu_, std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.autoscale_interval_ms));
    if (autoscale_stop_) break;
    lock.unlock();
    autoscale_once();
    lock.lock();
  }
}

std::optional<ApiError> KinesisService::rate_limit(std::string_view op, std::string_view scope, int per_second,
                                                   std::string_view stream_for_message) {
  if (!options_.control_plane_limits) return std::nullopt;
  const int64_t now = now_ms();
  MutexLock lock(rate_mu_);
  auto& calls = recent_calls_[std::string(op) + "/" + std::string(scope)];
  while (!calls.empty() && calls.front() <= now - 1000) calls.pop_front();
  if (static_cast<int>(calls.size()) >= per_second) {
    if (stream_for_message.empty())
      return protocol::limit_exceeded("Rate exceeded for account " + options_.account_id + ".");
    return protocol::limit_exceeded("Rate exceeded for stream " + std::string(stream_for_message) + " under account " +
                                    options_.account_id + ".");
  }
  calls.push_back(now);
  return std::nullopt;
}

void KinesisService::records_durable(const std::vector<storage::ShardKey>& shards) {
  fanout_->notify(shards);
  if (watcher_count_.load(std::memory_order_acquire) == 0) return;
  for (storage::ShardKey key : shards) {
    StreamEvent e;
    e.kind = StreamEvent::Kind::kRecordsDurable;
    e.shard_key = key;
    emit(e);
  }
}

int KinesisService::add_watcher(std::function<void(const StreamEvent&)> watcher) {
  MutexLock lock(watch_mu_);
  int id = next_watcher_++;
  watchers_.emplace_back(id, std::move(watcher));
  watcher_count_.store(static_cast<int>(watchers_.size()), std::memory_order_release);
  return id;
}

void KinesisService::remove_watcher(int id) {
  MutexLock lock(watch_mu_);
  std::erase_if(watchers_, [id](const auto& w) { return w.first == id; });
  watcher_count_.store(static_cast<int>(watchers_.size()), std::memory_order_release);
}

void KinesisService::emit(const StreamEvent& event) {
  if (watcher_count_.load(std::memory_order_acquire) == 0) return;
  MutexLock lock(watch_mu_);
  for (const auto& [id, w] : watchers_) w(event);
}

std::optional<ShardLocation> KinesisService::locate_shard(storage::ShardKey key) const {
  ReaderLock lock(mu_);
  auto it = stream_of_shard_.find(key);
  if (it == stream_of_shard_.end()) return std::nullopt;
  auto s = streams_.find(it->second);
  if (s == streams_.end()) return std::nullopt;
  for (const Shard& sh : s->second.shards)
    if (sh.key == key) return ShardLocation{s->second.name, format_shard_id(sh.index)};
  return std::nullopt;
}

Status KinesisService::load() {
  auto docs = metadata_.load_all("stream");
  if (!docs) return docs.error();
  {
    WriterLock lock(mu_);
    for (const auto& [name, text] : *docs) {
      auto value = protocol::decode_json(text);
      std::optional<StreamState> s = value ? from_document(*value) : std::nullopt;
      if (!s) return Status::corruption("metadata document of stream " + name + " is not readable");
      names_by_uid_[s->uid] = s->name;
      for (const auto& sh : s->shards) stream_of_shard_[sh.key] = s->name;
      attach_metrics_locked(*s);
      push_retention(log_, *s);
      if (s->status != StreamStatus::kActive) schedule_transition_locked(s->transition_at_ms);
      for (const auto& c : s->consumers)
        if (c.status != ConsumerStatus::kActive) schedule_transition_locked(c.transition_at_ms);
      streams_.emplace(s->name, std::move(*s));
    }
    auto settings = metadata_.load_all("account");
    if (settings && !settings->empty()) {
      auto v = protocol::decode_json(settings->front().second);
      if (v) account_settings_ = std::move(*v);
    }
    // Every live shard has its retention now: the log may expire the others.
    if (options_.complete_retention_on_load) log_.retention_settings_complete();
    spdlog::info("loaded {} streams", streams_.size());
    // Deletions that were due before the restart (a crash during the drop)
    // finish here, on the loading thread, before anything is served.
    advance_transitions_locked(now_ms());
  }
  if (purges_queued_.load()) run_purges();
  if (options_.autoscale_interval_ms > 0 && !autoscale_thread_.joinable())
    autoscale_thread_ = std::thread([this] { autoscale_loop(); });
  return Status::ok();
}

// Each operation first moves time-driven transitions along (CREATING ->
// ACTIVE, ...) and applies AWS's control-plane call rates; false when the
// call was refused (and answered).
bool KinesisService::admit(std::string_view op, StreamRef stream, protocol::OperationReply& reply) {
  advance_transitions();
  for (const CallRate& rate : kUpdateRates) {
    if (rate.op != op) continue;
    if (auto err = rate_limit(op, "", rate.per_second, requested_stream_name(stream).value_or(""))) {
      reply(std::unexpected(std::move(*err)));
      return false;
    }
  }
  return true;
}

template <class In, class Out>
protocol::OperationHandler KinesisService::typed(ApiResult<Out> (KinesisService::*fn)(const In&, const Ctx&),
                                                 std::optional<StreamEvent::Kind> announce) {
  return [this, fn, announce](const protocol::OperationModel& op, Value input, const Ctx& ctx,
                              protocol::OperationReply reply) {
    In in;
    if (auto decoded = decode(std::move(input), in); !decoded) return reply(std::unexpected(decoded.error()));
    if (!admit(op.name, stream_ref(in), reply)) return;
    ApiResult<Out> out = (this->*fn)(static_cast<const In&>(in), ctx);
    if (!out) return reply(std::unexpected(std::move(out.error())));
    if (announce) emit_for(stream_ref(in), *announce);
    reply(output_value(std::move(*out)));
  };
}

template <class In, class Out>
protocol::OperationHandler KinesisService::typed_async(void (KinesisService::*fn)(In&, const Ctx&, TypedReply<Out>)) {
  return [this, fn](const protocol::OperationModel& op, Value input, const Ctx& ctx, protocol::OperationReply reply) {
    In in;
    if (auto decoded = decode(std::move(input), in); !decoded) return reply(std::unexpected(decoded.error()));
    if (!admit(op.name, stream_ref(in), reply)) return;
    (this->*fn)(in, ctx, TypedReply<Out>(std::move(reply)));
  };
}

void KinesisService::emit_for(StreamRef ref, StreamEvent::Kind kind) {
  StreamEvent e;
  e.kind = kind;
  if (ref.name) {
    e.stream = *ref.name;
  } else if (ref.arn) {
    e.stream = ref.arn->substr(ref.arn->find('/') + 1);
  }
  emit(e);
}

protocol::OperationTable KinesisService::operations() {
  protocol::OperationTable table(kinesis_model());
  table.on("PutRecord", typed_async(&KinesisService::put_record))
      .on("PutRecords", typed_async(&KinesisService::put_records))
      .on("GetRecords", typed(&KinesisService::get_records))
      .on("GetShardIterator", typed(&KinesisService::get_shard_iterator))
      .on("CreateStream", typed(&KinesisService::create_stream, StreamEvent::Kind::kCreated))
      .on("DeleteStream",
          [this](const protocol::OperationModel& op, Value input, const Ctx& ctx, protocol::OperationReply reply) {
            api::DeleteStreamInput in;
            if (auto decoded = decode(std::move(input), in); !decoded) return reply(std::unexpected(decoded.error()));
            if (!admit(op.name, stream_ref(in), reply)) return;
            ApiResult<NoOutput> result = delete_stream(in, ctx);
            if (!result) return reply(std::unexpected(std::move(result.error())));
            emit_for(stream_ref(in), StreamEvent::Kind::kDeleted);
            // Answered after the purge thread's next pass, which starts after
            // the purge was queued: the stream is gone by then (unless its
            // drop failed).
            if (options_.delete_stream_ms == 0) return request_purge(std::move(reply));
            reply(output_value(*result));
          })
      .on("DescribeStream", typed(&KinesisService::describe_stream))
      .on("DescribeStreamSummary", typed(&KinesisService::describe_stream_summary))
      .on("ListStreams", typed(&KinesisService::list_streams))
      .on("ListShards", typed(&KinesisService::list_shards))
      .on("IncreaseStreamRetentionPeriod", typed(&KinesisService::increase_retention))
      .on("DecreaseStreamRetentionPeriod", typed(&KinesisService::decrease_retention))
      .on("AddTagsToStream", typed(&KinesisService::add_tags))
      .on("RemoveTagsFromStream", typed(&KinesisService::remove_tags))
      .on("ListTagsForStream", typed(&KinesisService::list_tags_for_stream))
      .on("TagResource", typed(&KinesisService::tag_resource))
      .on("UntagResource", typed(&KinesisService::untag_resource))
      .on("ListTagsForResource", typed(&KinesisService::list_tags_for_resource))
      .on("DescribeLimits", typed(&KinesisService::describe_limits))
      .on("DescribeAccountSettings", typed(&KinesisService::describe_account_settings))
      .on("UpdateAccountSettings", typed(&KinesisService::update_account_settings))
      .on("SplitShard", typed(&KinesisService::split_shard, StreamEvent::Kind::kResharded))
      .on("MergeShards", typed(&KinesisService::merge_shards, StreamEvent::Kind::kResharded))
      .on("RegisterStreamConsumer", typed(&KinesisService::register_consumer))
      .on("DeregisterStreamConsumer", typed(&KinesisService::deregister_consumer))
      .on("DescribeStreamConsumer", typed(&KinesisService::describe_consumer))
      .on("ListStreamConsumers", typed(&KinesisService::list_consumers))
      .on("SubscribeToShard", typed_async(&KinesisService::subscribe_to_shard))
      .on("StartStreamEncryption", typed(&KinesisService::start_stream_encryption))
      .on("StopStreamEncryption", typed(&KinesisService::stop_stream_encryption))
      .on("UpdateShardCount", typed(&KinesisService::update_shard_count, StreamEvent::Kind::kResharded))
      .on("UpdateStreamMode", typed(&KinesisService::update_stream_mode))
      .on("UpdateMaxRecordSize", typed(&KinesisService::update_max_record_size))
      .on("UpdateStreamWarmThroughput", typed(&KinesisService::update_stream_warm_throughput))
      .on("EnableEnhancedMonitoring", typed(&KinesisService::enable_enhanced_monitoring))
      .on("DisableEnhancedMonitoring", typed(&KinesisService::disable_enhanced_monitoring))
      .on("PutResourcePolicy", typed(&KinesisService::put_resource_policy))
      .on("GetResourcePolicy", typed(&KinesisService::get_resource_policy))
      .on("DeleteResourcePolicy", typed(&KinesisService::delete_resource_policy))
      .otherwise([this](const protocol::OperationModel& op, Value in, const Ctx&, protocol::OperationReply reply) {
        // No typed input: an operation runnel does not serve.
        const StreamRef stream{input_string(in, "StreamName"), input_string(in, "StreamARN")};
        if (admit(op.name, stream, reply)) reply(std::unexpected(not_supported(op.name)));
      });
  return table;
}

std::unique_ptr<protocol::FastDecoder> KinesisService::fast_decoder() {
  return std::make_unique<PutRecordsDecoder>(kinesis_model());
}

void KinesisService::handle(const protocol::OperationModel& op, Value input, const Ctx& ctx,
                            protocol::OperationReply reply) {
  std::call_once(table_once_, [this] { table_ = std::make_unique<protocol::OperationTable>(operations()); });
  (*table_->find(op))(op, std::move(input), ctx, std::move(reply));
}

std::string KinesisService::stream_arn(const StreamState& s) const {
  return "arn:aws:kinesis:" + s.region + ":" + options_.account_id + ":stream/" + s.name;
}

std::string KinesisService::not_found_message(std::string_view name) const {
  return "Stream " + std::string(name) + " under account " + options_.account_id + " not found.";
}

protocol::ApiResult<StreamState*> KinesisService::find_stream_by_arn_locked(const std::string& arn, const Ctx&) {
  // arn:<partition>:kinesis:<region>:<account>:stream/<name>
  size_t colons[5];
  size_t pos = 0;
  for (size_t i = 0; i < 5; ++i) {
    pos = arn.find(':', i == 0 ? 0 : colons[i - 1] + 1);
    if (pos == std::string::npos) return std::unexpected(protocol::invalid_argument("Invalid StreamARN " + arn + "."));
    colons[i] = pos;
  }
  std::string account = arn.substr(colons[3] + 1, colons[4] - colons[3] - 1);
  std::string resource = arn.substr(colons[4] + 1);
  if (resource.rfind("stream/", 0) != 0 || resource.find("/consumer/") != std::string::npos)
    return std::unexpected(protocol::invalid_argument("Invalid StreamARN " + arn + "."));
  std::string name = resource.substr(7);
  if (account != options_.account_id)
    return std::unexpected(
        protocol::resource_not_found("Stream " + name + " under account " + account + " not found."));
  auto it = streams_.find(name);
  if (it == streams_.end()) return std::unexpected(protocol::resource_not_found(not_found_message(name)));
  return &it->second;
}

protocol::ApiResult<StreamState*> KinesisService::find_stream_locked(StreamRef ref, const Ctx& ctx) {
  const std::string* name = ref.name;
  const std::string* arn = ref.arn;
  if (arn) {
    auto s = find_stream_by_arn_locked(*arn, ctx);
    if (s && name && *name != (*s)->name)
      return std::unexpected(protocol::invalid_argument("StreamARN " + *arn + " and StreamName " + *name +
                                                        " do not refer to the same stream."));
    return s;
  }
  if (!name) return std::unexpected(protocol::invalid_argument("Either StreamName or StreamARN must be provided."));
  auto it = streams_.find(*name);
  if (it == streams_.end()) return std::unexpected(protocol::resource_not_found(not_found_message(*name)));
  return &it->second;
}

StreamState* KinesisService::find_stream_by_uid_locked(uint64_t uid) {
  auto it = names_by_uid_.find(uid);
  if (it == names_by_uid_.end()) return nullptr;
  auto s = streams_.find(it->second);
  return s == streams_.end() || s->second.uid != uid ? nullptr : &s->second;
}

std::string KinesisService::stream_name_of_uid_locked(uint64_t uid) const {
  if (auto it = names_by_uid_.find(uid); it != names_by_uid_.end()) return it->second;
  if (auto it = deleted_names_.find(uid); it != deleted_names_.end()) return it->second;
  return "?";
}

size_t KinesisService::account_open_shards_locked() const {
  size_t open = 0;
  for (const auto& [_, s] : streams_) open += s.open_shard_count();
  return open;
}

ApiError KinesisService::shard_limit_error(size_t open_now, size_t additional, const std::string& region) const {
  return protocol::limit_exceeded(
      "This request would exceed the shard limit for the account " + options_.account_id + " in " + region +
      ". Current shard count for the account: " + std::to_string(open_now) +
      ". Limit: " + std::to_string(options_.shard_limit) +
      ". Number of additional shards that would have resulted from this request: " + std::to_string(additional) +
      ". Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/"
      "aws_service_limits.html) for current limits and how to request higher limits.");
}

std::optional<ApiError> KinesisService::require_active(const StreamState& s) const {
  if (s.status == StreamStatus::kActive) return std::nullopt;
  return protocol::resource_in_use("Stream " + s.name + " under account " + options_.account_id +
                                   " not ACTIVE, instead in state " + std::string(to_string(s.status)));
}

std::optional<ApiError> KinesisService::commit_update_locked(StreamState& s, StreamState next, int64_t now,
                                                             bool go_updating) {
  if (go_updating) {
    next.status = StreamStatus::kUpdating;
    next.transition_at_ms = now + options_.update_stream_ms;
  }
  if (Status st = persist_locked(next); !st) return protocol::internal_failure();
  s = std::move(next);
  attach_metrics_locked(s);
  if (s.status == StreamStatus::kUpdating) schedule_transition_locked(s.transition_at_ms);
  return std::nullopt;
}

void KinesisService::attach_metrics_locked(StreamState& s) {
  metrics::Registry* registry = options_.metrics;
  if (!registry) return;
  if (!s.metrics) s.metrics = StreamMetrics::make(*registry, s.name);
  for (Consumer& c : s.consumers)
    if (!c.metrics) c.metrics = ConsumerMetrics::make(*registry, s.name, c.name);
  const uint8_t mask = shard_metric_mask(s.shard_level_metrics);
  for (Shard& sh : s.shards) {
    const uint8_t have = sh.metrics ? sh.metrics->mask() : 0;
    if (have != mask) sh.metrics = ShardMetrics::make(*registry, s.name, sh.index, mask, sh.metrics.get());
  }
}

void KinesisService::drop_metrics(const StreamState& s) {
  metrics::Registry* registry = options_.metrics;
  if (!registry) return;
  if (s.metrics) s.metrics->drop(*registry);
  for (const Consumer& c : s.consumers)
    if (c.metrics) c.metrics->drop(*registry);
  for (const Shard& sh : s.shards)
    if (sh.metrics) sh.metrics->drop(*registry);
}

Status KinesisService::persist_locked(const StreamState& s) {
  return metadata_.put("stream", s.name, protocol::encode_json(to_document(s)));
}

void KinesisService::schedule_transition_locked(int64_t at_ms) {
  int64_t cur = next_transition_ms_.load();
  while (at_ms < cur && !next_transition_ms_.compare_exchange_weak(cur, at_ms)) {
  }
}

void KinesisService::advance_transitions() {
  int64_t now = now_ms();
  if (now >= next_transition_ms_.load(std::memory_order_relaxed)) {
    WriterLock lock(mu_);
    advance_transitions_locked(now);
  }
  if (purges_queued_.load()) request_purge({});
}

void KinesisService::run_purges() {
  std::vector<Purge> work;
  {
    WriterLock lock(mu_);
    work.swap(purges_);
    purges_queued_ = false;
  }
  for (Purge& p : work) {
    // One checkpoint for all of the stream's shards, written while no lock
    // of ours is held: the log's writer keeps committing other streams' puts.
    Status st = log_.drop_shards(p.shards);
    WriterLock lock(mu_);
    purging_.erase(p.uid);
    auto it = streams_.find(p.name);
    if (it == streams_.end() || it->second.uid != p.uid) continue;
    if (st) st = metadata_.remove("stream", p.name);
    if (!st) {
      spdlog::error("deleting stream {}: {}", p.name, st.to_string());
      schedule_transition_locked(now_ms() + 1000);  // advance_transitions_locked queues it again
      continue;
    }
    for (storage::ShardKey key : p.shards) {
      throughput_.forget(key);
      stream_of_shard_.erase(key);
    }
    log_.clear_retention(p.shards);
    names_by_uid_.erase(p.uid);
    // Values recorded so far are still flushed; later ones are discarded.
    drop_metrics(it->second);
    deleted_names_[p.uid] = p.name;
    if (deleted_names_.size() > kDeletedNamesKept) deleted_names_.erase(deleted_names_.begin());
    streams_.erase(it);
  }
}

void KinesisService::advance_transitions_locked(int64_t now) {
  int64_t next = INT64_MAX;
  for (auto it = streams_.begin(); it != streams_.end();) {
    StreamState& s = it->second;
    advance_consumers_locked(s, now, next);
    if (s.status == StreamStatus::kActive) {
      ++it;
      continue;
    }
    if (s.transition_at_ms > now) {
      next = std::min(next, s.transition_at_ms);
      ++it;
      continue;
    }
    if (s.status == StreamStatus::kDeleting) {
      // run_purges() finishes it, or on failure schedules the next try.
      if (purging_.insert(s.uid).second) {
        Purge p{s.name, s.uid, {}};
        p.shards.reserve(s.shards.size());
        for (const auto& sh : s.shards) p.shards.push_back(sh.key);
        purges_.push_back(std::move(p));
        purges_queued_ = true;
      }
      ++it;
      continue;
    }
    s.status = StreamStatus::kActive;
    if (Status st = persist_locked(s); !st) spdlog::error("persisting stream {}: {}", s.name, st.to_string());
    ++it;
  }
  next_transition_ms_ = next;
}

void KinesisService::advance_consumers_locked(StreamState& s, int64_t now, int64_t& next) {
  bool changed = false;
  for (auto c = s.consumers.begin(); c != s.consumers.end();) {
    if (c->status == ConsumerStatus::kActive) {
      ++c;
    } else if (c->transition_at_ms > now) {
      next = std::min(next, c->transition_at_ms);
      ++c;
    } else if (c->status == ConsumerStatus::kDeleting) {
      if (c->metrics && options_.metrics) c->metrics->drop(*options_.metrics);
      c = s.consumers.erase(c);
      changed = true;
    } else {
      c->status = ConsumerStatus::kActive;
      changed = true;
      ++c;
    }
  }
  if (changed && s.status != StreamStatus::kDeleting)
    if (Status st = persist_locked(s); !st) spdlog::error("persisting stream {}: {}", s.name, st.to_string());
}

}  // namespace runnel::streams
