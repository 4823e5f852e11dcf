#include "analytics/arns.h"

#include <array>

namespace runnel::analytics {
namespace {

// The six colon-separated fields of an ARN (the last keeps its colons), or
// nullopt.
std::optional<std::array<std::string_view, 6>> split_arn(std::string_view arn) {
  std::array<std::string_view, 6> parts;
  for (size_t i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  if (parts[0] != "arn") return std::nullopt;
  return parts;
}

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::string application_arn(std::string_view region, std::string_view account, std::string_view name) {
  std::string arn = "arn:aws:kinesisanalytics:";
  arn += region;
  arn += ':';
  arn += account;
  arn += ":application/";
  arn += name;
  return arn;
}

std::optional<ApplicationArn> parse_application_arn(std::string_view arn) {
  auto parts = split_arn(arn);
  if (!parts || (*parts)[2] != "kinesisanalytics" || (*parts)[3].empty() || (*parts)[4].empty()) return std::nullopt;
  std::string_view resource = (*parts)[5];
  if (!resource.starts_with("application/")) return std::nullopt;
  std::string_view name = resource.substr(12);
  if (name.empty() || name.size() > 128) return std::nullopt;
  for (char c : name) {
    if (!valid_name_char(c)) return std::nullopt;
  }
  return ApplicationArn{std::string((*parts)[3]), std::string((*parts)[4]), std::string(name)};
}

std::optional<std::string> resource_name(std::string_view arn, std::string_view service, std::string_view type) {
  auto parts = split_arn(arn);
  if (!parts || (*parts)[2] != service) return std::nullopt;
  std::string_view resource = (*parts)[5];
  if (!resource.starts_with(type) || resource.size() <= type.size() + 1 || resource[type.size()] != '/') {
    return std::nullopt;
  }
  return std::string(resource.substr(type.size() + 1));
}

}  // namespace runnel::analytics
