#pragma once
// Per-shard throughput limits as Kinesis Data Streams enforces them on
// provisioned shards: writes 1 MiB/s and 1,000 records/s, reads 2 MiB/s and
// 5 GetRecords calls/s. The write rates it measures also feed on-demand
// scaling. Implementation and policy: throughput.cc, docs/throughput.md.
//
// Thread-safety: every member is safe to call from any thread.

#include <cstdint>

#include "storage/log.h"

namespace runnel::streams {

class ShardThroughput {
 public:
  ShardThroughput();
  ~ShardThroughput();
  ShardThroughput(const ShardThroughput&) = delete;
  ShardThroughput& operator=(const ShardThroughput&) = delete;

  // What was written to `shard` recently, per second, averaged over the last
  // minute (or since the shard's first write, if later). Counted whether the
  // limits are on or off: on-demand scaling reads it.
  struct WriteRate {
    double bytes_per_s = 0;
    double records_per_s = 0;
  };
  WriteRate write_rate(storage::ShardKey shard, int64_t now_ms) const;
};

}  // namespace runnel::streams
