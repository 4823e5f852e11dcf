#pragma once
// The SQL types of the Kinesis Data Analytics (KDA) dialect, as a planner and
// the record formats see them: what a column or an expression holds, how a
// RecordColumn.SqlType string ("VARCHAR(4)", "DECIMAL(5,2)") names one, and
// the rules that pick the type of `a + b` or of a comparison.
//
// KDA's limits (SQL Reference, "Data Types" and "Numeric Types and
// Precision"): DECIMAL has at most 18 digits of precision, default (18,0);
// CHAR/VARCHAR lengths are 1..65535; TIMESTAMP has millisecond precision;
// intervals are expression types (a column cannot be declared INTERVAL).
//
// Threads: values of these types are immutable; every function is pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace runnel::sql {

enum class TypeKind : uint8_t {
  kNull,  // the type of a bare NULL literal before it is given one
  kBoolean,
  kTinyint,
  kSmallint,
  kInteger,
  kBigint,
  kDecimal,
  kReal,
  kDouble,
  kChar,
  kVarchar,
  kBinary,
  kVarbinary,
  kDate,
  kTime,
  kTimestamp,
  kIntervalDayTime,    // held as milliseconds
  kIntervalYearMonth,  // held as months
};

// The units of interval qualifiers, EXTRACT, FLOOR/CEIL(ts TO unit).
enum class TimeUnit : uint8_t { kYear, kQuarter, kMonth, kWeek, kDay, kHour, kMinute, kSecond, kMillisecond };

std::string_view time_unit_name(TimeUnit u);
std::optional<TimeUnit> parse_time_unit(std::string_view name);  // case-insensitive

inline constexpr int kMaxDecimalPrecision = 18;
inline constexpr int kMaxCharLength = 65535;

struct SqlType {
  TypeKind kind = TypeKind::kNull;
  // CHAR/VARCHAR/BINARY/VARBINARY: the declared length; DECIMAL: precision.
  int32_t length = 0;
  int8_t scale = 0;  // DECIMAL only
  // Intervals: the qualifier, e.g. DAY TO SECOND (start kDay, end kSecond).
  TimeUnit start = TimeUnit::kDay;
  TimeUnit end = TimeUnit::kDay;

  static SqlType null() { return {}; }
  static SqlType of(TypeKind k) { return SqlType{k}; }
  static SqlType decimal(int precision, int scale) {
    return SqlType{TypeKind::kDecimal, precision, static_cast<int8_t>(scale)};
  }
  static SqlType varchar(int n) { return SqlType{TypeKind::kVarchar, n}; }
  static SqlType chr(int n) { return SqlType{TypeKind::kChar, n}; }
  static SqlType interval_day_time(TimeUnit s = TimeUnit::kDay, TimeUnit e = TimeUnit::kSecond) {
    return SqlType{TypeKind::kIntervalDayTime, 0, 0, s, e};
  }
  static SqlType interval_year_month(TimeUnit s = TimeUnit::kYear, TimeUnit e = TimeUnit::kMonth) {
    return SqlType{TypeKind::kIntervalYearMonth, 0, 0, s, e};
  }

  bool is_integer() const {
    return kind == TypeKind::kTinyint || kind == TypeKind::kSmallint || kind == TypeKind::kInteger ||
           kind == TypeKind::kBigint;
  }
  bool is_exact_numeric() const { return is_integer() || kind == TypeKind::kDecimal; }
  bool is_approx_numeric() const { return kind == TypeKind::kReal || kind == TypeKind::kDouble; }
  bool is_numeric() const { return is_exact_numeric() || is_approx_numeric(); }
  bool is_character() const { return kind == TypeKind::kChar || kind == TypeKind::kVarchar; }
  bool is_binary() const { return kind == TypeKind::kBinary || kind == TypeKind::kVarbinary; }
  bool is_datetime() const {
    return kind == TypeKind::kDate || kind == TypeKind::kTime || kind == TypeKind::kTimestamp;
  }
  bool is_interval() const { return kind == TypeKind::kIntervalDayTime || kind == TypeKind::kIntervalYearMonth; }

  // The SQL spelling: "VARCHAR(4)", "DECIMAL(5,2)", "INTERVAL DAY TO SECOND".
  std::string to_string() const;

  friend bool operator==(const SqlType&, const SqlType&) = default;
};

// A type as KDA's RecordColumn.SqlType or a CAST target spells it. Accepts
// the synonyms KDA listed (INT, DEC, NUMERIC, CHARACTER, CHARACTER VARYING,
// DOUBLE PRECISION, FLOAT = DOUBLE), any case and spacing, and checks the
// limits above. "VARCHAR" without a length is VARCHAR(65535); "CHAR" is
// CHAR(1); "DECIMAL" is DECIMAL(18,0), "DECIMAL(p)" DECIMAL(p,0).
[[nodiscard]] Result<SqlType> parse_sql_type(std::string_view text);

// The precision of an exact numeric type as a decimal (INTEGER is (10,0)).
int decimal_precision(const SqlType& t);
int decimal_scale(const SqlType& t);

// Whether values of `a` and `b` may be compared (=, <, IN, CASE arms):
// numerics with numerics, characters with characters, binaries with
// binaries, BOOLEAN with BOOLEAN, a datetime with the same datetime, an
// interval with an interval of the same family; NULL with anything.
bool comparable(const SqlType& a, const SqlType& b);

// The type both sides are brought to before comparing them, or that a CASE
// or UNION of them has: an approximate numeric wins (DOUBLE unless both are
// REAL); then DECIMAL with enough whole and fractional digits (capped at 18);
// else the wider integer. CHAR+CHAR is CHAR of the longer, any other mix of
// characters VARCHAR of the longer. nullopt when not comparable.
std::optional<SqlType> common_type(const SqlType& a, const SqlType& b);

enum class ArithOp : uint8_t { kAdd, kSubtract, kMultiply, kDivide, kMod };

// The type of `a op b`, by KDA's rules ("Numeric Types and Precision"):
// integers give the wider integer (overflow is a runtime error); DECIMAL
// add/subtract s = max(s1,s2), p = max(p1-s1, p2-s2) + s + 1; multiply
// p = p1+p2, s = s1+s2; divide d = p1-s1+s2, s = max(6, s1+p2+1), p = d+s;
// all capped at 18 with s <= p (a capped quotient keeps at least s1 digits
// of scale, then as many whole digits as d asks). Datetime arithmetic: datetime ± interval is
// the datetime, interval ± interval the interval, interval * or / numeric the
// interval; TIMESTAMP - TIMESTAMP (and DATE - DATE, TIME - TIME) is a
// day-time interval. nullopt when the operator does not apply.
std::optional<SqlType> arithmetic_type(ArithOp op, const SqlType& a, const SqlType& b);

// Whether CAST(a AS b) is allowed, by the table of KDA's CAST page.
bool castable(const SqlType& from, const SqlType& to);

// Whether a value of `from` goes into a column of `to` without a CAST
// (INSERT INTO a stream, a pump's column list): within numerics, within
// characters, within binaries, and identical datetime/boolean kinds.
bool assignable(const SqlType& from, const SqlType& to);

}  // namespace runnel::sql
