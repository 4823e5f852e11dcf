#pragma once
// The names Kinesis Video Streams gives its resources: ARNs
// (arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation epoch ms>,
// and channel/... for signaling channels), Version strings, and the
// NextToken of the List operations.
//
// Threads: pure functions, except VersionMaker (one per owner, not shared).

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace runnel::video {

// "stream" or "channel": the resource type in an ARN.
inline constexpr std::string_view kStreamType = "stream";
inline constexpr std::string_view kChannelType = "channel";

std::string resource_arn(std::string_view type, std::string_view region, std::string_view account,
                         std::string_view name, int64_t creation_ms);

// The parts of a Kinesis Video ARN, or nullopt when `arn` is not one
// (another service, no type/name/epoch).
struct VideoArn {
  std::string region, account, type, name;
  int64_t creation_ms = 0;
};
std::optional<VideoArn> parse_arn(std::string_view arn);

// Version strings: 20 letters and digits, new for every change of a
// resource (AWS's look the same; clients only compare them).
class VersionMaker {
 public:
  VersionMaker();
  std::string next();

 private:
  std::mt19937_64 rng_;
};

// The NextToken that resumes a listing after `last_name`, and back; nullopt
// for a token runnel did not make.
std::string page_token(std::string_view last_name);
std::optional<std::string> page_token_name(std::string_view token);

}  // namespace runnel::video
