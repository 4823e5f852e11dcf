#pragma once
// The Record structure (GetRecords and SubscribeToShardEvent) for stored
// records of a shard.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/validator.h"
#include "protocol/value.h"
#include "storage/log.h"
#include "streams/record_cipher.h"
#include "streams/sequence_number.h"

namespace runnel::streams {

inline protocol::Value record_value(int64_t shard_created_secs, uint32_t shard_index, storage::StoredRecord&& r,
                                    bool encrypted = false) {
  protocol::Value rec = protocol::Object{};
  rec.as_object().reserve(encrypted ? 5 : 4);
  rec.set("SequenceNumber",
          format_sequence_number(SequenceNumber{shard_created_secs, shard_index, r.counter, r.arrival_ms / 1000}));
  rec.set("ApproximateArrivalTimestamp", protocol::Timestamp{r.arrival_ms});
  rec.set("Data", protocol::Blob{std::move(r.data)});
  rec.set("PartitionKey", std::move(r.partition_key));
  if (encrypted) rec.set("EncryptionType", "KMS");
  return rec;
}

// How a Records list is built: as a Value tree, or (direct) encoded at once
// in the response's wire format, which skips a tree of several allocations
// per record. Both encode to the same bytes (record_value_test.cc).
struct RecordsEncoding {
  bool direct = false;
  protocol::WireFormat format = protocol::WireFormat::kJson;
};

// The Records list for records[0, n). Moves out of the records it uses.
// encrypted[i] != 0 marks record i as stored encrypted (EncryptionType KMS);
// an empty vector marks none.
protocol::Value records_value(int64_t shard_created_secs, uint32_t shard_index,
                              std::vector<storage::StoredRecord>& records, size_t n, RecordsEncoding how,
                              const std::vector<uint8_t>& encrypted = {});

// What of a read goes into a Records list: records[0, n) are the ones up to
// `last_counter`, decrypted where they were stored encrypted; encrypted[i]
// marks those (as records_value takes it); bytes counts their data and keys.
struct ReadableRecords {
  size_t n = 0;
  uint64_t bytes = 0;
  std::vector<uint8_t> encrypted;
};

// Fills that in for GetRecords and the fan-out, decrypting with `cipher`.
// The first decryption failure is returned; so is an encrypted record when
// `cipher` is null (it is never served as stored).
Result<ReadableRecords> readable_records(std::vector<storage::StoredRecord>& records, uint64_t last_counter,
                                         RecordCipher* cipher);

// One entry of a PutRecords answer: the stored record's sequence number and
// shard, or (failed) the error code and message.
struct PutResultEntry {
  SequenceNumber sequence;
  uint32_t shard_index = 0;
  bool failed = false;
  std::string error_code;
  std::string error_message;
};

// PutRecords' Records list, as a tree or encoded directly (like
// records_value; both encode to the same bytes).
protocol::Value put_results_value(const std::vector<PutResultEntry>& entries, RecordsEncoding how);

}  // namespace runnel::streams
