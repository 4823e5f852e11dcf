#include "firehose/timestamp_parsing.h"

#include <array>
#include <cctype>
#include <cstdlib>

namespace runnel::firehose {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"january",   "february", "march",    "april",
                                                      "may",       "june",     "july",     "august",
                                                      "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kDays = {"monday", "tuesday",  "wednesday", "thursday",
                                                   "friday", "saturday", "sunday"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
  static constexpr int kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kLen[m - 1];
}

// Reads between min and max digits at `pos`; the value, or nullopt.
std::optional<int64_t> digits(std::string_view s, size_t& pos, int min, int max) {
  int64_t v = 0;
  int n = 0;
  while (pos < s.size() && n < max && is_digit(s[pos])) {
    v = v * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  if (n < min) return std::nullopt;
  return v;
}

// A fraction of 1..max digits as nanoseconds.
std::optional<uint32_t> fraction(std::string_view s, size_t& pos, int max) {
  size_t start = pos;
  auto v = digits(s, pos, 1, max);
  if (!v) return std::nullopt;
  int64_t nanos = *v;
  for (size_t n = pos - start; n < 9; ++n) nanos *= 10;
  return static_cast<uint32_t>(nanos);
}

bool consume(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

struct Fields {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  uint32_t nanos = 0;
  int offset_seconds = 0;
};

std::optional<parquet::Timestamp> to_timestamp(const Fields& f) {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > days_in_month(f.year, f.month)) return std::nullopt;
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return std::nullopt;
  int64_t secs = days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
  return parquet::Timestamp{secs - f.offset_seconds, f.nanos};
}

// `Z`, `±hh`, `±hhmm` or `±hh:mm`.
bool offset(std::string_view s, size_t& pos, int& out) {
  if (consume(s, pos, 'Z')) {
    out = 0;
    return true;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  int sign = s[pos++] == '-' ? -1 : 1;
  auto h = digits(s, pos, 2, 2);
  if (!h || *h > 23) return false;
  int64_t m = 0;
  bool colon = consume(s, pos, ':');
  if (colon || (pos < s.size() && is_digit(s[pos]))) {
    auto mm = digits(s, pos, 2, 2);
    if (!mm || *mm > 59) return false;
    m = *mm;
  }
  out = sign * static_cast<int>(*h * 3600 + m * 60);
  return true;
}

// A name from `names` (or its 3-letter abbreviation when `short_form`), any
// case; the index or -1.
template <size_t N>
int name(std::string_view s, size_t& pos, const std::array<std::string_view, N>& names, bool short_form) {
  for (size_t i = 0; i < N; ++i) {
    std::string_view n = short_form ? names[i].substr(0, 3) : names[i];
    if (s.size() - pos < n.size()) continue;
    bool same = true;
    for (size_t k = 0; k < n.size() && same; ++k) same = std::tolower(static_cast<unsigned char>(s[pos + k])) == n[k];
    if (same) {
      pos += n.size();
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// yyyy-[m]m-[d]d
bool sql_date(std::string_view s, size_t& pos, Fields& f) {
  auto y = digits(s, pos, 4, 4);
  if (!y || !consume(s, pos, '-')) return false;
  auto m = digits(s, pos, 1, 2);
  if (!m || !consume(s, pos, '-')) return false;
  auto d = digits(s, pos, 1, 2);
  if (!d) return false;
  f.year = *y;
  f.month = static_cast<int>(*m);
  f.day = static_cast<int>(*d);
  return true;
}

// hh:mm:ss[.f...]
bool clock(std::string_view s, size_t& pos, Fields& f) {
  auto h = digits(s, pos, 1, 2);
  if (!h || !consume(s, pos, ':')) return false;
  auto mi = digits(s, pos, 1, 2);
  if (!mi || !consume(s, pos, ':')) return false;
  auto se = digits(s, pos, 1, 2);
  if (!se) return false;
  f.hour = static_cast<int>(*h);
  f.minute = static_cast<int>(*mi);
  f.second = static_cast<int>(*se);
  if (consume(s, pos, '.')) {
    auto n = fraction(s, pos, 9);
    if (!n) return false;
    f.nanos = *n;
  }
  return true;
}

}  // namespace

int64_t days_from_civil(int64_t y, int m, int d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<parquet::Timestamp> parse_sql_timestamp(std::string_view text) {
  std::string_view s = trim(text);
  size_t pos = 0;
  Fields f;
  if (!sql_date(s, pos, f) || !consume(s, pos, ' ') || !clock(s, pos, f) || pos != s.size()) return std::nullopt;
  return to_timestamp(f);
}

std::optional<int32_t> parse_sql_date(std::string_view text) {
  size_t pos = 0;
  Fields f;
  if (!sql_date(text, pos, f) || pos != text.size()) return std::nullopt;
  auto t = to_timestamp(f);
  if (!t) return std::nullopt;
  return static_cast<int32_t>(t->seconds / 86400);
}

std::optional<parquet::Timestamp> parse_epoch_number(std::string_view text) {
  size_t pos = 0;
  bool negative = consume(text, pos, '-');
  auto whole = digits(text, pos, 1, 18);
  if (!whole) return std::nullopt;
  if (pos < text.size() && is_digit(text[pos])) return std::nullopt;  // beyond int64 seconds
  uint32_t nanos = 0;
  bool has_fraction = false;
  if (consume(text, pos, '.')) {
    has_fraction = true;
    size_t start = pos;
    int64_t v = 0;
    int n = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (n < 9) v = v * 10 + (text[pos] - '0'), ++n;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (; n < 9; ++n) v *= 10;
    nanos = static_cast<uint32_t>(v);
  }
  if (pos != text.size()) return std::nullopt;
  int64_t secs = *whole;
  if (!has_fraction && secs >= 100'000'000'000) {  // milliseconds
    nanos = static_cast<uint32_t>(secs % 1000) * 1'000'000;
    secs /= 1000;
  }
  if (negative && (secs != 0 || nanos != 0)) {
    secs = -secs;
    if (nanos != 0) {
      secs -= 1;
      nanos = 1'000'000'000 - nanos;
    }
  }
  return parquet::Timestamp{secs, nanos};
}

std::optional<parquet::Timestamp> parse_openx_timestamp(std::string_view text) {
  if (auto t = parse_epoch_number(text)) return t;
  if (text.find('T') == std::string_view::npos) return parse_sql_timestamp(text);
  size_t pos = 0;
  Fields f;
  if (!sql_date(text, pos, f) || !consume(text, pos, 'T') || !clock(text, pos, f)) return std::nullopt;
  if (pos < text.size() && !offset(text, pos, f.offset_seconds)) return std::nullopt;
  if (pos != text.size()) return std::nullopt;
  return to_timestamp(f);
}

Result<JodaPattern> JodaPattern::compile(std::string_view pattern) {
  JodaPattern p;
  p.pattern_ = std::string(pattern);
  if (pattern.empty()) return error(Status::invalid_argument("empty timestamp format"));
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      std::string lit;
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '\'') {  // '' is a quote
        p.tokens_.push_back({0, 0, "'"});
        i = j + 1;
        continue;
      }
      for (;; ++j) {
        if (j >= pattern.size())
          return error(Status::invalid_argument("timestamp format '" + p.pattern_ + "' has an unclosed quote"));
        if (pattern[j] == '\'') {
          if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
            lit.push_back('\'');
            ++j;
            continue;
          }
          break;
        }
        lit.push_back(pattern[j]);
      }
      p.tokens_.push_back({0, 0, std::move(lit)});
      i = j + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      p.tokens_.push_back({0, 0, std::string(1, c)});
      ++i;
      continue;
    }
    size_t j = i;
    while (j < pattern.size() && pattern[j] == c) ++j;
    int count = static_cast<int>(j - i);
    static constexpr std::string_view kLetters = "yYMdHhmsSEaZ";
    if (kLetters.find(c) == std::string_view::npos)
      return error(Status::invalid_argument("timestamp format '" + p.pattern_ + "': pattern letter '" +
                                            std::string(1, c) + "' is not supported"));
    if ((c == 'y' || c == 'Y') && count == 2)
      return error(
          Status::invalid_argument("timestamp format '" + p.pattern_ + "': two-digit years (yy) are not supported"));
    if (c == 'Z' && count > 2)
      return error(Status::invalid_argument("timestamp format '" + p.pattern_ + "': zone ids (ZZZ) are not supported"));
    p.tokens_.push_back({c == 'Y' ? 'y' : c, count, {}});
    i = j;
  }
  return p;
}

std::optional<parquet::Timestamp> JodaPattern::parse(std::string_view s) const {
  Fields f;
  int hour12 = -1;
  int pm = -1;
  size_t pos = 0;
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const Token& tok = tokens_[t];
    if (tok.letter == 0) {
      if (s.substr(pos, tok.literal.size()) != tok.literal) return std::nullopt;
      pos += tok.literal.size();
      continue;
    }
    // A numeric field directly followed by another numeric field has a fixed
    // width (Joda's rule for adjacent fields); otherwise it is greedy.
    bool next_numeric = t + 1 < tokens_.size() && tokens_[t + 1].letter != 0 &&
                        std::string_view("yMdHhmsS").find(tokens_[t + 1].letter) != std::string_view::npos &&
                        !(tokens_[t + 1].letter == 'M' && tokens_[t + 1].count >= 3);
    int min = next_numeric ? tok.count : 1;
    int max = next_numeric ? tok.count : 2;
    switch (tok.letter) {
      case 'y': {
        bool negative = consume(s, pos, '-');
        auto v = digits(s, pos, next_numeric ? tok.count : 1, next_numeric ? tok.count : 9);
        if (!v) return std::nullopt;
        f.year = negative ? -*v : *v;
        break;
      }
      case 'M': {
        if (tok.count >= 3) {
          int m = name(s, pos, kMonths, tok.count == 3);
          if (m < 0) return std::nullopt;
          f.month = m + 1;
        } else {
          auto v = digits(s, pos, min, max);
          if (!v) return std::nullopt;
          f.month = static_cast<int>(*v);
        }
        break;
      }
      case 'E':
        if (name(s, pos, kDays, tok.count <= 3) < 0) return std::nullopt;
        break;
      case 'a': {
        int which = name(s, pos, std::array<std::string_view, 2>{"am", "pm"}, false);
        if (which < 0) return std::nullopt;
        pm = which;
        break;
      }
      case 'Z':
        if (!offset(s, pos, f.offset_seconds)) return std::nullopt;
        break;
      case 'S': {
        auto n = fraction(s, pos, next_numeric ? tok.count : 9);
        if (!n) return std::nullopt;
        f.nanos = *n / 1'000'000 * 1'000'000;  // Joda keeps milliseconds
        break;
      }
      default: {
        auto v = digits(s, pos, min, max);
        if (!v) return std::nullopt;
        int x = static_cast<int>(*v);
        if (tok.letter == 'd') f.day = x;
        if (tok.letter == 'H') f.hour = x;
        if (tok.letter == 'h') hour12 = x;
        if (tok.letter == 'm') f.minute = x;
        if (tok.letter == 's') f.second = x;
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  if (hour12 >= 0) {
    if (hour12 < 1 || hour12 > 12) return std::nullopt;
    f.hour = hour12 % 12 + (pm == 1 ? 12 : 0);
  }
  return to_timestamp(f);
}

}  // namespace runnel::firehose
