// Arithmetic, comparison and logical operators; the numeric functions (ABS,
// CEIL, FLOOR, EXP, LN, LOG10, MOD, POWER, SQRT, STEP); the null functions
// (COALESCE, NULLIF).
#include <cmath>
#include <limits>

#include "sql/coerce.h"
#include "sql/functions.h"

namespace runnel::sql {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;
constexpr int64_t kMaxDays = 73'000'000'000;  // about 200,000,000 years

__int128 pow10_128(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

std::pair<__int128, int> exact(const Value& v) { return {v.as_int(), v.kind() == TypeKind::kDecimal ? v.scale() : 0}; }

SqlResult<Value> overflow(const SqlType& t) {
  return sql_error(kOverflow, "Overflow: the result does not fit " + t.to_string());
}
SqlResult<Value> division_by_zero() { return sql_error(kDivisionByZero, "Division by zero"); }

SqlResult<Value> integer_result(__int128 x, const SqlType& t) {
  if (x < integer_min(t.kind) || x > integer_max(t.kind)) return overflow(t);
  return Value::integer_of(t.kind, static_cast<int64_t>(x));
}

SqlResult<Value> decimal_result(__int128 unscaled, const SqlType& t) {
  const __int128 limit = pow10_128(std::min<int>(t.length, kMaxDecimalPrecision));
  if (unscaled >= limit || unscaled <= -limit) return overflow(t);
  return Value::decimal(static_cast<int64_t>(unscaled), t.scale);
}

__int128 round_div(__int128 n, __int128 d) {
  __int128 q = n / d, r = n % d;
  if (r < 0) r = -r;
  const __int128 ad = d < 0 ? -d : d;
  if (r * 2 >= ad) q += ((n < 0) != (d < 0)) ? -1 : 1;
  return q;
}

// (u1 / 10^s1) / (u2 / 10^s2) as an unscaled value of scale s, rounded half
// away from zero; nullopt when it exceeds 10^19 (long division keeps the
// intermediates inside int128).
std::optional<__int128> decimal_divide(__int128 u1, int s1, __int128 u2, int s2, int s) {
  int e = s2 + s - s1;  // result = u1 * 10^e / u2
  const bool neg = (u1 < 0) != (u2 < 0);
  __int128 a = u1 < 0 ? -u1 : u1, b = u2 < 0 ? -u2 : u2;
  if (e < 0) {
    b *= pow10_128(-e);
    e = 0;
  }
  __int128 q = a / b, r = a % b;
  const __int128 kLimit = pow10_128(19);
  for (int i = 0; i < e; ++i) {
    r *= 10;
    q = q * 10 + r / b;
    r %= b;
    if (q > kLimit) return std::nullopt;
  }
  if (r * 2 >= b) ++q;
  return neg ? -q : q;
}

SqlResult<Value> numeric_op(ArithOp op, const Value& a, const Value& b, const SqlType& rt) {
  if (rt.is_approx_numeric()) {
    const double x = a.to_double(), y = b.to_double();
    double r = 0;
    switch (op) {
      case ArithOp::kAdd: r = x + y; break;
      case ArithOp::kSubtract: r = x - y; break;
      case ArithOp::kMultiply: r = x * y; break;
      case ArithOp::kDivide:
        if (y == 0) return division_by_zero();
        r = x / y;
        break;
      case ArithOp::kMod:
        if (y == 0) return division_by_zero();
        r = std::fmod(x, y);
        break;
    }
    return rt.kind == TypeKind::kReal ? Value::real(r) : Value::dbl(r);
  }
  auto [u1, s1] = exact(a);
  auto [u2, s2] = exact(b);
  if (rt.is_integer()) {
    switch (op) {
      case ArithOp::kAdd: return integer_result(u1 + u2, rt);
      case ArithOp::kSubtract: return integer_result(u1 - u2, rt);
      case ArithOp::kMultiply: return integer_result(u1 * u2, rt);
      case ArithOp::kDivide:
        if (u2 == 0) return division_by_zero();
        return integer_result(u1 / u2, rt);  // truncates toward zero
      case ArithOp::kMod:
        if (u2 == 0) return division_by_zero();
        return integer_result(u1 % u2, rt);  // sign of the dividend
    }
  }
  const int s = rt.scale;
  switch (op) {
    case ArithOp::kAdd:
    case ArithOp::kSubtract: {
      const int m = std::max(s1, s2);
      const __int128 x = u1 * pow10_128(m - s1), y = u2 * pow10_128(m - s2);
      const __int128 sum = op == ArithOp::kAdd ? x + y : x - y;
      return decimal_result(m > s ? round_div(sum, pow10_128(m - s)) : sum * pow10_128(s - m), rt);
    }
    case ArithOp::kMultiply: {
      const __int128 p = u1 * u2;  // each |u| < 10^19, so |p| < 10^38
      const int ps = s1 + s2;
      return decimal_result(ps > s ? round_div(p, pow10_128(ps - s)) : p * pow10_128(s - ps), rt);
    }
    case ArithOp::kDivide: {
      if (u2 == 0) return division_by_zero();
      auto q = decimal_divide(u1, s1, u2, s2, s);
      if (!q) return overflow(rt);
      return decimal_result(*q, rt);
    }
    case ArithOp::kMod: {
      if (u2 == 0) return division_by_zero();
      const int m = std::max(s1, s2);
      const __int128 x = u1 * pow10_128(m - s1), y = u2 * pow10_128(m - s2);
      const __int128 r = x % y;
      return decimal_result(m > s ? round_div(r, pow10_128(m - s)) : r * pow10_128(s - m), rt);
    }
  }
  return overflow(rt);
}

SqlResult<Value> add_months(int64_t ms, int64_t months) {
  CivilTime c = civil_from_millis(ms);
  int64_t total;
  if (__builtin_add_overflow(c.year * 12 + (c.month - 1), months, &total)) {
    return sql_error(kOverflow, "Datetime out of range");
  }
  c.year = floor_div(total, 12);
  c.month = static_cast<int>(floor_mod(total, 12)) + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  const int last = kDays[c.month - 1] + (c.month == 2 && leap ? 1 : 0);
  if (c.day > last) c.day = last;
  if (c.year > 200'000'000 || c.year < -200'000'000) return sql_error(kOverflow, "Datetime out of range");
  return Value::timestamp(millis_from_civil(c));
}

SqlResult<Value> checked_add(int64_t a, int64_t b, TypeKind k) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return sql_error(kOverflow, "Datetime or interval out of range");
  return Value::integer_of(k, r);
}

// Datetime and interval arithmetic, by the bound result type.
SqlResult<Value> datetime_op(ArithOp op, const Value& a, const Value& b, const SqlType& rt) {
  const SqlType ta = SqlType::of(a.kind()), tb = SqlType::of(b.kind());
  if (ta.is_datetime() && tb.is_datetime()) {  // x - y
    int64_t scale = a.kind() == TypeKind::kDate ? kMillisPerDay : 1;
    int64_t r;
    if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r) || __builtin_mul_overflow(r, scale, &r))
      return sql_error(kOverflow, "Interval out of range");
    return Value::interval_day_time(r);
  }
  if (ta.is_datetime() || tb.is_datetime()) {
    const Value& dt = ta.is_datetime() ? a : b;
    const Value& iv = ta.is_datetime() ? b : a;
    int64_t amount = iv.as_int();
    if (op == ArithOp::kSubtract) {
      if (amount == std::numeric_limits<int64_t>::min()) return sql_error(kOverflow, "Interval out of range");
      amount = -amount;
    }
    if (iv.kind() == TypeKind::kIntervalYearMonth) {
      const int64_t base = dt.kind() == TypeKind::kDate ? dt.as_int() * kMillisPerDay : dt.as_int();
      auto r = add_months(base, amount);
      if (!r) return r;
      if (dt.kind() == TypeKind::kDate) return Value::date(floor_div(r->as_int(), kMillisPerDay));
      return r;
    }
    switch (dt.kind()) {
      case TypeKind::kDate: {
        // Dates stay within years +-200,000,000 (value.h), so their
        // milliseconds always fit an int64.
        const int64_t days = dt.as_int() + amount / kMillisPerDay;
        if (days > kMaxDays || days < -kMaxDays) return sql_error(kOverflow, "Date out of range");
        return Value::date(days);
      }
      case TypeKind::kTime: return Value::time(floor_mod(dt.as_int() + amount % kMillisPerDay, kMillisPerDay));
      default: return checked_add(dt.as_int(), amount, TypeKind::kTimestamp);
    }
  }
  if (ta.is_interval() && tb.is_interval()) {
    int64_t r;
    const bool over = op == ArithOp::kAdd ? __builtin_add_overflow(a.as_int(), b.as_int(), &r)
                                          : __builtin_sub_overflow(a.as_int(), b.as_int(), &r);
    if (over) return sql_error(kOverflow, "Interval out of range");
    return Value::integer_of(rt.kind, r);
  }
  // interval * number, number * interval, interval / number.
  const Value& iv = ta.is_interval() ? a : b;
  const Value& n = ta.is_interval() ? b : a;
  const double f = n.to_double();
  if (op == ArithOp::kDivide && f == 0) return division_by_zero();
  const double r = op == ArithOp::kDivide ? static_cast<double>(iv.as_int()) / f : static_cast<double>(iv.as_int()) * f;
  if (!std::isfinite(r) || std::fabs(r) >= 9.2e18) return sql_error(kOverflow, "Interval out of range");
  return Value::integer_of(iv.kind(), static_cast<int64_t>(std::llround(r)));
}

Binding bind_binary_arith(const std::string& name, ArithOp op, std::span<const ArgInfo> args) {
  if (args.size() != 2) return bind_error(name, "takes two operands");
  auto rt = arithmetic_type(op, args[0].type, args[1].type);
  if (!rt) {
    return bind_error(name, "cannot apply to " + args[0].type.to_string() + " and " + args[1].type.to_string());
  }
  const SqlType r = *rt;
  ScalarFn fn = [op, r](std::span<const Value> v) -> SqlResult<Value> {
    if (SqlType::of(v[0].kind()).is_numeric() && SqlType::of(v[1].kind()).is_numeric()) {
      return numeric_op(op, v[0], v[1], r);
    }
    return datetime_op(op, v[0], v[1], r);
  };
  return BoundFunction{null_on_null(std::move(fn), r.kind), r};
}

Binding bind_compare(const std::string& name, CompareOp op, std::span<const ArgInfo> args) {
  if (args.size() != 2) return bind_error(name, "takes two operands");
  if (!comparable(args[0].type, args[1].type)) {
    return bind_error(name, "cannot compare " + args[0].type.to_string() + " with " + args[1].type.to_string());
  }
  ScalarFn fn = [op](std::span<const Value> v) -> SqlResult<Value> { return to_value(compare(op, v[0], v[1])); };
  return BoundFunction{std::move(fn), SqlType::of(TypeKind::kBoolean)};
}

bool all_boolean(std::span<const ArgInfo> args) {
  for (const ArgInfo& a : args)
    if (a.type.kind != TypeKind::kBoolean && a.type.kind != TypeKind::kNull) return false;
  return true;
}

// A one-argument DOUBLE function with its domain check.
Binding bind_math(const std::string& name, std::span<const ArgInfo> args, double (*f)(double),
                  bool (*domain_ok)(double)) {
  if (args.size() != 1 || !(args[0].type.is_numeric() || args[0].type.kind == TypeKind::kNull)) {
    return bind_error(name, "takes one numeric argument");
  }
  ScalarFn fn = [name, f, domain_ok](std::span<const Value> v) -> SqlResult<Value> {
    const double x = v[0].to_double();
    if (domain_ok && !domain_ok(x)) {
      return sql_error(kInvalidArgument, "Invalid argument for " + name + ": " + v[0].to_string());
    }
    return Value::dbl(f(x));
  };
  return BoundFunction{null_on_null(std::move(fn), TypeKind::kDouble), SqlType::of(TypeKind::kDouble)};
}

// FLOOR/CEIL of a number: exact kinds keep their kind (DECIMAL's scale
// becomes 0), approximate ones stay approximate.
Binding bind_floor_ceil(std::span<const ArgInfo> args, bool ceil) {
  const SqlType t = args[0].type;
  if (!t.is_numeric()) return std::nullopt;  // FLOOR(datetime TO unit) is the datetime family's
  SqlType rt = t;
  if (t.kind == TypeKind::kDecimal) rt = SqlType::decimal(std::min(kMaxDecimalPrecision, t.length - t.scale + 1), 0);
  ScalarFn fn = [ceil, rt](std::span<const Value> v) -> SqlResult<Value> {
    const Value& x = v[0];
    if (rt.is_approx_numeric()) {
      const double d = ceil ? std::ceil(x.as_double()) : std::floor(x.as_double());
      return rt.kind == TypeKind::kReal ? Value::real(d) : Value::dbl(d);
    }
    if (rt.is_integer()) return x;
    const __int128 p = pow10_128(x.scale());
    __int128 q = x.as_int() / p;
    const __int128 r = x.as_int() % p;
    if (r != 0 && ceil && x.as_int() > 0) ++q;
    if (r != 0 && !ceil && x.as_int() < 0) --q;
    return decimal_result(q, rt);
  };
  return BoundFunction{null_on_null(std::move(fn), rt.kind), rt};
}

Binding bind_step_numeric(std::span<const ArgInfo> args) {
  // STEP(x BY n) = n * floor(x / n), for exact numerics.
  if (!args[0].type.is_exact_numeric() || !args[1].type.is_exact_numeric()) {
    return bind_error("STEP", "takes an exact numeric BY an exact numeric, or a datetime BY an interval");
  }
  const SqlType rt = args[0].type;
  ScalarFn fn = [rt](std::span<const Value> v) -> SqlResult<Value> {
    auto [u1, s1] = exact(v[0]);
    auto [u2, s2] = exact(v[1]);
    const int m = std::max(s1, s2);
    const __int128 x = u1 * pow10_128(m - s1), n = u2 * pow10_128(m - s2);
    if (n <= 0) return sql_error(kInvalidArgument, "STEP needs a positive step");
    __int128 q = x / n;
    if (x % n != 0 && x < 0) --q;
    const __int128 r = q * n;  // scale m
    if (rt.is_integer()) return integer_result(r, rt);
    return decimal_result(r / pow10_128(m - rt.scale), rt);
  };
  return BoundFunction{null_on_null(std::move(fn), rt.kind), rt};
}

Binding bind_step_datetime(std::span<const ArgInfo> args) {
  if (args[1].type.kind != TypeKind::kIntervalDayTime) {
    return bind_error("STEP", "a datetime steps BY a day-time interval");
  }
  const SqlType rt = args[0].type;
  ScalarFn fn = [rt](std::span<const Value> v) -> SqlResult<Value> {
    const int64_t step = v[1].as_int();
    if (step <= 0) return sql_error(kInvalidArgument, "STEP needs a positive interval");
    const int64_t ms = rt.kind == TypeKind::kDate ? v[0].as_int() * kMillisPerDay : v[0].as_int();
    const int64_t r = floor_div(ms, step) * step;
    if (rt.kind == TypeKind::kDate) return Value::date(floor_div(r, kMillisPerDay));
    return Value::integer_of(rt.kind, r);
  };
  return BoundFunction{null_on_null(std::move(fn), rt.kind), rt};
}

}  // namespace

std::vector<std::string_view> arithmetic_function_names() {
  return {"+",   "-",  "*",     "/",   "%",     "NEGATE", "=",    "<>",       "<",
          "<=",  ">",  ">=",    "AND", "OR",    "NOT",    "ABS",  "CEIL",     "FLOOR",
          "EXP", "LN", "LOG10", "MOD", "POWER", "SQRT",   "STEP", "COALESCE", "NULLIF"};
}

Binding bind_arithmetic_function(const std::string& name, std::span<const ArgInfo> args) {
  if (name == "+") return bind_binary_arith(name, ArithOp::kAdd, args);
  if (name == "-" && args.size() == 2) return bind_binary_arith(name, ArithOp::kSubtract, args);
  if (name == "*") return bind_binary_arith(name, ArithOp::kMultiply, args);
  if (name == "/") return bind_binary_arith(name, ArithOp::kDivide, args);
  if (name == "%") return bind_binary_arith(name, ArithOp::kMod, args);
  if (name == "NEGATE" || (name == "-" && args.size() == 1)) {
    if (args.size() != 1 || !(args[0].type.is_numeric() || args[0].type.is_interval())) {
      return bind_error(name, "takes one numeric or interval operand");
    }
    const SqlType rt = args[0].type;
    ScalarFn fn = [rt](std::span<const Value> v) -> SqlResult<Value> {
      const Value& x = v[0];
      if (rt.is_approx_numeric())
        return rt.kind == TypeKind::kReal ? Value::real(-x.as_double()) : Value::dbl(-x.as_double());
      if (rt.kind == TypeKind::kDecimal) return Value::decimal(-x.as_int(), x.scale());
      if (rt.is_interval()) return checked_add(0, -x.as_int(), rt.kind);
      return integer_result(-static_cast<__int128>(x.as_int()), rt);
    };
    return BoundFunction{null_on_null(std::move(fn), rt.kind), rt};
  }
  if (name == "-") return bind_error(name, "takes one or two operands");
  if (name == "=") return bind_compare(name, CompareOp::kEq, args);
  if (name == "<>" || name == "!=") return bind_compare(name, CompareOp::kNe, args);
  if (name == "<") return bind_compare(name, CompareOp::kLt, args);
  if (name == "<=") return bind_compare(name, CompareOp::kLe, args);
  if (name == ">") return bind_compare(name, CompareOp::kGt, args);
  if (name == ">=") return bind_compare(name, CompareOp::kGe, args);
  if (name == "AND" || name == "OR") {
    if (args.size() != 2 || !all_boolean(args)) return bind_error(name, "takes two BOOLEAN operands");
    const bool is_and = name == "AND";
    ScalarFn fn = [is_and](std::span<const Value> v) -> SqlResult<Value> {
      const Truth a = truth_of(v[0]), b = truth_of(v[1]);
      return to_value(is_and ? truth_and(a, b) : truth_or(a, b));
    };
    return BoundFunction{std::move(fn), SqlType::of(TypeKind::kBoolean)};
  }
  if (name == "NOT") {
    if (args.size() != 1 || !all_boolean(args)) return bind_error(name, "takes one BOOLEAN operand");
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> { return to_value(truth_not(truth_of(v[0]))); };
    return BoundFunction{std::move(fn), SqlType::of(TypeKind::kBoolean)};
  }
  if (name == "ABS") {
    if (args.size() != 1 || !(args[0].type.is_numeric() || args[0].type.is_interval())) {
      return bind_error(name, "takes one numeric or interval argument");
    }
    const SqlType rt = args[0].type;
    ScalarFn fn = [rt](std::span<const Value> v) -> SqlResult<Value> {
      const Value& x = v[0];
      if (rt.is_approx_numeric())
        return rt.kind == TypeKind::kReal ? Value::real(std::fabs(x.as_double()))
                                          : Value::dbl(std::fabs(x.as_double()));
      if (x.as_int() >= 0) return x;
      if (rt.kind == TypeKind::kDecimal) return Value::decimal(-x.as_int(), x.scale());
      if (rt.is_interval()) return checked_add(0, -x.as_int(), rt.kind);
      return integer_result(-static_cast<__int128>(x.as_int()), rt);
    };
    return BoundFunction{null_on_null(std::move(fn), rt.kind), rt};
  }
  if ((name == "CEIL" || name == "FLOOR") && args.size() == 1) return bind_floor_ceil(args, name == "CEIL");
  if (name == "EXP")
    return bind_math(
        name, args, [](double x) { return std::exp(x); }, nullptr);
  if (name == "LN")
    return bind_math(
        name, args, [](double x) { return std::log(x); }, [](double x) { return x > 0; });
  if (name == "LOG10") {
    return bind_math(
        name, args, [](double x) { return std::log10(x); }, [](double x) { return x > 0; });
  }
  if (name == "SQRT") {
    return bind_math(
        name, args, [](double x) { return std::sqrt(x); }, [](double x) { return x >= 0; });
  }
  if (name == "POWER") {
    if (args.size() != 2 || !args[0].type.is_numeric() || !args[1].type.is_numeric()) {
      return bind_error(name, "takes two numeric arguments");
    }
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      const double x = v[0].to_double(), y = v[1].to_double();
      if (x == 0 && y < 0) return sql_error(kInvalidArgument, "Invalid argument for POWER: 0 to a negative power");
      const double r = std::pow(x, y);
      if (std::isnan(r)) return sql_error(kInvalidArgument, "Invalid argument for POWER: no real result");
      return Value::dbl(r);
    };
    return BoundFunction{null_on_null(std::move(fn), TypeKind::kDouble), SqlType::of(TypeKind::kDouble)};
  }
  if (name == "MOD") {
    if (args.size() != 2 || !args[0].type.is_exact_numeric() || !args[1].type.is_exact_numeric()) {
      return bind_error(name, "takes two exact numeric arguments");
    }
    return bind_binary_arith(name, ArithOp::kMod, args);
  }
  if (name == "STEP") {
    if (args.size() != 2) return bind_error(name, "takes a value BY a step");
    if (args[0].type.is_datetime()) return bind_step_datetime(args);
    return bind_step_numeric(args);
  }
  if (name == "COALESCE") {
    if (args.empty()) return bind_error(name, "takes at least one argument");
    SqlType rt = args[0].type;
    for (const ArgInfo& a : args.subspan(1)) {
      auto c = common_type(rt, a.type);
      if (!c) return bind_error(name, "arguments have no common type");
      rt = *c;
    }
    ScalarFn fn = [rt](std::span<const Value> v) -> SqlResult<Value> {
      for (const Value& x : v)
        if (!x.is_null()) return SqlType::of(x.kind()) == SqlType::of(rt.kind) ? x : cast_value(x, rt);
      return Value::null(rt.kind);
    };
    return BoundFunction{std::move(fn), rt};
  }
  if (name == "NULLIF") {
    if (args.size() != 2 || !comparable(args[0].type, args[1].type)) {
      return bind_error(name, "takes two comparable arguments");
    }
    const SqlType rt = args[0].type;
    ScalarFn fn = [rt](std::span<const Value> v) -> SqlResult<Value> {
      if (compare(CompareOp::kEq, v[0], v[1]) == Truth::kTrue) return Value::null(rt.kind);
      return v[0];
    };
    return BoundFunction{std::move(fn), rt};
  }
  return std::nullopt;
}

}  // namespace runnel::sql
