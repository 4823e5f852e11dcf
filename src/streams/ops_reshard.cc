// SplitShard and MergeShards. (Being written; placeholder so the tree links.)

#include "streams/kinesis_service.h"

namespace runnel::streams {

protocol::ApiResult<protocol::Value> KinesisService::split_shard(const protocol::Value&, const Ctx&) {
  return std::unexpected(protocol::ApiError{"NotImplementedException", "SplitShard is not supported yet.", 501, false});
}

protocol::ApiResult<protocol::Value> KinesisService::merge_shards(const protocol::Value&, const Ctx&) {
  return std::unexpected(protocol::ApiError{"NotImplementedException", "MergeShards is not supported yet.", 501, false});
}

}  // namespace runnel::streams
