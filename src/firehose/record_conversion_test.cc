#include "firehose/record_conversion.h"

#include <gtest/gtest.h>

namespace runnel::firehose {
namespace {

using parquet::Value;
using Kind = Value::Kind;

std::unique_ptr<RecordConverter> converter(std::vector<parquet::ColumnSpec> columns, DeserializerOptions options = {}) {
  auto schema = parquet::Schema::from_columns(columns);
  EXPECT_TRUE(schema.has_value());
  auto c = RecordConverter::create(std::move(*schema), std::move(options));
  EXPECT_TRUE(c.has_value()) << c.error().message();
  return std::move(*c);
}

DeserializerOptions hive(std::vector<std::string> formats = {}) {
  DeserializerOptions o;
  o.kind = DeserializerOptions::Kind::kHive;
  o.hive.timestamp_formats = std::move(formats);
  return o;
}

// The one row of `record`, its fields.
std::vector<Value> one_row(RecordConverter& c, std::string_view record) {
  auto rows = c.convert(record);
  EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message());
  if (!rows) return {};
  EXPECT_EQ(rows->size(), 1u);
  return rows->at(0).items();
}

std::string failure(RecordConverter& c, std::string_view record) {
  auto rows = c.convert(record);
  EXPECT_FALSE(rows.has_value());
  return rows ? "" : rows.error().message();
}

TEST(RecordConversion, OpenXMatchesKeysInAnyCaseByDefault) {
  auto c = converter({{"userid", "string"}, {"count", "int"}});
  auto row = one_row(*c, R"({"UserId":"u1","COUNT":3,"other":true})");
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0].as_bytes(), "u1");
  EXPECT_EQ(row[1].as_int(), 3);
}

TEST(RecordConversion, OpenXCaseSensitiveMatchesOnlyTheLowerCaseName) {
  DeserializerOptions o;
  o.openx.case_insensitive = false;
  auto c = converter({{"userid", "string"}}, o);
  EXPECT_TRUE(one_row(*c, R"({"UserId":"u1"})")[0].is_null());
  EXPECT_EQ(one_row(*c, R"({"userid":"u2"})")[0].as_bytes(), "u2");
}

TEST(RecordConversion, OpenXDotsToUnderscores) {
  DeserializerOptions o;
  o.openx.convert_dots_in_json_keys_to_underscores = true;
  auto c = converter({{"a_b", "int"}, {"s", "struct<x_y:int>"}}, o);
  auto row = one_row(*c, R"({"a.b":1,"s":{"X.Y":2}})");
  EXPECT_EQ(row[0].as_int(), 1);
  EXPECT_EQ(row[1].items()[0].as_int(), 2);
  auto plain = converter({{"a_b", "int"}});
  EXPECT_TRUE(one_row(*plain, R"({"a.b":1})")[0].is_null());
}

TEST(RecordConversion, OpenXColumnToJsonKeyMappings) {
  DeserializerOptions o;
  o.openx.column_to_json_key_mappings = {{"ts", "timestamp"}, {"Id", "Identifier"}};
  auto c = converter({{"ts", "bigint"}, {"id", "string"}, {"timestamp", "string"}}, o);
  auto row = one_row(*c, R"({"timestamp":5,"identifier":"x","ts":9})");
  EXPECT_EQ(row[0].as_int(), 5);      // from "timestamp", not "ts"
  EXPECT_EQ(row[1].as_bytes(), "x");  // case-insensitive mapping
  EXPECT_EQ(row[2].as_bytes(), "5");  // the same key fills its own column too
}

TEST(RecordConversion, HiveMatchesKeysInAnyCaseAndHasNoMappings) {
  auto c = converter({{"userid", "string"}, {"a_b", "int"}}, hive());
  auto row = one_row(*c, R"({"USERID":"u","a.b":1})");
  EXPECT_EQ(row[0].as_bytes(), "u");
  EXPECT_TRUE(row[1].is_null());
}

TEST(RecordConversion, MissingKeysAreNullUnknownKeysIgnoredLastDuplicateWins) {
  auto c = converter({{"a", "int"}, {"b", "string"}});
  auto row = one_row(*c, R"({"z":{"deep":[1,2]},"a":1,"A":2})");
  EXPECT_EQ(row[0].as_int(), 2);
  EXPECT_TRUE(row[1].is_null());
  EXPECT_TRUE(one_row(*c, R"({"a":null})")[0].is_null());
}

TEST(RecordConversion, ConcatenatedObjectsAreRowsAndArraysAreRefused) {
  auto c = converter({{"a", "int"}});
  auto rows = c->convert(R"({"a":1}{"a":2}
{"a":3})");
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ(rows->at(2).items()[0].as_int(), 3);
  EXPECT_NE(failure(*c, R"([{"a":1},{"a":2}])").find("not a JSON object"), std::string::npos);
  EXPECT_NE(failure(*c, R"({"a":1)").find("not valid JSON"), std::string::npos);
  EXPECT_NE(failure(*c, "   ").find("no JSON object"), std::string::npos);
  EXPECT_FALSE(c->convert("42").has_value());
}

TEST(RecordConversion, ErrorCodesTellParseFromMalformed) {
  auto c = converter({{"a", "int"}});
  auto bad_json = c->convert(R"({"a":)");
  ASSERT_FALSE(bad_json.has_value());
  EXPECT_EQ(conversion_error_code(bad_json.error()), "DataFormatConversion.ParseError");
  auto array = c->convert(R"([{"a":1}])");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(conversion_error_code(array.error()), "DataFormatConversion.ParseError");
  auto bad_value = c->convert(R"({"a":"x"})");
  ASSERT_FALSE(bad_value.has_value());
  EXPECT_EQ(conversion_error_code(bad_value.error()), "DataFormatConversion.MalformedData");
}

TEST(RecordConversion, Integers) {
  auto c = converter({{"t", "tinyint"}, {"s", "smallint"}, {"i", "int"}, {"b", "bigint"}});
  auto row = one_row(*c, R"({"t":-128,"s":"32767","i":" 7 ","b":-9223372036854775808})");
  EXPECT_EQ(row[0].as_int(), -128);
  EXPECT_EQ(row[1].as_int(), 32767);
  EXPECT_EQ(row[2].as_int(), 7);
  EXPECT_EQ(row[3].as_int(), INT64_MIN);
  EXPECT_NE(failure(*c, R"({"t":128})").find("column t: cannot convert 128 to tinyint"), std::string::npos);
  EXPECT_NE(failure(*c, R"({"i":1.5})").find("column i"), std::string::npos);
  EXPECT_NE(failure(*c, R"({"i":"abc"})").find("\"abc\""), std::string::npos);
  EXPECT_FALSE(c->convert(R"({"i":true})").has_value());
  EXPECT_FALSE(c->convert(R"({"b":9223372036854775808})").has_value());
}

TEST(RecordConversion, FloatingPoint) {
  auto c = converter({{"f", "float"}, {"d", "double"}});
  auto row = one_row(*c, R"({"f":1.5,"d":"2.5e3"})");
  EXPECT_EQ(row[0].kind(), Kind::kFloat);
  EXPECT_EQ(row[0].as_double(), 1.5);
  EXPECT_EQ(row[1].as_double(), 2500.0);
  EXPECT_EQ(one_row(*c, R"({"d":7})")[1].as_double(), 7.0);
  EXPECT_FALSE(c->convert(R"({"d":"x"})").has_value());
  EXPECT_FALSE(c->convert(R"({"d":false})").has_value());
}

TEST(RecordConversion, DecimalsAreExactAndRoundHalfUp) {
  auto c = converter({{"d", "decimal(5,2)"}, {"big", "decimal(38,10)"}});
  EXPECT_EQ(one_row(*c, R"({"d":123.45})")[0].as_decimal(), 12345);
  EXPECT_EQ(one_row(*c, R"({"d":"-1.005"})")[0].as_decimal(), -101);
  EXPECT_EQ(one_row(*c, R"({"d":1.004})")[0].as_decimal(), 100);
  EXPECT_EQ(one_row(*c, R"({"d":1.2e2})")[0].as_decimal(), 12000);
  EXPECT_EQ(one_row(*c, R"({"d":0.001})")[0].as_decimal(), 0);
  EXPECT_EQ(one_row(*c, R"({"d":0.005})")[0].as_decimal(), 1);
  __int128 expected = static_cast<__int128>(1234567890123456789LL) * 10000000000LL + 1234567891;
  // More digits than a double holds, kept exactly.
  EXPECT_EQ(one_row(*c, R"({"big":1234567890123456789.1234567891})")[1].as_decimal(), expected);
  EXPECT_NE(failure(*c, R"({"d":1000})").find("decimal(5,2)"), std::string::npos);
  EXPECT_FALSE(c->convert(R"({"d":999.995})").has_value());  // rounds to 1000.00
  EXPECT_FALSE(c->convert(R"({"d":"1,5"})").has_value());
}

TEST(RecordConversion, Booleans) {
  auto c = converter({{"b", "boolean"}});
  EXPECT_TRUE(one_row(*c, R"({"b":true})")[0].as_bool());
  EXPECT_TRUE(one_row(*c, R"({"b":"TRUE"})")[0].as_bool());
  EXPECT_FALSE(one_row(*c, R"({"b":"yes"})")[0].as_bool());  // Boolean.valueOf
  EXPECT_FALSE(c->convert(R"({"b":1})").has_value());
}

TEST(RecordConversion, StringsFromAnyScalarOrJsonText) {
  auto c = converter({{"s", "string"}, {"v", "varchar(3)"}, {"c", "char(4)"}, {"bin", "binary"}});
  auto row = one_row(*c, R"({"s":12.50,"v":"h\u00e9llo","c":"ab  ","bin":"raw"})");
  EXPECT_EQ(row[0].as_bytes(), "12.50");
  EXPECT_EQ(row[1].as_bytes(), "h\xc3\xa9l");  // three characters, not bytes
  EXPECT_EQ(row[2].as_bytes(), "ab");
  EXPECT_EQ(row[3].as_bytes(), "raw");
  EXPECT_EQ(one_row(*c, R"({"s":true})")[0].as_bytes(), "true");
  EXPECT_EQ(one_row(*c, R"({"s":{"x": [1, 2]}})")[0].as_bytes(), R"({"x": [1, 2]})");
}

TEST(RecordConversion, OpenXTimestamps) {
  auto c = converter({{"t", "timestamp"}});
  EXPECT_EQ(one_row(*c, R"({"t":"2017-02-07T15:13:01.39256Z"})")[0].as_timestamp().nanos, 392'560'000u);
  EXPECT_EQ(one_row(*c, R"({"t":1518033528})")[0].as_timestamp().seconds, 1518033528);
  EXPECT_EQ(one_row(*c, R"({"t":1518033528123})")[0].as_timestamp().nanos, 123'000'000u);
  EXPECT_EQ(one_row(*c, R"({"t":1518033528.5})")[0].as_timestamp().nanos, 500'000'000u);
  EXPECT_EQ(one_row(*c, R"({"t":"2017-02-07 15:13:01"})")[0].as_timestamp().seconds, 1486480381);
  EXPECT_NE(failure(*c, R"({"t":"07/02/2017"})").find("to timestamp"), std::string::npos);
}

TEST(RecordConversion, HiveTimestampsDefaultToSqlTimestampValueOf) {
  auto c = converter({{"t", "timestamp"}}, hive());
  EXPECT_EQ(one_row(*c, R"({"t":"2017-02-07 15:13:01.5"})")[0].as_timestamp().seconds, 1486480381);
  EXPECT_FALSE(c->convert(R"({"t":"2017-02-07T15:13:01Z"})").has_value());
  EXPECT_FALSE(c->convert(R"({"t":1518033528})").has_value());
}

TEST(RecordConversion, HiveTimestampFormatsInOrderThenValueOf) {
  auto c = converter({{"t", "timestamp"}}, hive({"millis", "dd/MM/yyyy HH:mm"}));
  auto ms = one_row(*c, R"({"t":1518033528123})")[0].as_timestamp();
  EXPECT_EQ(ms.seconds, 1518033528);
  EXPECT_EQ(ms.nanos, 123'000'000u);
  EXPECT_EQ(one_row(*c, R"({"t":"1000"})")[0].as_timestamp().seconds, 1);
  EXPECT_EQ(one_row(*c, R"({"t":"07/02/2017 15:13"})")[0].as_timestamp().seconds, 1486480380);
  EXPECT_EQ(one_row(*c, R"({"t":"2017-02-07 15:13:01"})")[0].as_timestamp().seconds, 1486480381);
  EXPECT_FALSE(c->convert(R"({"t":"2017-02-07T15:13:01Z"})").has_value());
}

TEST(RecordConversion, TimestampsBeyondWhatAFileHoldsAreRefused) {
  // Found by record_conversion_fuzz: a `millis` value of 1.7e18 converted,
  // then the Parquet writer refused the row (INT96's day field is 32 bits).
  auto c = converter({{"t", "timestamp"}}, hive({"millis"}));
  EXPECT_NE(failure(*c, R"({"t":1708710814114000000})").find("column t"), std::string::npos);
  EXPECT_EQ(one_row(*c, R"({"t":1708710814114})")[0].as_timestamp().seconds, 1708710814);
}

TEST(RecordConversion, HiveBadTimestampFormatFailsCreate) {
  auto schema = parquet::Schema::from_columns({{"t", "timestamp"}});
  ASSERT_TRUE(schema.has_value());
  auto c = RecordConverter::create(*schema, hive({"yyyy-ww"}));
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("'w'"), std::string::npos);
}

TEST(RecordConversion, Dates) {
  auto c = converter({{"d", "date"}});
  EXPECT_EQ(one_row(*c, R"({"d":"1970-01-11"})")[0].as_int(), 10);
  EXPECT_FALSE(c->convert(R"({"d":"2017-02-30"})").has_value());
  EXPECT_FALSE(c->convert(R"({"d":17000})").has_value());
}

TEST(RecordConversion, NestedStructArrayMap) {
  auto c = converter(
      {{"s", "struct<name:string,tags:array<int>>"}, {"m", "map<string,array<double>>"}, {"im", "map<int,boolean>"}});
  auto row = one_row(*c, R"({"s":{"Name":"n","tags":[1,null,"3"],"x":0},"m":{"K":[1.5],"n":null},"im":{"7":true}})");
  ASSERT_EQ(row.size(), 3u);
  const auto& s = row[0].items();
  EXPECT_EQ(s[0].as_bytes(), "n");
  ASSERT_EQ(s[1].items().size(), 3u);
  EXPECT_TRUE(s[1].items()[1].is_null());
  EXPECT_EQ(s[1].items()[2].as_int(), 3);
  const auto& m = row[1].items();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].as_bytes(), "k");  // OpenX lower-cases every key, map keys too
  EXPECT_EQ(m[1].items()[0].as_double(), 1.5);
  EXPECT_TRUE(m[3].is_null());
  EXPECT_EQ(row[2].items()[0].as_int(), 7);
  EXPECT_NE(failure(*c, R"({"s":{"tags":[1,"x"]}})").find("column s.tags[]"), std::string::npos);
  EXPECT_NE(failure(*c, R"({"s":[1]})").find("column s"), std::string::npos);
  EXPECT_FALSE(c->convert(R"({"im":{"x":true}})").has_value());
  EXPECT_FALSE(c->convert(R"({"s":{"tags":5}})").has_value());
}

TEST(RecordConversion, HiveKeepsMapKeysAsWritten) {
  auto c = converter({{"m", "map<string,int>"}}, hive());
  EXPECT_EQ(one_row(*c, R"({"m":{"Key":1}})")[0].items()[0].as_bytes(), "Key");
}

}  // namespace
}  // namespace runnel::firehose
