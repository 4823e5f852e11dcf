#pragma once
// Small accessors for validated operation inputs. After model validation a
// member is either absent or of its model type, so these only need to handle
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

inline bool input_bool(const protocol::Value& in, std::string_view key) {
  const protocol::Value* v = in.find(key);
  return v && v->is_bool() && v->as_bool();
}

inline std::optional<int64_t> input_timestamp_ms(const protocol::Value& in, std::string_view key) {
  const protocol::Value* v = in.find(key);
  if (v && v->is_timestamp()) return v->as_timestamp().millis;
  return std::nullopt;
}

// The name of the stream a request names, for the messages AWS words before
// it looks the stream up: its StreamName, else the part of its StreamARN after
// ":stream/", else nullopt.
inline std::optional<std::string> requested_stream_name(const protocol::Value& in) {
  if (const std::string* name = input_string(in, "StreamName")) return *name;
  if (const std::string* arn = input_string(in, "StreamARN")) {
    const auto at = arn->find(":stream/");
    if (at != std::string::npos) return arn->substr(at + 8);
  }
  return std::nullopt;
}

}  // namespace runnel::streams
