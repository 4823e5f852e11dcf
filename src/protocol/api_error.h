#pragma once
// ApiError: an error as the client sees it, an AWS `__type`, a message and an
// HTTP status. Every layer above storage reports failures as ApiError, and
// protocol/dispatcher.cc is the one place that turns it into bytes.

#include <expected>
#include <memory>
#include <string>

namespace runnel::protocol {

class Value;

struct ApiError {
  std::string type;     // e.g. "ResourceNotFoundException"
  std::string message;  // AWS's wording where known
  int http_status = 400;
  // SerializationException is answered with a capital "Message" key, as AWS does.
  bool capital_message_key = false;
  // S3's <Resource>: the bucket or object ("/bucket/key") the error is about.
  // Written only in S3's bare <Error> form (rest_xml.h); empty: left out.
  std::string resource = {};
  // Members of the exception shape beyond its message (an Object), written
  // into the JSON and CBOR error bodies beside __type and message:
  // Analytics' UnableToDetectSchemaException carries RawInputRecords. Null:
  // none.
  std::shared_ptr<const Value> members = {};
};

template <class T>
using ApiResult = std::expected<T, ApiError>;

inline std::unexpected<ApiError> api_error(std::string type, std::string message, int status = 400) {
  return std::unexpected<ApiError>(ApiError{std::move(type), std::move(message), status, false});
}

// Common constructors, named after the model's exception shapes.
ApiError resource_not_found(std::string message);
ApiError resource_in_use(std::string message);
ApiError invalid_argument(std::string message);
ApiError limit_exceeded(std::string message);
ApiError validation_error(std::string message);
ApiError serialization_error(std::string message);
ApiError internal_failure(std::string message = "Internal Service Failure");

}  // namespace runnel::protocol
