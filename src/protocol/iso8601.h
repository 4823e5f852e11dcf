#pragma once
// ISO 8601 timestamps as AWS Query and the XML protocols carry them.
//
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::protocol {

// Reads `YYYY-MM-DDThh:mm:ss[.f]` followed by `Z` or an offset `+hh:mm` /
// `-hh:mm` / `+hhmm` (`T` and `Z` in either case) into milliseconds since
// the Unix epoch. The fraction has 1 to 6 digits (CloudWatch rejects more)
// and is truncated to the millisecond. nullopt for anything else, including
// impossible dates (2026-02-30) and leap seconds.
std::optional<int64_t> parse_iso8601(std::string_view text);

// Appends `millis` as `YYYY-MM-DDThh:mm:ssZ`, or `YYYY-MM-DDThh:mm:ss.mmmZ`
// when the millisecond part is not zero (what AWS's XML answers hold).
void append_iso8601(int64_t millis, std::string& out);

}  // namespace runnel::protocol
