#include "streams/record_value.h"

#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"

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
    out.append(seq, format_sequence_number_to(SequenceNumber{created_secs, index, r.counter, r.arrival_ms / 1000}, seq));
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
        std::string_view(seq, format_sequence_number_to(
                                  SequenceNumber{created_secs, index, r.counter, r.arrival_ms / 1000}, seq)),
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

}  // namespace runnel::streams
