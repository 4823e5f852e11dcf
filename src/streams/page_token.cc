#include "streams/page_token.h"

#include <charconv>
#include <vector>

#include "protocol/base64.h"

namespace runnel::streams {

std::string encode_page_token(const PageToken& t) {
  std::string raw = "v1|" + t.kind + "|" + std::to_string(t.issued_ms) + "|" + t.stream + "|" + t.last_key;
  return protocol::base64_encode(raw);
}

std::optional<PageToken> decode_page_token(std::string_view token) {
  auto raw = protocol::base64_decode(token);
  if (!raw) return std::nullopt;
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t bar = raw->find('|', start);
    if (bar == std::string::npos) return std::nullopt;
    parts.push_back(raw->substr(start, bar - start));
    start = bar + 1;
  }
  parts.push_back(raw->substr(start));
  if (parts[0] != "v1") return std::nullopt;
  PageToken t;
  t.kind = parts[1];
  auto [p, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), t.issued_ms);
  if (ec != std::errc() || p != parts[2].data() + parts[2].size()) return std::nullopt;
  t.stream = parts[3];
  t.last_key = parts[4];
  return t;
}

protocol::ApiResult<PageToken> read_page_token(std::string_view token, std::string_view kind, int64_t now_ms) {
  auto t = decode_page_token(token);
  if (!t || t->kind != kind) return std::unexpected(protocol::invalid_argument("Invalid NextToken."));
  if (now_ms - t->issued_ms > kNextTokenLifetimeMs)
    return std::unexpected(protocol::ApiError{"ExpiredNextTokenException", "The NextToken has expired.", 400});
  return *t;
}

}  // namespace runnel::streams
