#pragma once
// Conversions between SQL values: CAST's rules (KDA SQL Reference, "CAST"),
// the implicit conversions of assignment, and reading text into a typed
// value (CAST from VARCHAR, the CSV and JSON record formats).
//
// Threads: pure functions.

#include <string_view>

#include "sql/types.h"
#include "sql/value.h"

namespace runnel::sql {

// CAST(v AS to). NULL gives a NULL of `to`. Rules:
// - numeric to integer rounds half away from zero ("The real is rounded by
//   the cast"); to DECIMAL(p,s) rounds half up to s digits; a value that
//   does not fit is a NUMERIC_VALUE_OUT_OF_RANGE error.
// - anything to CHAR(n)/VARCHAR(n) prints the value (Value::to_string);
//   a character source longer than n is truncated, any other source that
//   does not fit is an error (KDA: "if an inadequate output specification
//   is supplied, no rows are selected"); CHAR pads with blanks.
// - text to a number, BOOLEAN ('TRUE'/'FALSE', any case), DATE, TIME,
//   TIMESTAMP or a day-time interval parses it (blanks around ignored);
//   text that does not parse is a CONVERSION_ERROR.
// - DATE to TIMESTAMP is midnight; TIME to TIMESTAMP is that time on
//   1970-01-01; TIMESTAMP to DATE/TIME takes its part.
// - an interval to BIGINT/DECIMAL counts the last unit of `source`'s
//   qualifier (INTERVAL '2' HOUR is 2); without `source`, milliseconds
//   (day-time) or months (year-month).
// - BINARY(n) pads with zero bytes, BINARY/VARBINARY(n) truncate.
// Casts castable() refuses are CONVERSION_ERRORs.
[[nodiscard]] SqlResult<Value> cast_value(const Value& v, const SqlType& to, const SqlType* source = nullptr);

// A value put into a column of type `to` (INSERT, a pump's target): like
// CAST, but within the types assignable() allows.
[[nodiscard]] SqlResult<Value> assign_value(const Value& v, const SqlType& to);

// Text read into `to`, as the record formats do: strings truncated silently
// to CHAR/VARCHAR(n); BINARY/VARBINARY from X'..' hex (or plain hex digits);
// numbers, BOOLEAN, datetimes parsed as by cast_value.
[[nodiscard]] SqlResult<Value> parse_text_as(std::string_view text, const SqlType& to);

// An interval literal's text under its qualifier: '1 02:03:04.5' for DAY TO
// SECOND, '90' for MINUTE, '2-3' for YEAR TO MONTH; a leading '-' negates.
[[nodiscard]] SqlResult<Value> parse_interval_text(std::string_view text, const SqlType& type);

// Milliseconds in one unit of a day-time interval field (DAY..MILLISECOND).
int64_t unit_millis(TimeUnit u);

// A DECIMAL rescaled to `scale` (rounding half away from zero), checked to
// fit `precision` digits.
[[nodiscard]] SqlResult<int64_t> rescale_decimal(int64_t unscaled, int from_scale, int scale, int precision);

// The range of an integer kind.
int64_t integer_min(TypeKind k);
int64_t integer_max(TypeKind k);

}  // namespace runnel::sql
