#include "analytics/runtime.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>

#include "analytics/configuration.h"
#include "analytics/input_source.h"
#include "analytics/lambda_events.h"
#include "firehose/object_key.h"
#include "sql/engine.h"

namespace runnel::analytics {
namespace {

constexpr std::string_view kCheckpointKind = "analytics.checkpoint";
// Reading pauses while an output holds this many records it could not
// write yet (back-pressure, as KDA's retried outputs gave).
constexpr size_t kMaxBufferedRecords = 20'000;
constexpr uint64_t kReadBytesPerStep = 4 << 20;
constexpr int64_t kCheckpointEveryMs = 1000;
constexpr size_t kPutBatch = 500;
constexpr int64_t kReconcileEveryMs = 100;
// Lambda: a batch's data stays under the 6 MB synchronous payload once in
// base64; a preprocessing invocation that fails is tried this often in all
// (100 ms, then 200 ms apart, on the runtime's thread); a Lambda
// output that fails waits, doubling from 100 ms to 5 s, before the next try.
constexpr size_t kLambdaBatchRecords = 1000;
constexpr uint64_t kLambdaBatchBytes = 3 << 20;
constexpr int kPreprocessAttempts = 3;
constexpr int64_t kLambdaRetryMaxMs = 5000;
// error_stream's ERROR_NAMEs of preprocessing (runnel's; VARCHAR(32)).
constexpr std::string_view kLambdaProcessingFailed = "Lambda_ProcessingFailed";
constexpr std::string_view kLambdaInvocationFailed = "Lambda_InvocationFailed";

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The checkpoint document: "<run id>\n<InputSource checkpoint JSON>".
struct Checkpoint {
  int64_t run = 0;
  std::string source;
};
std::optional<Checkpoint> parse_checkpoint(const std::string& v) {
  size_t nl = v.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  Checkpoint c;
  try {
    c.run = std::stoll(v.substr(0, nl));
  } catch (...) {
    return std::nullopt;
  }
  c.source = v.substr(nl + 1);
  return c;
}

}  // namespace

// What the preprocessor made of one record: new data, dropped, or an
// error_stream row.
struct Runtime::Preprocessed {
  bool dropped = false;
  std::optional<sql::SqlError> error;
  std::string data;
};

struct Runtime::App {
  RunSpec spec;
  std::unique_ptr<sql::Engine> engine;
  std::optional<sql::RecordReader> reader;
  std::unique_ptr<InputSource> source;
  DeliveryStreamInput* log_input = nullptr;   // `source`, when it reads a delivery stream's log shard
  std::map<std::string, size_t> shard_input;  // shard → in-application input stream
  struct Output {
    RunSpec::Output spec;
    std::vector<std::string> names;
    std::vector<std::string> records;  // formatted, not written yet
    // A Lambda output: how often records[i] was sent before (retryHint);
    // shorter than `records` (the rest were never sent); when to try again.
    std::vector<uint32_t> retries;
    int64_t retry_at_ms = 0;
    int64_t backoff_ms = 0;
  };
  std::vector<std::unique_ptr<Output>> outputs;
  std::map<std::string, std::string> read_seq;  // since the last checkpoint
  int64_t last_checkpoint_ms = 0;
  uint64_t key_counter = 0;
  RunState state;
  bool failed = false;
};

Runtime::Runtime(RuntimeOptions options, streams::DataStreams& streams, storage::MetadataStore& metadata)
    : options_(std::move(options)), streams_(streams), metadata_(metadata) {}

Runtime::~Runtime() { stop(); }

void Runtime::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Runtime::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::optional<RunState> Runtime::state(const std::string& application) const {
  MutexLock lock(mu_);
  auto it = states_.find(application);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

void Runtime::forget(const std::string& application) { (void)metadata_.remove(kCheckpointKind, application); }

void Runtime::run() {
  int64_t asked_ms = 0;
  while (!stopping_) {
    // Which applications should run changes only with API calls: asked for
    // every 100 ms (a copy of each application), not every tick.
    if (wall_ms() - asked_ms >= kReconcileEveryMs) {
      reconcile(options_.wanted ? options_.wanted() : std::vector<RunSpec>{});
      asked_ms = wall_ms();
    }
    bool busy = false;
    const int64_t now = wall_ms();
    for (auto& [name, app] : apps_) {
      busy = step(*app, now) || busy;
      MutexLock lock(mu_);
      states_[name] = app->state;
    }
    if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(options_.tick_ms));
  }
  // Stopping: write what the outputs hold and checkpoint, so a restart
  // resumes where this run ended.
  const int64_t now = wall_ms();
  for (auto& [name, app] : apps_) {
    app->last_checkpoint_ms = 0;
    step(*app, now);
    if (app->log_input != nullptr && options_.log_readers != nullptr) options_.log_readers->release(name);
  }
  apps_.clear();
}

void Runtime::reconcile(const std::vector<RunSpec>& wanted) {
  std::map<std::string, const RunSpec*> by_name;
  for (const RunSpec& s : wanted) by_name[s.name] = &s;
  for (auto it = apps_.begin(); it != apps_.end();) {
    auto w = by_name.find(it->first);
    if (w != by_name.end() && w->second->version == it->second->spec.version &&
        w->second->run == it->second->spec.run) {
      ++it;
      continue;
    }
    // Stopped, deleted or changed: finish this run's writes and checkpoint.
    it->second->last_checkpoint_ms = 0;
    step(*it->second, wall_ms());
    {
      MutexLock lock(mu_);
      states_.erase(it->first);
    }
    if (it->second->log_input != nullptr && options_.log_readers != nullptr) options_.log_readers->release(it->first);
    it = apps_.erase(it);
  }
  for (const RunSpec& s : wanted) {
    if (apps_.contains(s.name)) continue;
    auto app = std::make_unique<App>();
    app->spec = s;
    auto fail = [&](std::string why) {
      spdlog::warn("analytics: application {} does not run: {}", s.name, why);
      app->failed = true;
      app->state.error = std::move(why);
    };
    // The in-application input streams: the schema's columns, and
    // APPROXIMATE_ARRIVAL_TIME (not selected by *).
    sql::ProgramInputs inputs;
    std::vector<sql::ColumnSchema> columns;
    bool schema_ok = true;
    for (const sql::RecordColumn& c : s.schema.columns) {
      Result<sql::SqlType> t = sql::parse_sql_type(c.sql_type);
      if (!t) {
        fail("column " + c.name + ": " + t.error().message());
        schema_ok = false;
        break;
      }
      columns.push_back(sql::ColumnSchema{c.name, *t});
    }
    columns.push_back(sql::ColumnSchema{"APPROXIMATE_ARRIVAL_TIME", sql::SqlType::of(sql::TypeKind::kTimestamp), true});
    // Reference tables, loaded now (KDA loaded them at start and on
    // UpdateApplication, which is a new version here).
    for (const RunSpec::Reference& ref : s.references) {
      if (!schema_ok || app->failed) break;
      sql::ProgramInputs::Table table;
      table.name = ref.table;
      for (const sql::RecordColumn& c : ref.schema.columns) {
        Result<sql::SqlType> t = sql::parse_sql_type(c.sql_type);
        table.columns.push_back(sql::ColumnSchema{c.name, t ? *t : sql::SqlType::varchar(sql::kMaxCharLength)});
      }
      Result<std::string> body = error(Status::invalid_argument("no S3 store to read reference data from"));
      if (options_.objects != nullptr) {
        std::promise<Result<std::string>> got;
        auto fut = got.get_future();
        options_.objects->get_object(ref.bucket, ref.key,
                                     [&got](Result<std::string> b) { got.set_value(std::move(b)); });
        body = fut.get();
      }
      if (!body) {
        fail("reference data s3://" + ref.bucket + "/" + ref.key + ": " + body.error().to_string());
        break;
      }
      Result<sql::RecordReader> reader = sql::RecordReader::create(ref.schema);
      if (!reader) {
        fail("reference data " + ref.table + ": " + reader.error().message());
        break;
      }
      std::vector<sql::RecordError> errors;
      // A JSON object holds one document per line; a CSV object is one record.
      if (ref.schema.format == sql::RecordFormatType::kJson) {
        size_t at = 0;
        while (at < body->size()) {
          size_t nl = body->find('\n', at);
          if (nl == std::string::npos) nl = body->size();
          std::string_view line(body->data() + at, nl - at);
          if (line.find_first_not_of(" \t\r") != std::string_view::npos) reader->read(line, table.rows, errors);
          at = nl + 1;
        }
      } else {
        reader->read(*body, table.rows, errors);
      }
      if (!errors.empty())
        spdlog::warn("analytics: application {}: {} rows of reference data {} did not convert (first: {})", s.name,
                     errors.size(), ref.table, errors.front().error.message);
      inputs.tables.push_back(std::move(table));
    }
    const bool has_input = !s.input_stream.empty() || !s.input_delivery_stream.empty();
    if (schema_ok && has_input)
      for (std::string& name : in_app_stream_names(s.name_prefix, std::max(1, s.parallelism)))
        inputs.streams.push_back({std::move(name), columns});
    if (schema_ok && !app->failed) {
      sql::CompileError ce;
      Result<std::unique_ptr<sql::Engine>> engine = sql::Engine::compile(s.code, inputs, &ce);
      if (!engine)
        fail(ce.to_string());
      else
        app->engine = std::move(*engine);
    }
    if (!app->failed && has_input) {
      Result<sql::RecordReader> reader = sql::RecordReader::create(s.schema);
      if (!reader)
        fail("the input schema: " + reader.error().message());
      else
        app->reader = std::move(*reader);
    }
    const bool uses_lambda =
        !s.input_lambda_arn.empty() ||
        std::any_of(s.outputs.begin(), s.outputs.end(), [](const RunSpec::Output& o) { return !o.lambda_arn.empty(); });
    if (!app->failed && uses_lambda && options_.lambda.endpoint.empty())
      fail("runnel serves no Lambda functions: start it with --lambda-endpoint URL");
    if (!app->failed && has_input) {
      // Where to start: this run's own checkpoint (a restart, or a new
      // version), else the starting position (LAST_STOPPED_POINT: the
      // previous run's checkpoint).
      std::optional<Checkpoint> cp;
      if (auto all = metadata_.load_all(kCheckpointKind))
        for (const auto& [k, v] : *all)
          if (k == s.name) cp = parse_checkpoint(v);
      int64_t start_ms = s.run > 0 ? s.run : wall_ms();
      std::string checkpoint;
      if (cp && (cp->run == s.run || s.starting_position == "LAST_STOPPED_POINT"))
        checkpoint = cp->source;
      else if (s.starting_position == "TRIM_HORIZON")
        start_ms = 0;
      if (!s.input_stream.empty()) {
        app->source = kinesis_input(streams_, s.input_stream, start_ms, checkpoint);
      } else {
        std::optional<RuntimeOptions::DeliveryStreamSource> d;
        if (options_.delivery_stream_source) d = options_.delivery_stream_source(s.input_delivery_stream);
        if (!d)
          fail("the input delivery stream " + s.input_delivery_stream + " does not exist");
        else if (!d->kinesis_stream.empty())
          app->source = kinesis_input(streams_, d->kinesis_stream, start_ms, checkpoint);
        else if (options_.log == nullptr || d->shard_key == 0)
          fail("the input delivery stream " + s.input_delivery_stream + " cannot be read");
        else {
          auto input = std::make_unique<DeliveryStreamInput>(*options_.log, d->shard_key, options_.key_file, start_ms,
                                                             checkpoint);
          app->log_input = input.get();
          if (options_.log_readers != nullptr)
            options_.log_readers->need(s.name, input->shard(), input->needed_arrival_ms());
          app->source = std::move(input);
        }
      }
    }
    if (!app->failed) {
      for (const RunSpec::Output& o : s.outputs) {
        const std::vector<sql::ColumnSchema>* cols = app->engine->stream_columns(o.name);
        if (cols == nullptr) {
          fail("output " + o.name + ": the application code creates no in-application stream of that name");
          break;
        }
        auto out = std::make_unique<App::Output>();
        out->spec = o;
        for (const sql::ColumnSchema& c : *cols) out->names.push_back(c.name);
        App::Output* raw = out.get();
        App* a = app.get();
        app->engine->subscribe(o.name, [raw, a](const sql::StreamRow& r) {
          raw->records.push_back(sql::write_record(raw->spec.format, raw->names, *r.values));
          ++a->state.rows_out;
        });
        app->outputs.push_back(std::move(out));
      }
    }
    if (!app->failed) {
      App* a = app.get();
      app->engine->subscribe(sql::kErrorStream, [a](const sql::StreamRow&) { ++a->state.error_rows; });
      app->state.running = true;
      spdlog::info("analytics: application {} runs (version {})", s.name, s.version);
    }
    {
      MutexLock lock(mu_);
      states_[s.name] = app->state;
    }
    apps_.emplace(s.name, std::move(app));
  }
}

bool Runtime::step(App& app, int64_t now) {
  if (app.failed) return false;
  bool busy = false;

  // Write what the outputs hold; what is not taken stays for the next step.
  bool backlog = false;
  for (size_t oi = 0; oi < app.outputs.size(); ++oi) {
    auto& out = app.outputs[oi];
    while (!out->records.empty() && !stopping_) {
      if (!out->spec.lambda_arn.empty()) {
        if (!write_lambda(app, oi, now)) {
          backlog = true;
          break;
        }
        busy = true;
        continue;
      }
      size_t n = std::min(out->records.size(), kPutBatch);
      std::vector<std::string> batch(std::make_move_iterator(out->records.begin()),
                                     std::make_move_iterator(out->records.begin() + static_cast<std::ptrdiff_t>(n)));
      out->records.erase(out->records.begin(), out->records.begin() + static_cast<std::ptrdiff_t>(n));
      std::vector<std::string> failed;
      if (!out->spec.kinesis_stream.empty()) {
        std::vector<streams::PutEntry> entries;
        entries.reserve(batch.size());
        for (std::string& r : batch) {
          char key[24];
          std::snprintf(key, sizeof key, "%016llx",
                        static_cast<unsigned long long>((++app.key_counter) * 0x9E3779B97F4A7C15ULL));
          entries.push_back(streams::PutEntry{key, r, std::nullopt});
        }
        std::promise<protocol::ApiResult<std::vector<streams::PutOutcome>>> done;
        auto fut = done.get_future();
        streams_.put_records(
            out->spec.kinesis_stream, std::move(entries),
            [&done](protocol::ApiResult<std::vector<streams::PutOutcome>> r) { done.set_value(std::move(r)); });
        auto result = fut.get();
        if (!result) {
          app.state.error = "output " + out->spec.name + ": " + result.error().message;
          failed = std::move(batch);
        } else {
          for (size_t i = 0; i < result->size(); ++i)
            if ((*result)[i].error) failed.push_back(std::move(batch[i]));
        }
      } else if (!out->spec.delivery_stream.empty() && options_.put_firehose) {
        std::promise<Result<size_t>> done;
        auto fut = done.get_future();
        std::vector<std::string> copy = batch;
        options_.put_firehose(out->spec.delivery_stream, std::move(copy),
                              [&done](Result<size_t> r) { done.set_value(std::move(r)); });
        Result<size_t> r = fut.get();
        if (!r) {
          app.state.error = "output " + out->spec.name + ": " + r.error().message();
          failed = std::move(batch);
        } else if (*r < batch.size()) {
          failed.assign(std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(*r)),
                        std::make_move_iterator(batch.end()));
        }
      } else {
        app.state.error =
            "output " + out->spec.name + ": only Data Streams and Firehose destinations are supported yet";
        failed = std::move(batch);
      }
      if (!failed.empty()) {
        // Put back in order, and try again on a later step.
        out->records.insert(out->records.begin(), std::make_move_iterator(failed.begin()),
                            std::make_move_iterator(failed.end()));
        backlog = true;
        break;
      }
      busy = true;
    }
    if (out->records.size() >= kMaxBufferedRecords) backlog = true;
  }

  // Checkpoint what has been read once its results are written.
  bool written = true;
  for (auto& out : app.outputs) written = written && out->records.empty();
  if (app.source && written && !app.read_seq.empty() && now - app.last_checkpoint_ms >= kCheckpointEveryMs) {
    std::string cp = app.source->delivered(app.read_seq);
    app.read_seq.clear();
    if (Status st = metadata_.put(kCheckpointKind, app.spec.name, std::to_string(app.spec.run) + "\n" + cp); !st)
      spdlog::warn("analytics: checkpoint of {}: {}", app.spec.name, st.to_string());
    if (app.log_input != nullptr && options_.log_readers != nullptr)
      options_.log_readers->need(app.spec.name, app.log_input->shard(), app.log_input->needed_arrival_ms());
    app.last_checkpoint_ms = now;
  }

  if (!backlog && app.source && !stopping_) {
    std::vector<firehose::SourceRecord> records;
    if (Status st = app.source->read(kReadBytesPerStep, records); !st) app.state.error = st.message();
    std::vector<sql::Row> rows;
    std::vector<sql::RecordError> errors;
    const size_t parallelism = static_cast<size_t>(std::max(1, app.spec.parallelism));
    std::vector<Preprocessed> pre;
    size_t taken = records.size();
    if (!app.spec.input_lambda_arn.empty() && !records.empty()) {
      pre = preprocess(app, records);
      taken = pre.size();
    }
    for (size_t ri = 0; ri < taken; ++ri) {
      firehose::SourceRecord& r = records[ri];
      auto [it, fresh] = app.shard_input.try_emplace(r.shard_id, app.shard_input.size() % parallelism);
      const size_t input = it->second;
      app.read_seq[r.shard_id] = r.sequence_number;
      ++app.state.records_in;
      if (!pre.empty()) {
        // Dropped records are gone; failed ones are error rows with the
        // record as it was read.
        if (pre[ri].dropped) continue;
        if (pre[ri].error) {
          app.engine->input_error(input, now, *pre[ri].error, r.record.data);
          continue;
        }
        r.record.data = std::move(pre[ri].data);
      }
      rows.clear();
      errors.clear();
      app.reader->read(r.record.data, rows, errors);
      for (sql::Row& row : rows) {
        row.push_back(sql::Value::timestamp(r.record.arrival_ms));
        app.engine->insert(input, now, std::move(row));
      }
      for (const sql::RecordError& e : errors) app.engine->input_error(input, now, e.error, r.record.data);
    }
    busy = busy || !records.empty();
  }
  app.engine->advance(now);
  return busy;
}

std::vector<Runtime::Preprocessed> Runtime::preprocess(App& app, const std::vector<firehose::SourceRecord>& records) {
  std::vector<Preprocessed> out(records.size());
  const bool from_firehose = !app.spec.input_delivery_stream.empty();
  size_t at = 0;
  while (at < records.size()) {
    // Stopping: the records not sent yet are left unread (out is cut short:
    // the caller neither processes nor checkpoints them).
    if (stopping_) {
      out.resize(at);
      break;
    }
    // One invocation: up to kLambdaBatchRecords records and
    // kLambdaBatchBytes of data (always at least one record).
    std::vector<PreprocessRecord> batch;
    uint64_t bytes = 0;
    const size_t first = at;
    while (at < records.size() && batch.size() < kLambdaBatchRecords &&
           (batch.empty() || bytes + records[at].record.data.size() <= kLambdaBatchBytes)) {
      const firehose::SourceRecord& r = records[at];
      PreprocessRecord p;
      p.input.record_id = std::to_string(at - first);
      p.input.arrival_ms = r.record.arrival_ms;
      p.input.data = r.record.data;
      p.from_firehose = from_firehose;
      p.shard_id = r.shard_id;
      p.sequence_number = r.sequence_number;
      p.partition_key = r.record.partition_key;
      bytes += r.record.data.size();
      batch.push_back(std::move(p));
      ++at;
    }
    std::vector<firehose::LambdaInput> inputs;
    inputs.reserve(batch.size());
    for (const PreprocessRecord& p : batch) inputs.push_back(p.input);
    const std::string invocation_id = firehose::random_uuid();
    Result<std::vector<firehose::LambdaOutput>> answer = error(Status::aborted("not invoked"));
    for (int attempt = 1; attempt <= kPreprocessAttempts; ++attempt) {
      if (attempt > 1 && stopping_) {
        out.resize(first);  // not failed: read again after the restart
        return out;
      }
      firehose::EndpointResponse response = firehose::send_endpoint_request(
          preprocessing_request(options_.lambda, app.spec.input_lambda_arn, invocation_id, app.spec.arn,
                                app.spec.input_arn, batch, wall_ms()));
      answer = firehose::lambda_answer(response, inputs);
      if (answer) break;
      spdlog::warn("analytics: application {}: preprocessing (attempt {}): {}", app.spec.name, attempt,
                   answer.error().message());
      if (attempt < kPreprocessAttempts) std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      Preprocessed& p = out[first + i];
      if (!answer) {
        p.error = sql::SqlError{std::string(kLambdaInvocationFailed), answer.error().message()};
        continue;
      }
      firehose::LambdaOutput& o = (*answer)[i];
      if (o.result == "Dropped") {
        p.dropped = true;
      } else if (o.result == "ProcessingFailed") {
        p.error = sql::SqlError{std::string(kLambdaProcessingFailed),
                                "The Lambda function marked the record ProcessingFailed."};
      } else {
        p.data = std::move(o.data);
      }
    }
    if (!answer) app.state.error = "preprocessing: " + answer.error().message();
  }
  return out;
}

bool Runtime::write_lambda(App& app, size_t output, int64_t now) {
  App::Output& out = *app.outputs[output];
  if (now < out.retry_at_ms) return false;
  size_t n = 0;
  uint64_t bytes = 0;
  while (n < out.records.size() && n < kLambdaBatchRecords &&
         (n == 0 || bytes + out.records[n].size() <= kLambdaBatchBytes))
    bytes += out.records[n++].size();
  std::vector<OutputRecord> batch(n);
  for (size_t i = 0; i < n; ++i) {
    batch[i].record_id = std::to_string(i);
    batch[i].retry_hint = i < out.retries.size() ? out.retries[i] : 0;
    batch[i].data = out.records[i];
  }
  firehose::EndpointResponse response = firehose::send_endpoint_request(
      output_request(options_.lambda, out.spec.lambda_arn, firehose::random_uuid(), app.spec.arn, batch, wall_ms()));
  Result<std::vector<bool>> taken = output_answer(response, batch);
  // What stays: the records not taken, first and in order, each sent once
  // more, then the ones not sent.
  std::vector<std::string> rest;
  std::vector<uint32_t> retries;
  for (size_t i = 0; i < n; ++i) {
    if (taken && (*taken)[i]) continue;
    rest.push_back(std::move(out.records[i]));
    retries.push_back(batch[i].retry_hint + 1);
  }
  const bool all = rest.empty();
  if (!taken)
    app.state.error = "output " + out.spec.name + ": " + taken.error().message();
  else if (!all)
    app.state.error = "output " + out.spec.name + ": the Lambda function answered DeliveryFailed";
  for (size_t i = n; i < out.records.size(); ++i) {
    if (i < out.retries.size()) retries.push_back(out.retries[i]);
    rest.push_back(std::move(out.records[i]));
  }
  // Retries only matter for records that were sent: drop trailing zeros.
  while (!retries.empty() && retries.back() == 0) retries.pop_back();
  out.records = std::move(rest);
  out.retries = std::move(retries);
  if (all) {
    out.backoff_ms = 0;
    out.retry_at_ms = 0;
  } else {
    out.backoff_ms = std::min(kLambdaRetryMaxMs, std::max<int64_t>(100, out.backoff_ms * 2));
    out.retry_at_ms = now + out.backoff_ms;
  }
  return all;
}

}  // namespace runnel::analytics
