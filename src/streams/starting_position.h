#pragma once
// Where a reader starts in a shard: the counter of the first record a
// GetShardIterator iterator or a SubscribeToShard subscription delivers, from
// AWS's five starting-position types.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "storage/log.h"
#include "streams/stream.h"

namespace runnel::streams {

struct StartingPosition {
  std::string_view type;  // TRIM_HORIZON, LATEST, AT_/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP
  const std::string* sequence_number = nullptr;
  std::optional<int64_t> timestamp_ms;
};

// The first counter to deliver, or InvalidArgumentException in AWS's words
// (`operation` names the call in messages, e.g. "GetShardIterator").
// Thread-safe given that the caller holds the stream registry lock.
protocol::ApiResult<uint64_t> resolve_starting_position(storage::Log& log, const StreamState& s, const Shard& shard,
                                                        const StartingPosition& start, int64_t now_ms,
                                                        std::string_view operation, std::string_view account_id);

}  // namespace runnel::streams
