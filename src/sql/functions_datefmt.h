#pragma once
// Java SimpleDateFormat patterns, which KDA's CHAR_TO_TIMESTAMP,
// TIMESTAMP_TO_CHAR and their DATE/TIME siblings take, always in UTC.
//
// Letters: G era (AD/BC); y year ("yy" parses two digits into the century
// around now, "y" and "yyyy" take the year literally); Y week year (as y);
// M/L month (1-2 digits numeric, 3 letters short name, 4+ full name); d day
// of month; D day of year; E day name (3 short, 4+ full); u day of week
// (1 = Monday); a AM/PM; H hour 0-23; k hour 1-24; K hour 0-11; h hour
// 1-12; m minute; s second; S millisecond; z, Z, X time zone (formatted as
// UTC, "+0000", "Z"; parsed as an offset that is applied). 'text' is
// literal text, '' a quote; other non-letters are literal. w, W and F
// format only.
//
// Parsing follows Java's: blanks before a field are skipped; a numeric field takes as many digits as are there
// unless the next field is numeric and adjacent (then exactly its width);
// text after the pattern is ignored; fields missing from the pattern take
// 1970-01-01 00:00:00.000. Unlike Java's lenient mode, values out of range
// (month 13, hour 25) do not parse (KDA: "2011 is not a valid month").
//
// Threads: a DateFormat is immutable; parse and format are reentrant.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::sql {

class DateFormat {
 public:
  [[nodiscard]] static Result<DateFormat> compile(std::string_view pattern);

  // Milliseconds since the epoch (UTC), or nullopt when `text` does not
  // match the pattern.
  std::optional<int64_t> parse(std::string_view text) const;
  std::string format(int64_t millis) const;

  struct Field {
    char letter = 0;  // 0 for literal text
    int count = 0;
    std::string literal;
  };

 private:
  std::vector<Field> fields_;
};

}  // namespace runnel::sql
