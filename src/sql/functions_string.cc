// String functions and operators: ||, CHAR_LENGTH, UPPER, LOWER, INITCAP,
// OVERLAY, POSITION, SUBSTRING (positional, regex, SIMILAR), TRIM, LIKE,
// SIMILAR TO, REGEX_REPLACE. Positions and lengths count characters.
#include <algorithm>
#include <limits>

#include "sql/functions.h"
#include "sql/functions_regex.h"
#include "sql/functions_text.h"

namespace runnel::sql {

namespace {

bool is_text(const SqlType& t) { return t.is_character() || t.kind == TypeKind::kNull; }
bool is_int(const SqlType& t) { return t.is_exact_numeric() || t.kind == TypeKind::kNull; }

SqlType varchar_of(int64_t n) { return SqlType::varchar(static_cast<int>(std::clamp<int64_t>(n, 1, kMaxCharLength))); }

int64_t int_arg(const Value& v) {
  if (v.kind() == TypeKind::kDecimal) {
    int64_t u = v.as_int();
    for (int i = 0; i < v.scale(); ++i) u /= 10;
    return u;
  }
  return v.as_int();
}

Binding result(ScalarFn fn, SqlType t, bool strict = true) {
  return BoundFunction{strict ? null_on_null(std::move(fn), t.kind) : std::move(fn), t};
}

// The regex a constant argument names, compiled now; or a lookup in the
// per-thread cache for a pattern that varies by row.
using RegexSource = std::function<SqlResult<std::shared_ptr<const Regex>>(const Value&)>;
std::optional<Result<RegexSource>> regex_source(const ArgInfo& a, bool dotall = false) {
  if (auto text = constant_text(a)) {
    auto r = Regex::compile(*text, dotall);
    if (!r) return Result<RegexSource>(error(r.error()));
    std::shared_ptr<const Regex> re = *r;
    return Result<RegexSource>(
        RegexSource([re](const Value&) -> SqlResult<std::shared_ptr<const Regex>> { return re; }));
  }
  return Result<RegexSource>(RegexSource([dotall](const Value& v) -> SqlResult<std::shared_ptr<const Regex>> {
    auto r = cached_regex(v.as_string(), dotall);
    if (!r) return sql_error(kInvalidArgument, r.error().message());
    return *r;
  }));
}

// SQL LIKE over characters, with an optional escape character.
SqlResult<bool> like_match(std::string_view s, std::string_view p, std::optional<std::string_view> esc) {
  // Pattern tokens: literal code point, '_' (any one), '%' (any run).
  struct Tok {
    int kind;  // 0 literal, 1 any one, 2 any run
    uint32_t cp;
  };
  std::vector<Tok> toks;
  uint32_t esc_cp = 0;
  if (esc) {
    if (text::char_count(*esc) != 1) return sql_error(kInvalidArgument, "LIKE ESCAPE must be one character");
    size_t k = 0;
    esc_cp = text::decode(*esc, k);
  }
  for (size_t i = 0; i < p.size();) {
    const uint32_t c = text::decode(p, i);
    if (esc && c == esc_cp) {
      if (i >= p.size()) return sql_error(kInvalidArgument, "LIKE pattern ends with its escape character");
      const uint32_t n = text::decode(p, i);
      if (n != '%' && n != '_' && n != esc_cp) {
        return sql_error(kInvalidArgument, "LIKE escape character must precede '%', '_' or itself");
      }
      toks.push_back({0, n});
    } else {
      toks.push_back({c == '%' ? 2 : c == '_' ? 1 : 0, c});
    }
  }
  std::vector<uint32_t> cs;
  for (size_t i = 0; i < s.size();) cs.push_back(text::decode(s, i));
  // Greedy match with one backtrack point per '%'.
  size_t si = 0, ti = 0, star = std::numeric_limits<size_t>::max(), mark = 0;
  while (si < cs.size()) {
    if (ti < toks.size() && (toks[ti].kind == 1 || (toks[ti].kind == 0 && toks[ti].cp == cs[si]))) {
      ++si;
      ++ti;
    } else if (ti < toks.size() && toks[ti].kind == 2) {
      star = ti++;
      mark = si;
    } else if (star != std::numeric_limits<size_t>::max()) {
      ti = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (ti < toks.size() && toks[ti].kind == 2) ++ti;
  return ti == toks.size();
}

// OVERLAY as KDA's page describes it, including start positions below 1.
std::string overlay(std::string_view s, std::string_view r, int64_t start, std::optional<int64_t> len) {
  const auto cs = text::char_starts(s);
  const int64_t n = static_cast<int64_t>(cs.size()) - 1;
  const int64_t rl = static_cast<int64_t>(text::char_count(r));
  const int64_t length = len ? *len : rl;
  // Characters of s kept before and after the replacement.
  const int64_t before = std::clamp<int64_t>(start - 1, 0, n);
  // A start below 1 prepends (1 - start) characters of r and overlays the rest.
  const int64_t after_from = std::clamp<int64_t>(start - 1 + length, before, n);
  std::string out(s.substr(0, cs[static_cast<size_t>(before)]));
  out += r;
  out += s.substr(cs[static_cast<size_t>(after_from)]);
  return out;
}

Binding bind_trim(std::span<const ArgInfo> args) {
  // TRIM(mode, chars, s); also TRIM(s) from a planner that passes it bare.
  if (args.size() == 1) {
    if (!is_text(args[0].type)) return bind_error("TRIM", "takes a string");
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      std::string_view s = v[0].as_string();
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      return Value::varchar(std::string(s));
    };
    return result(std::move(fn), varchar_of(args[0].type.length));
  }
  if (args.size() != 3 || !is_text(args[1].type) || !is_text(args[2].type)) {
    return bind_error("TRIM", "takes (mode, characters, string)");
  }
  auto mode = constant_text(args[0]);
  if (!mode || (*mode != "BOTH" && *mode != "LEADING" && *mode != "TRAILING")) {
    return bind_error("TRIM", "mode must be BOTH, LEADING or TRAILING");
  }
  const bool lead = *mode != "TRAILING", trail = *mode != "LEADING";
  ScalarFn fn = [lead, trail](std::span<const Value> v) -> SqlResult<Value> {
    const std::string& c = v[1].as_string();
    if (text::char_count(c) != 1) return sql_error(kInvalidArgument, "TRIM character must be one character");
    std::string_view s = v[2].as_string();
    while (lead && s.size() >= c.size() && s.substr(0, c.size()) == c) s.remove_prefix(c.size());
    while (trail && s.size() >= c.size() && s.substr(s.size() - c.size()) == c) s.remove_suffix(c.size());
    return Value::varchar(std::string(s));
  };
  return result(std::move(fn), varchar_of(args[2].type.length));
}

Binding bind_substring(std::span<const ArgInfo> args) {
  if (args.size() < 2 || args.size() > 3 || !is_text(args[0].type)) {
    return bind_error("SUBSTRING", "takes (string, start [, length]) or (string, regex)");
  }
  const SqlType rt = varchar_of(args[0].type.length);
  if (args.size() == 2 && args[1].type.is_character()) {
    // SUBSTRING(s FROM regex): the first match; its first group if the
    // pattern has groups.
    auto src = regex_source(args[1]);
    if (!*src) return bind_error("SUBSTRING", src->error().message());
    RegexSource get = **src;
    ScalarFn fn = [get](std::span<const Value> v) -> SqlResult<Value> {
      auto re = get(v[1]);
      if (!re) return std::unexpected(re.error());
      Regex::Match m;
      const std::string& s = v[0].as_string();
      auto found = (*re)->search(s, 0, m);
      if (!found) return std::unexpected(found.error());
      if (!*found) return Value::null(TypeKind::kVarchar);
      auto g = m.group(s, (*re)->capture_count() > 0 ? 1 : 0);
      if (!g) return Value::null(TypeKind::kVarchar);
      return Value::varchar(std::string(*g));
    };
    return result(std::move(fn), rt);
  }
  if (!is_int(args[1].type) || (args.size() == 3 && !is_int(args[2].type))) {
    return bind_error("SUBSTRING", "start and length must be integers");
  }
  ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
    const std::string& s = v[0].as_string();
    const auto cs = text::char_starts(s);
    const int64_t n = static_cast<int64_t>(cs.size()) - 1;
    const int64_t start = int_arg(v[1]);
    int64_t end = n + 1;  // exclusive, 1-based
    if (v.size() == 3) {
      const int64_t len = int_arg(v[2]);
      if (len < 0) return sql_error(kInvalidArgument, "SUBSTRING length must not be negative");
      end = start + len;
      if (end < start) end = std::numeric_limits<int64_t>::max();  // overflow
    }
    const int64_t from = std::clamp<int64_t>(start, 1, n + 1), to = std::clamp<int64_t>(end, 1, n + 1);
    if (to <= from) return Value::varchar("");
    return Value::varchar(s.substr(cs[static_cast<size_t>(from - 1)],
                                   cs[static_cast<size_t>(to - 1)] - cs[static_cast<size_t>(from - 1)]));
  };
  return result(std::move(fn), rt);
}

Binding bind_substring_similar(std::span<const ArgInfo> args) {
  if (args.size() != 3 || !is_text(args[0].type) || !is_text(args[1].type) || !is_text(args[2].type)) {
    return bind_error("SUBSTRING SIMILAR", "takes (string, pattern, escape)");
  }
  ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
    const std::string& p = v[1].as_string();
    const std::string& esc = v[2].as_string();
    if (text::char_count(esc) != 1) return sql_error(kInvalidArgument, "ESCAPE must be one character");
    const std::string sep = esc + "\"";
    const size_t a = p.find(sep);
    const size_t b = a == std::string::npos ? a : p.find(sep, a + sep.size());
    if (b == std::string::npos || p.find(sep, b + sep.size()) != std::string::npos) {
      return sql_error(kInvalidArgument, "SUBSTRING SIMILAR pattern needs exactly two escape-quote separators");
    }
    std::string parts[3] = {p.substr(0, a), p.substr(a + sep.size(), b - a - sep.size()), p.substr(b + sep.size())};
    std::string re = "(?:";
    for (int i = 0; i < 3; ++i) {
      auto r = similar_to_pcre(parts[i], std::string_view(esc));
      if (!r) return sql_error(kInvalidArgument, r.error().message());
      re += i == 1 ? ")(" + *r + ")(?:" : *r;
    }
    re += ")";
    auto compiled = cached_regex(re, /*dotall=*/true);
    if (!compiled) return sql_error(kInvalidArgument, compiled.error().message());
    Regex::Match m;
    const std::string& s = v[0].as_string();
    auto ok = (*compiled)->full_match(s, m);
    if (!ok) return std::unexpected(ok.error());
    if (!*ok) return Value::null(TypeKind::kVarchar);
    return Value::varchar(std::string(m.group(s, 1).value_or("")));
  };
  return result(std::move(fn), varchar_of(args[0].type.length));
}

// Java's Matcher.appendReplacement syntax: $n and ${name} insert groups,
// a backslash makes the next character literal.
SqlResult<std::string> expand_replacement(std::string_view repl, std::string_view subject, const Regex& re,
                                          const Regex::Match& m) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    const char c = repl[i];
    if (c == '\\') {
      if (++i >= repl.size()) return sql_error(kInvalidArgument, "replacement ends with a backslash");
      out += repl[i];
    } else if (c == '$') {
      if (++i >= repl.size()) return sql_error(kInvalidArgument, "replacement ends with '$'");
      size_t group = 0;
      if (repl[i] == '{') {
        const size_t close = repl.find('}', i);
        if (close == std::string_view::npos) return sql_error(kInvalidArgument, "unterminated ${name}");
        const std::string_view name = repl.substr(i + 1, close - i - 1);
        const auto& names = re.group_names();
        const auto it = std::find(names.begin(), names.end(), name);
        if (name.empty() || it == names.end()) {
          return sql_error(kInvalidArgument, "no group named " + std::string(name));
        }
        group = static_cast<size_t>(it - names.begin());
        i = close;
      } else if (repl[i] >= '0' && repl[i] <= '9') {
        group = static_cast<size_t>(repl[i] - '0');
        // Java takes more digits while they still name a group.
        while (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9' &&
               group * 10 + static_cast<size_t>(repl[i + 1] - '0') <= static_cast<size_t>(re.capture_count())) {
          group = group * 10 + static_cast<size_t>(repl[++i] - '0');
        }
        if (group > static_cast<size_t>(re.capture_count())) {
          return sql_error(kInvalidArgument, "No group " + std::to_string(group));
        }
      } else {
        return sql_error(kInvalidArgument, "Illegal group reference in replacement");
      }
      if (auto g = m.group(subject, group)) out += *g;
    } else {
      out += c;
    }
  }
  return out;
}

Binding bind_regex_replace(std::span<const ArgInfo> args) {
  if (args.size() != 5 || !is_text(args[0].type) || !is_text(args[1].type) || !is_text(args[2].type) ||
      !is_int(args[3].type) || !is_int(args[4].type)) {
    return bind_error("REGEX_REPLACE", "takes (original, regex, replacement, startPosition, occurrence)");
  }
  auto src = regex_source(args[1]);
  if (!*src) return bind_error("REGEX_REPLACE", src->error().message());
  RegexSource get = **src;
  ScalarFn fn = [get](std::span<const Value> v) -> SqlResult<Value> {
    const std::string& s = v[0].as_string();
    const int64_t start = int_arg(v[3]), occurrence = int_arg(v[4]);
    if (start < 1) return sql_error(kInvalidArgument, "REGEX_REPLACE startPosition must be at least 1");
    if (occurrence < 0) return sql_error(kInvalidArgument, "REGEX_REPLACE occurrence must not be negative");
    auto re = get(v[1]);
    if (!re) return std::unexpected(re.error());
    const auto cs = text::char_starts(s);
    if (start > static_cast<int64_t>(cs.size()) - 1) return Value::varchar(s);
    size_t pos = cs[static_cast<size_t>(start - 1)];
    std::string out = s.substr(0, pos);
    size_t copied = pos;
    int64_t seen = 0;
    Regex::Match m;
    while (pos <= s.size()) {
      auto found = (*re)->search(s, pos, m);
      if (!found) return std::unexpected(found.error());
      if (!*found) break;
      const auto [b, e] = m.groups[0];
      ++seen;
      if (occurrence == 0 || seen == occurrence) {
        auto r = expand_replacement(v[2].as_string(), s, **re, m);
        if (!r) return std::unexpected(r.error());
        out += s.substr(copied, b - copied);
        out += *r;
        copied = e;
        if (occurrence != 0) break;
      }
      if (e == b) {
        // An empty match: step over one character.
        if (e >= s.size()) break;
        size_t next = e + 1;
        while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
        pos = next;
      } else {
        pos = e;
      }
    }
    out += s.substr(copied);
    if (out.size() > static_cast<size_t>(kMaxCharLength) * 4) {
      return sql_error(kStringTooLong, "REGEX_REPLACE result is too long");
    }
    return Value::varchar(std::move(out));
  };
  return result(std::move(fn), SqlType::varchar(kMaxCharLength));
}

}  // namespace

std::vector<std::string_view> string_function_names() {
  return {"||",       "CHAR_LENGTH", "CHARACTER_LENGTH",  "UPPER", "LOWER", "INITCAP",    "OVERLAY",
          "POSITION", "SUBSTRING",   "SUBSTRING SIMILAR", "TRIM",  "LIKE",  "SIMILAR TO", "REGEX_REPLACE"};
}

Binding bind_string_function(const std::string& name, std::span<const ArgInfo> args) {
  if (name == "||") {
    if (args.size() != 2) return bind_error(name, "takes two operands");
    const SqlType a = args[0].type, b = args[1].type;
    if ((a.is_binary() || b.is_binary()) && (a.is_binary() || a.kind == TypeKind::kNull) &&
        (b.is_binary() || b.kind == TypeKind::kNull)) {
      const SqlType rt{TypeKind::kVarbinary, std::min(kMaxCharLength, a.length + b.length)};
      ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
        return Value::varbinary(v[0].as_string() + v[1].as_string());
      };
      return result(std::move(fn), rt);
    }
    if (!is_text(a) || !is_text(b)) return bind_error(name, "concatenates strings (or binaries)");
    const bool both_char = a.kind == TypeKind::kChar && b.kind == TypeKind::kChar;
    const int n = std::min(kMaxCharLength, std::max(1, a.length + b.length));
    const SqlType rt{both_char ? TypeKind::kChar : TypeKind::kVarchar, n};
    ScalarFn fn = [both_char](std::span<const Value> v) -> SqlResult<Value> {
      std::string s = v[0].as_string() + v[1].as_string();
      if (text::char_count(s) > static_cast<size_t>(kMaxCharLength)) {
        return sql_error(kStringTooLong, "Concatenation is longer than 65535 characters");
      }
      return both_char ? Value::chr(std::move(s)) : Value::varchar(std::move(s));
    };
    return result(std::move(fn), rt);
  }
  if (name == "CHAR_LENGTH") {
    if (args.size() != 1 || !is_text(args[0].type)) return bind_error(name, "takes one string");
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      return Value::integer(static_cast<int64_t>(text::char_count(v[0].as_string())));
    };
    return result(std::move(fn), SqlType::of(TypeKind::kInteger));
  }
  if (name == "UPPER" || name == "LOWER" || name == "INITCAP") {
    if (args.size() != 1 || !is_text(args[0].type)) return bind_error(name, "takes one string");
    const SqlType rt = args[0].type.kind == TypeKind::kNull ? SqlType::varchar(1) : args[0].type;
    const int mode = name == "UPPER" ? 0 : name == "LOWER" ? 1 : 2;
    ScalarFn fn = [mode, rt](std::span<const Value> v) -> SqlResult<Value> {
      std::string out;
      if (mode == 0) {
        out = text::map_chars(v[0].as_string(), text::to_upper);
      } else if (mode == 1) {
        out = text::map_chars(v[0].as_string(), text::to_lower);
      } else {
        // INITCAP: the first character of each space-delimited word upper,
        // every other character lower.
        bool word_start = true;
        out = text::map_chars(v[0].as_string(), [&](uint32_t c) {
          const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
          const uint32_t r = space ? c : word_start ? text::to_upper(c) : text::to_lower(c);
          word_start = space;
          return r;
        });
      }
      return rt.kind == TypeKind::kChar ? Value::chr(std::move(out)) : Value::varchar(std::move(out));
    };
    return result(std::move(fn), rt);
  }
  if (name == "OVERLAY") {
    if (args.size() < 3 || args.size() > 4 || !is_text(args[0].type) || !is_text(args[1].type) ||
        !is_int(args[2].type) || (args.size() == 4 && !is_int(args[3].type))) {
      return bind_error(name, "takes (string, replacement, start [, length])");
    }
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      std::optional<int64_t> len;
      if (v.size() == 4) {
        len = int_arg(v[3]);
        if (*len < 0) return sql_error(kInvalidArgument, "OVERLAY length must not be negative");
      }
      return Value::varchar(overlay(v[0].as_string(), v[1].as_string(), int_arg(v[2]), len));
    };
    return result(std::move(fn), varchar_of(int64_t{args[0].type.length} + args[1].type.length));
  }
  if (name == "POSITION") {
    if (args.size() < 2 || args.size() > 3 || !is_text(args[0].type) || !is_text(args[1].type) ||
        (args.size() == 3 && !is_int(args[2].type))) {
      return bind_error(name, "takes (needle, haystack [, from])");
    }
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      const std::string& needle = v[0].as_string();
      const std::string& hay = v[1].as_string();
      const auto cs = text::char_starts(hay);
      int64_t from = v.size() == 3 ? std::max<int64_t>(1, int_arg(v[2])) : 1;
      if (from > static_cast<int64_t>(cs.size())) return Value::integer(0);
      const size_t at = hay.find(needle, cs[static_cast<size_t>(from - 1)]);
      if (at == std::string::npos) return Value::integer(0);
      return Value::integer(static_cast<int64_t>(std::lower_bound(cs.begin(), cs.end(), at) - cs.begin()) + 1);
    };
    return result(std::move(fn), SqlType::of(TypeKind::kInteger));
  }
  if (name == "SUBSTRING") return bind_substring(args);
  if (name == "SUBSTRING SIMILAR") return bind_substring_similar(args);
  if (name == "TRIM") return bind_trim(args);
  if (name == "LIKE") {
    if (args.size() < 2 || args.size() > 3 || !is_text(args[0].type) || !is_text(args[1].type) ||
        (args.size() == 3 && !is_text(args[2].type))) {
      return bind_error(name, "takes (string, pattern [, escape])");
    }
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      std::optional<std::string_view> esc;
      if (v.size() == 3) esc = v[2].as_string();
      auto r = like_match(v[0].as_string(), v[1].as_string(), esc);
      if (!r) return std::unexpected(r.error());
      return Value::boolean(*r);
    };
    return result(std::move(fn), SqlType::of(TypeKind::kBoolean));
  }
  if (name == "SIMILAR TO") {
    if (args.size() < 2 || args.size() > 3 || !is_text(args[0].type) || !is_text(args[1].type) ||
        (args.size() == 3 && !is_text(args[2].type))) {
      return bind_error(name, "takes (string, pattern [, escape])");
    }
    // A constant pattern (and escape) compiles once, now.
    std::shared_ptr<const Regex> fixed;
    auto pattern = constant_text(args[1]);
    const bool escape_constant = args.size() == 2 || constant_text(args[2]).has_value();
    if (pattern && escape_constant) {
      std::optional<std::string> esc = args.size() == 3 ? constant_text(args[2]) : std::nullopt;
      auto pcre = similar_to_pcre(*pattern, esc ? std::optional<std::string_view>(*esc) : std::nullopt);
      if (!pcre) return bind_error(name, pcre.error().message());
      auto re = Regex::compile(*pcre, /*dotall=*/true);
      if (!re) return bind_error(name, re.error().message());
      fixed = *re;
    }
    ScalarFn fn = [fixed](std::span<const Value> v) -> SqlResult<Value> {
      std::shared_ptr<const Regex> re = fixed;
      if (!re) {
        std::optional<std::string_view> esc;
        if (v.size() == 3) esc = v[2].as_string();
        auto pcre = similar_to_pcre(v[1].as_string(), esc);
        if (!pcre) return sql_error(kInvalidArgument, pcre.error().message());
        auto c = cached_regex(*pcre, /*dotall=*/true);
        if (!c) return sql_error(kInvalidArgument, c.error().message());
        re = *c;
      }
      Regex::Match m;
      auto r = re->full_match(v[0].as_string(), m);
      if (!r) return std::unexpected(r.error());
      return Value::boolean(*r);
    };
    return result(std::move(fn), SqlType::of(TypeKind::kBoolean));
  }
  if (name == "REGEX_REPLACE") return bind_regex_replace(args);
  return std::nullopt;
}

}  // namespace runnel::sql
