#include "streams/record_value.h"

#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"
#include "streams/shard_id.h"

namespace runnel::streams {

namespace {

using protocol::WireFormat;

// Member names and their order are those of record_value().
bool flagged(const std::vector<uint8_t>& encrypted, size_t i) { return i < encrypted.size() && encrypted[i] != 0; }

void append_json_records(int64_t created_secs, uint32_t index, const std::vector<storage::StoredRecord>& records,
                         size_t n, const std::vector<uint8_t>& encrypted, std::string& out) {
  size_t reserve = 2;
  for (size_t i = 0; i < n; ++i)
    reserve += 160 + protocol::base64_encoded_size(records[i].data.size()) + records[i].partition_key.size();
  out.reserve(reserve);
  out.push_back('[');
  char seq[kMaxSequenceNumberDigits];
  for (size_t i = 0; i < n; ++i) {
    const storage::StoredRecord& r = records[i];
    if (i != 0) out.push_back(',');
    out.append(R"({"SequenceNumber":")");
    out.append(seq,
               format_sequence_number_to(SequenceNumber{created_secs, index, r.counter, r.arrival_ms / 1000}, seq));
    out.append(R"(","ApproximateArrivalTimestamp":)");
    protocol::append_json_timestamp(r.arrival_ms, out);
    out.append(R"(,"Data":")");
    protocol::base64_encode_append(r.data, out);
    out.append(R"(","PartitionKey":)");
    protocol::append_json_string(r.partition_key, out);
    if (flagged(encrypted, i)) out.append(R"(,"EncryptionType":"KMS")");
    out.push_back('}');
  }
  out.push_back(']');
}

void append_cbor_records(int64_t created_secs, uint32_t index, const std::vector<storage::StoredRecord>& records,
                         size_t n, const std::vector<uint8_t>& encrypted, std::string& out) {
  size_t reserve = 9;
  for (size_t i = 0; i < n; ++i) reserve += 140 + records[i].data.size() + records[i].partition_key.size();
  out.reserve(reserve);
  protocol::append_cbor_array_head(n, out);
  char seq[kMaxSequenceNumberDigits];
  for (size_t i = 0; i < n; ++i) {
    const storage::StoredRecord& r = records[i];
    protocol::append_cbor_map_head(flagged(encrypted, i) ? 5 : 4, out);
    protocol::append_cbor_text("SequenceNumber", out);
    protocol::append_cbor_text(
        std::string_view(
            seq, format_sequence_number_to(SequenceNumber{created_secs, index, r.counter, r.arrival_ms / 1000}, seq)),
        out);
    protocol::append_cbor_text("ApproximateArrivalTimestamp", out);
    protocol::append_cbor_timestamp(r.arrival_ms, out);
    protocol::append_cbor_text("Data", out);
    protocol::append_cbor_bytes(r.data, out);
    protocol::append_cbor_text("PartitionKey", out);
    protocol::append_cbor_text(r.partition_key, out);
    if (flagged(encrypted, i)) {
      protocol::append_cbor_text("EncryptionType", out);
      protocol::append_cbor_text("KMS", out);
    }
  }
}

}  // namespace

protocol::Value records_value(int64_t shard_created_secs, uint32_t shard_index,
                              std::vector<storage::StoredRecord>& records, size_t n, RecordsEncoding how,
                              const std::vector<uint8_t>& encrypted) {
  n = std::min(n, records.size());
  if (!how.direct) {
    protocol::Array list;
    list.reserve(n);
    for (size_t i = 0; i < n; ++i)
      list.push_back(record_value(shard_created_secs, shard_index, std::move(records[i]), flagged(encrypted, i)));
    return list;
  }
  protocol::Encoded e;
  e.cbor = how.format == WireFormat::kCbor;
  if (e.cbor) {
    append_cbor_records(shard_created_secs, shard_index, records, n, encrypted, e.bytes);
  } else {
    append_json_records(shard_created_secs, shard_index, records, n, encrypted, e.bytes);
  }
  return e;
}

Result<ReadableRecords> readable_records(std::vector<storage::StoredRecord>& records, uint64_t last_counter,
                                         RecordCipher* cipher) {
  ReadableRecords out;
  for (; out.n < records.size(); ++out.n) {
    storage::StoredRecord& r = records[out.n];
    if (r.counter > last_counter) break;
    if (RecordCipher::is_encrypted(r)) {
      out.encrypted.resize(out.n + 1, 0);
      out.encrypted[out.n] = 1;
      // Never serve an envelope as if it were the record.
      if (!cipher) return std::unexpected(Status::aborted("an encrypted record was read with no key service"));
      if (Status st = cipher->decrypt(r); !st) return std::unexpected(st);
    }
    out.bytes += r.partition_key.size() + r.data.size();
  }
  return out;
}

protocol::Value put_results_value(const std::vector<PutResultEntry>& entries, RecordsEncoding how) {
  if (!how.direct) {
    protocol::Array list;
    list.reserve(entries.size());
    for (const PutResultEntry& e : entries) {
      protocol::Object rec;
      rec.reserve(2);
      if (e.failed) {
        rec.push_back(protocol::Member{"ErrorCode", e.error_code});
        rec.push_back(protocol::Member{"ErrorMessage", e.error_message});
      } else {
        rec.push_back(protocol::Member{"SequenceNumber", format_sequence_number(e.sequence)});
        rec.push_back(protocol::Member{"ShardId", format_shard_id(e.shard_index)});
      }
      list.emplace_back(std::move(rec));
    }
    return list;
  }
  protocol::Encoded out;
  out.cbor = how.format == WireFormat::kCbor;
  std::string& b = out.bytes;
  b.reserve(2 + entries.size() * 110);
  char seq[kMaxSequenceNumberDigits];
  // Consecutive entries usually share a shard: format its id once per run.
  uint32_t id_of = UINT32_MAX;
  std::string shard_id;
  if (out.cbor) {
    protocol::append_cbor_array_head(entries.size(), b);
  } else {
    b.push_back('[');
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const PutResultEntry& e = entries[i];
    if (!e.failed && e.shard_index != id_of) {
      shard_id = format_shard_id(e.shard_index);
      id_of = e.shard_index;
    }
    if (out.cbor) {
      protocol::append_cbor_map_head(2, b);
      if (e.failed) {
        protocol::append_cbor_text("ErrorCode", b);
        protocol::append_cbor_text(e.error_code, b);
        protocol::append_cbor_text("ErrorMessage", b);
        protocol::append_cbor_text(e.error_message, b);
      } else {
        protocol::append_cbor_text("SequenceNumber", b);
        protocol::append_cbor_text(std::string_view(seq, format_sequence_number_to(e.sequence, seq)), b);
        protocol::append_cbor_text("ShardId", b);
        protocol::append_cbor_text(shard_id, b);
      }
      continue;
    }
    if (i != 0) b.push_back(',');
    if (e.failed) {
      b.append(R"({"ErrorCode":)");
      protocol::append_json_string(e.error_code, b);
      b.append(R"(,"ErrorMessage":)");
      protocol::append_json_string(e.error_message, b);
    } else {
      b.append(R"({"SequenceNumber":")");
      b.append(seq, format_sequence_number_to(e.sequence, seq));
      b.append(R"(","ShardId":")");
      b.append(shard_id);
      b.push_back('"');
    }
    b.push_back('}');
  }
  if (!out.cbor) b.push_back(']');
  return out;
}

}  // namespace runnel::streams
