#include "sql/functions.h"

namespace runnel::sql {

std::vector<std::string_view> string_function_names() { return {}; }

Binding bind_string_function(const std::string&, std::span<const ArgInfo>) { return std::nullopt; }

}  // namespace runnel::sql
