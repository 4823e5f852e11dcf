#pragma once
// FirehoseService: the control plane of Amazon Data Firehose, all 12
// operations of Firehose_20150804 (docs/firehose.md). It owns the delivery
// streams' metadata (in memory, persisted to the MetadataStore on every
// change), validates configurations as AWS does, appends PutRecord and
// PutRecordBatch records to each DirectPut stream's log shard, and tells the
// DeliveryEngine (the data plane) what exists and when records arrive.
//
// Threads: handlers run on net/ threads, concurrently; one mutex guards the
// streams (held briefly, never across engine, log or metadata-store calls
// that may call back, except the store's own writes). Puts answer once their
// records are durable: on the request's thread when the dispatcher offers
// one (RequestContext::run_on_request_thread), else on the log's completion
// thread, after engine.records_durable() on the latter. Status
// transitions (CREATING → ACTIVE via the engine's check_destination
// callback, ENABLING → ENABLED, DELETING → gone) run on the engine's thread
// or the service's timer thread.

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "firehose/delivery_engine.h"
#include "firehose/destination_config.h"
#include "firehose/firehose_metrics.h"
#include "firehose/stream_spec.h"
#include "firehose/timers.h"
#include "firehose_shapes.h"
#include "protocol/dispatcher.h"
#include "protocol/service.h"
#include "protocol/typed_handler.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/data_streams.h"
#include "streams/record_cipher.h"

namespace runnel::firehose {

struct FirehoseOptions {
  std::string account_id = "000000000000";
  std::string region = "us-east-1";  // for streams loaded at start
  uint32_t stream_limit = 5000;      // delivery streams per account and region
  // AWS's 5 calls per second per account of each control operation
  // (LimitExceededException beyond); the server's --control-plane-limits.
  bool control_plane_limits = true;
  // AWS's DirectPut throughput per stream (ServiceUnavailableException
  // "Slow down." beyond); the server's --throughput-limits.
  bool throughput_limits = true;
  int64_t encryption_transition_ms = 1000;  // time spent ENABLING / DISABLING
  int64_t delete_ms = 0;                    // time spent DELETING
  int32_t encryption_calls_per_day = 25;    // Start + Stop per stream per 24 h
  // The local key file standing in for KMS (streams/record_cipher.h), the
  // one Data Streams uses: <data-dir>/kms.key.
  std::string key_file = "kms.key";
  // Where IncomingBytes, IncomingRecords, IncomingPutRequests and
  // ThrottledRecords are recorded (AWS/Firehose); null: nowhere. Must
  // outlive the service.
  metrics::Registry* metrics = nullptr;
};

class FirehoseService final : public protocol::Service {
 public:
  // `log`, `metadata` and `engine` must outlive the service; `data_streams`
  // too, or be null (then KinesisStreamAsSource is refused).
  FirehoseService(FirehoseOptions options, storage::Log& log, storage::MetadataStore& metadata,
                  streams::DataStreams* data_streams, DeliveryEngine& engine);
  ~FirehoseService() override;
  FirehoseService(const FirehoseService&) = delete;
  FirehoseService& operator=(const FirehoseService&) = delete;

  // Loads the streams from the metadata store: each ACTIVE one is handed to
  // engine.configure(); one left CREATING by a crash is checked again, one
  // left DELETING is deleted, encryption left ENABLING/DISABLING finishes.
  // Call once, before serving.
  Status load();

  std::string_view name() const override { return "firehose"; }
  protocol::OperationTable operations() override;
  // PutRecordBatch decoded in one pass (put_record_batch_decoder.h).
  std::unique_ptr<protocol::FastDecoder> fast_decoder() override;
  void shutdown() override;

  // Runs one operation through the same table (tests call this).
  // PutRecordBatch in process, for other services (Analytics' outputs): the
  // same checks and durability as the API's. `done` gets how many of the
  // leading records were taken (the rest, from the first refused one on,
  // are the caller's to retry), or the error that refused the whole call.
  void put_records(const std::string& name, std::vector<std::string> records, std::function<void(Result<size_t>)> done)
      EXCLUDES(mu_);

  void handle(const protocol::OperationModel& op, protocol::Value input, const protocol::RequestContext& ctx,
              protocol::OperationReply reply);

  // The stream as the engine sees it, or nullopt (tests, diagnostics).
  std::optional<StreamSpec> spec(const std::string& name) const EXCLUDES(mu_);

  // Wall clock in epoch ms; tests may override before load().
  std::function<int64_t()> now_ms;

 private:
  using Ctx = protocol::RequestContext;
  template <class T>
  using ApiResult = protocol::ApiResult<T>;
  template <class T>
  using Reply = std::function<void(ApiResult<T>)>;

  struct Stream {
    StreamSpec spec;
    Secrets secrets;
    std::vector<api::Tag> tags;            // sorted by key
    std::deque<int64_t> encryption_calls;  // epoch ms of Start/Stop calls in the last 24 h
    uint64_t incarnation = 0;              // tells a recreated stream of the same name apart
    // DirectPut throughput (token buckets, refilled per ms)
    double request_tokens = 0, record_tokens = 0, byte_tokens = 0;
    int64_t tokens_ms = 0;
    // AWS/Firehose handles of what arrives (made on the first put).
    std::shared_ptr<FirehoseMetrics> metrics;
  };

  // Operations
  ApiResult<api::CreateDeliveryStreamOutput> create(const api::CreateDeliveryStreamInput& in, const Ctx& ctx);
  ApiResult<protocol::NoOutput> remove(const api::DeleteDeliveryStreamInput& in, const Ctx& ctx);
  ApiResult<api::DescribeDeliveryStreamOutput> describe(const api::DescribeDeliveryStreamInput& in, const Ctx& ctx);
  ApiResult<api::ListDeliveryStreamsOutput> list(const api::ListDeliveryStreamsInput& in, const Ctx& ctx);
  ApiResult<protocol::NoOutput> update_destination(const api::UpdateDestinationInput& in, const Ctx& ctx);
  ApiResult<protocol::NoOutput> start_encryption(const api::StartDeliveryStreamEncryptionInput& in, const Ctx& ctx);
  ApiResult<protocol::NoOutput> stop_encryption(const api::StopDeliveryStreamEncryptionInput& in, const Ctx& ctx);
  ApiResult<protocol::NoOutput> tag(const api::TagDeliveryStreamInput& in, const Ctx& ctx);
  ApiResult<protocol::NoOutput> untag(const api::UntagDeliveryStreamInput& in, const Ctx& ctx);
  ApiResult<api::ListTagsForDeliveryStreamOutput> list_tags(const api::ListTagsForDeliveryStreamInput& in,
                                                            const Ctx& ctx);
  void put_record(api::PutRecordInput& in, const Ctx& ctx, Reply<api::PutRecordOutput> reply);
  void put_record_batch(api::PutRecordBatchInput& in, const Ctx& ctx, Reply<api::PutRecordBatchOutput> reply);

  // Shared by both puts: appends `records` (moved out) and calls `done` with
  // each record's RecordId or error once durable, or with the error that
  // refused the whole call.
  struct PutResult {
    std::vector<api::PutRecordBatchResponseEntry> entries;
    bool encrypted = false;
  };
  // An answer of `n` entries, every one throttled; the appended records'
  // entries are filled in over it.
  static PutResult throttled(size_t n, bool encrypted);
  void put(const std::string& name, std::vector<api::Record>& records, bool batch, const Ctx& ctx,
           std::function<void(ApiResult<PutResult>)> done) EXCLUDES(mu_);

  // Helpers (firehose_service.cc)
  protocol::ApiError not_found(const std::string& name, const Ctx& ctx) const;
  std::optional<protocol::ApiError> rate_limit(std::string_view op, const Ctx& ctx) EXCLUDES(rate_mu_);
  Stream* find_locked(const std::string& name) REQUIRES(mu_);
  Status persist_locked(const Stream& s) REQUIRES(mu_);
  std::string arn(const std::string& region, const std::string& name) const;
  // Asks the engine about the destination of CREATING stream `name`.
  void check_destination(const std::string& name) EXCLUDES(mu_);
  void on_checked(const std::string& name, uint64_t incarnation, std::optional<api::FailureDescription> failure)
      EXCLUDES(mu_);
  // DELETING → gone: engine.remove, drop the log shard, forget the metadata.
  void finish_delete(const std::string& name, uint64_t incarnation) EXCLUDES(mu_);
  // ENABLING → ENABLED, DISABLING → DISABLED.
  void finish_encryption(const std::string& name, uint64_t incarnation) EXCLUDES(mu_);
  ApiResult<protocol::NoOutput> change_encryption(
      const std::string& name, const std::optional<api::DeliveryStreamEncryptionConfigurationInput>& in, bool enable,
      const Ctx& ctx);
  // Charges one put of `records` records and `bytes` bytes against the
  // stream's DirectPut throughput; false when over.
  bool admit_request_locked(Stream& s, const std::string& region) REQUIRES(mu_);
  bool admit_record_locked(Stream& s, uint64_t bytes) REQUIRES(mu_);

  FirehoseOptions options_;
  storage::Log& log_;
  storage::MetadataStore& metadata_;
  streams::DataStreams* data_streams_;
  DeliveryEngine& engine_;
  streams::RecordCipher cipher_;
  Timers timers_;

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Stream>> streams_ GUARDED_BY(mu_);
  uint64_t next_incarnation_ GUARDED_BY(mu_) = 1;

  Mutex rate_mu_;
  std::map<std::string, std::deque<int64_t>, std::less<>> rate_calls_ GUARDED_BY(rate_mu_);  // op → call times

  std::optional<protocol::OperationTable> table_;
};

}  // namespace runnel::firehose
