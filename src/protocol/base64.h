#pragma once
// Base64 as AWS JSON 1.1 carries blobs: the standard alphabet (RFC 4648 §4,
// `A-Z a-z 0-9 + /`) with `=` padding, no line breaks.
//
// All functions are pure and thread-safe. Decoding is on the PutRecords hot
// path (500 records per call), so it allocates once and, on CPUs with AVX2
// (checked at run time), works 32 characters at a time; the rest, and other
// CPUs, take a table-driven loop. Encoding likewise, 24 bytes at a time.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::protocol {

// Encodes `bytes` with padding. The result is 4 * ceil(n / 3) characters.
std::string base64_encode(std::string_view bytes);

// Appends the encoding of `bytes` to `out` (what the JSON encoder uses to
// write a Blob straight into the response body without a temporary).
void base64_encode_append(std::string_view bytes, std::string& out);

// Decodes `text`, or returns nullopt when it is not canonical-length padded
// base64: the length must be a multiple of 4, only the alphabet may appear,
// `=` only as the last one or two characters. Whitespace, line breaks and the
// URL-safe alphabet (`-`, `_`) are rejected, as AWS rejects them for blobs.
// Non-zero bits left over in the last character before the padding are
// ignored ("aGl=" decodes as "hi"); AWS rejects such input, so the
// validator checks for it before calling this. "" decodes to "".
std::optional<std::string> base64_decode(std::string_view text);

// Decodes `text` in place, accepting exactly what base64_decode accepts:
// true with `text` holding the bytes, or false with `text` unchanged. Saves
// allocating a separate output (the JSON blob path). Thread-safe.
bool base64_decode_in_place(std::string& text);

// Number of characters base64_encode produces for `n` bytes.
constexpr std::size_t base64_encoded_size(std::size_t n) { return (n + 2) / 3 * 4; }

}  // namespace runnel::protocol
