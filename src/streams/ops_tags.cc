// Tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream and the
// ARN-based TagResource, UntagResource, ListTagsForResource.

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streams/input.h"
#include "streams/kinesis_service.h"
#include "streams/tags.h"

namespace runnel::streams {

namespace {

constexpr size_t kMaxTagsPerStream = 50;

constexpr const char* kInvalidCharacters =
    "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
    "_ . / = + - % @ :.";

// The code point starting at s[i], advancing i past it; nullopt for a byte
// that does not start a well-formed UTF-8 sequence (i then moves one byte).
std::optional<uint32_t> next_code_point(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  size_t n = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    ++i;
    return std::nullopt;
  }
  uint32_t cp = n == 1 ? b0 : b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return std::nullopt;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinOfLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return std::nullopt;
  }
  i += n;
  return cp;
}

// The UTF-16 code units of `s`; an invalid byte stands for itself.
std::u16string utf16_units(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    const auto cp = next_code_point(s, i);
    if (!cp) {
      out.push_back(static_cast<char16_t>(static_cast<unsigned char>(s[at])));
    } else if (*cp < 0x10000) {
      out.push_back(static_cast<char16_t>(*cp));
    } else {
      out.push_back(static_cast<char16_t>(0xD800 + ((*cp - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((*cp - 0x10000) & 0x3FF)));
    }
  }
  return out;
}

// The stream's tags in AWS's order (tag_key_less).
std::vector<std::pair<std::string, std::string>> sorted_tags(const std::map<std::string, std::string>& tags) {
  std::vector<std::pair<std::string, std::string>> out(tags.begin(), tags.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return tag_key_less(a.first, b.first); });
  return out;
}

// The tag-text problem of the worst of `texts`: an invalid character wins
// over '%', as AWS runs the character check over all of them first.
template <typename Texts>
TagTextProblem worst_problem(const Texts& texts) {
  TagTextProblem worst = TagTextProblem::kNone;
  for (std::string_view t : texts) {
    const TagTextProblem p = tag_text_problem(t);
    if (p == TagTextProblem::kInvalidCharacter) return p;
    if (p == TagTextProblem::kPercent) worst = p;
  }
  return worst;
}

std::vector<std::string_view> keys_and_values(const TagList& tags) {
  std::vector<std::string_view> texts;
  for (const auto& [key, _] : tags) texts.push_back(key);
  for (const auto& [_, value] : tags) texts.push_back(value);
  return texts;
}

// AWS's answer to tag text with a problem, on a call that names a stream:
// `verb` is "add tags to" or "remove tags from".
protocol::ApiError tag_text_error(TagTextProblem p, std::string_view verb, const std::string& stream,
                                  const std::string& account) {
  if (p == TagTextProblem::kInvalidCharacter) return protocol::invalid_argument(kInvalidCharacters);
  return protocol::invalid_argument("Failed to " + std::string(verb) + " stream " + stream + " under account " +
                                    account +
                                    " because some tags contained illegal characters. The allowed characters are "
                                    "Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.");
}

protocol::ApiError too_many_tags_error(const std::string& stream, const std::string& account) {
  return protocol::invalid_argument("Failed to add tags to stream " + stream + " under account " + account +
                                    " because a given stream cannot have more than " +
                                    std::to_string(kMaxTagsPerStream) + " tags associated with it.");
}

std::optional<protocol::ApiError> reserved_key_error(const TagList& tags) {
  for (const auto& [key, _] : tags)
    if (key.rfind("aws:", 0) == 0)
      return protocol::invalid_argument("Tag keys starting with 'aws:' are reserved for AWS use.");
  return std::nullopt;
}

}  // namespace

TagTextProblem tag_text_problem(std::string_view text) {
  bool percent = false;
  for (size_t i = 0; i < text.size();) {
    const auto cp = next_code_point(text, i);
    if (!cp) return TagTextProblem::kInvalidCharacter;
    if (*cp < 0x80) {
      const char c = static_cast<char>(*cp);
      if (c == '%') percent = true;
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view(" _./=+-%@:").find(c) != std::string_view::npos;
      if (!ok) return TagTextProblem::kInvalidCharacter;
    } else if (!((*cp >= 0xC0 && *cp <= 0x1FFF) || (*cp >= 0x2C00 && *cp <= 0xD7FF))) {
      return TagTextProblem::kInvalidCharacter;
    }
  }
  return percent ? TagTextProblem::kPercent : TagTextProblem::kNone;
}

bool tag_key_less(std::string_view a, std::string_view b) {
  // Byte order is UTF-16 order for ASCII; most keys never get further.
  const size_t common = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < common && a[i] == b[i] && static_cast<unsigned char>(a[i]) < 0x80) ++i;
  if (i == common || (static_cast<unsigned char>(a[i]) < 0x80 && static_cast<unsigned char>(b[i]) < 0x80))
    return a.substr(i) < b.substr(i);
  return utf16_units(a) < utf16_units(b);
}

protocol::ApiResult<void> check_tags(const TagList& tags) {
  if (worst_problem(keys_and_values(tags)) != TagTextProblem::kNone)
    return std::unexpected(protocol::invalid_argument(kInvalidCharacters));
  if (auto err = reserved_key_error(tags)) return std::unexpected(*err);
  return {};
}

protocol::ApiResult<void> check_new_stream_tags(const TagList& tags, const std::string& stream,
                                                const std::string& account) {
  if (auto p = worst_problem(keys_and_values(tags)); p != TagTextProblem::kNone)
    return std::unexpected(tag_text_error(p, "add tags to", stream, account));
  if (auto err = reserved_key_error(tags)) return std::unexpected(*err);
  if (tags.size() > kMaxTagsPerStream) return std::unexpected(too_many_tags_error(stream, account));
  return {};
}

Status KinesisService::tags_changed_locked(StreamState& s) { return persist_locked(s); }

// AddTagsToStream. AWS's order: the stream, then the characters of every key
// and value, then '%', then the 50-tag limit on the merged set.
protocol::ApiResult<NoOutput> KinesisService::add_tags(const api::AddTagsToStreamInput& in, const Ctx& ctx) {
  return add_stream_tags(stream_ref(in), in.tags, ctx);
}

protocol::ApiResult<NoOutput> KinesisService::add_stream_tags(StreamRef ref, const TagList& tags, const Ctx& ctx) {
  WriterLock lock(mu_);
  auto found = find_stream_locked(ref, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (auto p = worst_problem(keys_and_values(tags)); p != TagTextProblem::kNone)
    return std::unexpected(tag_text_error(p, "add tags to", s.name, options_.account_id));
  if (auto err = reserved_key_error(tags)) return std::unexpected(*err);
  auto merged = s.tags;
  for (const auto& [key, value] : tags) merged[key] = value;
  if (merged.size() > kMaxTagsPerStream) return std::unexpected(too_many_tags_error(s.name, options_.account_id));
  s.tags = std::move(merged);
  if (Status st = tags_changed_locked(s); !st) return std::unexpected(protocol::internal_failure());
  return NoOutput{};
}

// RemoveTagsFromStream: the keys are checked as AddTagsToStream checks them,
// after the stream is found (an unknown stream wins over a bad key).
protocol::ApiResult<NoOutput> KinesisService::remove_tags(const api::RemoveTagsFromStreamInput& in, const Ctx& ctx) {
  return remove_stream_tags(stream_ref(in), in.tag_keys, ctx);
}

protocol::ApiResult<NoOutput> KinesisService::remove_stream_tags(StreamRef ref, const std::vector<std::string>& keys,
                                                                 const Ctx& ctx) {
  WriterLock lock(mu_);
  auto found = find_stream_locked(ref, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (auto p = worst_problem(keys); p != TagTextProblem::kNone)
    return std::unexpected(tag_text_error(p, "remove tags from", s.name, options_.account_id));
  for (const auto& k : keys) s.tags.erase(k);
  if (Status st = tags_changed_locked(s); !st) return std::unexpected(protocol::internal_failure());
  return NoOutput{};
}

// ListTagsForStream: keys in Java's string order (tag_key_less), those after
// ExclusiveStartTagKey in that order (it need not be a key of the stream),
// at most Limit of them, and HasMoreTags when some were left out.
protocol::ApiResult<api::ListTagsForStreamOutput> KinesisService::list_tags_for_stream(
    const api::ListTagsForStreamInput& in, const Ctx& ctx) {
  ReaderLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  // AWS lists 10 tags unless asked for more (up to 50).
  const size_t limit = static_cast<size_t>(in.limit.value_or(10));
  const std::string* start = opt_ptr(in.exclusive_start_tag_key);
  api::ListTagsForStreamOutput out;
  for (auto& [key, value] : sorted_tags(s.tags)) {
    if (start && !tag_key_less(*start, key)) continue;
    if (out.tags.size() == limit) {
      out.has_more_tags = true;
      break;
    }
    out.tags.push_back(api::Tag{.key = std::move(key), .value = std::move(value)});
  }
  return out;
}

// The tags of a stream ARN or of a consumer ARN (TagResource and friends
// accept both), and the stream whose document holds them. Caller holds mu_.
protocol::ApiResult<KinesisService::TaggedResource> KinesisService::find_tagged_locked(const std::string& arn,
                                                                                       const Ctx& ctx) {
  if (arn.find("/consumer/") != std::string::npos) {
    auto ref = find_consumer_by_arn_locked(arn, ctx);
    if (!ref) return std::unexpected(ref.error());
    return TaggedResource{ref->stream, &ref->consumer->tags};
  }
  auto s = find_stream_by_arn_locked(arn, ctx);
  if (!s) return std::unexpected(s.error());
  return TaggedResource{*s, &(*s)->tags};
}

protocol::ApiResult<NoOutput> KinesisService::tag_resource(const api::TagResourceInput& in, const Ctx& ctx) {
  const std::string& arn = in.resource_arn;
  if (arn.find("/consumer/") == std::string::npos) return add_stream_tags(StreamRef{.arn = &arn}, in.tags, ctx);
  WriterLock lock(mu_);
  auto found = find_tagged_locked(arn, ctx);
  if (!found) return std::unexpected(found.error());
  if (auto ok = check_tags(in.tags); !ok) return std::unexpected(ok.error());
  auto merged = *found->tags;
  for (const auto& [key, value] : in.tags) merged[key] = value;
  if (merged.size() > kMaxTagsPerStream)
    return std::unexpected(protocol::invalid_argument("Failed to add tags to " + arn +
                                                      " because a resource cannot have more than " +
                                                      std::to_string(kMaxTagsPerStream) + " tags associated with it."));
  *found->tags = std::move(merged);
  if (Status st = tags_changed_locked(*found->stream); !st) return std::unexpected(protocol::internal_failure());
  return NoOutput{};
}

protocol::ApiResult<NoOutput> KinesisService::untag_resource(const api::UntagResourceInput& in, const Ctx& ctx) {
  const std::string& arn = in.resource_arn;
  if (arn.find("/consumer/") == std::string::npos) return remove_stream_tags(StreamRef{.arn = &arn}, in.tag_keys, ctx);
  WriterLock lock(mu_);
  auto found = find_tagged_locked(arn, ctx);
  if (!found) return std::unexpected(found.error());
  if (worst_problem(in.tag_keys) != TagTextProblem::kNone)
    return std::unexpected(protocol::invalid_argument(kInvalidCharacters));
  for (const auto& k : in.tag_keys) found->tags->erase(k);
  if (Status st = tags_changed_locked(*found->stream); !st) return std::unexpected(protocol::internal_failure());
  return NoOutput{};
}

protocol::ApiResult<api::ListTagsForResourceOutput> KinesisService::list_tags_for_resource(
    const api::ListTagsForResourceInput& in, const Ctx& ctx) {
  ReaderLock lock(mu_);
  auto found = find_tagged_locked(in.resource_arn, ctx);
  if (!found) return std::unexpected(found.error());
  api::ListTagsForResourceOutput out;
  out.tags.emplace();
  for (const auto& [k, v] : sorted_tags(*found->tags)) out.tags->push_back(api::Tag{.key = k, .value = v});
  return out;
}

}  // namespace runnel::streams
