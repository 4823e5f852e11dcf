#pragma once
// Test helpers for the function families: evaluate by name with constant
// arguments and show the result as text ("NULL", or "ERR:<ERROR_NAME>").

#include <initializer_list>
#include <string>
#include <vector>

#include "sql/functions.h"

namespace runnel::sql {

inline std::string eval(std::string_view name, std::initializer_list<Value> args) {
  std::vector<Value> v(args);
  auto r = call_scalar_function(name, v);
  if (!r) return "BIND:" + r.error().message();
  if (!*r) return "ERR:" + r->error().name;
  return (*r)->is_null() ? "NULL" : (*r)->to_string();
}

inline bool bind_ok(std::string_view name, std::initializer_list<Value> args) {
  std::vector<Value> v(args);
  return call_scalar_function(name, v).has_value();
}

}  // namespace runnel::sql
