#include "sql/planner.h"

#include "sql/subquery.h"

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "sql/coerce.h"
#include "sql/expr.h"
#include "sql/functions.h"
#include "sql/ml_operators.h"
#include "sql/operators.h"

namespace runnel::sql {
namespace {

using ast::Pos;

// A column as a query sees it: which FROM item it came from and its name.
struct Col {
  std::string qualifier;
  std::string name;
  SqlType type;
  bool system = false;  // not selected by *
};

struct Scope {
  std::vector<Col> cols;
};

// What FROM produced: the columns, and how to attach the operator that
// consumes its rows.
struct FromPlan {
  Scope scope;
  std::function<void(Operator*)> connect;
};

// A planned query: its output columns and the operators whose output is the
// query's rows (more than one for UNION ALL).
struct Planned {
  std::vector<ColumnSchema> columns;
  std::vector<Operator*> tails;
  // When a select item made several columns (a log parser's row): per
  // column, which output group (a select item, or one column of *) it is
  // and its field's name (empty for a plain column). Empty otherwise.
  std::vector<std::pair<size_t, std::string>> origin;
};

// The state of binding an aggregate query's select list and HAVING.
struct AggContext {
  const Scope* input = nullptr;
  std::vector<const ast::Expr*> keys;
  std::vector<SqlType> key_types;
  std::vector<int> key_columns;  // the input column a key is, or -1
  std::vector<AggregateSpec> specs;
  std::vector<const ast::Expr*> spec_exprs;
};

// The state of binding a sliding-window query's select list.
struct WindowContext {
  const Scope* input = nullptr;
  const std::vector<ast::NamedWindow>* named = nullptr;
  std::vector<ast::WindowSpec> specs;  // one per frame, resolved
  std::vector<WindowFrame> frames;
  std::vector<WindowAggregate> aggs;
  std::vector<const ast::Expr*> agg_exprs;
};

bool is_window_function_name(const std::string& n) {
  static const std::set<std::string> kNames = {
      "COUNT",       "SUM",        "AVG",     "MIN",      "MAX",      "FIRST_VALUE", "LAST_VALUE", "STDDEV",
      "STDDEV_SAMP", "STDDEV_POP", "VAR_POP", "VAR_SAMP", "VARIANCE", "LAG",         "NTH_VALUE",  "EXP_AVG"};
  return kNames.contains(n);
}

bool is_aggregate_name(const std::string& n) {
  static const std::set<std::string> kNames = {"COUNT",      "SUM",         "AVG",     "MIN",      "MAX",     "STDDEV",
                                               "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "VARIANCE"};
  return kNames.contains(n);
}
bool needs_over_name(const std::string& n) {
  static const std::set<std::string> kNames = {"EXP_AVG", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "LAG"};
  return kNames.contains(n);
}

bool is_rowtime_ref(const ast::Expr& e) {
  const auto* c = e.as<ast::ColumnRef>();
  return c != nullptr && !c->name.empty() && c->name.back() == "ROWTIME" && c->name.size() <= 2;
}

// Whether a function call for which `pred` holds is in `e` (not in
// subqueries).
bool has_call(const ast::Expr& e, const std::function<bool(const ast::FunctionCall&)>& pred) {
  if (const auto* fc = e.as<ast::FunctionCall>(); fc != nullptr && pred(*fc)) return true;
  bool found = false;
  ast::for_each_child(e, [&](const ast::Expr& c) { found = found || has_call(c, pred); });
  return found;
}

// A CREATE FUNCTION function: its body bound over its parameters.
struct UserFunction {
  std::vector<SqlType> parameters;
  SqlType returns;
  bool null_on_null = false;  // RETURNS NULL ON NULL INPUT
  ExprPtr body;
};

// Whether a column reference for which `pred` holds (or, `rowtime`, a
// reference to ROWTIME) is in `e`, outside subqueries.
bool has_column(const ast::Expr& e, const std::function<bool(const ast::ColumnRef&)>& pred, bool rowtime) {
  if (const auto* c = e.as<ast::ColumnRef>()) return (rowtime && is_rowtime_ref(e)) || pred(*c);
  bool found = false;
  ast::for_each_child(e, [&](const ast::Expr& c) { found = found || has_column(c, pred, rowtime); });
  return found;
}

// An aggregate call (COUNT, SUM, ... without OVER), and a call with OVER.
bool has_aggregate(const ast::Expr& e) {
  return has_call(e, [](const ast::FunctionCall& f) { return !f.over && is_aggregate_name(f.name); });
}
bool has_aggregate(const ast::Box<ast::Expr>& b) { return b && has_aggregate(*b); }
bool has_window(const ast::Expr& e) {
  return has_call(e, [](const ast::FunctionCall& f) { return f.over.has_value(); });
}

// How an expression moves with ROWTIME, by the rules of KDA's "Monotonic
// Expressions and Operators": ROWTIME ascends; a constant does not move;
// adding or subtracting a constant, multiplying or dividing by one, FLOOR,
// CEIL, STEP, CAST and `(a - b) unit` keep an expression monotonic.
enum class Monotonicity : uint8_t { kConstant, kMonotone, kOther };
Monotonicity monotonicity(const ast::Expr& e) {
  using M = Monotonicity;
  if (is_rowtime_ref(e)) return M::kMonotone;
  return std::visit(
      [&](const auto& n) -> M {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::Literal>) {
          return M::kConstant;
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          return n.op == ast::Unary::Op::kNot ? M::kOther : monotonicity(*n.operand);
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          const M l = monotonicity(*n.left), r = monotonicity(*n.right);
          switch (n.op) {
            case ast::Binary::Op::kAdd:
            case ast::Binary::Op::kSub:
            case ast::Binary::Op::kMul:
              if (l == M::kConstant) return r;
              if (r == M::kConstant) return l;
              return M::kOther;
            case ast::Binary::Op::kDiv: return r == M::kConstant ? l : M::kOther;
            default: return l == M::kConstant && r == M::kConstant ? M::kConstant : M::kOther;
          }
        } else if constexpr (std::is_same_v<T, ast::FloorCeil> || std::is_same_v<T, ast::Cast> ||
                             std::is_same_v<T, ast::IntervalOf>) {
          return monotonicity(*n.operand);
        } else if constexpr (std::is_same_v<T, ast::Step>) {
          return monotonicity(*n.width) == M::kConstant ? monotonicity(*n.operand) : M::kOther;
        } else if constexpr (std::is_same_v<T, ast::FunctionCall>) {
          if (n.over || n.args.size() != 1) return M::kOther;
          if (n.name == "MONOTONIC") return M::kMonotone;
          if (n.name == "FLOOR" || n.name == "CEIL" || n.name == "CEILING") return monotonicity(*n.args[0]);
          return M::kOther;
        } else {
          return M::kOther;
        }
      },
      e.node);
}

std::optional<TimeUnit> unit_of(ast::TimeUnit u) { return parse_time_unit(ast::time_unit_name(u)); }

class Planner {
 public:
  Planner(const PlannerHooks& hooks, CompileError* error) : hooks_(hooks), error_(error) {}

  Status program(const ast::Program& p) {
    for (const ast::Statement& st : p.statements) {
      Status s = std::visit([&](const auto& node) { return statement(st.pos, node); }, st.node);
      if (!s) return s;
    }
    return Status::ok();
  }

 private:
  std::unexpected<Status> fail(Pos pos, std::string message) {
    if (error_ != nullptr && error_->message.empty()) *error_ = CompileError{pos.line, pos.column, message};
    return error(Status::invalid_argument(std::move(message)));
  }

  // Binding without the sliding-window context (an argument, a window's
  // size, a function body), restored when this goes out of scope.
  struct NoWindow {
    explicit NoWindow(Planner& p) : planner(p), saved(p.window_) { p.window_ = nullptr; }
    ~NoWindow() { planner.window_ = saved; }
    NoWindow(const NoWindow&) = delete;
    NoWindow& operator=(const NoWindow&) = delete;
    Planner& planner;
    WindowContext* saved;
  };

  // Whether `e` binds in `scope`, without making a failure the compile
  // error (a probe: the caller goes on either way).
  bool binds_quietly(const ast::Expr& e, const Scope& scope) {
    CompileError* kept = error_;
    CompileError scratch;
    error_ = &scratch;
    const bool ok = bind(e, scope, nullptr).has_value();
    error_ = kept;
    return ok;
  }

  // The value of a constant expression (a window's size, LAG's offset, ...),
  // or nullopt when it does not bind, is not constant, fails or is NULL.
  std::optional<Value> constant_of(const ast::Expr& e) {
    CompileError* kept = error_;
    CompileError scratch;
    error_ = &scratch;  // the caller says what a constant must be
    Result<ExprPtr> r = bind(e, Scope{}, nullptr);
    error_ = kept;
    if (!r || !(*r)->is_constant()) return std::nullopt;
    SqlResult<Value> v = eval_constant(**r);
    if (!v || v->is_null()) return std::nullopt;
    return std::move(*v);
  }

  // ---- Statements ----

  Result<std::string> one_name(Pos pos, const ast::QualifiedName& n, std::string_view what) {
    if (n.size() != 1) return fail(pos, std::string(what) + " names have one part; schemas are not supported");
    return n[0];
  }

  Status statement(Pos pos, const ast::CreateStream& cs) {
    Result<std::string> name = one_name(pos, cs.name, "stream");
    if (!name) return name.error();
    if (*name == kErrorStream)
      return fail(pos, "error_stream is the application's own error stream; choose another name").error();
    if (hooks_.find_stream(*name) != nullptr)
      return fail(pos, "stream " + ast::quote_name(*name) + " already exists").error();
    if (hooks_.find_table(*name) != nullptr)
      return fail(pos, ast::quote_name(*name) + " is a reference table; choose another name for the stream").error();
    if (cs.columns.empty()) return fail(pos, "stream " + ast::quote_name(*name) + " needs at least one column").error();
    auto s = std::make_unique<EngineStream>();
    s->name = *name;
    std::set<std::string> seen;
    for (const ast::ColumnDef& c : cs.columns) {
      if (c.name == "ROWTIME") return fail(c.pos, "ROWTIME is a column of every stream; it cannot be declared").error();
      if (!seen.insert(c.name).second)
        return fail(c.pos, "column " + ast::quote_name(c.name) + " is declared twice").error();
      Result<SqlType> t = type_of(c.type);
      if (!t) return t.error();
      s->columns.push_back(ColumnSchema{c.name, *t});
    }
    hooks_.add_stream(std::move(s));
    return Status::ok();
  }

  Status statement(Pos pos, const ast::CreatePump& cp) {
    Result<std::string> name = one_name(pos, cp.name, "pump");
    if (!name) return name.error();
    if (!pumps_.insert(*name).second) return fail(pos, "pump " + ast::quote_name(*name) + " already exists").error();
    Result<std::string> target_name = one_name(pos, cp.target, "stream");
    if (!target_name) return target_name.error();
    EngineStream* target = hooks_.find_stream(*target_name);
    if (target == nullptr) {
      if (hooks_.find_table(*target_name) != nullptr)
        return fail(pos, "a pump inserts into a stream, and " + ast::quote_name(*target_name) + " is a reference table")
            .error();
      return fail(pos,
                  "stream " + ast::quote_name(*target_name) + " does not exist; create it with CREATE STREAM first")
          .error();
    }
    if (target->input || *target_name == kErrorStream)
      return fail(pos, "a pump cannot insert into " + ast::quote_name(*target_name) +
                           ": it is fed by the application's input")
          .error();
    const PumpContext* ctx = hooks_.add_pump(*name);
    Result<Planned> q = query(cp.query, ctx);
    if (!q) return q.error();
    std::vector<size_t> positions;
    if (!cp.columns.empty()) {
      for (const std::string& c : cp.columns) {
        size_t i = 0;
        while (i < target->columns.size() && target->columns[i].name != c) ++i;
        if (i == target->columns.size())
          return fail(pos, "stream " + ast::quote_name(target->name) + " has no column " + ast::quote_name(c)).error();
        positions.push_back(i);
      }
    } else {
      for (size_t i = 0; i < target->columns.size(); ++i) positions.push_back(i);
    }
    if (q->columns.size() != positions.size())
      return fail(cp.query.pos, "the query selects " + std::to_string(q->columns.size()) +
                                    " columns but the pump inserts " + std::to_string(positions.size()) + " into " +
                                    ast::quote_name(target->name))
          .error();
    for (size_t i = 0; i < positions.size(); ++i) {
      const SqlType& from = q->columns[i].type;
      const ColumnSchema& to = target->columns[positions[i]];
      if (from.kind != TypeKind::kNull && !assignable(from, to.type))
        return fail(cp.query.pos, "column " + std::to_string(i + 1) + " of the query is " + from.to_string() +
                                      ", which does not go into " + ast::quote_name(to.name) + " " +
                                      to.type.to_string() + " without a CAST")
            .error();
    }
    Operator* sink = hooks_.make_sink(target, std::move(positions), ctx);
    for (Operator* t : q->tails) t->set_next(sink);
    return Status::ok();
  }

  // CREATE FUNCTION f(a type, ...) RETURNS type ... RETURN expr: a scalar
  // function of its parameters alone, bound once and called like a built-in.
  Status statement(Pos pos, const ast::CreateFunction& cf) {
    Result<std::string> name = one_name(pos, cf.name, "function");
    if (!name) return name.error();
    if (functions_.contains(*name) && !cf.or_replace)
      return fail(pos, "function " + ast::quote_name(*name) + " already exists; use CREATE OR REPLACE FUNCTION")
          .error();
    if (!cf.body) return fail(pos, "a SQL function needs RETURN expression").error();
    if (cf.modifies_sql_data || cf.reads_sql_data)
      return fail(pos, "a SQL function here computes from its parameters only (no READS or MODIFIES SQL DATA)").error();
    auto fn = std::make_shared<UserFunction>();
    Scope params;
    std::set<std::string> seen;
    for (const ast::ColumnDef& c : cf.parameters) {
      if (!seen.insert(c.name).second)
        return fail(c.pos, "parameter " + ast::quote_name(c.name) + " is declared twice").error();
      Result<SqlType> t = type_of(c.type);
      if (!t) return t.error();
      params.cols.push_back(Col{"", c.name, *t});
      fn->parameters.push_back(*t);
    }
    Result<SqlType> returns = type_of(cf.returns);
    if (!returns) return returns.error();
    fn->returns = *returns;
    fn->null_on_null = cf.returns_null_on_null.value_or(false);
    if (has_aggregate(*cf.body) || has_window(*cf.body))
      return fail(cf.body->pos, "a SQL function's body cannot use aggregates or windows").error();
    if (has_column(
            *cf.body, [](const ast::ColumnRef&) { return false; }, true))
      return fail(cf.body->pos, "a SQL function's body cannot read ROWTIME; pass it as a parameter").error();
    Result<ExprPtr> body = [&] {
      NoWindow no_window(*this);
      return bind(*cf.body, params, nullptr);
    }();
    if (!body) return body.error();
    if ((*body)->type() != fn->returns) body = make_cast(std::move(*body), fn->returns);
    fn->body = std::move(*body);
    functions_[*name] = std::move(fn);
    return Status::ok();
  }

  // A call of a CREATE FUNCTION function: arguments cast to the parameters'
  // types, the body evaluated over them.
  Result<ExprPtr> user_call(Pos pos, const std::string& name, std::shared_ptr<const UserFunction> fn,
                            std::vector<ExprPtr> args) {
    if (args.size() != fn->parameters.size())
      return fail(pos, name + " takes " + std::to_string(fn->parameters.size()) + " argument" +
                           (fn->parameters.size() == 1 ? "" : "s") + "; it is given " + std::to_string(args.size()));
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i]->type() != fn->parameters[i]) args[i] = make_cast(std::move(args[i]), fn->parameters[i]);
    BoundFunction bound{[fn](std::span<const Value> a) -> SqlResult<Value> {
                          if (fn->null_on_null)
                            for (const Value& v : a)
                              if (v.is_null()) return Value::null(fn->returns.kind);
                          const Row row(a.begin(), a.end());
                          return fn->body->eval(EvalInput{&row, 0});
                        },
                        fn->returns};
    return make_call(std::move(bound), std::move(args));
  }

  Status statement(Pos pos, const ast::Insert&) {
    return fail(pos,
                "an INSERT on its own does not run continuously; make it a pump: CREATE PUMP name AS INSERT INTO ...")
        .error();
  }

  Status statement(Pos pos, const ast::Query&) {
    return fail(pos,
                "a query on its own does not run in an application; insert its rows into a stream with CREATE PUMP ... "
                "AS "
                "INSERT INTO ... SELECT STREAM ...")
        .error();
  }

  Result<SqlType> type_of(const ast::DataType& t) {
    Result<SqlType> r = parse_sql_type(ast::to_sql(t));
    if (!r) return fail(t.pos, r.error().message());
    return r;
  }

  // ---- Queries ----

  Result<Planned> query(const ast::Query& q, const PumpContext* ctx) {
    if (const ast::Select* s = q.select()) return select(*s, q.order_by, ctx);
    if (std::holds_alternative<ast::Values>(q.body))
      return fail(q.pos, "VALUES is not a stream; a pump selects from streams");
    const auto& u = std::get<ast::SetOperation>(q.body);
    if (u.op != ast::SetOperation::Op::kUnion) return fail(q.pos, "EXCEPT and INTERSECT of streams are not supported");
    if (u.quantifier != ast::SetOperation::Quantifier::kAll)
      return fail(q.pos, "UNION (which removes duplicates) of streams is not supported; use UNION ALL");
    Result<Planned> l = query(*u.left, ctx);
    if (!l) return l;
    Result<Planned> r = query(*u.right, ctx);
    if (!r) return r;
    if (l->columns.size() != r->columns.size())
      return fail(q.pos, "the two sides of UNION ALL select " + std::to_string(l->columns.size()) + " and " +
                             std::to_string(r->columns.size()) + " columns");
    for (size_t i = 0; i < l->columns.size(); ++i)
      if (!comparable(l->columns[i].type, r->columns[i].type))
        return fail(q.pos, "column " + std::to_string(i + 1) + " of UNION ALL is " + l->columns[i].type.to_string() +
                               " on one side and " + r->columns[i].type.to_string() + " on the other");
    l->tails.insert(l->tails.end(), r->tails.begin(), r->tails.end());
    if (!q.order_by.empty()) return sorted(std::move(*l), q.order_by, nullptr);
    return l;
  }

  Result<FromPlan> from(const ast::FromItem& f, const PumpContext* ctx) {
    if (const auto* t = f.as<ast::TableRef>()) {
      Result<std::string> name = one_name(f.pos, t->name, "stream");
      if (!name) return error(name.error());
      if (t->window) return fail(f.pos, "a window on a FROM item belongs to one side of a stream join");
      EngineStream* s = hooks_.find_stream(*name);
      if (s == nullptr) {
        if (hooks_.find_table(*name) != nullptr)
          return fail(f.pos, "reference table " + ast::quote_name(*name) + " can only be joined with a stream");
        return fail(f.pos, "stream " + ast::quote_name(*name) + " does not exist");
      }
      if (*name == kErrorStream) return fail(f.pos, "error_stream cannot be read by the application's own code");
      FromPlan p;
      std::string q = t->alias.value_or(*name);
      for (const ColumnSchema& c : s->columns) p.scope.cols.push_back(Col{q, c.name, c.type, c.system});
      p.connect = [s](Operator* op) { s->readers.push_back(op); };
      return p;
    }
    if (const auto* d = f.as<ast::DerivedTable>()) {
      Result<Planned> inner = query(*d->query, ctx);
      if (!inner) return error(inner.error());
      // AS l(r) names the query's select items; a row-valued item's fields
      // are then `l.r.COLUMN1`, ...
      const size_t groups = inner->origin.empty() ? inner->columns.size() : inner->origin.back().first + 1;
      if (!d->columns.empty() && d->columns.size() != groups)
        return fail(f.pos, "the subquery's column list names " + std::to_string(d->columns.size()) +
                               " columns but it selects " + std::to_string(groups));
      FromPlan p;
      for (size_t i = 0; i < inner->columns.size(); ++i) {
        std::string name = inner->columns[i].name;
        if (!d->columns.empty()) {
          if (inner->origin.empty()) {
            name = d->columns[i];
          } else {
            const auto& [group, field] = inner->origin[i];
            name = field.empty() ? d->columns[group] : d->columns[group] + "." + field;
          }
        }
        p.scope.cols.push_back(Col{d->alias.value_or(""), std::move(name), inner->columns[i].type});
      }
      std::vector<Operator*> tails = inner->tails;
      p.connect = [tails](Operator* op) {
        for (Operator* t : tails) t->set_next(op);
      };
      return p;
    }
    if (const auto* tf = f.as<ast::TableFunction>()) return table_function(f, *tf, ctx);
    const auto& j = std::get<ast::Join>(f.node);
    // A stream joined with a reference table: one side must name a table.
    auto table_of = [&](const ast::FromItem& side) -> EngineTable* {
      const auto* t = side.as<ast::TableRef>();
      if (t == nullptr || t->name.size() != 1) return nullptr;
      return hooks_.find_table(t->name[0]);
    };
    EngineTable* lt = table_of(*j.left);
    EngineTable* rt = table_of(*j.right);
    if (lt != nullptr && rt != nullptr)
      return fail(f.pos, "a join needs a stream on one side; both sides are reference tables");
    if (lt == nullptr && rt == nullptr) return stream_join(f, j, ctx);
    const bool table_first = lt != nullptr;
    EngineTable* table = table_first ? lt : rt;
    const ast::FromItem& table_item = table_first ? *j.left : *j.right;
    const ast::FromItem& stream_item = table_first ? *j.right : *j.left;
    bool outer = false;
    switch (j.kind) {
      case ast::Join::Kind::kInner:
      case ast::Join::Kind::kComma:
      case ast::Join::Kind::kCross: break;
      case ast::Join::Kind::kLeft:
        if (table_first)
          return fail(f.pos,
                      "a LEFT JOIN that keeps the reference table's rows is not a stream; put the stream on the left");
        outer = true;
        break;
      case ast::Join::Kind::kRight:
        if (!table_first)
          return fail(
              f.pos, "a RIGHT JOIN that keeps the reference table's rows is not a stream; put the stream on the right");
        outer = true;
        break;
      case ast::Join::Kind::kFull: return fail(f.pos, "FULL OUTER JOIN of a stream and a table is not supported");
    }
    Result<FromPlan> sp = from(stream_item, ctx);
    if (!sp) return sp;
    const auto& tref = std::get<ast::TableRef>(table_item.node);
    std::string tq = tref.alias.value_or(table->name);
    Scope table_scope;
    for (const ColumnSchema& c : table->columns) table_scope.cols.push_back(Col{tq, c.name, c.type});
    FromPlan p;
    const Scope& first = table_first ? table_scope : sp->scope;
    const Scope& second = table_first ? sp->scope : table_scope;
    p.scope.cols = first.cols;
    p.scope.cols.insert(p.scope.cols.end(), second.cols.begin(), second.cols.end());
    ExprPtr on;
    if (j.on) {
      Result<ExprPtr> c = bind(*j.on, p.scope, nullptr);
      if (!c) return error(c.error());
      if (Status s = boolean(*j.on, **c, "ON"); !s) return error(s);
      on = std::move(*c);
    }
    Operator* op = hooks_.add_operator(
        std::make_unique<TableJoinOp>(ctx, &table->rows, table->columns.size(), std::move(on), outer, table_first));
    sp->connect(op);
    p.connect = [op](Operator* next) { op->set_next(next); };
    return p;
  }

  // TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM ...), 'column', k, seconds))
  // and TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), 'column', seconds)).
  Result<FromPlan> table_function(const ast::FromItem& f, const ast::TableFunction& tf, const PumpContext* ctx) {
    const auto* call = tf.call ? tf.call->as<ast::FunctionCall>() : nullptr;
    if (call == nullptr) return fail(f.pos, "TABLE(...) needs a function call");
    if (is_ml_table_function(call->name)) return ml_table_function(f, tf, *call, ctx);
    const bool top_k = call->name == "TOP_K_ITEMS_TUMBLING";
    if (!top_k && call->name != "COUNT_DISTINCT_ITEMS_TUMBLING")
      return fail(tf.call->pos,
                  "the table function " + call->name +
                      " is not supported yet (runnel runs TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING)");
    const size_t want = top_k ? 4 : 3;
    if (call->args.size() != want)
      return fail(tf.call->pos, call->name + " takes " + std::to_string(want) +
                                    " arguments: CURSOR(SELECT STREAM ...), 'column'" +
                                    (top_k ? ", k, window size in seconds" : ", window size in seconds"));
    const auto* cursor = call->args[0]->as<ast::SubqueryExpr>();
    if (cursor == nullptr || cursor->kind != ast::SubqueryExpr::Kind::kCursor)
      return fail(call->args[0]->pos, "the first argument of " + call->name + " is CURSOR(SELECT STREAM ...)");
    auto constant = [&](const ast::Box<ast::Expr>& a) -> SqlResult<Value> {
      Result<ExprPtr> e = bind(*a, Scope{}, nullptr);
      if (!e || !(*e)->is_constant()) return sql_error(kInvalidArgument, "not a constant");
      return eval_constant(**e);
    };
    SqlResult<Value> column = constant(call->args[1]);
    if (!column || column->is_null() || (column->kind() != TypeKind::kChar && column->kind() != TypeKind::kVarchar))
      return fail(call->args[1]->pos, "the column is named by a string constant, e.g. 'TICKER_SYMBOL'");
    int64_t k = 1;
    if (top_k) {
      SqlResult<Value> kv = constant(call->args[2]);
      if (!kv || kv->is_null() || !SqlType::of(kv->kind()).is_integer() || kv->as_int() < 1 || kv->as_int() > 100'000)
        return fail(call->args[2]->pos, "K is an integer from 1 to 100000");
      k = kv->as_int();
    }
    SqlResult<Value> seconds = constant(call->args[want - 1]);
    if (!seconds || seconds->is_null() || !SqlType::of(seconds->kind()).is_integer() || seconds->as_int() < 1 ||
        seconds->as_int() > 3600)
      return fail(call->args[want - 1]->pos, "the window size is an integer number of seconds from 1 to 3600");
    Result<Planned> inner = query(*cursor->query, ctx);
    if (!inner) return error(inner.error());
    std::string name = column->as_string();
    while (!name.empty() && name.back() == ' ') name.pop_back();  // a CHAR constant's padding
    std::optional<size_t> index;
    for (size_t i = 0; i < inner->columns.size() && !index; ++i)
      if (inner->columns[i].name == name) index = i;
    if (!index) return fail(call->args[1]->pos, "the cursor's query has no column " + ast::quote_name(name));
    auto op =
        std::make_unique<TumblingItemsOp>(top_k ? TumblingItemsOp::Mode::kTopK : TumblingItemsOp::Mode::kCountDistinct,
                                          *index, k, seconds->as_int() * 1000);
    Operator* raw = hooks_.add_operator(std::move(op));
    for (Operator* t : inner->tails) t->set_next(raw);
    FromPlan p;
    const std::string q = tf.alias.value_or("");
    std::vector<ColumnSchema> cols;
    if (top_k)
      cols = {inner->columns[*index], ColumnSchema{"MOST_FREQUENT_VALUES", SqlType::of(TypeKind::kBigint)}};
    else
      cols = {ColumnSchema{"NUMBER_OF_DISTINCT_ITEMS", SqlType::of(TypeKind::kBigint)}};
    if (!tf.columns.empty() && tf.columns.size() != cols.size())
      return fail(f.pos, call->name + " gives " + std::to_string(cols.size()) + " columns; the alias names " +
                             std::to_string(tf.columns.size()));
    for (size_t i = 0; i < cols.size(); ++i)
      p.scope.cols.push_back(Col{q, tf.columns.empty() ? cols[i].name : tf.columns[i], cols[i].type});
    p.connect = [raw](Operator* next) { raw->set_next(next); };
    return p;
  }

  // TABLE(RANDOM_CUT_FOREST(CURSOR(...), ...)), its _WITH_EXPLANATION and
  // HOTSPOTS: ml_operators.h checks the arguments and makes the operator.
  Result<FromPlan> ml_table_function(const ast::FromItem& f, const ast::TableFunction& tf,
                                     const ast::FunctionCall& call, const PumpContext* ctx) {
    if (call.args.empty()) return fail(tf.call->pos, call.name + " needs CURSOR(SELECT STREAM ...)");
    const auto* cursor = call.args[0]->as<ast::SubqueryExpr>();
    if (cursor == nullptr || cursor->kind != ast::SubqueryExpr::Kind::kCursor)
      return fail(call.args[0]->pos, "the first argument of " + call.name + " is CURSOR(SELECT STREAM ...)");
    std::vector<MlArgument> args;
    for (size_t i = 1; i < call.args.size(); ++i) {
      Result<ExprPtr> e = bind(*call.args[i], Scope{}, nullptr);
      MlArgument a{std::nullopt, SourcePos{call.args[i]->pos.line, call.args[i]->pos.column}};
      if (e && (*e)->is_constant())
        if (SqlResult<Value> v = eval_constant(**e)) a.value = std::move(*v);
      args.push_back(std::move(a));
    }
    Result<Planned> inner = query(*cursor->query, ctx);
    if (!inner) return error(inner.error());
    auto planned =
        plan_ml_table_function(call.name, SourcePos{tf.call->pos.line, tf.call->pos.column}, args, inner->columns);
    if (auto* bad = std::get_if<MlPlanError>(&planned)) return fail(bad->pos, bad->message);
    MlPlan& plan = std::get<MlPlan>(planned);
    Operator* raw = hooks_.add_operator(std::move(plan.op));
    for (Operator* t : inner->tails) t->set_next(raw);
    if (!tf.columns.empty() && tf.columns.size() != plan.columns.size())
      return fail(f.pos, call.name + " gives " + std::to_string(plan.columns.size()) + " columns; the alias names " +
                             std::to_string(tf.columns.size()));
    FromPlan p;
    const std::string q = tf.alias.value_or("");
    for (size_t i = 0; i < plan.columns.size(); ++i)
      p.scope.cols.push_back(Col{q, tf.columns.empty() ? plan.columns[i].name : tf.columns[i], plan.columns[i].type});
    p.connect = [raw](Operator* next) { raw->set_next(next); };
    return p;
  }

  // Two streams, one of them with a window: StreamJoinOp.
  Result<FromPlan> stream_join(const ast::FromItem& f, const ast::Join& j, const PumpContext* ctx) {
    auto window_of = [](const ast::FromItem& side) -> const ast::Over* {
      const auto* t = side.as<ast::TableRef>();
      return t != nullptr && t->window ? &*t->window : nullptr;
    };
    const ast::Over* lw = window_of(*j.left);
    const ast::Over* rw = window_of(*j.right);
    if (lw == nullptr && rw == nullptr)
      return fail(
          f.pos,
          "a join of two streams needs a window on one side, e.g. JOIN s OVER (RANGE INTERVAL '1' MINUTE PRECEDING)");
    auto range_of = [&](const ast::Over* over) -> Result<std::optional<int64_t>> {
      if (over == nullptr) return std::optional<int64_t>();
      // OVER w, or OVER (w ...), names a window of the query's WINDOW clause.
      std::optional<ast::WindowSpec> spec;
      if (over->name || (over->spec && over->spec->base)) {
        static const std::vector<ast::NamedWindow> kNone;
        WindowContext w;
        w.named = from_windows_ != nullptr ? from_windows_ : &kNone;
        Result<ast::WindowSpec> r = resolve_window(f.pos, *over, w);
        if (!r) return error(r.error());
        spec = std::move(*r);
        from_window_used_ = true;
      } else if (over->spec) {
        spec = *over->spec;
      }
      if (!spec || !spec->partition_by.empty() || !spec->frame || spec->frame->rows ||
          spec->frame->start.kind != ast::FrameBound::Kind::kPreceding || !spec->frame->start.offset ||
          (spec->frame->end && spec->frame->end->kind != ast::FrameBound::Kind::kCurrentRow))
        return fail(f.pos, "a stream join's window is OVER (RANGE INTERVAL '...' unit PRECEDING)");
      std::optional<Value> v = constant_of(*spec->frame->start.offset);
      if (!v || v->kind() != TypeKind::kIntervalDayTime || v->as_int() < 0)
        return fail(spec->frame->start.offset->pos, "a stream join's window is a day-time INTERVAL");
      return std::optional<int64_t>(v->as_int());
    };
    Result<std::optional<int64_t>> lrange = range_of(lw);
    if (!lrange) return error(lrange.error());
    Result<std::optional<int64_t>> rrange = range_of(rw);
    if (!rrange) return error(rrange.error());
    StreamJoinOp::Side ls{*lrange, 0, j.kind == ast::Join::Kind::kLeft || j.kind == ast::Join::Kind::kFull};
    StreamJoinOp::Side rs{*rrange, 0, j.kind == ast::Join::Kind::kRight || j.kind == ast::Join::Kind::kFull};
    // Each side as a plain FROM item (the window is this join's).
    auto side = [&](const ast::FromItem& item) -> Result<FromPlan> {
      if (const auto* t = item.as<ast::TableRef>(); t != nullptr && t->window) {
        ast::FromItem plain;
        plain.pos = item.pos;
        ast::TableRef copy;
        copy.name = t->name;
        // `JOIN s OVER w ... WINDOW w AS (...)`: the window's name also
        // names the side, as the join page's example reads it (`w.col`).
        copy.alias = t->alias ? t->alias : t->window->name;
        plain.node = std::move(copy);
        return from(plain, ctx);
      }
      return from(item, ctx);
    };
    Result<FromPlan> left = side(*j.left);
    if (!left) return left;
    Result<FromPlan> right = side(*j.right);
    if (!right) return right;
    FromPlan p;
    p.scope.cols = left->scope.cols;
    p.scope.cols.insert(p.scope.cols.end(), right->scope.cols.begin(), right->scope.cols.end());
    ExprPtr on;
    if (j.on) {
      Result<ExprPtr> c = bind(*j.on, p.scope, nullptr);
      if (!c) return error(c.error());
      if (Status st = boolean(*j.on, **c, "ON"); !st) return error(st);
      on = std::move(*c);
    }
    ls.width = left->scope.cols.size();
    rs.width = right->scope.cols.size();
    auto op = std::make_unique<StreamJoinOp>(ctx, ls, rs, std::move(on));
    StreamJoinOp* raw = op.get();
    hooks_.add_operator(std::move(op));
    left->connect(raw->input(0));
    right->connect(raw->input(1));
    p.connect = [raw](Operator* next) { raw->set_next(next); };
    return p;
  }

  Status boolean(const ast::Expr& at, const Expr& e, std::string_view clause) {
    if (e.type().kind == TypeKind::kBoolean || e.type().kind == TypeKind::kNull) return Status::ok();
    return fail(at.pos, std::string(clause) + " needs a BOOLEAN condition; this is " + e.type().to_string()).error();
  }

  static std::string column_name(const ast::SelectItem& item, size_t i) {
    if (item.alias) return *item.alias;
    if (const auto* c = item.expr->as<ast::ColumnRef>()) return c->name.back();
    return "EXPR$" + std::to_string(i);
  }

  Result<Planned> select(const ast::Select& s, const std::vector<ast::OrderItem>& order_by, const PumpContext* ctx) {
    // KDA's own examples select from TABLE(HOTSPOTS(CURSOR(...))) without
    // STREAM: a table function over a cursor is a stream either way.
    const bool table_function_only = s.from && s.from->as<ast::TableFunction>() != nullptr;
    if (!s.stream && !table_function_only)
      return fail(s.pos, "a query on streams is continuous: write SELECT STREAM (a plain SELECT reads tables only)");
    if (!s.from) return fail(s.pos, "SELECT STREAM needs a FROM clause");
    if (s.quantifier == ast::FunctionCall::Quantifier::kDistinct) {
      // SELECT STREAM DISTINCT a, b is GROUP BY a, b: one of them must be
      // monotonic (ROWTIME, FLOOR(ROWTIME TO MINUTE), ...) for rows to leave.
      if (!s.group_by.empty() || s.stagger)
        return fail(s.pos, "SELECT STREAM DISTINCT cannot be combined with GROUP BY or WINDOWED BY STAGGER");
      ast::Select g = s;
      g.quantifier = ast::FunctionCall::Quantifier::kNone;
      bool monotonic = false;
      for (const ast::SelectItem& item : s.items) {
        if (item.expr->as<ast::Star>() != nullptr)
          return fail(item.pos, "SELECT STREAM DISTINCT needs its columns named; * is not supported here");
        if (has_aggregate(*item.expr) || has_window(*item.expr))
          return fail(item.pos, "SELECT STREAM DISTINCT selects plain expressions, not aggregates");
        monotonic = monotonic || bucket_of(*item.expr).has_value();
        g.group_by.push_back(item.expr);
      }
      if (!monotonic)
        return fail(s.pos,
                    "SELECT STREAM DISTINCT needs a monotonic expression among its columns, such as ROWTIME or "
                    "FLOOR(\"S\".ROWTIME TO MINUTE); without one a row could never be known to be distinct");
      return select(g, order_by, ctx);
    }
    if (s.stagger && !s.group_by.empty())
      return fail(s.stagger->pos, "WINDOWED BY STAGGER takes the place of GROUP BY; a query cannot have both");
    // A stream join in FROM may name its window in this query's WINDOW clause.
    const std::vector<ast::NamedWindow>* saved_windows = from_windows_;
    const bool saved_used = from_window_used_;
    from_windows_ = &s.windows;
    from_window_used_ = false;
    Result<FromPlan> f = from(*s.from, ctx);
    const bool join_used_window = from_window_used_;
    from_windows_ = saved_windows;
    from_window_used_ = saved_used;
    if (!f) return error(f.error());

    bool aggregate = !s.group_by.empty() || s.stagger || has_aggregate(s.having);
    for (const ast::SelectItem& item : s.items) aggregate = aggregate || has_aggregate(*item.expr);
    ExprPtr where;
    if (s.where) {
      if (has_aggregate(*s.where)) return fail(s.where->pos, "an aggregate cannot be used in WHERE; use HAVING");
      Result<ExprPtr> w = bind(*s.where, f->scope, nullptr);
      if (!w) return error(w.error());
      if (Status st = boolean(*s.where, **w, "WHERE"); !st) return error(st);
      where = std::move(*w);
    }
    bool windowed = false;
    for (const ast::SelectItem& item : s.items) windowed = windowed || has_window(*item.expr);
    if (aggregate && windowed) return fail(s.pos, "a query cannot have both GROUP BY aggregates and OVER windows");
    if (aggregate) return aggregate_select(s, order_by, ctx, *f, std::move(where));
    if (!windowed && !join_used_window && !s.windows.empty())
      return fail(s.windows.front().pos, "WINDOW is declared but no OVER uses it");
    if (s.having) return fail(s.having->pos, "HAVING needs a GROUP BY");

    Planned out;
    std::vector<ExprPtr> items;
    ExprPtr rowtime;
    WindowContext wctx;
    wctx.input = &f->scope;
    wctx.named = &s.windows;
    window_ = windowed ? &wctx : nullptr;
    struct Reset {
      WindowContext*& w;
      ~Reset() { w = nullptr; }
    } reset{window_};
    for (size_t i = 0; i < s.items.size(); ++i) {
      const ast::SelectItem& item = s.items[i];
      if (const auto* star = item.expr->as<ast::Star>()) {
        size_t before = items.size();
        for (size_t c = 0; c < f->scope.cols.size(); ++c) {
          const Col& col = f->scope.cols[c];
          if (col.system || (!star->qualifier.empty() && star->qualifier.back() != col.qualifier)) continue;
          items.push_back(make_column(c, col.type));
          out.columns.push_back(ColumnSchema{col.name, col.type});
          if (!out.origin.empty()) out.origin.emplace_back(out.origin.back().first + 1, "");
        }
        if (items.size() == before) return fail(item.pos, "no columns match " + ast::to_sql(*item.expr));
        continue;
      }
      if (const auto* fc = item.expr->as<ast::FunctionCall>();
          fc != nullptr && !fc->over && is_row_function(fc->name)) {
        if (item.alias && *item.alias == "ROWTIME") return fail(item.pos, fc->name + " returns a row, not a TIMESTAMP");
        Result<std::vector<std::pair<RowColumn, ExprPtr>>> fields = row_fields(*item.expr, *fc, f->scope);
        if (!fields) return error(fields.error());
        if (out.origin.empty())
          for (size_t c = 0; c < out.columns.size(); ++c) out.origin.emplace_back(c, "");
        const size_t group = out.origin.empty() ? 0 : out.origin.back().first + 1;
        for (auto& [col, expr] : *fields) {
          out.columns.push_back(ColumnSchema{column_name(item, i) + "." + col.name, col.type});
          out.origin.emplace_back(group, col.name);
          items.push_back(std::move(expr));
        }
        continue;
      }
      Result<ExprPtr> e = bind(*item.expr, f->scope, nullptr);
      if (!e) return error(e.error());
      if (item.alias && *item.alias == "ROWTIME") {
        if ((*e)->type().kind != TypeKind::kTimestamp)
          return fail(item.pos, "AS ROWTIME needs a TIMESTAMP; this is " + (*e)->type().to_string());
        rowtime = std::move(*e);
        continue;
      }
      out.columns.push_back(ColumnSchema{column_name(item, i), (*e)->type()});
      if (!out.origin.empty()) out.origin.emplace_back(out.origin.back().first + 1, "");
      items.push_back(std::move(*e));
    }
    Operator* op = nullptr;
    if (windowed) {
      op = hooks_.add_operator(std::make_unique<SlidingWindowOp>(
          ctx, std::move(where), std::move(wctx.frames), std::move(wctx.aggs), std::move(items), std::move(rowtime)));
    } else {
      op =
          hooks_.add_operator(std::make_unique<ProjectOp>(ctx, std::move(where), std::move(items), std::move(rowtime)));
    }
    f->connect(op);
    out.tails.push_back(op);
    if (!order_by.empty()) return sorted(std::move(out), order_by, &s.items);
    return out;
  }

  // Streaming ORDER BY over a query's rows: led by a time bucket, then any
  // expressions of the output columns (or, `items`, selected expressions).
  Result<Planned> sorted(Planned in, const std::vector<ast::OrderItem>& order_by,
                         const std::vector<ast::SelectItem>* items) {
    const ast::OrderItem& lead = order_by.front();
    std::optional<TumblingAggregateOp::Bucket> bucket = time_bucket_of(*lead.expr);
    if (!bucket || lead.descending)
      return fail(lead.pos,
                  "a streaming ORDER BY starts with an ascending time key: ROWTIME, FLOOR(ROWTIME TO unit) or "
                  "STEP(ROWTIME BY INTERVAL ...)");
    Result<ExprPtr> key = bind(*lead.expr, Scope{}, nullptr);
    if (!key) return error(key.error());
    Scope outputs;
    for (const ColumnSchema& c : in.columns) outputs.cols.push_back(Col{"", c.name, c.type});
    std::vector<std::pair<ExprPtr, bool>> order;
    for (size_t k = 1; k < order_by.size(); ++k) {
      const ast::OrderItem& o = order_by[k];
      std::optional<size_t> col;
      for (size_t i = 0; items != nullptr && i < items->size() && i < in.columns.size() && !col; ++i)
        if (*(*items)[i].expr == *o.expr && (*items)[i].expr->as<ast::Star>() == nullptr) col = i;
      if (col) {
        order.emplace_back(make_column(*col, in.columns[*col].type), o.descending);
        continue;
      }
      Result<ExprPtr> e = bind(*o.expr, outputs, nullptr);
      if (!e) return fail(o.pos, "ORDER BY in a streaming query sorts by the selected columns: " + e.error().message());
      order.emplace_back(std::move(*e), o.descending);
    }
    auto op = std::make_unique<SortOp>(std::move(*key), *bucket, std::move(order), in.tails.size());
    SortOp* sort = op.get();
    hooks_.add_operator(std::move(op));
    for (size_t i = 0; i < in.tails.size(); ++i) in.tails[i]->set_next(sort->input(i));
    in.tails.assign(1, sort);
    return in;
  }

  // The window a GROUP BY key is, when it is monotonic: STEP(ROWTIME BY
  // INTERVAL ...), FLOOR(ROWTIME TO unit), ROWTIME (buckets of known width);
  // another monotonic expression of ROWTIME alone; MONOTONIC(expr).
  std::optional<TumblingAggregateOp::Bucket> bucket_of(const ast::Expr& e) {
    if (std::optional<TumblingAggregateOp::Bucket> b = time_bucket_of(e)) return b;
    using Kind = TumblingAggregateOp::Bucket::Kind;
    const auto* fc = e.as<ast::FunctionCall>();
    const bool declared = fc != nullptr && fc->name == "MONOTONIC" && !fc->over && fc->args.size() == 1;
    if (!declared && monotonicity(e) != Monotonicity::kMonotone) return std::nullopt;
    TumblingAggregateOp::Bucket b;
    b.kind = binds_quietly(e, Scope{}) ? Kind::kRowtimeExpression : Kind::kMonotonic;
    if (b.kind == Kind::kMonotonic && !declared) return std::nullopt;
    return b;
  }

  std::optional<TumblingAggregateOp::Bucket> time_bucket_of(const ast::Expr& e) {
    TumblingAggregateOp::Bucket b;
    if (is_rowtime_ref(e)) return b;
    if (const auto* st = e.as<ast::Step>()) {
      if (!is_rowtime_ref(*st->operand)) return std::nullopt;
      std::optional<Value> v = constant_of(*st->width);
      if (!v || v->as_int() <= 0) return std::nullopt;
      if (v->kind() == TypeKind::kIntervalYearMonth)
        b.months = static_cast<int>(v->as_int());
      else if (v->kind() == TypeKind::kIntervalDayTime)
        b.width_ms = v->as_int();
      else
        return std::nullopt;
      return b;
    }
    if (const auto* fc = e.as<ast::FloorCeil>()) {
      if (fc->ceil || !is_rowtime_ref(*fc->operand)) return std::nullopt;
      switch (fc->unit) {
        case ast::TimeUnit::kMicrosecond:
        case ast::TimeUnit::kMillisecond: b.width_ms = 1; break;
        case ast::TimeUnit::kSecond: b.width_ms = 1000; break;
        case ast::TimeUnit::kMinute: b.width_ms = 60'000; break;
        case ast::TimeUnit::kHour: b.width_ms = 3'600'000; break;
        case ast::TimeUnit::kDay: b.width_ms = 86'400'000; break;
        case ast::TimeUnit::kWeek: b.width_ms = 7 * 86'400'000LL; break;
        case ast::TimeUnit::kMonth: b.months = 1; break;
        case ast::TimeUnit::kQuarter: b.months = 3; break;
        case ast::TimeUnit::kYear: b.months = 12; break;
      }
      return b;
    }
    return std::nullopt;
  }

  Result<Planned> aggregate_select(const ast::Select& s, const std::vector<ast::OrderItem>& order_by,
                                   const PumpContext* ctx, FromPlan& f, ExprPtr where) {
    AggContext agg;
    agg.input = &f.scope;
    std::vector<ExprPtr> keys;
    std::optional<TumblingAggregateOp::Bucket> bucket;
    int64_t stagger_ms = 0;
    if (s.stagger) {
      std::optional<Value> v = constant_of(*s.stagger->range);
      if (!v || v->kind() != TypeKind::kIntervalDayTime || v->as_int() <= 0)
        return fail(s.stagger->range->pos,
                    "a stagger window's RANGE is a positive day-time INTERVAL, e.g. INTERVAL '1' MINUTE");
      stagger_ms = v->as_int();
      if (s.stagger->partition_by.empty()) return fail(s.stagger->pos, "WINDOWED BY STAGGER needs PARTITION BY");
      if (!order_by.empty()) return fail(order_by.front().pos, "ORDER BY is not supported with stagger windows");
      bucket.emplace();
    }
    for (const ast::Box<ast::Expr>& g : s.stagger ? s.stagger->partition_by : s.group_by) {
      Result<ExprPtr> k = bind(*g, f.scope, nullptr);
      if (!k) return error(k.error());
      if (!bucket) {
        bucket = bucket_of(*g);
        if (bucket) bucket->key_index = keys.size();
      }
      agg.keys.push_back(g.get());
      agg.key_types.push_back((*k)->type());
      int col = -1;
      if (const auto* c = g->as<ast::ColumnRef>(); c != nullptr && !is_rowtime_ref(*g)) {
        Result<size_t> idx = resolve(*g, *c, f.scope);
        if (idx) col = static_cast<int>(*idx);
      }
      agg.key_columns.push_back(col);
      keys.push_back(std::move(*k));
    }
    if (!bucket) {
      Pos at = s.group_by.empty() ? s.pos : s.group_by.front()->pos;
      return fail(at,
                  "a streaming GROUP BY needs a monotonic expression of ROWTIME among its keys, such as "
                  "STEP(\"S\".ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(\"S\".ROWTIME TO MINUTE), or a key declared "
                  "with MONOTONIC(expr); without one the groups would never close");
    }
    Planned out;
    std::vector<ExprPtr> items;
    std::vector<const ast::Expr*> item_exprs;
    for (size_t i = 0; i < s.items.size(); ++i) {
      const ast::SelectItem& item = s.items[i];
      if (item.expr->as<ast::Star>() != nullptr) return fail(item.pos, "* cannot be selected in a GROUP BY query");
      if (item.alias && *item.alias == "ROWTIME")
        return fail(item.pos, "AS ROWTIME is not supported in a GROUP BY query: its ROWTIME is the window's end");
      Result<ExprPtr> e = bind(*item.expr, f.scope, &agg);
      if (!e) return error(e.error());
      out.columns.push_back(ColumnSchema{column_name(item, i), (*e)->type()});
      items.push_back(std::move(*e));
      item_exprs.push_back(item.expr.get());
    }
    ExprPtr having;
    if (s.having) {
      Result<ExprPtr> h = bind(*s.having, f.scope, &agg);
      if (!h) return error(h.error());
      if (Status st = boolean(*s.having, **h, "HAVING"); !st) return error(st);
      having = std::move(*h);
    }
    // ORDER BY within a window: each item is a selected expression or an
    // output column's name; the time bucket (the same for a whole window) is
    // skipped.
    std::vector<std::pair<ExprPtr, bool>> order;
    for (const ast::OrderItem& o : order_by) {
      if (bucket_of(*o.expr)) continue;
      std::optional<size_t> col;
      for (size_t i = 0; i < item_exprs.size() && !col; ++i)
        if (*item_exprs[i] == *o.expr) col = i;
      if (!col) {
        if (const auto* c = o.expr->as<ast::ColumnRef>(); c != nullptr && c->name.size() == 1)
          for (size_t i = 0; i < out.columns.size() && !col; ++i)
            if (out.columns[i].name == c->name[0]) col = i;
      }
      if (!col) return fail(o.pos, "ORDER BY in a GROUP BY query must name a selected column or expression");
      order.emplace_back(make_column(*col, out.columns[*col].type), o.descending);
    }
    auto op =
        std::make_unique<TumblingAggregateOp>(ctx, std::move(where), std::move(keys), *bucket, std::move(agg.specs),
                                              std::move(having), std::move(items), std::move(order));
    if (stagger_ms > 0) op->set_stagger(stagger_ms);
    Operator* raw = hooks_.add_operator(std::move(op));
    f.connect(raw);
    out.tails.push_back(raw);
    return out;
  }

  // ---- Expressions ----

  Result<size_t> resolve(const ast::Expr& at, const ast::ColumnRef& c, const Scope& scope) {
    std::optional<size_t> found;
    if (c.name.size() > 3) return fail(at.pos, "column names have at most three parts: " + ast::to_sql(at));
    // `s.col`, `col`, and a field of a row-valued column (a log parser's
    // result): `t.r.COLUMN1`, or `r.COLUMN1`.
    auto search = [&](const std::string* qualifier, const std::string& name) -> Status {
      for (size_t i = 0; i < scope.cols.size(); ++i) {
        const Col& col = scope.cols[i];
        if (col.name != name || (qualifier != nullptr && col.qualifier != *qualifier)) continue;
        if (found)
          return Status::invalid_argument("column " + ast::to_sql(at) +
                                          " is ambiguous; qualify it with its stream's name");
        found = i;
      }
      return Status::ok();
    };
    Status st = Status::ok();
    if (c.name.size() == 3) {
      st = search(&c.name[0], c.name[1] + "." + c.name[2]);
    } else {
      st = search(c.name.size() == 2 ? &c.name[0] : nullptr, c.name.back());
      if (st && !found && c.name.size() == 2) st = search(nullptr, c.name[0] + "." + c.name[1]);
    }
    if (!st) return fail(at.pos, st.message());
    if (!found) {
      std::string known;
      for (size_t i = 0; i < scope.cols.size() && i < 20; ++i)
        known += (i ? ", " : "") + ast::quote_name(scope.cols[i].name);
      return fail(at.pos, "column " + ast::to_sql(at) + " not found" +
                              (known.empty() ? std::string() : " (the columns here are " + known + ")"));
    }
    return *found;
  }

  Result<ExprPtr> call(Pos pos, std::string_view name, std::vector<ExprPtr> args) {
    std::vector<Value> constants(args.size());
    std::vector<ArgInfo> info(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      info[i].type = args[i]->type();
      if (args[i]->is_constant()) {
        SqlResult<Value> v = eval_constant(*args[i]);
        if (v) {
          constants[i] = std::move(*v);
          info[i].constant = &constants[i];
        }
      }
    }
    Result<BoundFunction> fn = find_scalar_function(name, info);
    if (!fn) return fail(pos, fn.error().message());
    ExprPtr e = make_call(std::move(*fn), std::move(args));
    if (e->is_constant()) {
      SqlResult<Value> v = eval_constant(*e);
      // A constant that fails (1/0) fails at run time, row by row, as KDA's would.
      if (v) return make_constant(std::move(*v), e->type());
    }
    return e;
  }

  // A subquery used as a value: one column of a reference table. Its WHERE
  // and item see the table's columns, then (a correlated subquery) those
  // of `outer`, the row the subquery is evaluated for. A stream cannot be a
  // value: it never ends.
  struct TableSubqueryPlan {
    EngineTable* table = nullptr;
    ExprPtr where;
    ExprPtr item;
    bool distinct = false;
    bool correlated = false;
  };
  Result<TableSubqueryPlan> table_subquery(const ast::Expr& at, const ast::Query& q, const Scope& outer) {
    const ast::Select* s = q.select();
    const std::string shape =
        "a subquery used as a value reads one column of a reference table: (SELECT col FROM table [WHERE ...])";
    if (s == nullptr || !q.order_by.empty() || !s->from || !s->group_by.empty() || s->having || s->stagger ||
        !s->windows.empty() || s->items.size() != 1)
      return fail(at.pos, shape);
    if (s->stream) return fail(s->pos, "a subquery used as a value cannot be a stream (SELECT STREAM): " + shape);
    const auto* t = s->from->as<ast::TableRef>();
    if (t == nullptr || t->name.size() != 1 || t->window) return fail(s->from->pos, shape);
    TableSubqueryPlan plan;
    plan.table = hooks_.find_table(t->name[0]);
    if (plan.table == nullptr) {
      if (hooks_.find_stream(t->name[0]) != nullptr)
        return fail(s->from->pos, "stream " + ast::quote_name(t->name[0]) +
                                      " cannot be read as a value (it never ends); join it instead. " + shape);
      return fail(s->from->pos, "reference table " + ast::quote_name(t->name[0]) + " does not exist");
    }
    Scope inner;
    const std::string qualifier = t->alias.value_or(plan.table->name);
    for (const ColumnSchema& c : plan.table->columns) inner.cols.push_back(Col{qualifier, c.name, c.type});
    Scope both = inner;
    both.cols.insert(both.cols.end(), outer.cols.begin(), outer.cols.end());
    NoWindow no_window(*this);
    const ast::SelectItem& item = s->items.front();
    if (item.expr->as<ast::Star>() != nullptr || has_aggregate(*item.expr) || has_window(*item.expr))
      return fail(item.pos, shape);
    // Bound over the table alone when that is enough; over both otherwise
    // (a failure is then reported by the binding below, at its place).
    plan.correlated =
        !outer.cols.empty() && ((s->where && !binds_quietly(*s->where, inner)) || !binds_quietly(*item.expr, inner));
    const Scope& sees = plan.correlated ? both : inner;
    Result<ExprPtr> w = s->where ? bind(*s->where, sees, nullptr) : Result<ExprPtr>(ExprPtr());
    if (!w) return error(w.error());
    Result<ExprPtr> v = bind(*item.expr, sees, nullptr);
    if (!v) return error(v.error());
    if (s->where)
      if (Status st = boolean(*s->where, **w, "WHERE"); !st) return error(st);
    plan.where = std::move(*w);
    plan.item = std::move(*v);
    plan.distinct = s->quantifier == ast::FunctionCall::Quantifier::kDistinct;
    return plan;
  }

  static bool is_row_function(const std::string& name) {
    for (std::string_view n : row_function_names())
      if (n == name) return true;
    return false;
  }

  // A log parser's row as one expression per column. The parse runs once
  // per row: the columns share the last arguments and their result.
  Result<std::vector<std::pair<RowColumn, ExprPtr>>> row_fields(const ast::Expr& at, const ast::FunctionCall& fc,
                                                                const Scope& scope) {
    auto bind_args = [&]() -> Result<std::vector<ExprPtr>> {
      std::vector<ExprPtr> args;
      for (const auto& a : fc.args) {
        Result<ExprPtr> v = bind(*a, scope, nullptr);
        if (!v) return error(v.error());
        args.push_back(std::move(*v));
      }
      return args;
    };
    Result<std::vector<ExprPtr>> first = bind_args();
    if (!first) return error(first.error());
    std::vector<Value> constants(first->size());
    std::vector<ArgInfo> info(first->size());
    for (size_t i = 0; i < first->size(); ++i) {
      info[i].type = (*first)[i]->type();
      if ((*first)[i]->is_constant()) {
        SqlResult<Value> v = eval_constant(*(*first)[i]);
        if (v) {
          constants[i] = std::move(*v);
          info[i].constant = &constants[i];
        }
      }
    }
    Result<BoundRowFunction> rf = find_row_function(fc.name, info);
    if (!rf) return fail(at.pos, rf.error().message());
    struct Cache {
      bool valid = false;
      std::vector<Value> args;
      std::optional<Row> row;
    };
    auto cache = std::make_shared<Cache>();
    RowFn parse = rf->fn;
    std::vector<std::pair<RowColumn, ExprPtr>> out;
    for (size_t k = 0; k < rf->columns.size(); ++k) {
      const TypeKind kind = rf->columns[k].type.kind;
      BoundFunction field{[cache, parse, k, kind](std::span<const Value> args) -> SqlResult<Value> {
                            bool same = cache->valid && cache->args.size() == args.size();
                            for (size_t i = 0; same && i < args.size(); ++i)
                              same = !is_distinct_from(cache->args[i], args[i]);
                            if (!same) {
                              cache->valid = false;
                              SqlResult<std::optional<Row>> r = parse(args);
                              if (!r) return std::unexpected(r.error());
                              cache->args.assign(args.begin(), args.end());
                              cache->row = std::move(*r);
                              cache->valid = true;
                            }
                            if (!cache->row || k >= cache->row->size()) return Value::null(kind);
                            return (*cache->row)[k];
                          },
                          rf->columns[k].type};
      Result<std::vector<ExprPtr>> args = k == 0 ? std::move(first) : bind_args();
      if (!args) return error(args.error());
      out.emplace_back(rf->columns[k], make_call(std::move(field), std::move(*args)));
    }
    return out;
  }

  Result<ExprPtr> constant_text(std::string_view s) {
    return make_constant(Value::varchar(std::string(s)),
                         SqlType::varchar(static_cast<int>(std::max<size_t>(1, s.size()))));
  }

  Result<ExprPtr> literal(const ast::Expr& at, const ast::Literal& l) {
    switch (l.kind) {
      case ast::Literal::Kind::kNull: return make_constant(Value(), SqlType::null());
      case ast::Literal::Kind::kTrue: return make_constant(Value::boolean(true), SqlType::of(TypeKind::kBoolean));
      case ast::Literal::Kind::kFalse: return make_constant(Value::boolean(false), SqlType::of(TypeKind::kBoolean));
      case ast::Literal::Kind::kUnknown:
        return make_constant(Value::null(TypeKind::kBoolean), SqlType::of(TypeKind::kBoolean));
      case ast::Literal::Kind::kExact: {
        const std::string& t = l.text;
        size_t dot = t.find('.');
        if (dot == std::string::npos) {
          int64_t v = 0;
          auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
          if (ec != std::errc() || p != t.data() + t.size())
            return fail(at.pos, "the number " + t + " is too large for BIGINT");
          if (v >= INT32_MIN && v <= INT32_MAX)
            return make_constant(Value::integer(v), SqlType::of(TypeKind::kInteger));
          return make_constant(Value::bigint(v), SqlType::of(TypeKind::kBigint));
        }
        std::string digits = t.substr(0, dot) + t.substr(dot + 1);
        int scale = static_cast<int>(t.size() - dot - 1);
        size_t lead = digits.find_first_not_of('0');
        int precision = lead == std::string::npos ? 1 : static_cast<int>(digits.size() - lead);
        precision = std::max(precision, scale);
        if (precision > kMaxDecimalPrecision) {
          return make_constant(Value::dbl(std::strtod(t.c_str(), nullptr)), SqlType::of(TypeKind::kDouble));
        }
        int64_t unscaled = 0;
        std::from_chars(digits.data(), digits.data() + digits.size(), unscaled);
        return make_constant(Value::decimal(unscaled, scale), SqlType::decimal(std::max(precision, 1), scale));
      }
      case ast::Literal::Kind::kApproximate:
        return make_constant(Value::dbl(std::strtod(l.text.c_str(), nullptr)), SqlType::of(TypeKind::kDouble));
      case ast::Literal::Kind::kString: return constant_text(l.text);
      case ast::Literal::Kind::kBinary: {
        SqlResult<Value> v = parse_text_as("X'" + l.text + "'", SqlType{TypeKind::kVarbinary, kMaxCharLength});
        if (!v) return fail(at.pos, "X'" + l.text + "' is not a binary string: " + v.error().message);
        int n = static_cast<int>(std::max<size_t>(1, v->as_string().size()));
        return make_constant(Value::varbinary(v->as_string()), SqlType{TypeKind::kVarbinary, n});
      }
      case ast::Literal::Kind::kDate: {
        auto d = parse_date_text(l.text);
        if (!d) return fail(at.pos, "DATE '" + l.text + "' is not a date (yyyy-MM-dd)");
        return make_constant(Value::date(*d), SqlType::of(TypeKind::kDate));
      }
      case ast::Literal::Kind::kTime: {
        auto d = parse_time_text(l.text);
        if (!d) return fail(at.pos, "TIME '" + l.text + "' is not a time (HH:mm:ss)");
        return make_constant(Value::time(*d), SqlType::of(TypeKind::kTime));
      }
      case ast::Literal::Kind::kTimestamp: {
        auto d = parse_timestamp_text(l.text);
        if (!d) return fail(at.pos, "TIMESTAMP '" + l.text + "' is not a timestamp (yyyy-MM-dd HH:mm:ss[.SSS])");
        return make_constant(Value::timestamp(*d), SqlType::of(TypeKind::kTimestamp));
      }
      case ast::Literal::Kind::kInterval: {
        Result<SqlType> t = interval_type(at, l.qualifier);
        if (!t) return error(t.error());
        SqlResult<Value> v = parse_interval_text((l.negative ? "-" : "") + l.text, *t);
        if (!v) return fail(at.pos, "INTERVAL '" + l.text + "' does not match its qualifier: " + v.error().message);
        return make_constant(std::move(*v), *t);
      }
    }
    return fail(at.pos, "unknown literal");
  }

  Result<SqlType> interval_type(const ast::Expr& at, const ast::IntervalQualifier& q) {
    std::optional<TimeUnit> s = unit_of(q.start);
    std::optional<TimeUnit> e = q.end ? unit_of(*q.end) : s;
    if (!s || !e) return fail(at.pos, "this interval qualifier is not supported");
    bool ym = *s == TimeUnit::kYear || *s == TimeUnit::kMonth || *s == TimeUnit::kQuarter;
    return ym ? SqlType::interval_year_month(*s, *e) : SqlType::interval_day_time(*s, *e);
  }

  Result<ExprPtr> aggregate_call(const ast::Expr& at, const ast::FunctionCall& fc, AggContext& agg) {
    for (size_t i = 0; i < agg.spec_exprs.size(); ++i)
      if (*agg.spec_exprs[i] == at) return make_aggregate_ref(i, agg.specs[i].type);
    AggregateSpec spec;
    spec.distinct = fc.quantifier == ast::FunctionCall::Quantifier::kDistinct;
    const bool star = fc.args.size() == 1 && fc.args[0]->as<ast::Star>() != nullptr;
    if (fc.name == "COUNT" && (fc.args.empty() || star)) {
      spec.kind = AggregateSpec::Kind::kCountStar;
      spec.type = SqlType::of(TypeKind::kBigint);
    } else {
      if (fc.args.size() != 1) return fail(at.pos, fc.name + " takes one argument");
      if (has_aggregate(*fc.args[0])) return fail(at.pos, "aggregates cannot be nested");
      Result<ExprPtr> arg = bind(*fc.args[0], *agg.input, nullptr);
      if (!arg) return arg;
      const SqlType t = (*arg)->type();
      if (fc.name == "COUNT") {
        spec.kind = AggregateSpec::Kind::kCount;
        spec.type = SqlType::of(TypeKind::kBigint);
      } else if (fc.name.starts_with("STDDEV") || fc.name.starts_with("VAR")) {
        if (!t.is_numeric()) return fail(at.pos, fc.name + " needs a number; this is " + t.to_string());
        using K = AggregateSpec::Kind;
        spec.kind = fc.name == "STDDEV_POP"                          ? K::kStddevPop
                    : fc.name == "VAR_POP"                           ? K::kVarPop
                    : fc.name == "VAR_SAMP" || fc.name == "VARIANCE" ? K::kVarSamp
                                                                     : K::kStddevSamp;
        spec.type = SqlType::of(TypeKind::kDouble);
      } else if (fc.name == "MIN" || fc.name == "MAX") {
        spec.kind = fc.name == "MIN" ? AggregateSpec::Kind::kMin : AggregateSpec::Kind::kMax;
        spec.type = t;
      } else {
        if (!t.is_numeric() && !t.is_interval())
          return fail(at.pos, fc.name + " needs a number; this is " + t.to_string());
        spec.kind = fc.name == "SUM" ? AggregateSpec::Kind::kSum : AggregateSpec::Kind::kAvg;
        ArgInfo two[2] = {ArgInfo{t}, ArgInfo{t}};
        Result<BoundFunction> add = find_scalar_function("+", two);
        if (!add) return fail(at.pos, add.error().message());
        spec.add = std::move(*add);
        spec.type = fc.name == "SUM" ? spec.add.result_type : t;
        if (spec.kind == AggregateSpec::Kind::kAvg) {
          ArgInfo div[2] = {ArgInfo{spec.add.result_type}, ArgInfo{SqlType::of(TypeKind::kBigint)}};
          Result<BoundFunction> d = find_scalar_function("/", div);
          if (!d) return fail(at.pos, d.error().message());
          spec.divide = std::move(*d);
        }
      }
      spec.arg = std::move(*arg);
    }
    agg.spec_exprs.push_back(&at);
    agg.specs.push_back(std::move(spec));
    return make_aggregate_ref(agg.specs.size() - 1, agg.specs.back().type);
  }

  // The window an OVER names or spells, with a named base refined.
  Result<ast::WindowSpec> resolve_window(Pos at, const ast::Over& over, const WindowContext& w) {
    auto named = [&](const std::string& name) -> const ast::WindowSpec* {
      for (const ast::NamedWindow& nw : *w.named)
        if (nw.name == name) return &nw.spec;
      return nullptr;
    };
    if (over.name) {
      const ast::WindowSpec* s = named(*over.name);
      if (s == nullptr)
        return fail(at, "window " + ast::quote_name(*over.name) + " is not declared in a WINDOW clause");
      return *s;
    }
    ast::WindowSpec spec = *over.spec;
    if (spec.base) {
      const ast::WindowSpec* b = named(*spec.base);
      if (b == nullptr)
        return fail(at, "window " + ast::quote_name(*spec.base) + " is not declared in a WINDOW clause");
      ast::WindowSpec merged;
      merged.pos = b->pos;
      merged.partition_by = spec.partition_by.empty() ? b->partition_by : spec.partition_by;
      merged.order_by = spec.order_by.empty() ? b->order_by : spec.order_by;
      merged.frame = spec.frame ? spec.frame : b->frame;
      spec = std::move(merged);
    }
    return spec;
  }

  Result<size_t> frame_for(const ast::Expr& at, ast::WindowSpec spec, std::optional<int64_t> lag_rows,
                           WindowContext& w) {
    for (const ast::OrderItem& o : spec.order_by)
      if (!is_rowtime_ref(*o.expr) || o.descending)
        return fail(o.pos, "a sliding window is ordered by ROWTIME; ORDER BY other columns is not allowed here");
    spec.order_by.clear();
    if (!spec.frame && lag_rows) {
      ast::Frame f;
      f.rows = true;
      f.start.kind = ast::FrameBound::Kind::kPreceding;
      spec.frame = std::move(f);
    }
    for (size_t i = 0; i < w.specs.size(); ++i)
      if (w.specs[i] == spec && (!lag_rows || (w.frames[i].rows && w.frames[i].preceding >= *lag_rows))) return i;
    WindowFrame frame;
    if (!spec.frame)
      return fail(spec.pos.line ? spec.pos : at.pos,
                  "a sliding window needs RANGE INTERVAL '...' unit PRECEDING or ROWS n PRECEDING");
    const ast::Frame& fr = *spec.frame;
    if (fr.end && fr.end->kind != ast::FrameBound::Kind::kCurrentRow)
      return fail(at.pos, "a sliding window must end with the current row");
    if (fr.start.kind == ast::FrameBound::Kind::kUnboundedPreceding)
      return fail(at.pos, "UNBOUNDED windows are not supported: a window of a stream must have a size");
    if (fr.start.kind != ast::FrameBound::Kind::kPreceding && fr.start.kind != ast::FrameBound::Kind::kCurrentRow)
      return fail(at.pos, "a sliding window looks back: PRECEDING (FOLLOWING is not supported)");
    frame.rows = fr.rows;
    if (fr.start.kind == ast::FrameBound::Kind::kPreceding && fr.start.offset) {
      Result<ExprPtr> off = bind(*fr.start.offset, Scope{}, nullptr);
      if (!off) return error(off.error());
      SqlResult<Value> v = (*off)->is_constant() ? eval_constant(**off) : SqlResult<Value>(Value());
      if (!v || v->is_null()) return fail(fr.start.offset->pos, "the window's size must be a constant");
      if (fr.rows) {
        if (!(*off)->type().is_integer() || v->as_int() < 0)
          return fail(fr.start.offset->pos, "ROWS n PRECEDING needs a non-negative integer");
        frame.preceding = v->as_int();
      } else {
        if (v->kind() != TypeKind::kIntervalDayTime || v->as_int() < 0)
          return fail(fr.start.offset->pos, "RANGE ... PRECEDING needs a day-time INTERVAL, e.g. INTERVAL '1' MINUTE");
        frame.preceding = v->as_int();
      }
    }
    if (lag_rows) frame.preceding = std::max(frame.preceding, *lag_rows);
    {
      NoWindow no_window(*this);
      for (const ast::Box<ast::Expr>& p : spec.partition_by) {
        Result<ExprPtr> k = bind(*p, *w.input, nullptr);
        if (!k) return error(k.error());
        frame.partition.push_back(std::move(*k));
      }
    }
    w.specs.push_back(std::move(spec));
    w.frames.push_back(std::move(frame));
    return w.frames.size() - 1;
  }

  Result<ExprPtr> window_call(const ast::Expr& at, const ast::FunctionCall& fc, WindowContext& w) {
    for (size_t i = 0; i < w.agg_exprs.size(); ++i)
      if (*w.agg_exprs[i] == at) return make_window_ref(i, w.aggs[i].type);
    if (!is_window_function_name(fc.name)) return fail(at.pos, fc.name + " cannot be used with OVER");
    if (fc.quantifier == ast::FunctionCall::Quantifier::kDistinct)
      return fail(at.pos, "DISTINCT is not supported with OVER");
    using K = WindowAggregate::Kind;
    WindowAggregate a;
    const bool star = fc.args.size() == 1 && fc.args[0]->as<ast::Star>() != nullptr;
    std::optional<int64_t> lag_rows;
    NoWindow no_window(*this);
    if (fc.name == "COUNT" && (fc.args.empty() || star)) {
      a.kind = K::kCountStar;
      a.type = SqlType::of(TypeKind::kBigint);
    } else {
      if (fc.args.empty()) return fail(at.pos, fc.name + " needs an argument");
      if ((fc.name == "NTH_VALUE" || fc.name == "EXP_AVG") && fc.args.size() != 2)
        return fail(at.pos, fc.name + (fc.name == "EXP_AVG" ? " takes a value and a time interval (the half-life)"
                                                            : " takes a value and n"));
      if (fc.name != "LAG" && fc.name != "NTH_VALUE" && fc.name != "EXP_AVG" && fc.args.size() != 1)
        return fail(at.pos, fc.name + " takes one argument");
      if (fc.from != ast::FunctionCall::From::kDefault && fc.name != "NTH_VALUE")
        return fail(at.pos, "FROM FIRST and FROM LAST apply to NTH_VALUE only");
      if (fc.nulls != ast::FunctionCall::Nulls::kDefault && fc.name != "NTH_VALUE" && fc.name != "FIRST_VALUE" &&
          fc.name != "LAST_VALUE" && fc.name != "LAG")
        return fail(at.pos, "IGNORE NULLS and RESPECT NULLS apply to FIRST_VALUE, LAST_VALUE, NTH_VALUE and LAG");
      a.ignore_nulls = fc.nulls == ast::FunctionCall::Nulls::kIgnore;
      a.from_last = fc.from == ast::FunctionCall::From::kLast;
      if (fc.name == "LAG" && fc.args.size() > 3) return fail(at.pos, "LAG takes at most three arguments");
      Result<ExprPtr> arg = bind(*fc.args[0], *w.input, nullptr);
      if (!arg) return arg;
      const SqlType t = (*arg)->type();
      a.arg = std::move(*arg);
      static const std::map<std::string, K> kKinds = {{"COUNT", K::kCount},
                                                      {"SUM", K::kSum},
                                                      {"AVG", K::kAvg},
                                                      {"MIN", K::kMin},
                                                      {"MAX", K::kMax},
                                                      {"FIRST_VALUE", K::kFirstValue},
                                                      {"LAST_VALUE", K::kLastValue},
                                                      {"STDDEV", K::kStddevSamp},
                                                      {"STDDEV_SAMP", K::kStddevSamp},
                                                      {"STDDEV_POP", K::kStddevPop},
                                                      {"VAR_POP", K::kVarPop},
                                                      {"VAR_SAMP", K::kVarSamp},
                                                      {"VARIANCE", K::kVarSamp},
                                                      {"LAG", K::kLag},
                                                      {"NTH_VALUE", K::kNthValue},
                                                      {"EXP_AVG", K::kExpAvg}};
      a.kind = kKinds.at(fc.name);
      a.type = t;
      switch (a.kind) {
        case K::kCount: a.type = SqlType::of(TypeKind::kBigint); break;
        case K::kSum:
        case K::kAvg: {
          if (!t.is_numeric() && !t.is_interval())
            return fail(at.pos, fc.name + " needs a number; this is " + t.to_string());
          ArgInfo two[2] = {ArgInfo{t}, ArgInfo{t}};
          Result<BoundFunction> add = find_scalar_function("+", two);
          if (!add) return fail(at.pos, add.error().message());
          a.add = std::move(*add);
          if (a.kind == K::kSum) a.type = a.add.result_type;
          if (a.kind == K::kAvg) {
            ArgInfo div[2] = {ArgInfo{a.add.result_type}, ArgInfo{SqlType::of(TypeKind::kBigint)}};
            Result<BoundFunction> d = find_scalar_function("/", div);
            if (!d) return fail(at.pos, d.error().message());
            a.divide = std::move(*d);
          }
          break;
        }
        case K::kStddevPop:
        case K::kStddevSamp:
        case K::kVarPop:
        case K::kVarSamp:
          if (!t.is_numeric()) return fail(at.pos, fc.name + " needs a number; this is " + t.to_string());
          a.type = SqlType::of(TypeKind::kDouble);
          break;
        case K::kLag: {
          if (fc.args.size() >= 2) {
            std::optional<Value> v = constant_of(*fc.args[1]);
            if (!v || !SqlType::of(v->kind()).is_integer() || v->as_int() < 0)
              return fail(fc.args[1]->pos, "LAG's offset must be a non-negative integer constant");
            a.lag = v->as_int();
          }
          if (fc.args.size() == 3) {
            Result<ExprPtr> d = bind(*fc.args[2], *w.input, nullptr);
            if (!d) return d;
            a.lag_default = std::move(*d);
          }
          lag_rows = a.lag;
          break;
        }
        case K::kNthValue: {
          std::optional<Value> v = constant_of(*fc.args[1]);
          if (!v || !SqlType::of(v->kind()).is_integer() || v->as_int() < 1)
            return fail(fc.args[1]->pos, "NTH_VALUE's n must be a positive integer constant");
          a.lag = v->as_int();
          break;
        }
        case K::kExpAvg: {
          if (!t.is_numeric()) return fail(at.pos, "EXP_AVG needs a number; this is " + t.to_string());
          std::optional<Value> v = constant_of(*fc.args[1]);
          if (!v || v->kind() != TypeKind::kIntervalDayTime || v->as_int() <= 0)
            return fail(fc.args[1]->pos,
                        "EXP_AVG's half-life must be a positive day-time INTERVAL constant, e.g. INTERVAL '10' SECOND");
          a.half_life_ms = v->as_int();
          a.type = SqlType::of(TypeKind::kDouble);
          break;
        }
        default: break;
      }
    }
    Result<ast::WindowSpec> spec = resolve_window(at.pos, *fc.over, w);
    if (!spec) return error(spec.error());
    Result<size_t> frame = frame_for(at, std::move(*spec), lag_rows, w);
    if (!frame) return error(frame.error());
    a.frame = *frame;
    w.agg_exprs.push_back(&at);
    w.aggs.push_back(std::move(a));
    return make_window_ref(w.aggs.size() - 1, w.aggs.back().type);
  }

  Result<ExprPtr> bind(const ast::Expr& e, const Scope& scope, AggContext* agg) {
    if (agg != nullptr) {
      for (size_t i = 0; i < agg->keys.size(); ++i)
        if (*agg->keys[i] == e) return make_key(i, agg->key_types[i]);
      if (const auto* c = e.as<ast::ColumnRef>()) {
        if (is_rowtime_ref(e)) return make_rowtime();
        Result<size_t> idx = resolve(e, *c, *agg->input);
        if (!idx) return error(idx.error());
        for (size_t i = 0; i < agg->key_columns.size(); ++i)
          if (agg->key_columns[i] == static_cast<int>(*idx)) return make_key(i, agg->key_types[i]);
        return fail(e.pos, "column " + ast::to_sql(e) + " must be in the GROUP BY or inside an aggregate");
      }
      if (const auto* fc = e.as<ast::FunctionCall>(); fc != nullptr && !fc->over && is_aggregate_name(fc->name))
        return aggregate_call(e, *fc, *agg);
    }
    auto sub = [&](const ast::Box<ast::Expr>& b) { return bind(*b, scope, agg); };
    return std::visit(
        [&](const auto& n) -> Result<ExprPtr> {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Literal>) {
            return literal(e, n);
          } else if constexpr (std::is_same_v<T, ast::ColumnRef>) {
            if (is_rowtime_ref(e)) return make_rowtime();
            Result<size_t> idx = resolve(e, n, scope);
            if (!idx) return error(idx.error());
            return make_column(*idx, scope.cols[*idx].type);
          } else if constexpr (std::is_same_v<T, ast::Star>) {
            return fail(e.pos, "* is allowed in the select list and in COUNT(*) only");
          } else if constexpr (std::is_same_v<T, ast::Unary>) {
            Result<ExprPtr> a = sub(n.operand);
            if (!a) return a;
            if (n.op == ast::Unary::Op::kNot) return make_not(std::move(*a));
            if (n.op == ast::Unary::Op::kPlus) return a;
            std::vector<ExprPtr> args;
            args.push_back(std::move(*a));
            return call(e.pos, "NEGATE", std::move(args));
          } else if constexpr (std::is_same_v<T, ast::Binary>) {
            Result<ExprPtr> a = sub(n.left);
            if (!a) return a;
            Result<ExprPtr> b = sub(n.right);
            if (!b) return b;
            if (n.op == ast::Binary::Op::kAnd) return make_and(std::move(*a), std::move(*b));
            if (n.op == ast::Binary::Op::kOr) return make_or(std::move(*a), std::move(*b));
            static const char* kNames[] = {"OR", "AND", "=", "<>", "<", "<=", ">",
                                           ">=", "||",  "+", "-",  "*", "/",  "MOD"};
            std::vector<ExprPtr> args;
            args.push_back(std::move(*a));
            args.push_back(std::move(*b));
            return call(e.pos, kNames[static_cast<int>(n.op)], std::move(args));
          } else if constexpr (std::is_same_v<T, ast::IsTest>) {
            Result<ExprPtr> a = sub(n.operand);
            if (!a) return a;
            static const IsWhat kWhat[] = {IsWhat::kNull, IsWhat::kTrue, IsWhat::kFalse, IsWhat::kUnknown};
            return make_is(std::move(*a), kWhat[static_cast<int>(n.what)], n.negated);
          } else if constexpr (std::is_same_v<T, ast::Between>) {
            auto range = [&](const ast::Box<ast::Expr>& lo, const ast::Box<ast::Expr>& hi) -> Result<ExprPtr> {
              Result<ExprPtr> x1 = sub(n.operand), l = sub(lo), x2 = sub(n.operand), h = sub(hi);
              if (!x1) return x1;
              if (!l) return l;
              if (!x2) return x2;
              if (!h) return h;
              std::vector<ExprPtr> ge, le;
              ge.push_back(std::move(*x1));
              ge.push_back(std::move(*l));
              le.push_back(std::move(*x2));
              le.push_back(std::move(*h));
              Result<ExprPtr> a = call(e.pos, ">=", std::move(ge));
              if (!a) return a;
              Result<ExprPtr> b = call(e.pos, "<=", std::move(le));
              if (!b) return b;
              return make_and(std::move(*a), std::move(*b));
            };
            Result<ExprPtr> r = range(n.low, n.high);
            if (!r) return r;
            if (n.mode == ast::Between::Mode::kSymmetric) {
              Result<ExprPtr> r2 = range(n.high, n.low);
              if (!r2) return r2;
              r = make_or(std::move(*r), std::move(*r2));
            }
            return n.negated ? make_not(std::move(*r)) : std::move(*r);
          } else if constexpr (std::is_same_v<T, ast::InList>) {
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            if (n.subquery) {
              Result<TableSubqueryPlan> sq = table_subquery(e, *n.subquery, agg != nullptr ? Scope{} : scope);
              if (!sq) return error(sq.error());
              ArgInfo two[2] = {ArgInfo{(*x)->type()}, ArgInfo{sq->item->type()}};
              Result<BoundFunction> f = find_scalar_function("=", two);
              if (!f) return fail(e.pos, f.error().message());
              if (sq->correlated)
                return make_correlated_subquery(sq->table, std::move(sq->where), std::move(sq->item), SubqueryUse::kIn,
                                                std::move(*x), std::move(*f), n.negated);
              auto tv =
                  std::make_shared<TableValues>(sq->table, std::move(sq->where), std::move(sq->item), sq->distinct);
              return make_in_table(std::move(*x), std::move(tv), std::move(*f), n.negated);
            }
            std::vector<ExprPtr> list;
            std::vector<BoundFunction> eq;
            for (const auto& item : n.list) {
              Result<ExprPtr> v = sub(item);
              if (!v) return v;
              ArgInfo two[2] = {ArgInfo{(*x)->type()}, ArgInfo{(*v)->type()}};
              Result<BoundFunction> f = find_scalar_function("=", two);
              if (!f) return fail(item->pos, f.error().message());
              eq.push_back(std::move(*f));
              list.push_back(std::move(*v));
            }
            return make_in(std::move(*x), std::move(list), std::move(eq), n.negated);
          } else if constexpr (std::is_same_v<T, ast::Like>) {
            std::vector<ExprPtr> args;
            for (const ast::Box<ast::Expr>* b : {&n.operand, &n.pattern, &n.escape}) {
              if (!*b) continue;
              Result<ExprPtr> v = sub(*b);
              if (!v) return v;
              args.push_back(std::move(*v));
            }
            Result<ExprPtr> r = call(e.pos, n.similar ? "SIMILAR TO" : "LIKE", std::move(args));
            if (!r || !n.negated) return r;
            return make_not(std::move(*r));
          } else if constexpr (std::is_same_v<T, ast::Case>) {
            std::vector<ExprPtr> conditions, results;
            std::optional<SqlType> type;
            for (const ast::CaseWhen& w : n.whens) {
              Result<ExprPtr> c = sub(w.condition);
              if (!c) return c;
              if (n.operand) {
                Result<ExprPtr> x = sub(n.operand);
                if (!x) return x;
                std::vector<ExprPtr> args;
                args.push_back(std::move(*x));
                args.push_back(std::move(*c));
                c = call(w.condition->pos, "=", std::move(args));
                if (!c) return c;
              }
              Result<ExprPtr> r = sub(w.result);
              if (!r) return r;
              if (Status st = merge_type(*w.result, (*r)->type(), type); !st) return error(st);
              conditions.push_back(std::move(*c));
              results.push_back(std::move(*r));
            }
            ExprPtr otherwise;
            if (n.otherwise) {
              Result<ExprPtr> o = sub(n.otherwise);
              if (!o) return o;
              if (Status st = merge_type(*n.otherwise, (*o)->type(), type); !st) return error(st);
              otherwise = std::move(*o);
            }
            return make_case(std::move(conditions), std::move(results), std::move(otherwise),
                             type.value_or(SqlType::null()));
          } else if constexpr (std::is_same_v<T, ast::Cast>) {
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            Result<SqlType> to = type_of(n.type);
            if (!to) return error(to.error());
            if ((*x)->type().kind != TypeKind::kNull && !castable((*x)->type(), *to))
              return fail(e.pos,
                          "CAST from " + (*x)->type().to_string() + " to " + to->to_string() + " is not allowed");
            ExprPtr c = make_cast(std::move(*x), *to);
            if (c->is_constant())
              if (SqlResult<Value> v = eval_constant(*c)) return make_constant(std::move(*v), *to);
            return c;
          } else if constexpr (std::is_same_v<T, ast::FunctionCall>) {
            if (n.over) {
              if (window_ == nullptr)
                return fail(e.pos, "OVER is allowed in the select list of a query without GROUP BY only");
              return window_call(e, n, *window_);
            }
            if (is_aggregate_name(n.name))
              return fail(
                  e.pos,
                  n.name + " is an aggregate here; it needs a GROUP BY with a window (or OVER, not supported yet)");
            if (n.name == "MONOTONIC") {
              // A declaration for GROUP BY; as a value it is its argument.
              if (n.args.size() != 1) return fail(e.pos, "MONOTONIC takes one argument");
              return sub(n.args[0]);
            }
            if (needs_over_name(n.name))
              return fail(e.pos, n.name + " needs OVER: it is computed over a sliding window");
            if (n.name == "CURRENT_ROW_TIMESTAMP" || n.name == "CURRENT_TIMESTAMP" || n.name == "LOCALTIMESTAMP") {
              if (!n.args.empty()) return fail(e.pos, n.name + " takes no arguments");
              return make_current_row_timestamp();
            }
            if (n.quantifier != ast::FunctionCall::Quantifier::kNone)
              return fail(e.pos, "DISTINCT and ALL apply to aggregates only");
            std::vector<ExprPtr> args;
            for (const auto& a : n.args) {
              Result<ExprPtr> v = sub(a);
              if (!v) return v;
              args.push_back(std::move(*v));
            }
            if (auto uf = functions_.find(n.name); uf != functions_.end())
              return user_call(e.pos, n.name, uf->second, std::move(args));
            return call(e.pos, n.name, std::move(args));
          } else if constexpr (std::is_same_v<T, ast::FloorCeil>) {
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            std::vector<ExprPtr> args;
            args.push_back(std::move(*x));
            args.push_back(*constant_text(ast::time_unit_name(n.unit)));
            return call(e.pos, n.ceil ? "CEIL" : "FLOOR", std::move(args));
          } else if constexpr (std::is_same_v<T, ast::Step>) {
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            Result<ExprPtr> w = sub(n.width);
            if (!w) return w;
            std::vector<ExprPtr> args;
            args.push_back(std::move(*x));
            args.push_back(std::move(*w));
            return call(e.pos, "STEP", std::move(args));
          } else if constexpr (std::is_same_v<T, ast::Extract>) {
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            std::vector<ExprPtr> args;
            args.push_back(*constant_text(ast::time_unit_name(n.unit)));
            args.push_back(std::move(*x));
            return call(e.pos, "EXTRACT", std::move(args));
          } else if constexpr (std::is_same_v<T, ast::Position>) {
            return call_of(e.pos, "POSITION", {&n.needle, &n.haystack}, scope, agg);
          } else if constexpr (std::is_same_v<T, ast::Substring>) {
            return call_of(e.pos, n.similar ? "SUBSTRING SIMILAR" : "SUBSTRING", {&n.operand, &n.start, &n.length},
                           scope, agg);
          } else if constexpr (std::is_same_v<T, ast::Overlay>) {
            return call_of(e.pos, "OVERLAY", {&n.operand, &n.placing, &n.start, &n.length}, scope, agg);
          } else if constexpr (std::is_same_v<T, ast::Trim>) {
            static const char* kSides[] = {"BOTH", "LEADING", "TRAILING"};
            std::vector<ExprPtr> args;
            args.push_back(*constant_text(kSides[static_cast<int>(n.side)]));
            if (n.characters) {
              Result<ExprPtr> c = sub(n.characters);
              if (!c) return c;
              args.push_back(std::move(*c));
            } else {
              args.push_back(*constant_text(" "));
            }
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            args.push_back(std::move(*x));
            return call(e.pos, "TRIM", std::move(args));
          } else if constexpr (std::is_same_v<T, ast::IntervalOf>) {
            Result<ExprPtr> x = sub(n.operand);
            if (!x) return x;
            Result<SqlType> t = interval_type(e, n.qualifier);
            if (!t) return error(t.error());
            if (!(*x)->type().is_interval())
              return fail(e.pos, "(a - b) " + t->to_string() + " needs the difference of two datetimes");
            return make_cast(std::move(*x), *t);
          } else if constexpr (std::is_same_v<T, ast::FieldOf>) {
            const auto* fc = n.operand->template as<ast::FunctionCall>();
            if (fc == nullptr || fc->over || !is_row_function(fc->name))
              return fail(e.pos, "only a log parser's row has fields (." + n.field + ")");
            Result<std::vector<std::pair<RowColumn, ExprPtr>>> fields = row_fields(*n.operand, *fc, scope);
            if (!fields) return error(fields.error());
            std::string known;
            for (auto& [col, expr] : *fields) {
              if (col.name == n.field) return std::move(expr);
              known += (known.empty() ? "" : ", ") + col.name;
            }
            return fail(e.pos, fc->name + "'s row has no field " + n.field + " (its fields are " + known + ")");
          } else {
            static_assert(std::is_same_v<T, ast::SubqueryExpr>);
            if (n.kind == ast::SubqueryExpr::Kind::kCursor)
              return fail(e.pos, "CURSOR(SELECT ...) is an argument of a table function, in FROM TABLE(...)");
            Result<TableSubqueryPlan> sq = table_subquery(e, *n.query, agg != nullptr ? Scope{} : scope);
            if (!sq) return error(sq.error());
            const SubqueryUse use =
                n.kind == ast::SubqueryExpr::Kind::kExists ? SubqueryUse::kExists : SubqueryUse::kScalar;
            if (sq->correlated)
              return make_correlated_subquery(sq->table, std::move(sq->where), std::move(sq->item), use, nullptr,
                                              BoundFunction{}, false);
            return make_table_subquery(
                std::make_shared<TableValues>(sq->table, std::move(sq->where), std::move(sq->item), sq->distinct), use);
          }
        },
        e.node);
  }

  Result<ExprPtr> call_of(Pos pos, std::string_view name, std::initializer_list<const ast::Box<ast::Expr>*> parts,
                          const Scope& scope, AggContext* agg) {
    std::vector<ExprPtr> args;
    for (const ast::Box<ast::Expr>* p : parts) {
      if (!*p) continue;
      Result<ExprPtr> v = bind(**p, scope, agg);
      if (!v) return v;
      args.push_back(std::move(*v));
    }
    return call(pos, name, std::move(args));
  }

  Status merge_type(const ast::Expr& at, const SqlType& t, std::optional<SqlType>& into) {
    if (t.kind == TypeKind::kNull) return Status::ok();
    if (!into || into->kind == TypeKind::kNull) {
      into = t;
      return Status::ok();
    }
    std::optional<SqlType> c = common_type(*into, t);
    if (!c)
      return fail(at.pos, "CASE arms of types " + into->to_string() + " and " + t.to_string() + " do not mix").error();
    into = *c;
    return Status::ok();
  }

  const PlannerHooks& hooks_;
  CompileError* error_;
  std::set<std::string> pumps_;
  std::map<std::string, std::shared_ptr<const UserFunction>> functions_;  // CREATE FUNCTION
  WindowContext* window_ = nullptr;  // binding a sliding-window query's select list
  // Planning a query's FROM: its WINDOW clause, and whether a join used it.
  const std::vector<ast::NamedWindow>* from_windows_ = nullptr;
  bool from_window_used_ = false;
};

}  // namespace

Status plan_program(const ast::Program& program, const PlannerHooks& hooks, CompileError* error) {
  CompileError local;
  Planner p(hooks, error != nullptr ? error : &local);
  return p.program(program);
}

}  // namespace runnel::sql
