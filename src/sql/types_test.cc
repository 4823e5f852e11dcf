#include "sql/types.h"

#include <gtest/gtest.h>

namespace runnel::sql {
namespace {

TEST(ParseSqlType, KdaColumnTypesRoundTrip) {
  for (const char* s : {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE", "DECIMAL(5,2)",
                        "CHAR(3)", "VARCHAR(4)", "BINARY(8)", "VARBINARY(16)", "DATE", "TIME", "TIMESTAMP",
                        "INTERVAL DAY TO SECOND", "INTERVAL YEAR TO MONTH", "INTERVAL MINUTE"}) {
    auto t = parse_sql_type(s);
    ASSERT_TRUE(t.has_value()) << s << ": " << t.error().message();
    EXPECT_EQ(t->to_string(), s);
  }
}

TEST(ParseSqlType, SynonymsCaseAndDefaults) {
  EXPECT_EQ(parse_sql_type("int")->kind, TypeKind::kInteger);
  EXPECT_EQ(parse_sql_type("double precision")->kind, TypeKind::kDouble);
  EXPECT_EQ(parse_sql_type("FLOAT")->kind, TypeKind::kDouble);
  EXPECT_EQ(parse_sql_type("numeric(10, 3)")->to_string(), "DECIMAL(10,3)");
  EXPECT_EQ(parse_sql_type("DEC")->to_string(), "DECIMAL(18,0)");
  EXPECT_EQ(parse_sql_type("DECIMAL(7)")->to_string(), "DECIMAL(7,0)");
  EXPECT_EQ(parse_sql_type("character varying(12)")->to_string(), "VARCHAR(12)");
  EXPECT_EQ(parse_sql_type("CHAR")->to_string(), "CHAR(1)");
  EXPECT_EQ(parse_sql_type(" varchar ( 64 ) ")->to_string(), "VARCHAR(64)");
  EXPECT_EQ(parse_sql_type("TIMESTAMP(3)")->kind, TypeKind::kTimestamp);
}

TEST(ParseSqlType, RejectsOutOfLimits) {
  EXPECT_FALSE(parse_sql_type("DECIMAL(19,2)").has_value());  // KDA: at most 18 digits
  EXPECT_FALSE(parse_sql_type("DECIMAL(5,6)").has_value());
  EXPECT_FALSE(parse_sql_type("VARCHAR(0)").has_value());
  EXPECT_FALSE(parse_sql_type("VARCHAR(65536)").has_value());
  EXPECT_FALSE(parse_sql_type("INTEGER(4)").has_value());
  EXPECT_FALSE(parse_sql_type("STRING").has_value());
  EXPECT_FALSE(parse_sql_type("VARCHAR(4").has_value());
  EXPECT_FALSE(parse_sql_type("").has_value());
  EXPECT_FALSE(parse_sql_type("INTERVAL SECOND TO DAY").has_value());
  EXPECT_FALSE(parse_sql_type("INTERVAL YEAR TO DAY").has_value());
}

TEST(ArithmeticType, DecimalRulesOfTheReference) {
  const SqlType a = SqlType::decimal(10, 1), b = SqlType::decimal(10, 3);
  EXPECT_EQ(arithmetic_type(ArithOp::kMultiply, a, b)->to_string(), "DECIMAL(18,4)");
  // The page's formula gives d = 12, s = max(6, 1 + 10 + 1) = 12, p = 24;
  // capped at 18 the whole digits win over scale beyond s1 (its worked
  // example prints numbers the formula does not give).
  EXPECT_EQ(arithmetic_type(ArithOp::kDivide, a, b)->to_string(), "DECIMAL(18,6)");
  EXPECT_EQ(arithmetic_type(ArithOp::kDivide, SqlType::decimal(2, 0), SqlType::decimal(1, 0))->to_string(),
            "DECIMAL(8,6)");
  EXPECT_EQ(arithmetic_type(ArithOp::kAdd, SqlType::decimal(5, 2), SqlType::decimal(7, 1))->to_string(),
            "DECIMAL(9,2)");
  EXPECT_EQ(arithmetic_type(ArithOp::kAdd, SqlType::of(TypeKind::kInteger), SqlType::decimal(5, 2))->to_string(),
            "DECIMAL(13,2)");
}

TEST(ArithmeticType, IntegersApproxAndDatetime) {
  const auto i = SqlType::of(TypeKind::kInteger), bi = SqlType::of(TypeKind::kBigint);
  EXPECT_EQ(arithmetic_type(ArithOp::kAdd, i, bi)->kind, TypeKind::kBigint);
  EXPECT_EQ(arithmetic_type(ArithOp::kDivide, i, i)->kind, TypeKind::kInteger);
  EXPECT_EQ(arithmetic_type(ArithOp::kAdd, i, SqlType::of(TypeKind::kReal))->kind, TypeKind::kDouble);
  const auto ts = SqlType::of(TypeKind::kTimestamp), iv = SqlType::interval_day_time();
  EXPECT_EQ(arithmetic_type(ArithOp::kAdd, ts, iv)->kind, TypeKind::kTimestamp);
  EXPECT_EQ(arithmetic_type(ArithOp::kAdd, iv, ts)->kind, TypeKind::kTimestamp);
  EXPECT_EQ(arithmetic_type(ArithOp::kSubtract, ts, ts)->kind, TypeKind::kIntervalDayTime);
  EXPECT_FALSE(arithmetic_type(ArithOp::kAdd, ts, ts).has_value());
  EXPECT_FALSE(arithmetic_type(ArithOp::kAdd, i, SqlType::varchar(3)).has_value());
  EXPECT_EQ(arithmetic_type(ArithOp::kMultiply, iv, i)->kind, TypeKind::kIntervalDayTime);
}

TEST(CommonType, ComparisonAndUnion) {
  EXPECT_EQ(common_type(SqlType::chr(3), SqlType::chr(5))->to_string(), "CHAR(5)");
  EXPECT_EQ(common_type(SqlType::chr(3), SqlType::varchar(2))->to_string(), "VARCHAR(3)");
  EXPECT_EQ(common_type(SqlType::of(TypeKind::kSmallint), SqlType::of(TypeKind::kBigint))->kind, TypeKind::kBigint);
  EXPECT_EQ(common_type(SqlType::of(TypeKind::kReal), SqlType::of(TypeKind::kReal))->kind, TypeKind::kReal);
  EXPECT_EQ(common_type(SqlType::null(), SqlType::of(TypeKind::kDate))->kind, TypeKind::kDate);
  EXPECT_FALSE(common_type(SqlType::varchar(3), SqlType::of(TypeKind::kInteger)).has_value());
  EXPECT_FALSE(common_type(SqlType::of(TypeKind::kDate), SqlType::of(TypeKind::kTimestamp)).has_value());
}

TEST(Castable, TableOfTheCastPage) {
  const auto num = SqlType::of(TypeKind::kInteger), str = SqlType::varchar(10);
  const auto date = SqlType::of(TypeKind::kDate), time = SqlType::of(TypeKind::kTime),
             ts = SqlType::of(TypeKind::kTimestamp), b = SqlType::of(TypeKind::kBoolean);
  EXPECT_TRUE(castable(num, str));
  EXPECT_FALSE(castable(num, date));
  EXPECT_TRUE(castable(str, ts));
  EXPECT_TRUE(castable(str, b));
  EXPECT_TRUE(castable(date, ts));
  EXPECT_FALSE(castable(date, time));
  EXPECT_TRUE(castable(ts, date));
  EXPECT_TRUE(castable(SqlType::interval_day_time(), SqlType::of(TypeKind::kBigint)));
  EXPECT_FALSE(castable(b, num));
  EXPECT_FALSE(castable(SqlType{TypeKind::kBinary, 4}, str));
}

}  // namespace
}  // namespace runnel::sql
