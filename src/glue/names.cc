#include "glue/names.h"

#include <charconv>

#include "glue/errors.h"
#include "protocol/base64.h"

namespace runnel::glue {

std::string lower_name(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

protocol::ApiResult<NameFilter> NameFilter::parse(std::string_view expression) {
  std::string pattern;
  pattern.reserve(expression.size() + 16);
  pattern += "(?:";
  for (size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (c == '|') {
      pattern += ")|(?:";
    } else if (c == '*' && (i == 0 || expression[i - 1] != '.')) {
      pattern += ".*";
    } else {
      pattern += c;
    }
  }
  pattern += ")";
  NameFilter filter;
  try {
    filter.re_ = std::regex(pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  } catch (const std::regex_error&) {
    return std::unexpected(invalid_input("Expression " + std::string(expression) + " is not a valid pattern."));
  }
  return filter;
}

bool NameFilter::matches(std::string_view name) const {
  try {
    return std::regex_match(name.begin(), name.end(), re_);
  } catch (const std::regex_error&) {  // error_complexity / error_stack: no match
    return false;
  }
}

std::string make_token(std::string_view last) { return protocol::base64_encode(last); }

protocol::ApiResult<std::string> read_token(std::string_view token) {
  auto decoded = protocol::base64_decode(token);
  if (!decoded || decoded->empty()) return std::unexpected(invalid_input("Invalid NextToken."));
  return std::move(*decoded);
}

protocol::ApiResult<int64_t> parse_version_id(std::string_view version_id) {
  int64_t v = -1;
  auto [end, ec] = std::from_chars(version_id.data(), version_id.data() + version_id.size(), v);
  if (ec != std::errc() || end != version_id.data() + version_id.size() || v < 0 || version_id.empty() ||
      (version_id.size() > 1 && version_id[0] == '0')) {
    return std::unexpected(invalid_input("Invalid version id: " + std::string(version_id) + "."));
  }
  return v;
}

}  // namespace runnel::glue
