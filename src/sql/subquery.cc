#include "sql/subquery.h"

#include <utility>

namespace runnel::sql {

SqlResult<bool> TableValues::refresh() const {
  if (version_ == table_->version) return true;
  values_.clear();
  set_.clear();
  has_null_ = false;
  for (const Row& row : table_->rows) {
    EvalInput in{&row, 0};
    if (where_) {
      SqlResult<Value> w = where_->eval(in);
      if (!w) return std::unexpected(w.error());
      if (truth_of(*w) != Truth::kTrue) continue;
    }
    SqlResult<Value> v = item_->eval(in);
    if (!v) return std::unexpected(v.error());
    if (v->is_null()) {
      has_null_ = true;
    } else if (!set_.insert(Row{*v}).second && distinct_) {
      continue;
    }
    values_.push_back(std::move(*v));
  }
  version_ = table_->version;
  return true;
}

SqlResult<const std::vector<Value>*> TableValues::values() const {
  SqlResult<bool> r = refresh();
  if (!r) return std::unexpected(r.error());
  return &values_;
}

SqlResult<const std::unordered_set<Row, RowKeyHash, RowKeyEqual>*> TableValues::set(bool* has_null) const {
  SqlResult<bool> r = refresh();
  if (!r) return std::unexpected(r.error());
  *has_null = has_null_;
  return &set_;
}

namespace {

class TableSubquery final : public Expr {
 public:
  TableSubquery(std::shared_ptr<TableValues> values, SubqueryUse use)
      : Expr(use == SubqueryUse::kExists ? SqlType::of(TypeKind::kBoolean) : values->type()),
        values_(std::move(values)),
        use_(use) {}
  SqlResult<Value> eval(const EvalInput&) const override {
    SqlResult<const std::vector<Value>*> v = values_->values();
    if (!v) return std::unexpected(v.error());
    const std::vector<Value>& vals = **v;
    if (use_ == SubqueryUse::kExists) return Value::boolean(!vals.empty());
    if (vals.empty()) return Value::null(type_.kind);
    if (vals.size() > 1)
      return sql_error("SCALAR_SUBQUERY", "a subquery used as a value returned " + std::to_string(vals.size()) +
                                              " rows; it may return one at most");
    return vals.front();
  }

 private:
  std::shared_ptr<TableValues> values_;
  SubqueryUse use_;
};

class InTable final : public Expr {
 public:
  InTable(ExprPtr operand, std::shared_ptr<TableValues> values, BoundFunction eq, bool negated)
      : Expr(SqlType::of(TypeKind::kBoolean)),
        operand_(std::move(operand)),
        values_(std::move(values)),
        eq_(std::move(eq)),
        negated_(negated) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    SqlResult<Value> x = operand_->eval(in);
    if (!x) return x;
    bool has_null = false;
    SqlResult<const std::unordered_set<Row, RowKeyHash, RowKeyEqual>*> set = values_->set(&has_null);
    if (!set) return std::unexpected(set.error());
    Truth t = Truth::kFalse;
    if (x->is_null()) {
      t = (*set)->empty() && !has_null ? Truth::kFalse : Truth::kUnknown;
    } else if (x->kind() == values_->type().kind) {
      t = (*set)->contains(Row{*x}) ? Truth::kTrue : has_null ? Truth::kUnknown : Truth::kFalse;
    } else {
      // Kinds that differ (INTEGER and DOUBLE, say) compare through "=".
      for (const Row& r : **set) {
        Value args[2] = {*x, r[0]};
        SqlResult<Value> e = eq_.fn(std::span<const Value>(args, 2));
        if (!e) return e;
        t = truth_or(t, truth_of(*e));
        if (t == Truth::kTrue) break;
      }
      if (t == Truth::kFalse && has_null) t = Truth::kUnknown;
    }
    return to_value(negated_ ? truth_not(t) : t);
  }

 private:
  ExprPtr operand_;
  std::shared_ptr<TableValues> values_;
  BoundFunction eq_;
  bool negated_;
};

class CorrelatedSubquery final : public Expr {
 public:
  CorrelatedSubquery(const EngineTable* table, ExprPtr where, ExprPtr item, SubqueryUse use, ExprPtr operand,
                     BoundFunction eq, bool negated)
      : Expr(use == SubqueryUse::kScalar ? item->type() : SqlType::of(TypeKind::kBoolean)),
        table_(table),
        where_(std::move(where)),
        item_(std::move(item)),
        use_(use),
        operand_(std::move(operand)),
        eq_(std::move(eq)),
        negated_(negated) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    Value x;
    if (use_ == SubqueryUse::kIn) {
      SqlResult<Value> v = operand_->eval(in);
      if (!v) return v;
      x = std::move(*v);
    }
    const size_t width = table_->columns.size();
    Row both(width + (in.row != nullptr ? in.row->size() : 0));
    if (in.row != nullptr) std::copy(in.row->begin(), in.row->end(), both.begin() + static_cast<ptrdiff_t>(width));
    std::optional<Value> found;
    size_t matches = 0;
    Truth t = Truth::kFalse;
    for (const Row& row : table_->rows) {
      std::copy(row.begin(), row.end(), both.begin());
      EvalInput inner{&both, in.rowtime};
      if (where_) {
        SqlResult<Value> w = where_->eval(inner);
        if (!w) return w;
        if (truth_of(*w) != Truth::kTrue) continue;
      }
      if (use_ == SubqueryUse::kExists) return Value::boolean(true);
      SqlResult<Value> v = item_->eval(inner);
      if (!v) return v;
      if (use_ == SubqueryUse::kScalar) {
        if (++matches > 1)
          return sql_error("SCALAR_SUBQUERY",
                           "a subquery used as a value returned more than one row; it may "
                           "return one at most");
        found = std::move(*v);
        continue;
      }
      if (x.is_null() || v->is_null()) {
        t = truth_or(t, Truth::kUnknown);
        continue;
      }
      Value args[2] = {x, std::move(*v)};
      SqlResult<Value> e = eq_.fn(std::span<const Value>(args, 2));
      if (!e) return e;
      t = truth_or(t, truth_of(*e));
      if (t == Truth::kTrue) break;
    }
    switch (use_) {
      case SubqueryUse::kExists: return Value::boolean(false);
      case SubqueryUse::kScalar: return found ? std::move(*found) : Value::null(type_.kind);
      case SubqueryUse::kIn: return to_value(negated_ ? truth_not(t) : t);
    }
    return Value::null(type_.kind);
  }

 private:
  const EngineTable* table_;
  ExprPtr where_;
  ExprPtr item_;
  SubqueryUse use_;
  ExprPtr operand_;
  BoundFunction eq_;
  bool negated_;
};

}  // namespace

ExprPtr make_correlated_subquery(const EngineTable* table, ExprPtr where, ExprPtr item, SubqueryUse use,
                                 ExprPtr operand, BoundFunction eq, bool negated) {
  return std::make_unique<CorrelatedSubquery>(table, std::move(where), std::move(item), use, std::move(operand),
                                              std::move(eq), negated);
}

ExprPtr make_table_subquery(std::shared_ptr<TableValues> values, SubqueryUse use) {
  return std::make_unique<TableSubquery>(std::move(values), use);
}

ExprPtr make_in_table(ExprPtr operand, std::shared_ptr<TableValues> values, BoundFunction eq, bool negated) {
  return std::make_unique<InTable>(std::move(operand), std::move(values), std::move(eq), negated);
}

}  // namespace runnel::sql
