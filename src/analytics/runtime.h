#pragma once
// Runtime: runs the applications that are RUNNING. For each one it compiles
// the application code into a sql::Engine, reads the input (input_source.h:
// a Data Streams stream through the internal API, as a consumer: every
// shard, children after parents; or a Firehose delivery stream's log shard),
// sends the records through the Lambda preprocessor if there is one
// (lambda_events.h), turns each record into rows of the in-application input
// streams by the input schema (sql::RecordReader), lets time pass so windows
// close, and writes the rows of each output's in-application stream to its
// destination (Data Streams, Firehose, a Lambda function) as JSON or CSV
// records, retrying until they are taken. docs/analytics-engine.md.
//
// Starting position (StartApplication's InputStartingPositionConfiguration):
// NOW reads what is put from the start on; TRIM_HORIZON everything the
// stream still holds; LAST_STOPPED_POINT goes on after the last record whose
// results were written (the checkpoint, kept in the MetadataStore under
// kind `analytics.checkpoint`, key the application's name), or from NOW when
// there is none. A restart of runnel resumes a RUNNING application from its
// checkpoint, so records are processed and outputs written at least once.
//
// What a run does not survive: window state (rows of a tumbling window that
// had not closed when the application stopped are read again only if their
// records come after the checkpoint), as KDA's in-application streams did
// not either.
//
// Threads: one thread of its own runs every application in turn (start()
// .. stop()); `wanted` and `delivery_stream_source` are called on it, and
// Lambda functions are invoked from it, synchronously. DataStreams' put
// callbacks run on the log's thread and only complete a promise the runtime
// thread waits on.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "analytics/input_source.h"
#include "common/mutex.h"
#include "common/status.h"
#include "firehose/kinesis_source.h"
#include "firehose/lambda.h"
#include "firehose/log_readers.h"
#include "s3/object_store.h"
#include "sql/record_format.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/data_streams.h"

namespace runnel::analytics {

// One application as the runtime needs it.
struct RunSpec {
  std::string name;
  std::string arn;
  int64_t version = 0;  // ApplicationVersionId: a new version is a restart
  // When StartApplication started this run (epoch ms): a checkpoint of the
  // same run is resumed whatever the starting position (runnel restarted).
  int64_t run = 0;
  std::string code;
  // The input (at most one): a Data Streams stream or a Firehose delivery
  // stream, by name, and its ResourceARN.
  std::string input_stream;
  std::string input_delivery_stream;
  std::string input_arn;
  // InputProcessingConfiguration's InputLambdaProcessor (function ARN):
  // every record goes through it before it becomes rows. Empty: none.
  std::string input_lambda_arn;
  std::string name_prefix = "SOURCE_SQL_STREAM";
  int parallelism = 1;
  sql::SourceSchema schema;
  std::string starting_position = "NOW";  // NOW, TRIM_HORIZON, LAST_STOPPED_POINT
  struct Output {
    std::string name;  // the in-application stream
    std::string kinesis_stream;
    std::string delivery_stream;
    std::string lambda_arn;
    sql::RecordFormatType format = sql::RecordFormatType::kJson;
  };
  std::vector<Output> outputs;
  // Reference data: an S3 object loaded into an in-application table when
  // the application (or a new version of it) starts.
  struct Reference {
    std::string table;
    std::string bucket;
    std::string key;
    sql::SourceSchema schema;
  };
  std::vector<Reference> references;
};

// What the runtime knows of a running application (for tests and logs).
struct RunState {
  bool running = false;
  std::string error;  // why it does not run (a compile error, a missing stream)
  uint64_t records_in = 0;
  uint64_t rows_out = 0;
  uint64_t error_rows = 0;
};

struct RuntimeOptions {
  // The applications that should run now (RUNNING), asked every 100 ms.
  std::function<std::vector<RunSpec>()> wanted;
  // How often windows are given the time when nothing arrives.
  int64_t tick_ms = 10;
  // A Firehose delivery stream output: puts records, calls done with the
  // number accepted (the rest are retried). Null: Firehose outputs fail.
  std::function<void(const std::string& delivery_stream, std::vector<std::string> records,
                     std::function<void(Result<size_t>)> done)>
      put_firehose;
  // Where reference data objects are read (the embedded store or
  // --s3-endpoint's). Null: applications with reference data fail to start.
  s3::ObjectStore* objects = nullptr;
  // Where Lambda preprocessors and Lambda outputs are invoked (the server's
  // --lambda-endpoint, as Firehose's). No endpoint: applications with either
  // do not run (StartApplication refuses them first).
  firehose::LambdaSettings lambda;
  // A Firehose delivery stream as input: what holds its records, or
  // nullopt when it does not exist. A DirectPut stream's log shard is read
  // from `log` (records encrypted at rest with `key_file`'s key); a
  // KinesisStreamAsSource stream's Kinesis stream through `streams`.
  using DeliveryStreamSource = analytics::DeliveryStreamSource;
  FindDeliveryStream delivery_stream_source;
  storage::Log* log = nullptr;
  std::string key_file = "kms.key";
  // Where a running application says which delivery stream records it
  // still needs, so that Firehose's delivery does not let the log drop
  // them (firehose/log_readers.h). Null: not said.
  firehose::LogReaders* log_readers = nullptr;
};

class Runtime {
 public:
  // `streams` and `metadata` must outlive this object.
  Runtime(RuntimeOptions options, streams::DataStreams& streams, storage::MetadataStore& metadata);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  void start() EXCLUDES(mu_);
  void stop() EXCLUDES(mu_);

  std::optional<RunState> state(const std::string& application) const EXCLUDES(mu_);

  // Removes an application's checkpoint (DeleteApplication).
  void forget(const std::string& application);

  struct App;

 private:
  void run();
  void reconcile(const std::vector<RunSpec>& wanted);
  bool step(App& app, int64_t now);
  struct Preprocessed;
  // Sends `records` through the application's Lambda preprocessor: what
  // became of each, in order; fewer than `records` when stopping cut it short.
  std::vector<Preprocessed> preprocess(App& app, const std::vector<firehose::SourceRecord>& records);
  // Sends the oldest records of Lambda output `output` (index into the
  // app's outputs) to its function; the records it did not take stay,
  // first, with their retry hints. Returns whether it took any.
  bool write_lambda(App& app, size_t output, int64_t now);

  RuntimeOptions options_;
  streams::DataStreams& streams_;
  storage::MetadataStore& metadata_;
  std::map<std::string, std::unique_ptr<App>> apps_;  // the runtime thread's only
  mutable Mutex mu_;
  std::map<std::string, RunState> states_ GUARDED_BY(mu_);
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace runnel::analytics
