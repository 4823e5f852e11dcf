#pragma once
// Compiled expressions: what the planner (sql/planner.cc) makes of an
// ast::Expr once its names are resolved and its functions bound. An Expr is
// a small tree evaluated against one row at a time; constants are folded,
// functions are bound once (sql/functions.h), and every runtime failure
// (division by zero, a value that does not convert) comes back as a SqlError
// for the engine's error_stream instead of stopping anything.
//
// A row as an expression sees it (EvalInput): the values of the row being
// processed, its ROWTIME, and, in an aggregate query, the group's key values
// and aggregate results, which the planner addresses by index.
//
// Threads: an Expr is immutable after planning; evaluate it from one thread
// at a time per EvalInput (the bound functions are thread-safe).

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sql/functions.h"
#include "sql/types.h"
#include "sql/value.h"

namespace runnel::sql {

struct EvalInput {
  const Row* row = nullptr;     // the input row's columns (a join: left then right)
  int64_t rowtime = 0;          // its ROWTIME (an aggregate's output row: the window's end)
  const Row* keys = nullptr;    // an aggregate query: the group's key values
  const Row* aggs = nullptr;    // an aggregate query: the aggregates' results
  const Row* window = nullptr;  // a sliding window query: the window aggregates for this row
};

class Expr {
 public:
  virtual ~Expr() = default;
  virtual SqlResult<Value> eval(const EvalInput& in) const = 0;
  // A constant: no column, ROWTIME, key or aggregate below it.
  virtual bool is_constant() const { return false; }

  const SqlType& type() const { return type_; }

 protected:
  explicit Expr(SqlType t) : type_(t) {}
  SqlType type_;
};

using ExprPtr = std::unique_ptr<Expr>;

ExprPtr make_constant(Value v, SqlType t);
ExprPtr make_column(size_t index, SqlType t);
ExprPtr make_rowtime();
ExprPtr make_key(size_t index, SqlType t);
ExprPtr make_aggregate_ref(size_t index, SqlType t);
ExprPtr make_window_ref(size_t index, SqlType t);
ExprPtr make_call(BoundFunction fn, std::vector<ExprPtr> args);
ExprPtr make_cast(ExprPtr operand, SqlType to);
ExprPtr make_and(ExprPtr a, ExprPtr b);
ExprPtr make_or(ExprPtr a, ExprPtr b);
ExprPtr make_not(ExprPtr a);
// x IS [NOT] NULL / TRUE / FALSE / UNKNOWN
enum class IsWhat : uint8_t { kNull, kTrue, kFalse, kUnknown };
ExprPtr make_is(ExprPtr operand, IsWhat what, bool negated);
// x [NOT] IN (list): each comparison through `eq` (a bound "=" per item).
ExprPtr make_in(ExprPtr operand, std::vector<ExprPtr> list, std::vector<BoundFunction> eq, bool negated);
// CASE WHEN c THEN r ... ELSE e END (a simple CASE is planned as searched).
ExprPtr make_case(std::vector<ExprPtr> conditions, std::vector<ExprPtr> results, ExprPtr otherwise, SqlType t);
// A niladic function evaluated per row: CURRENT_ROW_TIMESTAMP (the wall clock
// when the row is processed).
ExprPtr make_current_row_timestamp();

// Evaluates a constant expression once (constant folding).
SqlResult<Value> eval_constant(const Expr& e);

}  // namespace runnel::sql
