#pragma once
// What Catalog's stream and channel operations share: the CurrentVersion
// check and the paging of ListStreams and ListSignalingChannels. For
// catalog_*.cc only.
//
// Threads: pure functions.

#include <fmt/format.h>

#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "video/errors.h"
#include "video/names.h"

namespace runnel::video {

// VersionMismatchException when the caller's CurrentVersion (if given) is
// not `version`.
inline protocol::ApiResult<void> check_version(const std::optional<std::string>& current, const std::string& version,
                                               std::string_view what) {
  if (current && *current != version) {
    return std::unexpected(version_mismatch(
        fmt::format("The {} version {} is not the current version; describe the {} for its current Version.", what,
                    *current, what)));
  }
  return {};
}

// ListStreams and ListSignalingChannels: names from the token on, those
// matching a BEGINS_WITH condition, at most `max` of them.
template <class Map, class Fn>
protocol::ApiResult<std::optional<std::string>> page(const Map& items, const std::optional<std::string>& token,
                                                     const std::optional<std::string>& begins_with,
                                                     std::optional<int32_t> max_results, Fn add) {
  auto it = items.begin();
  if (token && !token->empty()) {
    auto after = page_token_name(*token);
    if (!after) return std::unexpected(invalid_argument(fmt::format("NextToken {} is not valid.", *token)));
    it = items.upper_bound(*after);
  }
  const size_t max = max_results ? static_cast<size_t>(*max_results) : 10000;
  size_t n = 0;
  for (; it != items.end(); ++it) {
    if (begins_with && !it->first.starts_with(*begins_with)) continue;
    if (n == max) break;
    add(it->second);
    ++n;
  }
  // Another page only when one more item matches.
  for (; it != items.end(); ++it) {
    if (!begins_with || it->first.starts_with(*begins_with))
      return std::optional<std::string>(page_token(std::prev(it)->first));
  }
  return std::optional<std::string>();
}

}  // namespace runnel::video
