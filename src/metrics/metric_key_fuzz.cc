// The bytes metrics/ reads back that a client can shape: a ListMetrics
// NextToken decodes to a metric key (MetricId::from_key), and histogram
// blobs (LogHistogram::decode, merge_encoded). Neither may crash, and whatever decodes
// must encode back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "metrics/histogram.h"
#include "metrics/metric_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto id = runnel::metrics::MetricId::from_key(in)) {
    auto again = runnel::metrics::MetricId::from_key(id->key());
    if (!again || !(*again == *id)) std::abort();
  }
  if (auto h = runnel::metrics::LogHistogram::decode(in)) {
    auto again = runnel::metrics::LogHistogram::decode(h->encode());
    if (!again || !(*again == *h)) std::abort();
    h->quantile(0.5);
  }
  // Split the input in two blobs: merging them encoded must agree with
  // decoding, merging and encoding.
  size_t cut = size / 2;
  auto a = runnel::metrics::LogHistogram::decode(in.substr(0, cut));
  auto b = runnel::metrics::LogHistogram::decode(in.substr(cut));
  auto merged = runnel::metrics::LogHistogram::merge_encoded(in.substr(0, cut), in.substr(cut));
  if (a && b) {
    a->merge(*b);
    if (!merged || *merged != a->encode()) std::abort();
  } else if (merged) {
    std::abort();
  }
  return 0;
}
