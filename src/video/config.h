#pragma once
// The Video Streams section of `runnel serve`'s settings (flags, RUNNEL_*
// variables and config-file keys; see server/config.h). server/main.cc adds
// the section; nothing outside video/ names these flags.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace runnel::video {

struct VideoConfig {
  // The base URL GetDataEndpoint answers (http://host:port, no path). Empty:
  // http:// and the Host header the request came with (docs/video.md).
  std::string data_endpoint;
  int64_t create_stream_ms = 0;  // time a new stream or channel spends CREATING
  int64_t delete_stream_ms = 0;  // time a deleted one spends DELETING
  uint32_t stream_limit = 10000;
};

// Adds the section's flags to `serve`, bound to `config`.
void add_video_options(CLI::App& serve, VideoConfig& config);

// Why `url` cannot be the advertised data endpoint (not http:// or https://,
// no host, a path, query or fragment), or nullopt when it can.
std::optional<std::string> data_endpoint_problem(const std::string& url);

}  // namespace runnel::video
