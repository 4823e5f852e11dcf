#include "parquet/hive_type.h"

#include <gtest/gtest.h>

#include <string>

#include "parquet/schema.h"

namespace runnel::parquet {
namespace {

std::string canonical(std::string_view text) {
  auto t = parse_hive_type(text);
  if (!t) return "ERROR: " + t.error().message();
  return to_string(*t);
}

TEST(HiveType, Primitives) {
  for (const char* s :
       {"boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "string", "binary", "timestamp", "date"})
    EXPECT_EQ(canonical(s), s);
  EXPECT_EQ(canonical("integer"), "int");
  EXPECT_EQ(canonical("  BIGINT "), "bigint");
}

TEST(HiveType, ParameterizedTypes) {
  EXPECT_EQ(canonical("decimal"), "decimal(10,0)");  // Hive's default
  EXPECT_EQ(canonical("decimal(5)"), "decimal(5,0)");
  EXPECT_EQ(canonical("DECIMAL( 38 , 38 )"), "decimal(38,38)");
  EXPECT_EQ(canonical("char(1)"), "char(1)");
  EXPECT_EQ(canonical("varchar(65535)"), "varchar(65535)");
  auto t = parse_hive_type("decimal(12,3)");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, HiveKind::kDecimal);
  EXPECT_EQ(t->precision, 12);
  EXPECT_EQ(t->scale, 3);
}

TEST(HiveType, NestedTypesWithSpacesAndCase) {
  EXPECT_EQ(canonical("ARRAY < Struct< X : INT , y_2:array<map<string,decimal(4,2)>> > >"),
            "array<struct<x:int,y_2:array<map<string,decimal(4,2)>>>>");
  EXPECT_EQ(canonical("map<int,struct<a:date>>"), "map<int,struct<a:date>>");
  auto t = parse_hive_type("struct<Name:string,age:int>");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->fields.size(), 2u);
  EXPECT_EQ(t->fields[0].name, "name");  // lower-cased as Hive does
  EXPECT_EQ(t->fields[1].type.kind, HiveKind::kInt);
}

TEST(HiveType, ClearErrors) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"", "expected a type name"},
      {"foo", "unknown type 'foo'"},
      {"int extra", "unexpected 'e' after the type"},
      {"array<int", "expected '>' to close array<"},
      {"array", "expected '<' after array"},
      {"map<array<int>,int>", "a map key must be a primitive type"},
      {"map<int>", "expected ',' between the map's key and value types"},
      {"struct<>", "expected a struct field name"},
      {"struct<a int>", "expected ':' after struct field name 'a int'"},
      {"struct<a:int,A:string>", "duplicate struct field 'a'"},
      {"struct<a:int;b:int>", "expected ',' or '>' in struct<"},
      {"decimal(0)", "decimal precision must be 1..38"},
      {"decimal(39,1)", "decimal precision must be 1..38"},
      {"decimal(5,6)", "decimal scale must not exceed the precision"},
      {"decimal(5,", "expected a number"},
      {"decimal(1234567890)", "number too large"},
      {"char", "expected '(' and a length after char"},
      {"char(0)", "char length must be 1..255"},
      {"char(256)", "char length must be 1..255"},
      {"varchar(65536)", "varchar length must be 1..65535"},
  };
  for (const auto& c : cases) {
    auto t = parse_hive_type(c.text);
    ASSERT_FALSE(t) << c.text;
    EXPECT_EQ(t.error().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(t.error().message().find(c.says), std::string::npos) << c.text << ": " << t.error().message();
    EXPECT_NE(t.error().message().find("position"), std::string::npos) << t.error().message();
  }
}

TEST(HiveType, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < kMaxHiveTypeDepth - 1; ++i) deep += "array<";
  deep += "int";
  for (int i = 0; i < kMaxHiveTypeDepth - 1; ++i) deep += ">";
  EXPECT_TRUE(parse_hive_type(deep));
  auto t = parse_hive_type("array<" + deep + ">");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("nested more than"), std::string::npos);
}

// Hive's ParquetHiveSerDe.PRECISION_TO_BYTE_COUNT.
TEST(Schema, DecimalByteLengthsMatchHive) {
  const int hive[38] = {1, 1, 2,  2,  3,  3,  4,  4,  4,  5,  5,  6,  6,  6,  7,  7,  8,  8,  9,
                        9, 9, 10, 10, 11, 11, 11, 12, 12, 13, 13, 13, 14, 14, 15, 15, 16, 16, 16};
  for (int p = 1; p <= 38; ++p) EXPECT_EQ(decimal_byte_length(p), hive[p - 1]) << "precision " << p;
}

TEST(Schema, LevelsAndPathsOfNestedColumns) {
  auto s = Schema::from_columns(
      {{"ID", "bigint"}, {"tags", "map<string,int>"}, {"nested", "array<struct<k:string,v:array<map<int,string>>>>"}});
  ASSERT_TRUE(s) << s.error().message();
  const auto& leaves = (*s)->leaves();
  ASSERT_EQ(leaves.size(), 6u);
  auto path = [](const LeafColumn& l) {
    std::string p;
    for (const auto& x : l.path) p += (p.empty() ? "" : ".") + x;
    return p;
  };
  EXPECT_EQ(path(leaves[0]), "id");  // lower-cased
  EXPECT_EQ(leaves[0].max_def, 1);
  EXPECT_EQ(leaves[0].max_rep, 0);
  EXPECT_EQ(path(leaves[1]), "tags.key_value.key");
  EXPECT_EQ(leaves[1].max_def, 2);  // the key is required
  EXPECT_EQ(leaves[1].max_rep, 1);
  EXPECT_EQ(leaves[1].node->repetition, Repetition::kRequired);
  EXPECT_EQ(path(leaves[2]), "tags.key_value.value");
  EXPECT_EQ(leaves[2].max_def, 3);
  EXPECT_EQ(path(leaves[3]), "nested.list.element.k");
  EXPECT_EQ(leaves[3].max_def, 4);
  EXPECT_EQ(leaves[3].max_rep, 1);
  EXPECT_EQ(path(leaves[4]), "nested.list.element.v.list.element.key_value.key");
  EXPECT_EQ(leaves[4].max_def, 7);
  EXPECT_EQ(leaves[4].max_rep, 3);
  EXPECT_EQ(path(leaves[5]), "nested.list.element.v.list.element.key_value.value");
  EXPECT_EQ(leaves[5].max_def, 8);
  EXPECT_EQ(leaves[5].max_rep, 3);
  // root + id + tags/key_value/key/value + nested/list/element/k/v/list/element/key_value/key/value
  EXPECT_EQ((*s)->node_count(), 16u);
}

TEST(Schema, RejectsBadColumns) {
  auto dup = Schema::from_columns({{"a", "int"}, {"A", "string"}});
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message().find("duplicate column name 'a'"), std::string::npos);
  auto bad = Schema::from_columns({{"x", "int"}, {"y", "array<>"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("column 'y': invalid Hive type 'array<>'"), std::string::npos)
      << bad.error().message();
  EXPECT_FALSE(Schema::from_columns({}));
  EXPECT_FALSE(Schema::from_columns({{"", "int"}}));
}

}  // namespace
}  // namespace runnel::parquet
