#define PCRE2_CODE_UNIT_WIDTH 8
#include "sql/functions_regex.h"

#include <pcre2.h>

#include <cctype>
#include <list>
#include <unordered_map>

namespace runnel::sql {

namespace {

constexpr uint32_t kMatchLimit = 1'000'000;

// Java's class intersection "&&" inside [...] has no PCRE2 equivalent.
bool has_class_intersection(std::string_view p) {
  int depth = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
      continue;
    }
    if (p[i] == '[') ++depth;
    if (p[i] == ']' && depth > 0) --depth;
    if (depth > 0 && p[i] == '&' && i + 1 < p.size() && p[i + 1] == '&') return true;
  }
  return false;
}

}  // namespace

std::optional<std::string_view> Regex::Match::group(std::string_view subject, size_t i) const {
  if (i >= groups.size() || groups[i].first == std::string_view::npos) return std::nullopt;
  return subject.substr(groups[i].first, groups[i].second - groups[i].first);
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

Result<std::shared_ptr<const Regex>> Regex::compile(std::string_view pattern, bool dotall) {
  if (has_class_intersection(pattern)) {
    return error(Status::invalid_argument("regular expression '" + std::string(pattern) +
                                          "': Java's character class intersection (&&) is not supported"));
  }
  int err = 0;
  PCRE2_SIZE offset = 0;
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (dotall) options |= PCRE2_DOTALL;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &err, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    return error(Status::invalid_argument("regular expression '" + std::string(pattern) + "' at " +
                                          std::to_string(offset) + ": " + reinterpret_cast<char*>(buf)));
  }
  std::shared_ptr<Regex> r(new Regex());
  r->code_ = code;
  uint32_t n = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n);
  r->captures_ = static_cast<int>(n);
  r->names_.assign(n + 1, "");
  uint32_t count = 0, entry = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
  pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
  for (uint32_t i = 0; i < count; ++i) {
    const PCRE2_SPTR e = table + i * entry;
    const int group = (e[0] << 8) | e[1];
    if (group >= 0 && static_cast<size_t>(group) < r->names_.size())
      r->names_[static_cast<size_t>(group)] = reinterpret_cast<const char*>(e + 2);
  }
  return std::shared_ptr<const Regex>(std::move(r));
}

SqlResult<bool> Regex::run(std::string_view subject, size_t start, uint32_t options, Match& m) const {
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  pcre2_match_context* mc = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(mc, kMatchLimit);
  const int rc =
      pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), start, options, md, mc);
  m.groups.clear();
  SqlResult<bool> result = false;
  if (rc >= 0) {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    for (int i = 0; i <= captures_; ++i) {
      if (i < rc && ov[2 * i] != PCRE2_UNSET) {
        m.groups.emplace_back(ov[2 * i], ov[2 * i + 1]);
      } else {
        m.groups.emplace_back(std::string_view::npos, std::string_view::npos);
      }
    }
    result = true;
  } else if (rc != PCRE2_ERROR_NOMATCH) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof buf);
    result =
        sql_error(kInvalidArgument, std::string("Regular expression match failed: ") + reinterpret_cast<char*>(buf));
  }
  pcre2_match_context_free(mc);
  pcre2_match_data_free(md);
  return result;
}

SqlResult<bool> Regex::search(std::string_view subject, size_t start, Match& m) const {
  if (start > subject.size()) return false;
  return run(subject, start, 0, m);
}

SqlResult<bool> Regex::full_match(std::string_view subject, Match& m) const {
  return run(subject, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, m);
}

Result<std::shared_ptr<const Regex>> cached_regex(std::string_view pattern, bool dotall) {
  constexpr size_t kCapacity = 64;
  thread_local std::list<std::pair<std::string, std::shared_ptr<const Regex>>> lru;
  thread_local std::unordered_map<std::string, decltype(lru)::iterator> index;
  std::string key = std::string(dotall ? "s:" : "n:") + std::string(pattern);
  if (auto it = index.find(key); it != index.end()) {
    lru.splice(lru.begin(), lru, it->second);
    return it->second->second;
  }
  auto r = Regex::compile(pattern, dotall);
  if (!r) return r;
  lru.emplace_front(key, *r);
  index[key] = lru.begin();
  if (lru.size() > kCapacity) {
    index.erase(lru.back().first);
    lru.pop_back();
  }
  return r;
}

Result<std::string> similar_to_pcre(std::string_view p, std::optional<std::string_view> escape) {
  if (escape && escape->empty()) return error(Status::invalid_argument("ESCAPE must be one character"));
  std::string out;
  auto literal = [&](std::string_view ch) {
    if (ch.size() == 1 && std::string_view("\\^$.|?*+()[]{}/").find(ch[0]) != std::string_view::npos) out += '\\';
    out += ch;
  };
  // Walks code points so a multi-byte escape character works.
  auto next_char = [&](size_t i) {
    size_t n = 1;
    while (i + n < p.size() && (static_cast<unsigned char>(p[i + n]) & 0xC0) == 0x80) ++n;
    return p.substr(i, n);
  };
  for (size_t i = 0; i < p.size();) {
    const std::string_view ch = next_char(i);
    i += ch.size();
    if (escape && ch == *escape) {
      if (i >= p.size()) return error(Status::invalid_argument("SIMILAR TO pattern ends with its escape character"));
      const std::string_view lit = next_char(i);
      i += lit.size();
      literal(lit);
      continue;
    }
    if (ch == "%") {
      out += ".*";
    } else if (ch == "_") {
      out += '.';
    } else if (ch == "(") {
      out += "(?:";
    } else if (ch == "|" || ch == "*" || ch == "+" || ch == "?" || ch == ")" || ch == "{" || ch == "}") {
      out += ch;
    } else if (ch == "[") {
      out += '[';
      size_t j = i;
      if (j < p.size() && p[j] == '^') {
        out += '^';
        ++j;
      }
      bool closed = false;
      while (j < p.size()) {
        const std::string_view c = next_char(j);
        j += c.size();
        if (c == "]") {
          closed = true;
          break;
        }
        if (escape && c == *escape && j < p.size()) {
          const std::string_view lit = next_char(j);
          j += lit.size();
          if (lit.size() == 1 && !std::isalnum(static_cast<unsigned char>(lit[0]))) out += '\\';
          out += lit;
          continue;
        }
        if (c == "\\" || c == "[") out += '\\';
        out += c;
      }
      if (!closed) return error(Status::invalid_argument("SIMILAR TO pattern has an unterminated '['"));
      out += ']';
      i = j;
    } else {
      literal(ch);
    }
  }
  return out;
}

}  // namespace runnel::sql
