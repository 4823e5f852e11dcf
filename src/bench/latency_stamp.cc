#include "bench/latency_stamp.h"

#include <chrono>

namespace runnel::bench {

int64_t now_epoch_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void write_stamp(std::string& data, int64_t send_micros) {
  auto v = static_cast<uint64_t>(send_micros);
  for (size_t i = 0; i < 8; ++i) data[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  data.replace(8, kStampMagic.size(), kStampMagic);
}

std::optional<int64_t> read_stamp(std::string_view data) {
  if (data.size() < kStampBytes || data.substr(8, kStampMagic.size()) != kStampMagic) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(data[i])) << (8 * i);
  return static_cast<int64_t>(v);
}

}  // namespace runnel::bench
