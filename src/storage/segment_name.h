#pragma once
// Segment file names: <dir>/<20-digit zero-padded segment id>.seg, so that a
// plain directory listing sorts in log order.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace runnel::storage {

inline std::string segment_file_name(uint32_t id) { return fmt::format("{:020d}.seg", id); }

inline std::string segment_path(const std::string& dir, uint32_t id) { return dir + "/" + segment_file_name(id); }

// The id in a segment file name, or nullopt for any other file.
inline std::optional<uint32_t> parse_segment_file_name(std::string_view name) {
  if (name.size() != 24 || !name.ends_with(".seg")) return std::nullopt;
  uint64_t id = 0;
  const char* end = name.data() + 20;
  auto [p, ec] = std::from_chars(name.data(), end, id);
  if (ec != std::errc() || p != end || id == 0 || id > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(id);
}

}  // namespace runnel::storage
