// StartStreamEncryption, StopStreamEncryption.

#include "streams/kinesis_service.h"

namespace runnel::streams {

protocol::ApiResult<protocol::Value> KinesisService::start_stream_encryption(const Value&, const Ctx&) {
  return std::unexpected(protocol::ApiError{"NotImplementedException",
                                            "Operation StartStreamEncryption is not supported by runnel yet.", 501,
                                            false});
}

protocol::ApiResult<protocol::Value> KinesisService::stop_stream_encryption(const Value&, const Ctx&) {
  return std::unexpected(protocol::ApiError{"NotImplementedException",
                                            "Operation StopStreamEncryption is not supported by runnel yet.", 501,
                                            false});
}

}  // namespace runnel::streams
