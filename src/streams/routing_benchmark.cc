// Micro-benchmarks of a whole PutRecords batch's per-record streams work, at
// the batch level: routing 500 partition keys to 16 shards, then formatting
// the 500 {SequenceNumber, ShardId} pairs of the reply. primitives_benchmark.cc
// beside this file measures each primitive once per call; this file adds the
// batch as the service runs it, format_shard_id (one per reply entry), and a
// baseline: MD5 through OpenSSL's one-shot EVP_Digest(EVP_md5()), the
// straightforward way to write hash_partition_key.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "streams/hash_key.h"
#include "streams/sequence_number.h"
#include "streams/shard_id.h"

namespace runnel::streams {
namespace {

constexpr int kBatchRecords = 500;

std::vector<std::string> partition_keys(int n, size_t length) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) {
    std::string k = "user-" + std::to_string(i * 7919) + "-";
    k.resize(length, 'k');
    keys.push_back(std::move(k));
  }
  return keys;
}

// Baseline for primitives_benchmark.cc's BM_HashPartitionKey: OpenSSL's
// one-shot digest with the implicitly fetched MD5 (new context per call).
void BM_Md5OneShotEvpDigest(benchmark::State& state) {
  const std::string key(static_cast<size_t>(state.range(0)), 'p');
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    if (EVP_Digest(key.data(), key.size(), digest, &len, EVP_md5(), nullptr) != 1) {
      state.SkipWithError("EVP_Digest failed");
      break;
    }
    benchmark::DoNotOptimize(digest);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Md5OneShotEvpDigest)->Arg(8)->Arg(36)->Arg(256);

void BM_FormatShardId(benchmark::State& state) {
  uint32_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(format_shard_id(index));
    index = (index + 1) & 1023;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatShardId);

// Routes a batch: hash each key, find its shard among `shards` ranges, and
// count the records per shard as the service groups them for the log.
void BM_RouteBatch(benchmark::State& state) {
  const auto ranges = split_hash_space(static_cast<uint32_t>(state.range(0)));
  const auto keys = partition_keys(kBatchRecords, 36);
  std::vector<uint32_t> shard_of(keys.size());
  std::vector<uint32_t> per_shard(ranges.size());
  for (auto _ : state) {
    std::fill(per_shard.begin(), per_shard.end(), 0);
    for (size_t i = 0; i < keys.size(); ++i) {
      const HashKey h = hash_partition_key(keys[i]);
      auto it = std::upper_bound(ranges.begin(), ranges.end(), h,
                                 [](HashKey k, const HashKeyRange& r) { return k < r.start; });
      const auto shard = static_cast<uint32_t>(it - ranges.begin() - 1);
      shard_of[i] = shard;
      ++per_shard[shard];
    }
    benchmark::DoNotOptimize(shard_of.data());
    benchmark::DoNotOptimize(per_shard.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatchRecords);
}
BENCHMARK(BM_RouteBatch)->ArgName("shards")->Arg(16);

// The reply's per-record strings for a batch spread over 16 shards.
void BM_FormatBatchReplyIds(benchmark::State& state) {
  std::vector<std::string> seqs(kBatchRecords);
  std::vector<std::string> shard_ids(kBatchRecords);
  uint64_t counter = 1;
  for (auto _ : state) {
    for (int i = 0; i < kBatchRecords; ++i) {
      const auto shard = static_cast<uint32_t>(i % 16);
      seqs[static_cast<size_t>(i)] = format_sequence_number({1421279230, shard, counter++, 1421279386});
      shard_ids[static_cast<size_t>(i)] = format_shard_id(shard);
    }
    benchmark::DoNotOptimize(seqs.data());
    benchmark::DoNotOptimize(shard_ids.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatchRecords);
}
BENCHMARK(BM_FormatBatchReplyIds);

}  // namespace
}  // namespace runnel::streams
