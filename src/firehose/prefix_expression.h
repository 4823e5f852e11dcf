#pragma once
// Prefix expressions of S3 destinations. This first version evaluates the
// default time prefix only (YYYY/MM/dd/HH/ in UTC after the literal prefix);
// the control plane's version replaces it with the whole expression language.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
namespace runnel::firehose {
struct PrefixValues {
  int64_t arrival_ms = 0;
  std::string time_zone;
  std::vector<std::pair<std::string, std::string>> query_keys, lambda_keys;
};
std::string object_prefix(const std::optional<std::string>& prefix, const PrefixValues& values,
                          const std::function<std::string()>& random_string);
std::string error_prefix(const std::optional<std::string>& error_output_prefix,
                         const std::optional<std::string>& prefix, std::string_view error_output_type,
                         const PrefixValues& values, const std::function<std::string()>& random_string);
}  // namespace runnel::firehose
