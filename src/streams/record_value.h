#pragma once
// The Record structure (GetRecords and SubscribeToShardEvent) for a stored
// record of a shard.

#include <cstdint>
#include <utility>

#include "protocol/value.h"
#include "storage/log.h"
#include "streams/sequence_number.h"

namespace runnel::streams {

inline protocol::Value record_value(int64_t shard_created_secs, uint32_t shard_index, storage::StoredRecord&& r,
                                    bool encrypted = false) {
  protocol::Value rec = protocol::Object{};
  rec.set("SequenceNumber",
          format_sequence_number(SequenceNumber{shard_created_secs, shard_index, r.counter, r.arrival_ms / 1000}));
  rec.set("ApproximateArrivalTimestamp", protocol::Timestamp{r.arrival_ms});
  rec.set("Data", protocol::Blob{std::move(r.data)});
  rec.set("PartitionKey", std::move(r.partition_key));
  if (encrypted) rec.set("EncryptionType", "KMS");
  return rec;
}

}  // namespace runnel::streams
