#pragma once
// Segment file names: <dir>/<20-digit zero-padded segment id>.seg, so that a
// plain directory listing sorts in log order; a sealed segment's summary is
// the same name ending in .sum (storage/segment_summary.h).

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace runnel::storage {

inline std::string segment_file_name(uint32_t id) { return fmt::format("{:020d}.seg", id); }

inline std::string segment_path(const std::string& dir, uint32_t id) { return dir + "/" + segment_file_name(id); }

inline std::string summary_path(const std::string& dir, uint32_t id) { return fmt::format("{}/{:020d}.sum", dir, id); }

// The id in a file name of the form <20 digits><suffix>, or nullopt.
inline std::optional<uint32_t> parse_numbered_file_name(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  uint64_t id = 0;
  const char* end = name.data() + 20;
  auto [p, ec] = std::from_chars(name.data(), end, id);
  if (ec != std::errc() || p != end || id == 0 || id > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(id);
}

// The id in a segment file name, or nullopt for any other file.
inline std::optional<uint32_t> parse_segment_file_name(std::string_view name) {
  return parse_numbered_file_name(name, ".seg");
}

// The id in a segment summary's file name, or nullopt for any other file.
inline std::optional<uint32_t> parse_summary_file_name(std::string_view name) {
  return parse_numbered_file_name(name, ".sum");
}

}  // namespace runnel::storage
