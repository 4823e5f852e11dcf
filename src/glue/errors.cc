#include "glue/errors.h"

namespace runnel::glue {

using protocol::ApiError;

ApiError entity_not_found(std::string m) { return {"EntityNotFoundException", std::move(m), 400, false}; }
ApiError already_exists(std::string m) { return {"AlreadyExistsException", std::move(m), 400, false}; }
ApiError invalid_input(std::string m) { return {"InvalidInputException", std::move(m), 400, false}; }
ApiError concurrent_modification(std::string m) {
  return {"ConcurrentModificationException", std::move(m), 400, false};
}
ApiError access_denied(std::string m) { return {"AccessDeniedException", std::move(m), 400, false}; }
ApiError internal_service(std::string m) { return {"InternalServiceException", std::move(m), 500, false}; }

ApiError database_not_found(std::string_view database) {
  return entity_not_found("Database " + std::string(database) + " not found.");
}

ApiError table_not_found(std::string_view table) {
  return entity_not_found("Table " + std::string(table) + " not found.");
}

api::ErrorDetail error_detail(const protocol::ApiError& e) {
  api::ErrorDetail d;
  d.error_code = e.type;
  d.error_message = e.message;
  return d;
}

}  // namespace runnel::glue
