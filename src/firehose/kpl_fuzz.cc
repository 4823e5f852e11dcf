// libFuzzer: kpl_records() on any bytes never crashes, and whatever it
// returns lies inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "firehose/kpl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto out = runnel::firehose::kpl_records(in)) {
    for (std::string_view r : *out)
      if (r.data() < in.data() || r.data() + r.size() > in.data() + in.size()) std::abort();
  }
  return 0;
}
