#include "video/errors.h"

namespace runnel::video {

using protocol::ApiError;

ApiError invalid_argument(std::string m) { return {"InvalidArgumentException", std::move(m), 400}; }
ApiError resource_not_found(std::string m) { return {"ResourceNotFoundException", std::move(m), 404}; }
ApiError resource_in_use(std::string m) { return {"ResourceInUseException", std::move(m), 400}; }
ApiError version_mismatch(std::string m) { return {"VersionMismatchException", std::move(m), 400}; }
ApiError tags_per_resource_exceeded(std::string m) {
  return {"TagsPerResourceExceededLimitException", std::move(m), 400};
}
ApiError account_stream_limit_exceeded(std::string m) {
  return {"AccountStreamLimitExceededException", std::move(m), 400};
}
ApiError account_channel_limit_exceeded(std::string m) {
  return {"AccountChannelLimitExceededException", std::move(m), 400};
}
ApiError no_data_retention(std::string m) { return {"NoDataRetentionException", std::move(m), 400}; }
ApiError invalid_resource_format(std::string m) { return {"InvalidResourceFormatException", std::move(m), 400}; }

ApiError stream_not_found() { return resource_not_found("The requested stream is not found or not active."); }
ApiError channel_not_found() { return resource_not_found("The requested channel is not found or not active."); }

}  // namespace runnel::video
