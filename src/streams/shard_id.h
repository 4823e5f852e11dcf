#pragma once
// Shard ids: "shardId-" and the shard's index in its stream, zero-padded to 12
// digits ("shardId-000000000003"). Indices are never reused within a stream:
// the children of a split or merge take the next free indices. Pure functions,
// safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::streams {

// The largest index a shard id may name (kinesalite's cap, which matches the
// 31 bits the sequence-number layout leaves for it).
constexpr uint32_t kMaxShardIndex = 0x7fff'ffff;

// "shardId-" followed by `index` zero-padded to 12 digits.
std::string format_shard_id(uint32_t index);

// The shard id a sequence number "encodes", as AWS words it in "Invalid
// StartingSequenceNumber. It encodes shardId-...": the index printed as Java's
// "%012d" prints an int, so an index field of 0x80000000 or above (negative
// as a Java int) reads "shardId--02147483648". Equal to format_shard_id for
// 0..kMaxShardIndex.
std::string format_encoded_shard_id(int32_t index);

// The index a client's ShardId names, or nullopt when it names none. Follows
// what kinesalite does and what its tests record of real AWS:
//   - Without a '-', the whole string must be the digits: "3", "000003".
//   - With a '-', only the text between the first '-' and the next '-' (or the
//     end) counts, whatever precedes it: "shardId-000000000003", "shardId-3",
//     "shard-3", "anything-3" and "-3" all name index 3 (and so does "x-3-y").
//   - That text must be one or more ASCII digits (leading zeros allowed, any
//     count) whose value is <= kMaxShardIndex. "shardId-", "ABKLFD8", "2.14E4",
//     "+3", "2147483648" are rejected.
// Callers put the result through format_shard_id to echo AWS's normalised id
// in error messages ("Shard shardId-000000000005 in stream ..."), and quote
// the client's original text when this returns nullopt ("Could not find shard
// ABKLFD8 in stream ...").
std::optional<uint32_t> parse_shard_id(std::string_view shard_id);

}  // namespace runnel::streams
