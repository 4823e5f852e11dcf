#pragma once
// Kinesis Data Analytics' exceptions as ApiErrors (the model's exception
// shapes, all answered with HTTP 400 as KDA did, but
// ServiceUnavailableException with 503), with the messages runnel gives;
// docs/analytics.md says which wording is AWS's and which is runnel's.
//
// Threads: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/api_error.h"

namespace runnel::analytics {

protocol::ApiError resource_not_found(std::string message);
protocol::ApiError resource_in_use(std::string message);
protocol::ApiError invalid_argument(std::string message);
protocol::ApiError concurrent_modification(std::string message);
protocol::ApiError limit_exceeded(std::string message);
protocol::ApiError too_many_tags(std::string message);
protocol::ApiError invalid_application_configuration(std::string message);
protocol::ApiError code_validation(std::string message);
protocol::ApiError unable_to_detect_schema(std::string message);
protocol::ApiError unsupported_operation(std::string message);
protocol::ApiError service_unavailable(std::string message);

// "Application <name> is not found." (ResourceNotFoundException)
protocol::ApiError application_not_found(std::string_view name);
// The answer to a stale CurrentApplicationVersionId.
protocol::ApiError version_mismatch(std::string_view name, int64_t given, int64_t current);
// A change the application's status does not allow (ResourceInUseException).
protocol::ApiError wrong_status(std::string_view name, std::string_view status, std::string_view what);

}  // namespace runnel::analytics
