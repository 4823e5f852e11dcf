#include "analytics/errors.h"

#include <fmt/format.h>

namespace runnel::analytics {

using protocol::ApiError;

ApiError resource_not_found(std::string m) { return {"ResourceNotFoundException", std::move(m), 400, false}; }
ApiError resource_in_use(std::string m) { return {"ResourceInUseException", std::move(m), 400, false}; }
ApiError invalid_argument(std::string m) { return {"InvalidArgumentException", std::move(m), 400, false}; }
ApiError concurrent_modification(std::string m) {
  return {"ConcurrentModificationException", std::move(m), 400, false};
}
ApiError limit_exceeded(std::string m) { return {"LimitExceededException", std::move(m), 400, false}; }
ApiError too_many_tags(std::string m) { return {"TooManyTagsException", std::move(m), 400, false}; }
ApiError invalid_application_configuration(std::string m) {
  return {"InvalidApplicationConfigurationException", std::move(m), 400, false};
}
ApiError code_validation(std::string m) { return {"CodeValidationException", std::move(m), 400, false}; }
ApiError unable_to_detect_schema(std::string m) { return {"UnableToDetectSchemaException", std::move(m), 400, false}; }
ApiError unsupported_operation(std::string m) { return {"UnsupportedOperationException", std::move(m), 400, false}; }
ApiError service_unavailable(std::string m) { return {"ServiceUnavailableException", std::move(m), 503, false}; }

ApiError application_not_found(std::string_view name) {
  return resource_not_found(fmt::format("Application {} is not found.", name));
}

ApiError version_mismatch(std::string_view name, int64_t given, int64_t current) {
  return concurrent_modification(
      fmt::format("Application {}: the provided CurrentApplicationVersionId {} does not match the current version {}. "
                  "Call DescribeApplication for the current version.",
                  name, given, current));
}

ApiError wrong_status(std::string_view name, std::string_view status, std::string_view what) {
  return resource_in_use(fmt::format("Application {} is in {} status: {}", name, status, what));
}

}  // namespace runnel::analytics
