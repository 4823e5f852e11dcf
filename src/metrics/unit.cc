#include "metrics/unit.h"

#include <array>

namespace runnel::metrics {
namespace {

constexpr std::array<std::string_view, kUnitCount> kNames = {
    "Seconds",          "Microseconds",     "Milliseconds", "Bytes",           "Kilobytes",        "Megabytes",
    "Gigabytes",        "Terabytes",        "Bits",         "Kilobits",        "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",        "Bytes/Second",    "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second",  "Kilobits/Second", "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None",
};

}  // namespace

std::string_view unit_name(Unit u) { return kNames[static_cast<size_t>(u)]; }

std::optional<Unit> parse_unit(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Unit>(i);
  }
  return std::nullopt;
}

}  // namespace runnel::metrics
