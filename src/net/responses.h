#pragma once
// Responses net/ writes on its own (preflights, framing errors, limits) and
// the headers it adds to every response, for both HTTP/1.1 and HTTP/2.
// All functions are thread-safe (per-thread caches only).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"
#include "net/transport_error.h"

namespace runnel::net {

// "OK", "Bad Request", ...; "Unknown" for codes we never send.
std::string_view reason_phrase(int status);

// A random (version 4) UUID, lower-case hex with dashes.
std::string make_request_id();

// `n` random bytes for ids (request ids, x-amz-id-2): unique, not secret.
// A per-thread generator seeded from std::random_device; OpenSSL's
// RAND_bytes cost about 13,000 instructions a call here (docs/performance.md).
void random_bytes(unsigned char* out, size_t n);

// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
// recomputed at most once a second per thread.
std::string_view http_date();

bool iequals_ascii(std::string_view a, std::string_view b);

// First header named `name` (compared case-insensitively), or nullptr.
const Header* find_header(const std::vector<Header>& headers, std::string_view name);

// Connection-specific headers (RFC 9110 7.6.1) and framing headers net/
// computes itself; dropped from handler responses. Case-insensitive.
bool is_connection_header(std::string_view name);

// Adds x-amzn-RequestId when the handler set none, and the CORS headers every
// response carries (unless the handler set its own Allow-Origin).
void add_standard_headers(std::vector<Header>& headers);

// Whether a request is a CORS preflight: OPTIONS with an Origin header.
// net/ answers those itself (preflight_response); any other OPTIONS goes to
// the handler like any request (AWS answers it as it answers a GET).
bool is_cors_preflight(const HttpRequest& request);

// The answer to a CORS preflight: the request's Access-Control-Request-Method
// and -Headers reflected (else every method and `*`), max age 2 days.
HttpResponse preflight_response(const HttpRequest& request);

// 400 with a short text/plain body.
HttpResponse bad_request_response(std::string_view why);
// 431, text/plain.
HttpResponse headers_too_large_response(std::string_view why);
// Any other status for a framing problem (501, 505), text/plain.
HttpResponse plain_error_response(int status, std::string_view why);
// The answers in AWS's formats (413, 503, 500) are not net/'s to write: see
// net/transport_error.h.

}  // namespace runnel::net
