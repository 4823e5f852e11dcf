#pragma once
// The timestamp and date text forms Firehose's JSON deserializers read
// (docs/firehose-delivery.md, "Record format conversion"): Java's
// java.sql.Timestamp.valueOf and java.sql.Date.valueOf, the forms the OpenX
// JSON SerDe accepts, and a JodaTime DateTimeFormat pattern compiled for
// parsing (the Hive JSON SerDe's TimestampFormats). Every result is UTC: a
// text without an offset is read as UTC. Pure functions; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/value.h"

namespace runnel::firehose {

// Days since 1970-01-01 of a proleptic Gregorian date (no range check).
int64_t days_from_civil(int64_t year, int month, int day);

// java.sql.Timestamp.valueOf: `yyyy-[m]m-[d]d hh:mm:ss[.f...]` with 1 to 9
// fraction digits, surrounding blanks ignored. nullopt if `text` is not one.
std::optional<parquet::Timestamp> parse_sql_timestamp(std::string_view text);

// java.sql.Date.valueOf: `yyyy-[m]m-[d]d`. The days since 1970-01-01.
std::optional<int32_t> parse_sql_date(std::string_view text);

// Epoch time written as a number: an integer is seconds when its magnitude
// is below 10^11 and milliseconds otherwise; a number with a fraction is
// seconds (up to 9 fraction digits kept). nullopt if `text` is not a plain
// decimal number.
std::optional<parquet::Timestamp> parse_epoch_number(std::string_view text);

// What the OpenX JSON SerDe reads as a timestamp: `yyyy-MM-dd'T'HH:mm:ss[.S]`
// followed by `Z`, `±hh:mm` or nothing; the java.sql.Timestamp form; or an
// epoch number (parse_epoch_number).
std::optional<parquet::Timestamp> parse_openx_timestamp(std::string_view text);

// A JodaTime DateTimeFormat pattern compiled for parsing. Supported letters:
// y/Y (year), M (MM numeric, MMM short name, MMMM full name), d, H, h with a,
// m, s, S (fraction, up to 9 digits), E (day name, read and ignored), Z/ZZ
// (`Z`, `±hhmm` or `±hh:mm`); quoted text ('T', '' for a quote) and any other
// non-letter are literals. Names match in any case, as Joda parses.
class JodaPattern {
 public:
  // kInvalidArgument for an empty pattern, an unclosed quote, a 2-digit year
  // (`yy`, whose pivot year Joda takes from the clock) or another letter.
  static Result<JodaPattern> compile(std::string_view pattern);

  // The instant if the whole of `text` matches, else nullopt.
  std::optional<parquet::Timestamp> parse(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Token {
    char letter = 0;  // 0: literal
    int count = 0;
    std::string literal;
  };
  std::string pattern_;
  std::vector<Token> tokens_;
};

}  // namespace runnel::firehose
