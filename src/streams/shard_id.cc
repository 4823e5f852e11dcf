#include "streams/shard_id.h"

#include <algorithm>

namespace runnel::streams {

std::string format_shard_id(uint32_t index) {
  // "shardId-" + 12 digits; a uint32_t has at most 10, so the padding never
  // overflows.
  std::string id = "shardId-000000000000";
  for (std::size_t pos = id.size(); index != 0; index /= 10) id[--pos] = static_cast<char>('0' + index % 10);
  return id;
}

std::string format_encoded_shard_id(int32_t index) {
  if (index >= 0) return format_shard_id(static_cast<uint32_t>(index));
  // Java pads after the sign: 12 characters in all, the '-' included.
  std::string digits = std::to_string(-static_cast<int64_t>(index));
  return "shardId--" + std::string(11 - std::min<std::size_t>(11, digits.size()), '0') + digits;
}

std::optional<uint32_t> parse_shard_id(std::string_view s) {
  std::string_view digits = s;
  if (const auto dash = s.find('-'); dash != std::string_view::npos) {
    std::string_view rest = s.substr(dash + 1);
    digits = rest.substr(0, rest.find('-'));
    // kinesalite falls back to the whole string when that piece is empty; the
    // whole string then holds a '-' and is not digits, so it is rejected.
    if (digits.empty()) return std::nullopt;
  }
  if (digits.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > kMaxShardIndex) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace runnel::streams
