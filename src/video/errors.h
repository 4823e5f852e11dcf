#pragma once
// Kinesis Video Streams' exceptions as ApiErrors, with the HTTP statuses of
// the model's exception shapes (ResourceNotFoundException 404,
// NotAuthorizedException and AccessDeniedException 401, the others 400) and
// AWS's wording where it is known (docs/video.md says which texts are AWS's).
//
// Threads: pure functions.

#include <string>
#include <string_view>

#include "protocol/api_error.h"

namespace runnel::video {

protocol::ApiError invalid_argument(std::string message);
protocol::ApiError resource_not_found(std::string message);
protocol::ApiError resource_in_use(std::string message);
protocol::ApiError version_mismatch(std::string message);
protocol::ApiError tags_per_resource_exceeded(std::string message);
protocol::ApiError account_stream_limit_exceeded(std::string message);
protocol::ApiError account_channel_limit_exceeded(std::string message);
protocol::ApiError no_data_retention(std::string message);
protocol::ApiError invalid_resource_format(std::string message);

// AWS's answer for a stream that does not exist (or is being deleted):
// "The requested stream is not found or not active."
protocol::ApiError stream_not_found();
// The same for a signaling channel.
protocol::ApiError channel_not_found();

}  // namespace runnel::video
