#include "firehose/stream_spec.h"

#include <charconv>

namespace runnel::firehose {

int64_t StreamSpec::version() const {
  int64_t v = 0;
  const std::string& s = description.version_id;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return (ec == std::errc() && ptr == s.data() + s.size()) ? v : 0;
}

}  // namespace runnel::firehose
