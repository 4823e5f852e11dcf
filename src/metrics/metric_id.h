#pragma once
// MetricId: a CloudWatch metric's identity, (namespace, metric name,
// dimensions). Dimensions are an unordered set of up to 30 (name, value)
// pairs; MetricId keeps them sorted by name so that two ids naming the same
// dimensions in any order are equal and encode to the same key.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::metrics {

inline constexpr size_t kMaxDimensions = 30;

struct Dimension {
  std::string name;
  std::string value;
  friend bool operator==(const Dimension&, const Dimension&) = default;
};

class MetricId {
 public:
  MetricId() = default;
  // Sorts `dimensions` by name. Fails when there are more than 30, when a
  // name repeats, or when the namespace, metric name or a dimension name is
  // empty. Names may hold any byte except NUL (the key's separator).
  static Result<MetricId> make(std::string ns, std::string name, std::vector<Dimension> dimensions = {});

  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  // The value of dimension `name`, or nullptr.
  const std::string* dimension(std::string_view name) const;

  // The canonical key: ns NUL name (NUL dim-name NUL dim-value)*. Equal ids
  // have equal keys; keys sort as (namespace, name, dimensions) do.
  std::string key() const;
  // The inverse of key(); fails on a malformed key.
  static Result<MetricId> from_key(std::string_view key);
  // The dimensions part of key() alone (what the store's `series.dims`
  // column holds).
  std::string dimensions_key() const;
  static Result<std::vector<Dimension>> dimensions_from_key(std::string_view key);

  friend bool operator==(const MetricId&, const MetricId&) = default;

 private:
  std::string ns_;
  std::string name_;
  std::vector<Dimension> dimensions_;
};

}  // namespace runnel::metrics
