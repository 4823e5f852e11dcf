#include "video/catalog.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "video/errors.h"
#include "video/persistence.h"

namespace runnel::video {

using protocol::ApiResult;

Catalog::Catalog(CatalogOptions options, storage::MetadataStore& store)
    : now_ms([] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      }),
      options_(std::move(options)),
      store_(store) {}

Status Catalog::load() {
  MutexLock lock(mu_);
  auto streams = store_.load_all(kStreamKind);
  if (!streams) return streams.error();
  for (const auto& [key, json] : *streams) {
    auto s = decode_stream(json);
    if (!s) return Status::corruption(fmt::format("video stream {}: {}", key, s.error().to_string()));
    streams_[key] = std::move(*s);
  }
  auto channels = store_.load_all(kChannelKind);
  if (!channels) return channels.error();
  for (const auto& [key, json] : *channels) {
    auto c = decode_channel(json);
    if (!c) return Status::corruption(fmt::format("video channel {}: {}", key, c.error().to_string()));
    channels_[key] = std::move(*c);
  }
  advance();
  return Status::ok();
}

void Catalog::advance() {
  const int64_t now = now_ms();
  for (auto it = streams_.begin(); it != streams_.end();) {
    StoredStream& s = it->second;
    const std::string& status = *s.info.status;
    if (status == api::Status::kDeleting && now >= s.transition_at_ms) {
      if (Status st = store_.remove(kStreamKind, it->first); !st) {
        spdlog::error("video: removing stream {}: {}", it->first, st.to_string());
        ++it;
        continue;
      }
      it = streams_.erase(it);
      continue;
    }
    if (status == api::Status::kCreating && now >= s.transition_at_ms) {
      StoredStream next = s;
      next.info.status = std::string(api::Status::kActive);
      (void)replace(s, std::move(next));  // logged; tried again at the next advance
    }
    ++it;
  }
  for (auto it = channels_.begin(); it != channels_.end();) {
    StoredChannel& c = it->second;
    const std::string& status = *c.info.channel_status;
    if (status == api::Status::kDeleting && now >= c.transition_at_ms) {
      if (Status st = store_.remove(kChannelKind, it->first); !st) {
        spdlog::error("video: removing channel {}: {}", it->first, st.to_string());
        ++it;
        continue;
      }
      it = channels_.erase(it);
      continue;
    }
    if (status == api::Status::kCreating && now >= c.transition_at_ms) {
      StoredChannel next = c;
      next.info.channel_status = std::string(api::Status::kActive);
      (void)replace(c, std::move(next));  // logged; tried again at the next advance
    }
    ++it;
  }
}

ApiResult<void> Catalog::save(const StoredStream& s) {
  if (Status st = store_.put(kStreamKind, *s.info.stream_name, encode_stream(s)); !st) {
    spdlog::error("video: storing stream {}: {}", *s.info.stream_name, st.to_string());
    return std::unexpected(protocol::internal_failure());
  }
  return {};
}

ApiResult<void> Catalog::save(const StoredChannel& c) {
  if (Status st = store_.put(kChannelKind, *c.info.channel_name, encode_channel(c)); !st) {
    spdlog::error("video: storing channel {}: {}", *c.info.channel_name, st.to_string());
    return std::unexpected(protocol::internal_failure());
  }
  return {};
}

ApiResult<void> Catalog::replace(StoredStream& current, StoredStream next) {
  if (auto r = save(next); !r) return r;
  current = std::move(next);
  return {};
}

ApiResult<void> Catalog::replace(StoredChannel& current, StoredChannel next) {
  if (auto r = save(next); !r) return r;
  current = std::move(next);
  return {};
}

namespace {

// The name a (name, ARN) pair addresses: the name, or the ARN's, or an
// error when neither is given, the ARN is not of `type`, or they disagree.
ApiResult<std::string> addressed_name(const std::optional<std::string>& name, const std::optional<std::string>& arn,
                                      std::string_view type, std::string_view name_member,
                                      std::string_view arn_member) {
  if (!name && !arn) {
    return std::unexpected(
        invalid_argument(fmt::format("Either {} or {} must be specified.", name_member, arn_member)));
  }
  if (!arn) return *name;
  auto parsed = parse_arn(*arn);
  if (!parsed || parsed->type != type) {
    return std::unexpected(
        invalid_argument(fmt::format("{} {} is not a Kinesis Video {} ARN.", arn_member, *arn, type)));
  }
  if (name && *name != parsed->name) {
    return std::unexpected(invalid_argument(
        fmt::format("{} {} and {} {} name different resources.", name_member, *name, arn_member, *arn)));
  }
  return parsed->name;
}

}  // namespace

ApiResult<StoredStream*> Catalog::stream(const std::optional<std::string>& name, const std::optional<std::string>& arn,
                                         Need need) {
  auto key = addressed_name(name, arn, kStreamType, "StreamName", "StreamARN");
  if (!key) return std::unexpected(key.error());
  auto it = streams_.find(*key);
  if (it == streams_.end()) return std::unexpected(stream_not_found());
  StoredStream& s = it->second;
  if (arn && *arn != *s.info.stream_arn) return std::unexpected(stream_not_found());
  const std::string& status = *s.info.status;
  if (need != Need::kAny && status == api::Status::kDeleting) return std::unexpected(stream_not_found());
  if (need == Need::kActive && status != api::Status::kActive) {
    return std::unexpected(resource_in_use(
        fmt::format("The stream {} is {}; it must be ACTIVE for this operation.", *s.info.stream_name, status)));
  }
  return &s;
}

ApiResult<StoredChannel*> Catalog::channel(const std::optional<std::string>& name,
                                           const std::optional<std::string>& arn, Need need) {
  auto key = addressed_name(name, arn, kChannelType, "ChannelName", "ChannelARN");
  if (!key) return std::unexpected(key.error());
  auto it = channels_.find(*key);
  if (it == channels_.end()) return std::unexpected(channel_not_found());
  StoredChannel& c = it->second;
  if (arn && *arn != *c.info.channel_arn) return std::unexpected(channel_not_found());
  const std::string& status = *c.info.channel_status;
  if (need != Need::kAny && status == api::Status::kDeleting) return std::unexpected(channel_not_found());
  if (need == Need::kActive && status != api::Status::kActive) {
    return std::unexpected(resource_in_use(
        fmt::format("The channel {} is {}; it must be ACTIVE for this operation.", *c.info.channel_name, status)));
  }
  return &c;
}

ApiResult<void> merge_tags(Tags& tags, const Tags& add, std::string_view resource) {
  for (const auto& [k, v] : add) {
    if (k.starts_with("aws:")) {
      return std::unexpected(
          invalid_argument(fmt::format("The tag key {} is reserved: keys may not start with aws:.", k)));
    }
  }
  Tags merged = tags;
  for (const auto& [k, v] : add) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& t) { return t.first == k; });
    if (it != merged.end()) {
      it->second = v;
    } else {
      merged.emplace_back(k, v);
    }
  }
  if (merged.size() > kMaxTagsPerResource) {
    return std::unexpected(
        tags_per_resource_exceeded(fmt::format("The resource {} would have {} tags; a resource can have at most {}.",
                                               resource, merged.size(), kMaxTagsPerResource)));
  }
  tags = std::move(merged);
  return {};
}

namespace {

void remove_tags(Tags& tags, const std::vector<std::string>& keys) {
  std::erase_if(tags, [&](const auto& t) { return std::find(keys.begin(), keys.end(), t.first) != keys.end(); });
}

}  // namespace

ApiResult<void> Catalog::change_tags(std::string_view arn, const std::function<ApiResult<void>(Tags&)>& change) {
  auto parsed = parse_arn(arn);
  if (parsed && parsed->type == kChannelType) {
    auto c = channel(std::nullopt, std::string(arn), Need::kNotDeleting);
    if (!c) return std::unexpected(c.error());
    StoredChannel next = **c;
    if (auto r = change(next.tags); !r) return r;
    return replace(**c, std::move(next));
  }
  if (!parsed || parsed->type != kStreamType) {
    return std::unexpected(resource_not_found(fmt::format("The resource {} is not found.", arn)));
  }
  auto s = stream(std::nullopt, std::string(arn), Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  StoredStream next = **s;
  if (auto r = change(next.tags); !r) return r;
  return replace(**s, std::move(next));
}

ApiResult<Tags> Catalog::tags_of(std::string_view arn) {
  auto parsed = parse_arn(arn);
  if (parsed && parsed->type == kChannelType) {
    auto c = channel(std::nullopt, std::string(arn), Need::kNotDeleting);
    if (!c) return std::unexpected(c.error());
    return (*c)->tags;
  }
  if (!parsed || parsed->type != kStreamType) {
    return std::unexpected(resource_not_found(fmt::format("The resource {} is not found.", arn)));
  }
  auto s = stream(std::nullopt, std::string(arn), Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  return (*s)->tags;
}

ApiResult<void> Catalog::tag_stream(const api::TagStreamInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  return change_tags(*(*s)->info.stream_arn,
                     [&](Tags& tags) { return merge_tags(tags, in.tags, *(*s)->info.stream_name); });
}

ApiResult<void> Catalog::untag_stream(const api::UntagStreamInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  return change_tags(*(*s)->info.stream_arn, [&](Tags& tags) -> ApiResult<void> {
    remove_tags(tags, in.tag_key_list);
    return {};
  });
}

ApiResult<api::ListTagsForStreamOutput> Catalog::list_tags_for_stream(const api::ListTagsForStreamInput& in) {
  MutexLock lock(mu_);
  advance();
  auto s = stream(in.stream_name, in.stream_arn, Need::kNotDeleting);
  if (!s) return std::unexpected(s.error());
  api::ListTagsForStreamOutput out;
  out.tags = (*s)->tags;  // at most 50: one page
  return out;
}

ApiResult<void> Catalog::tag_resource(const api::TagResourceInput& in) {
  MutexLock lock(mu_);
  advance();
  Tags add;
  for (const api::Tag& t : in.tags) add.emplace_back(t.key, t.value);
  return change_tags(in.resource_arn, [&](Tags& tags) { return merge_tags(tags, add, in.resource_arn); });
}

ApiResult<void> Catalog::untag_resource(const api::UntagResourceInput& in) {
  MutexLock lock(mu_);
  advance();
  return change_tags(in.resource_arn, [&](Tags& tags) -> ApiResult<void> {
    remove_tags(tags, in.tag_key_list);
    return {};
  });
}

ApiResult<api::ListTagsForResourceOutput> Catalog::list_tags_for_resource(const api::ListTagsForResourceInput& in) {
  MutexLock lock(mu_);
  advance();
  auto tags = tags_of(in.resource_arn);
  if (!tags) return std::unexpected(tags.error());
  api::ListTagsForResourceOutput out;
  out.tags = std::move(*tags);
  return out;
}

}  // namespace runnel::video
