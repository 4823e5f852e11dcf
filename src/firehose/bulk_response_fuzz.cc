// libFuzzer: a cluster's answer to a _bulk request (firehose/opensearch.h)
// never crashes the reader; what it makes of it is consistent: items only
// when there are as many as documents sent, failures only for documents
// sent, and a verdict that names them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "firehose/opensearch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runnel::firehose;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (size_t expected : {size_t{0}, size_t{1}, size_t{3}}) {
    if (auto items = parse_bulk_response(in, expected)) {
      if (items->size() != expected) std::abort();
      for (const BulkItem& item : *items)
        if (!item.ok() && item.error.empty()) std::abort();
    }
  }
  OpenSearchTarget target;
  SendRequest request;
  request.records = {{"{}", 0, "a"}, {"{}", 0, "b"}, {"{}", 0, "c"}};
  EndpointResponse response;
  response.status = size > 0 && data[0] == 'X' ? 503 : 200;
  response.body.assign(in);
  SendOutcome o = judge_bulk(target, request, response, 0);
  for (const RecordFailure& f : o.failures)
    if (f.index >= request.records.size() || f.error_code.empty()) std::abort();
  if (o.verdict == SendOutcome::Verdict::kDelivered && !o.failures.empty()) std::abort();
  if (o.verdict != SendOutcome::Verdict::kDelivered && o.failures.empty() && o.error_code.empty()) std::abort();
  return 0;
}
