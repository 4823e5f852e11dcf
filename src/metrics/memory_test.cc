// 10,000 shards x 10 series: what an idle series costs in memory once its
// values were flushed (identity, handle, registry entry; no pending slots).

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <string>
#include <vector>

#include "metrics/registry.h"

namespace runnel::metrics {
namespace {

TEST(MemoryBound, AnIdleSeriesCostsLessThan500Bytes) {
#if defined(RUNNEL_SANITIZE_BUILD)
  GTEST_SKIP() << "the sanitizers' allocator pads every block";
#else
  constexpr int kShards = 10000;
  const char* const kNames[] = {"IncomingBytes",
                                "IncomingRecords",
                                "OutgoingBytes",
                                "OutgoingRecords",
                                "WriteProvisionedThroughputExceeded",
                                "ReadProvisionedThroughputExceeded",
                                "IteratorAgeMilliseconds",
                                "PutRecord.Latency",
                                "GetRecords.Latency",
                                "GetRecords.Bytes"};
  std::vector<std::shared_ptr<Series> > handles;
  handles.reserve(kShards * 10);
  Registry registry;
  size_t before = mallinfo2().uordblks;
  for (int shard = 0; shard < kShards; ++shard) {
    std::string stream = "stream-" + std::to_string(shard / 4);
    char shard_id[32];
    std::snprintf(shard_id, sizeof shard_id, "shardId-%012d", shard);
    for (const char* name : kNames) {
      auto id = MetricId::make("AWS/Kinesis", name, {{"StreamName", stream}, {"ShardId", shard_id}});
      auto s = registry.series(*id, Unit::kCount);
      s->record(1);
      handles.push_back(std::move(s));
    }
  }
  registry.take_deltas();  // what the flusher does: the pending slots go
  size_t after = mallinfo2().uordblks;
  double per_series = static_cast<double>(after - before) / static_cast<double>(handles.size());
  std::printf("idle series: %zu series, %.0f bytes each (identity key ~%zu bytes)\n", handles.size(), per_series,
              handles.back()->key().size());
  EXPECT_LT(per_series, 500);
#endif
}

}  // namespace
}  // namespace runnel::metrics
