#include "metrics/metric_id.h"

#include <algorithm>

namespace runnel::metrics {
namespace {

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

Result<MetricId> MetricId::make(std::string ns, std::string name, std::vector<Dimension> dimensions) {
  if (ns.empty() || name.empty()) return error(Status::invalid_argument("namespace and metric name must not be empty"));
  if (has_nul(ns) || has_nul(name)) return error(Status::invalid_argument("names must not contain NUL"));
  if (dimensions.size() > kMaxDimensions) {
    return error(Status::invalid_argument("a metric has at most 30 dimensions"));
  }
  std::sort(dimensions.begin(), dimensions.end(),
            [](const Dimension& a, const Dimension& b) { return a.name < b.name; });
  for (size_t i = 0; i < dimensions.size(); ++i) {
    if (dimensions[i].name.empty()) return error(Status::invalid_argument("a dimension name must not be empty"));
    if (has_nul(dimensions[i].name) || has_nul(dimensions[i].value)) {
      return error(Status::invalid_argument("dimensions must not contain NUL"));
    }
    if (i > 0 && dimensions[i].name == dimensions[i - 1].name) {
      return error(Status::invalid_argument("dimension " + dimensions[i].name + " is given twice"));
    }
  }
  MetricId id;
  id.ns_ = std::move(ns);
  id.name_ = std::move(name);
  id.dimensions_ = std::move(dimensions);
  return id;
}

const std::string* MetricId::dimension(std::string_view name) const {
  for (const auto& d : dimensions_) {
    if (d.name == name) return &d.value;
  }
  return nullptr;
}

std::string MetricId::dimensions_key() const {
  std::string out;
  for (const auto& d : dimensions_) {
    out.push_back('\0');
    out += d.name;
    out.push_back('\0');
    out += d.value;
  }
  return out;
}

std::string MetricId::key() const {
  std::string out = ns_;
  out.push_back('\0');
  out += name_;
  out += dimensions_key();
  return out;
}

Result<std::vector<Dimension>> MetricId::dimensions_from_key(std::string_view key) {
  std::vector<Dimension> dims;
  while (!key.empty()) {
    if (key[0] != '\0') return error(Status::corruption("malformed dimensions key"));
    key.remove_prefix(1);
    size_t sep = key.find('\0');
    if (sep == std::string_view::npos) return error(Status::corruption("malformed dimensions key"));
    Dimension d{std::string(key.substr(0, sep)), {}};
    key.remove_prefix(sep + 1);
    size_t end = key.find('\0');
    if (end == std::string_view::npos) end = key.size();
    d.value = std::string(key.substr(0, end));
    key.remove_prefix(end);
    dims.push_back(std::move(d));
  }
  return dims;
}

Result<MetricId> MetricId::from_key(std::string_view key) {
  size_t a = key.find('\0');
  if (a == std::string_view::npos) return error(Status::corruption("malformed metric key"));
  size_t b = key.find('\0', a + 1);
  if (b == std::string_view::npos) b = key.size();
  auto dims = dimensions_from_key(key.substr(b));
  if (!dims) return error(dims.error());
  return make(std::string(key.substr(0, a)), std::string(key.substr(a + 1, b - a - 1)), std::move(*dims));
}

}  // namespace runnel::metrics
