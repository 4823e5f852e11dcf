#include "video/names.h"

#include <fmt/format.h>

#include <charconv>

#include "protocol/base64.h"

namespace runnel::video {
namespace {

constexpr std::string_view kTokenPrefix = "kvs1:";

}  // namespace

std::string resource_arn(std::string_view type, std::string_view region, std::string_view account,
                         std::string_view name, int64_t creation_ms) {
  return fmt::format("arn:aws:kinesisvideo:{}:{}:{}/{}/{}", region, account, type, name, creation_ms);
}

std::optional<VideoArn> parse_arn(std::string_view arn) {
  // arn:<partition>:kinesisvideo:<region>:<account>:<type>/<name>/<epoch>
  std::string_view parts[6];
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  if (parts[0] != "arn" || parts[1].empty() || parts[2] != "kinesisvideo" || parts[3].empty() || parts[4].empty())
    return std::nullopt;
  std::string_view resource = parts[5];
  size_t first = resource.find('/');
  size_t last = resource.rfind('/');
  if (first == std::string_view::npos || first == last || first == 0 || last == first + 1 ||
      last + 1 == resource.size())
    return std::nullopt;
  VideoArn out;
  out.region = parts[3];
  out.account = parts[4];
  out.type = resource.substr(0, first);
  out.name = resource.substr(first + 1, last - first - 1);
  std::string_view epoch = resource.substr(last + 1);
  auto [ptr, ec] = std::from_chars(epoch.data(), epoch.data() + epoch.size(), out.creation_ms);
  if (ec != std::errc() || ptr != epoch.data() + epoch.size()) return std::nullopt;
  return out;
}

VersionMaker::VersionMaker() : rng_(std::random_device{}()) {}

std::string VersionMaker::next() {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string v(20, ' ');
  for (char& c : v) c = kAlphabet[pick(rng_)];
  return v;
}

std::string page_token(std::string_view last_name) {
  std::string raw(kTokenPrefix);
  raw += last_name;
  return protocol::base64_encode(raw);
}

std::optional<std::string> page_token_name(std::string_view token) {
  auto raw = protocol::base64_decode(token);
  if (!raw || !raw->starts_with(kTokenPrefix)) return std::nullopt;
  return raw->substr(kTokenPrefix.size());
}

}  // namespace runnel::video
