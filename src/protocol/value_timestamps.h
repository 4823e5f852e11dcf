#pragma once
// Timestamps in stored documents: services keep descriptions in the metadata
// store as JSON, where a Timestamp Value has no form of its own, so they are
// written as epoch milliseconds (Ints) under their own member names and
// turned back into Timestamps, by name, when read.
// Threads: pure functions.
#include <string_view>

#include "protocol/value.h"

namespace runnel::protocol {

// Every Timestamp in `v` (at any depth) becomes its epoch milliseconds.
void timestamps_to_ms(Value& v);

// Every Int member whose key ends in `key_suffix` (at any depth) becomes a
// Timestamp of those milliseconds; members that do not match are searched.
void ms_to_timestamps(Value& v, std::string_view key_suffix);

}  // namespace runnel::protocol
