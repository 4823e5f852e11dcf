#include "firehose/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "firehose/compression.h"
#include "firehose/conversion_error.h"
#include "firehose/kpl.h"
#include "firehose/object_key.h"
#include "firehose/prefix_expression.h"
#include "firehose/senders.h"
#include "orc/file_writer.h"
#include "parquet/file_writer.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

constexpr std::string_view kCheckpointKind = "firehose.delivered";
constexpr std::string_view kSourceCheckpointKind = "firehose.source";  // KinesisSource's JSON
constexpr uint32_t kReadRecords = 10'000;

std::optional<uint64_t> parse_counter(const std::string& s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

constexpr size_t kMaxRecordsPerRequest = 10'000;  // HTTP endpoint: records per request

// The stream an ARN arn:aws:kinesis:<region>:<account>:stream/<name> names.
std::string stream_of_arn(const std::string& arn) {
  const size_t slash = arn.find(":stream/");
  return slash == std::string::npos ? arn : arn.substr(slash + 8);
}

std::optional<std::string> saved(storage::MetadataStore& metadata, std::string_view kind, const std::string& name) {
  auto docs = metadata.load_all(kind);
  if (!docs) return std::nullopt;
  for (auto& [key, value] : *docs)
    if (key == name) return std::move(value);
  return std::nullopt;
}

std::string random_string() {
  // !{firehose:random-string}: 11 characters.
  std::string u = random_uuid();
  u.erase(std::remove(u.begin(), u.end(), '-'), u.end());
  return u.substr(0, 11);
}

// The full key of an object of `plan`'s stream whose oldest record arrived
// at `oldest_ms`: the evaluated prefix (or error prefix, for
// `error_output_type`) and AWS's suffix, which `suffix` also receives.
std::string object_key(const DeliveryPlan& plan, const S3Target& target,
                       const std::optional<std::string>& error_output_type, int64_t oldest_ms,
                       const std::vector<std::pair<std::string, std::string>>& keys, std::string& suffix) {
  PrefixValues values;
  values.arrival_ms = oldest_ms;
  values.time_zone = target.time_zone;
  values.query_keys = keys;
  // The suffix's time is in CustomTimeZone too, as the default prefix's is.
  const int64_t local_ms = oldest_ms + zone_offset_seconds(target.time_zone, oldest_ms) * 1000;
  suffix = object_suffix(plan.stream_name, plan.version, civil_utc(local_ms), random_uuid(),
                         error_output_type ? target.error_extension : target.extension);
  if (error_output_type)
    return error_prefix(target.error_output_prefix, target.prefix, *error_output_type, values, random_string) + suffix;
  return object_prefix(target.prefix, values, random_string) + suffix;
}

}  // namespace

// A partition's buffer: every record of a stream without dynamic
// partitioning, or those with one set of partition keys; and the
// processing-failed partition of records that could not be processed.
struct Engine::Partition {
  std::vector<std::pair<std::string, std::string>> keys;
  bool errors = false;
  bool conversion_failed = false;  // errors: the format-conversion-failed partition
  bool backup = false;             // the source-record backup (S3BackupMode Enabled)
  std::vector<Buffered> buffer;
  uint64_t bytes = 0;
  // The records being delivered, by Batch::id. S3 objects go up to
  // kS3BatchesInFlight at once, so the next object is formed (and
  // compressed) while the store writes the one before; an HTTP endpoint
  // gets one request at a time, in order.
  std::map<uint64_t, Batch> batches;
  uint64_t next_batch = 1;
};

// One delivery stream, as the delivery thread sees it.
struct Engine::Stream {
  StreamSpec spec;
  std::optional<DeliveryPlan> plan;  // nullopt: a destination not delivered to (records stay in the log)
  std::unique_ptr<RecordProcessor> processor;
  uint64_t generation = 0;                      // changes when the stream is removed and made again
  uint64_t read_next = 1;                       // DirectPut: the next log counter to read
  std::unique_ptr<KinesisSource> source;        // KinesisStreamAsSource: where records come from
  std::map<std::string, DoneTracker> trackers;  // by source ("" for the log)
  std::map<std::string, Partition> partitions;  // by partition name ("" without dynamic partitioning)
  uint64_t buffered_bytes = 0;                  // in every partition's buffer
  int64_t buffer_sampled_ms = 0;                // when FirehoseBufferedBytes/Records were last recorded
  DeliveryStats stats;
  std::shared_ptr<FirehoseMetrics> metrics;
  // Lambda: sub-records waiting for an invocation, and the one under way.
  std::vector<Buffered> staged;
  uint64_t staged_bytes = 0;
  struct Invocation {
    std::vector<Buffered> records;
    std::string id;
    int attempts = 0;
    int64_t retry_at_ms = 0;
    bool running = false;
  };
  std::optional<Invocation> invocation;
  // Record format conversion: the converter for the table version read last
  // ("<database>.<table>@<version>"), made again when the version changes.
  std::string converter_for;
  std::shared_ptr<const parquet::Schema> schema;
  std::unique_ptr<RecordConverter> converter;
  std::string error_output_type;  // the sender's, kept for when it is gone (stopping)
  // kSender: last, so that it is destroyed (waiting for the sends under
  // way, whose requests point into the batches) before the partitions.
  std::unique_ptr<Sender> sender;
};

namespace {

constexpr std::string_view kErrorsPartition = "\x01processing-failed";
constexpr std::string_view kBackupPartition = "\x01source-backup";
constexpr std::string_view kConversionFailedPartition = "\x01format-conversion-failed";
constexpr uint64_t kMaxBufferedBytes = 256ull << 20;  // read no further ahead than this, all partitions
constexpr size_t kS3BatchesInFlight = 2;

// The buffering hints a partition goes by: the source-record backup's own
// (S3BackupConfiguration.BufferingHints), else the destination's.
uint64_t size_hint(const DeliveryPlan& plan, bool backup) {
  return backup && plan.source_backup && plan.source_backup->size_bytes ? plan.source_backup->size_bytes
                                                                        : plan.size_bytes;
}
int64_t interval_hint(const DeliveryPlan& plan, bool backup) {
  return backup && plan.source_backup && plan.source_backup->interval_ms >= 0 ? plan.source_backup->interval_ms
                                                                              : plan.interval_ms;
}

size_t batches_in_flight(const DeliveryPlan& plan) {
  return plan.kind == DeliveryPlan::Kind::kS3 ? kS3BatchesInFlight : 1;
}

std::string partition_name(const std::vector<std::pair<std::string, std::string>>& keys) {
  std::string name;
  for (const auto& [k, v] : keys) {
    name += k;
    name.push_back('\x1f');
    name += v;
    name.push_back('\x1e');
  }
  return name;
}

}  // namespace

// The name of `p` in its stream's partitions.
std::string Engine::partition_key(const Partition& p) {
  if (p.conversion_failed) return std::string(kConversionFailedPartition);
  if (p.errors) return std::string(kErrorsPartition);
  if (p.backup) return std::string(kBackupPartition);
  return partition_name(p.keys);
}

Engine::Engine(EngineOptions options, storage::Log& log, storage::MetadataStore& metadata, s3::ObjectStore& store,
               streams::DataStreams* data_streams)
    : options_(std::move(options)),
      log_(log),
      metadata_(metadata),
      store_(store),
      data_streams_(data_streams),
      cipher_(options_.key_file) {
  thread_ = std::thread([this] { run(); });
  // Records durable on any Data Streams shard may be a Kinesis source's.
  if (data_streams_) {
    watch_id_ = data_streams_->watch([this](const streams::StreamEvent& e) {
      if (e.kind == streams::StreamEvent::Kind::kRecordsDurable || e.kind == streams::StreamEvent::Kind::kResharded)
        wake();
    });
  }
}

Engine::~Engine() {
  if (data_streams_ && watch_id_ >= 0) data_streams_->unwatch(watch_id_);
  stop();
}

void Engine::wake() {
  MutexLock lock(mu_);
  wake_ = true;
  cv_.notify_one();
}

int64_t Engine::now() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Engine::post(std::function<void()> work) {
  MutexLock lock(mu_);
  queue_.push_back(std::move(work));
  cv_.notify_one();
}

void Engine::started() {
  MutexLock lock(mu_);
  ++in_flight_;
}

void Engine::completed(std::function<void()> then) {
  post([this, then = std::move(then)] {
    {
      MutexLock lock(mu_);
      --in_flight_;
    }
    then();
  });
}

void Engine::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  // Called from the main thread only (the server's shutdown, the destructor).
  if (thread_.joinable()) thread_.join();
}

void Engine::check_destination(const StreamSpec& spec,
                               std::function<void(std::optional<api::FailureDescription>)> done) {
  auto plan = plan_of(spec);
  if (!plan || plan->s3.bucket.empty()) {
    // Destinations runnel stores but does not deliver to yet: the stream is
    // usable (records are kept); docs/firehose.md lists them.
    done(std::nullopt);
    return;
  }
  if (plan->conversion && options_.table_columns) {
    // AWS checks the table at create time too: a SchemaConfiguration that
    // names no table fails the stream.
    const DataCatalogTable& t = plan->conversion->table;
    if (auto columns = options_.table_columns(t); !columns) {
      api::FailureDescription f;
      f.type = "UNKNOWN_ERROR";
      f.details = "Record format conversion cannot read the schema of table " + t.database_name + "." + t.table_name +
                  " (VersionId " + t.version_id + ") from the Glue Data Catalog: " + columns.error().message() +
                  " Create the table, then create the delivery stream again.";
      done(std::move(f));
      return;
    }
  }
  std::string bucket = plan->s3.bucket;
  store_.head_bucket(bucket, [bucket, done = std::move(done)](Status st) {
    if (st) return done(std::nullopt);
    api::FailureDescription f;
    f.type = "UNKNOWN_ERROR";
    f.details = st.code() == Status::Code::kNotFound
                    ? "The S3 bucket " + bucket + " does not exist. Create it, then create the delivery stream again."
                    : "The S3 bucket " + bucket + " cannot be reached: " + st.message();
    done(std::move(f));
  });
}

void Engine::configure(const StreamSpec& spec) {
  post([this, spec] { apply_configure(spec); });
}

void Engine::remove(const std::string& name) {
  post([this, name] {
    streams_.erase(name);
    for (std::string_view kind : {kCheckpointKind, kSourceCheckpointKind})
      if (Status st = metadata_.remove(kind, name); !st)
        spdlog::warn("firehose: forgetting the checkpoint of {}: {}", name, st.to_string());
    MutexLock lock(mu_);
    stats_.erase(name);
  });
}

void Engine::records_durable(const std::string& name) {
  (void)name;  // every stream is looked at on a wake; one is cheap to check
  wake();
}

std::optional<DeliveryStats> Engine::stats(const std::string& name) {
  MutexLock lock(mu_);
  auto it = stats_.find(name);
  if (it == stats_.end()) return std::nullopt;
  return it->second;
}

void Engine::publish_stats(const Stream& s) {
  MutexLock lock(mu_);
  DeliveryStats& out = stats_[s.spec.name()];
  out = s.stats;
  out.active_partitions = s.partitions.size();
}

void Engine::apply_configure(const StreamSpec& spec) {
  auto& slot = streams_[spec.name()];
  if (!slot) {
    slot = std::make_unique<Stream>();
    slot->generation = next_generation_++;
    // Where delivery stopped before: the checkpoint, if any.
    uint64_t through = 0;
    if (auto cp = saved(metadata_, kCheckpointKind, spec.name())) through = parse_counter(*cp).value_or(0);
    slot->read_next = through + 1;
    slot->stats.delivered_through = through;
    slot->metrics = FirehoseMetrics::make(options_.metrics, spec.name());
  }
  Stream& s = *slot;
  s.spec = spec;
  const auto& src = spec.description.source;
  if (!s.source && data_streams_ && src && src->kinesis_stream_source_description &&
      src->kinesis_stream_source_description->kinesis_stream_arn) {
    const auto& k = *src->kinesis_stream_source_description;
    int64_t start = k.delivery_start_timestamp ? k.delivery_start_timestamp->millis : 0;
    if (start == 0 && spec.description.create_timestamp) start = spec.description.create_timestamp->millis;
    s.source = std::make_unique<KinesisSource>(*data_streams_, stream_of_arn(*k.kinesis_stream_arn), start,
                                               saved(metadata_, kSourceCheckpointKind, spec.name()).value_or(""));
  }
  auto plan = plan_of(spec);
  std::unique_ptr<RecordProcessor> processor;
  if (plan) {
    auto made = RecordProcessor::make(plan->processing);
    if (made) {
      processor = std::move(*made);
    } else {
      plan = std::unexpected(made.error());
    }
  }
  // The sender of the old configuration goes first (it waits for its sends).
  s.sender.reset();
  s.error_output_type.clear();
  if (plan && plan->kind == DeliveryPlan::Kind::kSender) {
    auto sender = options_.make_sender ? options_.make_sender(spec) : make_sender(spec, store_);
    if (sender) {
      s.sender = std::move(*sender);
      s.error_output_type = std::string(s.sender->error_output_type());
    } else {
      plan = std::unexpected(sender.error());
    }
  }
  // A new configuration may name another table or deserializer.
  s.converter.reset();
  s.converter_for.clear();
  if (plan) {
    s.plan = std::move(*plan);
    s.processor = std::move(processor);
    // Batches not under way are formed again under the new configuration
    // (another destination type names, packs and sends them differently)
    // and tried at once, as first attempts there.
    const int64_t t = now();
    for (auto& [name, p] : s.partitions)
      for (auto& [id, b] : p.batches)
        if (!b.writing && b.phase == Batch::Phase::kDeliver) {
          b.formed = false;
          b.pending.clear();
          b.attempts = 0;
          b.first_attempt_ms = t;
          b.retry_at_ms = t;
        }
  } else {
    s.plan.reset();
    s.processor.reset();
    s.stats.last_error = plan.error().message();
    spdlog::warn("firehose: {}: not delivering: {}", spec.name(), s.stats.last_error);
  }
  // The log may drop what was delivered, and what is too old to deliver.
  storage::ShardRetention retention;
  retention.period_ms = options_.undelivered_retention_ms;
  if (spec.shard_key != 0) log_.set_retention({spec.shard_key}, retention);
  publish_stats(s);
}

void Engine::run() {
  while (true) {
    std::deque<std::function<void()>> work;
    {
      MutexLock lock(mu_);
      if (queue_.empty()) {
        if (stopping_) {
          if (in_flight_ == 0) return;
          // Only the completions of the writes in flight are awaited now.
          cv_.wait(mu_, [&]() REQUIRES(mu_) { return !queue_.empty(); });
        } else {
          const int64_t t = now();
          const int64_t wait_ms = std::max<int64_t>(0, next_deadline(t) - t);
          cv_.wait_until(mu_, std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms),
                         [&]() REQUIRES(mu_) { return !queue_.empty() || wake_ || stopping_; });
        }
      }
      wake_ = false;
      work.swap(queue_);
    }
    for (auto& w : work) w();
    bool stopping;
    {
      MutexLock lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      // Finish the writes in flight and start nothing new. A Sender may hold
      // a send for minutes (Splunk waits up to HECAcknowledgmentTimeout for
      // an ack): destroyed, it completes what it holds with kRetry, and the
      // batch is sent again after the restart (at-least-once).
      for (auto& [name, s] : streams_) s->sender.reset();
      continue;
    }
    const int64_t t = now();
    for (auto& [name, s] : streams_) step(*s, t);
  }
}

int64_t Engine::next_deadline(int64_t now) const {
  int64_t deadline = now + options_.poll_ms;
  for (const auto& [name, s] : streams_) {
    if (!s->plan) continue;
    if (s->invocation) {
      if (!s->invocation->running) deadline = std::min(deadline, s->invocation->retry_at_ms);
    } else if (!s->staged.empty()) {
      deadline = std::min(deadline, s->staged.front().arrival_ms + s->plan->processing.lambda_interval_ms);
    }
    for (const auto& [pname, p] : s->partitions) {
      for (const auto& [id, b] : p.batches)
        if (!b.writing) deadline = std::min(deadline, b.retry_at_ms);
      if (!p.buffer.empty() && p.batches.size() < batches_in_flight(*s->plan))
        deadline = std::min(deadline, p.buffer.front().arrival_ms + interval_hint(*s->plan, p.backup));
    }
  }
  return deadline;
}

Engine::Partition& Engine::partition_for(Stream& s, std::vector<std::pair<std::string, std::string>> keys) {
  std::string name = partition_name(keys);
  auto it = s.partitions.find(name);
  if (it != s.partitions.end()) return it->second;
  Partition& p = s.partitions[name];
  p.keys = std::move(keys);
  return p;
}

// Processes one record read from the source into pieces in their
// partitions' buffers (or, with a Lambda function, into the invocation
// buffer), each tracked until it is done.
void Engine::add_record(Stream& s, storage::StoredRecord record, const std::string& source,
                        const std::string& position) {
  DoneTracker& tracker = s.trackers[source];
  // A Kinesis record the KPL aggregated holds many user records: Firehose
  // unpacks them before anything else.
  std::vector<std::string_view> inputs;
  std::optional<std::vector<std::string_view>> kpl;
  if (!source.empty()) kpl = kpl_records(record.data);
  if (kpl) {
    inputs = std::move(*kpl);
  } else {
    inputs.push_back(record.data);
  }
  // Source-record backup: the record as it was put, one more piece of it.
  const bool backup = s.plan->source_backup.has_value();
  if (backup) {
    Partition& p = s.partitions[std::string(kBackupPartition)];
    p.backup = true;
    p.bytes += record.data.size();
    s.buffered_bytes += record.data.size();
  }
  auto backup_piece = [&](uint64_t ticket) {
    if (!backup) return;
    s.partitions[std::string(kBackupPartition)].buffer.push_back(
        Buffered{record.data, record.arrival_ms, source, ticket, position, {}, {}, {}});
  };
  auto fail = [&](ProcessingError error) {
    const uint64_t ticket = tracker.add({position, record.arrival_ms}, 1 + backup);
    backup_piece(ticket);
    buffer_error(s, std::move(record.data), record.arrival_ms, source, ticket, position, std::move(error));
  };
  if (!s.processor) {
    const uint64_t ticket = tracker.add({position, record.arrival_ms}, static_cast<int>(inputs.size()) + backup);
    backup_piece(ticket);
    if (!kpl) {
      buffer_piece(s, Piece{std::move(record.data), {}}, record.arrival_ms, source, ticket, position);
      return;
    }
    for (size_t i = 0; i < inputs.size(); ++i)
      buffer_piece(s, Piece{std::string(inputs[i]), {}}, record.arrival_ms, source, ticket, position,
                   static_cast<int64_t>(i));
    return;
  }
  if (s.plan->processing.lambda_arn) {
    // De-aggregation first; each sub-record goes to the function.
    std::vector<std::string> parts;
    std::vector<int64_t> subs;  // each part's KPL index
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (auto error = s.processor->split(inputs[i], parts)) return fail(std::move(*error));
      subs.resize(parts.size(), static_cast<int64_t>(i));
    }
    const uint64_t ticket = tracker.add({position, record.arrival_ms}, static_cast<int>(parts.size()) + backup);
    backup_piece(ticket);
    for (size_t i = 0; i < parts.size(); ++i) {
      s.staged_bytes += parts[i].size();
      Buffered b{std::move(parts[i]), record.arrival_ms, source, ticket, position, {}, {}, {}};
      b.sub_sequence = subs[i];
      s.staged.push_back(std::move(b));
    }
    return;
  }
  std::vector<Piece> pieces;
  std::vector<int64_t> subs;  // each piece's KPL index
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (auto error = s.processor->process(inputs[i], pieces)) return fail(std::move(*error));
    subs.resize(pieces.size(), static_cast<int64_t>(i));
  }
  const uint64_t ticket = tracker.add({position, record.arrival_ms}, static_cast<int>(pieces.size()) + backup);
  backup_piece(ticket);
  for (size_t i = 0; i < pieces.size(); ++i)
    buffer_piece(s, std::move(pieces[i]), record.arrival_ms, source, ticket, position, subs[i]);
}

// One processed piece into its partition's buffer.
void Engine::buffer_piece(Stream& s, Piece piece, int64_t arrival_ms, const std::string& source, uint64_t ticket,
                          const std::string& position, int64_t sub_sequence) {
  Partition* p = nullptr;
  if (s.plan->dynamic_partitioning) {
    // Over the active-partition quota, the pieces of new partitions are
    // errors, as AWS sends them to the error prefix.
    const std::string name = partition_name(piece.keys);
    if (!s.partitions.contains(name) && s.partitions.size() >= options_.active_partition_limit + 1) {
      s.metrics->record(FirehoseMetric::kPartitionCountExceeded, 1);
      return buffer_error(s, std::move(piece.data), arrival_ms, source, ticket, position,
                          ProcessingError{"DynamicPartitioning.ActivePartitionsLimitExceeded",
                                          "The number of active partitions exceeds the limit of " +
                                              std::to_string(options_.active_partition_limit) + "."});
    }
    p = &partition_for(s, std::move(piece.keys));
  } else {
    p = &s.partitions[""];
  }
  p->bytes += piece.data.size();
  s.buffered_bytes += piece.data.size();
  p->buffer.push_back(Buffered{std::move(piece.data), arrival_ms, source, ticket, position, {}, {}, {}});
  p->buffer.back().sub_sequence = sub_sequence;
}

// A piece that could not be processed, to the processing-failed output with
// `raw` (the record as it was put) as its rawData.
void Engine::buffer_error(Stream& s, std::string raw, int64_t arrival_ms, const std::string& source, uint64_t ticket,
                          const std::string& position, ProcessingError error) {
  Partition& p = s.partitions[std::string(kErrorsPartition)];
  p.errors = true;
  p.bytes += raw.size();
  s.buffered_bytes += raw.size();
  p.buffer.push_back(Buffered{
      std::move(raw), arrival_ms, source, ticket, position, std::move(error.code), std::move(error.message), {}});
}

// Sends the oldest staged sub-records (up to the Lambda buffer size) to the
// function, or sends the invocation under way again.
void Engine::invoke(Stream& s, int64_t now) {
  const ProcessingSpec& spec = s.plan->processing;
  if (!s.invocation) {
    Stream::Invocation inv;
    uint64_t bytes = 0;
    size_t n = 0;
    while (n < s.staged.size() && (n == 0 || bytes + s.staged[n].data.size() <= spec.lambda_buffer_bytes)) {
      bytes += s.staged[n].data.size();
      ++n;
    }
    inv.records.assign(std::make_move_iterator(s.staged.begin()), std::make_move_iterator(s.staged.begin() + n));
    s.staged.erase(s.staged.begin(), s.staged.begin() + n);
    s.staged_bytes -= bytes;
    inv.id = random_uuid();
    s.invocation = std::move(inv);
  }
  Stream::Invocation& inv = *s.invocation;
  inv.running = true;
  ++inv.attempts;
  std::vector<LambdaInput> inputs;
  inputs.reserve(inv.records.size());
  for (size_t i = 0; i < inv.records.size(); ++i)
    inputs.push_back({std::to_string(i), inv.records[i].arrival_ms, inv.records[i].data});
  std::optional<std::string> source_arn;
  if (const auto& src = s.spec.description.source; src && src->kinesis_stream_source_description)
    source_arn = src->kinesis_stream_source_description->kinesis_stream_arn;
  started();
  auto done = [this, name = s.spec.name(), generation = s.generation](EndpointResponse response) {
    completed([this, name, generation, response = std::move(response)]() mutable {
      on_invoked(name, generation, std::move(response));
    });
  };
  if (options_.lambda.endpoint.empty()) {
    EndpointResponse r;
    r.transport_error = "runnel serves no Lambda functions: start it with --lambda-endpoint URL";
    return done(std::move(r));
  }
  poster_.post(lambda_request(options_.lambda, *spec.lambda_arn, inv.id, s.plan->stream_arn, source_arn, inputs, now),
               std::move(done));
}

void Engine::on_invoked(const std::string& name, uint64_t generation, EndpointResponse response) {
  auto it = streams_.find(name);
  if (it == streams_.end() || it->second->generation != generation || !it->second->invocation) return;
  Stream& s = *it->second;
  Stream::Invocation& inv = *s.invocation;
  inv.running = false;
  std::vector<LambdaInput> inputs;
  for (size_t i = 0; i < inv.records.size(); ++i)
    inputs.push_back({std::to_string(i), inv.records[i].arrival_ms, inv.records[i].data});
  auto answer = lambda_answer(response, inputs);
  if (!answer) {
    s.stats.last_error = answer.error().message();
    if (inv.attempts <= s.plan->processing.lambda_retries) {
      inv.retry_at_ms = now() + 1000;  // AWS retries the invocation; a second apart here
      ++s.stats.failed_attempts;
      return publish_stats(s);
    }
    // Out of retries: every record of the invocation is a processing failure.
    for (Buffered& r : inv.records)
      buffer_error(s, std::move(r.data), r.arrival_ms, r.source, r.ticket, r.position,
                   ProcessingError{"Lambda.FunctionError", answer.error().message()});
    s.invocation.reset();
    return publish_stats(s);
  }
  for (size_t i = 0; i < answer->size(); ++i) {
    LambdaOutput& out = (*answer)[i];
    Buffered& in = inv.records[i];
    if (out.result == "Dropped") {
      s.trackers[in.source].done(in.ticket);
      continue;
    }
    if (out.result == "ProcessingFailed") {
      buffer_error(
          s, std::move(in.data), in.arrival_ms, in.source, in.ticket, in.position,
          ProcessingError{"Lambda.ProcessingFailedStatus", "The Lambda function marked the record ProcessingFailed."});
      continue;
    }
    Piece piece{std::move(out.data), {}};
    if (auto error = s.processor->finish(piece)) {
      buffer_error(s, std::move(in.data), in.arrival_ms, in.source, in.ticket, in.position, std::move(*error));
      continue;
    }
    // partitionKeyFromLambda keys, after partitionKeyFromQuery's.
    for (auto& kv : out.partition_keys) piece.keys.push_back(std::move(kv));
    buffer_piece(s, std::move(piece), in.arrival_ms, in.source, in.ticket, in.position, in.sub_sequence);
  }
  s.invocation.reset();
  checkpoint(s);  // Dropped records may complete the prefix
  publish_stats(s);
}

// Reads records past the buffers from the source while no partition is
// full. True when it read anything.
bool Engine::fill(Stream& s) {
  if (!s.plan) return false;
  auto room = [&]() {
    if (s.buffered_bytes + s.staged_bytes >= std::max(s.plan->size_bytes, kMaxBufferedBytes)) return false;
    if (s.plan->processing.lambda_arn && s.staged_bytes >= std::max<uint64_t>(s.plan->size_bytes, 6ull << 20))
      return false;
    for (const auto& [name, p] : s.partitions)
      if (p.bytes >= size_hint(*s.plan, p.backup)) return false;
    return true;
  };
  bool any = false;
  if (s.source) {
    if (!room()) return false;
    std::vector<SourceRecord> got;
    Status st = s.source->read(s.plan->size_bytes, got);
    if (!st) s.stats.last_error = "reading source stream " + s.source->stream() + ": " + st.message();
    double bytes = 0;
    for (const auto& r : got) bytes += static_cast<double>(r.record.data.size());
    if (!got.empty()) {
      s.metrics->record(FirehoseMetric::kDataReadFromKinesisStreamRecords, static_cast<double>(got.size()));
      s.metrics->record(FirehoseMetric::kDataReadFromKinesisStreamBytes, bytes);
    }
    for (auto& r : got) add_record(s, std::move(r.record), r.shard_id, r.sequence_number);
    return !got.empty();
  }
  if (s.spec.shard_key == 0) return false;
  while (room()) {
    auto r = log_.read(s.spec.shard_key, s.read_next, kReadRecords, s.plan->size_bytes, INT64_MIN);
    if (!r) {
      s.stats.last_error = r.error().to_string();
      break;
    }
    if (r->records.empty()) {
      s.read_next = std::max(s.read_next, r->next_counter);
      break;
    }
    for (auto& rec : r->records) {
      if (streams::RecordCipher::is_encrypted(rec)) {
        if (Status st = cipher_.decrypt(rec); !st) {
          // Not readable now (the key file is missing): stop here and try
          // again later rather than skip acknowledged data.
          s.stats.last_error = "decrypting a record: " + st.to_string();
          return any;
        }
      }
      s.read_next = rec.counter + 1;
      const std::string position = std::to_string(rec.counter);
      add_record(s, std::move(rec), "", position);
      any = true;
    }
  }
  return any;
}

void Engine::step(Stream& s, int64_t now) {
  if (!s.plan) return;
  fill(s);
  if (s.plan->processing.lambda_arn) {
    if (s.invocation) {
      if (!s.invocation->running && now >= s.invocation->retry_at_ms) invoke(s, now);
    } else if (!s.staged.empty() && (s.staged_bytes >= s.plan->processing.lambda_buffer_bytes ||
                                     now >= s.staged.front().arrival_ms + s.plan->processing.lambda_interval_ms)) {
      invoke(s, now);
    }
  }
  if (s.plan->dynamic_partitioning && !s.partitions.empty())
    s.metrics->record(FirehoseMetric::kPartitionCount, static_cast<double>(s.partitions.size()));
  // The buffer's fill, once a second (the loop wakes at least every poll_ms).
  if (now - s.buffer_sampled_ms >= 1000) {
    s.buffer_sampled_ms = now;
    size_t records = 0;
    for (const auto& [name, p] : s.partitions) records += p.buffer.size();
    s.metrics->record(FirehoseMetric::kBufferedBytes, static_cast<double>(s.buffered_bytes));
    s.metrics->record(FirehoseMetric::kBufferedRecords, static_cast<double>(records));
  }
  for (auto it = s.partitions.begin(); it != s.partitions.end();) {
    Partition& p = it->second;
    // send() may finish a batch (nothing left after conversion), so by id.
    std::vector<uint64_t> due;
    for (auto& [id, b] : p.batches)
      if (!b.writing && now >= b.retry_at_ms) due.push_back(id);
    for (uint64_t id : due)
      if (auto b = p.batches.find(id); b != p.batches.end()) send(s, p, b->second);
    while (!p.buffer.empty() && p.batches.size() < batches_in_flight(*s.plan)) {
      const bool full = p.bytes >= size_hint(*s.plan, p.backup);
      const bool due = now >= p.buffer.front().arrival_ms + interval_hint(*s.plan, p.backup);
      if (!full && !due && !p.errors) break;
      // take_batch() may finish the batch at once (no backup bucket for
      // processing-failed records), so it is sent only if still there.
      const uint64_t id = take_batch(s, p, now);
      if (auto b = p.batches.find(id); b != p.batches.end() && !b->second.writing && now >= b->second.retry_at_ms)
        send(s, p, b->second);
    }
    // A partition with nothing buffered or under way is no longer active.
    if (p.batches.empty() && p.buffer.empty()) {
      it = s.partitions.erase(it);
    } else {
      ++it;
    }
  }
}

// Moves the buffer (at most what one request may carry) into a new batch,
// whose id it returns.
uint64_t Engine::take_batch(Stream& s, Partition& p, int64_t now) {
  Batch b;
  b.id = p.next_batch++;
  // An object holds SizeInMBs of records (the one that crosses the size
  // included); what is left waits for the next one.
  size_t n = 0;
  const uint64_t size = size_hint(*s.plan, p.backup);
  for (uint64_t bytes = 0; n < p.buffer.size() && bytes < size; ++n) bytes += p.buffer[n].data.size();
  if (s.plan->kind != DeliveryPlan::Kind::kS3) n = std::min(n, kMaxRecordsPerRequest);
  b.records.assign(std::make_move_iterator(p.buffer.begin()), std::make_move_iterator(p.buffer.begin() + n));
  p.buffer.erase(p.buffer.begin(), p.buffer.begin() + n);
  for (const auto& r : b.records) b.record_bytes += r.data.size();
  p.bytes -= b.record_bytes;
  s.buffered_bytes -= b.record_bytes;
  b.first_attempt_ms = now;
  b.retry_at_ms = now;
  const uint64_t id = b.id;
  Batch& batch = p.batches.emplace(id, std::move(b)).first->second;
  if (p.errors) {
    // Records that could not be processed: straight to the error output.
    batch.attempts = 1;
    to_backup(s, p, batch, "", "", now);
    return id;
  }
  form(s, p, batch, now);  // on failure, send() tries again
  return id;
}

std::string Engine::record_id(const Stream& s, const Buffered& r) {
  return (r.source.empty() ? std::to_string(s.spec.shard_key) : r.source) + "." + r.position;
}

Status Engine::pack_object(const DeliveryPlan& plan, const S3Target& target, const Partition& p, Batch& b) {
  std::vector<std::string_view> pieces;
  pieces.reserve(b.records.size());
  for (const auto& r : b.records) pieces.push_back(r.data);
  std::string suffix;
  b.bucket = target.bucket;
  b.key = object_key(plan, target, std::nullopt, b.records.front().arrival_ms, p.keys, suffix);
  // A ZIP archive's one entry is named for the object.
  std::string out = bodies_->take();
  if (Status st =
          compress_into(target.compression, pieces, suffix.substr(0, suffix.size() - target.extension.size()), out);
      !st)
    return st;
  b.body = bodies_->share(std::move(out));
  return Status::ok();
}

bool Engine::form(Stream& s, Partition& p, Batch& batch, int64_t now) {
  const DeliveryPlan& plan = *s.plan;
  if (plan.kind == DeliveryPlan::Kind::kS3 || p.backup) {
    const S3Target& target = p.backup ? *plan.source_backup : plan.s3;
    std::string suffix;
    if (plan.conversion && !p.backup) {
      if (!convert(s, batch, now)) return false;
      if (batch.records.empty()) {
        // Not one record converted: no object (they are all in
        // format-conversion-failed/).
        finish(s, p, batch);
        return false;
      }
      batch.bucket = target.bucket;
      batch.key = object_key(plan, target, std::nullopt, batch.records.front().arrival_ms, p.keys, suffix);
      batch.formed = true;
      return true;
    }
    if (Status st = pack_object(plan, target, p, batch); !st) {
      s.stats.last_error = "compressing: " + st.to_string() + "; delivered uncompressed";
      std::string joined = bodies_->take();
      for (const auto& r : batch.records) joined += r.data;
      batch.body = bodies_->share(std::move(joined));
    }
  } else {
    batch.request_id = random_uuid();
    if (plan.kind == DeliveryPlan::Kind::kSender) {
      batch.ids.clear();  // formed again after a failure
      batch.ids.reserve(batch.records.size());
      for (const auto& r : batch.records) batch.ids.push_back(record_id(s, r));
      // Redshift: the object it loads, named and compressed as S3 delivery
      // names and compresses.
      if (plan.intermediate_object) {
        if (Status st = pack_object(plan, plan.s3, p, batch); !st) {
          retry_later(s, batch, now + options_.s3_retry_interval_ms, "compressing: " + st.to_string());
          return false;
        }
      }
    }
  }
  batch.formed = true;
  return true;
}

bool Engine::convert(Stream& s, Batch& b, int64_t now) {
  const ConversionPlan& conv = *s.plan->conversion;
  const std::string table = conv.table.database_name + "." + conv.table.table_name;
  auto wait = [&](const std::string& why) {
    // The data stays: AWS, too, keeps retrying while the schema cannot be
    // read (DataFormatConversion.* errors in CloudWatch Logs).
    retry_later(s, b, now + options_.s3_retry_interval_ms, why);
    return false;
  };
  if (!options_.table_columns) return wait("record format conversion: no Glue catalog to read " + table + " from");
  auto columns = options_.table_columns(conv.table);
  if (!columns)
    return wait("DataFormatConversion.EntityNotFound: reading the schema of " + table + ": " +
                columns.error().message());
  const std::string key = table + "@" + columns->version_id;
  if (!s.converter || s.converter_for != key) {
    auto schema = parquet::Schema::from_columns(columns->columns);
    if (!schema) return wait("DataFormatConversion.InvalidSchema: " + table + ": " + schema.error().message());
    auto converter = RecordConverter::create(*schema, conv.deserializer);
    if (!converter) return wait("DataFormatConversion.InvalidSchema: " + table + ": " + converter.error().message());
    s.schema = std::move(*schema);
    s.converter = std::move(*converter);
    s.converter_for = key;
  }
  // One file per object, Parquet or ORC; both writers take the rows the
  // converter makes.
  parquet::StringSink sink;
  std::unique_ptr<parquet::FileWriter> parquet_writer;
  std::unique_ptr<orc::FileWriter> orc_writer;
  const bool orc = conv.format == ConversionPlan::Format::kOrc;
  if (orc) {
    auto w = orc::FileWriter::open(s.schema, conv.orc, &sink);
    if (!w) return wait("DataFormatConversion: opening an ORC file: " + w.error().message());
    orc_writer = std::move(*w);
  } else {
    auto w = parquet::FileWriter::open(s.schema, conv.parquet, &sink);
    if (!w) return wait("DataFormatConversion: opening a Parquet file: " + w.error().message());
    parquet_writer = std::move(*w);
  }
  auto append = [&](const parquet::Value& row) { return orc ? orc_writer->append(row) : parquet_writer->append(row); };
  std::vector<Buffered> kept;
  kept.reserve(b.records.size());
  Partition* failed = nullptr;
  uint64_t kept_bytes = 0;
  uint64_t failed_records = 0, failed_bytes = 0;
  for (Buffered& r : b.records) {
    auto rows = s.converter->convert(r.data);
    Status appended;
    if (rows)
      for (const parquet::Value& row : *rows)
        if (appended = append(row); !appended) break;
    if (rows && appended) {
      kept_bytes += r.data.size();
      kept.push_back(std::move(r));
      continue;
    }
    // To format-conversion-failed/, with AWS's error code. (A row the
    // writer refuses after the converter took it would be a bug of ours;
    // the record's earlier rows are then in the file too.)
    const Status& why = rows ? appended : rows.error();
    r.error_code = rows ? "DataFormatConversion.MalformedData" : std::string(conversion_error_code(why));
    r.error_message = why.message();
    if (!failed) {
      failed = &s.partitions[std::string(kConversionFailedPartition)];
      failed->errors = true;
      failed->conversion_failed = true;
    }
    ++failed_records;
    failed_bytes += r.data.size();
    failed->bytes += r.data.size();
    s.buffered_bytes += r.data.size();
    failed->buffer.push_back(std::move(r));
  }
  // The records that converted stay in the batch whatever happens next: a
  // file that cannot be finished is made again from them on the retry.
  b.records = std::move(kept);
  b.record_bytes = kept_bytes;
  if (Status st = orc ? orc_writer->finish() : parquet_writer->finish(); !st)
    return wait(std::string("DataFormatConversion: finishing ") + (orc ? "an ORC" : "a Parquet") +
                " file: " + st.message());
  b.body = bodies_->share(sink.take());
  const FirehoseMetrics& m = *s.metrics;
  m.record(FirehoseMetric::kSucceedConversionRecords, static_cast<double>(b.records.size()));
  m.record(FirehoseMetric::kSucceedConversionBytes, static_cast<double>(kept_bytes));
  if (failed_records) {
    m.record(FirehoseMetric::kFailedConversionRecords, static_cast<double>(failed_records));
    m.record(FirehoseMetric::kFailedConversionBytes, static_cast<double>(failed_bytes));
    s.stats.last_error = "record format conversion: " + std::to_string(failed_records) +
                         " records did not convert (format-conversion-failed/)";
  }
  return true;
}

// Starts the batch's next attempt: an object write, or a POST.
void Engine::send(Stream& s, Partition& p, Batch& b) {
  if (b.writing) return;
  // No sender while stopping (run()): the batch waits for the next start.
  if (s.plan->kind == DeliveryPlan::Kind::kSender && b.phase == Batch::Phase::kDeliver && !p.backup && !s.sender)
    return;
  if (!b.formed && !form(s, p, b, now())) return;
  b.writing = true;
  ++b.attempts;
  started();
  if (b.phase == Batch::Phase::kBackup || s.plan->kind == DeliveryPlan::Kind::kS3 || p.backup)
    return write_object(s, p, b);
  if (s.plan->kind == DeliveryPlan::Kind::kSender) {
    SendRequest req;
    req.batch_id = b.request_id;
    req.attempt = b.attempts;
    req.first_attempt_ms = b.first_attempt_ms;
    req.now_ms = now();
    auto add = [&](size_t i) { req.records.push_back({b.records[i].data, b.records[i].arrival_ms, b.ids[i]}); };
    if (b.pending.empty()) {
      for (size_t i = 0; i < b.records.size(); ++i) add(i);
    } else {
      for (size_t i : b.pending) add(i);
    }
    req.bucket = b.bucket;
    req.key = b.key;
    req.body = b.body;
    s.sender->send(std::move(req), [this, name = s.spec.name(), generation = s.generation, partition = partition_key(p),
                                    id = b.id](SendOutcome outcome) {
      completed([this, name, generation, partition, id, outcome = std::move(outcome)]() mutable {
        on_sent(name, generation, partition, id, std::move(outcome));
      });
    });
    return;
  }
  std::vector<std::string_view> records;
  records.reserve(b.records.size());
  for (const auto& r : b.records) records.push_back(r.data);
  EndpointRequest req = endpoint_request(*s.plan, b.request_id, now(), records);
  poster_.post(std::move(req), [this, name = s.spec.name(), generation = s.generation, partition = partition_key(p),
                                id = b.id](EndpointResponse response) {
    completed([this, name, generation, partition, id, response = std::move(response)]() mutable {
      on_posted(name, generation, partition, id, std::move(response));
    });
  });
}

void Engine::write_object(Stream& s, Partition& p, const Batch& b) {
  s3::PutObjectRequest req;
  req.bucket = b.bucket;
  req.key = b.key;
  req.body = b.body;  // shared, not copied: kept for a retry
  const std::string partition = partition_key(p);
  store_.put_object(std::move(req), [this, name = s.spec.name(), generation = s.generation, partition,
                                     id = b.id](Result<s3::ObjectInfo> result) {
    completed([this, name, generation, partition, id, result = std::move(result)]() mutable {
      on_written(name, generation, partition, id, std::move(result));
    });
  });
}

// DeliveryToS3.* or DeliveryToHttpEndpoint.*: one attempt's outcome, and
// what a successful one delivered and how old its oldest record was.
void Engine::record_attempt(const Stream& s, const Batch& b, bool ok, int64_t now) const {
  const DeliveryMetrics& d = s.plan->metrics;
  const FirehoseMetrics& m = *s.metrics;
  m.record(d.success, ok ? 1 : 0);
  if (!ok || b.records.empty()) return;
  m.record(d.records, static_cast<double>(b.records.size()));
  m.record(d.bytes, static_cast<double>(b.record_bytes));
  const double freshness = static_cast<double>(std::max<int64_t>(0, now - b.records.front().arrival_ms)) / 1000.0;
  m.record(d.freshness, freshness);
  if (s.plan->kind == DeliveryPlan::Kind::kS3) m.record(FirehoseMetric::kDeliveryToS3ObjectCount, 1);
}

void Engine::retry_later(Stream& s, Batch& b, int64_t at, const std::string& why) {
  ++s.stats.failed_attempts;
  s.stats.last_error = why;
  b.retry_at_ms = at;
  publish_stats(s);
}

Engine::Partition* Engine::find_batch(const std::string& name, uint64_t generation, const std::string& partition,
                                      uint64_t id, Stream** s, Batch** b) {
  auto it = streams_.find(name);
  if (it == streams_.end() || it->second->generation != generation) return nullptr;
  auto p = it->second->partitions.find(partition);
  if (p == it->second->partitions.end()) return nullptr;
  auto batch = p->second.batches.find(id);
  if (batch == p->second.batches.end()) return nullptr;
  *s = it->second.get();
  *b = &batch->second;
  return &p->second;
}

void Engine::on_written(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
                        Result<s3::ObjectInfo> result) {
  Stream* s = nullptr;
  Batch* batch = nullptr;
  Partition* p = find_batch(name, generation, partition, id, &s, &batch);
  if (!p) return;
  Batch& b = *batch;
  b.writing = false;
  const int64_t t = now();
  if (b.phase == Batch::Phase::kDeliver) record_attempt(*s, b, result.has_value(), t);
  if (!result) {
    const std::string why = "writing s3://" + b.bucket + "/" + b.key + ": " + result.error().to_string();
    if (t - b.first_attempt_ms < options_.s3_retry_window_ms)
      return retry_later(*s, b, t + options_.s3_retry_interval_ms, why);
    // AWS's rule: after 24 hours of failed attempts the data is dropped.
    spdlog::error("firehose: {}: dropping {} records after {} ms of failed deliveries: {}", name, b.records.size(),
                  t - b.first_attempt_ms, why);
    s->stats.last_error = why;
  } else if (b.phase == Batch::Phase::kDeliver) {
    b.delivered = true;
  }
  finish(*s, *p, b);
}

void Engine::on_posted(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
                       EndpointResponse response) {
  Stream* s = nullptr;
  Batch* batch = nullptr;
  Partition* p = find_batch(name, generation, partition, id, &s, &batch);
  if (!p) return;
  Batch& b = *batch;
  b.writing = false;
  const int64_t t = now();
  std::string why;
  const EndpointVerdict verdict = judge(response, b.request_id, why);
  record_attempt(*s, b, verdict == EndpointVerdict::kDelivered, t);
  switch (verdict) {
    case EndpointVerdict::kDelivered:
      b.delivered = true;
      if (s->plan->backup_all) return to_backup(*s, *p, b, "", "", t);
      return finish(*s, *p, b);
    case EndpointVerdict::kRetry:
      if (t - b.first_attempt_ms < s->plan->retry_duration_ms) {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        return retry_later(*s, b, t + endpoint_backoff_ms(b.attempts, unit(jitter_)), why);
      }
      return to_backup(*s, *p, b, "HttpEndpoint.DestinationException", why, t);
    case EndpointVerdict::kFinalFailure: return to_backup(*s, *p, b, "HttpEndpoint.RequestEntityTooLarge", why, t);
  }
}

void Engine::on_sent(const std::string& name, uint64_t generation, const std::string& partition, uint64_t id,
                     SendOutcome outcome) {
  Stream* s = nullptr;
  Batch* batch = nullptr;
  Partition* p = find_batch(name, generation, partition, id, &s, &batch);
  if (!p) return;
  Batch& b = *batch;
  b.writing = false;
  const int64_t t = now();
  // The records of the request, by their index in the batch.
  std::vector<size_t> sent = b.pending;
  if (sent.empty())
    for (size_t i = 0; i < b.records.size(); ++i) sent.push_back(i);
  std::vector<size_t> failed;  // by index in the batch
  for (const RecordFailure& f : outcome.failures)
    if (f.index < sent.size()) failed.push_back(sent[f.index]);
  record_attempt(*s, b, outcome.verdict == SendOutcome::Verdict::kDelivered, t);
  switch (outcome.verdict) {
    case SendOutcome::Verdict::kDelivered:
      b.delivered = true;
      b.pending.clear();
      if (s->plan->backup_all) return to_backup(*s, *p, b, "", "", t);
      return finish(*s, *p, b);
    case SendOutcome::Verdict::kHandled: return finish(*s, *p, b);
    case SendOutcome::Verdict::kRetry:
      // Only the records that failed go again (the others are delivered).
      if (!failed.empty()) b.pending = std::move(failed);
      return retry_later(*s, b, t + std::max<int64_t>(0, outcome.retry_after_ms),
                         outcome.error_code + ": " + outcome.error_message);
    case SendOutcome::Verdict::kFailed: break;
  }
  // Given up on: the failed records (each with its own error, where the
  // sender gave one) go to the error output; the delivered ones are done.
  if (failed.empty()) failed = sent;
  std::vector<bool> is_failed(b.records.size(), false);
  for (size_t i : failed) is_failed[i] = true;
  for (const RecordFailure& f : outcome.failures) {
    if (f.index >= sent.size()) continue;
    Buffered& r = b.records[sent[f.index]];
    r.error_code = f.error_code;
    r.error_message = f.error_message;
    r.error_fields = f.error_fields;
  }
  std::vector<Buffered> keep;
  uint64_t keep_bytes = 0;
  for (size_t i = 0; i < b.records.size(); ++i) {
    if (is_failed[i]) {
      keep_bytes += b.records[i].data.size();
      keep.push_back(std::move(b.records[i]));
    } else {
      s->trackers[b.records[i].source].done(b.records[i].ticket);
      ++s->stats.records;
      s->stats.bytes += b.records[i].data.size();
    }
  }
  b.records = std::move(keep);
  b.record_bytes = keep_bytes;
  b.pending.clear();
  b.ids.clear();
  to_backup(*s, *p, b, outcome.error_code, outcome.error_message, t);
}

// The batch goes to the S3 backup (or error) bucket: its records as they
// are (AllData, after a delivery), or as AWS's error records under the error
// prefix when they could not be processed (processing-failed/) or delivered
// (http-endpoint-failed/).
void Engine::to_backup(Stream& s, Partition& p, Batch& b, std::string_view error_code, const std::string& why,
                       int64_t now) {
  const DeliveryPlan& plan = *s.plan;
  if (plan.s3.bucket.empty()) {
    spdlog::error("firehose: {}: {} records not delivered and no backup bucket: {}", plan.stream_name, b.records.size(),
                  why);
    return finish(s, p, b);
  }
  std::string body;
  std::string suffix;
  if (b.delivered) {
    for (const auto& r : b.records) body += r.data;
    b.key = object_key(plan, plan.s3, std::nullopt, b.records.front().arrival_ms, {}, suffix);
  } else {
    s.stats.error_records += b.records.size();
    if (!why.empty()) s.stats.last_error = why;
    uint64_t sub = 0;
    for (const auto& r : b.records) {
      if (p.conversion_failed) {
        ConversionFailure f;
        f.attempts_made = b.attempts;
        f.arrival_timestamp_ms = r.arrival_ms;
        f.last_error_code = r.error_code;
        f.last_error_message = r.error_message;
        f.attempt_ending_timestamp_ms = now;
        f.raw_data = r.data;
        f.sequence_number = r.position;
        f.sub_sequence_number = r.sub_sequence;
        f.table = plan.conversion ? plan.conversion->table : DataCatalogTable{};
        body += conversion_error_record(f);
        continue;
      }
      protocol::Value e = protocol::Object{};
      e.set("attemptsMade", static_cast<int64_t>(b.attempts));
      e.set("arrivalTimestamp", r.arrival_ms);
      e.set("errorCode", r.error_code.empty() ? std::string(error_code) : r.error_code);
      e.set("errorMessage", r.error_message.empty() ? why : r.error_message);
      e.set("attemptEndingTimestamp", now);
      e.set("rawData", protocol::base64_encode(r.data));
      if (p.errors && plan.processing.lambda_arn) e.set("lambdaArn", *plan.processing.lambda_arn);
      if (!p.errors) {
        e.set("subsequenceNumber", static_cast<int64_t>(sub++));
        // AWS's OpenSearch and Splunk records name the document or event
        // (the sender's fields) where an HTTP endpoint's give its dataId.
        const std::string id = record_id(s, r);
        if (s.error_output_type.empty()) e.set("dataId", id);
        if (s.error_output_type == "splunk-failed") e.set("EventId", id);
      }
      for (const auto& [k, v] : r.error_fields) e.set(k, v);
      body += protocol::encode_json(e);
      body.push_back('\n');
    }
    const std::string type = p.conversion_failed            ? "format-conversion-failed"
                             : p.errors                     ? "processing-failed"
                             : !s.error_output_type.empty() ? s.error_output_type
                                                            : "http-endpoint-failed";
    b.key = object_key(plan, plan.s3, type, b.records.front().arrival_ms, {}, suffix);
  }
  const size_t extension = (b.delivered ? plan.s3.extension : plan.s3.error_extension).size();
  auto packed = compress(plan.s3.compression, body, suffix.substr(0, suffix.size() - extension));
  b.body = bodies_->share(packed ? std::move(*packed) : std::move(body));
  b.bucket = plan.s3.bucket;
  b.phase = Batch::Phase::kBackup;
  b.formed = true;
  b.first_attempt_ms = now;
  b.retry_at_ms = now;
  send(s, p, b);
}

// The batch is done with (delivered, backed up, or given up on): its
// records are done, and the checkpoint moves as far as it can.
void Engine::finish(Stream& s, Partition& p, Batch& b) {
  if (b.delivered) {
    ++s.stats.objects;
    s.stats.records += b.records.size();
    s.stats.bytes += b.record_bytes;
    s.stats.last_error.clear();
  }
  for (const Buffered& r : b.records) s.trackers[r.source].done(r.ticket);
  p.batches.erase(b.id);
  checkpoint(s);
  publish_stats(s);
}

void Engine::checkpoint(Stream& s) {
  if (s.source) {
    std::map<std::string, std::string> through;
    for (const auto& [shard, tracker] : s.trackers)
      if (tracker.through()) through[shard] = tracker.through()->id;
    // Without the checkpoint a restart delivers the batch again
    // (at-least-once), which is allowed.
    if (Status st = metadata_.put(kSourceCheckpointKind, s.spec.name(), s.source->delivered(through)); !st)
      spdlog::warn("firehose: {}: checkpoint not saved: {}", s.spec.name(), st.to_string());
    return;
  }
  const auto& through = s.trackers[""].through();
  if (!through) return;
  const uint64_t counter = parse_counter(through->id).value_or(0);
  if (counter <= s.stats.delivered_through) return;
  s.stats.delivered_through = counter;
  if (Status st = metadata_.put(kCheckpointKind, s.spec.name(), through->id); !st)
    spdlog::warn("firehose: {}: checkpoint not saved: {}", s.spec.name(), st.to_string());
  storage::ShardRetention retention;
  retention.period_ms = options_.undelivered_retention_ms;
  retention.floor_ms = through->arrival_ms;  // records that arrived before it are all done with
  if (options_.log_readers != nullptr)
    if (std::optional<int64_t> needed = options_.log_readers->floor(s.spec.shard_key))
      retention.floor_ms = std::min(retention.floor_ms, *needed);
  log_.set_retention({s.spec.shard_key}, retention);
}

}  // namespace runnel::firehose
