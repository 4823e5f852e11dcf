// Date and time functions: EXTRACT, FLOOR/CEIL(x TO unit), TSDIFF,
// TO_TIMESTAMP, UNIX_TIMESTAMP, CHAR_TO_TIMESTAMP/DATE/TIME and
// TIMESTAMP/DATE/TIME_TO_CHAR (Java SimpleDateFormat patterns, UTC).
// CURRENT_ROW_TIMESTAMP, CURRENT_TIMESTAMP and friends belong to the engine.
#include <memory>

#include "sql/coerce.h"
#include "sql/functions.h"
#include "sql/functions_datefmt.h"

namespace runnel::sql {

namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

bool is_text(const SqlType& t) { return t.is_character() || t.kind == TypeKind::kNull; }

int64_t millis_of(const Value& v) { return v.kind() == TypeKind::kDate ? v.as_int() * kMillisPerDay : v.as_int(); }

Value datetime_of(TypeKind k, int64_t ms) {
  switch (k) {
    case TypeKind::kDate: return Value::date(floor_div(ms, kMillisPerDay));
    case TypeKind::kTime: return Value::time(floor_mod(ms, kMillisPerDay));
    default: return Value::timestamp(ms);
  }
}

std::optional<TimeUnit> constant_unit(const ArgInfo& a) {
  auto t = constant_text(a);
  return t ? parse_time_unit(*t) : std::nullopt;
}

// Floors `ms` to the start of its `unit` (UTC).
int64_t floor_to(int64_t ms, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kYear:
    case TimeUnit::kQuarter:
    case TimeUnit::kMonth: {
      CivilTime c = civil_from_millis(ms);
      if (unit == TimeUnit::kYear) c.month = 1;
      if (unit == TimeUnit::kQuarter) c.month = (c.month - 1) / 3 * 3 + 1;
      c.day = 1;
      c.hour = c.minute = c.second = c.millis = 0;
      return millis_from_civil(c);
    }
    default: {
      const int64_t u = unit_millis(unit);
      return floor_div(ms, u) * u;
    }
  }
}

int64_t add_unit(int64_t ms, TimeUnit unit) {
  if (unit == TimeUnit::kYear || unit == TimeUnit::kQuarter || unit == TimeUnit::kMonth) {
    CivilTime c = civil_from_millis(ms);
    const int months = unit == TimeUnit::kYear ? 12 : unit == TimeUnit::kQuarter ? 3 : 1;
    const int64_t total = c.year * 12 + (c.month - 1) + months;
    c.year = floor_div(total, 12);
    c.month = static_cast<int>(floor_mod(total, 12)) + 1;
    return millis_from_civil(c);
  }
  return ms + unit_millis(unit);
}

int64_t extract_from_datetime(int64_t ms, TimeUnit unit) {
  const CivilTime c = civil_from_millis(ms);
  switch (unit) {
    case TimeUnit::kYear: return c.year;
    case TimeUnit::kQuarter: return (c.month - 1) / 3 + 1;
    case TimeUnit::kMonth: return c.month;
    case TimeUnit::kDay: return c.day;
    case TimeUnit::kHour: return c.hour;
    case TimeUnit::kMinute: return c.minute;
    case TimeUnit::kSecond: return c.second;
    case TimeUnit::kMillisecond: return c.millis;
    case TimeUnit::kWeek: return 0;
  }
  return 0;
}

int64_t extract_from_interval(const Value& v, TimeUnit unit) {
  const int64_t x = v.as_int();
  if (v.kind() == TypeKind::kIntervalYearMonth) {
    if (unit == TimeUnit::kYear) return x / 12;
    if (unit == TimeUnit::kMonth) return x % 12;
    return 0;
  }
  switch (unit) {
    case TimeUnit::kDay: return x / kMillisPerDay;
    case TimeUnit::kHour: return x / 3'600'000 % 24;
    case TimeUnit::kMinute: return x / 60'000 % 60;
    case TimeUnit::kSecond: return x / 1000 % 60;
    case TimeUnit::kMillisecond: return x % 1000;
    default: return 0;
  }
}

// A format argument: compiled now when constant, else per call.
using FormatSource = std::function<SqlResult<std::shared_ptr<const DateFormat>>(const Value&)>;
Result<FormatSource> format_source(const ArgInfo& a) {
  if (auto text = constant_text(a)) {
    auto f = DateFormat::compile(*text);
    if (!f) return error(f.error());
    auto shared = std::make_shared<const DateFormat>(std::move(*f));
    return FormatSource([shared](const Value&) -> SqlResult<std::shared_ptr<const DateFormat>> { return shared; });
  }
  return FormatSource([](const Value& v) -> SqlResult<std::shared_ptr<const DateFormat>> {
    auto f = DateFormat::compile(v.as_string());
    if (!f) return sql_error(kInvalidArgument, f.error().message());
    return std::make_shared<const DateFormat>(std::move(*f));
  });
}

Binding bind_char_to(const std::string& name, TypeKind target, std::span<const ArgInfo> args) {
  if (args.size() != 2 || !is_text(args[0].type) || !is_text(args[1].type)) {
    return bind_error(name, "takes (format, string)");
  }
  auto src = format_source(args[0]);
  if (!src) return bind_error(name, src.error().message());
  FormatSource get = *src;
  ScalarFn fn = [get, target, name](std::span<const Value> v) -> SqlResult<Value> {
    auto f = get(v[0]);
    if (!f) return std::unexpected(f.error());
    auto ms = (*f)->parse(v[1].as_string());
    if (!ms) {
      return sql_error(kConversionError, name + ": '" + v[1].as_string().substr(0, 200) + "' does not match format '" +
                                             v[0].as_string() + "'");
    }
    return datetime_of(target, *ms);
  };
  return BoundFunction{null_on_null(std::move(fn), target), SqlType::of(target)};
}

Binding bind_to_char(const std::string& name, TypeKind source, std::span<const ArgInfo> args) {
  if (args.size() != 2 || !is_text(args[0].type) ||
      !(args[1].type.kind == source || args[1].type.kind == TypeKind::kNull ||
        (source == TypeKind::kTimestamp && args[1].type.kind == TypeKind::kDate))) {
    return bind_error(name, "takes (format, " + SqlType::of(source).to_string() + ")");
  }
  auto src = format_source(args[0]);
  if (!src) return bind_error(name, src.error().message());
  FormatSource get = *src;
  ScalarFn fn = [get](std::span<const Value> v) -> SqlResult<Value> {
    if (v[0].is_null()) return Value::null(TypeKind::kVarchar);
    // KDA: "If the input is null, the output will be the string 'null'".
    if (v[1].is_null()) return Value::varchar("null");
    auto f = get(v[0]);
    if (!f) return std::unexpected(f.error());
    return Value::varchar((*f)->format(millis_of(v[1])));
  };
  return BoundFunction{std::move(fn), SqlType::varchar(kMaxCharLength)};
}

}  // namespace

std::vector<std::string_view> datetime_function_names() {
  return {"EXTRACT",
          "FLOOR",
          "CEIL",
          "TSDIFF",
          "TO_TIMESTAMP",
          "UNIX_TIMESTAMP",
          "CHAR_TO_TIMESTAMP",
          "CHAR_TO_DATE",
          "CHAR_TO_TIME",
          "TIMESTAMP_TO_CHAR",
          "DATE_TO_CHAR",
          "TIME_TO_CHAR"};
}

Binding bind_datetime_function(const std::string& name, std::span<const ArgInfo> args) {
  if (name == "EXTRACT") {
    if (args.size() != 2) return bind_error(name, "takes (unit, value)");
    auto unit = constant_unit(args[0]);
    const SqlType t = args[1].type;
    if (!unit || *unit == TimeUnit::kWeek) return bind_error(name, "unknown unit");
    if (!(t.is_datetime() || t.is_interval() || t.kind == TypeKind::kNull)) {
      return bind_error(name, "extracts from a DATE, TIME, TIMESTAMP or interval");
    }
    const bool date_unit = static_cast<int>(*unit) <= static_cast<int>(TimeUnit::kDay);
    if ((t.kind == TypeKind::kTime && date_unit) || (t.kind == TypeKind::kDate && !date_unit)) {
      return bind_error(name, std::string(time_unit_name(*unit)) + " is not a field of " + t.to_string());
    }
    const TimeUnit u = *unit;
    ScalarFn fn = [u](std::span<const Value> v) -> SqlResult<Value> {
      const Value& x = v[1];
      if (SqlType::of(x.kind()).is_interval()) return Value::bigint(extract_from_interval(x, u));
      return Value::bigint(extract_from_datetime(millis_of(x), u));
    };
    return BoundFunction{null_on_null(std::move(fn), TypeKind::kBigint), SqlType::of(TypeKind::kBigint)};
  }
  if (name == "FLOOR" || name == "CEIL") {
    // FLOOR/CEIL of a number bound in the arithmetic family already.
    if (args.size() != 2) return bind_error(name, "takes a number, or a datetime TO a unit");
    auto unit = constant_unit(args[1]);
    const SqlType t = args[0].type;
    if (!t.is_datetime()) return bind_error(name, "rounds a DATE, TIME or TIMESTAMP TO a unit");
    if (!unit || *unit == TimeUnit::kWeek) return bind_error(name, "unknown unit");
    const TimeUnit u = *unit;
    const bool ceil = name == "CEIL";
    ScalarFn fn = [u, ceil, t](std::span<const Value> v) -> SqlResult<Value> {
      const int64_t ms = millis_of(v[0]);
      int64_t r = floor_to(ms, u);
      if (ceil && r != ms) r = add_unit(r, u);
      return datetime_of(t.kind, r);
    };
    return BoundFunction{null_on_null(std::move(fn), t.kind), t};
  }
  if (name == "TSDIFF") {
    if (args.size() != 2 || args[0].type.kind != TypeKind::kTimestamp || args[1].type.kind != TypeKind::kTimestamp) {
      return bind_error(name, "takes two TIMESTAMPs");
    }
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      int64_t r;
      if (__builtin_sub_overflow(v[0].as_int(), v[1].as_int(), &r)) return sql_error(kOverflow, "TSDIFF overflow");
      return Value::bigint(r);
    };
    return BoundFunction{null_on_null(std::move(fn), TypeKind::kBigint), SqlType::of(TypeKind::kBigint)};
  }
  if (name == "TO_TIMESTAMP") {
    if (args.size() != 1 || !args[0].type.is_exact_numeric()) return bind_error(name, "takes milliseconds (BIGINT)");
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> {
      auto ms = cast_value(v[0], SqlType::of(TypeKind::kBigint));
      if (!ms) return ms;
      return Value::timestamp(ms->as_int());
    };
    return BoundFunction{null_on_null(std::move(fn), TypeKind::kTimestamp), SqlType::of(TypeKind::kTimestamp)};
  }
  if (name == "UNIX_TIMESTAMP") {
    if (args.size() != 1 || !(args[0].type.kind == TypeKind::kTimestamp || args[0].type.kind == TypeKind::kDate)) {
      return bind_error(name, "takes a TIMESTAMP");
    }
    ScalarFn fn = [](std::span<const Value> v) -> SqlResult<Value> { return Value::bigint(millis_of(v[0])); };
    return BoundFunction{null_on_null(std::move(fn), TypeKind::kBigint), SqlType::of(TypeKind::kBigint)};
  }
  if (name == "CHAR_TO_TIMESTAMP") return bind_char_to(name, TypeKind::kTimestamp, args);
  if (name == "CHAR_TO_DATE") return bind_char_to(name, TypeKind::kDate, args);
  if (name == "CHAR_TO_TIME") return bind_char_to(name, TypeKind::kTime, args);
  if (name == "TIMESTAMP_TO_CHAR") return bind_to_char(name, TypeKind::kTimestamp, args);
  if (name == "DATE_TO_CHAR") return bind_to_char(name, TypeKind::kDate, args);
  if (name == "TIME_TO_CHAR") return bind_to_char(name, TypeKind::kTime, args);
  return std::nullopt;
}

}  // namespace runnel::sql
