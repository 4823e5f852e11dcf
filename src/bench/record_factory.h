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
#include <vector>

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

// The Data templates of the Firehose mode's records (their first 12 bytes
// are overwritten by the stamp): `count` records of `record_size` bytes of
// random lowercase letters, so that GZIP has text to work on rather than one
// block repeated (which deflate would shrink about fifty-fold, and fast).
// firehose_template_count() makes them span at least 64 KiB, so the same one
// recurs beyond deflate's 32 KiB window; then zlib level 1 (runnel's GZIP)
// shrinks 1 KiB records to about two thirds of their size (0.66 measured).
// src/firehose/delivery_benchmark.cc's records are mostly random letters too.
std::vector<std::string> firehose_record_templates(int record_size, int count, uint64_t seed);
// 64 KiB / record_size, rounded up, in 2..64 (64 for 1 KiB records).
int firehose_template_count(int record_size);

}  // namespace runnel::bench
