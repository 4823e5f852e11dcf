#include "sql/operators.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_set>

#include "sql/coerce.h"

namespace runnel::sql {

// ---- ProjectOp ---------------------------------------------------------

namespace {

// WHERE over one row: true when it holds; a failure is reported (and false).
bool passes(const PumpContext* ctx, const Expr* where, const EvalInput& in, int64_t rowtime, const Row& row) {
  if (where == nullptr) return true;
  SqlResult<Value> w = where->eval(in);
  if (!w) {
    ctx->fail(w.error(), rowtime, &row);
    return false;
  }
  return truth_of(*w) == Truth::kTrue;
}

// The select list of one row into `out`, and its ROWTIME (`expr AS ROWTIME`
// or the input's) into `out_time`; a failure is reported (and false).
bool project(const PumpContext* ctx, const std::vector<ExprPtr>& items, const Expr* rowtime_expr, const EvalInput& in,
             int64_t rowtime, const Row& row, int64_t& out_time, Row& out) {
  out_time = rowtime;
  if (rowtime_expr != nullptr) {
    SqlResult<Value> t = rowtime_expr->eval(in);
    if (t && t->is_null()) t = sql_error(kInvalidArgument, "ROWTIME cannot be NULL");
    if (!t) {
      ctx->fail(t.error(), rowtime, &row);
      return false;
    }
    out_time = t->as_int();
  }
  out.resize(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    SqlResult<Value> v = items[i]->eval(in);
    if (!v) {
      ctx->fail(v.error(), rowtime, &row);
      return false;
    }
    out[i] = std::move(*v);
  }
  return true;
}

}  // namespace

void ProjectOp::push(int64_t rowtime, const Row& row) {
  EvalInput in{&row, rowtime};
  if (!passes(ctx_, where_.get(), in, rowtime, row)) return;
  int64_t out_time = 0;
  if (project(ctx_, items_, rowtime_.get(), in, rowtime, row, out_time, out_) && next_ != nullptr)
    next_->push(out_time, out_);
}

// ---- TableJoinOp -------------------------------------------------------

void TableJoinOp::push(int64_t rowtime, const Row& row) {
  bool matched = false;
  auto emit_with = [&](const Row* t) {
    joined_.clear();
    if (table_first_) {
      if (t)
        joined_.insert(joined_.end(), t->begin(), t->end());
      else
        joined_.resize(width_);
      joined_.insert(joined_.end(), row.begin(), row.end());
    } else {
      joined_.insert(joined_.end(), row.begin(), row.end());
      if (t)
        joined_.insert(joined_.end(), t->begin(), t->end());
      else
        joined_.resize(row.size() + width_);
    }
  };
  for (const Row& t : *table_) {
    emit_with(&t);
    if (on_) {
      SqlResult<Value> c = on_->eval(EvalInput{&joined_, rowtime});
      if (!c) return ctx_->fail(c.error(), rowtime, &row);
      if (truth_of(*c) != Truth::kTrue) continue;
    }
    matched = true;
    if (next_ != nullptr) next_->push(rowtime, joined_);
  }
  if (!matched && left_outer_) {
    emit_with(nullptr);
    if (next_ != nullptr) next_->push(rowtime, joined_);
  }
}

// ---- TumblingAggregateOp -----------------------------------------------

bool TumblingAggregateOp::bucket_of(int64_t rowtime, int64_t* out) const {
  static const Row kNoColumns;
  SqlResult<Value> b = keys_[bucket_.key_index]->eval(EvalInput{&kNoColumns, rowtime});
  if (!b || b->is_null()) return false;
  *out = b->as_int();
  return true;
}

int64_t TumblingAggregateOp::bucket_end(const Bucket& b, int64_t start) {
  if (b.months == 0) return start + b.width_ms;
  CivilTime c = civil_from_millis(start);
  int64_t m = c.year * 12 + (c.month - 1) + b.months;
  c.year = floor_div(m, 12);
  c.month = static_cast<int>(floor_mod(m, 12)) + 1;
  return millis_from_civil(c);
}

bool TumblingAggregateOp::accumulate(Group& g, const EvalInput& in, int64_t rowtime, const Row& row) {
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const AggregateSpec& spec = aggs_[i];
    Acc& acc = g.accs[i];
    if (spec.kind == AggregateSpec::Kind::kCountStar) {
      ++acc.count;
      continue;
    }
    SqlResult<Value> v = spec.arg->eval(in);
    if (!v) {
      ctx_->fail(v.error(), rowtime, &row);
      return false;
    }
    if (v->is_null()) continue;
    if (spec.distinct) {
      Row key{*v};
      if (std::find_if(acc.distinct.begin(), acc.distinct.end(), [&](const Row& r) { return RowKeyEqual()(r, key); }) !=
          acc.distinct.end())
        continue;
      acc.distinct.push_back(std::move(key));
    }
    switch (spec.kind) {
      case AggregateSpec::Kind::kCount: ++acc.count; break;
      case AggregateSpec::Kind::kSum:
      case AggregateSpec::Kind::kAvg:
        if (acc.count == 0) {
          acc.value = std::move(*v);
        } else {
          Value args[2] = {acc.value, std::move(*v)};
          SqlResult<Value> s = spec.add.fn(std::span<const Value>(args, 2));
          if (!s) {
            ctx_->fail(s.error(), rowtime, &row);
            return false;
          }
          acc.value = std::move(*s);
        }
        ++acc.count;
        break;
      case AggregateSpec::Kind::kMin:
      case AggregateSpec::Kind::kMax: {
        if (acc.count == 0) {
          acc.value = std::move(*v);
        } else {
          auto c = compare_values(*v, acc.value);
          if (c && ((spec.kind == AggregateSpec::Kind::kMin && *c < 0) ||
                    (spec.kind == AggregateSpec::Kind::kMax && *c > 0)))
            acc.value = std::move(*v);
        }
        ++acc.count;
        break;
      }
      case AggregateSpec::Kind::kStddevPop:
      case AggregateSpec::Kind::kStddevSamp:
      case AggregateSpec::Kind::kVarPop:
      case AggregateSpec::Kind::kVarSamp: {
        const double d = v->to_double();
        acc.sum += d;
        acc.sumsq += d * d;
        ++acc.count;
        break;
      }
      case AggregateSpec::Kind::kCountStar: break;
    }
  }
  return true;
}

namespace {
// The variance (or, `root`, the standard deviation) of `count` values from
// their sum and sum of squares; none for no value, or one with `sample`.
std::optional<double> variance_of(int64_t count, double sum, double sumsq, bool sample, bool root) {
  if (count == 0 || (sample && count < 2)) return std::nullopt;
  const double n = static_cast<double>(count);
  double var = (sumsq - sum * sum / n) / (sample ? n - 1 : n);
  if (var < 0) var = 0;  // rounding
  return root ? std::sqrt(var) : var;
}
}  // namespace

void TumblingAggregateOp::push(int64_t rowtime, const Row& row) {
  EvalInput in{&row, rowtime};
  if (!passes(ctx_, where_.get(), in, rowtime, row)) return;
  if (stagger_ms_ > 0) {
    emit_due(rowtime);
  } else if (bucket_.kind != Bucket::Kind::kTime) {
    SqlResult<Value> k = keys_[bucket_.key_index]->eval(in);
    if (!k) return ctx_->fail(k.error(), rowtime, &row);
    if (open_ && key_differs(*k))
      flush(bucket_.kind == Bucket::Kind::kRowtimeExpression ? key_change_time(rowtime) : rowtime);
    if (!open_) {
      open_ = true;
      current_key_ = std::move(*k);
    }
    last_rowtime_ = rowtime;
  } else {
    int64_t b = 0;
    if (!bucket_of(rowtime, &b)) return;
    if (open_ && b > current_) flush(bucket_end(current_));
    if (!open_ || b > current_) {
      open_ = true;
      current_ = b;
    }
  }
  Row keys(keys_.size());
  for (size_t i = 0; i < keys_.size(); ++i) {
    SqlResult<Value> k = keys_[i]->eval(in);
    if (!k) return ctx_->fail(k.error(), rowtime, &row);
    keys[i] = std::move(*k);
  }
  auto [it, fresh] = index_.try_emplace(keys, groups_.size());
  if (fresh) groups_.push_back(Group{std::move(keys), std::vector<Acc>(aggs_.size()), rowtime + stagger_ms_});
  accumulate(groups_[it->second], in, rowtime, row);
}

bool TumblingAggregateOp::key_differs(const Value& v) const {
  if (v.is_null() || current_key_.is_null()) return v.is_null() != current_key_.is_null();
  auto c = compare_values(v, current_key_);
  return !c || *c != 0;
}

int64_t TumblingAggregateOp::key_change_time(int64_t t) const {
  static const Row kNoColumns;
  // The key is a monotonic function of ROWTIME alone, so the times at which
  // it differs from the open window's form a suffix of (last_rowtime_, t].
  int64_t lo = last_rowtime_, hi = t;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    SqlResult<Value> k = keys_[bucket_.key_index]->eval(EvalInput{&kNoColumns, mid});
    if (k && key_differs(*k))
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

void TumblingAggregateOp::advance(int64_t bound) {
  static const Row kNoColumns;
  int64_t b = 0;
  if (stagger_ms_ > 0) {
    emit_due(bound);
  } else if (bucket_.kind == Bucket::Kind::kRowtimeExpression) {
    // No row below `bound` will come: a row at `bound` would have this key.
    if (open_ && bound > last_rowtime_) {
      SqlResult<Value> k = keys_[bucket_.key_index]->eval(EvalInput{&kNoColumns, bound});
      if (k && key_differs(*k)) flush(key_change_time(bound));
    }
  } else if (bucket_.kind == Bucket::Kind::kTime && open_ && bucket_of(bound, &b) && b > current_) {
    flush(bucket_end(current_));
  }
  forward_advance(bound);
}

bool TumblingAggregateOp::finish(Group& g, int64_t end, Row& r) {
  Row aggs(aggs_.size());
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const AggregateSpec& spec = aggs_[i];
    Acc& acc = g.accs[i];
    switch (spec.kind) {
      case AggregateSpec::Kind::kCount:
      case AggregateSpec::Kind::kCountStar: aggs[i] = Value::bigint(acc.count); break;
      case AggregateSpec::Kind::kSum:
      case AggregateSpec::Kind::kMin:
      case AggregateSpec::Kind::kMax:
        aggs[i] = acc.count == 0 ? Value::null(spec.type.kind) : acc.value;
        if (!aggs[i].is_null() && aggs[i].kind() != spec.type.kind) {
          SqlResult<Value> c = cast_value(aggs[i], spec.type);
          if (!c) {
            ctx_->fail(c.error(), end, &g.keys);
            return false;
          }
          aggs[i] = std::move(*c);
        }
        break;
      case AggregateSpec::Kind::kAvg: {
        if (acc.count == 0) {
          aggs[i] = Value::null(spec.type.kind);
          break;
        }
        Value args[2] = {acc.value, Value::bigint(acc.count)};
        SqlResult<Value> q = spec.divide.fn(std::span<const Value>(args, 2));
        if (q) q = cast_value(*q, spec.type);
        if (!q) {
          ctx_->fail(q.error(), end, &g.keys);
          return false;
        }
        aggs[i] = std::move(*q);
        break;
      }
      case AggregateSpec::Kind::kStddevPop:
      case AggregateSpec::Kind::kStddevSamp:
      case AggregateSpec::Kind::kVarPop:
      case AggregateSpec::Kind::kVarSamp: {
        using K = AggregateSpec::Kind;
        std::optional<double> v =
            variance_of(acc.count, acc.sum, acc.sumsq, spec.kind == K::kStddevSamp || spec.kind == K::kVarSamp,
                        spec.kind == K::kStddevPop || spec.kind == K::kStddevSamp);
        aggs[i] = v ? Value::dbl(*v) : Value::null(TypeKind::kDouble);
        break;
      }
    }
  }
  EvalInput in{nullptr, end, &g.keys, &aggs};
  if (having_) {
    SqlResult<Value> h = having_->eval(in);
    if (!h) {
      ctx_->fail(h.error(), end, &g.keys);
      return false;
    }
    if (truth_of(*h) != Truth::kTrue) return false;
  }
  r.assign(items_.size(), Value());
  for (size_t i = 0; i < items_.size(); ++i) {
    SqlResult<Value> v = items_[i]->eval(in);
    if (!v) {
      ctx_->fail(v.error(), end, &g.keys);
      return false;
    }
    r[i] = std::move(*v);
  }
  return true;
}

void TumblingAggregateOp::emit_due(int64_t now) {
  // Stagger windows: every group whose window has closed by `now`, in the
  // order they close (ROWTIME stays non-decreasing).
  std::vector<size_t> due;
  for (size_t i = 0; i < groups_.size(); ++i)
    if (groups_[i].close_at <= now) due.push_back(i);
  if (due.empty()) return;
  std::stable_sort(due.begin(), due.end(),
                   [&](size_t a, size_t b) { return groups_[a].close_at < groups_[b].close_at; });
  Row r;
  for (size_t i : due)
    if (finish(groups_[i], groups_[i].close_at, r) && next_ != nullptr) next_->push(groups_[i].close_at, r);
  std::vector<Group> keep;
  keep.reserve(groups_.size() - due.size());
  index_.clear();
  for (Group& g : groups_) {
    if (g.close_at <= now) continue;
    index_.emplace(g.keys, keep.size());
    keep.push_back(std::move(g));
  }
  groups_ = std::move(keep);
}

void TumblingAggregateOp::flush(int64_t end) {
  std::vector<Row> out;
  out.reserve(groups_.size());
  for (Group& g : groups_) {
    Row r;
    if (finish(g, end, r)) out.push_back(std::move(r));
  }
  groups_.clear();
  index_.clear();
  open_ = false;
  // ORDER BY over the output columns; the leading monotonic time bucket is
  // the same for every row of one flush.
  if (!order_by_.empty()) sort_rows(out, order_by_, end);
  if (next_ != nullptr)
    for (const Row& r : out) next_->push(end, r);
}

void TumblingAggregateOp::sort_rows(std::vector<Row>& rows, const std::vector<std::pair<ExprPtr, bool>>& order,
                                    int64_t rowtime) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    for (const auto& [e, desc] : order) {
      SqlResult<Value> va = e->eval(EvalInput{&a, rowtime});
      SqlResult<Value> vb = e->eval(EvalInput{&b, rowtime});
      if (!va || !vb) return false;
      // NULLs sort first, as SQLstream does for ascending order.
      if (va->is_null() || vb->is_null()) {
        if (va->is_null() == vb->is_null()) continue;
        return desc ? !va->is_null() : va->is_null();
      }
      auto c = compare_values(*va, *vb);
      if (!c || *c == 0) continue;
      return desc ? *c > 0 : *c < 0;
    }
    return false;
  });
}

// ---- SortOp --------------------------------------------------------------

SortOp::SortOp(ExprPtr bucket_key, TumblingAggregateOp::Bucket bucket, std::vector<std::pair<ExprPtr, bool>> order,
               size_t inputs)
    : bucket_key_(std::move(bucket_key)),
      bucket_(bucket),
      order_(std::move(order)),
      bounds_(inputs, std::numeric_limits<int64_t>::min()) {
  for (size_t i = 0; i < inputs; ++i) inputs_.push_back(std::make_unique<Input>(this, i));
}

void SortOp::arrive(size_t input, int64_t rowtime, const Row& row) {
  static const Row kNoColumns;
  SqlResult<Value> b = bucket_key_->eval(EvalInput{&kNoColumns, rowtime});
  if (b && !b->is_null()) pending_[std::max(b->as_int(), released_)].push_back(row);
  bounds_[input] = std::max(bounds_[input], rowtime);
  release();
}

void SortOp::raise(size_t input, int64_t bound) {
  bounds_[input] = std::max(bounds_[input], bound);
  release();
}

void SortOp::release() {
  const int64_t low = *std::min_element(bounds_.begin(), bounds_.end());
  int64_t forward = low;
  while (!pending_.empty()) {
    auto it = pending_.begin();
    const int64_t end = TumblingAggregateOp::bucket_end(bucket_, it->first);
    // Complete once no input can still bring a row of this bucket.
    if (low < std::max(end, it->first + 1)) {
      forward = std::min(forward, it->first);
      break;
    }
    std::vector<Row> rows = std::move(it->second);
    pending_.erase(it);
    released_ = end;
    TumblingAggregateOp::sort_rows(rows, order_, end);
    if (next_ != nullptr)
      for (const Row& r : rows) next_->push(end, r);
  }
  if (forward > std::numeric_limits<int64_t>::min()) forward_advance(forward);
}

// ---- SlidingWindowOp ---------------------------------------------------

SlidingWindowOp::SlidingWindowOp(const PumpContext* ctx, ExprPtr where, std::vector<WindowFrame> frames,
                                 std::vector<WindowAggregate> aggs, std::vector<ExprPtr> items, ExprPtr rowtime)
    : ctx_(ctx),
      where_(std::move(where)),
      frames_(std::move(frames)),
      aggs_(std::move(aggs)),
      items_(std::move(items)),
      rowtime_(std::move(rowtime)),
      state_(frames_.size()) {
  for (size_t i = 0; i < aggs_.size(); ++i) state_[aggs_[i].frame].aggs.push_back(i);
}

void SlidingWindowOp::evict(const WindowFrame& f, Window& w, int64_t rowtime) const {
  if (f.rows) {
    while (w.size() > static_cast<size_t>(f.preceding) + 1) w.pop_front();
  } else {
    while (!w.empty() && w.front().rowtime < rowtime - f.preceding) w.pop_front();
  }
}

SqlResult<Value> SlidingWindowOp::compute(const WindowAggregate& a, size_t slot, const Window& w,
                                          const EvalInput& in) const {
  using K = WindowAggregate::Kind;
  switch (a.kind) {
    case K::kCountStar: return Value::bigint(static_cast<int64_t>(w.size()));
    case K::kLag: {
      // The row `lag` back from the current one (which is w.back()); with
      // IGNORE NULLS, rows whose value is NULL are not counted.
      int64_t seen = 0;
      for (size_t i = w.size() - 1; i-- > 0;) {
        const Value& v = w[i].args[slot];
        if (a.ignore_nulls && v.is_null()) continue;
        if (++seen == a.lag) return v;
      }
      if (a.lag == 0) return w.back().args[slot];
      if (a.lag_default) return a.lag_default->eval(in);
      return Value::null(a.type.kind);
    }
    case K::kFirstValue:
    case K::kLastValue:
    case K::kNthValue: {
      // The nth value counted from the window's first row (or, FROM LAST
      // and LAST_VALUE, from its last), skipping NULLs with IGNORE NULLS.
      const bool backwards = a.kind == K::kLastValue || (a.kind == K::kNthValue && a.from_last);
      const int64_t n = a.kind == K::kNthValue ? a.lag : 1;
      int64_t seen = 0;
      for (size_t i = 0; i < w.size(); ++i) {
        const Value& v = w[backwards ? w.size() - 1 - i : i].args[slot];
        if (a.ignore_nulls && v.is_null()) continue;
        if (++seen == n) return v;
      }
      return Value::null(a.type.kind);
    }
    case K::kExpAvg: {
      // Weights halve every half-life back from the current row: a value in
      // the newest half-life weighs 1, in the one before 1/2, and so on.
      double num = 0, den = 0;
      for (const Entry& e : w) {
        const Value& v = e.args[slot];
        if (v.is_null()) continue;
        const int64_t age = std::max<int64_t>(0, in.rowtime - e.rowtime);
        const double weight = std::ldexp(1.0, -static_cast<int>(std::min<int64_t>(age / a.half_life_ms, 1000)));
        num += weight * v.to_double();
        den += weight;
      }
      if (den == 0) return Value::null(TypeKind::kDouble);
      return Value::dbl(num / den);
    }
    default: break;
  }
  int64_t count = 0;
  Value acc;
  double sum = 0, sumsq = 0;
  for (const Entry& e : w) {
    const Value& v = e.args[slot];
    if (v.is_null()) continue;
    switch (a.kind) {
      case K::kSum:
      case K::kAvg:
        if (count == 0) {
          acc = v;
        } else {
          Value args[2] = {acc, v};
          SqlResult<Value> s = a.add.fn(std::span<const Value>(args, 2));
          if (!s) return s;
          acc = std::move(*s);
        }
        break;
      case K::kMin:
      case K::kMax:
        if (count == 0) {
          acc = v;
        } else if (auto c = compare_values(v, acc);
                   c && ((a.kind == K::kMin && *c < 0) || (a.kind == K::kMax && *c > 0))) {
          acc = v;
        }
        break;
      case K::kStddevPop:
      case K::kStddevSamp:
      case K::kVarPop:
      case K::kVarSamp: {
        double d = v.to_double();
        sum += d;
        sumsq += d * d;
        break;
      }
      default: break;
    }
    ++count;
  }
  switch (a.kind) {
    case K::kCount: return Value::bigint(count);
    case K::kSum:
    case K::kMin:
    case K::kMax:
      if (count == 0) return Value::null(a.type.kind);
      if (acc.kind() != a.type.kind) return cast_value(acc, a.type);
      return acc;
    case K::kAvg: {
      if (count == 0) return Value::null(a.type.kind);
      Value args[2] = {acc, Value::bigint(count)};
      SqlResult<Value> q = a.divide.fn(std::span<const Value>(args, 2));
      if (!q) return q;
      return cast_value(*q, a.type);
    }
    case K::kStddevPop:
    case K::kStddevSamp:
    case K::kVarPop:
    case K::kVarSamp: {
      std::optional<double> v = variance_of(count, sum, sumsq, a.kind == K::kStddevSamp || a.kind == K::kVarSamp,
                                            a.kind == K::kStddevPop || a.kind == K::kStddevSamp);
      return v ? Value::dbl(*v) : Value::null(TypeKind::kDouble);
    }
    default: return Value::null(a.type.kind);
  }
}

void SlidingWindowOp::push(int64_t rowtime, const Row& row) {
  EvalInput in{&row, rowtime};
  if (!passes(ctx_, where_.get(), in, rowtime, row)) return;
  values_.assign(aggs_.size(), Value());
  for (size_t f = 0; f < frames_.size(); ++f) {
    FrameState& st = state_[f];
    Row key(frames_[f].partition.size());
    for (size_t i = 0; i < key.size(); ++i) {
      SqlResult<Value> k = frames_[f].partition[i]->eval(in);
      if (!k) return ctx_->fail(k.error(), rowtime, &row);
      key[i] = std::move(*k);
    }
    Entry e{rowtime, Row(st.aggs.size())};
    for (size_t j = 0; j < st.aggs.size(); ++j) {
      const WindowAggregate& a = aggs_[st.aggs[j]];
      if (!a.arg) continue;
      SqlResult<Value> v = a.arg->eval(in);
      if (!v) return ctx_->fail(v.error(), rowtime, &row);
      e.args[j] = std::move(*v);
    }
    Window& w = st.partitions[key];
    w.push_back(std::move(e));
    evict(frames_[f], w, rowtime);
    for (size_t j = 0; j < st.aggs.size(); ++j) {
      SqlResult<Value> v = compute(aggs_[st.aggs[j]], j, w, in);
      if (!v) return ctx_->fail(v.error(), rowtime, &row);
      values_[st.aggs[j]] = std::move(*v);
    }
  }
  in.window = &values_;
  int64_t out_time = 0;
  if (project(ctx_, items_, rowtime_.get(), in, rowtime, row, out_time, out_) && next_ != nullptr)
    next_->push(out_time, out_);
}

void SlidingWindowOp::advance(int64_t bound) {
  // Time windows whose rows have all aged out free their partitions.
  for (size_t f = 0; f < frames_.size(); ++f) {
    if (frames_[f].rows) continue;
    auto& parts = state_[f].partitions;
    for (auto it = parts.begin(); it != parts.end();) {
      evict(frames_[f], it->second, bound);
      it = it->second.empty() ? parts.erase(it) : std::next(it);
    }
  }
  if (!rowtime_) forward_advance(bound);
}

// ---- StreamJoinOp ------------------------------------------------------

void StreamJoinOp::build(int side, const Row* mine, const Row* other) {
  const Row* left = side == 0 ? mine : other;
  const Row* right = side == 0 ? other : mine;
  joined_.clear();
  if (left)
    joined_.insert(joined_.end(), left->begin(), left->end());
  else
    joined_.resize(sides_[0].width);
  if (right)
    joined_.insert(joined_.end(), right->begin(), right->end());
  else
    joined_.resize(sides_[0].width + sides_[1].width);
}

void StreamJoinOp::emit_unmatched(int side, int64_t rowtime, const Row& row) {
  build(side, &row, nullptr);
  if (next_ != nullptr) next_->push(rowtime, joined_);
}

void StreamJoinOp::expire(int64_t now) {
  std::vector<std::pair<int64_t, std::pair<int, Row>>> due;  // (window end, (side, row))
  for (int s = 0; s < 2; ++s) {
    if (!sides_[s].range_ms) continue;
    const int64_t range = *sides_[s].range_ms;
    std::deque<Kept>& kept = kept_[s];
    while (!kept.empty() && kept.front().rowtime + range < now) {
      if (sides_[s].outer && !kept.front().matched)
        due.emplace_back(kept.front().rowtime + range, std::make_pair(s, std::move(kept.front().row)));
      kept.pop_front();
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [end, what] : due) emit_unmatched(what.first, end, what.second);
}

void StreamJoinOp::arrive(int side, int64_t rowtime, const Row& row) {
  expire(rowtime);
  const int other = 1 - side;
  bool matched = false;
  for (Kept& k : kept_[other]) {
    if (k.rowtime > rowtime) break;
    build(side, &row, &k.row);
    if (on_) {
      SqlResult<Value> c = on_->eval(EvalInput{&joined_, rowtime});
      if (!c) return ctx_->fail(c.error(), rowtime, &row);
      if (truth_of(*c) != Truth::kTrue) continue;
    }
    matched = true;
    k.matched = true;
    if (next_ != nullptr) next_->push(rowtime, joined_);
  }
  if (sides_[side].range_ms)
    kept_[side].push_back(Kept{rowtime, row, matched});
  else if (!matched && sides_[side].outer)
    emit_unmatched(side, rowtime, row);
}

void StreamJoinOp::side_bound(int side, int64_t bound) {
  bounds_[side] = std::max(bounds_[side], bound);
  const int64_t low = std::min(bounds_[0], bounds_[1]);
  if (low <= forwarded_) return;
  forwarded_ = low;
  expire(low);
  forward_advance(low);
}

// ---- TumblingItemsOp -----------------------------------------------------

namespace {
constexpr int kSketchBits = 14;  // 16,384 registers: about 0.8% standard error

uint64_t mix64(uint64_t x) {  // splitmix64's finaliser: spreads a hash over all bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

void TumblingItemsOp::add_to_sketch(const Value& v) {
  const uint64_t h = mix64(static_cast<uint64_t>(v.hash()));
  const size_t index = h >> (64 - kSketchBits);
  const uint64_t rest = h << kSketchBits;
  const uint8_t rank = static_cast<uint8_t>(rest == 0 ? 64 - kSketchBits + 1 : std::countl_zero(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void TumblingItemsOp::push(int64_t rowtime, const Row& row) {
  const int64_t start = floor_div(rowtime, window_ms_) * window_ms_;
  if (open_ && start > start_) flush();
  if (!open_) {
    open_ = true;
    start_ = start;
  }
  if (column_ >= row.size() || row[column_].is_null()) return;
  const Value& v = row[column_];
  if (!registers_.empty()) return add_to_sketch(v);
  auto [it, fresh] = counts_.try_emplace(Row{v}, 0, counts_.size());
  ++it->second.first;
  if (fresh && mode_ == Mode::kCountDistinct && counts_.size() > kExactDistinct) {
    // Past the exact limit: the values so far go into the sketch.
    registers_.assign(size_t{1} << kSketchBits, 0);
    for (const auto& [key, n] : counts_) add_to_sketch(key[0]);
    counts_.clear();
  }
}

void TumblingItemsOp::advance(int64_t bound) {
  if (open_ && bound >= start_ + window_ms_) flush();
  forward_advance(bound);
}

void TumblingItemsOp::flush() {
  const int64_t end = start_ + window_ms_;
  open_ = false;
  if (mode_ == Mode::kCountDistinct) {
    int64_t n = static_cast<int64_t>(counts_.size());
    if (!registers_.empty()) {
      // HyperLogLog (Flajolet et al. 2007) with the small-range correction.
      const double m = static_cast<double>(registers_.size());
      double sum = 0;
      size_t zeros = 0;
      for (uint8_t r : registers_) {
        sum += std::ldexp(1.0, -r);
        zeros += r == 0;
      }
      double e = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
      if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
      n = static_cast<int64_t>(std::llround(e));
    }
    counts_.clear();
    registers_.clear();
    Row out{Value::bigint(n)};
    if (next_ != nullptr) next_->push(end, out);
    return;
  }
  std::vector<std::pair<const Row*, std::pair<int64_t, size_t>>> items;
  items.reserve(counts_.size());
  for (const auto& [key, c] : counts_) items.emplace_back(&key, c);
  // Most frequent first; ties in the order the values first came.
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second.first != b.second.first ? a.second.first > b.second.first : a.second.second < b.second.second;
  });
  if (items.size() > static_cast<size_t>(k_)) items.resize(static_cast<size_t>(k_));
  std::vector<Row> out;
  for (const auto& [key, c] : items) out.push_back(Row{(*key)[0], Value::bigint(c.first)});
  counts_.clear();
  if (next_ != nullptr)
    for (const Row& r : out) next_->push(end, r);
}

}  // namespace runnel::sql
