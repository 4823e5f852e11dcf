// Placeholder while being written.
#include "streams/kinesis_service.h"

namespace runnel::streams {
namespace {
protocol::ApiError todo() { return protocol::ApiError{"NotImplementedException", "not yet", 501, false}; }
}  // namespace
protocol::ApiResult<protocol::Value> KinesisService::register_consumer(const protocol::Value&, const Ctx&) { return std::unexpected(todo()); }
protocol::ApiResult<protocol::Value> KinesisService::deregister_consumer(const protocol::Value&, const Ctx&) { return std::unexpected(todo()); }
protocol::ApiResult<protocol::Value> KinesisService::describe_consumer(const protocol::Value&, const Ctx&) { return std::unexpected(todo()); }
protocol::ApiResult<protocol::Value> KinesisService::list_consumers(const protocol::Value&, const Ctx&) { return std::unexpected(todo()); }
void KinesisService::subscribe_to_shard(const protocol::Value&, const Ctx&, protocol::OperationReply reply) { reply(std::unexpected(todo())); }
void KinesisService::records_durable(const std::vector<storage::ShardKey>&) {}
}  // namespace runnel::streams
