#include "firehose/tags.h"

#include <algorithm>

namespace runnel::firehose {

std::optional<protocol::ApiError> merge_tags(std::vector<api::Tag>& tags, const std::vector<api::Tag>& add) {
  std::vector<api::Tag> next = tags;
  for (const api::Tag& t : add) {
    if (t.key.starts_with("aws:")) {
      return protocol::invalid_argument("Tag keys beginning with 'aws:' are reserved by AWS: " + t.key);
    }
    auto it = std::find_if(next.begin(), next.end(), [&](const api::Tag& x) { return x.key == t.key; });
    if (it != next.end()) {
      it->value = t.value;
    } else {
      next.push_back(t);
    }
  }
  if (next.size() > kMaxTags) {
    return protocol::limit_exceeded("A delivery stream may have at most " + std::to_string(kMaxTags) +
                                    " tags; this request would give it " + std::to_string(next.size()) + ".");
  }
  std::sort(next.begin(), next.end(), [](const api::Tag& a, const api::Tag& b) { return a.key < b.key; });
  tags = std::move(next);
  return std::nullopt;
}

}  // namespace runnel::firehose
