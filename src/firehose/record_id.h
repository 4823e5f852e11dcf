#pragma once
// RecordIds of PutRecord and PutRecordBatch. AWS's are opaque strings of a
// few hundred characters; runnel's are 48 lowercase hex digits that name the
// record's place in the log, so they are unique (a log shard key is never
// reused and a counter never repeats within a shard) and stable (the same
// record always has the same id):
//
//   <shard key: 16 hex><log counter: 16 hex><arrival ms: 16 hex>
//
// Threads: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::firehose {

struct RecordIdParts {
  uint64_t shard_key = 0;
  uint64_t counter = 0;
  int64_t arrival_ms = 0;
  bool operator==(const RecordIdParts&) const = default;
};

std::string make_record_id(const RecordIdParts& parts);
// The parts of a RecordId made by make_record_id, or nullopt.
std::optional<RecordIdParts> parse_record_id(std::string_view id);

}  // namespace runnel::firehose
