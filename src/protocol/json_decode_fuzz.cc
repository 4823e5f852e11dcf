// libFuzzer target for decode_json, the parser of every JSON request body.
// Checks, beyond "does not crash":
//  - decode_json agrees with simdjson's fully validating DOM parser: what we
//    accept, it accepts (our on-demand traversal must not be more lenient),
//    and an object it accepts within our depth limit we accept too (integers
//    beyond 64 bits aside, which the DOM parser rejects and we read as doubles);
//  - encode_json then decode_json gives back an equal Value;
//  - encode_cbor then decode_cbor gives back an equal Value.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"

namespace {

using runnel::protocol::Value;

// Nesting depth of a DOM element: containers count 1 plus their deepest child.
int dom_depth(simdjson::dom::element e) {
  int deepest = 0;
  if (e.is_object()) {
    const simdjson::dom::object object = e.get_object().value_unsafe();
    for (auto field : object) deepest = std::max(deepest, dom_depth(field.value));
    return deepest + 1;
  }
  if (e.is_array()) {
    const simdjson::dom::array array = e.get_array().value_unsafe();
    for (auto child : array) deepest = std::max(deepest, dom_depth(child));
    return deepest + 1;
  }
  return 0;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = runnel::protocol::decode_json(body);

  simdjson::dom::parser dom;
  simdjson::padded_string padded(body);
  auto reference = dom.parse(padded);
  if (decoded) {
    check(!reference.error() || reference.error() == simdjson::NUMBER_ERROR);
  } else if (!reference.error() && reference.value_unsafe().is_object()) {
    check(dom_depth(reference.value_unsafe()) > runnel::protocol::kMaxNestingDepth);
  }
  if (!decoded) return 0;

  const std::string json = runnel::protocol::encode_json(*decoded);
  auto again = runnel::protocol::decode_json(json);
  check(again.has_value() && *again == *decoded);
  check(runnel::protocol::encode_json(*again) == json);

  auto cbor = runnel::protocol::decode_cbor(runnel::protocol::encode_cbor(*decoded));
  check(cbor.has_value() && *cbor == *decoded);
  return 0;
}
