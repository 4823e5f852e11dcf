#include "streams/throughput.h"

namespace runnel::streams {

ShardThroughput::ShardThroughput() = default;
ShardThroughput::~ShardThroughput() = default;

}  // namespace runnel::streams
