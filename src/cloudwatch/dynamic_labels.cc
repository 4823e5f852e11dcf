#include "cloudwatch/dynamic_labels.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace runnel::cloudwatch {
namespace {

// The shortest text that reads back as `v` (5, 2.5, 1e+21).
std::string number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

std::optional<std::string> statistic(std::string_view name, std::span<const Datapoint> points) {
  if (name == "DATAPOINT_COUNT") return std::to_string(points.size());
  if (points.empty()) return std::nullopt;
  if (name == "FIRST") return number(points.front().value);
  if (name == "LAST") return number(points.back().value);
  double sum = 0, lo = points.front().value, hi = points.front().value;
  for (const Datapoint& p : points) {
    sum += p.value;
    lo = std::min(lo, p.value);
    hi = std::max(hi, p.value);
  }
  if (name == "SUM") return number(sum);
  if (name == "AVG") return number(sum / static_cast<double>(points.size()));
  if (name == "MIN") return number(lo);
  if (name == "MAX") return number(hi);
  return std::nullopt;
}

}  // namespace

std::string expand_dynamic_label(std::string_view label, const std::map<std::string, std::string>& properties,
                                 std::string_view default_label, std::span<const Datapoint> points) {
  std::string out;
  size_t pos = 0;
  while (pos < label.size()) {
    size_t open = label.find("${", pos);
    size_t close = open == std::string_view::npos ? std::string_view::npos : label.find('}', open);
    if (close == std::string_view::npos) {
      out.append(label.substr(pos));
      break;
    }
    out.append(label.substr(pos, open - pos));
    std::string_view inner = label.substr(open + 2, close - open - 2);
    std::optional<std::string> value;
    if (inner == "LABEL") {
      value = std::string(default_label);
    } else if (inner.starts_with("PROP(") && inner.ends_with(")") && inner.size() > 7) {
      std::string_view arg = inner.substr(5, inner.size() - 6);
      if (arg.size() >= 2 && (arg.front() == '\'' || arg.front() == '"') && arg.back() == arg.front()) {
        auto it = properties.find(std::string(arg.substr(1, arg.size() - 2)));
        if (it != properties.end()) value = it->second;
      }
    } else {
      value = statistic(inner, points);
    }
    out.append(value ? *value : std::string(label.substr(open, close - open + 1)));
    pos = close + 1;
  }
  return out;
}

}  // namespace runnel::cloudwatch
