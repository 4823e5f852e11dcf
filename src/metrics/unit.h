#pragma once
// CloudWatch's StandardUnit values. A datapoint carries one; queries may
// filter by one. The numeric values are stored in the metric store (the
// `series.unit` column, docs/metrics-store.md): never renumber, only append.

#include <cstdint>
#include <optional>
#include <string_view>

namespace runnel::metrics {

enum class Unit : uint8_t {
  kSeconds = 0,
  kMicroseconds,
  kMilliseconds,
  kBytes,
  kKilobytes,
  kMegabytes,
  kGigabytes,
  kTerabytes,
  kBits,
  kKilobits,
  kMegabits,
  kGigabits,
  kTerabits,
  kPercent,
  kCount,
  kBytesPerSecond,
  kKilobytesPerSecond,
  kMegabytesPerSecond,
  kGigabytesPerSecond,
  kTerabytesPerSecond,
  kBitsPerSecond,
  kKilobitsPerSecond,
  kMegabitsPerSecond,
  kGigabitsPerSecond,
  kTerabitsPerSecond,
  kCountPerSecond,
  kNone,
};
inline constexpr int kUnitCount = static_cast<int>(Unit::kNone) + 1;

// AWS's spelling ("Bytes/Second", "None", ...).
std::string_view unit_name(Unit u);
// The unit spelled `name` exactly as AWS spells it, or nullopt.
std::optional<Unit> parse_unit(std::string_view name);

}  // namespace runnel::metrics
