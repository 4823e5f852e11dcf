#pragma once
// Helpers for validated operation inputs: the typed inputs of
// kinesis_shapes.h (tools/gen_shapes.py, docs/typed-shapes.md), and small
// accessors for the protocol::Value documents streams/ still reads (a
// stored stream or account document). After model validation a member is
// either absent or of its model type, so these only need to handle
// "absent".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/value.h"

namespace runnel::streams {

inline const std::string* input_string(const protocol::Value& in, std::string_view key) {
  const protocol::Value* v = in.find(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

inline std::optional<int64_t> input_int(const protocol::Value& in, std::string_view key) {
  const protocol::Value* v = in.find(key);
  if (!v) return std::nullopt;
  if (v->is_int()) return v->as_int();
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return std::nullopt;
}

// The stream a typed input (kinesis_shapes.h) names: its StreamName and/or
// StreamARN (AWS accepts either; some operations take only one), as
// pointers into the input, null when absent.
struct StreamRef {
  const std::string* name = nullptr;
  const std::string* arn = nullptr;
};

template <class In>
StreamRef stream_ref(const In& in) {
  StreamRef r;
  if constexpr (requires { in.stream_name.has_value(); }) {
    if (in.stream_name) r.name = &*in.stream_name;
  } else if constexpr (requires { in.stream_name.size(); }) {
    r.name = &in.stream_name;
  }
  if constexpr (requires { in.stream_arn.has_value(); }) {
    if (in.stream_arn) r.arn = &*in.stream_arn;
  } else if constexpr (requires { in.stream_arn.size(); }) {
    r.arn = &in.stream_arn;
  }
  return r;
}

// The name of the stream a request names, for the messages AWS words before
// it looks the stream up: its StreamName, else the part of its StreamARN after
// ":stream/", else nullopt.
inline std::optional<std::string> requested_stream_name(StreamRef ref) {
  if (ref.name) return *ref.name;
  if (ref.arn) {
    const auto at = ref.arn->find(":stream/");
    if (at != std::string::npos) return ref.arn->substr(at + 8);
  }
  return std::nullopt;
}

// A typed input's optional pointer-or-null, for code that takes `const T*`.
template <class T>
const T* opt_ptr(const std::optional<T>& v) {
  return v ? &*v : nullptr;
}

}  // namespace runnel::streams
