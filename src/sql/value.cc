#include "sql/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

namespace runnel::sql {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

int64_t pow10_i64(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Java's shortest-repr Double/Float.toString from the digits and exponent of
// std::to_chars' shortest scientific form.
std::string java_float_text(const char* begin, const char* end) {
  std::string_view s(begin, static_cast<size_t>(end - begin));
  std::string out;
  if (!s.empty() && s[0] == '-') {
    out = "-";
    s.remove_prefix(1);
  }
  const size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  int exp = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      std::string whole = digits.substr(0, std::min<size_t>(digits.size(), static_cast<size_t>(exp) + 1));
      while (whole.size() < static_cast<size_t>(exp) + 1) whole += '0';
      std::string frac =
          digits.size() > static_cast<size_t>(exp) + 1 ? digits.substr(static_cast<size_t>(exp) + 1) : "0";
      out += whole + "." + frac;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exp);
  return out;
}

std::string pad2(int v) {
  char b[4];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

// Reads exactly `n` digits (n > 0) or, with n == 0, one or more digits.
bool read_digits(std::string_view s, size_t& i, int n, int64_t& out) {
  const size_t start = i;
  out = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && (n == 0 || i - start < static_cast<size_t>(n))) {
    out = out * 10 + (s[i] - '0');
    ++i;
    if (i - start > 12) return false;
  }
  return i > start && (n == 0 || i - start == static_cast<size_t>(n));
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_date(int64_t y, int64_t m, int64_t d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// "yyyy-MM-dd" (year 1-4+ digits, month and day 1 or 2 digits, as
// java.sql.Date.valueOf reads them) at s[i...].
bool read_date(std::string_view s, size_t& i, int64_t& days) {
  int64_t y, m, d;
  bool neg = false;
  if (i < s.size() && s[i] == '-') {
    neg = true;
    ++i;
  }
  if (!read_digits(s, i, 0, y) || i >= s.size() || s[i++] != '-') return false;
  if (!read_digits(s, i, 0, m) || i >= s.size() || s[i++] != '-') return false;
  if (!read_digits(s, i, 0, d)) return false;
  if (neg) y = -y;
  // Java's dates reach year 292,278,994; we stop at 200,000,000 so that any
  // date's milliseconds fit an int64.
  if (y > 200'000'000 || y < -200'000'000) return false;
  if (!valid_date(y, m, d)) return false;
  days = days_from_civil(y, static_cast<int>(m), static_cast<int>(d));
  return true;
}

// "HH:mm:ss[.f...]" at s[i...]; fractions past milliseconds are dropped.
bool read_time(std::string_view s, size_t& i, int64_t& ms) {
  int64_t h, mi, sec;
  if (!read_digits(s, i, 0, h) || i >= s.size() || s[i++] != ':') return false;
  if (!read_digits(s, i, 0, mi) || i >= s.size() || s[i++] != ':') return false;
  if (!read_digits(s, i, 0, sec)) return false;
  if (h > 23 || mi > 59 || sec > 59) return false;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 3) frac = frac * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    for (; n < 3; ++n) frac *= 10;
  }
  ms = ((h * 60 + mi) * 60 + sec) * 1000 + frac;
  return true;
}

}  // namespace

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t floor_mod(int64_t a, int64_t b) {
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime civil_from_millis(int64_t ms) {
  CivilTime c;
  int64_t z = floor_div(ms, kMillisPerDay);
  int64_t rem = floor_mod(ms, kMillisPerDay);
  c.millis = static_cast<int>(rem % 1000);
  rem /= 1000;
  c.second = static_cast<int>(rem % 60);
  rem /= 60;
  c.minute = static_cast<int>(rem % 60);
  c.hour = static_cast<int>(rem / 60);
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  return c;
}

int64_t millis_from_civil(const CivilTime& c) {
  return days_from_civil(c.year, c.month, c.day) * kMillisPerDay +
         ((static_cast<int64_t>(c.hour) * 60 + c.minute) * 60 + c.second) * 1000 + c.millis;
}

std::string format_date(int64_t days) {
  // Days beyond what milliseconds can hold still print (as the day count's
  // calendar date) without overflowing.
  CivilTime c = civil_from_millis(floor_mod(days, 146097) * kMillisPerDay);
  c.year += floor_div(days, 146097) * 400;  // 146097 days are 400 Gregorian years
  char b[32];
  if (c.year >= 0) {
    std::snprintf(b, sizeof b, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month, c.day);
  } else {
    std::snprintf(b, sizeof b, "-%04lld-%02d-%02d", static_cast<long long>(-c.year), c.month, c.day);
  }
  return b;
}

std::string format_time(int64_t ms) {
  ms = floor_mod(ms, kMillisPerDay);
  const int64_t s = ms / 1000;
  return pad2(static_cast<int>(s / 3600)) + ":" + pad2(static_cast<int>(s / 60 % 60)) + ":" +
         pad2(static_cast<int>(s % 60));
}

std::string format_timestamp(int64_t ms) {
  const CivilTime c = civil_from_millis(ms);
  std::string out = format_date(days_from_civil(c.year, c.month, c.day)) + " " + pad2(c.hour) + ":" + pad2(c.minute) +
                    ":" + pad2(c.second) + ".";
  // java.sql.Timestamp.toString: the fraction without trailing zeros, at
  // least one digit.
  char f[4];
  std::snprintf(f, sizeof f, "%03d", c.millis);
  std::string frac(f);
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return out + frac;
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  return java_float_text(buf, r.ptr);
}

static std::string format_float(float f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
  if (f == 0) return std::signbit(f) ? "-0.0" : "0.0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  return java_float_text(buf, r.ptr);
}

std::string format_decimal(int64_t unscaled, int scale) {
  const bool neg = unscaled < 0;
  // |INT64_MIN| does not fit; go through unsigned.
  uint64_t mag = neg ? 0 - static_cast<uint64_t>(unscaled) : static_cast<uint64_t>(unscaled);
  std::string digits = std::to_string(mag);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale))
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return neg ? "-" + digits : digits;
}

std::optional<int64_t> parse_date_text(std::string_view s) {
  s = trim_blanks(s);
  size_t i = 0;
  int64_t days;
  if (!read_date(s, i, days) || i != s.size()) return std::nullopt;
  return days;
}

std::optional<int64_t> parse_time_text(std::string_view s) {
  s = trim_blanks(s);
  size_t i = 0;
  int64_t ms;
  if (!read_time(s, i, ms) || i != s.size()) return std::nullopt;
  return ms;
}

std::optional<int64_t> parse_timestamp_text(std::string_view s) {
  s = trim_blanks(s);
  size_t i = 0;
  int64_t days, ms = 0;
  if (!read_date(s, i, days)) return std::nullopt;
  if (i < s.size()) {
    if (s[i] != ' ' && s[i] != 'T') return std::nullopt;
    ++i;
    if (!read_time(s, i, ms) || i != s.size()) return std::nullopt;
  }
  return days * kMillisPerDay + ms;
}

double Value::to_double() const {
  switch (kind_) {
    case TypeKind::kReal:
    case TypeKind::kDouble: return d_;
    case TypeKind::kDecimal: return static_cast<double>(i_) / static_cast<double>(pow10_i64(scale_));
    default: return static_cast<double>(i_);
  }
}

std::string Value::to_string() const {
  if (null_) return "NULL";
  switch (kind_) {
    case TypeKind::kNull: return "NULL";
    case TypeKind::kBoolean: return i_ ? "TRUE" : "FALSE";
    case TypeKind::kTinyint:
    case TypeKind::kSmallint:
    case TypeKind::kInteger:
    case TypeKind::kBigint: return std::to_string(i_);
    case TypeKind::kDecimal: return format_decimal(i_, scale_);
    case TypeKind::kReal: return format_float(static_cast<float>(d_));
    case TypeKind::kDouble: return format_double(d_);
    case TypeKind::kChar:
    case TypeKind::kVarchar: return s_;
    case TypeKind::kBinary:
    case TypeKind::kVarbinary: {
      static constexpr char kHex[] = "0123456789ABCDEF";
      std::string out;
      for (unsigned char c : s_) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out;
    }
    case TypeKind::kDate: return format_date(i_);
    case TypeKind::kTime: return format_time(i_);
    case TypeKind::kTimestamp: return format_timestamp(i_);
    case TypeKind::kIntervalDayTime: {
      const bool neg = i_ < 0;
      const uint64_t m = neg ? 0 - static_cast<uint64_t>(i_) : static_cast<uint64_t>(i_);
      const uint64_t days = m / kMillisPerDay, rem = m % kMillisPerDay;
      char b[64];
      std::snprintf(b, sizeof b, "%c%llu %02llu:%02llu:%02llu.%03llu", neg ? '-' : '+',
                    static_cast<unsigned long long>(days), static_cast<unsigned long long>(rem / 3600000),
                    static_cast<unsigned long long>(rem / 60000 % 60), static_cast<unsigned long long>(rem / 1000 % 60),
                    static_cast<unsigned long long>(rem % 1000));
      return b;
    }
    case TypeKind::kIntervalYearMonth: {
      const bool neg = i_ < 0;
      const uint64_t m = neg ? 0 - static_cast<uint64_t>(i_) : static_cast<uint64_t>(i_);
      return std::string(neg ? "-" : "+") + std::to_string(m / 12) + "-" + pad2(static_cast<int>(m % 12));
    }
  }
  return "?";
}

namespace {

// A DECIMAL or integer as (unscaled, scale) with trailing zeros removed, so
// equal values have one form.
std::pair<int64_t, int> normalized(const Value& v) {
  int64_t u = v.as_int();
  int s = v.kind() == TypeKind::kDecimal ? v.scale() : 0;
  while (s > 0 && u % 10 == 0) {
    u /= 10;
    --s;
  }
  return {u, s};
}

std::string_view unpadded(const Value& v) {
  std::string_view s = v.as_string();
  if (v.kind() == TypeKind::kChar)
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Compares two exact numerics (integers or DECIMALs) exactly.
std::strong_ordering compare_exact(const Value& a, const Value& b) {
  const int sa = a.kind() == TypeKind::kDecimal ? a.scale() : 0;
  const int sb = b.kind() == TypeKind::kDecimal ? b.scale() : 0;
  __int128 x = a.as_int(), y = b.as_int();
  for (int i = sa; i < sb; ++i) x *= 10;
  for (int i = sb; i < sa; ++i) y *= 10;
  return x <=> y;
}

std::strong_ordering order_doubles(double x, double y) {
  // NaN sorts above everything, as Java's Double.compare does.
  if (std::isnan(x) || std::isnan(y)) {
    if (std::isnan(x) && std::isnan(y)) return std::strong_ordering::equal;
    return std::isnan(x) ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  if (x < y) return std::strong_ordering::less;
  if (x > y) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

}  // namespace

size_t Value::hash() const {
  if (null_) return 0x9e3779b97f4a7c15ULL;
  const SqlType t = SqlType::of(kind_);
  if (t.is_exact_numeric()) {
    auto [u, s] = normalized(*this);
    return std::hash<int64_t>()(u) * 31 + static_cast<size_t>(s);
  }
  if (t.is_approx_numeric()) {
    // Integral doubles hash like the integer they equal.
    if (std::nearbyint(d_) == d_ && std::fabs(d_) < 9e18) return std::hash<int64_t>()(static_cast<int64_t>(d_)) * 31;
    return std::hash<double>()(d_);
  }
  if (t.is_character()) return std::hash<std::string_view>()(unpadded(*this));
  if (t.is_binary()) return std::hash<std::string_view>()(s_);
  return std::hash<int64_t>()(i_) ^ (static_cast<size_t>(kind_) << 56);
}

bool key_equal(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  auto c = compare_values(a, b);
  return c && *c == std::strong_ordering::equal;
}

std::optional<std::strong_ordering> compare_values(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  const SqlType ta = SqlType::of(a.kind()), tb = SqlType::of(b.kind());
  if (ta.is_numeric() && tb.is_numeric()) {
    if (ta.is_exact_numeric() && tb.is_exact_numeric()) return compare_exact(a, b);
    return order_doubles(a.to_double(), b.to_double());
  }
  if (ta.is_character() && tb.is_character()) {
    const auto c = unpadded(a).compare(unpadded(b));
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }
  if (ta.is_binary() && tb.is_binary()) {
    const auto c = a.as_string().compare(b.as_string());
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }
  if (a.kind() != b.kind()) return std::nullopt;
  return a.as_int() <=> b.as_int();
}

Truth truth_and(Truth a, Truth b) {
  if (a == Truth::kFalse || b == Truth::kFalse) return Truth::kFalse;
  if (a == Truth::kUnknown || b == Truth::kUnknown) return Truth::kUnknown;
  return Truth::kTrue;
}

Truth truth_or(Truth a, Truth b) {
  if (a == Truth::kTrue || b == Truth::kTrue) return Truth::kTrue;
  if (a == Truth::kUnknown || b == Truth::kUnknown) return Truth::kUnknown;
  return Truth::kFalse;
}

Truth truth_not(Truth a) {
  if (a == Truth::kUnknown) return a;
  return a == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
}

Truth compare(CompareOp op, const Value& a, const Value& b) {
  auto c = compare_values(a, b);
  if (!c) return Truth::kUnknown;
  bool r = false;
  switch (op) {
    case CompareOp::kEq: r = *c == 0; break;
    case CompareOp::kNe: r = *c != 0; break;
    case CompareOp::kLt: r = *c < 0; break;
    case CompareOp::kLe: r = *c <= 0; break;
    case CompareOp::kGt: r = *c > 0; break;
    case CompareOp::kGe: r = *c >= 0; break;
  }
  return r ? Truth::kTrue : Truth::kFalse;
}

bool is_distinct_from(const Value& a, const Value& b) { return !key_equal(a, b); }

size_t RowKeyHash::operator()(const Row& r) const {
  size_t h = r.size();
  for (const Value& v : r) h = h * 1000003 ^ v.hash();
  return h;
}

bool RowKeyEqual::operator()(const Row& a, const Row& b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!key_equal(a[i], b[i])) return false;
  return true;
}

}  // namespace runnel::sql
