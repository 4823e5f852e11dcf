#include "firehose/prefix_expression.h"

#include <algorithm>
#include <cstdio>

#include "firehose/time_zone.h"

namespace runnel::firehose {
namespace {

constexpr std::string_view kDefaultTimestamp = "yyyy/MM/dd/HH/";
constexpr std::string_view kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, millis, day_of_year, weekday;  // weekday 1 = Monday
};

// Howard Hinnant's civil_from_days.
Civil civil(int64_t ms, int64_t offset_s) {
  int64_t local_ms = ms + offset_s * 1000;
  int64_t days = local_ms >= 0 ? local_ms / 86'400'000 : (local_ms - 86'399'999) / 86'400'000;
  int64_t rem = local_ms - days * 86'400'000;
  Civil c{};
  c.hour = int(rem / 3'600'000);
  c.minute = int(rem / 60'000 % 60);
  c.second = int(rem / 1000 % 60);
  c.millis = int(rem % 1000);
  c.weekday = int(((days % 7) + 7 + 3) % 7) + 1;  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = int(doy - (153 * mp + 2) / 5 + 1);
  c.month = int(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  static constexpr int kBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  c.day_of_year = kBefore[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

std::string padded(int64_t v, size_t width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return v < 0 ? "-" + s : s;
}

bool is_letter(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }

// One pattern letter repeated `n` times; false when runnel cannot format it.
bool format_field(char letter, size_t n, const Civil& c, std::string& out) {
  switch (letter) {
    case 'y':
    case 'u':
      if (n == 2) {
        out += padded(((c.year % 100) + 100) % 100, 2);
      } else {
        out += padded(c.year, n);
      }
      return n <= 19;
    case 'M':
    case 'L':
      if (n <= 2)
        out += padded(c.month, n);
      else if (n == 3)
        out += kMonths[c.month - 1].substr(0, 3);
      else if (n == 4)
        out += kMonths[c.month - 1];
      else if (n == 5)
        out += kMonths[c.month - 1].substr(0, 1);
      return n <= 5;
    case 'd': out += padded(c.day, n); return n <= 2;
    case 'D': out += padded(c.day_of_year, n); return n <= 3;
    case 'H': out += padded(c.hour, n); return n <= 2;
    case 'k': out += padded(c.hour == 0 ? 24 : c.hour, n); return n <= 2;
    case 'K': out += padded(c.hour % 12, n); return n <= 2;
    case 'h': out += padded(c.hour % 12 == 0 ? 12 : c.hour % 12, n); return n <= 2;
    case 'm': out += padded(c.minute, n); return n <= 2;
    case 's': out += padded(c.second, n); return n <= 2;
    case 'S': {
      if (n > 9) return false;
      std::string frac = padded(c.millis, 3) + "000000";
      out += frac.substr(0, n);
      return true;
    }
    case 'a': out += c.hour < 12 ? "AM" : "PM"; return n == 1;
    case 'E':
      if (n <= 3)
        out += kDays[c.weekday - 1].substr(0, 3);
      else if (n == 4)
        out += kDays[c.weekday - 1];
      else if (n == 5)
        out += kDays[c.weekday - 1].substr(0, 1);
      return n <= 5;
    case 'e':
    case 'c': out += padded(c.weekday, n); return n <= 2;
    default: return false;
  }
}

// One `!{namespace:value}` found in a prefix.
struct Expression {
  std::string_view ns, value;
  size_t begin = 0, end = 0;  // [begin, end) in the text
};

// The expressions of `text`, or the constraint they break.
struct Parsed {
  std::vector<Expression> expressions;
  std::optional<std::string> problem;
};

Parsed parse(std::string_view text) {
  Parsed p;
  size_t at = 0;
  while ((at = text.find("!{", at)) != std::string_view::npos) {
    size_t close = text.find('}', at + 2);
    if (close == std::string_view::npos) {
      p.problem = "'!{' is reserved and must begin an expression of the form !{namespace:value} ending in '}'";
      return p;
    }
    std::string_view inner = text.substr(at + 2, close - at - 2);
    size_t colon = inner.find(':');
    if (colon == std::string_view::npos) {
      p.problem = "Expression !{" + std::string(inner) + "} must be of the form !{namespace:value}";
      return p;
    }
    p.expressions.push_back({inner.substr(0, colon), inner.substr(colon + 1), at, close + 1});
    at = close + 1;
  }
  return p;
}

std::string evaluate(std::string_view text, const Parsed& parsed, const PrefixValues& values, int64_t offset_s,
                     std::string_view error_output_type, const std::function<std::string()>& random_string,
                     bool& had_timestamp) {
  std::string out;
  size_t pos = 0;
  for (const Expression& e : parsed.expressions) {
    out.append(text.substr(pos, e.begin - pos));
    pos = e.end;
    if (e.ns == "timestamp") {
      had_timestamp = true;
      out += format_java_time(e.value, values.arrival_ms, offset_s).value_or("");
    } else if (e.ns == "firehose" && e.value == "random-string") {
      out += random_string ? random_string() : std::string();
    } else if (e.ns == "firehose" && e.value == "error-output-type") {
      out += error_output_type;
    } else if (e.ns == "partitionKeyFromQuery" || e.ns == "partitionKeyFromLambda") {
      const auto& keys = e.ns == "partitionKeyFromQuery" ? values.query_keys : values.lambda_keys;
      auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& kv) { return kv.first == e.value; });
      if (it != keys.end()) out += it->second;
    }
  }
  out.append(text.substr(pos));
  return out;
}

std::string evaluate_with_default_time(std::string_view text, const PrefixValues& values,
                                       std::string_view error_output_type,
                                       const std::function<std::string()>& random_string) {
  const int64_t offset = zone_offset_seconds(values.time_zone, values.arrival_ms);
  bool had_timestamp = false;
  Parsed parsed = parse(text);
  std::string out = evaluate(text, parsed, values, offset, error_output_type, random_string, had_timestamp);
  if (!had_timestamp) out += format_java_time(kDefaultTimestamp, values.arrival_ms, offset).value_or("");
  return out;
}

std::optional<protocol::ApiError> constraint(std::string text) {
  return protocol::invalid_argument("The supplied prefix(es) do not satisfy the following constraint: " +
                                    std::move(text));
}

// The rules every expression of one prefix must follow.
std::optional<protocol::ApiError> check_expressions(std::string_view field, const Parsed& parsed, bool error_prefix,
                                                    const PrefixRules& rules) {
  for (const Expression& e : parsed.expressions) {
    std::string expr = "!{" + std::string(e.ns) + ":" + std::string(e.value) + "}";
    if (e.ns == "timestamp") {
      if (e.value.empty() || !format_java_time(e.value, 0, 0)) {
        return constraint("The timestamp expression " + expr + " in " + std::string(field) +
                          " must hold a valid Java DateTimeFormatter pattern");
      }
    } else if (e.ns == "firehose") {
      if (e.value == "error-output-type") {
        if (!error_prefix) {
          return constraint("The !{firehose:error-output-type} expression is only allowed in ErrorOutputPrefix");
        }
      } else if (e.value != "random-string") {
        return constraint("Unknown firehose namespace expression " + expr +
                          "; supported: !{firehose:random-string}, !{firehose:error-output-type}");
      }
    } else if (e.ns == "partitionKeyFromQuery" || e.ns == "partitionKeyFromLambda") {
      if (error_prefix) {
        return constraint("Dynamic partitioning expressions (" + expr + ") are not allowed in ErrorOutputPrefix");
      }
      if (!rules.dynamic_partitioning) {
        return constraint("Dynamic partitioning namespace expressions (" + expr +
                          ") are only allowed when dynamic partitioning is enabled");
      }
      if (e.value.empty()) return constraint("The expression " + expr + " must name a partition key");
      if (e.ns == "partitionKeyFromQuery") {
        if (!rules.metadata_extraction) {
          return constraint("The expression " + expr +
                            " requires a MetadataExtraction processor in the ProcessingConfiguration");
        }
        if (rules.query_keys &&
            std::find(rules.query_keys->begin(), rules.query_keys->end(), e.value) == rules.query_keys->end()) {
          return constraint("The partition key '" + std::string(e.value) + "' of " + expr +
                            " is not a key of the MetadataExtractionQuery");
        }
      } else if (!rules.lambda) {
        return constraint("The expression " + expr + " requires a Lambda processor in the ProcessingConfiguration");
      }
    } else {
      return constraint("Unknown namespace '" + std::string(e.ns) + "' in expression " + expr +
                        "; supported namespaces: timestamp, firehose, partitionKeyFromQuery, partitionKeyFromLambda");
    }
  }
  return std::nullopt;
}

}  // namespace

int64_t zone_offset_seconds(std::string_view time_zone, int64_t ms) {
  if (time_zone.empty() || time_zone == "UTC") return 0;
  auto zone = TimeZone::load(time_zone);
  if (!zone) return 0;
  int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  return zone->offset_seconds(s);
}

std::optional<std::string> format_java_time(std::string_view pattern, int64_t ms, int64_t offset_seconds) {
  Civil c = civil(ms, offset_seconds);
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    char ch = pattern[i];
    if (ch == '\'') {
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '\'') {  // '' is one quote
        out += '\'';
        i = j + 1;
        continue;
      }
      bool closed = false;
      for (; j < pattern.size(); ++j) {
        if (pattern[j] == '\'') {
          if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
            out += '\'';
            ++j;
            continue;
          }
          closed = true;
          break;
        }
        out += pattern[j];
      }
      if (!closed) return std::nullopt;
      i = j + 1;
    } else if (is_letter(ch)) {
      size_t n = 1;
      while (i + n < pattern.size() && pattern[i + n] == ch) ++n;
      if (!format_field(ch, n, c, out)) return std::nullopt;
      i += n;
    } else if (ch == '#' || ch == '{' || ch == '}') {
      return std::nullopt;
    } else {
      if (ch != '[' && ch != ']') out += ch;
      ++i;
    }
  }
  return out;
}

bool has_expressions(std::string_view text) { return text.find("!{") != std::string_view::npos; }

std::string object_prefix(const std::optional<std::string>& prefix, const PrefixValues& values,
                          const std::function<std::string()>& random_string) {
  return evaluate_with_default_time(prefix.value_or(""), values, "", random_string);
}

std::string error_prefix(const std::optional<std::string>& error_output_prefix,
                         const std::optional<std::string>& prefix, std::string_view error_output_type,
                         const PrefixValues& values, const std::function<std::string()>& random_string) {
  if (error_output_prefix && !error_output_prefix->empty()) {
    return evaluate_with_default_time(*error_output_prefix, values, error_output_type, random_string);
  }
  // ErrorOutputPrefix null: only allowed when Prefix has no expressions, so
  // Prefix is plain text here.
  std::string base = prefix.value_or("");
  base += error_output_type;
  base += '/';
  return evaluate_with_default_time(base, values, error_output_type, random_string);
}

std::optional<protocol::ApiError> validate_prefixes(const std::optional<std::string>& prefix,
                                                    const std::optional<std::string>& error_output_prefix,
                                                    const PrefixRules& rules) {
  const std::string_view p = prefix ? std::string_view(*prefix) : std::string_view();
  const std::string_view e = error_output_prefix ? std::string_view(*error_output_prefix) : std::string_view();
  if (p.size() > 1024 || e.size() > 1024) return constraint("Prefixes must be at most 1024 characters long");
  Parsed pp = parse(p);
  if (pp.problem) return constraint(*pp.problem);
  Parsed ep = parse(e);
  if (ep.problem) return constraint(*ep.problem);
  if (auto err = check_expressions("Prefix", pp, false, rules)) return err;
  if (auto err = check_expressions("ErrorOutputPrefix", ep, true, rules)) return err;
  if (!pp.expressions.empty() && e.empty()) {
    return constraint("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions");
  }
  if (!ep.expressions.empty()) {
    bool has_type = std::any_of(ep.expressions.begin(), ep.expressions.end(), [](const Expression& x) {
      return x.ns == "firehose" && x.value == "error-output-type";
    });
    if (!has_type) {
      return constraint("ErrorOutputPrefix must contain !{firehose:error-output-type} when it contains expressions");
    }
  }
  if (rules.dynamic_partitioning) {
    if (e.empty()) {
      return constraint("ErrorOutputPrefix cannot be null or empty when dynamic partitioning is enabled");
    }
    bool has_key = std::any_of(pp.expressions.begin(), pp.expressions.end(), [](const Expression& x) {
      return x.ns == "partitionKeyFromQuery" || x.ns == "partitionKeyFromLambda";
    });
    if (!has_key) {
      return constraint(
          "When dynamic partitioning is enabled, Prefix must contain at least one partitionKeyFromQuery or "
          "partitionKeyFromLambda expression");
    }
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> query_keys_of(std::string_view q) {
  // A JQ object construction: {key: expr, "key": expr, ...}. Keys are read at
  // nesting depth 1, up to each ':'; anything fancier gives nullopt.
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
    return s;
  };
  q = trim(q);
  if (q.size() < 2 || q.front() != '{' || q.back() != '}') return std::nullopt;
  std::vector<std::string> keys;
  int depth = 0;
  bool in_string = false;
  size_t entry_start = 1;
  bool want_key = true;
  for (size_t i = 1; i + 1 < q.size(); ++i) {
    char ch = q[i];
    if (in_string) {
      if (ch == '\\')
        ++i;
      else if (ch == '"')
        in_string = false;
      continue;
    }
    if (ch == '"')
      in_string = true;
    else if (ch == '(' || ch == '[' || ch == '{')
      ++depth;
    else if (ch == ')' || ch == ']' || ch == '}')
      --depth;
    else if (depth == 0 && ch == ':' && want_key) {
      std::string_view key = trim(q.substr(entry_start, i - entry_start));
      if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
      if (key.empty()) return std::nullopt;
      keys.emplace_back(key);
      want_key = false;
    } else if (depth == 0 && ch == ',') {
      if (want_key) return std::nullopt;  // shorthand {a} or similar
      entry_start = i + 1;
      want_key = true;
    }
  }
  if (want_key || keys.empty()) return std::nullopt;
  return keys;
}

}  // namespace runnel::firehose
