#pragma once
// Value: the decoded form of a request or response body, independent of the
// wire encoding. The JSON and CBOR codecs produce and consume it; the model
// validator checks it against the service model and converts wire types to
// model types (a JSON base64 string becomes a Blob, a JSON number becomes a
// Timestamp); operations read and build it.
//
// Objects keep insertion order (encoders emit members in that order).
// Values are plain data: safe to move between threads, not to share mutably.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace runnel::protocol {

// Raw bytes (a model `blob`). JSON carries it as base64, CBOR as a byte string.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

// A model `timestamp`, in milliseconds since the Unix epoch. JSON carries it
// as epoch seconds with a millisecond fraction, CBOR as tag 1 + integer millis.
struct Timestamp {
  int64_t millis = 0;
  bool operator==(const Timestamp&) const = default;
};

// Bytes already encoded in a response's wire format (JSON text or CBOR), for
// an operation that writes a large part of its output directly (GetRecords'
// Records) instead of building a tree: the encoders copy them verbatim. An
// operation returns one only when RequestContext::direct_encoding allows it,
// and only in that context's format; encoding it in the other format is a
// bug and yields null.
struct Encoded {
  std::string bytes;
  bool cbor = false;
  bool operator==(const Encoded&) const = default;
};

class Value;
struct Member;
using Array = std::vector<Value>;
using Object = std::vector<Member>;

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kBlob, kTimestamp, kArray, kObject, kEncoded };

  Value() = default;
  Value(std::nullptr_t);
  Value(bool b);
  Value(int v);
  Value(int64_t v);
  Value(uint32_t v);
  Value(double v);
  Value(std::string s);
  Value(std::string_view s);
  Value(const char* s);
  Value(Blob b);
  Value(Timestamp t);
  Value(Array a);
  Value(Object o);
  Value(Encoded e);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_double() const { return kind() == Kind::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_blob() const { return kind() == Kind::kBlob; }
  bool is_timestamp() const { return kind() == Kind::kTimestamp; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }
  bool is_encoded() const { return kind() == Kind::kEncoded; }

  // Accessors; calling the wrong one is a bug (std::bad_variant_access).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const Blob& as_blob() const { return std::get<Blob>(v_); }
  Blob& as_blob() { return std::get<Blob>(v_); }
  Timestamp as_timestamp() const { return std::get<Timestamp>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }
  const Encoded& as_encoded() const { return std::get<Encoded>(v_); }

  // Object member lookup; nullptr when this is not an object or has no such key.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Appends (or replaces) a member of an object. The value must be an object.
  Value& set(std::string key, Value v);

  bool operator==(const Value& o) const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Blob, Timestamp, Array, Object, Encoded> v_;
};

struct Member {
  std::string key;
  Value value;
  bool operator==(const Member&) const = default;
};

// Constructors are defined here, once Member is complete (clang instantiates
// the variant's destructor at each constructor's definition).
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : v_(b) {}
inline Value::Value(int v) : v_(int64_t{v}) {}
inline Value::Value(int64_t v) : v_(v) {}
inline Value::Value(uint32_t v) : v_(int64_t{v}) {}
inline Value::Value(double v) : v_(v) {}
inline Value::Value(std::string s) : v_(std::move(s)) {}
inline Value::Value(std::string_view s) : v_(std::string(s)) {}
inline Value::Value(const char* s) : v_(std::string(s)) {}
inline Value::Value(Blob b) : v_(std::move(b)) {}
inline Value::Value(Timestamp t) : v_(t) {}
inline Value::Value(Array a) : v_(std::move(a)) {}
inline Value::Value(Object o) : v_(std::move(o)) {}
inline Value::Value(Encoded e) : v_(std::move(e)) {}

// Name of a kind, for messages ("string", "integer", ...).
std::string_view kind_name(Value::Kind k);

}  // namespace runnel::protocol
