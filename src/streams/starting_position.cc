#include "streams/starting_position.h"

#include <algorithm>

#include "streams/sequence_number.h"
#include "streams/shard_id.h"

namespace runnel::streams {

protocol::ApiResult<uint64_t> resolve_starting_position(storage::Log& log, const StreamState& s, const Shard& shard,
                                                        const StartingPosition& start, int64_t now,
                                                        std::string_view operation, std::string_view account_id) {
  const std::string type(start.type);
  const int64_t horizon = s.trim_horizon_ms(now);
  if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    if (!start.sequence_number)
      return std::unexpected(protocol::invalid_argument(
          "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
          "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " +
          type + " and no StartingSequenceNumber."));
    const std::string& text = *start.sequence_number;
    auto seq = parse_sequence_number_any_version(text);
    const std::string where = "StartingSequenceNumber " + text + " used in " + std::string(operation) + " on shard " +
                              format_shard_id(shard.index) + " in stream " + s.name + " under account " +
                              std::string(account_id) + " is invalid";
    if (!seq) return std::unexpected(protocol::invalid_argument(where + "."));
    // AWS reads the index field as a Java int: hex 80000000 and above are
    // negative, and never any shard's.
    const auto encoded = static_cast<int32_t>(seq->shard_index);
    if (encoded < 0 || static_cast<uint32_t>(encoded) != shard.index)
      return std::unexpected(
          protocol::invalid_argument("Invalid StartingSequenceNumber. It encodes " + format_encoded_shard_id(encoded) +
                                     ", while it was used in a call to a shard with " + format_shard_id(shard.index)));
    // An old-layout (version 0) number naming this very shard makes AWS fail
    // inside, as kinesalite recorded ("0" on shardId-000000000000): HTTP 500,
    // {"__type":"InternalFailure"} without a message.
    if (seq->version == 0) return std::unexpected(protocol::internal_failure(""));
    if (seq->version != 2 || seq->shard_create_secs != shard.created_secs())
      return std::unexpected(protocol::invalid_argument(where + " because it did not come from this stream."));
    return type == "AT_SEQUENCE_NUMBER" ? std::max<uint64_t>(seq->counter, 1) : seq->counter + 1;
  }
  if (start.sequence_number)
    return std::unexpected(protocol::invalid_argument(
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
        "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " +
        type + " and also a StartingSequenceNumber."));
  if (type == "TRIM_HORIZON") return log.counter_at_time(shard.key, horizon);
  if (type == "LATEST") return shard.open() ? log.tail(shard.key).last_counter + 1 : shard.ending_counter + 1;
  // AT_TIMESTAMP
  if (!start.timestamp_ms)
    return std::unexpected(protocol::invalid_argument(
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no "
        "timestamp parameter."));
  if (*start.timestamp_ms > now)
    return std::unexpected(protocol::invalid_argument(
        "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
        "timestampInMillis: " +
        std::to_string(*start.timestamp_ms) + ", currentTimestampInMillis: " + std::to_string(now)));
  return log.counter_at_time(shard.key, std::max(*start.timestamp_ms, horizon));
}

}  // namespace runnel::streams
