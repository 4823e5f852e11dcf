// Micro-benchmarks of the per-record primitives: MD5 routing and sequence
// number formatting run once per PutRecords record; iterator encoding once
// per GetRecords call.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "streams/hash_key.h"
#include "streams/sequence_number.h"
#include "streams/shard_iterator.h"

namespace runnel::streams {
namespace {

void BM_HashPartitionKey(benchmark::State& state) {
  const std::string key(static_cast<std::size_t>(state.range(0)), 'p');
  for (auto _ : state) benchmark::DoNotOptimize(hash_partition_key(key));
}
BENCHMARK(BM_HashPartitionKey)->Arg(8)->Arg(36)->Arg(256);

// Hashing plus finding the shard among 10,000 ranges, as PutRecords does.
void BM_RouteRecord(benchmark::State& state) {
  const auto ranges = split_hash_space(static_cast<uint32_t>(state.range(0)));
  std::vector<std::string> keys;
  for (int i = 0; i < 1024; ++i) keys.push_back("user-" + std::to_string(i * 7919));
  std::size_t i = 0;
  for (auto _ : state) {
    const HashKey h = hash_partition_key(keys[i++ & 1023]);
    auto it =
        std::upper_bound(ranges.begin(), ranges.end(), h, [](HashKey k, const HashKeyRange& r) { return k < r.start; });
    benchmark::DoNotOptimize(it);
  }
}
BENCHMARK(BM_RouteRecord)->Arg(4)->Arg(10000);

void BM_FormatSequenceNumber(benchmark::State& state) {
  SequenceNumber s{1421279230, 3, 1, 1421279386};
  for (auto _ : state) {
    benchmark::DoNotOptimize(format_sequence_number(s));
    ++s.counter;
  }
}
BENCHMARK(BM_FormatSequenceNumber);

void BM_FormatSequenceNumberTo(benchmark::State& state) {
  SequenceNumber s{1421279230, 3, 1, 1421279386};
  char buf[kMaxSequenceNumberDigits];
  for (auto _ : state) {
    benchmark::DoNotOptimize(format_sequence_number_to(s, buf));
    benchmark::ClobberMemory();
    ++s.counter;
  }
}
BENCHMARK(BM_FormatSequenceNumberTo);

void BM_ParseSequenceNumber(benchmark::State& state) {
  const std::string text = format_sequence_number({1421279230, 3, 123456789, 1421279386});
  for (auto _ : state) benchmark::DoNotOptimize(parse_sequence_number(text));
}
BENCHMARK(BM_ParseSequenceNumber);

void BM_CompareSequenceNumbers(benchmark::State& state) {
  const std::string a = format_sequence_number({1421279230, 3, 123456789, 1421279386});
  const std::string b = format_sequence_number({1421279230, 3, 123456790, 1421279386});
  for (auto _ : state) benchmark::DoNotOptimize(compare_sequence_numbers(a, b));
}
BENCHMARK(BM_CompareSequenceNumbers);

void BM_FormatHashKey(benchmark::State& state) {
  const HashKey h = hash_partition_key("a");
  for (auto _ : state) benchmark::DoNotOptimize(format_hash_key(h));
}
BENCHMARK(BM_FormatHashKey);

void BM_ParseHashKey(benchmark::State& state) {
  const std::string text = format_hash_key(hash_partition_key("a"));
  for (auto _ : state) benchmark::DoNotOptimize(parse_hash_key(text));
}
BENCHMARK(BM_ParseHashKey);

void BM_EncodeShardIterator(benchmark::State& state) {
  ShardIteratorCodec codec(std::string(32, 'k'));
  IteratorPosition pos{12345, 7, 1000, 1421889722000};
  for (auto _ : state) {
    benchmark::DoNotOptimize(codec.encode(pos, 20));
    ++pos.counter;
  }
}
BENCHMARK(BM_EncodeShardIterator);

void BM_DecodeShardIterator(benchmark::State& state) {
  ShardIteratorCodec codec(std::string(32, 'k'));
  const std::string it = codec.encode({12345, 7, 1000, 1421889722000}, 20);
  for (auto _ : state) benchmark::DoNotOptimize(codec.decode(it));
}
BENCHMARK(BM_DecodeShardIterator);

}  // namespace
}  // namespace runnel::streams
