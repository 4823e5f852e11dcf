// The data plane: PutRecord, PutRecords, GetShardIterator, GetRecords.

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>

#include "streams/child_shards.h"
#include "streams/input.h"
#include "streams/kinesis_service.h"
#include "streams/record_value.h"
#include "streams/sequence_number.h"
#include "streams/shard_id.h"
#include "streams/starting_position.h"
#include "streams/stream_metrics.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Object;

namespace {

constexpr uint64_t kGetRecordsMaxBytes = 10ull << 20;
constexpr uint64_t kPutRecordsMaxBytes = 10ull << 20;

// Where one record of a put goes: a position in one of the ShardAppend
// groups, or, for a record the shard's write budget throttled, no group and
// the shard's index (for the error message).
constexpr uint32_t kThrottled = UINT32_MAX;
struct Route {
  uint32_t group;     // index into the ShardAppend list, or kThrottled
  uint32_t position;  // index within that group's records, or the shard index
};

struct ShardInfo {
  uint32_t index;
  int64_t created_secs;
  // With metrics on: the shard's enhanced metrics (null when none is
  // enabled), and the records and bytes of this put that go to it.
  std::shared_ptr<const ShardMetrics> metrics = nullptr;
  uint32_t records = 0;
  uint64_t bytes = 0;
};

using SteadyTime = std::chrono::steady_clock::time_point;

double millis_since(SteadyTime start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// One sample per record: 1 when it was refused for the write limits, 0 when
// not (AWS: Minimum 1 means all were throttled, Maximum 0 none).
metrics::StatisticSet throttled_set(uint32_t records, uint32_t throttled) {
  return metrics::StatisticSet{double(records), double(throttled), throttled == records ? 1.0 : 0.0,
                               throttled > 0 ? 1.0 : 0.0};
}

constexpr const char* kThroughputExceeded = "ProvisionedThroughputExceededException";

// AWS's text for a write over a shard's budget (a PutRecords entry's
// ErrorMessage, or PutRecord's error).
std::string write_throttled_message(uint32_t shard_index, std::string_view stream, std::string_view account) {
  std::string m = "Rate exceeded for shard ";
  m += format_shard_id(shard_index);
  m += " in stream ";
  m += stream;
  m += " under account ";
  m += account;
  m += '.';
  return m;
}

}  // namespace

// Where a put's answer goes: PutRecord's reply, or PutRecords'.
struct KinesisService::PutAnswer {
  std::optional<TypedReply<api::PutRecordOutput>> one;
  std::optional<TypedReply<WithRecords<api::PutRecordsOutput>>> many;

  bool single() const { return one.has_value(); }
  void fail(protocol::ApiError e) {
    if (one) return (*one)(std::unexpected(std::move(e)));
    if (many) (*many)(std::unexpected(std::move(e)));
  }
};

namespace {

// A put's answer, built once its records are durable: the sequence number
// and shard of each record, or its error, in request order.
struct PutReply {
  KinesisService::PutAnswer answer;
  std::vector<Route> routes;
  std::vector<ShardInfo> group_shards;  // parallel to the appends
  bool single;
  std::string encryption;
  uint32_t failed = 0;
  // Set only when some record was throttled.
  std::string stream_name;
  std::string account_id;
  RecordsEncoding encoding;
  // With metrics on: the stream's series and when the request arrived.
  std::shared_ptr<const StreamMetrics> metrics;
  SteadyTime arrived;

  // The operation failed after routing (the append): Success 0, Latency.
  void record_failure() const {
    if (!metrics) return;
    const double latency = millis_since(arrived);
    metrics->record(single ? StreamMetric::kPutRecordSuccess : StreamMetric::kPutRecordsSuccess, 0);
    metrics->record(single ? StreamMetric::kPutRecordLatency : StreamMetric::kPutRecordsLatency, latency);
  }
  // The answer is ready: one sample per metric for this operation, and one
  // per shard it wrote to for the enhanced IncomingBytes/Records.
  void record_success() const {
    uint64_t bytes = 0;
    uint32_t records = 0;
    for (const ShardInfo& sh : group_shards) {
      bytes += sh.bytes;
      records += sh.records;
      if (sh.metrics) {
        sh.metrics->record(ShardMetric::kIncomingBytes, double(sh.bytes));
        sh.metrics->record(ShardMetric::kIncomingRecords, double(sh.records));
      }
    }
    const StreamMetrics& m = *metrics;
    m.record(StreamMetric::kIncomingBytes, double(bytes));
    m.record(StreamMetric::kIncomingRecords, double(records));
    if (single) {
      m.record(StreamMetric::kPutRecordBytes, double(bytes));
      m.record(StreamMetric::kPutRecordSuccess, 1);
      m.record(StreamMetric::kPutRecordLatency, millis_since(arrived));
      return;
    }
    m.record(StreamMetric::kPutRecordsBytes, double(bytes));
    m.record(StreamMetric::kPutRecordsRecords, double(records));
    m.record(StreamMetric::kPutRecordsSuccessfulRecords, double(records));
    m.record(StreamMetric::kPutRecordsFailedRecords, 0);  // no record fails alone but for its write budget
    m.record(StreamMetric::kPutRecordsThrottledRecords, double(failed));
    m.record(StreamMetric::kPutRecordsTotalRecords, double(routes.size()));
    m.record(StreamMetric::kPutRecordsSuccess, records > 0 ? 1 : 0);
    m.record(StreamMetric::kPutRecordsLatency, millis_since(arrived));
  }

  void operator()(const std::vector<storage::Appended>& appended) {
    auto sequence_of = [&](const Route& r) {
      const auto& a = appended[r.group];
      const ShardInfo& sh = group_shards[r.group];
      return format_sequence_number(
          SequenceNumber{sh.created_secs, sh.index, a.first_counter + r.position, a.arrival_ms[r.position] / 1000});
    };
    if (single) {
      const Route& r = routes.front();
      api::PutRecordOutput out;
      out.shard_id = format_shard_id(group_shards[r.group].index);
      out.sequence_number = sequence_of(r);
      if (encryption != api::EncryptionType::kNone) out.encryption_type = std::move(encryption);
      if (metrics) record_success();
      if (answer.one) (*answer.one)(std::move(out));
      return;
    }
    std::vector<PutResultEntry> entries(routes.size());
    for (size_t i = 0; i < routes.size(); ++i) {
      const Route& r = routes[i];
      PutResultEntry& e = entries[i];
      if (r.group == kThrottled) {
        e.failed = true;
        e.error_code = kThroughputExceeded;
        e.error_message = write_throttled_message(r.position, stream_name, account_id);
      } else {
        const auto& a = appended[r.group];
        const ShardInfo& sh = group_shards[r.group];
        e.sequence =
            SequenceNumber{sh.created_secs, sh.index, a.first_counter + r.position, a.arrival_ms[r.position] / 1000};
        e.shard_index = sh.index;
      }
    }
    WithRecords<api::PutRecordsOutput> out;
    out.out.failed_record_count = static_cast<int32_t>(failed);
    out.records = put_results_value(entries, encoding);
    if (encryption != api::EncryptionType::kNone) out.out.encryption_type = std::move(encryption);
    if (metrics) record_success();
    if (answer.many) (*answer.many)(std::move(out));
  }
};

// The one place where a failed log append becomes the client's error. A full
// disk answers 503 ServiceUnavailable: AWS SDKs retry it, and the log takes
// writes again by itself once space is freed (docs/storage.md §6a). Any other
// failure is InternalFailure (500), which SDKs retry too.
protocol::ApiError append_failure(const Status& s) {
  if (s.code() == Status::Code::kResourceExhausted) {
    return protocol::ApiError{"ServiceUnavailable",
                              "The record log cannot be written now (" + s.message() + "). Retry later.", 503, false};
  }
  return protocol::internal_failure();
}

}  // namespace

void KinesisService::put_record(api::PutRecordInput& in, const Ctx& ctx, TypedReply<api::PutRecordOutput> reply) {
  api::PutRecordsRequestEntry entry{.data = std::move(in.data),
                                    .explicit_hash_key = std::move(in.explicit_hash_key),
                                    .partition_key = std::move(in.partition_key)};
  PutAnswer answer;
  answer.one.emplace(std::move(reply));
  put(stream_ref(in), std::span(&entry, 1), opt_ptr(in.sequence_number_for_ordering), ctx, std::move(answer));
}

void KinesisService::put_records(api::PutRecordsInput& in, const Ctx& ctx,
                                 TypedReply<WithRecords<api::PutRecordsOutput>> reply) {
  PutAnswer answer;
  answer.many.emplace(std::move(reply));
  put(stream_ref(in), in.records, nullptr, ctx, std::move(answer));
}

void KinesisService::put(StreamRef stream, std::span<api::PutRecordsRequestEntry> entries, const std::string* ordering,
                         const Ctx& ctx, PutAnswer answer) {
  const bool single = answer.single();
  const int64_t now = now_ms();
  const SteadyTime arrived = options_.metrics ? std::chrono::steady_clock::now() : SteadyTime{};
  std::shared_ptr<const StreamMetrics> stream_metrics;

  std::vector<storage::ShardAppend> groups;
  std::vector<ShardInfo> group_shards;
  std::vector<Route> routes;
  routes.reserve(entries.size());
  std::string encryption;
  uint32_t failed = 0;
  std::string throttled_stream;
  // Routing and log_.append happen under one shared hold of mu_: resharding
  // closes a shard under the exclusive lock, so every append routed to a
  // shard has its counters assigned before the shard's ending_counter is
  // read, and none reaches it afterwards (docs/resharding.md).
  std::optional<PutReply> all_throttled;  // answered once mu_ is released
  {
    ReaderLock lock(mu_);
    auto found = find_stream_locked(stream, ctx);
    if (!found) return answer.fail(found.error());
    const StreamState& s = **found;
    if (s.status == StreamStatus::kCreating)
      return answer.fail(protocol::resource_not_found(not_found_message(s.name)));
    encryption = s.encryption_type;
    stream_metrics = s.metrics;
    // The key must be usable before any write budget is charged.
    if (encryption == "KMS")
      if (Status st = cipher_.ready(); !st) return answer.fail(RecordCipher::api_error(st));
    const uint64_t max_record = uint64_t(s.max_record_kib) * 1024;

    // Open shards sorted by their first hash key, for routing.
    std::vector<const Shard*> open;
    for (const auto& sh : s.shards)
      if (sh.open()) open.push_back(&sh);
    std::sort(open.begin(), open.end(), [](auto* a, auto* b) { return a->range.start < b->range.start; });

    // 1. Validate and route every record. Nothing is charged or moved yet,
    // so a request that fails validation costs no write budget.
    std::vector<uint32_t> slot_of(entries.size());  // index into s.shards
    std::vector<uint32_t> per_slot(s.shards.size(), 0);
    uint64_t total = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      const api::PutRecordsRequestEntry& r = entries[i];
      const std::string& key = r.partition_key;
      const std::string& data = r.data.bytes;
      if (data.size() + key.size() > max_record)
        return answer.fail(protocol::invalid_argument(
            "Record size " + std::to_string(data.size() + key.size()) + " bytes exceeds the stream's maximum of " +
            std::to_string(max_record) + " bytes (MaxRecordSizeInKiB " + std::to_string(s.max_record_kib) + ")."));
      total += data.size() + key.size();
      HashKey hash;
      if (const std::string* explicit_key = opt_ptr(r.explicit_hash_key)) {
        auto parsed = parse_hash_key(*explicit_key);
        if (!parsed)
          return answer.fail(protocol::invalid_argument(
              "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " +
              *explicit_key));
        hash = *parsed;
      } else {
        hash = hash_partition_key(key);
      }
      auto it = std::upper_bound(open.begin(), open.end(), hash,
                                 [](HashKey h, const Shard* sh) { return h < sh->range.start; });
      if (it == open.begin()) return answer.fail(protocol::internal_failure());
      slot_of[i] = static_cast<uint32_t>(*(it - 1) - s.shards.data());
      ++per_slot[slot_of[i]];
    }
    if (!single && total > kPutRecordsMaxBytes)
      return answer.fail(protocol::invalid_argument(
          "Records size exceeds 10 MB limit. The total size of the records in a PutRecords request, " +
          std::to_string(total) + " bytes, must not exceed " + std::to_string(kPutRecordsMaxBytes) + " bytes."));
    // The sequence-number check of SequenceNumberForOrdering only applies
    // to PutRecord (`ordering` is null for PutRecords).
    if (ordering) {
      switch (check_sequence_number_for_ordering(*ordering, now)) {
        case OrderingVerdict::kAccepted: break;
        case OrderingVerdict::kInternalFailure:
          // AWS's body is {"__type":"InternalFailure"}, without a message.
          return answer.fail(protocol::internal_failure(""));
        case OrderingVerdict::kInvalid:
          return answer.fail(protocol::invalid_argument("ExclusiveMinimumSequenceNumber " + *ordering +
                                                        " used in PutRecord on stream " + s.name + " under account " +
                                                        options_.account_id + " is invalid."));
      }
      // Counters only grow within a shard, so every new record already
      // sorts after any sequence number this client was given before.
    }

    // 2. With the limits on, charge each shard's write budget for its
    // records, in request order, one shard lock at a time (a chain per shard
    // through next_of). With them off, step 3 only counts the writes.
    std::vector<uint8_t> throttled(entries.size(), 0);
    if (options_.throughput_limits) {
      constexpr uint32_t kEnd = UINT32_MAX;
      std::vector<uint32_t> first_of(s.shards.size(), kEnd);
      std::vector<uint32_t> next_of(entries.size());
      for (size_t i = entries.size(); i-- > 0;) {
        next_of[i] = first_of[slot_of[i]];
        first_of[slot_of[i]] = static_cast<uint32_t>(i);
      }
      for (const Shard* sh : open) {
        const uint32_t first = first_of[static_cast<size_t>(sh - s.shards.data())];
        if (first == kEnd) continue;
        auto budget = throughput_.writes(sh->key, now, /*enforce=*/true);
        for (uint32_t i = first; i != kEnd; i = next_of[i]) {
          if (!budget.admit(entries[i].partition_key.size() + entries[i].data.bytes.size())) throttled[i] = 1;
        }
      }
    }

    // WriteProvisionedThroughputExceeded: a sample per record, for the
    // stream and for each enhanced shard it goes to.
    if (stream_metrics) {
      uint32_t refused = 0;
      for (uint8_t t : throttled) refused += t;
      stream_metrics->record_statistics(StreamMetric::kWriteThrottled,
                                        throttled_set(static_cast<uint32_t>(entries.size()), refused));
      // Refused records per shard, counted only when some were refused.
      std::vector<uint32_t> refused_in;
      if (refused > 0) {
        refused_in.assign(s.shards.size(), 0);
        for (size_t i = 0; i < entries.size(); ++i) refused_in[slot_of[i]] += throttled[i];
      }
      for (const Shard* sh : open) {
        if (!sh->metrics || !sh->metrics->has(ShardMetric::kWriteThrottled)) continue;
        const size_t slot = static_cast<size_t>(sh - s.shards.data());
        if (per_slot[slot] == 0) continue;
        sh->metrics->record_statistics(ShardMetric::kWriteThrottled,
                                       throttled_set(per_slot[slot], refused > 0 ? refused_in[slot] : 0));
      }
    }

    // 3. Group the admitted records by shard, in request order.
    std::vector<int32_t> group_of(s.shards.size(), -1);
    for (size_t i = 0; i < entries.size(); ++i) {
      const size_t slot = slot_of[i];
      const Shard& shard = s.shards[slot];
      if (throttled[i]) {
        if (single) {
          if (stream_metrics) {
            stream_metrics->record(StreamMetric::kPutRecordSuccess, 0);
            stream_metrics->record(StreamMetric::kPutRecordLatency, millis_since(arrived));
          }
          return answer.fail(protocol::ApiError{
              kThroughputExceeded, write_throttled_message(shard.index, s.name, options_.account_id), 400});
        }
        routes.push_back(Route{kThrottled, shard.index});
        ++failed;
        continue;
      }
      if (group_of[slot] < 0) {
        group_of[slot] = static_cast<int32_t>(groups.size());
        groups.push_back(storage::ShardAppend{shard.key, {}});
        groups.back().records.reserve(per_slot[slot]);
        group_shards.push_back(ShardInfo{shard.index, shard.created_secs()});
        if (stream_metrics) group_shards.back().metrics = shard.metrics;
      }
      auto& g = groups[static_cast<size_t>(group_of[slot])];
      if (stream_metrics) {
        ShardInfo& info = group_shards[static_cast<size_t>(group_of[slot])];
        ++info.records;
        info.bytes += entries[i].partition_key.size() + entries[i].data.bytes.size();
      }
      routes.push_back(Route{static_cast<uint32_t>(group_of[slot]), static_cast<uint32_t>(g.records.size())});
      // The input is not read past this point, so the bytes move rather than copy.
      storage::AppendRecord record{std::move(entries[i].partition_key), std::move(entries[i].data.bytes)};
      // Encrypted after routing, the size checks and the write budget, which
      // all apply to the plaintext (docs/encryption.md).
      if (encryption == "KMS")
        if (Status st = cipher_.encrypt(s.key_id, record); !st) return answer.fail(RecordCipher::api_error(st));
      g.records.push_back(std::move(record));
    }
    if (failed > 0) throttled_stream = s.name;
    if (!options_.throughput_limits) {
      // Counted for on-demand scaling (write_rate) even with the limits off.
      for (const auto& g : groups) {
        uint64_t bytes = 0;
        for (const auto& rec : g.records) bytes += rec.partition_key.size() + rec.data.size();
        throughput_.count_writes(g.shard, now, g.records.size(), bytes);
      }
    }

    PutReply respond{std::move(answer),
                     std::move(routes),
                     std::move(group_shards),
                     single,
                     std::move(encryption),
                     failed,
                     std::move(throttled_stream),
                     failed > 0 ? options_.account_id : std::string(),
                     RecordsEncoding{ctx.direct_encoding, ctx.format},
                     std::move(stream_metrics),
                     arrived};
    // Every record throttled: nothing to append.
    if (groups.empty()) {
      all_throttled.emplace(std::move(respond));
    } else {
      std::vector<storage::ShardKey> shard_keys;
      shard_keys.reserve(groups.size());
      for (const auto& g : groups) shard_keys.push_back(g.shard);
      // append() only assigns counters and queues; durability and the callback
      // follow on the log's threads (the callback on the sync thread under
      // --fsync always, the writer thread otherwise), which never wait for mu_
      // while they hold a log lock. The callback runs only after the batch is
      // durable (per --fsync); it only notifies readers there and hands the
      // response's construction and encoding to the request's own thread, so the
      // log's thread is free for the next acknowledgements sooner.
      log_.append(std::move(groups), [this, respond = std::move(respond), shard_keys = std::move(shard_keys),
                                      run_on_request_thread = ctx.run_on_request_thread](
                                         Result<std::vector<storage::Appended>> result) mutable {
        if (!result) {
          respond.record_failure();
          return respond.answer.fail(append_failure(result.error()));
        }
        records_durable(shard_keys);
        if (!run_on_request_thread) return respond(*result);
        run_on_request_thread(
            [respond = std::move(respond), appended = std::move(*result)]() mutable { respond(appended); });
      });
    }
  }
  if (all_throttled) (*all_throttled)({});
}

protocol::ApiResult<api::GetShardIteratorOutput> KinesisService::get_shard_iterator(
    const api::GetShardIteratorInput& in, const Ctx& ctx) {
  const std::string& shard_id = in.shard_id;
  const std::string& type = in.shard_iterator_type;
  const std::string* start_seq = opt_ptr(in.starting_sequence_number);
  const std::optional<int64_t> at_ms =
      in.timestamp ? std::optional<int64_t>(in.timestamp->millis) : std::optional<int64_t>();
  const int64_t now = now_ms();

  // AWS reads the shard id before it looks for the stream: an id that names
  // no shard is "Could not find shard <id as given>", known stream or not,
  // and an unknown stream is reported as a missing shard.
  const std::optional<std::string> stream_name = requested_stream_name(stream_ref(in));
  auto index = parse_shard_id(shard_id);
  if (!index && stream_name)
    return std::unexpected(protocol::resource_not_found("Could not find shard " + shard_id + " in stream " +
                                                        *stream_name + " under account " + options_.account_id + "."));
  ReaderLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found && found.error().type == "ResourceNotFoundException" && stream_name && index)
    return std::unexpected(protocol::resource_not_found("Shard " + format_shard_id(*index) + " in stream " +
                                                        *stream_name + " under account " + options_.account_id +
                                                        " does not exist"));
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  const Shard* shard = index ? s.find_shard(*index) : nullptr;
  if (!shard || s.status == StreamStatus::kCreating)
    return std::unexpected(protocol::resource_not_found("Shard " + (index ? format_shard_id(*index) : shard_id) +
                                                        " in stream " + s.name + " under account " +
                                                        options_.account_id + " does not exist"));
  auto position = resolve_starting_position(log_, s, *shard, StartingPosition{type, start_seq, at_ms}, now,
                                            "GetShardIterator", options_.account_id);
  if (!position) return std::unexpected(position.error());
  api::GetShardIteratorOutput out;
  out.shard_iterator = iterators_.encode(IteratorPosition{s.uid, shard->index, *position, now}, s.name.size());
  return out;
}

protocol::ApiResult<WithRecords<api::GetRecordsOutput>> KinesisService::get_records(const api::GetRecordsInput& in,
                                                                                    const Ctx& ctx) {
  return read_records(in, ctx, nullptr);
}

protocol::ApiResult<WithRecords<api::GetRecordsOutput>> KinesisService::get_records_stored(
    const api::GetRecordsInput& in, const Ctx& ctx, StoredRecords& stored) {
  return read_records(in, ctx, &stored);
}

protocol::ApiResult<WithRecords<api::GetRecordsOutput>> KinesisService::read_records(const api::GetRecordsInput& in,
                                                                                     const Ctx& ctx,
                                                                                     StoredRecords* stored) {
  const std::string& iterator = in.shard_iterator;
  auto pos = iterators_.decode(iterator);
  if (!pos) return std::unexpected(protocol::invalid_argument("Invalid ShardIterator."));
  const int64_t now = now_ms();
  if (now - pos->issued_ms > kIteratorLifetimeMs)
    return std::unexpected(
        protocol::ApiError{"ExpiredIteratorException", iterator_expired_message(pos->issued_ms, now), 400});
  auto limit = static_cast<uint32_t>(in.limit.value_or(10000));
  const SteadyTime arrived = options_.metrics ? std::chrono::steady_clock::now() : SteadyTime{};
  // With metrics on, the stream's series (the shard's are in shard.metrics).
  std::shared_ptr<const StreamMetrics> stream_metrics;
  // A call that failed once the shard was known: Success 0, Latency.
  auto record_failure = [&] {
    if (!stream_metrics) return;
    stream_metrics->record(StreamMetric::kGetRecordsSuccess, 0);
    stream_metrics->record(StreamMetric::kGetRecordsLatency, millis_since(arrived));
  };

  Shard shard;
  int64_t horizon;
  size_t name_length;
  std::vector<api::ChildShard> children;  // ChildShards, for a closed shard
  {
    ReaderLock lock(mu_);
    StreamState* s = find_stream_by_uid_locked(pos->stream_uid);
    const Shard* sh = s ? s->find_shard(pos->shard_index) : nullptr;
    if (!sh)
      return std::unexpected(protocol::resource_not_found("Shard " + format_shard_id(pos->shard_index) + " in stream " +
                                                          stream_name_of_uid_locked(pos->stream_uid) +
                                                          " under account " + options_.account_id + " does not exist"));
    stream_metrics = s->metrics;
    // GetRecords fails whole over the shard's read budget (5 calls/s, and
    // no more reads while a large response's bytes are still being repaid).
    // ReadProvisionedThroughputExceeded is a sample per call: 1 or 0.
    const bool read_throttled = options_.throughput_limits && !throughput_.admit_read(sh->key, now);
    if (stream_metrics) {
      stream_metrics->record(StreamMetric::kReadThrottled, read_throttled ? 1 : 0);
      if (sh->metrics) sh->metrics->record(ShardMetric::kReadThrottled, read_throttled ? 1 : 0);
      if (read_throttled) record_failure();
    }
    if (read_throttled)
      return std::unexpected(protocol::ApiError{
          kThroughputExceeded,
          "Rate exceeded for Shard - " + options_.account_id + "/" + s->name + "/" + format_shard_id(sh->index), 400});
    shard = *sh;
    horizon = s->trim_horizon_ms(now);
    name_length = s->name.size();
    if (!shard.open()) children = child_shards(*s, shard);
  }
  const uint64_t max_counter = closed_shard_end(log_, shard);
  auto read = log_.read(shard.key, pos->counter, limit, kGetRecordsMaxBytes, horizon);
  if (!read) {
    record_failure();
    return std::unexpected(protocol::internal_failure());
  }

  auto readable = readable_records(read->records, max_counter, &cipher_);
  if (!readable) {
    record_failure();
    return std::unexpected(RecordCipher::api_error(readable.error()));
  }
  if (options_.throughput_limits) throughput_.read_done(shard.key, now, readable->bytes);
  storage::ShardTail tail = log_.tail(shard.key);
  uint64_t next = read->next_counter;
  int64_t behind = 0;
  if (next <= tail.last_counter && !read->records.empty())
    behind = std::max<int64_t>(0, now - read->records.back().arrival_ms);

  if (stream_metrics) {
    // The age of the last record returned; 0 when none was (caught up).
    const int64_t age = readable->n > 0 ? std::max<int64_t>(0, now - read->records[readable->n - 1].arrival_ms) : 0;
    const StreamMetrics& m = *stream_metrics;
    m.record(StreamMetric::kGetRecordsBytes, double(readable->bytes));
    m.record(StreamMetric::kGetRecordsRecords, double(readable->n));
    m.record(StreamMetric::kGetRecordsIteratorAge, double(age));
    m.record(StreamMetric::kGetRecordsSuccess, 1);
    if (shard.metrics) {
      shard.metrics->record(ShardMetric::kOutgoingBytes, double(readable->bytes));
      shard.metrics->record(ShardMetric::kOutgoingRecords, double(readable->n));
      shard.metrics->record(ShardMetric::kIteratorAge, double(age));
    }
    m.record(StreamMetric::kGetRecordsLatency, millis_since(arrived));
  }

  WithRecords<api::GetRecordsOutput> out;
  if (stored) {
    read->records.resize(readable->n);
    stored->records = std::move(read->records);
    stored->shard_created_secs = shard.created_secs();
    stored->shard_index = shard.index;
  } else {
    // Built straight in the response's encoding when the dispatcher allows.
    out.records = records_value(shard.created_secs(), shard.index, read->records, readable->n,
                                RecordsEncoding{ctx.direct_encoding, ctx.format}, readable->encrypted);
  }
  if (next > max_counter) {
    // The end of a closed shard: no iterator, the children to move on to,
    // and nothing left behind (the KCL rejects any other combination).
    out.out.child_shards = std::move(children);
    out.out.millis_behind_latest = 0;
    return out;
  }
  out.out.next_shard_iterator =
      iterators_.encode(IteratorPosition{pos->stream_uid, shard.index, next, now}, name_length);
  out.out.millis_behind_latest = behind;
  return out;
}

}  // namespace runnel::streams
