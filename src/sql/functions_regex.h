#pragma once
// Regular expressions for the KDA functions that took Java patterns
// (REGEX_REPLACE, SUBSTRING ... FROM regex, the log parsers) and for SQL's
// SIMILAR TO, on PCRE2 (UTF-8 mode, DOTALL off, ASCII \w\d\s as Java's
// defaults). docs/analytics-functions.md lists where Java patterns differ.
//
// Threads: a compiled Regex is immutable and may be matched from many
// threads at once (each match has its own match data).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sql/value.h"

namespace runnel::sql {

class Regex {
 public:
  struct Match {
    // Byte offsets [begin, end) of group 0 (the whole match) and each
    // capture group; npos/npos for a group that did not take part.
    std::vector<std::pair<size_t, size_t>> groups;
    std::optional<std::string_view> group(std::string_view subject, size_t i) const;
  };

  // Compiles a Java-style pattern. `dotall` makes '.' match line breaks
  // (SIMILAR TO's '_' and '%' do). Errors name the pattern and PCRE2's
  // reason; Java's class intersection ([a-z&&[^e]]) is refused rather than
  // silently read differently.
  [[nodiscard]] static Result<std::shared_ptr<const Regex>> compile(std::string_view pattern, bool dotall = false);

  // The first match at or after byte `start`. A false result is no match;
  // an error is a match that exceeded PCRE2's backtracking limit.
  [[nodiscard]] SqlResult<bool> search(std::string_view subject, size_t start, Match& m) const;
  // Whether the whole subject matches (anchored at both ends).
  [[nodiscard]] SqlResult<bool> full_match(std::string_view subject, Match& m) const;

  int capture_count() const { return captures_; }
  // Names of the capture groups by number (empty for unnamed), index 0 unused.
  const std::vector<std::string>& group_names() const { return names_; }

  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

 private:
  Regex() = default;
  SqlResult<bool> run(std::string_view subject, size_t start, uint32_t options, Match& m) const;
  void* code_ = nullptr;  // pcre2_code_8
  int captures_ = 0;
  std::vector<std::string> names_;
};

// A compiled pattern from a small per-thread cache, for patterns that are
// not constants of the query.
[[nodiscard]] Result<std::shared_ptr<const Regex>> cached_regex(std::string_view pattern, bool dotall = false);

// SQL SIMILAR TO pattern to PCRE2 syntax (unanchored; callers anchor): '%'
// is '.*', '_' is '.', | * + ? {m,n} ( ) [...] keep their meaning, every
// other character is literal, `escape` (if any) makes the next character
// literal. Errors: an escape at the end, an unterminated '['.
[[nodiscard]] Result<std::string> similar_to_pcre(std::string_view pattern, std::optional<std::string_view> escape);

}  // namespace runnel::sql
