#include "firehose/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "firehose/compression.h"
#include "firehose/object_key.h"
#include "firehose/prefix_expression.h"
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
std::string object_key(const DeliveryPlan& plan, const std::optional<std::string>& prefix,
                       const std::optional<std::string>& error_output_type, int64_t oldest_ms, std::string& suffix) {
  PrefixValues values;
  values.arrival_ms = oldest_ms;
  values.time_zone = plan.s3.time_zone;
  suffix = object_suffix(plan.stream_name, plan.version, civil_utc(oldest_ms), random_uuid(), plan.s3.extension);
  if (error_output_type)
    return error_prefix(plan.s3.error_output_prefix, prefix, *error_output_type, values, random_string) + suffix;
  return object_prefix(prefix, values, random_string) + suffix;
}

}  // namespace

// One delivery stream, as the delivery thread sees it.
struct Engine::Stream {
  StreamSpec spec;
  std::optional<DeliveryPlan> plan;  // nullopt: a destination not delivered to (records stay in the log)
  uint64_t generation = 0;           // changes when the stream is removed and made again
  uint64_t delivered_through = 0;    // checkpoint
  uint64_t read_next = 1;            // next log counter to read into the buffer
  std::vector<storage::StoredRecord> buffer;
  uint64_t buffer_bytes = 0;
  // KinesisStreamAsSource: where records come from instead of the log, and
  // each buffered record's shard and sequence number.
  std::unique_ptr<KinesisSource> source;
  std::vector<std::pair<std::string, std::string>> buffer_positions;
  std::optional<Batch> batch;  // the records being delivered
  DeliveryStats stats;
};

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
  if (!plan) {
    // Destinations runnel stores but does not deliver to yet: the stream is
    // usable (records are kept); docs/firehose.md lists them.
    done(std::nullopt);
    return;
  }
  std::string bucket = plan->s3.bucket;
  if (bucket.empty()) {
    done(std::nullopt);
    return;
  }
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
  stats_[s.spec.name()] = s.stats;
}

void Engine::apply_configure(const StreamSpec& spec) {
  auto& slot = streams_[spec.name()];
  if (!slot) {
    slot = std::make_unique<Stream>();
    slot->generation = next_generation_++;
    // Where delivery stopped before: the checkpoint, if any.
    if (auto cp = saved(metadata_, kCheckpointKind, spec.name()))
      slot->delivered_through = parse_counter(*cp).value_or(0);
    slot->read_next = slot->delivered_through + 1;
    slot->stats.delivered_through = slot->delivered_through;
  }
  Stream& s = *slot;
  const auto& src = spec.description.source;
  if (!s.source && data_streams_ && src && src->kinesis_stream_source_description &&
      src->kinesis_stream_source_description->kinesis_stream_arn) {
    const auto& k = *src->kinesis_stream_source_description;
    int64_t start = k.delivery_start_timestamp ? k.delivery_start_timestamp->millis : 0;
    if (start == 0 && spec.description.create_timestamp) start = spec.description.create_timestamp->millis;
    s.source = std::make_unique<KinesisSource>(*data_streams_, stream_of_arn(*k.kinesis_stream_arn), start,
                                               saved(metadata_, kSourceCheckpointKind, spec.name()).value_or(""));
  }
  s.spec = spec;
  auto plan = plan_of(spec);
  if (plan) {
    s.plan = std::move(*plan);
  } else {
    s.plan.reset();
    s.stats.last_error = plan.error().message();
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
    if (stopping) continue;  // finish the writes in flight, start nothing new
    const int64_t t = now();
    for (auto& [name, s] : streams_) step(*s, t);
  }
}

int64_t Engine::next_deadline(int64_t now) const {
  int64_t deadline = now + options_.poll_ms;
  for (const auto& [name, s] : streams_) {
    if (s->batch) {
      if (!s->batch->writing) deadline = std::min(deadline, s->batch->retry_at_ms);
    } else if (!s->buffer.empty() && s->plan) {
      deadline = std::min(deadline, s->buffer.front().arrival_ms + s->plan->interval_ms);
    }
  }
  return deadline;
}

// Reads records past the buffer from the log until the buffer holds a
// whole object's worth. True when it read anything.
bool Engine::fill(Stream& s) {
  if (!s.plan) return false;
  if (s.source) {
    if (s.buffer_bytes >= s.plan->size_bytes) return false;
    std::vector<SourceRecord> got;
    Status st = s.source->read(s.plan->size_bytes - s.buffer_bytes, got);
    if (!st) s.stats.last_error = "reading source stream " + s.source->stream() + ": " + st.message();
    for (auto& r : got) {
      s.buffer_bytes += r.record.data.size();
      s.buffer.push_back(std::move(r.record));
      s.buffer_positions.emplace_back(std::move(r.shard_id), std::move(r.sequence_number));
    }
    return !got.empty();
  }
  if (s.spec.shard_key == 0) return false;
  bool any = false;
  while (s.buffer_bytes < s.plan->size_bytes) {
    auto r = log_.read(s.spec.shard_key, s.read_next, kReadRecords, s.plan->size_bytes - s.buffer_bytes, INT64_MIN);
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
      s.buffer_bytes += rec.data.size();
      s.read_next = rec.counter + 1;
      s.buffer.push_back(std::move(rec));
      any = true;
    }
  }
  return any;
}

void Engine::step(Stream& s, int64_t now) {
  if (!s.plan) return;
  if (s.batch) {
    if (!s.batch->writing && now >= s.batch->retry_at_ms) send(s);
    return;
  }
  fill(s);
  if (s.buffer.empty()) return;
  const bool full = s.buffer_bytes >= s.plan->size_bytes;
  const bool due = now >= s.buffer.front().arrival_ms + s.plan->interval_ms;
  if (!full && !due) return;
  take_batch(s, now);
  send(s);
}

// Moves the buffer (at most what one request may carry) into a new batch.
void Engine::take_batch(Stream& s, int64_t now) {
  Batch b;
  size_t n = s.buffer.size();
  if (s.plan->kind == DeliveryPlan::Kind::kHttpEndpoint) n = std::min(n, kMaxRecordsPerRequest);
  b.records.assign(std::make_move_iterator(s.buffer.begin()), std::make_move_iterator(s.buffer.begin() + n));
  s.buffer.erase(s.buffer.begin(), s.buffer.begin() + n);
  if (s.source) {
    for (size_t i = 0; i < n; ++i) b.positions[s.buffer_positions[i].first] = s.buffer_positions[i].second;
    s.buffer_positions.erase(s.buffer_positions.begin(), s.buffer_positions.begin() + n);
  }
  for (const auto& r : b.records) b.record_bytes += r.data.size();
  s.buffer_bytes -= b.record_bytes;
  b.first_attempt_ms = now;
  if (s.plan->kind == DeliveryPlan::Kind::kS3) {
    const DeliveryPlan& plan = *s.plan;
    std::string body;
    body.reserve(b.record_bytes + (plan.append_delimiter ? b.records.size() : 0));
    for (const auto& r : b.records) {
      body += r.data;
      if (plan.append_delimiter) body.push_back('\n');
    }
    b.bucket = plan.s3.bucket;
    std::string suffix;
    b.key = object_key(plan, plan.s3.prefix, std::nullopt, b.records.front().arrival_ms, suffix);
    // A ZIP archive's one entry is named for the object.
    auto packed = compress(plan.s3.compression, body, suffix.substr(0, suffix.size() - plan.s3.extension.size()));
    b.body = packed ? std::move(*packed) : std::move(body);
    if (!packed) s.stats.last_error = "compressing: " + packed.error().to_string() + "; delivered uncompressed";
  } else {
    b.request_id = random_uuid();
  }
  s.batch = std::move(b);
}

// Starts the batch's next attempt: an object write, or a POST.
void Engine::send(Stream& s) {
  Batch& b = *s.batch;
  b.writing = true;
  ++b.attempts;
  {
    MutexLock lock(mu_);
    ++in_flight_;
  }
  if (b.phase == Batch::Phase::kBackup || s.plan->kind == DeliveryPlan::Kind::kS3) return write_object(s);
  std::vector<std::string_view> records;
  records.reserve(b.records.size());
  for (const auto& r : b.records) records.push_back(r.data);
  EndpointRequest req = endpoint_request(*s.plan, b.request_id, now(), records);
  poster_.post(std::move(req), [this, name = s.spec.name(), generation = s.generation](EndpointResponse response) {
    post([this, name, generation, response = std::move(response)]() mutable {
      {
        MutexLock lock(mu_);
        --in_flight_;
      }
      on_posted(name, generation, std::move(response));
    });
  });
}

void Engine::write_object(Stream& s) {
  const Batch& b = *s.batch;
  s3::PutObjectRequest req;
  req.bucket = b.bucket;
  req.key = b.key;
  req.body = b.body;  // kept for a retry
  store_.put_object(std::move(req),
                    [this, name = s.spec.name(), generation = s.generation](Result<s3::ObjectInfo> result) {
                      post([this, name, generation, result = std::move(result)]() mutable {
                        {
                          MutexLock lock(mu_);
                          --in_flight_;
                        }
                        on_written(name, generation, std::move(result));
                      });
                    });
}

void Engine::retry_later(Stream& s, int64_t at, const std::string& why) {
  ++s.stats.failed_attempts;
  s.stats.last_error = why;
  s.batch->retry_at_ms = at;
  publish_stats(s);
}

void Engine::on_written(const std::string& name, uint64_t generation, Result<s3::ObjectInfo> result) {
  auto it = streams_.find(name);
  if (it == streams_.end() || it->second->generation != generation || !it->second->batch) return;
  Stream& s = *it->second;
  Batch& b = *s.batch;
  b.writing = false;
  const int64_t t = now();
  if (!result) {
    const std::string why = "writing s3://" + b.bucket + "/" + b.key + ": " + result.error().to_string();
    if (t - b.first_attempt_ms < options_.s3_retry_window_ms)
      return retry_later(s, t + options_.s3_retry_interval_ms, why);
    // AWS's rule: after 24 hours of failed attempts the data is dropped.
    spdlog::error("firehose: {}: dropping {} records after {} ms of failed deliveries: {}", name, b.records.size(),
                  t - b.first_attempt_ms, why);
    s.stats.last_error = why;
  } else if (b.phase == Batch::Phase::kDeliver) {
    b.delivered = true;
  }
  finish(s);
}

void Engine::on_posted(const std::string& name, uint64_t generation, EndpointResponse response) {
  auto it = streams_.find(name);
  if (it == streams_.end() || it->second->generation != generation || !it->second->batch) return;
  Stream& s = *it->second;
  Batch& b = *s.batch;
  b.writing = false;
  const int64_t t = now();
  std::string why;
  switch (judge(response, b.request_id, why)) {
    case EndpointVerdict::kDelivered:
      b.delivered = true;
      if (s.plan->backup_all) return to_backup(s, "", "", t);
      return finish(s);
    case EndpointVerdict::kRetry:
      if (t - b.first_attempt_ms < s.plan->retry_duration_ms) {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        return retry_later(s, t + endpoint_backoff_ms(b.attempts, unit(jitter_)), why);
      }
      return to_backup(s, "HttpEndpoint.DestinationException", why, t);
    case EndpointVerdict::kFinalFailure: return to_backup(s, "HttpEndpoint.RequestEntityTooLarge", why, t);
  }
}

// The batch goes to the S3 backup bucket: its records as they are (AllData,
// after a delivery), or as AWS's error records under the error prefix
// (http-endpoint-failed/) when it could not be delivered.
void Engine::to_backup(Stream& s, std::string_view error_code, const std::string& why, int64_t now) {
  Batch& b = *s.batch;
  const DeliveryPlan& plan = *s.plan;
  if (!b.delivered) {
    ++s.stats.failed_attempts;
    s.stats.last_error = why;
  }
  if (plan.s3.bucket.empty()) {
    spdlog::error("firehose: {}: {} records not delivered and no backup bucket: {}", plan.stream_name, b.records.size(),
                  why);
    return finish(s);
  }
  std::string body;
  std::string suffix;
  if (b.delivered) {
    for (const auto& r : b.records) body += r.data;
    b.key = object_key(plan, plan.s3.prefix, std::nullopt, b.records.front().arrival_ms, suffix);
  } else {
    uint64_t sub = 0;
    for (const auto& r : b.records) {
      protocol::Value e = protocol::Object{};
      e.set("attemptsMade", static_cast<int64_t>(b.attempts));
      e.set("arrivalTimestamp", r.arrival_ms);
      e.set("errorCode", std::string(error_code));
      e.set("errorMessage", why);
      e.set("attemptEndingTimestamp", now);
      e.set("rawData", protocol::base64_encode(r.data));
      e.set("subsequenceNumber", static_cast<int64_t>(sub++));
      e.set("dataId", std::to_string(s.spec.shard_key) + "." + std::to_string(r.counter));
      body += protocol::encode_json(e);
      body.push_back('\n');
    }
    b.key = object_key(plan, plan.s3.prefix, std::string("http-endpoint-failed"), b.records.front().arrival_ms, suffix);
  }
  auto packed = compress(plan.s3.compression, body, suffix.substr(0, suffix.size() - plan.s3.extension.size()));
  b.body = packed ? std::move(*packed) : std::move(body);
  b.bucket = plan.s3.bucket;
  b.phase = Batch::Phase::kBackup;
  b.first_attempt_ms = now;
  b.retry_at_ms = now;
  b.attempts = 0;
  send(s);
}

// The batch is done with (delivered, backed up, or given up): checkpoint
// past it and let the log drop it.
void Engine::finish(Stream& s) {
  Batch& b = *s.batch;
  if (b.delivered) {
    ++s.stats.objects;
    s.stats.records += b.records.size();
    s.stats.bytes += b.record_bytes;
    s.stats.last_error.clear();
  }
  if (s.source) {
    // Without the checkpoint a restart delivers the batch again
    // (at-least-once), which is allowed.
    if (Status st = metadata_.put(kSourceCheckpointKind, s.spec.name(), s.source->delivered(b.positions)); !st)
      spdlog::warn("firehose: {}: checkpoint not saved: {}", s.spec.name(), st.to_string());
    s.batch.reset();
    publish_stats(s);
    return;
  }
  const uint64_t last_counter = b.records.back().counter;
  const int64_t last_arrival = b.records.back().arrival_ms;
  s.delivered_through = last_counter;
  s.stats.delivered_through = last_counter;
  if (Status st = metadata_.put(kCheckpointKind, s.spec.name(), std::to_string(last_counter)); !st)
    spdlog::warn("firehose: {}: checkpoint not saved: {}", s.spec.name(), st.to_string());
  storage::ShardRetention retention;
  retention.period_ms = options_.undelivered_retention_ms;
  retention.floor_ms = last_arrival;  // records that arrived before it are all done with
  log_.set_retention({s.spec.shard_key}, retention);
  s.batch.reset();
  publish_stats(s);
}

}  // namespace runnel::firehose
