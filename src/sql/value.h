#pragma once
// Value: one SQL value of the KDA dialect, NULL-able and typed by its kind;
// Row: the values of one row of an in-application stream, in column order.
//
// Representation (the column's SqlType, kept by the schema, carries lengths
// and the DECIMAL precision; a Value carries only what evaluation needs):
//   BOOLEAN                      bool
//   TINYINT..BIGINT              int64_t (range checked by the operators)
//   DECIMAL                      int64_t unscaled digits and the scale (KDA
//                                allowed 18 digits, so int64 holds any value)
//   REAL, DOUBLE                 double (REAL rounded through float)
//   CHAR, VARCHAR                UTF-8 text (CHAR already blank-padded)
//   BINARY, VARBINARY            bytes
//   DATE                         days since 1970-01-01
//   TIME                         milliseconds since midnight
//   TIMESTAMP                    milliseconds since 1970-01-01 00:00:00 UTC
//                                (KDA's precision is the millisecond)
//   INTERVAL day-time            milliseconds; year-month: months
//
// Threads: a Value is a plain value type; share one between threads only
// read-only.

#include <compare>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/types.h"

namespace runnel::sql {

class Value {
 public:
  Value() = default;  // NULL of unknown type

  static Value null(TypeKind k = TypeKind::kNull) {
    Value v;
    v.kind_ = k;
    return v;
  }
  static Value boolean(bool b) { return Value(TypeKind::kBoolean, b ? 1 : 0); }
  static Value integer_of(TypeKind k, int64_t i) { return Value(k, i); }
  static Value tinyint(int64_t i) { return Value(TypeKind::kTinyint, i); }
  static Value smallint(int64_t i) { return Value(TypeKind::kSmallint, i); }
  static Value integer(int64_t i) { return Value(TypeKind::kInteger, i); }
  static Value bigint(int64_t i) { return Value(TypeKind::kBigint, i); }
  static Value decimal(int64_t unscaled, int scale) {
    Value v(TypeKind::kDecimal, unscaled);
    v.scale_ = static_cast<int8_t>(scale);
    return v;
  }
  static Value real(double d) {
    Value v(TypeKind::kReal, 0);
    v.d_ = static_cast<float>(d);
    return v;
  }
  static Value dbl(double d) {
    Value v(TypeKind::kDouble, 0);
    v.d_ = d;
    return v;
  }
  static Value varchar(std::string s) { return Value(TypeKind::kVarchar, std::move(s)); }
  static Value chr(std::string s) { return Value(TypeKind::kChar, std::move(s)); }
  static Value varbinary(std::string bytes) { return Value(TypeKind::kVarbinary, std::move(bytes)); }
  static Value binary(std::string bytes) { return Value(TypeKind::kBinary, std::move(bytes)); }
  static Value date(int64_t days) { return Value(TypeKind::kDate, days); }
  static Value time(int64_t ms) { return Value(TypeKind::kTime, ms); }
  static Value timestamp(int64_t ms) { return Value(TypeKind::kTimestamp, ms); }
  static Value interval_day_time(int64_t ms) { return Value(TypeKind::kIntervalDayTime, ms); }
  static Value interval_year_month(int64_t months) { return Value(TypeKind::kIntervalYearMonth, months); }

  TypeKind kind() const { return kind_; }
  bool is_null() const { return null_; }

  bool as_bool() const { return i_ != 0; }
  // Integers, DECIMAL's unscaled digits, DATE, TIME, TIMESTAMP, intervals.
  int64_t as_int() const { return i_; }
  double as_double() const { return d_; }
  int scale() const { return scale_; }
  const std::string& as_string() const { return s_; }

  bool is_numeric() const { return SqlType::of(kind_).is_numeric(); }
  // Any numeric value as a double (DECIMAL divided by 10^scale).
  double to_double() const;

  // The value as KDA prints it when casting to VARCHAR and in CSV output:
  // integers plainly, DECIMAL with exactly its scale ("12.50"), DOUBLE and
  // REAL as Java's Double.toString ("1.5", "1.0E10", "1.0E-4"), BOOLEAN as
  // TRUE/FALSE, DATE "2008-08-23", TIME "12:34:56", TIMESTAMP as Java's
  // Timestamp.toString ("2017-01-01 00:00:00.0", "... 00:00:00.123"),
  // BINARY as hex digits, day-time intervals "+1 02:03:04.000". NULL is
  // "NULL" here; output formats decide how they show NULL.
  std::string to_string() const;

  // GROUP BY / hash-join key semantics: NULL equals NULL; values of one
  // column compare by value (DECIMALs of different scale that are equal
  // compare equal and hash alike).
  size_t hash() const;
  friend bool key_equal(const Value& a, const Value& b);

 private:
  Value(TypeKind k, int64_t i) : kind_(k), null_(false), i_(i) {}
  Value(TypeKind k, std::string s) : kind_(k), null_(false), s_(std::move(s)) {}

  TypeKind kind_ = TypeKind::kNull;
  bool null_ = true;
  int8_t scale_ = 0;
  int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
};

using Row = std::vector<Value>;

// A runtime error of evaluation or of reading a record (division by zero,
// overflow, a value that does not convert). The engine does not stop: it
// writes the row to the in-application error_stream with `name` as
// ERROR_NAME (VARCHAR(32)) and `message` as MESSAGE (VARCHAR(4096)). KDA's
// exact texts are not published; ours are listed in docs/analytics-functions.md.
struct SqlError {
  std::string name;
  std::string message;
};
template <class T>
using SqlResult = std::expected<T, SqlError>;
inline std::unexpected<SqlError> sql_error(std::string_view name, std::string message) {
  return std::unexpected<SqlError>(SqlError{std::string(name), std::move(message)});
}
// The ERROR_NAMEs we use.
inline constexpr std::string_view kDivisionByZero = "DIVISION_BY_ZERO";
inline constexpr std::string_view kOverflow = "NUMERIC_VALUE_OUT_OF_RANGE";
inline constexpr std::string_view kConversionError = "CONVERSION_ERROR";
inline constexpr std::string_view kInvalidArgument = "INVALID_ARGUMENT";
inline constexpr std::string_view kStringTooLong = "STRING_DATA_RIGHT_TRUNCATION";
inline constexpr std::string_view kParseError = "PARSE_ERROR";

// SQL's three-valued truth.
enum class Truth : uint8_t { kFalse, kTrue, kUnknown };
inline Truth truth_of(const Value& v) {
  return v.is_null() ? Truth::kUnknown : (v.as_bool() ? Truth::kTrue : Truth::kFalse);
}
inline Value to_value(Truth t) {
  return t == Truth::kUnknown ? Value::null(TypeKind::kBoolean) : Value::boolean(t == Truth::kTrue);
}
Truth truth_and(Truth a, Truth b);
Truth truth_or(Truth a, Truth b);
Truth truth_not(Truth a);

// Orders two non-NULL values of comparable kinds (types.h comparable()):
// numerics by value across kinds (exactly for integers and DECIMALs),
// strings by bytes with CHAR's trailing blanks ignored (PAD SPACE),
// binaries by bytes, BOOLEAN false < true, datetimes and intervals by
// their number. nullopt when either is NULL or the kinds do not compare.
std::optional<std::strong_ordering> compare_values(const Value& a, const Value& b);

// a = b, a < b, ... with SQL's NULL rule: UNKNOWN when either is NULL.
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
Truth compare(CompareOp op, const Value& a, const Value& b);

// a IS [NOT] DISTINCT FROM b: like = but NULL is not distinct from NULL.
bool is_distinct_from(const Value& a, const Value& b);

struct RowKeyHash {
  size_t operator()(const Row& r) const;
};
struct RowKeyEqual {
  bool operator()(const Row& a, const Row& b) const;
};

// Calendar helpers shared by the formats and the functions (proleptic
// Gregorian, UTC, as Java's java.sql types print them for KDA).
struct CivilTime {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
};
int64_t days_from_civil(int64_t y, int m, int d);
CivilTime civil_from_millis(int64_t ms);
int64_t millis_from_civil(const CivilTime& c);
int64_t floor_div(int64_t a, int64_t b);
int64_t floor_mod(int64_t a, int64_t b);

// The text forms KDA reads for datetimes (CAST from VARCHAR and the
// record formats): DATE 'yyyy-MM-dd'; TIME 'HH:mm:ss[.fff]'; TIMESTAMP
// 'yyyy-MM-dd HH:mm:ss[.fff]' or 'yyyy-MM-dd' (midnight). Leading and
// trailing blanks are ignored. nullopt when the text is not one.
std::optional<int64_t> parse_date_text(std::string_view s);
std::optional<int64_t> parse_time_text(std::string_view s);
std::optional<int64_t> parse_timestamp_text(std::string_view s);

std::string format_date(int64_t days);
std::string format_time(int64_t ms);
std::string format_timestamp(int64_t ms);  // Java Timestamp.toString
std::string format_double(double d);       // Java Double.toString
std::string format_decimal(int64_t unscaled, int scale);

}  // namespace runnel::sql
