#include "protocol/model.h"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"

// g++ 12 reports false -Wmaybe-uninitialized warnings inside <regex> when
// optimising with sanitizers on (libstdc++'s std::function moves).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace runnel::protocol {

const MemberModel* Shape::find_member(std::string_view wire_name) const {
  for (const auto& m : members)
    if (m.wire_name == wire_name) return &m;
  return nullptr;
}

const Shape* ServiceModel::find_shape(std::string_view name) const {
  auto it = std::lower_bound(shapes.begin(), shapes.end(), name,
                             [](const Shape& s, std::string_view n) { return s.name < n; });
  return it != shapes.end() && it->name == name ? &*it : nullptr;
}

const OperationModel* ServiceModel::find_operation(std::string_view name) const {
  auto it = std::lower_bound(operations.begin(), operations.end(), name,
                             [](const OperationModel& o, std::string_view n) { return o.name < n; });
  return it != operations.end() && it->name == name ? &*it : nullptr;
}

const Shape* ServiceModel::input_shape(const OperationModel& op) const {
  return op.input == kNoShape ? nullptr : &shapes[op.input];
}

const Shape* ServiceModel::output_shape(const OperationModel& op) const {
  return op.output == kNoShape ? nullptr : &shapes[op.output];
}

bool ServiceModel::speaks(std::string_view protocol_name) const {
  for (std::string_view p : protocols)
    if (p == protocol_name) return true;
  return protocol == protocol_name;
}

std::string_view shape_type_name(ShapeType t) {
  switch (t) {
    case ShapeType::kStructure: return "structure";
    case ShapeType::kList: return "list";
    case ShapeType::kMap: return "map";
    case ShapeType::kString: return "string";
    case ShapeType::kBlob: return "blob";
    case ShapeType::kBoolean: return "boolean";
    case ShapeType::kInteger: return "integer";
    case ShapeType::kLong: return "long";
    case ShapeType::kFloat: return "float";
    case ShapeType::kDouble: return "double";
    case ShapeType::kTimestamp: return "timestamp";
  }
  return "unknown";
}

namespace {

void append_hex_byte(std::string& out, unsigned b) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[(b >> 4) & 0xF];
  out += kHex[b & 0xF];
}

// Reads \uXXXX at pattern[i] (pointing at the backslash); returns the code point.
std::optional<unsigned> read_u_escape(std::string_view p, size_t i) {
  if (i + 6 > p.size()) return std::nullopt;
  unsigned v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    char c = p[k];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= unsigned(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= unsigned(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= unsigned(c - 'A' + 10);
    else
      return std::nullopt;
  }
  return v;
}

// The byte-range body (no brackets) for a Java Unicode property class.
std::string_view property_class(char prop) {
  switch (prop) {
    case 'L': return "a-zA-Z\\x80-\\xff";
    case 'N': return "0-9\\x80-\\xff";
    case 'Z': return " \\x80-\\xff";
    default: return "\\x80-\\xff";
  }
}

}  // namespace

std::string java_pattern_to_ecmascript(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      if ((n == 'p' || n == 'P') && i + 4 < p.size() && p[i + 2] == '{') {
        size_t close = p.find('}', i + 3);
        if (close != std::string_view::npos) {
          char prop = p[i + 3];
          if (n == 'P') {
            // Negated property: approximate as "any ASCII byte that is not in the class".
            out += in_class ? "\\x00-\\x7f" : "[\\x00-\\x7f]";
          } else if (in_class) {
            out += property_class(prop);
          } else {
            out += '[';
            out += property_class(prop);
            out += ']';
          }
          i = close;
          continue;
        }
      }
      if (n == 'u') {
        if (auto cp = read_u_escape(p, i)) {
          bool range_end = in_class && !out.empty() && out.back() == '-';
          if (*cp <= 0x7F) {
            append_hex_byte(out, *cp);
          } else if (range_end) {
            // std::regex compares signed chars, so a range may not cross 0x7f:
            // split it, and let it reach every non-ASCII byte.
            out += "\\x7f\\x80-\\xff";
          } else {
            out += in_class ? "\\x80-\\xff" : "[\\x80-\\xff]";
          }
          i += 5;
          continue;
        }
      }
      if (n == 'A' || n == 'z' || n == 'Z') {  // input anchors; regex_match anchors anyway
        ++i;
        continue;
      }
      out += c;
      out += n;
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') {
        out += '^';
        ++i;
      }
      if (i + 1 < p.size() && p[i + 1] == ']') {  // a leading ']' is a literal in Java
        out += "\\]";
        ++i;
      }
      continue;
    }
    if (c == '(' && (p.substr(i, 4) == "(?<!" || p.substr(i, 4) == "(?<=")) {
      // Lookbehind: C++'s ECMAScript grammar has none. Drop it, accepting a little more.
      int depth = 0;
      size_t j = i;
      for (; j < p.size(); ++j) {
        if (p[j] == '\\') {
          ++j;
          continue;
        }
        if (p[j] == '(') ++depth;
        if (p[j] == ')' && --depth == 0) break;
      }
      i = j;
      continue;
    }
    if (c == '+' && !out.empty()) {
      // A '+' right after a quantifier is Java's possessive form; greedy is close enough.
      char prev = out.back();
      bool after_quantifier = prev == '*' || prev == '+' || prev == '?' || prev == '}';
      if (after_quantifier && !(out.size() >= 2 && out[out.size() - 2] == '\\')) continue;
    }
    out += c;
  }
  return out;
}

namespace {

// A pattern that is one character class repeated: `[...]+`, `[...]*`, with
// optional ^/$ anchors. Matched with a byte table instead of std::regex.
struct ClassPattern {
  std::bitset<256> allowed;
  bool allow_empty = false;
};

std::optional<ClassPattern> parse_class_pattern(std::string_view p) {
  if (!p.empty() && p.front() == '^') p.remove_prefix(1);
  if (!p.empty() && p.back() == '$' && !(p.size() >= 2 && p[p.size() - 2] == '\\')) p.remove_suffix(1);
  if (p.size() < 4 || p.front() != '[' || p[1] == '^') return std::nullopt;
  char quant = p.back();
  if (quant != '+' && quant != '*') return std::nullopt;
  if (p[p.size() - 2] != ']') return std::nullopt;
  std::string_view body = p.substr(1, p.size() - 3);
  ClassPattern cp;
  cp.allow_empty = quant == '*';
  // Tokenise into single bytes (or class escapes), then apply ranges.
  std::vector<int> items;  // byte value, or -1 for a range dash
  auto add_escape_class = [&](char e) {
    switch (e) {
      case 'd':
        for (int b = '0'; b <= '9'; ++b) cp.allowed.set(b);
        return true;
      case 'w':
        for (int b = '0'; b <= '9'; ++b) cp.allowed.set(b);
        for (int b = 'a'; b <= 'z'; ++b) cp.allowed.set(b);
        for (int b = 'A'; b <= 'Z'; ++b) cp.allowed.set(b);
        cp.allowed.set('_');
        return true;
      case 's':
        for (char b : {' ', '\t', '\n', '\v', '\f', '\r'}) cp.allowed.set(static_cast<unsigned char>(b));
        return true;
      default: return false;
    }
  };
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '[' || c == ']' || c == '&') return std::nullopt;  // nested classes / intersections
    if (c == '\\') {
      if (i + 1 >= body.size()) return std::nullopt;
      char e = body[++i];
      if (add_escape_class(e)) {
        items.push_back(-2);  // a class escape cannot end a range
        continue;
      }
      if (std::isalnum(static_cast<unsigned char>(e))) return std::nullopt;  // \p, \u, \S, ...
      items.push_back(static_cast<unsigned char>(e));
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    if (c == '-' && !items.empty() && i + 1 < body.size()) {
      items.push_back(-1);
      continue;
    }
    items.push_back(static_cast<unsigned char>(c));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i] == -2) continue;
    if (items[i] == -1) {  // a dash after a range or a class escape is a literal
      cp.allowed.set('-');
      continue;
    }
    if (i + 2 < items.size() && items[i + 1] == -1) {
      int lo = items[i], hi = items[i + 2];
      if (hi < 0 || hi < lo) return std::nullopt;
      for (int b = lo; b <= hi; ++b) cp.allowed.set(b);
      i += 2;
      continue;
    }
    cp.allowed.set(items[i]);
  }
  return cp;
}

struct CompiledPattern {
  std::optional<ClassPattern> simple;
  std::unique_ptr<std::regex> regex;  // null when the pattern could not be compiled
  bool unbounded = true;              // may match text of any length
};

// Whether `pattern` may match text of any length: it has a `*`, a `+` or a
// `{n,}` somewhere. Counted even inside a class or after a backslash, where
// they are literal: erring towards "unbounded" only keeps the long-input
// shortcut of pattern_matches.
bool unbounded_pattern(std::string_view pattern) {
  return pattern.find_first_of("*+") != std::string_view::npos || pattern.find(",}") != std::string_view::npos;
}

class PatternCache {
 public:
  const CompiledPattern& get(std::string_view pattern) {
    {
      ReaderLock lock(mu_);
      auto it = cache_.find(pattern);
      if (it != cache_.end()) return *it->second;
    }
    auto compiled = std::make_unique<CompiledPattern>();
    compiled->simple = parse_class_pattern(pattern);
    compiled->unbounded = unbounded_pattern(pattern);
    if (!compiled->simple) {
      try {
        compiled->regex = std::make_unique<std::regex>(java_pattern_to_ecmascript(pattern),
                                                       std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error&) {
        compiled->regex = nullptr;  // untranslatable: treated as matching everything
      }
    }
    WriterLock lock(mu_);
    auto [it, inserted] = cache_.try_emplace(std::string(pattern), std::move(compiled));
    return *it->second;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  SharedMutex mu_;
  std::unordered_map<std::string, std::unique_ptr<CompiledPattern>, Hash, std::equal_to<>> cache_ GUARDED_BY(mu_);
};

PatternCache& pattern_cache() {
  static PatternCache cache;
  return cache;
}

}  // namespace

bool pattern_compiles(std::string_view pattern) {
  if (pattern.empty()) return true;
  const CompiledPattern& cp = pattern_cache().get(pattern);
  return cp.simple.has_value() || cp.regex != nullptr;
}

bool pattern_matches(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return true;
  const CompiledPattern& cp = pattern_cache().get(pattern);
  if (cp.simple) {
    if (text.empty()) return cp.simple->allow_empty;
    for (unsigned char c : text)
      if (!cp.simple->allowed.test(c)) return false;
    return true;
  }
  if (!cp.regex) return true;
  // A bounded pattern (HashKey's `0|([1-9]\d{0,38})`, say) recurses at most
  // as deep as its longest match, so any input may go through the regex.
  if (text.size() > kMaxPatternInput && cp.unbounded) return true;
  return std::regex_match(text.begin(), text.end(), *cp.regex);
}

}  // namespace runnel::protocol
