#include "bench/record_factory.h"

#include <algorithm>

#include <fmt/format.h>

#include "bench/latency_stamp.h"

namespace runnel::bench {

RecordFactory::RecordFactory(int record_size, int hot_keys, uint64_t seed)
    : filler_(static_cast<size_t>(record_size), '\0'), hot_keys_(hot_keys), rng_(seed) {
  for (char& c : filler_) c = static_cast<char>(rng_() & 0xff);
}

std::string RecordFactory::partition_key() {
  if (hot_keys_ > 0) return fmt::format("key-{}", rng_() % static_cast<uint64_t>(hot_keys_));
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng_();
  std::string key(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) key[static_cast<size_t>(i)] = kHex[v & 0xf];
  return key;
}

std::string RecordFactory::data(int64_t stamp_us) const {
  std::string d = filler_;
  write_stamp(d, stamp_us);
  return d;
}

int firehose_template_count(int record_size) {
  const int n = (64 * 1024 + std::max(1, record_size) - 1) / std::max(1, record_size);
  return std::clamp(n, 2, 64);
}

std::vector<std::string> firehose_record_templates(int record_size, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> out(static_cast<size_t>(count), std::string(static_cast<size_t>(record_size), 'a'));
  for (std::string& t : out) {
    for (char& c : t) c = static_cast<char>('a' + rng() % 26);
  }
  return out;
}

}  // namespace runnel::bench
