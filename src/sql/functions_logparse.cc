#include "sql/functions.h"

namespace runnel::sql {

std::vector<std::string_view> logparse_function_names() { return {}; }

Binding bind_logparse_function(const std::string&, std::span<const ArgInfo>) { return std::nullopt; }

}  // namespace runnel::sql
