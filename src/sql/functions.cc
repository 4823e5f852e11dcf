#include "sql/functions.h"

#include <algorithm>
#include <cctype>

namespace runnel::sql {

ScalarFn null_on_null(ScalarFn fn, TypeKind result) {
  return [fn = std::move(fn), result](std::span<const Value> args) -> SqlResult<Value> {
    for (const Value& a : args)
      if (a.is_null()) return Value::null(result);
    return fn(args);
  };
}

std::optional<std::string> constant_text(const ArgInfo& a) {
  if (!a.constant || a.constant->is_null() || !SqlType::of(a.constant->kind()).is_character()) return std::nullopt;
  return a.constant->as_string();
}

Result<BoundFunction> find_scalar_function(std::string_view name, std::span<const ArgInfo> args) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "CHARACTER_LENGTH") upper = "CHAR_LENGTH";
  if (upper == "CEILING") upper = "CEIL";
  for (auto* family : {bind_arithmetic_function, bind_string_function, bind_datetime_function}) {
    if (auto b = family(upper, args)) return std::move(*b);
  }
  return error(Status::not_found("No function named " + std::string(name)));
}

std::vector<ArgInfo> constant_args(std::span<const Value> args) {
  std::vector<ArgInfo> infos;
  for (const Value& v : args) {
    SqlType t = SqlType::of(v.kind());
    if (t.is_character() || t.is_binary()) t.length = std::max<int32_t>(1, static_cast<int32_t>(v.as_string().size()));
    if (t.kind == TypeKind::kDecimal) {
      // A literal's precision is its digit count (12.50 is DECIMAL(4,2)).
      const int64_t u = v.as_int();
      int digits = 1;
      for (uint64_t m = u < 0 ? 0 - static_cast<uint64_t>(u) : static_cast<uint64_t>(u); m >= 10; m /= 10) ++digits;
      t.scale = static_cast<int8_t>(v.scale());
      t.length = std::max(digits, v.scale() + 1 > kMaxDecimalPrecision ? v.scale() : v.scale() + 1);
    }
    infos.push_back(ArgInfo{t, &v});
  }
  return infos;
}

Result<SqlResult<Value>> call_scalar_function(std::string_view name, std::span<const Value> args) {
  auto bound = find_scalar_function(name, constant_args(args));
  if (!bound) return error(bound.error());
  return bound->fn(args);
}

std::vector<std::string> scalar_function_names() {
  std::vector<std::string> out;
  for (auto* family : {arithmetic_function_names, string_function_names, datetime_function_names}) {
    for (std::string_view n : family()) out.emplace_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace runnel::sql
