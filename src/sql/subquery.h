// Subqueries as values over a reference table: `(SELECT x FROM t WHERE
// ...)`, `EXISTS (SELECT ...)` and `y IN (SELECT x FROM t ...)`. A stream
// cannot be a value (it never ends), so only tables are read. An
// uncorrelated subquery's result is computed from the table's rows when
// first needed and again after the table is replaced (UpdateApplication
// reloads reference data); a correlated one (its WHERE reads the outer
// row's columns) is evaluated for each outer row.
#pragma once

#include <memory>
#include <unordered_set>
#include <vector>

#include "sql/expr.h"
#include "sql/planner.h"

namespace runnel::sql {

// The values an uncorrelated one-column query over a table gives.
class TableValues {
 public:
  TableValues(const EngineTable* table, ExprPtr where, ExprPtr item, bool distinct)
      : table_(table), where_(std::move(where)), item_(std::move(item)), distinct_(distinct) {}
  // The values, or the first error evaluating WHERE or the item.
  SqlResult<const std::vector<Value>*> values() const;
  // For IN: the non-NULL values as one-value rows, and whether a NULL was among them.
  SqlResult<const std::unordered_set<Row, RowKeyHash, RowKeyEqual>*> set(bool* has_null) const;
  const SqlType& type() const { return item_->type(); }

 private:
  SqlResult<bool> refresh() const;

  const EngineTable* table_;
  ExprPtr where_;
  ExprPtr item_;
  bool distinct_;
  mutable uint64_t version_ = ~uint64_t{0};
  mutable std::vector<Value> values_;
  mutable std::unordered_set<Row, RowKeyHash, RowKeyEqual> set_;
  mutable bool has_null_ = false;
};

enum class SubqueryUse : uint8_t { kScalar, kExists, kIn };
ExprPtr make_table_subquery(std::shared_ptr<TableValues> values, SubqueryUse use);
// operand [NOT] IN (subquery). `eq` compares the operand with a value when
// their kinds differ (otherwise a hash lookup decides).
ExprPtr make_in_table(ExprPtr operand, std::shared_ptr<TableValues> values, BoundFunction eq, bool negated);

// A correlated subquery: WHERE and the item see the table's columns
// followed by the outer row's, and are evaluated over every table row for
// each outer row (O(table rows) per row: reference tables are small). For
// kIn, `operand` and `eq` are the left side and its "=".
ExprPtr make_correlated_subquery(const EngineTable* table, ExprPtr where, ExprPtr item, SubqueryUse use,
                                 ExprPtr operand, BoundFunction eq, bool negated);

}  // namespace runnel::sql
