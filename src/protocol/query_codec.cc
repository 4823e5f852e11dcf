// AWS Query requests: form parsing, Action/Version and the input Value
// (query_codec.h). The XML answers are in query_xml.cc.
#include <simdjson.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "protocol/base64.h"
#include "protocol/iso8601.h"
#include "protocol/json_codec.h"
#include "protocol/percent_decode.h"
#include "protocol/query_codec.h"
#include "protocol/validator.h"

namespace runnel::protocol {
namespace {

ApiError malformed_query_string() {
  return ApiError{"MalformedQueryString", "The query string contains a syntax error.", 404, false};
}

ApiError malformed_input(std::string message) { return ApiError{"MalformedInput", std::move(message), 400, false}; }

// Percent-decodes one key or value ('+' is a space); false on a bad escape
// or bytes that are not UTF-8.
bool form_decode(std::string_view in, std::string& out) {
  std::optional<std::string> decoded = percent_decode(in, /*plus_is_space=*/true);
  if (!decoded) return false;
  out = std::move(*decoded);
  return simdjson::validate_utf8(out.data(), out.size());
}

// The value of the last pair named `key`, or nullptr.
const std::string* last_value(const std::vector<QueryParameter>& params, std::string_view key) {
  for (auto it = params.rbegin(); it != params.rend(); ++it)
    if (it->key == key) return &it->value;
  return nullptr;
}

ApiResult<const OperationModel*> operation_of(const ServiceModel& model, const std::vector<QueryParameter>& params) {
  const std::string* action = last_value(params, "Action");
  if (action == nullptr || action->empty())
    return api_error("MissingAction", "The request is missing an action or a required parameter.");
  const std::string* version = last_value(params, "Version");
  const OperationModel* op = model.find_operation(*action);
  if (op == nullptr || version == nullptr || *version != model.api_version)
    return api_error("InvalidAction", fmt::format("Could not find operation {} for version {}", *action,
                                                  version != nullptr ? std::string_view(*version) : ""));
  return op;
}

// A value as an error message quotes it: at most 256 bytes, cut on a
// character boundary.
std::string excerpt(std::string_view v) {
  constexpr size_t kMax = 256;
  if (v.size() <= kMax) return std::string(v);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  return std::string(v.substr(0, n)) + "...";
}

std::optional<int64_t> parse_integer(std::string_view s, int64_t lo, int64_t hi) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

// What Java's Double.parseDouble reads from botocore's and the Java SDK's
// output: an optionally signed decimal with optional fraction and exponent
// ("1.0E-5", "1e-05", ".5"), or NaN / Infinity / -Infinity.
std::optional<double> parse_double(std::string_view s) {
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (body == "Infinity")
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (body.empty() || !(body[0] == '.' || (body[0] >= '0' && body[0] <= '9'))) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (ec != std::errc() || end != body.data() + body.size()) return std::nullopt;
  return negative ? -v : v;
}

// Position of the first index in a list or map: "1" from "K.member.1.Name"
// given the prefix "K.member.". 0 when the segment is not a 1-based decimal
// without leading zeros of at most 9 digits.
uint32_t index_at(std::string_view key, size_t prefix_len, std::string_view& segment) {
  size_t end = key.find('.', prefix_len);
  segment = key.substr(prefix_len, end == std::string_view::npos ? std::string_view::npos : end - prefix_len);
  if (segment.empty() || segment.size() > 9 || segment[0] == '0') return 0;
  uint32_t n = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  return n;
}

// Builds the input Value from the sorted, de-duplicated pairs, following the
// input shape. A key the shape does not reach is never looked at.
class InputBuilder {
 public:
  InputBuilder(const ServiceModel& model, std::vector<QueryParameter> params)
      : model_(model), params_(std::move(params)) {}

  std::optional<ApiError>& error() { return error_; }
  const std::vector<std::string>& missing() const { return missing_; }

  // The value under `key` (a structure's members under `key.`), or nullopt
  // when the form has nothing for it or an error was recorded.
  std::optional<Value> build(const Shape& shape, const std::string& key, int depth) {
    if (depth > kMaxNestingDepth) {
      error_ = malformed_input(fmt::format("The parameter {} is nested too deeply.", excerpt(key)));
      return std::nullopt;
    }
    switch (shape.type) {
      case ShapeType::kStructure: return build_structure(shape, key, depth);
      case ShapeType::kList: return build_list(shape, key, depth);
      case ShapeType::kMap: return build_map(shape, key, depth);
      default: {
        const std::string* text = exact(key);
        if (text == nullptr) return std::nullopt;
        return scalar(shape, key, *text);
      }
    }
  }

 private:
  // The key a structure member has in the form: its wire name (locationName
  // or name; Query models set no jsonName), or, for a flattened list whose
  // items are named, the item name (botocore's serializer and parser agree).
  std::string member_key(const std::string& parent, const MemberModel& m) const {
    const Shape& target = model_.shape(m.shape);
    std::string_view name = m.wire_name;
    if (target.type == ShapeType::kList && target.flattened && target.list_member_name != "member")
      name = target.list_member_name;
    return parent.empty() ? std::string(name) : parent + "." + std::string(name);
  }

  std::optional<Value> build_structure(const Shape& shape, const std::string& key, int depth) {
    if (!key.empty() && !has_prefix(key + ".")) return std::nullopt;
    Object members;
    for (const MemberModel& m : shape.members) {
      std::string child = member_key(key, m);
      std::optional<Value> v = build(model_.shape(m.shape), child, depth + 1);
      if (error_) return std::nullopt;
      if (v) {
        members.push_back(Member{std::string(m.wire_name), std::move(*v)});
      } else if (m.required) {
        missing_.push_back(fmt::format("The parameter {} is required.", child));
      }
    }
    return Value(std::move(members));
  }

  // Items or entries under `prefix`, by numeric index: (index, "prefix+index").
  std::vector<std::pair<uint32_t, std::string>> indexes(const std::string& prefix) const {
    std::vector<std::pair<uint32_t, std::string>> out;
    auto [lo, hi] = prefix_range(prefix);
    std::string_view last;
    for (auto it = lo; it != hi; ++it) {
      std::string_view segment;
      uint32_t n = index_at(it->key, prefix.size(), segment);
      if (n == 0 || segment == last) continue;  // skips most repeats cheaply
      last = segment;
      out.emplace_back(n, prefix + std::string(segment));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
              out.end());
    return out;
  }

  std::optional<Value> build_list(const Shape& shape, const std::string& key, int depth) {
    const std::string prefix = shape.flattened ? key + "." : key + "." + std::string(shape.list_member_name) + ".";
    auto items = indexes(prefix);
    if (items.empty()) {
      // `A=` is botocore's empty list; a list with no key at all is absent.
      if (exact(key) != nullptr) return Value(Array{});
      return std::nullopt;
    }
    const Shape& member = model_.shape(shape.member);
    Array out;
    out.reserve(items.size());
    for (const auto& [n, item_key] : items) {
      std::optional<Value> v = build(member, item_key, depth + 1);
      if (error_) return std::nullopt;
      if (v) out.push_back(std::move(*v));
    }
    return Value(std::move(out));
  }

  std::optional<Value> build_map(const Shape& shape, const std::string& key, int depth) {
    const std::string prefix = shape.flattened ? key + "." : key + ".entry.";
    auto entries = indexes(prefix);
    if (entries.empty()) {
      if (exact(key) != nullptr) return Value(Object{});
      return std::nullopt;
    }
    const Shape& value_shape = model_.shape(shape.value);
    Object out;
    for (const auto& [n, entry_key] : entries) {
      const std::string* k = exact(entry_key + ".key");
      if (k == nullptr) continue;
      std::optional<Value> v = build(value_shape, entry_key + ".value", depth + 1);
      if (error_) return std::nullopt;
      out.push_back(Member{*k, v ? std::move(*v) : Value()});
    }
    dedupe_members(out);
    return Value(std::move(out));
  }

  std::optional<Value> scalar(const Shape& shape, const std::string& key, const std::string& text) {
    auto invalid = [&](std::string_view what) {
      error_ =
          malformed_input(fmt::format("The value {} for parameter {} is not a valid {}.", excerpt(text), key, what));
      return std::nullopt;
    };
    switch (shape.type) {
      case ShapeType::kString: return Value(text);
      case ShapeType::kBoolean: {
        std::string lower = text;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "true") return Value(true);
        if (lower == "false") return Value(false);
        return invalid("boolean");
      }
      case ShapeType::kInteger: {
        auto v = parse_integer(text, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
        if (!v) return invalid("integer");
        return Value(*v);
      }
      case ShapeType::kLong: {
        auto v = parse_integer(text, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
        if (!v) return invalid("long");
        return Value(*v);
      }
      case ShapeType::kFloat:
      case ShapeType::kDouble: {
        auto v = parse_double(text);
        if (!v) return invalid("double");
        return Value(*v);
      }
      case ShapeType::kTimestamp: {
        auto v = parse_iso8601(text);
        if (!v) {
          error_ = malformed_input("timestamp must follow ISO8601");
          return std::nullopt;
        }
        return Value(Timestamp{*v});
      }
      case ShapeType::kBlob: {
        std::optional<std::string> bytes;
        if (canonical_base64_form(text)) bytes = base64_decode(text);
        if (!bytes) return invalid("base64 blob");
        return Value(Blob{std::move(*bytes)});
      }
      default: return std::nullopt;
    }
  }

  using Iter = std::vector<QueryParameter>::const_iterator;

  const std::string* exact(std::string_view key) const {
    auto it = std::lower_bound(params_.begin(), params_.end(), key,
                               [](const QueryParameter& p, std::string_view k) { return p.key < k; });
    return it != params_.end() && it->key == key ? &it->value : nullptr;
  }

  std::pair<Iter, Iter> prefix_range(std::string_view prefix) const {
    auto lo = std::lower_bound(params_.begin(), params_.end(), prefix,
                               [](const QueryParameter& p, std::string_view k) { return p.key < k; });
    auto hi = lo;
    while (hi != params_.end() && std::string_view(hi->key).starts_with(prefix)) ++hi;
    return {lo, hi};
  }

  bool has_prefix(std::string_view prefix) const {
    auto it = std::lower_bound(params_.begin(), params_.end(), prefix,
                               [](const QueryParameter& p, std::string_view k) { return p.key < k; });
    return it != params_.end() && std::string_view(it->key).starts_with(prefix);
  }

  const ServiceModel& model_;
  std::vector<QueryParameter> params_;  // sorted by key, one pair per key
  std::optional<ApiError> error_;
  std::vector<std::string> missing_;
};

// Sorts by key, keeping only the last pair of each key.
void sort_last_wins(std::vector<QueryParameter>& params) {
  std::stable_sort(params.begin(), params.end(),
                   [](const QueryParameter& a, const QueryParameter& b) { return a.key < b.key; });
  size_t kept = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i + 1 < params.size() && params[i + 1].key == params[i].key) continue;
    if (kept != i) params[kept] = std::move(params[i]);
    ++kept;
  }
  params.resize(kept);
}

}  // namespace

ApiResult<std::vector<QueryParameter>> parse_query_form(std::string_view form) {
  std::vector<QueryParameter> out;
  size_t pos = 0;
  while (pos <= form.size()) {
    size_t amp = form.find('&', pos);
    if (amp == std::string_view::npos) amp = form.size();
    std::string_view pair = form.substr(pos, amp - pos);
    if (!pair.empty()) {
      if (out.size() >= kMaxQueryParameters) return std::unexpected(malformed_query_string());
      size_t eq = pair.find('=');
      QueryParameter p;
      if (!form_decode(pair.substr(0, eq), p.key)) return std::unexpected(malformed_query_string());
      if (eq != std::string_view::npos && !form_decode(pair.substr(eq + 1), p.value))
        return std::unexpected(malformed_query_string());
      out.push_back(std::move(p));
    }
    pos = amp + 1;
  }
  return out;
}

ApiResult<const OperationModel*> find_query_operation(const ServiceModel& model, std::string_view form) {
  auto params = parse_query_form(form);
  if (!params) return std::unexpected(std::move(params.error()));
  return operation_of(model, *params);
}

ApiResult<Value> decode_query_input(const ServiceModel& model, const OperationModel& op, std::string_view form) {
  auto params = parse_query_form(form);
  if (!params) return std::unexpected(std::move(params.error()));
  auto named = operation_of(model, *params);
  if (!named) return std::unexpected(std::move(named.error()));
  if (*named != &op)
    return api_error("InvalidAction",
                     fmt::format("Could not find operation {} for version {}", (*named)->name, model.api_version));
  const Shape* shape = model.input_shape(op);
  if (shape == nullptr) return Value(Object{});
  sort_last_wins(*params);
  InputBuilder builder(model, std::move(*params));
  std::optional<Value> input = builder.build(*shape, std::string(), 1);
  if (builder.error()) return std::unexpected(std::move(*builder.error()));
  if (!builder.missing().empty()) {
    std::string message;
    for (const std::string& line : builder.missing()) {
      if (!message.empty()) message += '\n';
      message += line;
    }
    return api_error("MissingParameter", std::move(message));
  }
  return input ? std::move(*input) : Value(Object{});
}

}  // namespace runnel::protocol
