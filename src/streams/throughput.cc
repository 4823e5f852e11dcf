#include "streams/throughput.h"

namespace runnel::streams {

ShardThroughput::ShardThroughput() = default;
ShardThroughput::~ShardThroughput() = default;

// Placeholder until the limiter lands: no write is measured yet.
ShardThroughput::WriteRate ShardThroughput::write_rate(storage::ShardKey, int64_t) const { return {}; }

}  // namespace runnel::streams
