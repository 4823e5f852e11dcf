#include "protocol/value_timestamps.h"

namespace runnel::protocol {

void timestamps_to_ms(Value& v) {
  if (v.is_timestamp()) {
    v = Value(v.as_timestamp().millis);
  } else if (v.is_object()) {
    for (auto& m : v.as_object()) timestamps_to_ms(m.value);
  } else if (v.is_array()) {
    for (auto& item : v.as_array()) timestamps_to_ms(item);
  }
}

void ms_to_timestamps(Value& v, std::string_view key_suffix) {
  if (v.is_object()) {
    for (auto& m : v.as_object()) {
      if (m.key.ends_with(key_suffix) && m.value.is_int()) {
        m.value = Value(Timestamp{m.value.as_int()});
      } else {
        ms_to_timestamps(m.value, key_suffix);
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v.as_array()) ms_to_timestamps(item, key_suffix);
  }
}

}  // namespace runnel::protocol
