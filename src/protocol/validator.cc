#include "protocol/validator.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>
#include <optional>
#include <vector>

#include "protocol/base64.h"

namespace runnel::protocol {

size_t utf16_length(std::string_view s) {
  // ASCII runs, eight bytes at a time (every partition key is checked):
  // each such byte is one UTF-16 unit.
  size_t n = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) break;
    n += 8;
  }
  for (unsigned char c : s.substr(i)) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += c >= 0xF0 ? 2 : 1;            // 4-byte sequences are surrogate pairs
  }
  return n;
}

std::string lower_first(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

namespace {

// ---------------------------------------------------------------------------
// Pass 1: deserialisation (type checks and conversion to model types).

constexpr std::string_view kListNotExpected = "Start of list found where not expected";
constexpr std::string_view kStructNotExpected = "Start of structure or map found where not expected.";

// The Java class AWS names when a value of this kind cannot be converted.
std::string_view java_class(Value::Kind k) {
  switch (k) {
    case Value::Kind::kString: return "java.lang.String";
    case Value::Kind::kBool: return "java.lang.Boolean";
    case Value::Kind::kInt:
    case Value::Kind::kDouble: return "com.amazon.coral.value.json.numbers.TruncatingBigNumber";
    case Value::Kind::kBlob: return "java.nio.HeapByteBuffer";
    case Value::Kind::kTimestamp: return "java.util.Date";
    default: return "java.lang.Object";
  }
}

// AWS's wording for the target type: "an Integer", "a Blob", ...
std::string_view java_target(ShapeType t) {
  switch (t) {
    case ShapeType::kString: return "an String";
    case ShapeType::kBoolean: return "an Boolean";
    case ShapeType::kInteger: return "an Integer";
    case ShapeType::kLong: return "an Long";
    case ShapeType::kFloat: return "an Float";
    case ShapeType::kDouble: return "an Double";
    case ShapeType::kBlob: return "a Blob";
    case ShapeType::kTimestamp: return "milliseconds since epoch";
    default: return "an Object";
  }
}

std::string cannot_convert(Value::Kind from, ShapeType to) {
  return fmt::format("class {} can not be converted to {}", java_class(from), java_target(to));
}

bool is_base64_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

unsigned base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : 63;
}

// The UTF-8 character starting at s[i].
std::string_view utf8_char_at(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
  return s.substr(i, j - i);
}

// True when a base64 text whose padding is `pads` '=' ends in a character
// carrying no bits beyond the decoded bytes (the form AWS accepts).
bool canonical_tail(std::string_view text, size_t pads) {
  if (pads == 0) return true;
  unsigned last = base64_value(static_cast<unsigned char>(text[text.size() - 1 - pads]));
  return (last & (pads == 1 ? 0x3u : 0xFu)) == 0;
}

}  // namespace

bool canonical_base64_form(std::string_view text) {
  const size_t n = text.size();
  const size_t pads = n < 2 || text[n - 1] != '=' ? 0 : text[n - 2] != '=' ? 1 : 2;
  return n % 4 == 0 && (n == 0 || canonical_tail(text, pads));
}

namespace {

// Decodes a JSON blob as AWS does, with AWS's messages for each way it fails.
std::optional<std::string> decode_blob(std::string_view text, Blob& out) {
  auto fail = [&](std::string_view why) { return fmt::format("'{}' can not be converted to a Blob: {}", text, why); };
  size_t len = utf16_length(text);
  if (len % 4 != 0)
    return fail(fmt::format("Base64 encoded length is expected a multiple of 4 bytes but found: {}", len));
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '=') {
      if (i + 1 < text.size() && text[i + 1] != '=') return fail("Invalid Base64 character: '='");
      continue;
    }
    if (!is_base64_char(c)) return fail(fmt::format("Invalid Base64 character: '{}'", utf8_char_at(text, i)));
  }
  // Padding and the bits the last character carries must be canonical.
  size_t pads = 0;
  while (pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
  bool canonical = pads <= 2 && (pads == 0 || pads < text.size()) && canonical_tail(text, pads);
  std::optional<std::string> bytes;
  if (canonical) bytes = base64_decode(text);
  if (!bytes) return fail("Invalid last non-pad Base64 character dectected");
  out.bytes = std::move(*bytes);
  return std::nullopt;
}

// The common case of decode_blob, without its checks' cost: turns `v` (a
// string) into a Blob in place when it is valid, canonical base64, and
// returns false leaving `v` unchanged otherwise (decode_blob then words the
// error). base64_decode accepts only a multiple of 4 alphabet characters
// with at most two trailing '=' (or is ""), which passes every check of
// decode_blob but the canonical last character, checked here.
bool decode_valid_blob(Value& v) {
  std::string& text = v.as_string();
  if (!canonical_base64_form(text)) return false;
  if (!base64_decode_in_place(text)) return false;
  v = Value(Blob{std::move(text)});
  return true;
}

int64_t clamp_double(double d, int64_t lo, int64_t hi) {
  if (std::isnan(d)) return 0;
  d = std::floor(d);
  if (d <= static_cast<double>(lo)) return lo;
  if (d >= static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(d);
}

int64_t seconds_to_millis(double seconds) {
  double ms = std::round(seconds * 1000.0);
  return clamp_double(ms, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
}

class Converter {
 public:
  Converter(const ServiceModel& model, WireFormat format) : model_(model), format_(format) {}

  // Converts `v` (never null) to `shape`'s model type; an error message on mismatch.
  std::optional<std::string> convert(const Shape& shape, Value& v) {
    const Value::Kind k = v.kind();
    switch (shape.type) {
      case ShapeType::kStructure:
        if (k == Value::Kind::kObject) return convert_structure(shape, v);
        if (k == Value::Kind::kArray) return std::string(kListNotExpected);
        return std::string("Expected null");
      case ShapeType::kList:
        if (k == Value::Kind::kArray) return convert_list(shape, v);
        if (k == Value::Kind::kObject) return std::string(kStructNotExpected);
        return std::string("Expected list or null");
      case ShapeType::kMap:
        if (k == Value::Kind::kObject) return convert_map(shape, v);
        if (k == Value::Kind::kArray) return std::string(kListNotExpected);
        return std::string("Expected map or null");
      default: break;
    }
    if (k == Value::Kind::kArray) return std::string(kListNotExpected);
    if (k == Value::Kind::kObject) return std::string(kStructNotExpected);
    switch (shape.type) {
      case ShapeType::kString:
        if (k == Value::Kind::kString) return std::nullopt;
        return cannot_convert(k, shape.type);
      case ShapeType::kBoolean: return convert_boolean(v);
      case ShapeType::kInteger:
        return convert_integer(shape, v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      case ShapeType::kLong:
        return convert_integer(shape, v, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        if (k == Value::Kind::kInt) v = Value(static_cast<double>(v.as_int()));
        if (v.is_double()) return std::nullopt;
        return cannot_convert(k, shape.type);
      case ShapeType::kBlob:
        if (k == Value::Kind::kBlob) return std::nullopt;
        if (k == Value::Kind::kString) {
          if (decode_valid_blob(v)) return std::nullopt;
          Blob blob;
          if (auto err = decode_blob(v.as_string(), blob)) return err;
          v = Value(std::move(blob));
          return std::nullopt;
        }
        return cannot_convert(k, shape.type);
      case ShapeType::kTimestamp: return convert_timestamp(v);
      default: return cannot_convert(k, shape.type);
    }
  }

 private:
  // Keeps the known, non-null members, converted, in first-occurrence order;
  // compacts the object in place (no new allocation per structure).
  std::optional<std::string> convert_structure(const Shape& shape, Value& v) {
    Object& members = v.as_object();
    size_t kept = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      Member& m = members[i];
      const MemberModel* mm = shape.find_member(m.key);
      if (mm == nullptr || m.value.is_null()) continue;  // AWS ignores unknown members
      if (auto err = convert(model_.shape(mm->shape), m.value)) return err;
      auto end = members.begin() + static_cast<std::ptrdiff_t>(kept);
      auto dup = std::find_if(members.begin(), end, [&](const Member& o) { return o.key == m.key; });
      if (dup != end) {
        dup->value = std::move(m.value);  // the last occurrence wins
      } else {
        if (kept != i) members[kept] = std::move(m);
        ++kept;
      }
    }
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(kept), members.end());
    return std::nullopt;
  }

  std::optional<std::string> convert_list(const Shape& shape, Value& v) {
    const Shape& member = model_.shape(shape.member);
    for (Value& item : v.as_array()) {
      if (item.is_null()) continue;
      if (auto err = convert(member, item)) return err;
    }
    return std::nullopt;
  }

  std::optional<std::string> convert_map(const Shape& shape, Value& v) {
    const Shape& value = model_.shape(shape.value);
    for (Member& m : v.as_object()) {
      if (m.value.is_null()) continue;
      if (auto err = convert(value, m.value)) return err;
    }
    return std::nullopt;
  }

  std::optional<std::string> convert_boolean(Value& v) {
    switch (v.kind()) {
      case Value::Kind::kBool: return std::nullopt;
      case Value::Kind::kDouble:  // AWS accepts fractional numbers here
        v = Value(v.as_double() != 0.0);
        return std::nullopt;
      case Value::Kind::kString: {
        std::string upper = v.as_string();
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper == "TRUE" || upper == "YES" || upper == "1") {
          v = Value(true);
          return std::nullopt;
        }
        if (upper == "FALSE" || upper == "NO" || upper == "0") {
          v = Value(false);
          return std::nullopt;
        }
        return fmt::format("'{}' can not be converted to an Boolean", upper);
      }
      default: return cannot_convert(v.kind(), ShapeType::kBoolean);
    }
  }

  std::optional<std::string> convert_integer(const Shape& shape, Value& v, int64_t lo, int64_t hi) {
    if (v.is_int()) {
      v = Value(std::clamp(v.as_int(), lo, hi));
      return std::nullopt;
    }
    if (v.is_double()) {
      if (std::isnan(v.as_double())) return cannot_convert(Value::Kind::kString, shape.type);
      v = Value(clamp_double(v.as_double(), lo, hi));
      return std::nullopt;
    }
    return cannot_convert(v.kind(), shape.type);
  }

  std::optional<std::string> convert_timestamp(Value& v) {
    switch (v.kind()) {
      case Value::Kind::kTimestamp: return std::nullopt;
      case Value::Kind::kInt: {
        int64_t n = v.as_int();
        if (format_ == WireFormat::kCbor) {
          v = Value(Timestamp{n});
        } else {
          v = Value(Timestamp{seconds_to_millis(static_cast<double>(n))});
        }
        return std::nullopt;
      }
      case Value::Kind::kDouble:
        if (std::isnan(v.as_double())) return cannot_convert(Value::Kind::kString, ShapeType::kTimestamp);
        v = Value(Timestamp{seconds_to_millis(v.as_double())});
        return std::nullopt;
      default: return cannot_convert(v.kind(), ShapeType::kTimestamp);
    }
  }

  const ServiceModel& model_;
  WireFormat format_;
};

// ---------------------------------------------------------------------------
// Pass 2: constraints.

// Java's Date.toString() in UTC: "Thu Jan 01 00:00:00 UTC 1970".
std::string java_date(int64_t millis) {
  time_t secs = static_cast<time_t>(millis >= 0 ? millis / 1000 : (millis - 999) / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

std::string java_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// A stable stand-in for Java's Object.hashCode() of a model object: 31-based
// over the printed content, shown as Integer.toHexString does.
uint32_t content_hash(std::string_view s) {
  uint32_t h = 0;
  for (unsigned char c : s) h = 31 * h + c;
  return h;
}

// Where a value sits in the input, as AWS names it in a validation message
// ("records.1.member.data"). Built on the stack while walking the input and
// rendered only when an error is reported, so a valid request allocates no
// path strings.
struct Path {
  enum class Kind { kRoot, kMember, kListItem, kMapValue };
  const Path* parent = nullptr;
  Kind kind = Kind::kRoot;
  std::string_view name;  // kMember: the model member's name; kMapValue: the key
  size_t index = 0;       // kListItem: 1-based position

  std::string render() const {
    switch (kind) {
      case Kind::kRoot: return "";
      case Kind::kMember: {
        std::string p = parent->render();
        return p.empty() ? lower_first(name) : p + "." + lower_first(name);
      }
      case Kind::kListItem: return fmt::format("{}.{}.member", parent->render(), index);
      case Kind::kMapValue: return fmt::format("{}.{}.member", parent->render(), name);
    }
    return "";
  }
};

class Checker {
 public:
  explicit Checker(const ServiceModel& model) : model_(model) {}

  bool full() const { return errors_.size() >= static_cast<size_t>(kMaxValidationErrors); }
  const std::vector<std::string>& errors() const { return errors_; }

  void check_structure(const Shape& shape, const Value& v, const Path& path) {
    for (const MemberModel& m : shape.members) {
      if (full()) return;
      const Path child{&path, Path::Kind::kMember, m.name};
      const Value* mv = v.find(m.wire_name);
      if (mv == nullptr || mv->is_null()) {
        if (m.required) add(nullptr, nullptr, child, "Member must not be null");
        continue;
      }
      check_value(model_.shape(m.shape), *mv, child);
    }
  }

  void check_value(const Shape& shape, const Value& v, const Path& path) {
    switch (shape.type) {
      case ShapeType::kStructure: check_structure(shape, v, path); return;
      case ShapeType::kList: check_list(shape, v, path); return;
      case ShapeType::kMap: check_map(shape, v, path); return;
      default:
        for (const std::string& failure : scalar_failures(shape, v)) {
          if (full()) return;
          add(&shape, &v, path, failure);
        }
    }
  }

 private:
  void check_list(const Shape& shape, const Value& v, const Path& path) {
    const Array& items = v.as_array();
    check_count(shape, v, items.size(), path);
    const Shape& member = model_.shape(shape.member);
    if (is_scalar(member)) {
      if (!member.has_constraints()) return;
      for (const Value& item : items) {
        if (!item.is_null() && !scalar_failures(member, item).empty()) {
          if (!full()) add(&shape, &v, path, "Member must satisfy constraint: " + constraint_list(member));
          return;
        }
      }
      return;
    }
    for (size_t i = 0; i < items.size() && !full(); ++i) {
      const Path child{&path, Path::Kind::kListItem, {}, i + 1};
      if (items[i].is_null()) {
        add(nullptr, nullptr, child, "Member must not be null");
        continue;
      }
      check_value(member, items[i], child);
    }
  }

  void check_map(const Shape& shape, const Value& v, const Path& path) {
    const Object& entries = v.as_object();
    check_count(shape, v, entries.size(), path);
    const Shape& key = model_.shape(shape.key);
    if (key.has_constraints()) {
      for (const Member& e : entries) {
        if (!scalar_failures(key, Value(e.key)).empty()) {
          if (!full()) add(&shape, &v, path, "Map keys must satisfy constraint: " + constraint_list(key));
          break;
        }
      }
    }
    const Shape& value = model_.shape(shape.value);
    if (is_scalar(value)) {
      if (!value.has_constraints()) return;
      for (const Member& e : entries) {
        if (!e.value.is_null() && !scalar_failures(value, e.value).empty()) {
          if (!full()) add(&shape, &v, path, "Map value must satisfy constraint: " + constraint_list(value));
          return;
        }
      }
      return;
    }
    for (const Member& e : entries) {
      if (full()) return;
      if (e.value.is_null()) continue;
      check_value(value, e.value, Path{&path, Path::Kind::kMapValue, e.key});
    }
  }

  void check_count(const Shape& shape, const Value& v, size_t n, const Path& path) {
    auto count = static_cast<int64_t>(n);
    if (shape.has_min && count < shape.min && !full())
      add(&shape, &v, path, fmt::format("Member must have length greater than or equal to {}", shape.min));
    if (shape.has_max && count > shape.max && !full())
      add(&shape, &v, path, fmt::format("Member must have length less than or equal to {}", shape.max));
  }

  static bool is_scalar(const Shape& s) {
    return s.type != ShapeType::kStructure && s.type != ShapeType::kList && s.type != ShapeType::kMap;
  }

  // The constraints `v` breaks, in the order AWS lists them.
  static std::vector<std::string> scalar_failures(const Shape& shape, const Value& v) {
    std::vector<std::string> out;
    if (!shape.has_constraints()) return out;
    switch (shape.type) {
      case ShapeType::kString: {
        if (!v.is_string()) return out;
        const std::string& s = v.as_string();
        if (!shape.pattern.empty() && !pattern_matches(shape.pattern, s)) out.push_back(pattern_text(shape));
        if (shape.has_min || shape.has_max) {
          auto len = static_cast<int64_t>(utf16_length(s));
          if (shape.has_min && len < shape.min) out.push_back(min_text(shape));
          if (shape.has_max && len > shape.max) out.push_back(max_text(shape));
        }
        if (!shape.enum_values.empty() &&
            std::find(shape.enum_values.begin(), shape.enum_values.end(), s) == shape.enum_values.end())
          out.push_back(enum_text(shape));
        return out;
      }
      case ShapeType::kBlob: {
        if (!v.is_blob()) return out;
        auto len = static_cast<int64_t>(v.as_blob().bytes.size());
        if (shape.has_min && len < shape.min) out.push_back(min_text(shape));
        if (shape.has_max && len > shape.max) out.push_back(max_text(shape));
        return out;
      }
      case ShapeType::kInteger:
      case ShapeType::kLong: {
        if (!v.is_int()) return out;
        int64_t n = v.as_int();
        if (shape.has_min && n < shape.min) out.push_back(min_text(shape));
        if (shape.has_max && n > shape.max) out.push_back(max_text(shape));
        return out;
      }
      case ShapeType::kFloat:
      case ShapeType::kDouble: {
        if (!v.is_double()) return out;
        double d = v.as_double();
        if (shape.has_min && d < static_cast<double>(shape.min)) out.push_back(min_text(shape));
        if (shape.has_max && d > static_cast<double>(shape.max)) out.push_back(max_text(shape));
        return out;
      }
      default: return out;
    }
  }

  static bool bounds_value(const Shape& s) {
    return s.type == ShapeType::kInteger || s.type == ShapeType::kLong || s.type == ShapeType::kFloat ||
           s.type == ShapeType::kDouble;
  }
  static std::string min_text(const Shape& s) {
    return fmt::format("Member must have {} greater than or equal to {}", bounds_value(s) ? "value" : "length", s.min);
  }
  static std::string max_text(const Shape& s) {
    return fmt::format("Member must have {} less than or equal to {}", bounds_value(s) ? "value" : "length", s.max);
  }
  static std::string pattern_text(const Shape& s) {
    return fmt::format("Member must satisfy regular expression pattern: {}", s.pattern);
  }
  static std::string enum_text(const Shape& s) {
    std::string out = "Member must satisfy enum value set: [";
    for (size_t i = 0; i < s.enum_values.size(); ++i) {
      if (i) out += ", ";
      out += s.enum_values[i];
    }
    return out + "]";
  }
  // Every constraint of a collection's element shape, as AWS lists them when
  // one element breaks any: "[Member must have length less than or equal to
  // 128, Member must have length greater than or equal to 1]".
  static std::string constraint_list(const Shape& s) {
    std::vector<std::string> parts;
    if (s.has_max) parts.push_back(max_text(s));
    if (s.has_min) parts.push_back(min_text(s));
    if (!s.pattern.empty()) parts.push_back(pattern_text(s));
    if (!s.enum_values.empty()) parts.push_back(enum_text(s));
    std::string out = "[";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) out += ", ";
      out += parts[i];
    }
    return out + "]";
  }

  // How AWS prints a value in "Value '...' at ...": the Java toString() of
  // the deserialised object.
  std::string value_text(const Shape* shape, const Value& v) const {
    switch (v.kind()) {
      case Value::Kind::kNull: return "null";
      case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
      case Value::Kind::kInt: return std::to_string(v.as_int());
      case Value::Kind::kDouble: return java_double(v.as_double());
      case Value::Kind::kString: return v.as_string();
      case Value::Kind::kBlob: {
        size_t n = v.as_blob().bytes.size();
        return fmt::format("java.nio.HeapByteBuffer[pos=0 lim={} cap={}]", n, n);
      }
      case Value::Kind::kTimestamp: return java_date(v.as_timestamp().millis);
      case Value::Kind::kArray: {
        const Shape* member =
            shape != nullptr && shape->type == ShapeType::kList ? &model_.shape(shape->member) : nullptr;
        std::string out = "[";
        bool first = true;
        for (const Value& item : v.as_array()) {
          if (!first) out += ", ";
          first = false;
          out += value_text(member, item);
        }
        return out + "]";
      }
      case Value::Kind::kObject: {
        if (shape != nullptr && shape->type == ShapeType::kMap) {
          const Shape& value = model_.shape(shape->value);
          std::string out = "{";
          bool first = true;
          for (const Member& e : v.as_object()) {
            if (!first) out += ", ";
            first = false;
            out += e.key + "=" + value_text(&value, e.value);
          }
          return out + "}";
        }
        // A structure prints as Java's default Object.toString().
        std::string content;
        for (const Member& e : v.as_object()) {
          const MemberModel* mm = shape != nullptr ? shape->find_member(e.key) : nullptr;
          content += e.key + "=" + value_text(mm != nullptr ? &model_.shape(mm->shape) : nullptr, e.value) + ";";
        }
        return fmt::format("{}.{}@{:x}", model_.java_package, shape != nullptr ? shape->name : "Object",
                           content_hash(content));
      }
      case Value::Kind::kEncoded: break;  // outputs only; never validated
    }
    return "null";
  }

  void add(const Shape* shape, const Value* v, const Path& path, std::string_view constraint) {
    std::string value = v == nullptr || v->is_null() ? "null" : "'" + value_text(shape, *v) + "'";
    errors_.push_back(
        fmt::format("Value {} at '{}' failed to satisfy constraint: {}", value, path.render(), constraint));
  }

  const ServiceModel& model_;
  std::vector<std::string> errors_;
};

}  // namespace

ApiResult<void> validate_input(const ServiceModel& model, const OperationModel& op, Value& input, WireFormat format) {
  const Shape* shape = model.input_shape(op);
  if (shape == nullptr) {  // an operation without input ignores whatever was sent
    input = Value(Object{});
    return {};
  }
  if (input.is_null()) input = Value(Object{});  // no body: as if `{}`

  Converter converter(model, format);
  if (auto err = converter.convert(*shape, input)) return std::unexpected(serialization_error(std::move(*err)));

  Checker checker(model);
  checker.check_structure(*shape, input, Path{});
  const auto& errors = checker.errors();
  if (errors.empty()) return {};
  std::string message = fmt::format("{} validation error{} detected: ", errors.size(), errors.size() == 1 ? "" : "s");
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) message += "; ";
    message += errors[i];
  }
  return std::unexpected(validation_error(std::move(message)));
}

}  // namespace runnel::protocol
