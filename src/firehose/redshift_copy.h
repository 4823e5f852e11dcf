#pragma once
// The Redshift destination's translation layer (docs/firehose-redshift.md):
// ClusterJDBCURL into libpq connection parameters, and a Redshift COPY
// (CopyCommand: DataTableName, DataTableColumns, CopyOptions) into the rows
// of a PostgreSQL `COPY ... FROM STDIN` in PostgreSQL's text format, with
// Redshift's meaning of each option applied here, field by field, so that
// PostgreSQL only converts values to the column types.
//
// Errors are LoadErrors: AWS's error code of the Firehose error record
// ("Redshift.IncorrectCopyOptions", "Redshift.DataLoadFailed", ...) and a
// message a person can act on (naming the option, the line, the column).
//
// Threads: pure functions, callable from any thread.
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runnel::firehose {

struct LoadError {
  std::string code;  // "Redshift.DataLoadFailed", ...
  std::string message;
};
template <class T>
using LoadResult = std::expected<T, LoadError>;
inline std::unexpected<LoadError> load_error(std::string code, std::string message) {
  return std::unexpected<LoadError>(LoadError{std::move(code), std::move(message)});
}

// Where ClusterJDBCURL points: `jdbc:redshift://host[:port]/db[?params]`
// (port 5439 by default) or `jdbc:postgresql://host[:port]/db[?params]`
// (5432). `params` are libpq keywords (sslmode, connect_timeout,
// application_name, user, password) translated from the JDBC parameters
// the URL may carry (ssl, sslmode, connectTimeout, ApplicationName, user,
// password); any other parameter is an error naming it.
struct JdbcTarget {
  std::string host;
  int port = 0;
  std::string database;
  std::vector<std::pair<std::string, std::string>> params;
};
LoadResult<JdbcTarget> parse_jdbc_url(std::string_view url);

enum class CopyFormat { kText, kCsv, kJson };

// CopyOptions, as Redshift reads them. Options are case-insensitive words,
// with arguments in single quotes ('' for a quote). Supported:
//   JSON 'auto' | JSON 'auto ignorecase' | JSON 's3://b/jsonpaths.json'
//   (also FORMAT [AS] JSON ..., JSON AS ...), CSV (FORMAT [AS] CSV),
//   DELIMITER [AS] 'c', GZIP, TIMEFORMAT [AS] 'auto', EMPTYASNULL,
//   BLANKSASNULL, TRUNCATECOLUMNS, IGNOREBLANKLINES; no format option:
//   pipe-delimited text.
struct CopySpec {
  CopyFormat format = CopyFormat::kText;
  char delimiter = '|';  // text: '|'; CSV: ','
  bool json_ignorecase = false;
  std::optional<std::string> jsonpaths_bucket, jsonpaths_key;  // JSON 's3://...'
  bool gzip = false;
  bool timeformat_auto = false;
  bool empty_as_null = false;
  bool blanks_as_null = false;
  bool truncate_columns = false;
  bool ignore_blank_lines = false;  // text, CSV: an empty line is no row (else one empty field)
};
// Fails with Redshift.IncorrectCopyOptions naming the option that is not
// supported or that conflicts with another.
LoadResult<CopySpec> parse_copy_options(std::string_view options);

// DataTableColumns ("a, b, \"C\"") as column names: unquoted names fold to
// lower case, as Redshift's (and PostgreSQL's) parser does.
LoadResult<std::vector<std::string>> parse_column_list(std::string_view columns);

// A target column as the load needs it (read from pg_attribute).
struct TableColumn {
  enum class Kind { kCharacter, kTimestamp, kOther };
  std::string name;
  Kind kind = Kind::kOther;
  int max_chars = -1;  // char(n)/varchar(n): n; -1: no limit
};

// One step of a JSONPath expression: a member name or an array index.
struct JsonPathStep {
  std::string name;
  int64_t index = -1;  // >= 0: an array element
};
using JsonPath = std::vector<JsonPathStep>;
// A JSONPaths file ({"jsonpaths": ["$.a", "$['b']", "$.c[0]"]}). Fails with
// Redshift.IncorrectJsonPathsFile.
LoadResult<std::vector<JsonPath>> parse_jsonpaths_file(std::string_view text);

// Translates the object's (decompressed) bytes into PostgreSQL COPY text
// rows for `columns` (in load order), handing them to `sink` in pieces of
// about 1 MiB (and a last one). `jsonpaths` is required when the spec names
// a JSONPaths file, and must have one path per column. Returns the number
// of rows. Fails on the first bad row with Redshift.DataLoadFailed naming
// its line (text, CSV) or record (JSON) and column, or with what `sink`
// returned.
LoadResult<uint64_t> translate_rows(const CopySpec& spec, std::string_view data, std::span<const TableColumn> columns,
                                    const std::vector<JsonPath>* jsonpaths,
                                    const std::function<std::optional<LoadError>(std::string_view)>& sink);

}  // namespace runnel::firehose
