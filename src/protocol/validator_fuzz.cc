// libFuzzer target for validate_input: the first byte picks the operation
// and the wire format, the rest is a request body run through the real
// codec. Checks that validation never crashes, that a body it accepts keeps
// only members the input shape defines, and that accepting is idempotent
// (validating the converted value again succeeds and changes nothing).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"
#include "protocol/model.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"

using namespace runnel::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ServiceModel& model = kinesis_model();
  const OperationModel& op = model.operations[data[0] % model.operations.size()];
  const WireFormat format = (data[0] & 0x80) ? WireFormat::kCbor : WireFormat::kJson;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  auto decoded = format == WireFormat::kCbor ? decode_cbor(body) : decode_json(body);
  if (!decoded) return 0;
  Value input = std::move(*decoded);
  auto result = validate_input(model, op, input, format);
  if (!result) {
    const ApiError& e = result.error();
    if (e.type != "SerializationException" && e.type != "ValidationException") std::abort();
    return 0;
  }
  if (!input.is_object()) std::abort();
  const Shape* shape = model.input_shape(op);
  for (const Member& m : input.as_object())
    if (shape == nullptr || shape->find_member(m.key) == nullptr) std::abort();

  Value again = input;
  if (!validate_input(model, op, again, format) || !(again == input)) std::abort();
  return 0;
}
