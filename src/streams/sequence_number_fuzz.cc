// libFuzzer target: the parsers of client-supplied numbers and ids
// (StartingSequenceNumber, SequenceNumberForOrdering, ExplicitHashKey,
// ShardId), checked against their formatters.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "streams/hash_key.h"
#include "streams/sequence_number.h"
#include "streams/shard_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace runnel::streams;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto any = parse_sequence_number_any_version(text);
  if (auto seq = parse_sequence_number(text)) {
    // Formatting canonicalises, and the canonical form parses to the same fields.
    if (!any || !(*any == *seq) || seq->version != 2) std::abort();
    const std::string canonical = format_sequence_number(*seq);
    if (canonical.size() != kSequenceNumberDigits) std::abort();
    auto again = parse_sequence_number(canonical);
    if (!again || !(*again == *seq)) std::abort();
  } else if (any && any->version == 2 && any->shard_index <= kMaxShardIndex) {
    std::abort();  // the strict parser refused a version-2 number runnel could have issued
  }

  if (auto key = parse_hash_key(text)) {
    if (format_hash_key(*key) != text) std::abort();  // the pattern admits one spelling per value
  }

  if (auto index = parse_shard_id(text)) {
    if (*index > kMaxShardIndex || parse_shard_id(format_shard_id(*index)) != index) std::abort();
  }

  // compare_sequence_numbers is a total order: antisymmetric on any split.
  const std::string_view a = text.substr(0, size / 2), b = text.substr(size / 2);
  const int ab = compare_sequence_numbers(a, b), ba = compare_sequence_numbers(b, a);
  if ((ab < 0) != (ba > 0) || (ab == 0) != (ba == 0)) std::abort();
  return 0;
}
