#pragma once
// The scalar functions and operators of the KDA SQL dialect, behind one
// registry a planner binds names to: find_scalar_function(name, argument
// types) checks the arguments, picks the overload, and returns the callable
// and its result type. docs/analytics-functions.md lists every function,
// what it does here and how that differs from KDA.
//
// Special syntax binds to plain names and positional arguments:
//   a + b, a - b, a * b, a / b, -a     "+", "-", "*", "/", "NEGATE"
//   a = b, a <> b, a < b, ...         "=", "<>", "<", "<=", ">", ">="
//   a AND b, a OR b, NOT a            "AND", "OR", "NOT"
//   a || b                            "||"
//   a LIKE p [ESCAPE e]               "LIKE"(a, p [, e])
//   a SIMILAR TO p [ESCAPE e]         "SIMILAR TO"(a, p [, e])
//   EXTRACT(unit FROM x)              "EXTRACT"('unit', x)
//   FLOOR(x TO unit), CEIL(x TO unit) "FLOOR"(x, 'unit'), "CEIL"(x, 'unit')
//   STEP(x BY y)                      "STEP"(x, y)
//   POSITION(a IN b [FROM n])         "POSITION"(a, b [, n])
//   SUBSTRING(s FROM a [FOR b])       "SUBSTRING"(s, a [, b])
//   SUBSTRING(s FROM regex)           "SUBSTRING"(s, regex) (regex VARCHAR)
//   SUBSTRING(s SIMILAR p ESCAPE e)   "SUBSTRING SIMILAR"(s, p, e)
//   OVERLAY(s PLACING r FROM a [FOR b]) "OVERLAY"(s, r, a [, b])
//   TRIM([BOTH|LEADING|TRAILING] [c] FROM s) "TRIM"('BOTH', c, s)
// where 'unit' and the TRIM mode are VARCHAR constants. The planner handles
// CAST (coerce.h), CASE, IS [NOT] NULL and IN itself.
//
// Evaluation errors (overflow, division by zero, a bad format) are returned
// as SqlError values for the engine's error_stream; no function throws or
// crashes on any input.
//
// Threads: a BoundFunction may be called from any thread, concurrently;
// the registry is immutable after static initialisation.

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/types.h"
#include "sql/value.h"

namespace runnel::sql {

// One argument as the planner knows it at bind time: its type, and its
// value when it is a constant (so patterns and formats compile once).
struct ArgInfo {
  SqlType type;
  const Value* constant = nullptr;
};

using ScalarFn = std::function<SqlResult<Value>(std::span<const Value> args)>;

struct BoundFunction {
  ScalarFn fn;
  SqlType result_type;
};

// Binds `name` (case-insensitive) to the overload for `args`. Errors:
// NotFound for an unknown name; InvalidArgument (with a message naming the
// function and the argument) for a known name with wrong argument count or
// types, or a constant argument that is invalid (a bad regex, an unknown
// time unit).
[[nodiscard]] Result<BoundFunction> find_scalar_function(std::string_view name, std::span<const ArgInfo> args);

// Convenience for tests and constant folding: binds with every argument
// constant and calls once.
[[nodiscard]] Result<SqlResult<Value>> call_scalar_function(std::string_view name, std::span<const Value> args);

// ArgInfos for constant arguments (a literal's type: VARCHAR of its length,
// DECIMAL of its digits).
std::vector<ArgInfo> constant_args(std::span<const Value> args);

// The names the registry knows, upper-case, sorted.
std::vector<std::string> scalar_function_names();

// Row-valued functions: the log parsers (FAST_REGEX_LOG_PARSER,
// FIXED_COLUMN_LOG_PARSE, REGEX_LOG_PARSE, SYS_LOG_PARSE,
// VARIABLE_COLUMN_LOG_PARSE, W3C_LOG_PARSE) return a row of named columns
// that a query reads as `fn(...).COLUMN1` or through an alias. The call's
// result is a Row with one Value per column, or nullopt when the input does
// not parse (the whole row value is NULL; its columns read as NULL).
struct RowColumn {
  std::string name;
  SqlType type;
};
using RowFn = std::function<SqlResult<std::optional<Row>>(std::span<const Value> args)>;
struct BoundRowFunction {
  RowFn fn;
  std::vector<RowColumn> columns;
};
// Binds a row function; its column-list and format arguments must be
// constants (they decide the columns). Errors as find_scalar_function.
[[nodiscard]] Result<BoundRowFunction> find_row_function(std::string_view name, std::span<const ArgInfo> args);

// --- Families (functions_*.cc). Each returns nullopt when `name` (upper
// case) is not one of its functions.
using Binding = std::optional<Result<BoundFunction>>;
Binding bind_arithmetic_function(const std::string& name, std::span<const ArgInfo> args);
Binding bind_string_function(const std::string& name, std::span<const ArgInfo> args);
Binding bind_datetime_function(const std::string& name, std::span<const ArgInfo> args);
std::vector<std::string_view> arithmetic_function_names();
std::vector<std::string_view> string_function_names();
std::vector<std::string_view> datetime_function_names();
std::vector<std::string_view> row_function_names();

// Helpers the families share.
inline Result<BoundFunction> bind_error(std::string_view fn, std::string why) {
  return error(Status::invalid_argument(std::string(fn) + ": " + why));
}
// Wraps `fn` so that any NULL argument gives a NULL of `result` without a call.
ScalarFn null_on_null(ScalarFn fn, TypeKind result);
// Value of a constant VARCHAR argument, or nullopt.
std::optional<std::string> constant_text(const ArgInfo& a);

}  // namespace runnel::sql
