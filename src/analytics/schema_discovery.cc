#include "analytics/schema_discovery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>

#include "protocol/json_codec.h"

namespace runnel::analytics {
namespace {

using protocol::Value;

constexpr size_t kMaxNameLength = 100;
constexpr size_t kMaxVarchar = 65535;

// Reserved words of KDA's SQL dialect (SQL:2008 reserved words, the subset a
// field name is likely to collide with).
const std::set<std::string>& reserved_words() {
  static const std::set<std::string> words = {
      "ALL",      "ALLOCATE",  "ALTER",     "AND",       "ANY",      "ARE",     "ARRAY",     "AS",       "AT",
      "AVG",      "BETWEEN",   "BIGINT",    "BINARY",    "BOOLEAN",  "BOTH",    "BY",        "CALL",     "CASE",
      "CAST",     "CHAR",      "CHARACTER", "CHECK",     "COLUMN",   "COUNT",   "CREATE",    "CROSS",    "CUBE",
      "CURRENT",  "CURSOR",    "DATE",      "DAY",       "DEC",      "DECIMAL", "DEFAULT",   "DELETE",   "DESCRIBE",
      "DISTINCT", "DOUBLE",    "DROP",      "ELSE",      "END",      "ESCAPE",  "EXCEPT",    "EXISTS",   "EXTRACT",
      "FALSE",    "FETCH",     "FILTER",    "FLOAT",     "FLOOR",    "FOR",     "FROM",      "FULL",     "FUNCTION",
      "GROUP",    "HAVING",    "HOUR",      "IN",        "INNER",    "INSERT",  "INT",       "INTEGER",  "INTERSECT",
      "INTERVAL", "INTO",      "IS",        "JOIN",      "LANGUAGE", "LEFT",    "LIKE",      "LOCAL",    "LOWER",
      "MAX",      "MIN",       "MINUTE",    "MOD",       "MONTH",    "NATURAL", "NEW",       "NO",       "NOT",
      "NULL",     "NUMERIC",   "OF",        "OLD",       "ON",       "ONLY",    "OR",        "ORDER",    "OUTER",
      "OVER",     "PARTITION", "POSITION",  "PRECISION", "RANGE",    "REAL",    "RESULT",    "RETURN",   "RIGHT",
      "ROLLUP",   "ROW",       "ROWS",      "ROWTIME",   "SECOND",   "SELECT",  "SET",       "SMALLINT", "SOME",
      "STREAM",   "SUM",       "SYSTEM",    "TABLE",     "THEN",     "TIME",    "TIMESTAMP", "TINYINT",  "TO",
      "TRUE",     "UNION",     "UNIQUE",    "UNKNOWN",   "UPDATE",   "UPPER",   "USER",      "USING",    "VALUE",
      "VALUES",   "VARBINARY", "VARCHAR",   "WHEN",      "WHERE",    "WINDOW",  "WITH",      "WITHIN",   "YEAR"};
  return words;
}

// What a column's values were seen to be.
struct ColumnStats {
  bool any = false;
  bool all_bool = true, all_int = true, all_number = true, all_timestamp = true, all_date = true;
  int64_t min_int = 0, max_int = 0;
  size_t max_digits = 0;  // significant digits of the numbers
  size_t max_chars = 0;   // longest text form, in characters

  void add_text_length(std::string_view text) {
    size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;  // UTF-8 lead bytes
    max_chars = std::max(max_chars, chars);
  }
};

size_t significant_digits(std::string_view number) {
  size_t digits = 0;
  bool leading = true;
  for (char c : number) {
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++digits;
  }
  // Trailing zeros after a decimal point do not count ("1.50").
  if (number.find('.') != std::string_view::npos && number.find_first_of("eE") == std::string_view::npos) {
    for (size_t i = number.size(); i > 0 && number[i - 1] == '0' && digits > 1; --i) --digits;
  }
  return std::max<size_t>(digits, 1);
}

bool digits(std::string_view s, size_t from, size_t n) {
  if (from + n > s.size()) return false;
  for (size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool is_date(std::string_view s) {
  return s.size() == 10 && digits(s, 0, 4) && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' && digits(s, 8, 2);
}

bool is_timestamp(std::string_view s) {
  if (s.size() < 19 || !is_date(s.substr(0, 10)) || (s[10] != ' ' && s[10] != 'T')) return false;
  if (!digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2)) return false;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && s[10] == 'T' && s[i] == 'Z') ++i;
  return i == s.size();
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  const char* begin = s.data();
  if (!s.empty() && s[0] == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || begin == end) return std::nullopt;
  return v;
}

bool is_number_text(std::string_view s) {
  double d = 0;
  const char* begin = s.data();
  if (!s.empty() && s[0] == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), d);
  return ec == std::errc() && end == s.data() + s.size() && begin != end;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void add_int(ColumnStats& s, int64_t v, std::string_view text) {
  if (!s.any || v < s.min_int) s.min_int = v;
  if (!s.any || v > s.max_int) s.max_int = v;
  s.max_digits = std::max(s.max_digits, significant_digits(text));
  s.all_bool = s.all_timestamp = s.all_date = false;
}

void add_fraction(ColumnStats& s, std::string_view text) {
  s.max_digits = std::max(s.max_digits, significant_digits(text));
  s.all_bool = s.all_int = s.all_timestamp = s.all_date = false;
}

// A string value (a CSV field, or a JSON string when `numbers` is false).
void add_text(ColumnStats& s, std::string_view text, bool numbers) {
  s.add_text_length(text);
  bool handled = false;
  if (numbers) {
    if (iequals(text, "true") || iequals(text, "false")) {
      s.all_int = s.all_number = s.all_timestamp = s.all_date = false;
      handled = true;
    } else if (auto i = parse_int(text)) {
      add_int(s, *i, text);
      handled = true;
    } else if (is_number_text(text)) {
      add_fraction(s, text);
      handled = true;
    }
  }
  if (!handled) {
    s.all_bool = s.all_int = s.all_number = false;
    const bool date = is_date(text);
    if (!date) s.all_date = false;
    if (!date && !is_timestamp(text)) s.all_timestamp = false;
  }
  s.any = true;
}

void add_value(ColumnStats& s, const Value& v) {
  if (v.is_null()) return;
  if (v.is_bool()) {
    s.add_text_length(v.as_bool() ? "true" : "false");
    s.all_int = s.all_number = s.all_timestamp = s.all_date = false;
  } else if (v.is_int()) {
    const std::string text = std::to_string(v.as_int());
    s.add_text_length(text);
    add_int(s, v.as_int(), text);
  } else if (v.is_double()) {
    const std::string text = fmt::format("{}", v.as_double());
    s.add_text_length(text);
    add_fraction(s, text);
  } else if (v.is_string()) {
    add_text(s, v.as_string(), false);
    return;
  } else {
    s.add_text_length(protocol::encode_json(v));
    s.all_bool = s.all_int = s.all_number = s.all_timestamp = s.all_date = false;
  }
  s.any = true;
}

size_t power_of_two_at_least(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

std::string sql_type(const ColumnStats& s) {
  if (!s.any) return "VARCHAR(8)";
  if (s.all_bool) return "BOOLEAN";
  if (s.all_int) {
    const bool fits32 =
        s.min_int >= std::numeric_limits<int32_t>::min() && s.max_int <= std::numeric_limits<int32_t>::max();
    return fits32 ? "INTEGER" : "BIGINT";
  }
  if (s.all_number) return s.max_digits <= 7 ? "REAL" : "DOUBLE";
  if (s.all_date) return "DATE";
  if (s.all_timestamp) return "TIMESTAMP";
  return fmt::format("VARCHAR({})", std::min(kMaxVarchar, power_of_two_at_least(std::max<size_t>(s.max_chars, 1))));
}

// The text of a JSON value in a parsed row.
std::string field_text(const Value& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.as_string();
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_int()) return std::to_string(v.as_int());
  if (v.is_double()) return fmt::format("{}", v.as_double());
  return protocol::encode_json(v);
}

struct JsonColumn {
  std::vector<std::string> path;  // member keys from the record's top
  std::string name;
  ColumnStats stats;
};

const Value* at_path(const Value& record, const std::vector<std::string>& path) {
  const Value* cur = &record;
  for (const std::string& key : path) {
    if (!cur->is_object()) return nullptr;
    cur = cur->find(key);
    if (!cur) return nullptr;
  }
  return cur;
}

// Adds the columns `object` (at `path`) brings, first seen first.
void collect_columns(const Value& object, std::vector<std::string>& path, std::vector<JsonColumn>& columns) {
  for (const protocol::Member& m : object.as_object()) {
    path.push_back(m.key);
    if (m.value.is_object() && !m.value.as_object().empty()) {
      collect_columns(m.value, path, columns);
    } else if (std::none_of(columns.begin(), columns.end(), [&](const JsonColumn& c) { return c.path == path; })) {
      columns.push_back({path, "", {}});
    }
    path.pop_back();
  }
}

std::string json_path(const std::vector<std::string>& path) {
  std::string out = "$";
  for (const std::string& key : path) {
    out += '.';
    out += key;
  }
  return out;
}

std::optional<DiscoveredSchema> infer_json(const std::vector<std::string_view>& records) {
  std::vector<Value> values;
  for (std::string_view r : records) {
    auto v = protocol::decode_json(r);
    if (!v || !v->is_object()) return std::nullopt;
    values.push_back(std::move(*v));
  }
  std::vector<JsonColumn> columns;
  std::vector<std::string> path;
  for (const Value& v : values) collect_columns(v, path, columns);
  if (columns.empty()) return std::nullopt;
  // Names: the innermost key; the joined path when that name is taken.
  std::set<std::string> taken;
  for (size_t i = 0; i < columns.size(); ++i) {
    std::string name = discovered_column_name(columns[i].path.back(), i + 1);
    if (taken.contains(name)) {
      std::string joined;
      for (const std::string& key : columns[i].path) joined += (joined.empty() ? "" : "_") + key;
      name = discovered_column_name(joined, i + 1);
    }
    for (int n = 2; taken.contains(name); ++n) name = fmt::format("{}_{}", name, n);
    taken.insert(name);
    columns[i].name = std::move(name);
  }
  DiscoveredSchema out;
  for (const Value& v : values) {
    std::vector<std::string> row;
    for (JsonColumn& c : columns) {
      const Value* field = at_path(v, c.path);
      if (field) add_value(c.stats, *field);
      row.push_back(field ? field_text(*field) : "");
    }
    out.rows.push_back(std::move(row));
  }
  api::SourceSchema& schema = out.schema;
  schema.record_format.record_format_type = "JSON";
  schema.record_format.mapping_parameters.emplace().json_mapping_parameters.emplace().record_row_path = "$";
  schema.record_encoding = "UTF-8";
  for (const JsonColumn& c : columns) {
    api::RecordColumn col;
    col.name = c.name;
    col.mapping = json_path(c.path);
    col.sql_type = sql_type(c.stats);
    schema.record_columns.push_back(std::move(col));
  }
  return out;
}

std::vector<std::string> split(std::string_view line, char delimiter) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t at = line.find(delimiter, start);
    fields.emplace_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return fields;
}

std::optional<DiscoveredSchema> infer_csv(const std::vector<std::string_view>& records) {
  std::vector<std::string_view> lines;
  for (std::string_view r : records) {
    size_t start = 0;
    while (start <= r.size()) {
      size_t end = r.find('\n', start);
      if (end == std::string_view::npos) end = r.size();
      std::string_view line = r.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) lines.push_back(line);
      start = end + 1;
    }
  }
  if (lines.empty()) return std::nullopt;
  for (char delimiter : {',', '|', '\t', ';'}) {
    const size_t count = split(lines[0], delimiter).size();
    if (count < 2) continue;
    std::vector<std::vector<std::string>> rows;
    bool same = true;
    for (std::string_view line : lines) {
      rows.push_back(split(line, delimiter));
      if (rows.back().size() != count) {
        same = false;
        break;
      }
    }
    if (!same) continue;
    DiscoveredSchema out;
    api::SourceSchema& schema = out.schema;
    schema.record_format.record_format_type = "CSV";
    auto& csv = schema.record_format.mapping_parameters.emplace().csv_mapping_parameters.emplace();
    csv.record_row_delimiter = "\n";
    csv.record_column_delimiter = std::string(1, delimiter);
    schema.record_encoding = "UTF-8";
    for (size_t i = 0; i < count; ++i) {
      std::vector<std::string> values;
      for (const auto& row : rows) values.push_back(row[i]);
      api::RecordColumn col;
      col.name = fmt::format("COL_{}", i + 1);
      col.sql_type = sql_type_of_texts(values);
      schema.record_columns.push_back(std::move(col));
    }
    out.rows = std::move(rows);
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::string discovered_column_name(std::string_view original, size_t position) {
  std::string kept;
  for (char c : original) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') kept += c;
  }
  if (kept.empty()) return fmt::format("COL_{}", position);
  std::string upper;
  for (char c : kept) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool renamed = kept.size() != original.size() || reserved_words().contains(upper) ||
                       std::isdigit(static_cast<unsigned char>(kept[0])) || kept.size() > kMaxNameLength;
  if (!renamed) return kept;
  std::string name = "COL_" + kept;
  if (name.size() > kMaxNameLength) name.resize(kMaxNameLength);
  return name;
}

std::string sql_type_of_texts(const std::vector<std::string>& values) {
  ColumnStats s;
  for (const std::string& v : values) {
    if (!v.empty()) add_text(s, v, true);
  }
  return sql_type(s);
}

std::expected<DiscoveredSchema, std::string> infer_schema(const std::vector<std::string>& records) {
  std::vector<std::string_view> samples;
  for (const std::string& r : records) {
    std::string_view v = r;
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    if (!v.empty()) samples.push_back(v);
  }
  if (samples.empty()) {
    return std::unexpected(std::string("Unable to detect a schema: no records were found to sample."));
  }
  if (auto json = infer_json(samples)) return std::move(*json);
  if (auto csv = infer_csv(samples)) return std::move(*csv);
  return std::unexpected(std::string(
      "Unable to detect a schema: the records are neither JSON objects nor CSV lines with a consistent number of "
      "fields (delimited by ',', '|', tab or ';')."));
}

}  // namespace runnel::analytics
