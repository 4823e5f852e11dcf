#pragma once
// KDA's record formats: one input record's bytes (a Kinesis record, a
// Firehose record, a reference-data object) into rows of the in-application
// stream, by the application's SourceSchema; and a row into an output
// record's bytes, by an output's DestinationSchema.
//
// Input (SourceSchema: RecordFormat{RecordFormatType, MappingParameters},
// RecordColumns[{Name, Mapping, SqlType}]):
// - JSON: the record is one JSON document. RecordRowPath picks the rows
//   ("$" is the whole document; "$.a[0:]" makes a row of each element of
//   a). Each column's Mapping is read below the row (docs/analytics-
//   functions.md, "Record formats", has the coercion table).
// - CSV: RecordRowDelimiter splits the record into rows, RecordColumnDelimiter
//   a row into fields, by position; missing trailing fields are NULL, extra
//   ones ignored. No quoting (KDA had none). A CSV record that is not
//   UTF-8 (RecordEncoding) is one PARSE_ERROR and no rows.
// A value that does not coerce to its column's type drops that row and
// yields a RecordError instead (the engine writes it to error_stream).
//
// Output (DestinationSchema.RecordFormatType): JSON writes one object per
// row, columns by name in order; CSV writes the fields joined by ',' and a
// trailing "\n".
//
// Threads: a RecordReader keeps a simdjson parser; use one per thread.
// RecordWriter functions are pure.

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/json_path.h"
#include "sql/types.h"
#include "sql/value.h"

namespace runnel::sql {

enum class RecordFormatType : uint8_t { kJson, kCsv };

struct RecordColumn {
  std::string name;
  std::string mapping;   // JSONPath for JSON; ignored for CSV
  std::string sql_type;  // as KDA's RecordColumn.SqlType, e.g. "VARCHAR(4)"
};

struct SourceSchema {
  RecordFormatType format = RecordFormatType::kJson;
  std::string record_row_path = "$";        // JSON
  std::string record_row_delimiter = "\n";  // CSV
  std::string record_column_delimiter = ",";
  std::vector<RecordColumn> columns;
};

// One input record that produced no row, or one row of it that failed.
struct RecordError {
  SqlError error;  // ERROR_NAME and MESSAGE for error_stream
  size_t row = 0;  // which row of the record (0 for a record-level error)
};

class RecordReader {
 public:
  // Checks the schema (1..1000 columns, known types, JSON mappings that
  // parse, non-empty CSV delimiters) and prepares the paths.
  [[nodiscard]] static Result<RecordReader> create(const SourceSchema& schema);

  // The column types, in order (a row has one Value per column).
  const std::vector<SqlType>& column_types() const { return types_; }
  const std::vector<std::string>& column_names() const { return names_; }

  // Appends the rows `record` makes to `rows` and the failures to `errors`;
  // returns how many rows it appended. Never throws on any input.
  size_t read(std::string_view record, std::vector<Row>& rows, std::vector<RecordError>& errors);

 private:
  RecordReader() = default;
  size_t read_json(std::string_view record, std::vector<Row>& rows, std::vector<RecordError>& errors);
  size_t read_csv(std::string_view record, std::vector<Row>& rows, std::vector<RecordError>& errors);

  SourceSchema schema_;
  std::vector<SqlType> types_;
  std::vector<std::string> names_;
  std::vector<JsonPath> mappings_;  // relative to the row
  JsonPath row_path_;
  std::unique_ptr<simdjson::dom::parser> parser_;
};

// A JSON value (one column's mapping result) coerced to `type` by KDA's
// rules; exposed for tests and for reference data.
[[nodiscard]] SqlResult<Value> coerce_json(simdjson::dom::element e, const SqlType& type);

// One output record for `row` (columns `names`, same order). JSON:
// {"NAME":value,...} with numbers as JSON numbers (DOUBLE/REAL NaN and
// infinities as null), BOOLEAN true/false, NULL null, BINARY as a base64
// string, and every other type as a string of Value::to_string(). CSV: the fields' to_string() joined by
// ',', NULL as an empty field, a field with ',', '"' or a line break quoted
// with '"' (doubled inside), and a trailing "\n".
std::string write_record(RecordFormatType format, const std::vector<std::string>& names, const Row& row);

}  // namespace runnel::sql
