#include "sql/types.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace runnel::sql {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Splits "DOUBLE  PRECISION(x)" style text into words and an optional
// parenthesised argument list.
struct TypeWords {
  std::vector<std::string> words;
  std::vector<int64_t> args;
  bool has_parens = false;
};

std::optional<TypeWords> split(std::string_view text) {
  TypeWords out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip_space();
  while (i < text.size() && text[i] != '(') {
    size_t start = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
    if (i == start) return std::nullopt;
    out.words.push_back(upper(text.substr(start, i - start)));
    skip_space();
  }
  if (i < text.size() && text[i] == '(') {
    out.has_parens = true;
    ++i;
    while (true) {
      skip_space();
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
      if (ec != std::errc()) return std::nullopt;
      i = static_cast<size_t>(p - text.data());
      out.args.push_back(v);
      skip_space();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == ')') {
        ++i;
        break;
      }
      return std::nullopt;
    }
    skip_space();
    // Interval qualifiers may follow: INTERVAL DAY(3) TO SECOND.
    while (i < text.size()) {
      size_t start = i;
      while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
      if (i == start) return std::nullopt;
      out.words.push_back(upper(text.substr(start, i - start)));
      skip_space();
    }
  }
  if (i != text.size() || out.words.empty()) return std::nullopt;
  return out;
}

bool unit_rank_ok(TimeUnit s, TimeUnit e) { return static_cast<int>(s) <= static_cast<int>(e); }

bool is_year_month_unit(TimeUnit u) { return u == TimeUnit::kYear || u == TimeUnit::kMonth; }

int integer_rank(TypeKind k) {
  switch (k) {
    case TypeKind::kTinyint: return 1;
    case TypeKind::kSmallint: return 2;
    case TypeKind::kInteger: return 3;
    case TypeKind::kBigint: return 4;
    default: return 0;
  }
}

SqlType capped_decimal(int p, int s) {
  p = std::min(p, kMaxDecimalPrecision);
  s = std::min(s, p);
  return SqlType::decimal(std::max(p, 1), std::max(s, 0));
}

}  // namespace

std::string_view time_unit_name(TimeUnit u) {
  switch (u) {
    case TimeUnit::kYear: return "YEAR";
    case TimeUnit::kQuarter: return "QUARTER";
    case TimeUnit::kMonth: return "MONTH";
    case TimeUnit::kWeek: return "WEEK";
    case TimeUnit::kDay: return "DAY";
    case TimeUnit::kHour: return "HOUR";
    case TimeUnit::kMinute: return "MINUTE";
    case TimeUnit::kSecond: return "SECOND";
    case TimeUnit::kMillisecond: return "MILLISECOND";
  }
  return "?";
}

std::optional<TimeUnit> parse_time_unit(std::string_view name) {
  const std::string u = upper(name);
  for (TimeUnit t : {TimeUnit::kYear, TimeUnit::kQuarter, TimeUnit::kMonth, TimeUnit::kWeek, TimeUnit::kDay,
                     TimeUnit::kHour, TimeUnit::kMinute, TimeUnit::kSecond, TimeUnit::kMillisecond}) {
    if (u == time_unit_name(t)) return t;
  }
  return std::nullopt;
}

std::string SqlType::to_string() const {
  switch (kind) {
    case TypeKind::kNull: return "NULL";
    case TypeKind::kBoolean: return "BOOLEAN";
    case TypeKind::kTinyint: return "TINYINT";
    case TypeKind::kSmallint: return "SMALLINT";
    case TypeKind::kInteger: return "INTEGER";
    case TypeKind::kBigint: return "BIGINT";
    case TypeKind::kDecimal: return "DECIMAL(" + std::to_string(length) + "," + std::to_string(scale) + ")";
    case TypeKind::kReal: return "REAL";
    case TypeKind::kDouble: return "DOUBLE";
    case TypeKind::kChar: return "CHAR(" + std::to_string(length) + ")";
    case TypeKind::kVarchar: return "VARCHAR(" + std::to_string(length) + ")";
    case TypeKind::kBinary: return "BINARY(" + std::to_string(length) + ")";
    case TypeKind::kVarbinary: return "VARBINARY(" + std::to_string(length) + ")";
    case TypeKind::kDate: return "DATE";
    case TypeKind::kTime: return "TIME";
    case TypeKind::kTimestamp: return "TIMESTAMP";
    case TypeKind::kIntervalDayTime:
    case TypeKind::kIntervalYearMonth: {
      std::string s = "INTERVAL " + std::string(time_unit_name(start));
      if (end != start) s += " TO " + std::string(time_unit_name(end));
      return s;
    }
  }
  return "?";
}

Result<SqlType> parse_sql_type(std::string_view text) {
  auto bad = [&](std::string why) {
    return error(Status::invalid_argument("invalid SQL type '" + std::string(text) + "': " + why));
  };
  auto parts = split(text);
  if (!parts) return bad("not a type name");
  const auto& w = parts->words;
  const auto& a = parts->args;
  auto name = [&](std::initializer_list<std::string_view> ws) {
    if (w.size() != ws.size()) return false;
    size_t i = 0;
    for (auto x : ws)
      if (w[i++] != x) return false;
    return true;
  };
  auto no_args = [&](TypeKind k) -> Result<SqlType> {
    if (parts->has_parens) return bad("takes no length");
    return SqlType::of(k);
  };
  if (name({"BOOLEAN"})) return no_args(TypeKind::kBoolean);
  if (name({"TINYINT"})) return no_args(TypeKind::kTinyint);
  if (name({"SMALLINT"})) return no_args(TypeKind::kSmallint);
  if (name({"INTEGER"}) || name({"INT"})) return no_args(TypeKind::kInteger);
  if (name({"BIGINT"})) return no_args(TypeKind::kBigint);
  if (name({"REAL"})) return no_args(TypeKind::kReal);
  if (name({"DOUBLE"}) || name({"DOUBLE", "PRECISION"}) || name({"FLOAT"})) return no_args(TypeKind::kDouble);
  if (name({"DATE"})) return no_args(TypeKind::kDate);
  if (name({"TIME"}) || name({"TIMESTAMP"})) {
    // TIME(p)/TIMESTAMP(p) name the fractional precision; KDA keeps
    // milliseconds whatever is asked, so any p in 0..9 is accepted.
    if (a.size() > 1 || (a.size() == 1 && (a[0] < 0 || a[0] > 9))) return bad("bad precision");
    return SqlType::of(w[0] == "TIME" ? TypeKind::kTime : TypeKind::kTimestamp);
  }
  if (name({"DECIMAL"}) || name({"DEC"}) || name({"NUMERIC"})) {
    int64_t p = kMaxDecimalPrecision, s = 0;
    if (a.size() > 2) return bad("too many arguments");
    if (!a.empty()) p = a[0];
    if (a.size() == 2) s = a[1];
    if (p < 1 || p > kMaxDecimalPrecision) return bad("precision must be 1 to 18");
    if (s < 0 || s > p) return bad("scale must be 0 to the precision");
    return SqlType::decimal(static_cast<int>(p), static_cast<int>(s));
  }
  TypeKind sized = TypeKind::kNull;
  if (name({"CHAR"}) || name({"CHARACTER"})) sized = TypeKind::kChar;
  if (name({"VARCHAR"}) || name({"CHAR", "VARYING"}) || name({"CHARACTER", "VARYING"})) sized = TypeKind::kVarchar;
  if (name({"BINARY"})) sized = TypeKind::kBinary;
  if (name({"VARBINARY"}) || name({"BINARY", "VARYING"})) sized = TypeKind::kVarbinary;
  if (sized != TypeKind::kNull) {
    if (a.size() > 1) return bad("too many arguments");
    int64_t n = a.empty() ? ((sized == TypeKind::kChar || sized == TypeKind::kBinary) ? 1 : kMaxCharLength) : a[0];
    if (n < 1 || n > kMaxCharLength) return bad("length must be 1 to 65535");
    return SqlType{sized, static_cast<int32_t>(n)};
  }
  if (!w.empty() && w[0] == "INTERVAL") {
    std::optional<TimeUnit> s, e;
    if (w.size() == 2) {
      s = e = parse_time_unit(w[1]);
    } else if (w.size() == 4 && w[2] == "TO") {
      s = parse_time_unit(w[1]);
      e = parse_time_unit(w[3]);
    }
    if (!s || !e || !unit_rank_ok(*s, *e) || *s == TimeUnit::kQuarter || *s == TimeUnit::kWeek ||
        *e == TimeUnit::kMillisecond || *s == TimeUnit::kMillisecond)
      return bad("bad interval qualifier");
    if (is_year_month_unit(*s) != is_year_month_unit(*e)) return bad("mixes year-month and day-time units");
    return is_year_month_unit(*s) ? SqlType::interval_year_month(*s, *e) : SqlType::interval_day_time(*s, *e);
  }
  return bad("unknown type");
}

int decimal_precision(const SqlType& t) {
  switch (t.kind) {
    case TypeKind::kTinyint: return 3;
    case TypeKind::kSmallint: return 5;
    case TypeKind::kInteger: return 10;
    case TypeKind::kBigint: return 19;
    case TypeKind::kDecimal: return t.length;
    default: return 0;
  }
}

int decimal_scale(const SqlType& t) { return t.kind == TypeKind::kDecimal ? t.scale : 0; }

bool comparable(const SqlType& a, const SqlType& b) {
  if (a.kind == TypeKind::kNull || b.kind == TypeKind::kNull) return true;
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.is_character() && b.is_character()) return true;
  if (a.is_binary() && b.is_binary()) return true;
  return a.kind == b.kind;
}

std::optional<SqlType> common_type(const SqlType& a, const SqlType& b) {
  if (!comparable(a, b)) return std::nullopt;
  if (a.kind == TypeKind::kNull) return b;
  if (b.kind == TypeKind::kNull) return a;
  if (a.is_numeric()) {
    if (a.is_approx_numeric() || b.is_approx_numeric()) {
      return SqlType::of(a.kind == TypeKind::kReal && b.kind == TypeKind::kReal ? TypeKind::kReal : TypeKind::kDouble);
    }
    if (a.kind == TypeKind::kDecimal || b.kind == TypeKind::kDecimal) {
      const int s = std::max(decimal_scale(a), decimal_scale(b));
      const int whole = std::max(decimal_precision(a) - decimal_scale(a), decimal_precision(b) - decimal_scale(b));
      return capped_decimal(whole + s, s);
    }
    return integer_rank(a.kind) >= integer_rank(b.kind) ? SqlType::of(a.kind) : SqlType::of(b.kind);
  }
  if (a.is_character()) {
    const int n = std::max(a.length, b.length);
    return SqlType{a.kind == TypeKind::kChar && b.kind == TypeKind::kChar ? TypeKind::kChar : TypeKind::kVarchar, n};
  }
  if (a.is_binary()) {
    const int n = std::max(a.length, b.length);
    return SqlType{
        a.kind == TypeKind::kBinary && b.kind == TypeKind::kBinary ? TypeKind::kBinary : TypeKind::kVarbinary, n};
  }
  if (a.is_interval()) {
    SqlType out = a;
    out.start = static_cast<int>(a.start) <= static_cast<int>(b.start) ? a.start : b.start;
    out.end = static_cast<int>(a.end) >= static_cast<int>(b.end) ? a.end : b.end;
    return out;
  }
  return a;
}

std::optional<SqlType> arithmetic_type(ArithOp op, const SqlType& a, const SqlType& b) {
  if (a.kind == TypeKind::kNull && b.kind == TypeKind::kNull) return std::nullopt;
  // A bare NULL takes the other side's type.
  const SqlType& x = a.kind == TypeKind::kNull ? b : a;
  const SqlType& y = b.kind == TypeKind::kNull ? a : b;
  if (x.is_numeric() && y.is_numeric()) {
    if (x.is_approx_numeric() || y.is_approx_numeric()) {
      return SqlType::of(x.kind == TypeKind::kReal && y.kind == TypeKind::kReal ? TypeKind::kReal : TypeKind::kDouble);
    }
    if (x.is_integer() && y.is_integer()) {
      if (op == ArithOp::kMod) return SqlType::of(y.kind);
      return integer_rank(x.kind) >= integer_rank(y.kind) ? SqlType::of(x.kind) : SqlType::of(y.kind);
    }
    const int p1 = decimal_precision(x), s1 = decimal_scale(x), p2 = decimal_precision(y), s2 = decimal_scale(y);
    switch (op) {
      case ArithOp::kAdd:
      case ArithOp::kSubtract: {
        const int s = std::max(s1, s2);
        return capped_decimal(std::max(p1 - s1, p2 - s2) + s + 1, s);
      }
      case ArithOp::kMultiply: return capped_decimal(p1 + p2, s1 + s2);
      case ArithOp::kDivide: {
        const int d = p1 - s1 + s2;
        const int s = std::max(6, s1 + p2 + 1);
        // Capped at 18 digits: "first giving at least the scale of the first
        // argument (s >= s1) followed by enough whole digits": DECIMAL(10,1)
        // / DECIMAL(10,3) has d = 12, s = 12, so p = 18 and s = 6.
        const int pp = std::min(d + s, kMaxDecimalPrecision);
        const int ss = std::max(std::min(s, pp - d), std::min(s1, pp));
        return SqlType::decimal(pp, std::max(0, ss));
      }
      case ArithOp::kMod: return capped_decimal(std::min(p1 - s1, p2 - s2) + std::max(s1, s2), std::max(s1, s2));
    }
  }
  const bool add_sub = op == ArithOp::kAdd || op == ArithOp::kSubtract;
  if (x.is_datetime() && y.is_interval() && add_sub) {
    if (x.kind == TypeKind::kTime && y.kind == TypeKind::kIntervalYearMonth) return std::nullopt;
    return x;
  }
  if (x.is_interval() && y.is_datetime() && op == ArithOp::kAdd) {
    if (y.kind == TypeKind::kTime && x.kind == TypeKind::kIntervalYearMonth) return std::nullopt;
    return y;
  }
  if (x.is_interval() && y.is_interval() && add_sub && x.kind == y.kind) return common_type(x, y);
  if (x.is_interval() && y.is_numeric() && (op == ArithOp::kMultiply || op == ArithOp::kDivide)) return x;
  if (x.is_numeric() && y.is_interval() && op == ArithOp::kMultiply) return y;
  if (x.is_datetime() && x.kind == y.kind && op == ArithOp::kSubtract) return SqlType::interval_day_time();
  return std::nullopt;
}

bool castable(const SqlType& from, const SqlType& to) {
  if (from.kind == TypeKind::kNull) return true;
  if (from.is_numeric()) return to.is_numeric() || to.is_character();
  if (from.is_character()) {
    return to.is_numeric() || to.is_character() || to.is_datetime() || to.kind == TypeKind::kIntervalDayTime ||
           to.kind == TypeKind::kBoolean;
  }
  switch (from.kind) {
    case TypeKind::kDate: return to.kind == TypeKind::kDate || to.is_character() || to.kind == TypeKind::kTimestamp;
    case TypeKind::kTime: return to.kind == TypeKind::kTime || to.is_character() || to.kind == TypeKind::kTimestamp;
    case TypeKind::kTimestamp: return to.is_datetime() || to.is_character();
    case TypeKind::kIntervalDayTime:
      return to.kind == TypeKind::kIntervalDayTime || to.kind == TypeKind::kBigint || to.kind == TypeKind::kDecimal ||
             to.is_character();
    case TypeKind::kIntervalYearMonth:
      return to.kind == TypeKind::kIntervalYearMonth || to.kind == TypeKind::kBigint || to.kind == TypeKind::kDecimal ||
             to.is_character();
    case TypeKind::kBoolean: return to.kind == TypeKind::kBoolean || to.is_character();
    case TypeKind::kBinary:
    case TypeKind::kVarbinary: return to.is_binary();
    default: return false;
  }
}

bool assignable(const SqlType& from, const SqlType& to) {
  if (from.kind == TypeKind::kNull) return true;
  if (from.is_numeric()) return to.is_numeric();
  if (from.is_character()) return to.is_character();
  if (from.is_binary()) return to.is_binary();
  return from.kind == to.kind;
}

}  // namespace runnel::sql
