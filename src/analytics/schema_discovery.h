#pragma once
// Schema discovery as KDA's DiscoverInputSchema did it: from sample records
// (each a Kinesis record's data, or a line of an S3 object), the record
// format (JSON or CSV), the columns, their SQL types and mappings, and each
// sample parsed into a row.
//
//  - JSON: every non-empty record is one JSON object. RecordRowPath "$";
//    one column per top-level member, in the order first seen; members of
//    nested objects become columns of their own (Mapping "$.a.b", named
//    after the innermost key; "a_b" when that name is taken); arrays are
//    one VARCHAR column of their JSON text (Mapping "$.a").
//  - CSV: otherwise, when every line of every record splits into the same
//    number (2 or more) of fields by one of ',', '|', '\t', ';'.
//    RecordRowDelimiter "\n", that RecordColumnDelimiter, columns COL_1,
//    COL_2, ... (no Mapping: CSV columns are positional).
//  - Types: BOOLEAN (all true/false), INTEGER (all whole numbers within 32
//    bits), BIGINT (whole, 64 bits), REAL (numbers with at most 7
//    significant digits), DOUBLE (other numbers), TIMESTAMP (all
//    'yyyy-MM-dd HH:mm:ss[.f]' or ISO 8601 'yyyy-MM-ddTHH:mm:ss[.f][Z]'),
//    DATE (all 'yyyy-MM-dd'), else VARCHAR(n) with n the longest value in
//    characters rounded up to a power of two (KDA's sample stock ticker
//    gives TICKER_SYMBOL VARCHAR(4) and SECTOR VARCHAR(16)). Nulls and
//    missing members are ignored; a column never seen with a value is
//    VARCHAR(8).
//  - Names: KDA's rules: only letters, digits and '_' are kept; a name
//    that lost characters, is a reserved SQL word, starts with a digit or
//    is longer than 100 characters becomes COL_<name> (cut to 100); one
//    with nothing left becomes COL_<position> (1-based).
//
// Threads: pure functions.

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "kinesisanalytics_shapes.h"

namespace runnel::analytics {

struct DiscoveredSchema {
  api::SourceSchema schema;
  // Each sample's fields as text, in column order ("" for a null or
  // missing value): ParsedInputRecords.
  std::vector<std::vector<std::string>> rows;
};

// The schema of `records`, or why none could be inferred (the message of
// UnableToDetectSchemaException).
std::expected<DiscoveredSchema, std::string> infer_schema(const std::vector<std::string>& records);

// The column name KDA's discovery gives a source field `original` at
// 1-based `position`.
std::string discovered_column_name(std::string_view original, size_t position);

// The SQL type of a column from its values' text (CSV fields; "" is null).
std::string sql_type_of_texts(const std::vector<std::string>& values);

}  // namespace runnel::analytics
