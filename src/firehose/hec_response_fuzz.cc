// libFuzzer: Splunk HEC's answers to a data request and to an ack poll
// (firehose/splunk.h) never crash the reader, and every error it reports
// carries one of AWS's Splunk.* codes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "firehose/splunk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runnel::firehose;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (long status : {200L, 400L, 403L, 503L}) {
    EndpointResponse response;
    response.status = status;
    response.body.assign(in);
    HecAnswer a = judge_hec_answer(response);
    if (a.ack_id.has_value() == a.error.has_value()) std::abort();
    if (a.error && !a.error->code.starts_with("Splunk.")) std::abort();
    AckAnswer ack = judge_ack_answer(response, 0);
    if (ack.state == AckAnswer::State::kError && !ack.error.code.starts_with("Splunk.")) std::abort();
    if (ack.state == AckAnswer::State::kAcked && status != 200) std::abort();
  }
  return 0;
}
