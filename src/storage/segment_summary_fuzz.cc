// libFuzzer target: arbitrary bytes as a segment summary. The first 12 bytes
// choose the segment id and size the summary is checked against; the rest is
// the file. decode_segment_summary must not crash, and whatever it accepts
// must tile [0, size) and encode back to the very same bytes.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "storage/segment_summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 12) return 0;
  uint32_t id = 0;
  uint64_t segment_bytes = 0;
  std::memcpy(&id, data, 4);
  std::memcpy(&segment_bytes, data + 4, 8);
  const std::string_view file(reinterpret_cast<const char*>(data + 12), size - 12);
  auto entries = runnel::storage::decode_segment_summary(file, id, segment_bytes);
  if (!entries) return 0;
  uint64_t at = 0;
  for (const auto& e : *entries) {
    if (e.offset != at || e.header.record_count == 0) std::abort();
    at += e.header.total_size();
  }
  if (at != segment_bytes) std::abort();
  if (runnel::storage::encode_segment_summary(id, segment_bytes, *entries) != file) std::abort();
  return 0;
}
