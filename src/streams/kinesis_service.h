#pragma once
// KinesisService: the Data Streams operations (Kinesis_20131202.*). It owns the
// stream registry (all streams and shards in memory, persisted to the
// MetadataStore on every change) and turns data-plane calls into appends to
// and reads from storage::Log.
//
// Threads: handle() runs on net/ threads, concurrently. Stream metadata is
// guarded by one reader-writer lock: data-plane calls take it shared for a
// moment to route, control-plane calls take it exclusively. Puts complete on
// the log's completion thread once their batch is durable (the sync thread
// under --fsync always, the writer thread otherwise: storage::Log::append).

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "metrics/registry.h"
#include "protocol/dispatcher.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/autoscale.h"
#include "streams/data_streams.h"
#include "streams/fanout.h"
#include "streams/input.h"
#include "streams/record_cipher.h"
#include "streams/shard_iterator.h"
#include "streams/stream.h"
#include "streams/tags.h"
#include "streams/throughput.h"
#include "streams/typed_ops.h"

namespace runnel::streams {

struct KinesisOptions {
  std::string account_id = "000000000000";
  int64_t create_stream_ms = 0;  // time spent CREATING
  int64_t delete_stream_ms = 0;  // time spent DELETING
  int64_t update_stream_ms = 0;  // time spent UPDATING
  uint32_t shard_limit = 20000;  // account-wide open shards (AWS's default in large regions)
  uint32_t on_demand_stream_limit = 50;
  // Per-shard read and write limits (streams/throughput.h); off for raw speed.
  bool throughput_limits = true;
  int64_t consumer_create_ms = 0;  // time a consumer spends CREATING
  int64_t consumer_delete_ms = 0;  // time a consumer spends DELETING
  FanOutOptions fanout;
  // The local key file standing in for KMS (streams/record_cipher.h).
  std::string key_file = "kms.key";
  // On-demand scaling (streams/autoscale.h, docs/capacity.md): how often the
  // scaler looks at on-demand streams; 0 turns it off.
  int64_t autoscale_interval_ms = 1000;
  AutoscalePolicy autoscale;
  // AWS's per-account (or per-stream) call rates of the control-plane
  // updates (docs/capacity.md); beyond them a call gets
  // LimitExceededException. Off unless the server turns it on.
  bool control_plane_limits = false;
  // Where the AWS/Kinesis CloudWatch metrics are recorded
  // (docs/kinesis-metrics.md); null records nothing. Must outlive the
  // service.
  metrics::Registry* metrics = nullptr;
  // Whether load() tells the log that every live shard has its retention
  // (Log::retention_settings_complete). The server turns it off when other
  // services (Firehose) keep shards in the same log, and says so itself once
  // they have all loaded: until then their shards would expire.
  bool complete_retention_on_load = true;
};

// Why `text` is not an IAM-style JSON policy document, or nullopt when it
// is one (ops_policy.cc; rules in docs/operations.md).
std::optional<std::string> policy_document_problem(std::string_view text);

class KinesisService final : public protocol::Service {
 public:
  // `log` and `metadata` must outlive the service.
  KinesisService(KinesisOptions options, storage::Log& log, storage::MetadataStore& metadata, std::string iterator_key);
  // Stops the autoscaler and purge threads if shutdown() has not.
  ~KinesisService() override;
  KinesisService(const KinesisService&) = delete;
  KinesisService& operator=(const KinesisService&) = delete;

  // Loads the streams from the metadata store and starts the autoscaler
  // thread (when options.autoscale_interval_ms > 0). Call once, before
  // serving.
  Status load();

  // protocol::Service: the Kinesis model's operations, each with its
  // handler (built once; a table indexed by operation), the PutRecords
  // one-pass decoder, and AWS CBOR 1.1 for the Java SDK.
  std::string_view name() const override { return "kinesis"; }
  protocol::OperationTable operations() override;
  std::unique_ptr<protocol::FastDecoder> fast_decoder() override;
  bool takes_amz_cbor() const override { return true; }

  // Runs one operation through the same table (tests call this).
  void handle(const protocol::OperationModel& op, protocol::Value input, const protocol::RequestContext& ctx,
              protocol::OperationReply reply);

  // Ends every SubscribeToShard stream and stops the fan-out and autoscaler
  // threads. Call before stopping the HTTP server and closing the log.
  void shutdown() override;

  // One round of on-demand scaling (streams/autoscale.h): splits the hot
  // shards of ON_DEMAND streams. The autoscaler thread calls it every
  // options.autoscale_interval_ms; tests may call it directly. Thread-safe
  // (takes the registry lock exclusively while it splits).
  void autoscale_once();

  // Stream events for DataStreams (data_streams.h): watchers are called on
  // the thread that caused the event; add and remove from any thread.
  int add_watcher(std::function<void(const StreamEvent&)> watcher);
  void remove_watcher(int id);
  // The stream and shard of a log shard key (takes the registry lock shared:
  // never from the log's thread).
  std::optional<ShardLocation> locate_shard(storage::ShardKey key) const;

  // Wall clock in epoch ms; tests may override.
  std::function<int64_t()> now_ms;
  // The write rate the autoscaler sees per shard; by default the measured
  // ShardThroughput::write_rate. Tests may override before load().
  ShardWriteRate shard_write_rate;

 private:
  using Value = protocol::Value;
  using Ctx = protocol::RequestContext;
  template <class T>
  using ApiResult = protocol::ApiResult<T>;

  // Control plane (ops_lifecycle.cc)
  ApiResult<NoOutput> create_stream(const api::CreateStreamInput& in, const Ctx& ctx);
  // Answered once the stream is gone when delete_stream_ms is 0 (operations()).
  ApiResult<NoOutput> delete_stream(const api::DeleteStreamInput& in, const Ctx& ctx);
  ApiResult<api::DescribeStreamOutput> describe_stream(const api::DescribeStreamInput& in, const Ctx& ctx);
  ApiResult<api::DescribeStreamSummaryOutput> describe_stream_summary(const api::DescribeStreamSummaryInput& in,
                                                                      const Ctx& ctx);
  ApiResult<api::ListStreamsOutput> list_streams(const api::ListStreamsInput& in, const Ctx& ctx);
  ApiResult<api::ListShardsOutput> list_shards(const api::ListShardsInput& in, const Ctx& ctx);
  ApiResult<NoOutput> increase_retention(const api::IncreaseStreamRetentionPeriodInput& in, const Ctx& ctx);
  ApiResult<NoOutput> decrease_retention(const api::DecreaseStreamRetentionPeriodInput& in, const Ctx& ctx);
  ApiResult<NoOutput> change_retention(StreamRef ref, int64_t hours, const Ctx& ctx, bool increase);
  // Account (ops_account.cc)
  ApiResult<api::DescribeLimitsOutput> describe_limits(const api::DescribeLimitsInput& in, const Ctx& ctx);
  ApiResult<api::DescribeAccountSettingsOutput> describe_account_settings(const api::DescribeAccountSettingsInput& in,
                                                                          const Ctx& ctx);
  ApiResult<api::UpdateAccountSettingsOutput> update_account_settings(const api::UpdateAccountSettingsInput& in,
                                                                      const Ctx& ctx);
  // Tags (ops_tags.cc)
  ApiResult<NoOutput> add_tags(const api::AddTagsToStreamInput& in, const Ctx& ctx);
  ApiResult<NoOutput> remove_tags(const api::RemoveTagsFromStreamInput& in, const Ctx& ctx);
  ApiResult<api::ListTagsForStreamOutput> list_tags_for_stream(const api::ListTagsForStreamInput& in, const Ctx& ctx);
  ApiResult<NoOutput> tag_resource(const api::TagResourceInput& in, const Ctx& ctx);
  ApiResult<NoOutput> untag_resource(const api::UntagResourceInput& in, const Ctx& ctx);
  ApiResult<api::ListTagsForResourceOutput> list_tags_for_resource(const api::ListTagsForResourceInput& in,
                                                                   const Ctx& ctx);
  // AddTagsToStream and RemoveTagsFromStream of the stream `ref` names (also
  // TagResource and UntagResource on a stream ARN).
  ApiResult<NoOutput> add_stream_tags(StreamRef ref, const TagList& tags, const Ctx& ctx);
  ApiResult<NoOutput> remove_stream_tags(StreamRef ref, const std::vector<std::string>& keys, const Ctx& ctx);
  // Data plane (ops_data.cc)
  // PutRecord and PutRecords answer once their records are durable (on the
  // request's thread when ctx.run_on_request_thread is set, else on the
  // log's completion thread), or at once with an error. Each takes (moves
  // out) its records' PartitionKey and Data from `in`.
  void put_record(api::PutRecordInput& in, const Ctx& ctx, TypedReply<api::PutRecordOutput> reply);
  void put_records(api::PutRecordsInput& in, const Ctx& ctx, TypedReply<WithRecords<api::PutRecordsOutput>> reply);

 public:
  struct PutAnswer;  // either's reply (ops_data.cc); its completion names it outside the class
 private:
  // What both share: routes and appends `entries` (moving out each one's
  // PartitionKey and Data) to the stream `stream` names; `ordering` is
  // PutRecord's SequenceNumberForOrdering.
  void put(StreamRef stream, std::span<api::PutRecordsRequestEntry> entries, const std::string* ordering,
           const Ctx& ctx, PutAnswer answer);
  ApiResult<api::GetShardIteratorOutput> get_shard_iterator(const api::GetShardIteratorInput& in, const Ctx& ctx);
  // Its Records list is built by record_value.h (a Value tree, or encoded
  // directly in the response's format when ctx.direct_encoding).
  ApiResult<WithRecords<api::GetRecordsOutput>> get_records(const api::GetRecordsInput& in, const Ctx& ctx);
  // The same read for DataStreams::read (the internal API), without a
  // Records list: the readable records as the log keeps them (decrypted),
  // moved into `stored`, with what names their sequence numbers. The answer's
  // `records` is left null. Building a Value tree per record and copying it
  // back out cost the Analytics runtime a third of its input path.
  struct StoredRecords {
    std::vector<storage::StoredRecord> records;
    int64_t shard_created_secs = 0;
    uint32_t shard_index = 0;
  };
  ApiResult<WithRecords<api::GetRecordsOutput>> get_records_stored(const api::GetRecordsInput& in, const Ctx& ctx,
                                                                   StoredRecords& stored);
  ApiResult<WithRecords<api::GetRecordsOutput>> read_records(const api::GetRecordsInput& in, const Ctx& ctx,
                                                             StoredRecords* stored);
  // Resharding (ops_reshard.cc)
  ApiResult<NoOutput> split_shard(const api::SplitShardInput& in, const Ctx& ctx);
  ApiResult<NoOutput> merge_shards(const api::MergeShardsInput& in, const Ctx& ctx);
  // Capacity and monitoring (ops_capacity.cc)
  ApiResult<api::UpdateShardCountOutput> update_shard_count(const api::UpdateShardCountInput& in, const Ctx& ctx);
  ApiResult<NoOutput> update_stream_mode(const api::UpdateStreamModeInput& in, const Ctx& ctx);
  ApiResult<NoOutput> update_max_record_size(const api::UpdateMaxRecordSizeInput& in, const Ctx& ctx);
  ApiResult<api::UpdateStreamWarmThroughputOutput> update_stream_warm_throughput(
      const api::UpdateStreamWarmThroughputInput& in, const Ctx& ctx);
  ApiResult<api::EnhancedMonitoringOutput> enable_enhanced_monitoring(const api::EnableEnhancedMonitoringInput& in,
                                                                      const Ctx& ctx);
  ApiResult<api::EnhancedMonitoringOutput> disable_enhanced_monitoring(const api::DisableEnhancedMonitoringInput& in,
                                                                       const Ctx& ctx);
  ApiResult<api::EnhancedMonitoringOutput> change_enhanced_monitoring(StreamRef ref,
                                                                      const std::vector<std::string>& metrics,
                                                                      const Ctx& ctx, bool enable);
  // Resource policies (ops_policy.cc)
  ApiResult<NoOutput> put_resource_policy(const api::PutResourcePolicyInput& in, const Ctx& ctx);
  ApiResult<api::GetResourcePolicyOutput> get_resource_policy(const api::GetResourcePolicyInput& in, const Ctx& ctx);
  ApiResult<NoOutput> delete_resource_policy(const api::DeleteResourcePolicyInput& in, const Ctx& ctx);
  // Enhanced fan-out (ops_consumers.cc, ops_subscribe.cc)
  ApiResult<api::RegisterStreamConsumerOutput> register_consumer(const api::RegisterStreamConsumerInput& in,
                                                                 const Ctx& ctx);
  ApiResult<NoOutput> deregister_consumer(const api::DeregisterStreamConsumerInput& in, const Ctx& ctx);
  ApiResult<api::DescribeStreamConsumerOutput> describe_consumer(const api::DescribeStreamConsumerInput& in,
                                                                 const Ctx& ctx);
  ApiResult<api::ListStreamConsumersOutput> list_consumers(const api::ListStreamConsumersInput& in, const Ctx& ctx);
  // Answers only refusals; once admitted, FanOut owns the event stream.
  void subscribe_to_shard(api::SubscribeToShardInput& in, const Ctx& ctx,
                          TypedReply<api::SubscribeToShardOutput> reply);
  // Encryption at rest (ops_encryption.cc)
  ApiResult<NoOutput> start_stream_encryption(const api::StartStreamEncryptionInput& in, const Ctx& ctx);
  ApiResult<NoOutput> stop_stream_encryption(const api::StopStreamEncryptionInput& in, const Ctx& ctx);
  // Called from a put's append callback once records of these shards are
  // durable, before the puts that wrote them are acknowledged: on the log's
  // sync thread under --fsync always, its writer thread otherwise
  // (storage::Log::append). Never blocks.
  void records_durable(const std::vector<storage::ShardKey>& shards);

  // --- resharding mechanics (ops_reshard.cc); callers hold mu_ exclusively ---
  // Replaces the open shards of `s` with `target` shards of uniform hash
  // ranges, by splits and merges whose short-lived shards close at once
  // (docs/resharding.md). Persists; the stream goes UPDATING for
  // options_.update_stream_ms. On failure `s` is unchanged.
  ApiResult<Value> reshard_uniform_locked(StreamState& s, uint32_t target) REQUIRES(mu_);
  // Splits the open shard `index` of `s` at `new_start` (already checked
  // against SplitShard's rule), persists, and registers the children.
  ApiResult<Value> split_locked(StreamState& s, uint32_t index, HashKey new_start, bool go_updating) REQUIRES(mu_);
  // Open shards in the whole account.
  size_t account_open_shards_locked() const REQUIRES_SHARED(mu_);
  // AWS's LimitExceededException for going past the account shard limit.
  protocol::ApiError shard_limit_error(size_t open_now, size_t additional, const std::string& region) const;
  // ResourceInUseException unless `s` is ACTIVE (AWS's wording).
  std::optional<protocol::ApiError> require_active(const StreamState& s) const;
  // Makes `next` the stream `s`: UPDATING until now + update_stream_ms when
  // `go_updating`, persisted, and its transition scheduled. Caller holds mu_
  // exclusively. On failure (InternalFailure) `s` is unchanged.
  std::optional<protocol::ApiError> commit_update_locked(StreamState& s, StreamState next, int64_t now,
                                                         bool go_updating) REQUIRES(mu_);

  // --- control-plane call rates (kinesis_service.cc) ---
  // LimitExceededException when `op` has already been called `per_second`
  // times within the last second (for `scope`: a stream name, or "" for the
  // account); otherwise counts this call. No-op unless
  // options_.control_plane_limits. Thread-safe.
  std::optional<protocol::ApiError> rate_limit(std::string_view op, std::string_view scope, int per_second,
                                               std::string_view stream_for_message) EXCLUDES(rate_mu_);
  void autoscale_loop() EXCLUDES(autoscale_mu_, mu_);

  // --- shared helpers (kinesis_service.cc) ---
  // The stream named by StreamName and/or StreamARN (AWS accepts either).
  // Caller holds mu_ (shared or exclusive).
  ApiResult<StreamState*> find_stream_locked(StreamRef ref, const Ctx& ctx) REQUIRES_SHARED(mu_);
  ApiResult<StreamState*> find_stream_by_arn_locked(const std::string& arn, const Ctx& ctx) REQUIRES_SHARED(mu_);
  StreamState* find_stream_by_uid_locked(uint64_t uid) REQUIRES_SHARED(mu_);
  // The name of stream incarnation `uid`, live or recently deleted; "?" when
  // runnel no longer knows it (deleted before a restart, or long ago).
  std::string stream_name_of_uid_locked(uint64_t uid) const REQUIRES_SHARED(mu_);
  std::string stream_arn(const StreamState& s) const;
  // Consumers (ops_consumers.cc). Callers hold mu_.
  struct ConsumerRef {
    StreamState* stream;
    Consumer* consumer;
  };
  // The consumer named by ConsumerARN, or by StreamARN and ConsumerName
  // (each null when absent).
  ApiResult<ConsumerRef> find_consumer_locked(const std::string* consumer_arn, const std::string* stream_arn,
                                              const std::string* consumer_name, const Ctx& ctx) REQUIRES_SHARED(mu_);
  ApiResult<ConsumerRef> find_consumer_by_arn_locked(const std::string& arn, const Ctx& ctx) REQUIRES_SHARED(mu_);
  std::string consumer_arn(const StreamState& s, const Consumer& c) const;
  api::Consumer consumer_output(const StreamState& s, const Consumer& c) const;
  // The fan-out thread's view of a subscription's shard (ops_subscribe.cc).
  ApiResult<ShardView> subscription_view(const SubscriptionSpec& spec);
  std::string not_found_message(std::string_view name) const;
  // Metrics (stream_metrics.h). Gives `s`, its consumers and its shards the
  // series handles they lack, and its shards those of its ShardLevelMetrics
  // setting now (dropping the series of metrics turned off). Call after any
  // change of the live stream's shards, consumers or settings, with mu_
  // held exclusively. No-op without options_.metrics.
  void attach_metrics_locked(StreamState& s) REQUIRES(mu_);
  // Registry::drop of every series of `s` (it was removed).
  void drop_metrics(const StreamState& s);
  // Writes the stream's document; caller holds mu_ exclusively.
  Status persist_locked(const StreamState& s) REQUIRES(mu_);
  // Applies due CREATING/UPDATING/DELETING transitions.
  void advance_transitions() EXCLUDES(mu_);
  // Under mu_ (exclusive). A stream whose DELETING time is up is queued in
  // purges_, not removed: run_purges() removes it once mu_ is released.
  void advance_transitions_locked(int64_t now) REQUIRES(mu_);
  // Removes the streams queued in purges_: drops all their shards from the
  // log in one durable step with no lock held (other streams' requests go on
  // meanwhile), then removes the metadata document and the registry entries
  // under mu_. Call with mu_ NOT held. Log first: a crash in between leaves a
  // DELETING stream whose deletion the next start finishes.
  void run_purges() EXCLUDES(mu_);
  // Asks the purge thread (started at the first call) for a run_purges()
  // pass; `reply`, if set, is answered with an empty result after that pass
  // (DeleteStream with delete_stream_ms 0 answers once its stream is gone).
  // After shutdown() the pass runs on the caller's thread. Never blocks on
  // the log otherwise: net threads call it.
  void request_purge(protocol::OperationReply reply) EXCLUDES(purge_mu_, mu_);
  void purge_loop() EXCLUDES(purge_mu_, mu_);
  // Stops and joins the purge thread after its last pass.
  void stop_purge_thread() EXCLUDES(purge_mu_);
  void advance_consumers_locked(StreamState& s, int64_t now, int64_t& next) REQUIRES(mu_);
  void schedule_transition_locked(int64_t at_ms) REQUIRES(mu_);
  Status tags_changed_locked(StreamState& s) REQUIRES(mu_);
  struct TaggedResource {
    StreamState* stream;
    std::map<std::string, std::string>* tags;
  };
  ApiResult<TaggedResource> find_tagged_locked(const std::string& arn, const Ctx& ctx) REQUIRES_SHARED(mu_);

  KinesisOptions options_;
  storage::Log& log_;
  storage::MetadataStore& metadata_;
  ShardIteratorCodec iterators_;

  friend class DataStreams;
  // Each operation first moves time-driven transitions along (CREATING ->
  // ACTIVE, ...) and applies AWS's control-plane call rates (`stream` names
  // the stream in their message); false when the call was refused (and
  // answered).
  bool admit(std::string_view op, StreamRef stream, protocol::OperationReply& reply);
  // The OperationHandler of a typed handler (typed_ops.h): the input
  // decoded from the validated Value (strings and blobs moved, not copied),
  // admit(), then `fn`, whose output is encoded back. With `announce`, a
  // success tells DataStreams' watchers about the stream the input names.
  template <class In, class Out>
  protocol::OperationHandler typed(ApiResult<Out> (KinesisService::*fn)(const In&, const Ctx&),
                                   std::optional<StreamEvent::Kind> announce = std::nullopt);
  // The same for an operation that answers later through its TypedReply.
  // The input lives until `fn` returns; `fn` may move out of it.
  template <class In, class Out>
  protocol::OperationHandler typed_async(void (KinesisService::*fn)(In&, const Ctx&, TypedReply<Out>));
  void emit(const StreamEvent& event) EXCLUDES(watch_mu_);
  // Tells DataStreams' watchers about the stream `ref` names.
  void emit_for(StreamRef ref, StreamEvent::Kind kind);
  // Watchers of stream events; watcher_count_ lets the log's thread skip
  // the lock when nobody watches.
  mutable Mutex watch_mu_;
  std::vector<std::pair<int, std::function<void(const StreamEvent&)>>> watchers_ GUARDED_BY(watch_mu_);
  int next_watcher_ GUARDED_BY(watch_mu_) = 1;
  std::atomic<int> watcher_count_{0};
  std::once_flag table_once_;
  std::unique_ptr<protocol::OperationTable> table_;  // handle()'s, built on first use

  mutable SharedMutex mu_;
  std::map<std::string, StreamState, std::less<>> streams_ GUARDED_BY(mu_);  // by name
  std::unordered_map<uint64_t, std::string> names_by_uid_ GUARDED_BY(mu_);
  // Names of the most recently deleted stream incarnations (at most
  // kDeletedNamesKept, oldest uid forgotten first; not persisted), so an
  // iterator of a deleted stream is answered with the stream's name.
  std::map<uint64_t, std::string> deleted_names_ GUARDED_BY(mu_);
  static constexpr size_t kDeletedNamesKept = 10'000;
  std::unordered_map<storage::ShardKey, std::string> stream_of_shard_ GUARDED_BY(mu_);
  std::atomic<int64_t> next_transition_ms_{INT64_MAX};
  struct Purge {
    std::string name;
    uint64_t uid = 0;
    std::vector<storage::ShardKey> shards;
  };
  std::vector<Purge> purges_ GUARDED_BY(mu_);             // due deletions to run
  std::unordered_set<uint64_t> purging_ GUARDED_BY(mu_);  // stream uids queued or being purged
  std::atomic<bool> purges_queued_{false};                // purges_ is not empty
  // The purge thread runs run_purges() (the log's drop and its fsyncs) off
  // the net threads.
  Mutex purge_mu_;
  CondVar purge_cv_;
  bool purge_wanted_ GUARDED_BY(purge_mu_) = false;
  bool purge_stop_ GUARDED_BY(purge_mu_) = false;
  std::vector<protocol::OperationReply> purge_replies_ GUARDED_BY(purge_mu_);  // answered after the next pass
  // Started under purge_mu_; joined by stop_purge_thread() once purge_stop_
  // is set, after which nobody starts it again (not GUARDED_BY: the join
  // happens without the lock, which the thread itself takes).
  std::thread purge_thread_;
  protocol::Value account_settings_ GUARDED_BY(mu_);
  std::unique_ptr<FanOut> fanout_;
  ShardThroughput throughput_;
  RecordCipher cipher_;

  // On-demand scaling: scaler_ is guarded by mu_ (exclusive); the thread
  // sleeps on autoscale_cv_ between rounds.
  OnDemandScaler scaler_ GUARDED_BY(mu_);
  Mutex autoscale_mu_;
  CondVar autoscale_cv_;
  bool autoscale_stop_ GUARDED_BY(autoscale_mu_) = false;
  std::thread autoscale_thread_;
  // Recent accepted calls per (operation, scope), for rate_limit().
  Mutex rate_mu_;
  std::unordered_map<std::string, std::deque<int64_t>> recent_calls_ GUARDED_BY(rate_mu_);
};

}  // namespace runnel::streams
