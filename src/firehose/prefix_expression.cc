// See prefix_expression.h: the default time prefix only, for now.
#include "firehose/prefix_expression.h"
#include <fmt/format.h>
#include "firehose/object_key.h"
namespace runnel::firehose {
static std::string hour_path(int64_t ms) {
  CivilTime t = civil_utc(ms);
  return fmt::format("{:04}/{:02}/{:02}/{:02}/", t.year, t.month, t.day, t.hour);
}
std::string object_prefix(const std::optional<std::string>& prefix, const PrefixValues& v,
                          const std::function<std::string()>&) {
  return prefix.value_or("") + hour_path(v.arrival_ms);
}
std::string error_prefix(const std::optional<std::string>& e, const std::optional<std::string>& prefix,
                         std::string_view type, const PrefixValues& v, const std::function<std::string()>&) {
  return e.value_or(prefix.value_or("")) + std::string(type) + "/" + hour_path(v.arrival_ms);
}
}  // namespace runnel::firehose
