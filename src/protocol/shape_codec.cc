#include "protocol/shape_codec.h"

#include <algorithm>
#include <limits>

namespace runnel::protocol::shape_codec {

bool wrong_kind(DecodeState& f, std::string_view expected, const Value& v) {
  f.what = "expected " + std::string(expected) + ", found " + std::string(kind_name(v.kind()));
  return false;
}

bool at(DecodeState& f, std::string_view member) {
  f.path.emplace_back(member);
  return false;
}

bool at_index(DecodeState& f, size_t i) {
  f.path.push_back("[" + std::to_string(i) + "]");
  return false;
}

bool missing(DecodeState& f, std::string_view member) {
  f.what = "a required member is missing";
  return at(f, member);
}

ApiError failure_error(const DecodeState& f) {
  std::string where;
  for (auto it = f.path.rbegin(); it != f.path.rend(); ++it) {
    if (!where.empty() && !it->starts_with('[')) where += '.';
    where += *it;
  }
  return serialization_error(where.empty() ? f.what : where + ": " + f.what);
}

ApiResult<void> result(bool ok, const DecodeState& f) {
  if (ok) return {};
  return std::unexpected(failure_error(f));
}

const Object* object_of(const Value& v, std::string_view expected, DecodeState& f) {
  if (v.is_object()) return &v.as_object();
  wrong_kind(f, expected, v);
  return nullptr;
}

const Array* array_of(const Value& v, DecodeState& f) {
  if (v.is_array()) return &v.as_array();
  wrong_kind(f, "a list", v);
  return nullptr;
}

bool read(const Value& v, std::string& out, DecodeState& f) {
  if (!v.is_string()) return wrong_kind(f, "a string", v);
  if (f.take)
    out = std::move(const_cast<Value&>(v).as_string());
  else
    out = v.as_string();
  return true;
}

bool read(const Value& v, bool& out, DecodeState& f) {
  if (!v.is_bool()) return wrong_kind(f, "a boolean", v);
  out = v.as_bool();
  return true;
}

bool read(const Value& v, int32_t& out, DecodeState& f) {
  if (!v.is_int()) return wrong_kind(f, "an integer", v);
  out = static_cast<int32_t>(
      std::clamp<int64_t>(v.as_int(), std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
  return true;
}

bool read(const Value& v, int64_t& out, DecodeState& f) {
  if (!v.is_int()) return wrong_kind(f, "an integer", v);
  out = v.as_int();
  return true;
}

bool read(const Value& v, double& out, DecodeState& f) {
  if (v.is_int()) {
    out = static_cast<double>(v.as_int());
    return true;
  }
  if (!v.is_double()) return wrong_kind(f, "a number", v);
  out = v.as_double();
  return true;
}

bool read(const Value& v, Blob& out, DecodeState& f) {
  if (!v.is_blob()) return wrong_kind(f, "a blob", v);
  if (f.take)
    out = std::move(const_cast<Value&>(v).as_blob());
  else
    out = v.as_blob();
  return true;
}

bool read(const Value& v, Timestamp& out, DecodeState& f) {
  if (!v.is_timestamp()) return wrong_kind(f, "a timestamp", v);
  out = v.as_timestamp();
  return true;
}

bool read(const Value& v, Value& out, DecodeState& f) {
  if (f.take)
    out = std::move(const_cast<Value&>(v));
  else
    out = v;
  return true;
}

Object& make_object(Value& slot, size_t n) {
  Object o;
  o.reserve(n);
  slot = Value(std::move(o));
  return slot.as_object();
}

Array& make_array(Value& slot, size_t n) {
  Array a;
  a.reserve(n);
  slot = Value(std::move(a));
  return slot.as_array();
}

Value& add(Object& o, std::string_view key) { return o.emplace_back(Member{std::string(key), Value()}).value; }

Value& append(Array& a) { return a.emplace_back(); }

void write(Value& slot, const std::string& s) { slot = Value(s); }
void write(Value& slot, bool b) { slot = Value(b); }
void write(Value& slot, int32_t i) { slot = Value(int64_t{i}); }
void write(Value& slot, int64_t i) { slot = Value(i); }
void write(Value& slot, double d) { slot = Value(d); }
void write(Value& slot, const Blob& b) { slot = Value(b); }
void write(Value& slot, Timestamp t) { slot = Value(t); }
void write(Value& slot, const Value& v) { slot = v; }

}  // namespace runnel::protocol::shape_codec
