#include "sql/functions.h"

namespace runnel::sql {

std::vector<std::string_view> datetime_function_names() { return {}; }

Binding bind_datetime_function(const std::string&, std::span<const ArgInfo>) { return std::nullopt; }

}  // namespace runnel::sql
