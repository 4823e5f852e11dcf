#pragma once
// AWS JSON 1.1 bodies (application/x-amz-json-1.1) <-> Value.
//
// Decoding is generic: it knows nothing of the service model. A base64 blob
// arrives as a String and a timestamp as an Int or Double; the validator turns
// them into Blob and Timestamp. Encoding is the reverse and knows the wire
// forms of Blob (base64 string) and Timestamp (epoch seconds as a number).
// The byte-level rules are in docs/wire-encodings.md.
//
// Thread-safety: all functions may be called concurrently from any thread.
// decode_json keeps one simdjson parser and one padded input buffer per
// thread, reused across calls; they grow to fit the largest body the thread
// has decoded (about six times its size in reserved, mostly untouched, memory).

#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "protocol/value.h"

namespace runnel::protocol {

// Deepest nesting of objects and arrays (the top-level object counts as 1)
// that the decoders accept. Kinesis requests nest 3 deep.
inline constexpr int kMaxNestingDepth = 64;

// Decodes a request body. The result is always an Object. Mapping:
//   null -> Null, true/false -> Bool, string -> String,
//   a number written without fraction or exponent that fits int64 -> Int,
//   any other number (fraction, exponent, or an integer beyond int64) -> Double,
//   array -> Array, object -> Object (members in document order).
// Duplicate keys: the last value wins, kept at the first key's position
// (what a Jackson data binder does; AWS's own choice is not verified).
// Fails with SerializationException (empty message, as AWS answers an
// unparseable body) on: an empty or whitespace-only body, malformed JSON,
// invalid UTF-8 anywhere, a top-level value that is not an object, nesting
// deeper than kMaxNestingDepth, trailing content, or a number out of double's
// range.
ApiResult<Value> decode_json(std::string_view body);
// The same, parsing `body` where it lies when its spare capacity holds
// simdjson's padding (net::kBodyPadding), instead of copying it. `body` is
// unchanged on return.
ApiResult<Value> decode_json_in_place(std::string& body);

// Encodes a Value as compact JSON (no whitespace):
//   Blob -> base64 string (padded, standard alphabet);
//   Timestamp -> epoch seconds as a JSON number with the millisecond fraction
//     trimmed of trailing zeros: 1459799926480 ms -> 1459799926.48,
//     1459799926000 ms -> 1459799926;
//   Double -> shortest text that reads back as the same double, always with a
//     '.' or an exponent so it decodes as a Double again; NaN and infinities
//     (not representable in JSON) -> null;
//   String -> RFC 8259 escaping of '"', '\\' and control characters; other
//     bytes, including UTF-8 sequences, pass through unchanged (strings are
//     assumed to hold valid UTF-8, which the decoders guarantee);
//   Object -> members in order.
std::string encode_json(const Value& v);

// Pieces of encode_json, for operations that write part of their output
// directly (see Encoded): a string with JSON escapes and quotes, and a
// timestamp as epoch seconds with a millisecond fraction.
void append_json_string(std::string_view s, std::string& out);
void append_json_timestamp(int64_t millis, std::string& out);

// Applies the duplicate-key rule above to a freshly decoded object: the last
// value of a repeated key replaces the first one's value and the later
// members are removed. Both decoders call it; exposed for the CBOR decoder.
void dedupe_members(Object& members);

}  // namespace runnel::protocol
