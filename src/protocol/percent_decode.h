#pragma once
// Strict percent-decoding of one URI component or form key/value, shared by
// the REST-JSON front end (URI labels, query strings) and the AWS Query
// codec (form bodies). SigV4's canonicalisation keeps its own lenient
// variant (sigv4.cc: a bad escape stays literal there, as AWS computes it).
// Pure function.

#include <optional>
#include <string>
#include <string_view>

namespace runnel::protocol {

// `s` with every `%XY` decoded; nullopt for a '%' not followed by two hex
// digits. `plus_is_space`: '+' decodes to ' ' (form encoding), else stays.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);

}  // namespace runnel::protocol
