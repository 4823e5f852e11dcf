// libFuzzer target for the AWS Query codec, over CloudWatch's model: the
// first byte picks the operation, and, when its high bit is set, the rest is
// appended to that operation's `Action=..&Version=..&` so that the input
// builder is reached; otherwise the rest is the whole form. Checks that
// nothing crashes, that errors carry the codes query_codec.h lists, that an
// accepted input holds only members of the input shape and passes
// validate_input's type pass, and that answers and errors always encode.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/query_codec.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"

using namespace runnel::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ServiceModel& model = cloudwatch_model();
  const OperationModel& op = model.operations[(data[0] & 0x7F) % model.operations.size()];
  std::string form;
  if (data[0] & 0x80) form = "Action=" + std::string(op.name) + "&Version=" + std::string(model.api_version) + "&";
  form.append(reinterpret_cast<const char*>(data + 1), size - 1);

  (void)find_query_operation(model, form);
  auto decoded = decode_query_input(model, op, form);
  if (!decoded) {
    const std::string& t = decoded.error().type;
    if (t != "MalformedQueryString" && t != "MissingAction" && t != "InvalidAction" && t != "MalformedInput" &&
        t != "MissingParameter")
      std::abort();
    if (encode_query_error(model, decoded.error(), "id").body.empty()) std::abort();
    return 0;
  }
  Value input = std::move(*decoded);
  if (!input.is_object()) std::abort();
  const Shape* shape = model.input_shape(op);
  for (const Member& m : input.as_object())
    if (shape == nullptr || shape->find_member(m.key) == nullptr) std::abort();
  auto valid = validate_input(model, op, input, WireFormat::kJson);
  if (!valid && valid.error().type != "ValidationException") std::abort();  // types are the decoder's job
  // The input as an answer: the encoder must cope with any Value.
  if (encode_query_output(model, op, input, "id").empty()) std::abort();
  return 0;
}
