#pragma once
// Delivery stream tags: at most 50 per stream, keys unique, no key starting
// with "aws:" (AWS reserves them). Kept sorted by key, which is the order
// ListTagsForDeliveryStream pages in.
//
// Threads: pure functions.

#include <optional>
#include <vector>

#include "firehose_shapes.h"
#include "protocol/api_error.h"

namespace runnel::firehose {

inline constexpr size_t kMaxTags = 50;

// Adds or overwrites `add` in `tags`; on an error `tags` is unchanged
// (InvalidArgumentException for an aws: key, LimitExceededException past 50).
std::optional<protocol::ApiError> merge_tags(std::vector<api::Tag>& tags, const std::vector<api::Tag>& add);

}  // namespace runnel::firehose
