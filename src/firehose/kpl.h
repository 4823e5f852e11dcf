#pragma once
// KPL aggregation: the Kinesis Producer Library packs many user records
// into one Kinesis record, and Firehose unpacks them when it reads a
// Kinesis stream. The format (the KPL's aggregation-format.md):
//
//   magic      4 bytes  F3 89 9A C2
//   message    protobuf AggregatedRecord:
//                repeated string partition_key_table = 1;
//                repeated string explicit_hash_key_table = 2;
//                repeated Record records = 3;   // Record: uint64 partition_key_index = 1;
//                                               //   uint64 explicit_hash_key_index = 2;
//                                               //   bytes data = 3; repeated Tag tags = 4;
//   checksum   16 bytes MD5 of the message
//
// Only the records' data is needed here, so this reads the protobuf wire
// format itself (varints and length-delimited fields, about forty lines)
// rather than generating classes with protoc for one message.
//
// Threads: pure.
#include <optional>
#include <string_view>
#include <vector>

namespace runnel::firehose {

// The user records' data of a KPL-aggregated record (views into
// `record`), or nullopt when `record` is not one: no magic, a wrong MD5, or
// a message that does not parse (then it is an ordinary record).
std::optional<std::vector<std::string_view>> kpl_records(std::string_view record);

}  // namespace runnel::firehose
