#include "video/config.h"

namespace runnel::video {

void add_video_options(CLI::App& serve, VideoConfig& cfg) {
  auto opt = [&](const char* name, auto& value, const char* help, const char* env) {
    return serve.add_option(name, value, help)->envname(env)->capture_default_str()->group("Video Streams");
  };
  opt("--video-data-endpoint", cfg.data_endpoint,
      "Base URL (http://host:port, no path) that GetDataEndpoint returns, for clients that reach runnel "
      "through a proxy, a container's published port or TLS; default: http:// and the Host the request came to",
      "RUNNEL_VIDEO_DATA_ENDPOINT")
      ->check([](const std::string& url) { return data_endpoint_problem(url).value_or(""); });
  opt("--video-create-stream-ms", cfg.create_stream_ms, "Time a new video stream or signaling channel spends CREATING",
      "RUNNEL_VIDEO_CREATE_STREAM_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));
  opt("--video-delete-stream-ms", cfg.delete_stream_ms,
      "Time a deleted video stream or signaling channel spends DELETING", "RUNNEL_VIDEO_DELETE_STREAM_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));
  opt("--video-stream-limit", cfg.stream_limit,
      "Video streams allowed in the account (AccountStreamLimitExceededException beyond)", "RUNNEL_VIDEO_STREAM_LIMIT");
}

std::optional<std::string> data_endpoint_problem(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else {
    return "the data endpoint must start with http:// or https://";
  }
  if (rest.empty()) return "the data endpoint names no host";
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return "the data endpoint is a base URL (scheme, host and port) without a path";
  return std::nullopt;
}

}  // namespace runnel::video
