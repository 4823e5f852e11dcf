#pragma once
// Glue's exceptions as ApiErrors (the model's exception shapes; every one is
// answered with HTTP 400, as Glue does), with AWS's wording where it is known
// (docs/glue.md lists which texts are AWS's and which are runnel's).
//
// Threads: pure functions.

#include <string>
#include <string_view>

#include "glue_shapes.h"
#include "protocol/api_error.h"

namespace runnel::glue {

protocol::ApiError entity_not_found(std::string message);
protocol::ApiError already_exists(std::string message);
protocol::ApiError invalid_input(std::string message);
protocol::ApiError concurrent_modification(std::string message);
protocol::ApiError access_denied(std::string message);
protocol::ApiError internal_service(std::string message);

// "Database foo not found." / "Table bar not found."
protocol::ApiError database_not_found(std::string_view database);
protocol::ApiError table_not_found(std::string_view table);

// A batch operation's per-item ErrorDetail {ErrorCode, ErrorMessage} for `e`.
api::ErrorDetail error_detail(const protocol::ApiError& e);

}  // namespace runnel::glue
