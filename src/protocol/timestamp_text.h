#pragma once
// Timestamps as text, in the forms AWS protocols put them in headers, query
// strings and XML: ISO 8601 (`2026-12-07T00:15:30Z`, `...30.123Z`, or with
// a `+hh:mm` offset) and the HTTP date of RFC 7231 (`Mon, 07 Dec 2026
// 00:15:30 GMT`). Epoch milliseconds, as protocol::Timestamp holds them.
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::protocol {

std::optional<int64_t> parse_iso8601_millis(std::string_view text);
std::optional<int64_t> parse_http_date_millis(std::string_view text);

// `2026-12-07T00:15:30Z`, with `.123` when the milliseconds are not 0.
std::string format_iso8601(int64_t millis);
// `Mon, 07 Dec 2026 00:15:30 GMT` (seconds; milliseconds dropped).
std::string format_http_date(int64_t millis);

}  // namespace runnel::protocol
