#pragma once
// The runtime of the typed shapes tools/gen_shapes.py generates
// (docs/typed-shapes.md): the steps every generated decode() and encode()
// shares, compiled once here so that the generated files stay small and
// quick to compile (they call these instead of inlining Value's variant
// code at every member).
//
// Decoding reads a validated Value (protocol/validator.h) into C++ types;
// a Value of the wrong kind is a failure with the member's path, never a
// crash. Encoding writes into Value slots in place (no temporaries).
// Stateless functions: callable from any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/api_error.h"
#include "protocol/value.h"

namespace runnel::protocol::shape_codec {

// One decode() call's state: whether strings and blobs may be moved out of
// the Value (decoding from an rvalue), and, once it has failed, what was
// wrong and where (innermost step first: member names and "[i]" indices).
struct DecodeState {
  bool take = false;
  std::string what;
  std::vector<std::string> path;
};

// Records that `v` is not `expected` ("a string"); returns false.
bool wrong_kind(DecodeState& f, std::string_view expected, const Value& v);
// Adds a step to the failure's path; returns false.
bool at(DecodeState& f, std::string_view member);
bool at_index(DecodeState& f, size_t i);
// Records that a required member is absent; returns false.
bool missing(DecodeState& f, std::string_view member);
// The failure as the client sees it: a SerializationException
// "MetricData[0].Value: expected a number, found string".
ApiError failure_error(const DecodeState& f);
// decode()'s answer: success, or failure_error(f).
ApiResult<void> result(bool ok, const DecodeState& f);

// The object or array `v` holds, or nullptr (and a failure) for another kind.
const Object* object_of(const Value& v, std::string_view expected, DecodeState& f);
const Array* array_of(const Value& v, DecodeState& f);

// Scalars. An integer is clamped into int32_t (the validator already
// clamps `integer` members); a double member also takes an Int. With
// `f.take`, strings, blobs and documents are moved out of `v`, which must
// then be a Value the caller gave up (decode(Value&&, T&)).
bool read(const Value& v, std::string& out, DecodeState& f);
bool read(const Value& v, bool& out, DecodeState& f);
bool read(const Value& v, int32_t& out, DecodeState& f);
bool read(const Value& v, int64_t& out, DecodeState& f);
bool read(const Value& v, double& out, DecodeState& f);
bool read(const Value& v, Blob& out, DecodeState& f);
bool read(const Value& v, Timestamp& out, DecodeState& f);
bool read(const Value& v, Value& out, DecodeState& f);  // documents: any Value

// Makes `slot` an empty object/array with room for `n` entries.
Object& make_object(Value& slot, size_t n);
Array& make_array(Value& slot, size_t n);
// Appends a null member/item and returns it, to be written in place.
Value& add(Object& o, std::string_view key);
Value& append(Array& a);

void write(Value& slot, const std::string& s);
void write(Value& slot, bool b);
void write(Value& slot, int32_t i);
void write(Value& slot, int64_t i);
void write(Value& slot, double d);
void write(Value& slot, const Blob& b);
void write(Value& slot, Timestamp t);
void write(Value& slot, const Value& v);  // documents

}  // namespace runnel::protocol::shape_codec
