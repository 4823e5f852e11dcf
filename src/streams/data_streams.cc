#include "streams/data_streams.h"

#include "protocol/dispatcher.h"
#include "streams/kinesis_service.h"
#include "streams/sequence_number.h"

namespace runnel::streams {

using protocol::ApiResult;
using protocol::Value;

namespace {

// The caller of an internal operation: the service's own account and the
// region given (ARNs name it).
protocol::RequestContext internal_context(const std::string& region = "") {
  protocol::RequestContext ctx;
  ctx.region = region.empty() ? "us-east-1" : region;
  ctx.request_id = "internal";
  return ctx;
}

const std::string& str(const Value& v, std::string_view key) {
  static const std::string kEmpty;
  const Value* m = v.find(key);
  return m && m->is_string() ? m->as_string() : kEmpty;
}

std::string_view position_name(ReadPositionType t) {
  switch (t) {
    case ReadPositionType::kTrimHorizon: return "TRIM_HORIZON";
    case ReadPositionType::kLatest: return "LATEST";
    case ReadPositionType::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case ReadPositionType::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
    case ReadPositionType::kAtTimestamp: return "AT_TIMESTAMP";
  }
  return "TRIM_HORIZON";
}

StreamInfo stream_info(const api::StreamDescription& d) {
  StreamInfo info;
  info.name = d.stream_name;
  info.arn = d.stream_arn;
  info.status = d.stream_status;
  if (d.stream_mode_details) info.mode = d.stream_mode_details->stream_mode;
  info.retention_hours = d.retention_period_hours;
  info.created_ms = d.stream_creation_timestamp.millis;
  info.encryption_type = d.encryption_type.value_or("");
  for (const api::Shard& s : d.shards) {
    StreamShard sh;
    sh.shard_id = s.shard_id;
    sh.parent_shard_id = s.parent_shard_id;
    sh.adjacent_parent_shard_id = s.adjacent_parent_shard_id;
    sh.starting_hash_key = s.hash_key_range.starting_hash_key;
    sh.ending_hash_key = s.hash_key_range.ending_hash_key;
    sh.starting_sequence_number = s.sequence_number_range.starting_sequence_number;
    sh.ending_sequence_number = s.sequence_number_range.ending_sequence_number;
    info.shards.push_back(std::move(sh));
  }
  return info;
}

}  // namespace

DataStreams::DataStreams(KinesisService& service) : service_(service) {}
DataStreams::~DataStreams() = default;

ApiResult<StreamInfo> DataStreams::create_stream(const std::string& name, std::optional<int> shard_count,
                                                 const std::string& region) {
  api::CreateStreamInput in;
  in.stream_name = name;
  if (shard_count) {
    in.shard_count = *shard_count;
    in.stream_mode_details = api::StreamModeDetails{.stream_mode = std::string(api::StreamMode::kProvisioned)};
  } else {
    in.stream_mode_details = api::StreamModeDetails{.stream_mode = std::string(api::StreamMode::kOnDemand)};
  }
  auto created = service_.create_stream(in, internal_context(region));
  if (!created) return std::unexpected(created.error());
  StreamEvent e;
  e.kind = StreamEvent::Kind::kCreated;
  e.stream = name;
  service_.emit(e);
  return describe_stream(name);
}

ApiResult<StreamInfo> DataStreams::describe_stream(const std::string& name) {
  // DescribeStream pages shards by 100; ListShards would too. Follow the pages.
  api::DescribeStreamInput in;
  in.stream_name = name;
  auto first = service_.describe_stream(in, internal_context());
  if (!first) return std::unexpected(first.error());
  StreamInfo info = stream_info(first->stream_description);
  bool more = first->stream_description.has_more_shards;
  while (more && !info.shards.empty()) {
    api::DescribeStreamInput next;
    next.stream_name = name;
    next.exclusive_start_shard_id = info.shards.back().shard_id;
    auto page = service_.describe_stream(next, internal_context());
    if (!page) return std::unexpected(page.error());
    StreamInfo more_info = stream_info(page->stream_description);
    if (more_info.shards.empty()) break;
    for (StreamShard& s : more_info.shards) info.shards.push_back(std::move(s));
    more = page->stream_description.has_more_shards;
  }
  return info;
}

std::vector<std::string> DataStreams::list_streams() {
  std::vector<std::string> names;
  std::optional<std::string> after;
  while (true) {
    api::ListStreamsInput in;
    in.limit = 10000;
    in.exclusive_start_stream_name = after;
    auto page = service_.list_streams(in, internal_context());
    if (!page) break;
    for (std::string& n : page->stream_names) names.push_back(std::move(n));
    if (page->stream_names.empty() || !page->has_more_streams) break;
    after = names.back();
  }
  return names;
}

void DataStreams::put_records(const std::string& stream, std::vector<PutEntry> entries,
                              std::function<void(ApiResult<std::vector<PutOutcome>>)> done) {
  api::PutRecordsInput in;
  in.stream_name = stream;
  in.records.reserve(entries.size());
  for (PutEntry& e : entries)
    in.records.push_back(api::PutRecordsRequestEntry{.data = protocol::Blob{std::move(e.data)},
                                                     .explicit_hash_key = std::move(e.explicit_hash_key),
                                                     .partition_key = std::move(e.partition_key)});
  // Without direct encoding (internal_context) the answer's Records is a
  // Value tree.
  TypedReply<WithRecords<api::PutRecordsOutput>> reply([done = std::move(done)](ApiResult<Value> result) {
    if (!result) return done(std::unexpected(result.error()));
    std::vector<PutOutcome> out;
    for (const Value& r : result->find("Records")->as_array()) {
      PutOutcome o;
      if (const Value* code = r.find("ErrorCode")) {
        o.error = protocol::ApiError{code->as_string(), str(r, "ErrorMessage"), 400, false};
      } else {
        o.shard_id = str(r, "ShardId");
        o.sequence_number = str(r, "SequenceNumber");
      }
      out.push_back(std::move(o));
    }
    done(std::move(out));
  });
  service_.put_records(in, internal_context(), std::move(reply));
}

ApiResult<std::string> DataStreams::cursor(const std::string& stream, const std::string& shard_id,
                                           const ReadPosition& position) {
  api::GetShardIteratorInput in;
  in.stream_name = stream;
  in.shard_id = shard_id;
  in.shard_iterator_type = position_name(position.type);
  if (position.type == ReadPositionType::kAtSequenceNumber || position.type == ReadPositionType::kAfterSequenceNumber)
    in.starting_sequence_number = position.sequence_number;
  if (position.type == ReadPositionType::kAtTimestamp) in.timestamp = protocol::Timestamp{position.timestamp_ms};
  auto it = service_.get_shard_iterator(in, internal_context());
  if (!it) return std::unexpected(it.error());
  return it->shard_iterator.value_or("");
}

ApiResult<ShardRead> DataStreams::read(const std::string& cursor, int limit) {
  api::GetRecordsInput in;
  in.shard_iterator = cursor;
  in.limit = limit;
  KinesisService::StoredRecords stored;
  auto got = service_.get_records_stored(in, internal_context(), stored);
  if (!got) return std::unexpected(got.error());
  ShardRead out;
  out.records.reserve(stored.records.size());
  char seq[kMaxSequenceNumberDigits];
  for (storage::StoredRecord& r : stored.records) {
    StreamRecord rec;
    rec.sequence_number.assign(
        seq, format_sequence_number_to(
                 SequenceNumber{stored.shard_created_secs, stored.shard_index, r.counter, r.arrival_ms / 1000}, seq));
    rec.partition_key = std::move(r.partition_key);
    rec.data = std::move(r.data);
    rec.arrival_ms = r.arrival_ms;
    out.records.push_back(std::move(rec));
  }
  out.next_cursor = got->out.next_shard_iterator;
  out.millis_behind_latest = got->out.millis_behind_latest.value_or(0);
  if (got->out.child_shards)
    for (const api::ChildShard& c : *got->out.child_shards) out.child_shards.push_back(c.shard_id);
  return out;
}

int DataStreams::watch(std::function<void(const StreamEvent&)> watcher) {
  return service_.add_watcher(std::move(watcher));
}

void DataStreams::unwatch(int id) { service_.remove_watcher(id); }

std::optional<ShardLocation> DataStreams::locate(uint64_t shard_key) const { return service_.locate_shard(shard_key); }

}  // namespace runnel::streams
