#pragma once
// Engine: the DeliveryEngine runnel serves with. It reads each delivery
// stream's durable records back from the log, buffers them by SizeInMBs and
// IntervalInSeconds, forms objects (processing, compression, AWS's names)
// and writes them through an s3::ObjectStore, then checkpoints how far it
// delivered so that a restart goes on from there (at-least-once: a crash
// between an object's write and its checkpoint writes that buffer again).
//
// Durability: what PutRecord acknowledged is in the log before the engine
// sees it; the engine's only state of its own is the per-stream checkpoint
// (MetadataStore kind "firehose.delivered": the last log counter delivered,
// docs/firehose.md "Delivery"). It also tells the log which of a stream's
// records may go (Log::set_retention): those delivered, and any older than
// 24 hours, which AWS drops undelivered too.
//
// Threads: one delivery thread owns every stream's state; the public
// methods and the object store's completions only queue work for it, so
// none of them blocks on a delivery. Objects are formed (and compressed)
// on that thread; at most one object per stream is being written at a time.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "firehose/body_pool.h"
#include "firehose/delivery_engine.h"
#include "firehose/delivery_plan.h"
#include "firehose/done_tracker.h"
#include "firehose/firehose_metrics.h"
#include "firehose/http_endpoint.h"
#include "firehose/kinesis_source.h"
#include "firehose/lambda.h"
#include "firehose/log_readers.h"
#include "firehose/processing.h"
#include "firehose/record_conversion.h"
#include "firehose/sender.h"
#include "parquet/schema.h"
#include "s3/object_store.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/data_streams.h"
#include "streams/record_cipher.h"

namespace runnel::firehose {

// A Glue table's columns, as record format conversion reads them.
struct TableColumns {
  std::string version_id;  // the version read
  std::vector<parquet::ColumnSpec> columns;
};

struct EngineOptions {
  // The key file of encryption at rest (streams/record_cipher.h), shared
  // with Data Streams.
  std::string key_file = "kms.key";
  // Source of time (epoch ms); empty: the system clock. Tests inject one.
  std::function<int64_t()> now_ms;
  // Retrying a failed S3 write: AWS retries every 5 seconds for up to 24
  // hours, then drops the data.
  int64_t s3_retry_interval_ms = 5'000;
  int64_t s3_retry_window_ms = 24ll * 3600 * 1000;
  // Dynamic partitioning: buffers at most this many partitions at a time
  // (AWS's default active-partition quota); the records of any further
  // partition go to the error output.
  size_t active_partition_limit = 500;
  // Undelivered records older than this may be dropped from the log.
  int64_t undelivered_retention_ms = 24ll * 3600 * 1000;
  // Where Lambda transformation functions are invoked (--lambda-endpoint).
  LambdaSettings lambda;
  // Where the AWS/Firehose metrics are recorded; null: nowhere. Must
  // outlive the engine.
  metrics::Registry* metrics = nullptr;
  // Where record format conversion reads a table's schema
  // (SchemaConfiguration; VersionId "LATEST": the current version): the
  // Glue catalog (glue/). Errors are Glue's ("Table t not found."). Called
  // on the delivery thread and from check_destination(). Null: streams
  // with conversion keep their records and say why in last_error.
  std::function<Result<TableColumns>(const DataCatalogTable& table)> table_columns;
  // Makes the Sender of a Redshift, OpenSearch, Elasticsearch, OpenSearch
  // Serverless or Splunk stream; empty: make_sender() (senders.h) over the
  // engine's object store. Tests inject fakes.
  std::function<Result<std::unique_ptr<Sender>>(const StreamSpec& spec)> make_sender;
  // How often the delivery thread looks at every stream even when nothing
  // woke it (records found after a restart, clock-driven deliveries).
  int64_t poll_ms = 1000;
  // Other readers of the DirectPut streams' log shards (Analytics): records
  // they still need are not given up when delivered. Null: none. Must
  // outlive the engine.
  const LogReaders* log_readers = nullptr;
};

// What the engine has done for one stream since it started (tests, metrics).
struct DeliveryStats {
  uint64_t objects = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // record bytes delivered, before compression
  uint64_t failed_attempts = 0;
  uint64_t error_records = 0;  // written to the error output (processing or delivery failures)
  uint64_t active_partitions = 0;
  uint64_t delivered_through = 0;  // the checkpoint: last log counter delivered
  std::string last_error;
};

class Engine final : public DeliveryEngine {
 public:
  // Every reference must outlive the engine. `data_streams` (may be null:
  // no KinesisStreamAsSource delivery) is where Kinesis-sourced streams
  // read. Starts the delivery thread.
  Engine(EngineOptions options, storage::Log& log, storage::MetadataStore& metadata, s3::ObjectStore& store,
         streams::DataStreams* data_streams = nullptr);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void check_destination(const StreamSpec& spec,
                         std::function<void(std::optional<api::FailureDescription>)> done) override;
  void configure(const StreamSpec& spec) override;
  void remove(const std::string& name) override;
  void records_durable(const std::string& name) override;
  void wake() EXCLUDES(mu_);

  // A snapshot of a stream's counters; nullopt for a stream it does not know.
  // Any thread.
  std::optional<DeliveryStats> stats(const std::string& name) EXCLUDES(mu_);

  // Stops the delivery thread after the objects being written complete (or
  // fail). Buffers not yet written stay in the log for the next start.
  void stop() EXCLUDES(mu_);

 private:
  struct Stream;
  struct Partition;
  // A piece of a record waiting in a partition's buffer or batch.
  struct Buffered {
    std::string data;                       // what is delivered (processed)
    int64_t arrival_ms = 0;                 // the record's approximate arrival time
    std::string source;                     // its DoneTracker: "" for the log, the shard id of a Kinesis source
    uint64_t ticket = 0;                    // in that tracker
    std::string position;                   // log counter or sequence number, for error records
    std::string error_code, error_message;  // set in the error partitions, and for a Sender's failures
    std::vector<std::pair<std::string, std::string>> error_fields;  // a Sender's further error-record fields
    int64_t sub_sequence = 0;  // the user record's index in its KPL-aggregated Kinesis record (else 0)
  };
  // Records taken from a buffer and being delivered, with what is needed
  // to try again exactly as before: the same object (name and bytes) for
  // S3, the same requestId for an HTTP endpoint.
  struct Batch {
    enum class Phase {
      kDeliver,  // to the destination
      kBackup,   // the batch's backup or error object, to the S3 backup bucket
    };
    uint64_t id = 0;  // in its partition
    Phase phase = Phase::kDeliver;
    std::vector<Buffered> records;
    uint64_t record_bytes = 0;
    std::string bucket, key;  // the object being written (either phase)
    // Its bytes, shared with the store writing them (no copy), kept for a
    // retry; the buffer goes back to bodies_ once both let go.
    std::shared_ptr<const std::string> body;
    std::string request_id;  // kDeliver to an HTTP endpoint or a Sender
    // kSender: each record's SendRecord::id, and the indices of the records
    // a retry is for (empty: every record).
    std::vector<std::string> ids;
    std::vector<size_t> pending;
    int attempts = 0;
    int64_t first_attempt_ms = 0;
    int64_t retry_at_ms = 0;
    bool writing = false;
    bool formed = false;     // body (or request_id) made; record format conversion may have to wait for the schema
    bool delivered = false;  // the destination has the records (a backup may follow)
  };

  static std::string partition_key(const Partition& p);
  int64_t now() const;
  void run();
  void post(std::function<void()> work) EXCLUDES(mu_);
  // A call to the store, an endpoint or a function begins; its completion
  // runs `then` on the delivery thread (stop() waits for every one).
  void started() EXCLUDES(mu_);
  void completed(std::function<void()> then) EXCLUDES(mu_);
  // On the delivery thread only.
  void apply_configure(const StreamSpec& spec);
  void step(Stream& s, int64_t now);
  bool fill(Stream& s);
  void add_record(Stream& s, storage::StoredRecord record, const std::string& source, const std::string& position);
  void buffer_piece(Stream& s, Piece piece, int64_t arrival_ms, const std::string& source, uint64_t ticket,
                    const std::string& position, int64_t sub_sequence = 0);
  void buffer_error(Stream& s, std::string raw, int64_t arrival_ms, const std::string& source, uint64_t ticket,
                    const std::string& position, ProcessingError error);
  void invoke(Stream& s, int64_t now);
  void on_invoked(const std::string& name, uint64_t generation, EndpointResponse response);
  Partition& partition_for(Stream& s, std::vector<std::pair<std::string, std::string>> keys);
  uint64_t take_batch(Stream& s, Partition& p, int64_t now);
  // "<source>.<position>": the record's id, stable across retries and
  // restarts (SendRecord::id, error records' dataId / EventId).
  static std::string record_id(const Stream& s, const Buffered& r);
  // Names `b`'s object in `target` and packs its records into it
  // (CompressionFormat); the compressor's error otherwise.
  Status pack_object(const DeliveryPlan& plan, const S3Target& target, const Partition& p, Batch& b);
  // Makes the batch's object (or request id); false when it cannot yet
  // (retried later) or when no record was left to deliver (`b` is gone).
  bool form(Stream& s, Partition& p, Batch& b, int64_t now);
  // Record format conversion of `b`'s records into a Parquet body; the
  // records that do not convert move to the format-conversion-failed
  // partition. False (and a retry set) when the schema cannot be read.
  bool convert(Stream& s, Batch& b, int64_t now);
  void send(Stream& s, Partition& p, Batch& b);
  void write_object(Stream& s, Partition& p, const Batch& b);
  // The partition holding batch `id`, with *s and *b; null if it is gone.
  Partition* find_batch(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
                        Stream** s, Batch** b);
  void on_written(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
                  Result<s3::ObjectInfo> result);
  void on_posted(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
                 EndpointResponse response);
  void on_sent(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
               SendOutcome outcome);
  void to_backup(Stream& s, Partition& p, Batch& b, std::string_view error_code, const std::string& why, int64_t now);
  // Done with `b` (delivered, backed up or given up on): erases it.
  void finish(Stream& s, Partition& p, Batch& b);
  void checkpoint(Stream& s);
  void retry_later(Stream& s, Batch& b, int64_t at, const std::string& why);
  void record_attempt(const Stream& s, const Batch& b, bool ok, int64_t now) const;
  int64_t next_deadline(int64_t now) const;
  void publish_stats(const Stream& s) EXCLUDES(mu_);

  const EngineOptions options_;
  storage::Log& log_;
  storage::MetadataStore& metadata_;
  s3::ObjectStore& store_;
  streams::DataStreams* const data_streams_;
  int watch_id_ = -1;
  streams::RecordCipher cipher_;
  HttpPoster poster_;
  // Object bodies' buffers, reused (body_pool.h). Shared with the deleters
  // of the bodies still held by stores.
  std::shared_ptr<BodyPool> bodies_ = BodyPool::make();

  // Delivery-thread state (no lock: only run() and what it calls touch it).
  std::map<std::string, std::unique_ptr<Stream>> streams_;
  uint64_t next_generation_ = 1;
  std::mt19937_64 jitter_{std::random_device{}()};  // backoff jitter

  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool wake_ GUARDED_BY(mu_) = false;  // records became durable since the last look
  int in_flight_ GUARDED_BY(mu_) = 0;  // objects being written, for stop()
  std::map<std::string, DeliveryStats> stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace runnel::firehose
