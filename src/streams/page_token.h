#pragma once
// NextToken for ListStreams and ListShards: an opaque string that remembers
// where a listing stopped. AWS's tokens expire after 300 seconds
// (ExpiredNextTokenException); ours carry their issue time to do the same.
// Format (before base64): "v1|<kind>|<issued epoch ms>|<stream name>|<last key>".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/api_error.h"

namespace runnel::streams {

inline constexpr int64_t kNextTokenLifetimeMs = 300'000;

struct PageToken {
  std::string kind;  // "streams" or "shards"
  int64_t issued_ms = 0;
  std::string stream;    // the stream listed (ListShards)
  std::string last_key;  // the last item returned
};

std::string encode_page_token(const PageToken& t);
// nullopt when the token is not one of ours.
std::optional<PageToken> decode_page_token(std::string_view token);
// A client's NextToken for a listing of `kind`: InvalidArgumentException when
// it is not one of ours (or of another listing), ExpiredNextTokenException
// when it is older than kNextTokenLifetimeMs at now_ms.
protocol::ApiResult<PageToken> read_page_token(std::string_view token, std::string_view kind, int64_t now_ms);

}  // namespace runnel::streams
