#include "firehose/record_id.h"

#include <charconv>
#include <cstdio>

namespace runnel::firehose {

std::string make_record_id(const RecordIdParts& p) {
  char buf[49];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx", static_cast<unsigned long long>(p.shard_key),
                static_cast<unsigned long long>(p.counter), static_cast<unsigned long long>(p.arrival_ms));
  return std::string(buf, 48);
}

std::optional<RecordIdParts> parse_record_id(std::string_view id) {
  if (id.size() != 48) return std::nullopt;
  uint64_t v[3];
  for (int i = 0; i < 3; ++i) {
    std::string_view part = id.substr(size_t(i) * 16, 16);
    for (char c : part) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    }
    std::from_chars(part.data(), part.data() + part.size(), v[i], 16);
  }
  return RecordIdParts{v[0], v[1], static_cast<int64_t>(v[2])};
}

}  // namespace runnel::firehose
