#pragma once
// RecordFactory: the partition keys and Data of the records the producer
// puts. Data is --record-size bytes: the latency stamp (latency_stamp.h)
// followed by pseudo-random filler that is the same for every record of a
// run. Keys are 16 random hex digits per record (spread uniformly over the
// hash key space) or, with --hot-keys N, one of "key-0" .. "key-<N-1>"
// chosen uniformly.
//
// Thread-safety: one thread at a time (it owns a random generator).

#include <cstdint>
#include <random>
#include <string>

#include "bench/kinesis_requests.h"
#include "bench/options.h"

namespace runnel::bench {

class RecordFactory {
 public:
  RecordFactory(int record_size, int hot_keys, uint64_t seed);

  std::string partition_key();
  // The Data of a record first sent at `stamp_us` (epoch microseconds).
  std::string data(int64_t stamp_us) const;
  OutRecord record(std::string key, int64_t stamp_us) const { return {std::move(key), data(stamp_us)}; }

  int record_size() const { return static_cast<int>(filler_.size()); }

 private:
  std::string filler_;
  int hot_keys_;
  std::mt19937_64 rng_;
};

}  // namespace runnel::bench
