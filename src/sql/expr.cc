#include "sql/expr.h"

#include <chrono>

#include "sql/coerce.h"

namespace runnel::sql {
namespace {

class Constant final : public Expr {
 public:
  Constant(Value v, SqlType t) : Expr(t), v_(std::move(v)) {}
  SqlResult<Value> eval(const EvalInput&) const override { return v_; }
  bool is_constant() const override { return true; }

 private:
  Value v_;
};

// A value of one of EvalInput's rows, by index.
class Slot final : public Expr {
 public:
  enum class From : uint8_t { kRow, kKeys, kAggs, kWindow };
  Slot(From from, size_t index, SqlType t) : Expr(t), from_(from), index_(index) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    const Row* r = from_ == From::kRow    ? in.row
                   : from_ == From::kKeys ? in.keys
                   : from_ == From::kAggs ? in.aggs
                                          : in.window;
    if (r == nullptr || index_ >= r->size()) return Value::null(type_.kind);
    return (*r)[index_];
  }

 private:
  From from_;
  size_t index_;
};

class Rowtime final : public Expr {
 public:
  Rowtime() : Expr(SqlType::of(TypeKind::kTimestamp)) {}
  SqlResult<Value> eval(const EvalInput& in) const override { return Value::timestamp(in.rowtime); }
};

class CurrentRowTimestamp final : public Expr {
 public:
  CurrentRowTimestamp() : Expr(SqlType::of(TypeKind::kTimestamp)) {}
  SqlResult<Value> eval(const EvalInput&) const override {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return Value::timestamp(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  }
};

bool all_constant(const std::vector<ExprPtr>& v) {
  for (const ExprPtr& e : v)
    if (!e->is_constant()) return false;
  return true;
}

class Call final : public Expr {
 public:
  Call(BoundFunction fn, std::vector<ExprPtr> args)
      : Expr(fn.result_type), fn_(std::move(fn.fn)), args_(std::move(args)), constant_(all_constant(args_)) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    Value small[4];
    std::vector<Value> big;
    std::span<Value> vals;
    if (args_.size() <= 4) {
      vals = std::span<Value>(small, args_.size());
    } else {
      big.resize(args_.size());
      vals = big;
    }
    for (size_t i = 0; i < args_.size(); ++i) {
      SqlResult<Value> v = args_[i]->eval(in);
      if (!v) return v;
      vals[i] = std::move(*v);
    }
    return fn_(std::span<const Value>(vals.data(), vals.size()));
  }
  bool is_constant() const override { return constant_; }

 private:
  ScalarFn fn_;
  std::vector<ExprPtr> args_;
  bool constant_;
};

class Cast final : public Expr {
 public:
  Cast(ExprPtr operand, SqlType to) : Expr(to), operand_(std::move(operand)) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    SqlResult<Value> v = operand_->eval(in);
    if (!v) return v;
    SqlType from = operand_->type();
    return cast_value(*v, type_, &from);
  }
  bool is_constant() const override { return operand_->is_constant(); }

 private:
  ExprPtr operand_;
};

class Logic final : public Expr {
 public:
  enum class Op : uint8_t { kAnd, kOr, kNot };
  Logic(Op op, ExprPtr a, ExprPtr b)
      : Expr(SqlType::of(TypeKind::kBoolean)), op_(op), a_(std::move(a)), b_(std::move(b)) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    SqlResult<Value> a = a_->eval(in);
    if (!a) return a;
    Truth ta = truth_of(*a);
    if (op_ == Op::kNot) return to_value(truth_not(ta));
    // Short-circuit as SQL allows: FALSE AND x, TRUE OR x.
    if (op_ == Op::kAnd && ta == Truth::kFalse) return Value::boolean(false);
    if (op_ == Op::kOr && ta == Truth::kTrue) return Value::boolean(true);
    SqlResult<Value> b = b_->eval(in);
    if (!b) return b;
    Truth tb = truth_of(*b);
    return to_value(op_ == Op::kAnd ? truth_and(ta, tb) : truth_or(ta, tb));
  }
  bool is_constant() const override { return a_->is_constant() && (!b_ || b_->is_constant()); }

 private:
  Op op_;
  ExprPtr a_, b_;
};

class Is final : public Expr {
 public:
  Is(ExprPtr operand, IsWhat what, bool negated)
      : Expr(SqlType::of(TypeKind::kBoolean)), operand_(std::move(operand)), what_(what), negated_(negated) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    SqlResult<Value> v = operand_->eval(in);
    if (!v) return v;
    bool r = false;
    switch (what_) {
      case IsWhat::kNull:
      case IsWhat::kUnknown: r = v->is_null(); break;
      case IsWhat::kTrue: r = !v->is_null() && v->as_bool(); break;
      case IsWhat::kFalse: r = !v->is_null() && !v->as_bool(); break;
    }
    return Value::boolean(r != negated_);
  }
  bool is_constant() const override { return operand_->is_constant(); }

 private:
  ExprPtr operand_;
  IsWhat what_;
  bool negated_;
};

class In final : public Expr {
 public:
  In(ExprPtr operand, std::vector<ExprPtr> list, std::vector<BoundFunction> eq, bool negated)
      : Expr(SqlType::of(TypeKind::kBoolean)),
        operand_(std::move(operand)),
        list_(std::move(list)),
        eq_(std::move(eq)),
        negated_(negated) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    SqlResult<Value> x = operand_->eval(in);
    if (!x) return x;
    // x IN (a, b) is x = a OR x = b, with SQL's three-valued OR.
    Truth t = Truth::kFalse;
    for (size_t i = 0; i < list_.size() && t != Truth::kTrue; ++i) {
      SqlResult<Value> item = list_[i]->eval(in);
      if (!item) return item;
      Value args[2] = {*x, std::move(*item)};
      SqlResult<Value> r = eq_[i].fn(std::span<const Value>(args, 2));
      if (!r) return r;
      t = truth_or(t, truth_of(*r));
    }
    return to_value(negated_ ? truth_not(t) : t);
  }
  bool is_constant() const override { return operand_->is_constant() && all_constant(list_); }

 private:
  ExprPtr operand_;
  std::vector<ExprPtr> list_;
  std::vector<BoundFunction> eq_;
  bool negated_;
};

class Case final : public Expr {
 public:
  Case(std::vector<ExprPtr> conditions, std::vector<ExprPtr> results, ExprPtr otherwise, SqlType t)
      : Expr(t), conditions_(std::move(conditions)), results_(std::move(results)), otherwise_(std::move(otherwise)) {}
  SqlResult<Value> eval(const EvalInput& in) const override {
    for (size_t i = 0; i < conditions_.size(); ++i) {
      SqlResult<Value> c = conditions_[i]->eval(in);
      if (!c) return c;
      if (truth_of(*c) == Truth::kTrue) return branch(*results_[i], in);
    }
    if (otherwise_) return branch(*otherwise_, in);
    return Value::null(type_.kind);
  }
  bool is_constant() const override {
    return all_constant(conditions_) && all_constant(results_) && (!otherwise_ || otherwise_->is_constant());
  }

 private:
  // Each arm is brought to the CASE's common type.
  SqlResult<Value> branch(const Expr& e, const EvalInput& in) const {
    SqlResult<Value> v = e.eval(in);
    if (!v || e.type() == type_) return v;
    SqlType from = e.type();
    return cast_value(*v, type_, &from);
  }

  std::vector<ExprPtr> conditions_, results_;
  ExprPtr otherwise_;
};

}  // namespace

ExprPtr make_constant(Value v, SqlType t) { return std::make_unique<Constant>(std::move(v), t); }
ExprPtr make_column(size_t index, SqlType t) { return std::make_unique<Slot>(Slot::From::kRow, index, t); }
ExprPtr make_rowtime() { return std::make_unique<Rowtime>(); }
ExprPtr make_key(size_t index, SqlType t) { return std::make_unique<Slot>(Slot::From::kKeys, index, t); }
ExprPtr make_aggregate_ref(size_t index, SqlType t) { return std::make_unique<Slot>(Slot::From::kAggs, index, t); }
ExprPtr make_window_ref(size_t index, SqlType t) { return std::make_unique<Slot>(Slot::From::kWindow, index, t); }
ExprPtr make_call(BoundFunction fn, std::vector<ExprPtr> args) {
  return std::make_unique<Call>(std::move(fn), std::move(args));
}
ExprPtr make_cast(ExprPtr operand, SqlType to) { return std::make_unique<Cast>(std::move(operand), to); }
ExprPtr make_and(ExprPtr a, ExprPtr b) { return std::make_unique<Logic>(Logic::Op::kAnd, std::move(a), std::move(b)); }
ExprPtr make_or(ExprPtr a, ExprPtr b) { return std::make_unique<Logic>(Logic::Op::kOr, std::move(a), std::move(b)); }
ExprPtr make_not(ExprPtr a) { return std::make_unique<Logic>(Logic::Op::kNot, std::move(a), nullptr); }
ExprPtr make_is(ExprPtr operand, IsWhat what, bool negated) {
  return std::make_unique<Is>(std::move(operand), what, negated);
}
ExprPtr make_in(ExprPtr operand, std::vector<ExprPtr> list, std::vector<BoundFunction> eq, bool negated) {
  return std::make_unique<In>(std::move(operand), std::move(list), std::move(eq), negated);
}
ExprPtr make_case(std::vector<ExprPtr> conditions, std::vector<ExprPtr> results, ExprPtr otherwise, SqlType t) {
  return std::make_unique<Case>(std::move(conditions), std::move(results), std::move(otherwise), t);
}
ExprPtr make_current_row_timestamp() { return std::make_unique<CurrentRowTimestamp>(); }

SqlResult<Value> eval_constant(const Expr& e) { return e.eval(EvalInput{}); }

}  // namespace runnel::sql
