#pragma once
// How the Video Streams control plane is kept in the MetadataStore (format
// in docs/video.md, "Metadata"): one JSON document per stream and per
// signaling channel, keyed by name,
//
//   kind "video.stream"   key <stream name>
//   kind "video.channel"  key <channel name>
//
// each {"StreamInfo"|"ChannelInfo": <as Describe* answers, CreationTime in
// epoch milliseconds>, "Tags": {key: value...}, "TransitionAtMs": <int>,
// and for streams the optional "StreamStorageConfiguration",
// "ImageGenerationConfiguration" and "NotificationConfiguration" as the
// model shapes them}.
//
// Threads: pure functions.

#include <string>
#include <string_view>

#include "common/status.h"
#include "video/catalog.h"

namespace runnel::video {

inline constexpr std::string_view kStreamKind = "video.stream";
inline constexpr std::string_view kChannelKind = "video.channel";

std::string encode_stream(const StoredStream& s);
Result<StoredStream> decode_stream(std::string_view json);
std::string encode_channel(const StoredChannel& c);
Result<StoredChannel> decode_channel(std::string_view json);

}  // namespace runnel::video
