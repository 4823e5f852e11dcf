#include <gtest/gtest.h>

#include "sql/functions.h"
#include "sql/functions_test_util.h"

namespace runnel::sql {
namespace {

TEST(Arithmetic, IntegersOverflowAndDivideByZeroAreErrors) {
  EXPECT_EQ(eval("+", {Value::integer(2), Value::integer(3)}), "5");
  EXPECT_EQ(eval("+", {Value::integer(2147483647), Value::integer(1)}), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(eval("+", {Value::bigint(2147483647), Value::integer(1)}), "2147483648");
  EXPECT_EQ(eval("*", {Value::bigint(INT64_MAX), Value::bigint(2)}), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(eval("/", {Value::integer(7), Value::integer(2)}), "3");
  EXPECT_EQ(eval("/", {Value::integer(-7), Value::integer(2)}), "-3");
  EXPECT_EQ(eval("/", {Value::integer(7), Value::integer(0)}), "ERR:DIVISION_BY_ZERO");
  EXPECT_EQ(eval("/", {Value::bigint(INT64_MIN), Value::bigint(-1)}), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(eval("%", {Value::integer(-7), Value::integer(3)}), "-1");
  EXPECT_EQ(eval("NEGATE", {Value::integer(INT32_MIN)}), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(eval("-", {Value::integer(5)}), "-5");
  EXPECT_EQ(eval("+", {Value::integer(1), Value::null(TypeKind::kInteger)}), "NULL");
}

TEST(Arithmetic, DecimalsAreExact) {
  EXPECT_EQ(eval("+", {Value::decimal(110, 2), Value::decimal(22, 1)}), "3.30");
  EXPECT_EQ(eval("-", {Value::decimal(1, 1), Value::integer(1)}), "-0.9");
  EXPECT_EQ(eval("*", {Value::decimal(15, 1), Value::decimal(15, 1)}), "2.25");
  EXPECT_EQ(eval("/", {Value::decimal(10, 0), Value::decimal(3, 0)}), "3.333333");
  EXPECT_EQ(eval("/", {Value::decimal(20, 1), Value::decimal(3, 0)}), "0.666667");
  EXPECT_EQ(eval("/", {Value::decimal(1, 0), Value::decimal(0, 2)}), "ERR:DIVISION_BY_ZERO");
  EXPECT_EQ(eval("*", {Value::decimal(999999999999999999, 0), Value::decimal(10, 0)}),
            "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(eval("+", {Value::dbl(0.5), Value::decimal(25, 2)}), "0.75");
}

TEST(Arithmetic, DoublesAndReals) {
  EXPECT_EQ(eval("*", {Value::dbl(1.5), Value::integer(2)}), "3.0");
  EXPECT_EQ(eval("/", {Value::dbl(1), Value::dbl(0)}), "ERR:DIVISION_BY_ZERO");
  EXPECT_EQ(eval("+", {Value::real(0.1), Value::real(0.2)}), "0.3");
}

TEST(Arithmetic, DatetimeAndIntervals) {
  const Value ts = Value::timestamp(*parse_timestamp_text("2017-01-31 10:00:00"));
  EXPECT_EQ(eval("+", {ts, Value::interval_day_time(90 * 60000)}), "2017-01-31 11:30:00.0");
  EXPECT_EQ(eval("-", {ts, Value::interval_day_time(86400000)}), "2017-01-30 10:00:00.0");
  EXPECT_EQ(eval("+", {ts, Value::interval_year_month(1)}), "2017-02-28 10:00:00.0");
  EXPECT_EQ(eval("+", {Value::interval_year_month(13), Value::date(*parse_date_text("2016-02-29"))}), "2017-03-29");
  EXPECT_EQ(eval("-", {ts, Value::timestamp(*parse_timestamp_text("2017-01-30 09:00:00"))}), "+1 01:00:00.000");
  EXPECT_EQ(eval("+", {Value::date(0), Value::interval_day_time(2 * 86400000LL)}), "1970-01-03");
  EXPECT_EQ(eval("+", {Value::time(23 * 3600000LL), Value::interval_day_time(2 * 3600000LL)}), "01:00:00");
  EXPECT_EQ(eval("*", {Value::interval_day_time(1000), Value::integer(3)}), "+0 00:00:03.000");
  EXPECT_EQ(eval("/", {Value::interval_day_time(1000), Value::integer(0)}), "ERR:DIVISION_BY_ZERO");
  EXPECT_EQ(eval("+", {Value::timestamp(INT64_MAX - 1), Value::interval_day_time(2)}),
            "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_FALSE(bind_ok("+", {ts, ts}));
  EXPECT_FALSE(bind_ok("+", {Value::integer(1), Value::varchar("1")}));
}

TEST(Compare, OperatorsAndLogic) {
  EXPECT_EQ(eval("<", {Value::integer(1), Value::decimal(15, 1)}), "TRUE");
  EXPECT_EQ(eval("=", {Value::varchar("a"), Value::null(TypeKind::kVarchar)}), "NULL");
  EXPECT_EQ(eval("AND", {Value::boolean(false), Value::null(TypeKind::kBoolean)}), "FALSE");
  EXPECT_EQ(eval("OR", {Value::boolean(true), Value::null(TypeKind::kBoolean)}), "TRUE");
  EXPECT_EQ(eval("NOT", {Value::null(TypeKind::kBoolean)}), "NULL");
  EXPECT_FALSE(bind_ok("=", {Value::integer(1), Value::varchar("1")}));
}

TEST(Numeric, AbsCeilFloor) {
  EXPECT_EQ(eval("ABS", {Value::integer(-5)}), "5");
  EXPECT_EQ(eval("ABS", {Value::bigint(INT64_MIN)}), "ERR:NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_EQ(eval("ABS", {Value::decimal(-125, 2)}), "1.25");
  EXPECT_EQ(eval("ABS", {Value::dbl(-2.5)}), "2.5");
  EXPECT_EQ(eval("ABS", {Value::null(TypeKind::kInteger)}), "NULL");
  EXPECT_EQ(eval("CEIL", {Value::decimal(125, 2)}), "2");
  EXPECT_EQ(eval("CEILING", {Value::decimal(-125, 2)}), "-1");
  EXPECT_EQ(eval("FLOOR", {Value::decimal(-125, 2)}), "-2");
  EXPECT_EQ(eval("FLOOR", {Value::dbl(2.7)}), "2.0");
  EXPECT_EQ(eval("CEIL", {Value::integer(3)}), "3");
}

TEST(Numeric, ExpLnLogPowerSqrt) {
  EXPECT_EQ(eval("EXP", {Value::integer(0)}), "1.0");
  EXPECT_EQ(eval("LN", {Value::dbl(1)}), "0.0");
  EXPECT_EQ(eval("LN", {Value::integer(0)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("LOG10", {Value::integer(1000)}), "3.0");
  EXPECT_EQ(eval("LOG10", {Value::integer(-1)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("POWER", {Value::integer(2), Value::integer(10)}), "1024.0");
  EXPECT_EQ(eval("POWER", {Value::integer(0), Value::integer(-1)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("POWER", {Value::integer(-8), Value::dbl(0.5)}), "ERR:INVALID_ARGUMENT");
  EXPECT_EQ(eval("SQRT", {Value::integer(16)}), "4.0");
  EXPECT_EQ(eval("SQRT", {Value::integer(-1)}), "ERR:INVALID_ARGUMENT");
}

TEST(Numeric, ModAndStep) {
  EXPECT_EQ(eval("MOD", {Value::integer(10), Value::integer(3)}), "1");
  EXPECT_EQ(eval("MOD", {Value::integer(-10), Value::integer(3)}), "-1");
  EXPECT_EQ(eval("MOD", {Value::integer(10), Value::integer(0)}), "ERR:DIVISION_BY_ZERO");
  EXPECT_FALSE(bind_ok("MOD", {Value::dbl(1), Value::integer(2)}));
  EXPECT_EQ(eval("STEP", {Value::integer(17), Value::integer(5)}), "15");
  EXPECT_EQ(eval("STEP", {Value::integer(-1), Value::integer(5)}), "-5");
  EXPECT_EQ(eval("STEP", {Value::integer(1), Value::integer(0)}), "ERR:INVALID_ARGUMENT");
  const Value ts = Value::timestamp(*parse_timestamp_text("2017-01-31 10:01:37.500"));
  EXPECT_EQ(eval("STEP", {ts, Value::interval_day_time(60000)}), "2017-01-31 10:01:00.0");
  EXPECT_EQ(eval("STEP", {ts, Value::interval_day_time(10 * 60000)}), "2017-01-31 10:00:00.0");
  EXPECT_EQ(eval("STEP", {ts, Value::interval_day_time(15000)}), "2017-01-31 10:01:30.0");
}

TEST(NullFunctions, CoalesceAndNullif) {
  EXPECT_EQ(eval("COALESCE", {Value::null(TypeKind::kInteger), Value::integer(2), Value::integer(3)}), "2");
  EXPECT_EQ(eval("COALESCE", {Value::null(TypeKind::kInteger), Value::null(TypeKind::kInteger)}), "NULL");
  EXPECT_EQ(eval("COALESCE", {Value::null(TypeKind::kInteger), Value::dbl(1.5)}), "1.5");
  EXPECT_EQ(eval("NULLIF", {Value::integer(1), Value::integer(1)}), "NULL");
  EXPECT_EQ(eval("NULLIF", {Value::integer(1), Value::integer(2)}), "1");
  EXPECT_EQ(eval("NULLIF", {Value::null(TypeKind::kInteger), Value::integer(2)}), "NULL");
}

TEST(Registry, UnknownNamesAndArity) {
  const std::vector<ArgInfo> none;
  auto r = find_scalar_function("NO_SUCH_FUNCTION", none);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Status::Code::kNotFound);
  auto e = find_scalar_function("abs", none);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(scalar_function_names().empty());
}

// Every name the registry lists is bound by some family: with no arguments
// it is an argument error, never "no such function".
TEST(Registry, EveryListedNameIsKnown) {
  const std::vector<ArgInfo> none;
  for (const std::string& name : scalar_function_names()) {
    auto r = find_scalar_function(name, none);
    if (r.has_value()) continue;  // a function that takes no arguments
    EXPECT_EQ(r.error().code(), Status::Code::kInvalidArgument) << name << ": " << r.error().message();
  }
  for (std::string_view name : row_function_names()) {
    auto r = find_row_function(name, none);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), Status::Code::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace runnel::sql
