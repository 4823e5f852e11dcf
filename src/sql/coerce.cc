#include "sql/coerce.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace runnel::sql {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

__int128 pow10_128(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string type_text(const Value& v) { return SqlType::of(v.kind()).to_string(); }

SqlResult<Value> cannot(const Value& v, const SqlType& to) {
  return sql_error(kConversionError, "Cannot cast " + type_text(v) + " to " + to.to_string());
}

SqlResult<Value> bad_text(std::string_view text, const SqlType& to) {
  return sql_error(kConversionError, "Cannot convert '" + std::string(text.substr(0, 200)) + "' to " + to.to_string());
}

SqlResult<Value> out_of_range(const std::string& what, const SqlType& to) {
  return sql_error(kOverflow, "Value " + what + " is out of range for " + to.to_string());
}

// Round-half-away-from-zero division of an int128 by 10^n.
// v / 10^n rounded half away from zero (n < 0 multiplies); nullopt when a
// multiplication leaves int128. For n > 38 every int128 rounds to 0.
std::optional<__int128> checked_div_round(__int128 v, int n) {
  if (n <= 0) {
    if (v == 0) return v;
    if (n < -38) return std::nullopt;
    const __int128 p = pow10_128(-n);
    const __int128 limit = (~static_cast<unsigned __int128>(0) >> 1) / static_cast<unsigned __int128>(p);
    if (v > limit || v < -limit) return std::nullopt;
    return v * p;
  }
  if (n > 38) return 0;
  const __int128 p = pow10_128(n);
  __int128 q = v / p, r = v % p;
  if (r < 0) r = -r;
  if (r * 2 >= p) q += v < 0 ? -1 : 1;
  return q;
}

// For callers whose n > 0 or whose values are bounded (18-digit DECIMALs).
__int128 div_round(__int128 v, int n) {
  if (n <= 0) return v * pow10_128(-n);
  if (n > 38) return 0;
  const __int128 p = pow10_128(n);
  __int128 q = v / p, r = v % p;
  if (r < 0) r = -r;
  if (r * 2 >= p) q += v < 0 ? -1 : 1;
  return q;
}

// An exact numeric as an int128 with a scale.
std::pair<__int128, int> exact_of(const Value& v) {
  return {v.as_int(), v.kind() == TypeKind::kDecimal ? v.scale() : 0};
}

SqlResult<Value> to_integer_kind(const Value& v, const SqlType& to) {
  __int128 x;
  if (SqlType::of(v.kind()).is_approx_numeric()) {
    const double d = v.as_double();
    if (!std::isfinite(d) || std::fabs(d) >= 9.3e18) return out_of_range(v.to_string(), to);
    x = static_cast<__int128>(std::round(d));
  } else {
    auto [u, s] = exact_of(v);
    x = div_round(u, s);
  }
  if (x < integer_min(to.kind) || x > integer_max(to.kind)) return out_of_range(v.to_string(), to);
  return Value::integer_of(to.kind, static_cast<int64_t>(x));
}

SqlResult<Value> to_decimal(const Value& v, const SqlType& to) {
  __int128 x;
  if (SqlType::of(v.kind()).is_approx_numeric()) {
    const double d = v.as_double();
    const double scaled = d * std::pow(10.0, to.scale);
    if (!std::isfinite(scaled) || std::fabs(scaled) >= 1e19) return out_of_range(v.to_string(), to);
    x = static_cast<__int128>(std::round(scaled));
  } else {
    auto [u, s] = exact_of(v);
    x = div_round(u, s - to.scale);
  }
  const __int128 limit = pow10_128(to.length);
  if (x >= limit || x <= -limit) return out_of_range(v.to_string(), to);
  return Value::decimal(static_cast<int64_t>(x), to.scale);
}

// Text to an exact or approximate number. Accepts what Java's BigDecimal
// and Double.parseDouble accept for plain numbers: sign, digits, a point,
// an exponent.
SqlResult<Value> text_to_number(std::string_view raw, const SqlType& to) {
  const std::string_view s = trim(raw);
  if (to.is_approx_numeric()) {
    double d = 0;
    std::string_view t = s;
    if (!t.empty() && t[0] == '+') t.remove_prefix(1);
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (t.empty() || ec == std::errc::invalid_argument || p != t.data() + t.size()) {
      if (t == "NaN")
        d = std::numeric_limits<double>::quiet_NaN();
      else if (t == "Infinity")
        d = std::numeric_limits<double>::infinity();
      else if (s == "-Infinity")
        d = -std::numeric_limits<double>::infinity();
      else
        return bad_text(raw, to);
    } else if (ec == std::errc::result_out_of_range) {
      return out_of_range(std::string(s), to);
    }
    if (to.kind == TypeKind::kReal && std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max())
      return out_of_range(std::string(s), to);
    return to.kind == TypeKind::kReal ? Value::real(d) : Value::dbl(d);
  }
  // Exact: digits into an int128 with a scale.
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  __int128 u = 0;
  int scale = 0, digits = 0;
  bool seen_point = false, any = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (digits < 36) {
        u = u * 10 + (c - '0');
        if (u != 0) ++digits;
        if (seen_point) ++scale;
      } else if (!seen_point) {
        return out_of_range(std::string(s), to);
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any) return bad_text(raw, to);
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    int exp = 0;
    std::string_view e = s.substr(i);
    if (!e.empty() && e[0] == '+') e.remove_prefix(1);
    auto [p, ec] = std::from_chars(e.data(), e.data() + e.size(), exp);
    if (ec != std::errc() || p != e.data() + e.size() || exp > 40 || exp < -40) return bad_text(raw, to);
    scale -= exp;
    i = s.size();
  }
  if (i != s.size()) return bad_text(raw, to);
  if (neg) u = -u;
  if (scale < 0) {
    // Past 10^37 nothing fits any exact type (18 digits at most).
    if (u != 0 && digits - scale > 37) return out_of_range(std::string(s), to);
    u *= pow10_128(-scale);
    scale = 0;
  }
  if (to.is_integer()) {
    const auto x = checked_div_round(u, scale);
    if (!x || *x < integer_min(to.kind) || *x > integer_max(to.kind)) return out_of_range(std::string(s), to);
    return Value::integer_of(to.kind, static_cast<int64_t>(*x));
  }
  const auto x = checked_div_round(u, scale - to.scale);
  if (!x || *x >= pow10_128(to.length) || *x <= -pow10_128(to.length)) return out_of_range(std::string(s), to);
  return Value::decimal(static_cast<int64_t>(*x), to.scale);
}

SqlResult<Value> text_to_character(std::string text, const SqlType& to, bool truncate) {
  const size_t n = static_cast<size_t>(to.length);
  if (text.size() > n) {
    // Lengths count characters; cut on a UTF-8 boundary.
    size_t chars = 0, i = 0;
    while (i < text.size() && chars < n) {
      ++chars;
      ++i;
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    }
    if (i < text.size()) {
      if (!truncate) {
        return sql_error(kStringTooLong, "Value '" + text.substr(0, 200) + "' does not fit " + to.to_string());
      }
      text.resize(i);
    }
  }
  if (to.kind == TypeKind::kChar) {
    size_t chars = 0;
    for (unsigned char c : text)
      if ((c & 0xC0) != 0x80) ++chars;
    if (chars < n) text.append(n - chars, ' ');
    return Value::chr(std::move(text));
  }
  return Value::varchar(std::move(text));
}

SqlResult<Value> bytes_to_binary(std::string bytes, const SqlType& to) {
  const size_t n = static_cast<size_t>(to.length);
  if (bytes.size() > n) bytes.resize(n);
  if (to.kind == TypeKind::kBinary) {
    bytes.resize(n, '\0');
    return Value::binary(std::move(bytes));
  }
  return Value::varbinary(std::move(bytes));
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

SqlResult<Value> text_to_value(std::string_view text, const SqlType& to, bool truncate) {
  if (to.is_character()) return text_to_character(std::string(text), to, truncate);
  if (to.is_numeric()) return text_to_number(text, to);
  const std::string_view s = trim(text);
  switch (to.kind) {
    case TypeKind::kBoolean: {
      std::string u(s);
      for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (u == "TRUE") return Value::boolean(true);
      if (u == "FALSE") return Value::boolean(false);
      if (u == "UNKNOWN") return Value::null(TypeKind::kBoolean);
      return bad_text(text, to);
    }
    case TypeKind::kDate:
      if (auto d = parse_date_text(s)) return Value::date(*d);
      // A timestamp's text gives its date.
      if (auto t = parse_timestamp_text(s)) return Value::date(floor_div(*t, kMillisPerDay));
      return bad_text(text, to);
    case TypeKind::kTime:
      if (auto t = parse_time_text(s)) return Value::time(*t);
      return bad_text(text, to);
    case TypeKind::kTimestamp:
      if (auto t = parse_timestamp_text(s)) return Value::timestamp(*t);
      return bad_text(text, to);
    case TypeKind::kIntervalDayTime:
    case TypeKind::kIntervalYearMonth: return parse_interval_text(s, to);
    case TypeKind::kBinary:
    case TypeKind::kVarbinary: {
      std::string_view h = s;
      if (h.size() >= 3 && (h[0] == 'X' || h[0] == 'x') && h[1] == '\'' && h.back() == '\'') {
        h = h.substr(2, h.size() - 3);
      }
      if (h.size() % 2 != 0) return bad_text(text, to);
      std::string bytes;
      for (size_t i = 0; i < h.size(); i += 2) {
        const int a = hex_digit(h[i]), b = hex_digit(h[i + 1]);
        if (a < 0 || b < 0) return bad_text(text, to);
        bytes += static_cast<char>(a * 16 + b);
      }
      return bytes_to_binary(std::move(bytes), to);
    }
    default: return bad_text(text, to);
  }
}

}  // namespace

int64_t integer_min(TypeKind k) {
  switch (k) {
    case TypeKind::kTinyint: return -128;
    case TypeKind::kSmallint: return -32768;
    case TypeKind::kInteger: return std::numeric_limits<int32_t>::min();
    default: return std::numeric_limits<int64_t>::min();
  }
}

int64_t integer_max(TypeKind k) {
  switch (k) {
    case TypeKind::kTinyint: return 127;
    case TypeKind::kSmallint: return 32767;
    case TypeKind::kInteger: return std::numeric_limits<int32_t>::max();
    default: return std::numeric_limits<int64_t>::max();
  }
}

int64_t unit_millis(TimeUnit u) {
  switch (u) {
    case TimeUnit::kWeek: return 7 * kMillisPerDay;
    case TimeUnit::kDay: return kMillisPerDay;
    case TimeUnit::kHour: return 3'600'000;
    case TimeUnit::kMinute: return 60'000;
    case TimeUnit::kSecond: return 1000;
    case TimeUnit::kMillisecond: return 1;
    default: return 0;
  }
}

SqlResult<int64_t> rescale_decimal(int64_t unscaled, int from_scale, int scale, int precision) {
  const auto x = checked_div_round(unscaled, from_scale - scale);
  const __int128 limit = pow10_128(std::clamp(precision, 0, 38));
  if (!x || *x >= limit || *x <= -limit) {
    return sql_error(kOverflow, "Value " + format_decimal(unscaled, from_scale) + " is out of range for DECIMAL(" +
                                    std::to_string(precision) + "," + std::to_string(scale) + ")");
  }
  return static_cast<int64_t>(*x);
}

SqlResult<Value> parse_interval_text(std::string_view text, const SqlType& type) {
  std::string_view s = trim(text);
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (type.kind == TypeKind::kIntervalYearMonth) {
    int64_t y = 0, m = 0;
    const char* p = s.data();
    const char* end = s.data() + s.size();
    int64_t first = 0;
    auto r = std::from_chars(p, end, first);
    if (r.ec != std::errc()) return bad_text(text, type);
    if (type.start == TimeUnit::kYear && type.end == TimeUnit::kMonth) {
      if (r.ptr == end || *r.ptr != '-') return bad_text(text, type);
      auto r2 = std::from_chars(r.ptr + 1, end, m);
      if (r2.ec != std::errc() || r2.ptr != end || m > 11) return bad_text(text, type);
      y = first;
    } else if (r.ptr != end) {
      return bad_text(text, type);
    } else if (type.start == TimeUnit::kYear) {
      y = first;
    } else {
      m = first;
    }
    if (y > 100'000'000 || m > 1'200'000'000) return out_of_range(std::string(text), type);
    const int64_t months = y * 12 + m;
    return Value::interval_year_month(neg ? -months : months);
  }
  // Day-time: fields from start to end, separated by ' ' (after DAY), ':'
  // (between HOUR, MINUTE, SECOND) and '.' (the fraction of SECOND).
  static constexpr TimeUnit kOrder[] = {TimeUnit::kDay, TimeUnit::kHour, TimeUnit::kMinute, TimeUnit::kSecond};
  size_t i = 0;
  int64_t total = 0;
  bool started = false;
  for (TimeUnit u : kOrder) {
    if (static_cast<int>(u) < static_cast<int>(type.start)) continue;
    if (static_cast<int>(u) > static_cast<int>(type.end)) break;
    if (started) {
      const char sep = u == TimeUnit::kHour ? ' ' : ':';
      if (i >= s.size() || s[i] != sep) return bad_text(text, type);
      ++i;
    }
    int64_t v = 0;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 12) v = v * 10 + (s[i++] - '0');
    if (i == start) return bad_text(text, type);
    if (started && ((u == TimeUnit::kHour && v > 23) || (u != TimeUnit::kHour && v > 59))) return bad_text(text, type);
    int64_t part;
    if (__builtin_mul_overflow(v, unit_millis(u), &part) || __builtin_add_overflow(total, part, &total)) {
      return out_of_range(std::string(text), type);
    }
    started = true;
  }
  if (type.end == TimeUnit::kSecond && i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    int64_t frac = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 3) frac = frac * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return bad_text(text, type);
    for (; n < 3; ++n) frac *= 10;
    total += frac;
  }
  if (i != s.size()) return bad_text(text, type);
  return Value::interval_day_time(neg ? -total : total);
}

SqlResult<Value> cast_value(const Value& v, const SqlType& to, const SqlType* source) {
  if (v.is_null()) return Value::null(to.kind);
  const SqlType from = SqlType::of(v.kind());
  if (from.kind != TypeKind::kNull && !castable(from, to)) return cannot(v, to);
  if (from.is_character()) {
    std::string_view text = v.as_string();
    return text_to_value(text, to, /*truncate=*/true);
  }
  if (to.is_character()) {
    // Values other than text must fit whole.
    return text_to_character(v.to_string(), to, /*truncate=*/false);
  }
  if (from.is_numeric()) {
    if (to.is_integer()) return to_integer_kind(v, to);
    if (to.kind == TypeKind::kDecimal) return to_decimal(v, to);
    if (to.kind == TypeKind::kReal) {
      const double d = v.to_double();
      if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max()) return out_of_range(v.to_string(), to);
      return Value::real(d);
    }
    if (to.kind == TypeKind::kDouble) return Value::dbl(v.to_double());
    return cannot(v, to);
  }
  switch (from.kind) {
    case TypeKind::kBoolean: return v;
    case TypeKind::kDate:
      if (to.kind == TypeKind::kDate) return v;
      return Value::timestamp(v.as_int() * kMillisPerDay);
    case TypeKind::kTime:
      if (to.kind == TypeKind::kTime) return v;
      return Value::timestamp(v.as_int());
    case TypeKind::kTimestamp:
      if (to.kind == TypeKind::kDate) return Value::date(floor_div(v.as_int(), kMillisPerDay));
      if (to.kind == TypeKind::kTime) return Value::time(floor_mod(v.as_int(), kMillisPerDay));
      return v;
    case TypeKind::kIntervalDayTime:
    case TypeKind::kIntervalYearMonth: {
      if (to.is_interval()) return v;
      // The count of the qualifier's last unit (INTERVAL '2' HOUR is 2);
      // without the source type, milliseconds or months.
      int64_t per = 1;
      if (from.kind == TypeKind::kIntervalDayTime && source && source->is_interval()) {
        per = unit_millis(source->end);
      }
      const Value n = Value::bigint(v.as_int() / per);
      return to.kind == TypeKind::kBigint ? n : to_decimal(n, to);
    }
    case TypeKind::kBinary:
    case TypeKind::kVarbinary: return bytes_to_binary(v.as_string(), to);
    default: return cannot(v, to);
  }
}

SqlResult<Value> assign_value(const Value& v, const SqlType& to) {
  if (v.is_null()) return Value::null(to.kind);
  if (!assignable(SqlType::of(v.kind()), to)) return cannot(v, to);
  if (SqlType::of(v.kind()).is_character()) return text_to_character(v.as_string(), to, /*truncate=*/true);
  return cast_value(v, to);
}

SqlResult<Value> parse_text_as(std::string_view text, const SqlType& to) {
  return text_to_value(text, to, /*truncate=*/true);
}

}  // namespace runnel::sql
