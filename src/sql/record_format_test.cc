#include "sql/record_format.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sql/coerce.h"

namespace runnel::sql {
namespace {

SourceSchema stock_schema() {
  SourceSchema s;
  s.columns = {{"TICKER_SYMBOL", "$.TICKER_SYMBOL", "VARCHAR(4)"},
               {"SECTOR", "$.SECTOR", "VARCHAR(16)"},
               {"CHANGE", "$.CHANGE", "REAL"},
               {"PRICE", "$.PRICE", "DECIMAL(5,2)"}};
  return s;
}

struct Read {
  std::vector<Row> rows;
  std::vector<RecordError> errors;
};

Read read(RecordReader& r, std::string_view record) {
  Read out;
  r.read(record, out.rows, out.errors);
  return out;
}

TEST(JsonRecord, KdaStockTickerSample) {
  auto r = RecordReader::create(stock_schema());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto got = read(*r, R"({"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":-0.49,"PRICE":45.61})");
  ASSERT_EQ(got.rows.size(), 1u);
  ASSERT_TRUE(got.errors.empty());
  const Row& row = got.rows[0];
  EXPECT_EQ(row[0].as_string(), "AMZN");
  EXPECT_EQ(row[1].as_string(), "TECHNOLOGY");
  EXPECT_FLOAT_EQ(static_cast<float>(row[2].as_double()), -0.49f);
  EXPECT_EQ(row[3].to_string(), "45.61");
}

TEST(JsonRecord, TruncatesStringsAndMissingPathIsNull) {
  auto r = RecordReader::create(stock_schema());
  auto got = read(*r, R"({"TICKER_SYMBOL":"AMAZON","PRICE":"12.5"})");
  ASSERT_EQ(got.rows.size(), 1u);
  EXPECT_EQ(got.rows[0][0].as_string(), "AMAZ");
  EXPECT_TRUE(got.rows[0][1].is_null());
  EXPECT_TRUE(got.rows[0][2].is_null());
  EXPECT_EQ(got.rows[0][3].to_string(), "12.50");
}

TEST(JsonRecord, CoercionErrorDropsTheRowAndReportsIt) {
  auto r = RecordReader::create(stock_schema());
  auto got = read(*r, R"({"TICKER_SYMBOL":"A","PRICE":123456.7})");
  EXPECT_TRUE(got.rows.empty());
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].error.name, "NUMERIC_VALUE_OUT_OF_RANGE");
  EXPECT_NE(got.errors[0].error.message.find("PRICE"), std::string::npos);
  got = read(*r, "not json");
  EXPECT_TRUE(got.rows.empty());
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].error.name, "PARSE_ERROR");
}

TEST(JsonRecord, CoercionTable) {
  simdjson::dom::parser p;
  auto c = [&](const char* json, const char* type) -> std::string {
    simdjson::dom::element e = p.parse(std::string_view(json)).value();
    auto v = coerce_json(e, *parse_sql_type(type));
    return v ? (v->is_null() ? "NULL" : v->to_string()) : "ERR";
  };
  EXPECT_EQ(c("null", "INTEGER"), "NULL");
  EXPECT_EQ(c("true", "INTEGER"), "1");
  EXPECT_EQ(c("false", "DOUBLE"), "0.0");
  EXPECT_EQ(c("true", "BOOLEAN"), "TRUE");
  EXPECT_EQ(c("true", "VARCHAR(8)"), "true");
  EXPECT_EQ(c("true", "TIMESTAMP"), "ERR");
  EXPECT_EQ(c("0", "BOOLEAN"), "FALSE");
  EXPECT_EQ(c("3", "BOOLEAN"), "TRUE");
  EXPECT_EQ(c("42", "VARCHAR(8)"), "42");
  EXPECT_EQ(c("1.25", "VARCHAR(8)"), "1.25");
  EXPECT_EQ(c("300", "TINYINT"), "ERR");
  EXPECT_EQ(c("1e3", "INTEGER"), "1000");
  EXPECT_EQ(c("42", "TIMESTAMP"), "ERR");
  EXPECT_EQ(c("\"1992-02-14\"", "TIMESTAMP"), "1992-02-14 00:00:00.0");
  EXPECT_EQ(c("\"1992-02-14 18:35:44.0\"", "TIMESTAMP"), "1992-02-14 18:35:44.0");
  EXPECT_EQ(c("\"14/02/1992\"", "DATE"), "ERR");
  EXPECT_EQ(c("\"X'CAFE'\"", "VARBINARY(4)"), "CAFE");
  EXPECT_EQ(c("\"CAFE\"", "BINARY(3)"), "CAFE00");
  EXPECT_EQ(c("[1, 2]", "VARCHAR(16)"), "[1,2]");
  EXPECT_EQ(c("{\"a\": \"b\"}", "VARCHAR(4)"), "{\"a\"");
  EXPECT_EQ(c("{\"a\": 1}", "INTEGER"), "ERR");
  EXPECT_EQ(c("\" 12 \"", "INTEGER"), "12");
}

// JSON numbers go into DOUBLE and BIGINT without their text; the values
// must be those the text gives.
TEST(JsonRecord, NumbersIntoDoubleAndBigintAsThroughTheirText) {
  simdjson::dom::parser p;
  for (const char* json : {"0", "-0.0", "12.34", "0.1", "1e300", "-2.5e-308", "9007199254740993",
                           "-9223372036854775808", "9223372036854775807", "18446744073709551615", "1.5", "1e3"}) {
    simdjson::dom::element e = p.parse(std::string_view(json)).value();
    for (const char* type : {"DOUBLE", "BIGINT"}) {
      auto direct = coerce_json(e, *parse_sql_type(type));
      auto text = parse_text_as(json, *parse_sql_type(type));
      ASSERT_EQ(direct.has_value(), text.has_value()) << json << " " << type;
      if (!direct) continue;
      EXPECT_EQ(direct->kind(), text->kind()) << json << " " << type;
      EXPECT_EQ(direct->to_string(), text->to_string()) << json << " " << type;
      if (direct->kind() == TypeKind::kDouble) {
        EXPECT_EQ(std::signbit(direct->as_double()), std::signbit(text->as_double())) << json;
        EXPECT_EQ(direct->as_double(), text->as_double()) << json;
      } else {
        EXPECT_EQ(direct->as_int(), text->as_int()) << json;
      }
    }
  }
}

TEST(JsonRecord, RowPathFansOutArrays) {
  SourceSchema s;
  s.record_row_path = "$.orders[0:]";
  s.columns = {{"ORDER_ID", "$.orders[0:].orderId", "VARCHAR(8)"},
               {"PRICE", "$.itemPrice", "DECIMAL(6,2)"},
               {"FIRST_TAG", "$.tags[0]", "VARCHAR(8)"}};
  auto r = RecordReader::create(s);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto got = read(*r, R"({"customerName":"John Doe","orders":[
      {"orderId":"23284","itemPrice":"33.99","tags":["x","y"]},
      {"orderId":"63122","itemPrice":"22.50"},
      {"orderId":"77284","itemPrice":12}]})");
  ASSERT_EQ(got.rows.size(), 3u);
  EXPECT_EQ(got.rows[0][0].as_string(), "23284");
  EXPECT_EQ(got.rows[0][1].to_string(), "33.99");
  EXPECT_EQ(got.rows[0][2].as_string(), "x");
  EXPECT_TRUE(got.rows[1][2].is_null());
  EXPECT_EQ(got.rows[2][1].to_string(), "12.00");
  EXPECT_TRUE(read(*r, R"({"orders":[]})").rows.empty());
  EXPECT_TRUE(read(*r, R"({"other":1})").rows.empty());
}

TEST(JsonPath, ParsesKdaForms) {
  EXPECT_TRUE(JsonPath::parse("$").has_value());
  EXPECT_EQ(JsonPath::parse("$.a.b")->steps().size(), 2u);
  auto p = JsonPath::parse("$[\"a b\"][2]['c']");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->steps()[0].name, "a b");
  EXPECT_EQ(p->steps()[1].index, 2);
  EXPECT_TRUE(JsonPath::parse("$.a[1:]")->has_fan_out());
  for (const char* bad : {"", "a.b", "$.", "$[", "$[x]", "$.a[0", "$['a]", "$..a", "$.a[*]"})
    EXPECT_FALSE(JsonPath::parse(bad).has_value()) << bad;
}

TEST(CsvRecord, PositionalColumnsAndDelimiters) {
  SourceSchema s;
  s.format = RecordFormatType::kCsv;
  s.record_column_delimiter = "|";
  s.columns = {{"A", "", "INTEGER"}, {"B", "", "VARCHAR(3)"}, {"C", "", "TIMESTAMP"}};
  auto r = RecordReader::create(s);
  ASSERT_TRUE(r.has_value());
  auto got = read(*r, "1|abcd|2017-01-01 00:00:00\n2|x\n|\n3|y|z\n");
  ASSERT_EQ(got.rows.size(), 3u);
  EXPECT_EQ(got.rows[0][0].as_int(), 1);
  EXPECT_EQ(got.rows[0][1].as_string(), "abc");
  EXPECT_EQ(got.rows[0][2].to_string(), "2017-01-01 00:00:00.0");
  EXPECT_TRUE(got.rows[1][2].is_null());
  EXPECT_TRUE(got.rows[2][0].is_null());
  EXPECT_EQ(got.rows[2][1].as_string(), "");
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].row, 3u);
  EXPECT_EQ(got.errors[0].error.name, "CONVERSION_ERROR");
}

TEST(CsvRecord, MultiCharacterRowDelimiter) {
  SourceSchema s;
  s.format = RecordFormatType::kCsv;
  s.record_row_delimiter = "\r\n";
  s.columns = {{"A", "", "VARCHAR(8)"}, {"B", "", "DOUBLE"}};
  auto r = RecordReader::create(s);
  auto got = read(*r, "a,1.5\r\nb,2");
  ASSERT_EQ(got.rows.size(), 2u);
  EXPECT_EQ(got.rows[1][1].as_double(), 2.0);
}

// Found by record_format_fuzz: a CSV field of invalid UTF-8 reached the
// JSON output, which then was not JSON.
TEST(CsvRecord, InvalidUtf8IsARecordError) {
  SourceSchema s;
  s.format = RecordFormatType::kCsv;
  s.columns = {{"A", "", "VARCHAR(8)"}};
  auto r = RecordReader::create(s);
  auto got = read(*r, "ok\n\xff\xfe\n");
  EXPECT_TRUE(got.rows.empty());
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].error.name, "PARSE_ERROR");
  EXPECT_EQ(write_record(RecordFormatType::kJson, {"A"}, {Value::varchar("a\xff")}), R"({"A":"a?"})");
}

TEST(Schema, RejectsBadSchemas) {
  SourceSchema s = stock_schema();
  s.columns[0].sql_type = "VARCHAR(70000)";
  EXPECT_FALSE(RecordReader::create(s).has_value());
  s = stock_schema();
  s.columns[1].mapping = "SECTOR";
  EXPECT_FALSE(RecordReader::create(s).has_value());
  s = stock_schema();
  s.columns.clear();
  EXPECT_FALSE(RecordReader::create(s).has_value());
  s = stock_schema();
  s.format = RecordFormatType::kCsv;
  s.record_column_delimiter = "";
  EXPECT_FALSE(RecordReader::create(s).has_value());
}

TEST(WriteRecord, JsonAndCsvOutput) {
  const std::vector<std::string> names = {"TICKER", "PRICE", "CHANGE", "UP", "TS", "NOTE"};
  const Row row = {Value::varchar("AMZN"), Value::decimal(4561, 2),         Value::dbl(-0.49),
                   Value::boolean(true),   Value::timestamp(1483228800123), Value::null(TypeKind::kVarchar)};
  EXPECT_EQ(write_record(RecordFormatType::kJson, names, row),
            R"({"TICKER":"AMZN","PRICE":45.61,"CHANGE":-0.49,"UP":true,"TS":"2017-01-01 00:00:00.123","NOTE":null})");
  EXPECT_EQ(write_record(RecordFormatType::kCsv, names, row), "AMZN,45.61,-0.49,TRUE,2017-01-01 00:00:00.123,\n");
  EXPECT_EQ(write_record(RecordFormatType::kCsv, {"A"}, {Value::varchar("a,\"b\"")}), "\"a,\"\"b\"\"\"\n");
  EXPECT_EQ(write_record(RecordFormatType::kJson, {"Q"}, {Value::varchar("say \"hi\"\n")}), R"({"Q":"say \"hi\"\n"})");
  EXPECT_EQ(write_record(RecordFormatType::kJson, {"D"}, {Value::dbl(0.0 / 0.0)}), R"({"D":null})");
  EXPECT_EQ(write_record(RecordFormatType::kJson, {"B", "C"}, {Value::varbinary("\xca\xfe"), Value::varbinary("abc")}),
            R"({"B":"yv4=","C":"YWJj"})");
  EXPECT_EQ(write_record(RecordFormatType::kCsv, {"B"}, {Value::varbinary("\xca\xfe")}), "CAFE\n");
}

}  // namespace
}  // namespace runnel::sql
