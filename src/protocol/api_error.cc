#include "protocol/api_error.h"

namespace runnel::protocol {

ApiError resource_not_found(std::string m) { return {"ResourceNotFoundException", std::move(m), 400, false}; }
ApiError resource_in_use(std::string m) { return {"ResourceInUseException", std::move(m), 400, false}; }
ApiError invalid_argument(std::string m) { return {"InvalidArgumentException", std::move(m), 400, false}; }
ApiError limit_exceeded(std::string m) { return {"LimitExceededException", std::move(m), 400, false}; }
ApiError validation_error(std::string m) { return {"ValidationException", std::move(m), 400, false}; }
ApiError serialization_error(std::string m) { return {"SerializationException", std::move(m), 400, true}; }
ApiError internal_failure(std::string m) { return {"InternalFailure", std::move(m), 500, false}; }

}  // namespace runnel::protocol
