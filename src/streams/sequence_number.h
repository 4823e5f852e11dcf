#pragma once
// Sequence numbers in AWS's layout ("version 2", reverse-engineered by
// kinesalite; docs/sequence-numbers.md has it byte by byte). A sequence number
// is the decimal form of a 188-bit integer whose hex digits are
//
//   '2' | shardCreateSecs (9) | shardIndex & 0xF (1) | counter (16) | '00' |
//   arrivalSecs (9) | shardIndex (8) | '2'
//
// so that, within one shard, a greater counter always gives a greater number
// whatever the arrival time, and tools that decode AWS's numbers keep working.
// Every function here is pure and safe to call from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::streams {

// The largest counter the layout holds: 16 hex digits whose first is <= 7.
// A closed shard's EndingSequenceNumber uses it.
constexpr uint64_t kMaxSequenceCounter = 0x7fff'ffff'ffff'ffff;
// Both time fields are 9 hex digits of seconds (until the year 4147).
constexpr int64_t kMaxSequenceSecs = (int64_t{1} << 36) - 1;
// Every version-2 number has exactly this many decimal digits.
constexpr std::size_t kSequenceNumberDigits = 56;
// Room for any number format_sequence_number_to may write.
constexpr std::size_t kMaxSequenceNumberDigits = 58;

struct SequenceNumber {
  int64_t shard_create_secs = 0;  // the shard's creation time, epoch seconds
  // <= kMaxShardIndex (2^31-1) in every number runnel issues. From
  // parse_sequence_number_any_version, the field's 32 bits as they are: AWS
  // reads them as a Java int, so 0x80000000 and above name a negative index
  // (static_cast<int32_t>; see format_encoded_shard_id).
  uint32_t shard_index = 0;
  uint64_t counter = 0;      // the record's position in the shard; 0 = before the first
  int64_t arrival_secs = 0;  // the record's arrival time, epoch seconds
  // 2 for every number runnel issues. 0 or 1 only from
  // parse_sequence_number_any_version, for AWS's older layouts.
  int version = 2;

  friend bool operator==(const SequenceNumber&, const SequenceNumber&) = default;
};

// The decimal form of `seq` in the version-2 layout (`seq.version` is
// ignored): always kSequenceNumberDigits (56) digits. Preconditions, checked by
// assert in debug builds and otherwise enforced by truncating each field to its
// width: 0 <= shard_create_secs, arrival_secs <= kMaxSequenceSecs;
// counter <= kMaxSequenceCounter; shard_index <= 2^31-1. Hot path (one call per
// record put): no heap allocation besides the returned string.
std::string format_sequence_number(const SequenceNumber& seq);

// As format_sequence_number, writing the digits to `out` (room for
// kMaxSequenceNumberDigits, no terminator) and returning how many it wrote.
std::size_t format_sequence_number_to(const SequenceNumber& seq, char* out);

// A version-2 sequence number, or nullopt when `decimal` is not one: not all
// ASCII digits, out of the version-2 range, a counter whose first hex digit is
// above 7 ("Sequence index too high" in kinesalite), or a shard index above
// 2^31-1 (a field of hex 80000000 or more). Leading zeros are tolerated (the model's pattern
// `0|([1-9]\d{0,128})` rejects them earlier). Like kinesalite, it does not
// check the two fixed-content fields (the '00' byte and the low nibble of the
// shard index at hex 10); format_sequence_number(parse(x)) canonicalises them.
// Whether the number came from a given stream is the caller's check: compare
// shard_index and shard_create_secs with the shard's.
std::optional<SequenceNumber> parse_sequence_number(std::string_view decimal);

// As parse_sequence_number, and also AWS's two older layouts, parsed the way
// kinesalite's parseSequence does, so that callers can word errors as AWS does
// (for example "5" is a version-0 number that "encodes shardId-000000000005"):
//   - version 0: numbers below 2^129; a number below 2^124 is first raised by
//     2^124. Hex '1' | shardCreateSecs (9) | byte (2) | random (16) |
//     shardIndex (4); yields counter 0 and arrival_secs = shard_create_secs.
//     A create time >= 16025175000 s is rejected ("Date too large").
//   - version 1: like version 2 but ending in hex '1'. Hex '2' |
//     shardCreateSecs (9) | shardIndex & 0xF (1) | byte (2) | arrivalSecs (9) |
//     random (14) | index (2) | shardIndex (8) | '1'; yields counter = index.
// For versions 1 and 2 the shard index field is returned whole, even at hex
// 80000000 and above (a negative Java int), as AWS still names it in its
// "It encodes shardId--02147483648" message; the counter's first hex digit
// must be <= 7.
// No runnel shard has an old-layout number, so a caller that finds
// version != 2 answers "... is invalid because it did not come from this
// stream." once the shard index matched.
std::optional<SequenceNumber> parse_sequence_number_any_version(std::string_view decimal);

// What AWS answers for a PutRecord's SequenceNumberForOrdering, as kinesalite
// recorded it: a version-1 or version-2 number is accepted whatever stream or
// shard it names (even all 'f's, or a shard index field of hex 80000000 or
// more) unless its arrival time is after `now_ms`; the same layout with version
// nibble 3 makes AWS fail with InternalFailure; anything else (version 0,
// nibbles 0 and 4+, a counter whose first hex digit is above 7, out of range)
// is invalid.
enum class OrderingVerdict { kAccepted, kInvalid, kInternalFailure };
OrderingVerdict check_sequence_number_for_ordering(std::string_view decimal, int64_t now_ms);

// Compares two decimal digit strings as unsigned big integers: <0, 0 or >0.
// Leading zeros are ignored ("007" == "7"); an empty string counts as 0.
// Meant for strings that are all digits; for others the result is a
// consistent total order (length without leading zeros, then bytes) and
// nothing worse.
int compare_sequence_numbers(std::string_view a, std::string_view b);

}  // namespace runnel::streams
