// libFuzzer: what Firehose reads from outside — a Lambda function's answer,
// an HTTP endpoint's answer, concatenated JSON records to de-aggregate —
// never crashes the reader, and what the de-aggregator returns lies inside
// the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "firehose/http_endpoint.h"
#include "firehose/lambda.h"
#include "firehose/processing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runnel::firehose;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto parts = split_json_objects(in)) {
    for (std::string_view p : *parts)
      if (p.data() < in.data() || p.data() + p.size() > in.data() + in.size() || p.front() != '{') std::abort();
  }
  EndpointResponse response;
  response.status = 200;
  response.body.assign(in);
  std::vector<LambdaInput> records{{"0", 1, "a"}, {"1", 2, "b"}};
  if (auto answers = lambda_answer(response, records)) {
    if (answers->size() != records.size()) std::abort();
  }
  std::string why;
  (void)judge(response, "0", why);
  return 0;
}
