// libFuzzer target: KDA record formats. The first byte picks JSON or CSV
// (and the row path); the rest is one input record. Whatever the bytes,
// reading must not crash, every row must have one value per column of the
// column's kind (or NULL), every dropped row must come with an error, and
// the JSON output record written from each row must be valid JSON that
// reads back into a row through the same column names.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sql/record_format.h"

namespace {

using runnel::sql::RecordFormatType;
using runnel::sql::RecordReader;
using runnel::sql::SourceSchema;

const std::vector<runnel::sql::RecordColumn>& columns() {
  static const std::vector<runnel::sql::RecordColumn> cols = {
      {"S", "$.s", "VARCHAR(8)"},       {"C", "$.c", "CHAR(3)"},
      {"I", "$.i", "INTEGER"},          {"T", "$.t", "TINYINT"},
      {"B", "$.b", "BIGINT"},           {"D", "$.d", "DECIMAL(7,3)"},
      {"F", "$.f", "DOUBLE"},           {"R", "$.r", "REAL"},
      {"BO", "$.bo", "BOOLEAN"},        {"TS", "$.ts", "TIMESTAMP"},
      {"DT", "$.dt", "DATE"},           {"TM", "$.tm", "TIME"},
      {"BIN", "$.bin", "VARBINARY(4)"}, {"N", "$.n.a[1]", "VARCHAR(32)"},
  };
  return cols;
}

RecordReader make(RecordFormatType f, const char* row_path, const char* col_delim) {
  SourceSchema s;
  s.format = f;
  s.record_row_path = row_path;
  s.record_column_delimiter = col_delim;
  s.columns = columns();
  auto r = RecordReader::create(s);
  if (!r) std::abort();
  return std::move(*r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static RecordReader json_root = make(RecordFormatType::kJson, "$", ",");
  static RecordReader json_fan = make(RecordFormatType::kJson, "$.rows[0:]", ",");
  static RecordReader csv = make(RecordFormatType::kCsv, "$", ",");
  static RecordReader csv_pipe = make(RecordFormatType::kCsv, "$", "||");
  RecordReader* readers[] = {&json_root, &json_fan, &csv, &csv_pipe};
  RecordReader& reader = *readers[data[0] % 4];
  const std::string_view record(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<runnel::sql::Row> rows;
  std::vector<runnel::sql::RecordError> errors;
  const size_t n = reader.read(record, rows, errors);
  if (n != rows.size()) std::abort();
  simdjson::dom::parser parser;
  for (const auto& row : rows) {
    if (row.size() != reader.column_types().size()) std::abort();
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i].is_null() && row[i].kind() != reader.column_types()[i].kind) std::abort();
    }
    const std::string out = runnel::sql::write_record(RecordFormatType::kJson, reader.column_names(), row);
    simdjson::dom::element doc;
    if (parser.parse(out).get(doc) != simdjson::SUCCESS) std::abort();
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS || obj.size() != row.size()) std::abort();
    (void)runnel::sql::write_record(RecordFormatType::kCsv, reader.column_names(), row);
  }
  for (const auto& e : errors) {
    if (e.error.name.empty() || e.error.name.size() > 32) std::abort();  // ERROR_NAME is VARCHAR(32)
  }
  return 0;
}
