#pragma once
// AWS CBOR bodies (application/x-amz-cbor-1.1, what the Java SDK and the KCL
// send by default) <-> Value. The byte-level rules are in
// docs/wire-encodings.md.
//
// The codec is our own rather than libcbor: libcbor is not a build
// dependency, and we need exact control over two things a general library
// decides for us: tag 1 (the Java SDK puts integer epoch *milliseconds* under
// it, against RFC 8949's seconds) and allocation (a hostile length field must
// not reserve gigabytes). It is also the Java clients' hot path.
//
// Thread-safety: pure functions, safe to call concurrently.

#include <string>
#include <string_view>

#include "protocol/api_error.h"
#include "protocol/value.h"

namespace runnel::protocol {

// What an integer under tag 1 counts. AWS's CBOR 1.1 (the Java SDK's
// application/x-amz-cbor-1.1) puts epoch milliseconds there; Smithy RPC v2
// CBOR puts epoch seconds, as RFC 8949 does, and runnel then encodes
// timestamps as float64 seconds.
enum class CborEpoch { kMillis, kSeconds };

// Decodes a request body. The result is always an Object. Mapping:
//   unsigned / negative integer -> Int (Double when beyond int64);
//   byte string -> Blob; text string -> String (must be valid UTF-8);
//   both string kinds may be indefinite-length (chunks are concatenated;
//     each text chunk must be valid UTF-8 by itself);
//   array -> Array, map -> Object (keys must be text strings), definite or
//     indefinite length; duplicate keys as in decode_json (last value wins);
//   tag 1 + integer -> Timestamp of that many epoch milliseconds (the Java
//     SDK's form; seconds with CborEpoch::kSeconds); tag 1 + float -> Timestamp of that many epoch seconds
//     (RFC 8949's form), rounded to the millisecond;
//   tags 2 / 3 (bignums) -> Double; any other tag is skipped (its content
//     decodes as if untagged);
//   half / single / double float -> Double; false / true -> Bool;
//   null and undefined -> Null.
// Fails with SerializationException (empty message) on: an empty body,
// truncated or trailing bytes, a top-level item that is not a map, reserved
// or unassigned encodings (additional info 28-30, simple values other than
// 20-23, a stray break), a non-text map key, an indefinite-length string
// chunk of the wrong type, invalid UTF-8 in a text string, tag 1 over
// anything but a number in range, or nesting (arrays, maps and tags) deeper
// than kMaxNestingDepth. Lengths are checked against the bytes that remain
// before anything is allocated.
ApiResult<Value> decode_cbor(std::string_view body, CborEpoch epoch = CborEpoch::kMillis);

// Encodes a Value as CBOR with definite lengths and the shortest argument
// encodings (RFC 8949 §4.2.1 preferred serialization for integers):
//   Int -> major type 0 or 1; Double -> float64 (0xfb); String -> text
//   string; Blob -> byte string; Timestamp -> tag 1 (0xc1) + integer epoch
//   milliseconds; Array / Object -> major types 4 / 5, members in order;
//   Null -> 0xf6; Bool -> 0xf4 / 0xf5. With CborEpoch::kSeconds, Timestamp
//   -> tag 1 + float64 epoch seconds.
std::string encode_cbor(const Value& v, CborEpoch epoch = CborEpoch::kMillis);

// Pieces of encode_cbor, for operations that write part of their output
// directly (see Encoded). Timestamps are tag 1 with integer milliseconds.
void append_cbor_text(std::string_view s, std::string& out);
void append_cbor_bytes(std::string_view b, std::string& out);
void append_cbor_timestamp(int64_t millis, std::string& out);
void append_cbor_array_head(uint64_t n, std::string& out);
void append_cbor_map_head(uint64_t n, std::string& out);

}  // namespace runnel::protocol
