// libFuzzer target for PutRecordBatchDecoder, differential: a body the fast
// PutRecordBatch path accepts must be accepted by the general path
// (decode_json, then validate_input) and turn into the same Value; a body it
// declines is the general path's to answer, so nothing is checked then.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "firehose/model.h"
#include "firehose/put_record_batch_decoder.h"
#include "net/http.h"
#include "protocol/json_codec.h"
#include "protocol/model.h"
#include "protocol/validator.h"

using namespace runnel::protocol;
using runnel::firehose::firehose_model;
using runnel::firehose::PutRecordBatchDecoder;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ServiceModel& model = firehose_model();
  static const PutRecordBatchDecoder fast(model);
  static const OperationModel& op = *model.find_operation("PutRecordBatch");
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string body = text;
  body.reserve(size + runnel::net::kBodyPadding);
  auto got = fast.decode(op, body);
  if (body != text) std::abort();  // the body must be left as it was
  if (!got) return 0;
  auto general = decode_json(text);
  if (!general) std::abort();
  if (!validate_input(model, op, *general, WireFormat::kJson)) std::abort();
  if (!(*general == *got)) std::abort();
  return 0;
}
