#include "sql/functions_datefmt.h"

#include <cctype>
#include <chrono>
#include <cstdio>

#include "sql/value.h"

namespace runnel::sql {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;
constexpr std::string_view kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

bool numeric_letter(char c) { return std::string_view("yYMLdDuHkKhmsSwWF").find(c) != std::string_view::npos; }
bool known_letter(char c) { return numeric_letter(c) || std::string_view("GEazZX").find(c) != std::string_view::npos; }

std::string pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width - static_cast<int>(s.size())), '0');
  return v < 0 ? "-" + s : s;
}

bool iequal_prefix(std::string_view text, size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != std::tolower(static_cast<unsigned char>(word[i])))
      return false;
  }
  return true;
}

// Matches a full or 3-letter name from `names` at text[pos]; returns the index.
std::optional<int> match_name(std::string_view text, size_t& pos, const std::string_view* names, int n) {
  for (int i = 0; i < n; ++i) {
    if (iequal_prefix(text, pos, names[i])) {
      pos += names[i].size();
      return i;
    }
  }
  for (int i = 0; i < n; ++i) {
    if (iequal_prefix(text, pos, names[i].substr(0, 3))) {
      pos += 3;
      return i;
    }
  }
  return std::nullopt;
}

int64_t current_year() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return civil_from_millis(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()).year;
}

bool valid_day(int64_t y, int m, int d) {
  static constexpr int kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m >= 1 && m <= 12 && d >= 1 && d <= kLen[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

Result<DateFormat> DateFormat::compile(std::string_view p) {
  DateFormat f;
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\'') {
      // Quoted text; '' is a quote.
      std::string lit;
      ++i;
      if (i < p.size() && p[i] == '\'') {
        f.fields_.push_back({0, 0, "'"});
        ++i;
        continue;
      }
      bool closed = false;
      while (i < p.size()) {
        if (p[i] == '\'') {
          if (i + 1 < p.size() && p[i + 1] == '\'') {
            lit += '\'';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        lit += p[i++];
      }
      if (!closed) return error(Status::invalid_argument("unterminated quote in date format '" + std::string(p) + "'"));
      f.fields_.push_back({0, 0, lit});
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      if (!known_letter(c)) {
        return error(Status::invalid_argument("Illegal pattern character '" + std::string(1, c) + "' in '" +
                                              std::string(p) + "'"));
      }
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      f.fields_.push_back({c, static_cast<int>(j - i), ""});
      i = j;
    } else {
      if (!f.fields_.empty() && f.fields_.back().letter == 0) {
        f.fields_.back().literal += c;
      } else {
        f.fields_.push_back({0, 0, std::string(1, c)});
      }
      ++i;
    }
  }
  return f;
}

std::string DateFormat::format(int64_t ms) const {
  const CivilTime c = civil_from_millis(ms);
  const int64_t day = floor_div(ms, kMillisPerDay);
  const int dow = static_cast<int>(floor_mod(day + 3, 7));  // 0 = Monday (1970-01-01 was a Thursday)
  const int64_t doy = day - days_from_civil(c.year, 1, 1) + 1;
  std::string out;
  for (const Field& f : fields_) {
    const int n = f.count;
    switch (f.letter) {
      case 0: out += f.literal; break;
      case 'G': out += c.year > 0 ? "AD" : "BC"; break;
      case 'y':
      case 'Y': {
        const int64_t y = c.year > 0 ? c.year : 1 - c.year;
        out += n == 2 ? pad(y % 100, 2) : pad(y, n);
        break;
      }
      case 'M':
      case 'L':
        if (n >= 4)
          out += kMonths[c.month - 1];
        else if (n == 3)
          out += kMonths[c.month - 1].substr(0, 3);
        else
          out += pad(c.month, n);
        break;
      case 'd': out += pad(c.day, n); break;
      case 'D': out += pad(doy, n); break;
      case 'E': out += n >= 4 ? kDays[dow] : kDays[dow].substr(0, 3); break;
      case 'u': out += pad(dow + 1, n); break;
      case 'a': out += c.hour < 12 ? "AM" : "PM"; break;
      case 'H': out += pad(c.hour, n); break;
      case 'k': out += pad(c.hour == 0 ? 24 : c.hour, n); break;
      case 'K': out += pad(c.hour % 12, n); break;
      case 'h': out += pad(c.hour % 12 == 0 ? 12 : c.hour % 12, n); break;
      case 'm': out += pad(c.minute, n); break;
      case 's': out += pad(c.second, n); break;
      case 'S': out += pad(c.millis, n); break;
      case 'w': out += pad((doy - 1) / 7 + 1, n); break;
      case 'W': out += pad((c.day - 1) / 7 + 1, n); break;
      case 'F': out += pad((c.day - 1) / 7 + 1, n); break;
      case 'z': out += n >= 4 ? "Coordinated Universal Time" : "UTC"; break;
      case 'Z': out += "+0000"; break;
      case 'X': out += "Z"; break;
    }
  }
  return out;
}

std::optional<int64_t> DateFormat::parse(std::string_view text) const {
  int64_t year = 1970;
  int month = 1, dom = 1, hour = 0, minute = 0, second = 0, millis = 0;
  int64_t doy = -1;
  int pm = -1;  // -1 none, 0 AM, 1 PM
  bool hour12 = false, bc = false;
  int64_t offset_ms = 0;
  size_t pos = 0;
  for (size_t fi = 0; fi < fields_.size(); ++fi) {
    const Field& f = fields_[fi];
    if (f.letter == 0) {
      if (text.substr(pos, f.literal.size()) != f.literal) return std::nullopt;
      pos += f.literal.size();
      continue;
    }
    // Java's subParse skips blanks before every field.
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    const bool text_month = (f.letter == 'M' || f.letter == 'L') && f.count >= 3;
    if (numeric_letter(f.letter) && !text_month) {
      // Adjacent numeric fields take exactly their width.
      const bool adjacent =
          fi + 1 < fields_.size() && fields_[fi + 1].letter != 0 && numeric_letter(fields_[fi + 1].letter) &&
          !((fields_[fi + 1].letter == 'M' || fields_[fi + 1].letter == 'L') && fields_[fi + 1].count >= 3);
      bool neg = false;
      if (f.letter == 'y' && pos < text.size() && text[pos] == '-') {
        neg = true;
        ++pos;
      }
      const size_t start = pos;
      int64_t v = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) &&
             (!adjacent || pos - start < static_cast<size_t>(f.count)) && pos - start < 10) {
        v = v * 10 + (text[pos] - '0');
        ++pos;
      }
      if (pos == start) return std::nullopt;
      const size_t digits = pos - start;
      switch (f.letter) {
        case 'y':
        case 'Y':
          year = neg ? -v : v;
          if (f.count == 2 && digits == 2 && !neg) {
            // Java's default century: within 80 years before and 20 after now.
            const int64_t now = current_year();
            int64_t y = (now - 80) / 100 * 100 + v;
            if (y < now - 80) y += 100;
            year = y;
          }
          break;
        case 'M':
        case 'L': month = static_cast<int>(v); break;
        case 'd': dom = static_cast<int>(v); break;
        case 'D': doy = v; break;
        case 'u':
          if (v < 1 || v > 7) return std::nullopt;
          break;
        case 'H':
          if (v > 23) return std::nullopt;
          hour = static_cast<int>(v);
          break;
        case 'k':
          if (v < 1 || v > 24) return std::nullopt;
          hour = static_cast<int>(v % 24);
          break;
        case 'K':
          if (v > 11) return std::nullopt;
          hour = static_cast<int>(v);
          hour12 = true;
          break;
        case 'h':
          if (v < 1 || v > 12) return std::nullopt;
          hour = static_cast<int>(v % 12);
          hour12 = true;
          break;
        case 'm':
          if (v > 59) return std::nullopt;
          minute = static_cast<int>(v);
          break;
        case 's':
          if (v > 59) return std::nullopt;
          second = static_cast<int>(v);
          break;
        case 'S':
          if (v > 999) return std::nullopt;
          millis = static_cast<int>(v);
          break;
        default: break;  // w, W, F: read and ignored
      }
      continue;
    }
    switch (f.letter) {
      case 'M':
      case 'L': {
        auto m = match_name(text, pos, kMonths, 12);
        if (!m) return std::nullopt;
        month = *m + 1;
        break;
      }
      case 'E':
        if (!match_name(text, pos, kDays, 7)) return std::nullopt;
        break;
      case 'a':
        if (iequal_prefix(text, pos, "AM"))
          pm = 0;
        else if (iequal_prefix(text, pos, "PM"))
          pm = 1;
        else
          return std::nullopt;
        pos += 2;
        break;
      case 'G':
        if (iequal_prefix(text, pos, "AD"))
          bc = false;
        else if (iequal_prefix(text, pos, "BC"))
          bc = true;
        else
          return std::nullopt;
        pos += 2;
        break;
      case 'z':
      case 'Z':
      case 'X': {
        if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && f.letter == 'X') {
          ++pos;
          break;
        }
        if (iequal_prefix(text, pos, "UTC") || iequal_prefix(text, pos, "GMT")) {
          pos += 3;
          if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) break;
        }
        if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
        const int sign = text[pos++] == '-' ? -1 : 1;
        int h = 0, m = 0, nd = 0;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) && nd < 2) {
          h = h * 10 + (text[pos++] - '0');
          ++nd;
        }
        if (nd == 0) return std::nullopt;
        if (pos < text.size() && text[pos] == ':') ++pos;
        nd = 0;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) && nd < 2) {
          m = m * 10 + (text[pos++] - '0');
          ++nd;
        }
        if (h > 23 || m > 59) return std::nullopt;
        offset_ms = sign * (h * 3'600'000LL + m * 60'000LL);
        break;
      }
      default: return std::nullopt;
    }
  }
  if (bc) year = 1 - year;
  if (hour12 && pm == 1) hour += 12;
  if (!hour12 && pm == 1 && hour < 12) hour += 12;
  if (year > 292'000'000 || year < -292'000'000) return std::nullopt;
  int64_t days;
  if (doy >= 0) {
    if (doy < 1 || doy > 366) return std::nullopt;
    days = days_from_civil(year, 1, 1) + doy - 1;
  } else {
    if (!valid_day(year, month, dom)) return std::nullopt;
    days = days_from_civil(year, month, dom);
  }
  return days * kMillisPerDay + ((hour * 60LL + minute) * 60 + second) * 1000 + millis - offset_ms;
}

}  // namespace runnel::sql
