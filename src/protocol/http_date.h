#pragma once
// Timestamps as the HTTP date of RFC 7231 (`Mon, 07 Dec 2026 00:15:30 GMT`),
// the form REST protocols put them in headers (ISO 8601 is iso8601.h).
// Epoch milliseconds, as protocol::Timestamp holds them. Pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::protocol {

std::optional<int64_t> parse_http_date_millis(std::string_view text);

// `Mon, 07 Dec 2026 00:15:30 GMT` (seconds; milliseconds dropped).
std::string format_http_date(int64_t millis);

}  // namespace runnel::protocol
