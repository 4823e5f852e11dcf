#pragma once
// The Kinesis hash key space: unsigned 128-bit integers 0 .. 2^128-1. A record
// is routed to the open shard whose inclusive HashKeyRange holds the MD5 of its
// partition key (or its ExplicitHashKey). Every function here is pure and safe
// to call from any thread without synchronization.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::streams {

using HashKey = unsigned __int128;
constexpr HashKey kMaxHashKey = ~HashKey{0};

// Longest decimal form of a HashKey: 2^128-1 has 39 digits.
constexpr std::size_t kMaxHashKeyDigits = 39;

// MD5 of the partition key's bytes (the caller passes UTF-8, as it came off
// the wire), read as a big-endian unsigned 128-bit integer: AWS's routing
// function. Hot path (every PutRecords record). Aborts the process if the
// OpenSSL MD5 implementation cannot be loaded (a FIPS-only provider set):
// runnel cannot route records without it.
HashKey hash_partition_key(std::string_view partition_key);

// Parses a decimal hash key as AWS's model pattern `0|([1-9]\d{0,38})`
// defines it, plus the range check: digits only, no sign or whitespace, no
// leading zero except "0" itself, value <= 2^128-1. nullopt otherwise; the
// caller words the error (InvalidArgumentException "Invalid ExplicitHashKey.
// ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was X").
std::optional<HashKey> parse_hash_key(std::string_view decimal);

// Decimal, no leading zeros ("0" for zero). Round-trips with parse_hash_key.
std::string format_hash_key(HashKey key);

// An inclusive range of hash keys: start <= end.
struct HashKeyRange {
  HashKey start;
  HashKey end;

  bool contains(HashKey key) const { return start <= key && key <= end; }
  friend bool operator==(const HashKeyRange&, const HashKeyRange&) = default;
};

// The ranges CreateStream gives `shard_count` new shards (kinesalite's and
// moto's rule): step = floor(2^128 / n), shard i covers
// [i*step, (i+1)*step - 1], and the last shard ends at 2^128-1. The ranges are
// contiguous, ordered, and cover the whole space. Empty for shard_count == 0.
std::vector<HashKeyRange> split_hash_space(uint32_t shard_count);

}  // namespace runnel::streams
