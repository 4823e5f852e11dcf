#pragma once
// How a delivery stream is kept in the MetadataStore: one document of kind
// "firehose.stream" per stream, keyed by its name, a JSON object (format in
// docs/firehose.md, "Metadata"):
//
//   {"Description": <DeliveryStreamDescription as DescribeDeliveryStream
//                    answers it, all destinations, timestamps in epoch ms>,
//    "ShardKey": <log shard key>,
//    "Secrets": {"HttpAccessKey": "...", "RedshiftPassword": "..."},
//    "Tags": [{"Key": "...", "Value": "..."}],
//    "EncryptionCalls": [<epoch ms of each Start/Stop call in the last 24 h>]}
//
// Threads: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "firehose/destination_config.h"
#include "firehose/stream_spec.h"
#include "firehose_shapes.h"

namespace runnel::firehose {

inline constexpr std::string_view kStreamKind = "firehose.stream";

struct StoredStream {
  StreamSpec spec;
  Secrets secrets;
  std::vector<api::Tag> tags;
  std::vector<int64_t> encryption_calls;
};

std::string encode_stored(const StoredStream& s);
Result<StoredStream> decode_stored(std::string_view json);

}  // namespace runnel::firehose
