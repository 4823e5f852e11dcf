// g++ 12 at -O2 reports the std::expected<PutResult, ApiError> that put()
// hands to the reply lambdas as "maybe uninitialized" inside the inlined
// vector code of the standard headers: a false positive of its
// -Wmaybe-uninitialized with std::expected holding vectors and strings (the
// value is always set when has_value() is true). The warning is located in
// the headers, so it is turned off before them, for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// PutRecord, PutRecordBatch: appended to the stream's log shard, answered
// once durable.
#include <spdlog/spdlog.h>

#include "firehose/firehose_service.h"
#include "firehose/record_id.h"

namespace runnel::firehose {

namespace {
constexpr size_t kMaxRecordBytes = 1'024'000;
constexpr size_t kMaxBatchRecords = 500;
constexpr size_t kMaxBatchBytes = 4 << 20;
constexpr std::string_view kSlowDown = "Slow down.";
// The KeyId records of an AWS_OWNED_CMK stream are encrypted under (the
// local key file's data key for it; streams/record_cipher.h).
constexpr std::string_view kAwsOwnedKeyId = "alias/aws/firehose";

protocol::ApiError service_unavailable() {
  return protocol::ApiError{"ServiceUnavailableException", std::string(kSlowDown), 400, false};
}
}  // namespace

void FirehoseService::put_record(api::PutRecordInput& in, const Ctx& ctx, Reply<api::PutRecordOutput> reply) {
  std::vector<api::Record> records;
  records.push_back(std::move(in.record));
  put(in.delivery_stream_name, records, false, ctx, [reply = std::move(reply)](ApiResult<PutResult> r) {
    if (!r) return reply(std::unexpected(std::move(r.error())));
    // One record, one entry. (Moved out of the expected first: g++ 12's
    // -Wmaybe-uninitialized misreads iterators into it.)
    PutResult result = std::move(*r);
    api::PutRecordBatchResponseEntry e = std::move(result.entries.at(0));
    if (e.error_code) {
      return reply(std::unexpected(protocol::ApiError{*e.error_code, e.error_message.value_or(""),
                                                      *e.error_code == "InternalFailure" ? 500 : 400, false}));
    }
    api::PutRecordOutput out;
    out.record_id = e.record_id.value_or("");
    out.encrypted = result.encrypted;
    reply(std::move(out));
  });
}

FirehoseService::PutResult FirehoseService::throttled(size_t n, bool encrypted) {
  PutResult result;
  result.encrypted = encrypted;
  result.entries.resize(n);
  for (auto& e : result.entries) {
    e.error_code = "ServiceUnavailableException";
    e.error_message = std::string(kSlowDown);
  }
  return result;
}

void FirehoseService::put_record_batch(api::PutRecordBatchInput& in, const Ctx& ctx,
                                       Reply<api::PutRecordBatchOutput> reply) {
  put(in.delivery_stream_name, in.records, true, ctx, [reply = std::move(reply)](ApiResult<PutResult> r) {
    if (!r) return reply(std::unexpected(std::move(r.error())));
    api::PutRecordBatchOutput out;
    for (const auto& e : r->entries) {
      if (e.error_code) ++out.failed_put_count;
    }
    out.encrypted = r->encrypted;
    out.request_responses = std::move(r->entries);
    reply(std::move(out));
  });
}

void FirehoseService::put(const std::string& name, std::vector<api::Record>& records, bool batch, const Ctx& ctx,
                          std::function<void(ApiResult<PutResult>)> done) {
  // Sizes first: AWS refuses the whole call.
  size_t total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t n = records[i].data.bytes.size();
    if (n > kMaxRecordBytes) {
      return done(std::unexpected(protocol::invalid_argument(
          "1 validation error detected: Value at '" +
          std::string(batch ? "records." + std::to_string(i + 1) : "record") +
          ".data' failed to satisfy constraint: Member must have length less than or equal to 1024000")));
    }
    total += n;
  }
  if (batch && (records.empty() || records.size() > kMaxBatchRecords)) {
    return done(std::unexpected(protocol::invalid_argument(
        "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length "
        "less than or equal to 500 and greater than or equal to 1")));
  }
  if (batch && total > kMaxBatchBytes) {
    return done(std::unexpected(protocol::invalid_argument(
        "Records size exceeds 4 MB limit: the records of a PutRecordBatch call may total at most 4 MiB.")));
  }

  const std::string region = ctx.region.empty() ? options_.region : ctx.region;
  storage::ShardKey shard = 0;
  std::shared_ptr<FirehoseMetrics> metrics;
  std::optional<std::string> key_id;
  std::vector<bool> admitted(records.size(), true);
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(name);
    const std::string status = s ? s->spec.description.delivery_stream_status : "";
    // Records are taken while ACTIVE (and while DELETING, as AWS may).
    if (!s || (status != "ACTIVE" && status != "DELETING")) return done(std::unexpected(not_found(name, ctx)));
    if (s->spec.description.delivery_stream_type != "DirectPut") {
      return done(std::unexpected(protocol::invalid_argument(
          "This operation is not permitted on KinesisStreamAsSource delivery stream type.")));
    }
    if (!admit_request_locked(*s, region)) return done(std::unexpected(service_unavailable()));
    for (size_t i = 0; i < records.size(); ++i) {
      admitted[i] = admit_record_locked(*s, records[i].data.bytes.size());
    }
    if (!batch && !admitted[0]) return done(std::unexpected(service_unavailable()));
    shard = s->spec.shard_key;
    if (!s->metrics) s->metrics = FirehoseMetrics::make(options_.metrics, name);
    metrics = s->metrics;
    const auto& enc = s->spec.description.delivery_stream_encryption_configuration;
    if (enc && enc->status == "ENABLED") {
      key_id = enc->key_type == "CUSTOMER_MANAGED_CMK" && enc->key_arn ? *enc->key_arn : std::string(kAwsOwnedKeyId);
    }
  }

  metrics->record(FirehoseMetric::kIncomingPutRequests, 1);
  uint64_t admitted_bytes = 0;
  for (size_t i = 0; i < records.size(); ++i)
    if (admitted[i]) admitted_bytes += records[i].data.bytes.size();
  storage::ShardAppend append;
  append.shard = shard;
  std::vector<size_t> positions;  // request index of each appended record
  for (size_t i = 0; i < records.size(); ++i) {
    if (!admitted[i]) continue;
    storage::AppendRecord r;
    r.data = std::move(records[i].data.bytes);
    if (key_id) {
      if (Status st = cipher_.encrypt(*key_id, r); !st) {
        spdlog::error("firehose: encrypting a record of {}: {}", name, st.to_string());
        return done(std::unexpected(streams::RecordCipher::api_error(st)));
      }
    }
    append.records.push_back(std::move(r));
    positions.push_back(i);
  }
  const size_t n = records.size();
  const bool encrypted = key_id.has_value();
  if (positions.size() < n)
    metrics->record(FirehoseMetric::kThrottledRecords, static_cast<double>(n - positions.size()));
  if (append.records.empty()) return done(throttled(n, encrypted));
  std::vector<storage::ShardAppend> appends;
  appends.push_back(std::move(append));
  // The answer is built on the log's thread (cheap: ids from counters) and
  // handed to the request's own thread to encode, as Kinesis's puts do.
  log_.append(std::move(appends), [this, name, shard, n, encrypted, metrics, admitted_bytes,
                                   positions = std::move(positions), run_on_request_thread = ctx.run_on_request_thread,
                                   done = std::move(done)](Result<std::vector<storage::Appended>> r) {
    PutResult result = throttled(n, encrypted);
    const bool ok = r.has_value() && !r->empty();
    for (size_t j = 0; j < positions.size(); ++j) {
      auto& e = result.entries[positions[j]];
      if (!ok) {
        e.error_code = "InternalFailure";
        e.error_message = "Internal service failure.";
        continue;
      }
      const storage::Appended& a = r->front();
      e.error_code.reset();
      e.error_message.reset();
      e.record_id = make_record_id({shard, a.first_counter + j, j < a.arrival_ms.size() ? a.arrival_ms[j] : 0});
    }
    if (!ok) spdlog::warn("firehose: appending to {}: {}", name, r ? "no result" : r.error().to_string());
    if (ok) {
      metrics->record(FirehoseMetric::kIncomingBytes, static_cast<double>(admitted_bytes));
      metrics->record(FirehoseMetric::kIncomingRecords, static_cast<double>(positions.size()));
      engine_.records_durable(name);
    }
    if (!run_on_request_thread) return done(std::move(result));
    run_on_request_thread([done, result = std::move(result)]() mutable { done(std::move(result)); });
  });
}

}  // namespace runnel::firehose

namespace runnel::firehose {

void FirehoseService::put_records(const std::string& name, std::vector<std::string> data,
                                  std::function<void(Result<size_t>)> done) {
  std::vector<api::Record> records(data.size());
  for (size_t i = 0; i < data.size(); ++i) records[i].data.bytes = std::move(data[i]);
  put(name, records, true, Ctx{}, [done = std::move(done)](ApiResult<PutResult> r) {
    if (!r) return done(error(Status::aborted(r.error().message)));
    size_t taken = 0;
    while (taken < r->entries.size() && !r->entries[taken].error_code) ++taken;
    done(taken);
  });
}

}  // namespace runnel::firehose
