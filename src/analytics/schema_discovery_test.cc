#include "analytics/schema_discovery.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/json_codec.h"

namespace runnel::analytics {
namespace {

std::string columns(const DiscoveredSchema& d) {
  std::string out;
  for (const auto& c : d.schema.record_columns) {
    if (!out.empty()) out += ", ";
    out += c.name + " " + c.sql_type;
    if (c.mapping) out += " " + *c.mapping;
  }
  return out;
}

TEST(SchemaDiscovery, TheStockTickerSampleAsKdaDiscoveredIt) {
  // KDA's demo stream: TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16),
  // CHANGE REAL, PRICE REAL.
  std::vector<std::string> records = {R"({"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51})",
                                      R"({"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":1.25,"PRICE":1801.01})",
                                      R"({"TICKER_SYMBOL":"WAS","SECTOR":"RETAIL","CHANGE":-0.8,"PRICE":23.2})",
                                      R"({"TICKER_SYMBOL":"BFH","SECTOR":"ENERGY","CHANGE":2,"PRICE":5})"};
  auto d = infer_schema(records);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->schema.record_format.record_format_type, "JSON");
  EXPECT_EQ(d->schema.record_format.mapping_parameters->json_mapping_parameters->record_row_path, "$");
  EXPECT_EQ(d->schema.record_encoding, "UTF-8");
  EXPECT_EQ(columns(*d),
            "TICKER_SYMBOL VARCHAR(4) $.TICKER_SYMBOL, SECTOR VARCHAR(16) $.SECTOR, CHANGE REAL $.CHANGE, "
            "PRICE REAL $.PRICE");
  ASSERT_EQ(d->rows.size(), 4u);
  EXPECT_EQ(d->rows[0], (std::vector<std::string>{"QXZ", "HEALTHCARE", "-0.05", "84.51"}));
  EXPECT_EQ(d->rows[3], (std::vector<std::string>{"BFH", "ENERGY", "2", "5"}));
}

TEST(SchemaDiscovery, JsonTypes) {
  std::vector<std::string> records = {
      R"({"i":1,"big":5000000000,"d":3.14159265358,"b":true,"ts":"2017-01-01 10:00:00.000","date":"2017-01-01","iso":"2017-01-01T10:00:00Z","s":"x","n":null,"mixed":1})",
      R"({"i":-7,"big":1,"d":2.5,"b":false,"ts":"2017-01-02 11:30:00","date":"2018-12-31","iso":"2017-01-01T10:00:00.5Z","s":"héllo","mixed":"abc"})"};
  auto d = infer_schema(records);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(columns(*d),
            "i INTEGER $.i, big BIGINT $.big, d DOUBLE $.d, b BOOLEAN $.b, ts TIMESTAMP $.ts, COL_date DATE $.date, "
            "iso TIMESTAMP $.iso, s VARCHAR(8) $.s, n VARCHAR(8) $.n, mixed VARCHAR(4) $.mixed");
  // "héllo" is 5 characters (6 bytes): VARCHAR(8) either way; a missing
  // member and a null are "".
  EXPECT_EQ(d->rows[1][7], "héllo");
  EXPECT_EQ(d->rows[0][8], "");
  EXPECT_EQ(d->rows[1][8], "");
}

TEST(SchemaDiscovery, NestedObjectsAreFlattenedAndArraysKeptAsText) {
  std::vector<std::string> records = {R"({"id":1,"user":{"name":"ann","geo":{"lat":1.5}},"tags":["a","b"]})",
                                      R"({"id":2,"name":"top","user":{"name":"bob","geo":{"lat":2}}})"};
  auto d = infer_schema(records);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(columns(*d),
            "id INTEGER $.id, name VARCHAR(4) $.user.name, lat REAL $.user.geo.lat, tags VARCHAR(16) $.tags, "
            "name_2 VARCHAR(4) $.name");
  EXPECT_EQ(d->rows[0][3], R"(["a","b"])");
  EXPECT_EQ(d->rows[1][4], "top");
}

TEST(SchemaDiscovery, ColumnNamesFollowKdasRenamingRules) {
  EXPECT_EQ(discovered_column_name("price", 1), "price");
  EXPECT_EQ(discovered_column_name("TIMESTAMP", 1), "COL_TIMESTAMP");
  EXPECT_EQ(discovered_column_name("user", 1), "COL_user");
  EXPECT_EQ(discovered_column_name("first-name", 1), "COL_firstname");
  EXPECT_EQ(discovered_column_name("1st", 1), "COL_1st");
  EXPECT_EQ(discovered_column_name("@@", 4), "COL_4");
  EXPECT_EQ(discovered_column_name(std::string(120, 'a'), 1).size(), 100u);
}

TEST(SchemaDiscovery, Csv) {
  std::vector<std::string> records = {"AAPL,10,1.5,true,2017-01-01 00:00:00\nMSFT,20,2.25,false,2017-01-01 00:00:01",
                                      "GOOG,5000000000,3,true,2017-01-01 00:00:02\r\n"};
  auto d = infer_schema(records);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->schema.record_format.record_format_type, "CSV");
  const auto& csv = *d->schema.record_format.mapping_parameters->csv_mapping_parameters;
  EXPECT_EQ(csv.record_row_delimiter, "\n");
  EXPECT_EQ(csv.record_column_delimiter, ",");
  EXPECT_EQ(columns(*d), "COL_1 VARCHAR(4), COL_2 BIGINT, COL_3 REAL, COL_4 BOOLEAN, COL_5 TIMESTAMP");
  ASSERT_EQ(d->rows.size(), 3u);  // one row per line, not per record
  EXPECT_EQ(d->rows[1], (std::vector<std::string>{"MSFT", "20", "2.25", "false", "2017-01-01 00:00:01"}));
}

TEST(SchemaDiscovery, CsvWithAnotherDelimiter) {
  auto d = infer_schema({"a|1", "bb|2"});
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->schema.record_format.mapping_parameters->csv_mapping_parameters->record_column_delimiter, "|");
  EXPECT_EQ(columns(*d), "COL_1 VARCHAR(2), COL_2 INTEGER");
}

TEST(SchemaDiscovery, NothingToInfer) {
  auto none = infer_schema({});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("no records"), std::string::npos);
  EXPECT_FALSE(infer_schema({"", "  \n"}));
  // Neither JSON objects nor consistent CSV.
  EXPECT_FALSE(infer_schema({"hello world", "a,b", "a,b,c"}));
}

TEST(SchemaDiscovery, SqlTypesFromText) {
  EXPECT_EQ(sql_type_of_texts({"1", "", "-3"}), "INTEGER");
  EXPECT_EQ(sql_type_of_texts({"2147483648"}), "BIGINT");
  EXPECT_EQ(sql_type_of_texts({"1.5", "2"}), "REAL");
  EXPECT_EQ(sql_type_of_texts({"1.23456789"}), "DOUBLE");
  EXPECT_EQ(sql_type_of_texts({"TRUE", "false"}), "BOOLEAN");
  EXPECT_EQ(sql_type_of_texts({"2020-02-29"}), "DATE");
  EXPECT_EQ(sql_type_of_texts({"2020-02-29 10:00:00", "2020-02-29"}), "TIMESTAMP");
  EXPECT_EQ(sql_type_of_texts({"1", "x"}), "VARCHAR(1)");
  EXPECT_EQ(sql_type_of_texts({"abcdefghijklmnopq"}), "VARCHAR(32)");
  EXPECT_EQ(sql_type_of_texts({""}), "VARCHAR(8)");
}

}  // namespace
}  // namespace runnel::analytics
