#pragma once
// Model-driven request validation, with AWS's own error texts.
//
// validate_input() runs the two passes AWS's request handling runs, in the
// same order:
//  1. Deserialisation: each member the input shape knows is converted to its
//     model type, in document order; the first mismatch is a
//     SerializationException with AWS's Java-flavoured message
//     ("class java.lang.String can not be converted to an Integer",
//     "Start of structure or map found where not expected.", ...).
//  2. Constraints: required members, min/max, patterns and enums, checked in
//     the shape's member order; up to 10 violations become one
//     ValidationException, e.g. "1 validation error detected: Value '' at
//     'streamName' failed to satisfy constraint: Member must have length
//     greater than or equal to 1".
// docs/validation.md describes the message formats and where they come from.
//
// Thread-safe: the model is immutable and patterns are compiled once.

#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "protocol/model.h"
#include "protocol/value.h"

namespace runnel::protocol {

enum class WireFormat { kJson, kCbor };

// Checks `input`, the decoded request body, against `op`'s input shape and
// converts it in place to model types. On success `input` is an Object that
// holds only members the shape defines (unknown and null members are
// dropped, as AWS ignores them; a null or absent body counts as `{}`), and:
//  - blob members are Blob (a JSON string is base64-decoded; CBOR byte
//    strings pass through);
//  - timestamp members are Timestamp (a JSON number is epoch seconds with a
//    fraction; in CBOR an untagged integer is epoch milliseconds, as the Java
//    SDK means it, and a tagged one arrives as Timestamp already);
//  - integer/long members are Int (a fractional number is floored, an
//    integer beyond Java's int range is clamped, as AWS does);
//  - boolean members are Bool; float/double members are Double.
// Errors: SerializationException (use ApiError::capital_message_key) for a
// type mismatch, then ValidationException for constraint violations.
ApiResult<void> validate_input(const ServiceModel& model, const OperationModel& op, Value& input, WireFormat format);

// The maximum number of violations AWS lists in one ValidationException.
inline constexpr int kMaxValidationErrors = 10;

// True when `text` has a length that is a multiple of 4 and, if padded, a
// last character that carries no bits past the decoded bytes: with
// base64_decode() succeeding, the blob text AWS accepts (the JSON
// conversion's fast path, and fast_input.h's).
bool canonical_base64_form(std::string_view text);

// Length of `s` as Java counts it: UTF-16 code units of the UTF-8 text.
size_t utf16_length(std::string_view s);

// "streamName" from "StreamName": the form AWS uses in member paths.
std::string lower_first(std::string_view name);

}  // namespace runnel::protocol
