#include "firehose/redshift_copy.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace runnel::firehose {
namespace {

constexpr std::string_view kIncorrectCopyOptions = "Redshift.IncorrectCopyOptions";
constexpr std::string_view kDataLoadFailed = "Redshift.DataLoadFailed";
constexpr std::string_view kBadJsonPaths = "Redshift.IncorrectJsonPathsFile";
constexpr size_t kSinkChunk = 1 << 20;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// --- ClusterJDBCURL -------------------------------------------------------

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

LoadResult<JdbcTarget> parse_jdbc_url(std::string_view url) {
  const std::string bad = "ClusterJDBCURL \"" + std::string(url) + "\" ";
  JdbcTarget t;
  std::string_view rest;
  if (url.starts_with("jdbc:redshift://")) {
    rest = url.substr(16);
    t.port = 5439;
  } else if (url.starts_with("jdbc:postgresql://")) {
    rest = url.substr(18);
    t.port = 5432;
  } else {
    return load_error("Redshift.ConnectionFailed",
                      bad + "is not jdbc:redshift://host:port/database or jdbc:postgresql://host:port/database");
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size())
    return load_error("Redshift.DatabaseNotFound", bad + "names no database (…/database after the host and port)");
  t.database = percent_decode(rest.substr(slash + 1));
  std::string_view hostport = rest.substr(0, slash);
  std::string_view port;
  if (hostport.starts_with("[")) {  // [IPv6]
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return load_error("Redshift.ConnectionFailed", bad + "has an unclosed [");
    t.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (after.starts_with(":"))
      port = after.substr(1);
    else if (!after.empty())
      return load_error("Redshift.ConnectionFailed", bad + "has a malformed host");
  } else {
    size_t colon = hostport.rfind(':');
    t.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (t.host.empty()) return load_error("Redshift.ConnectionFailed", bad + "names no host");
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p < 1 || p > 65535)
      return load_error("Redshift.ConnectionFailed", bad + "has a bad port \"" + std::string(port) + "\"");
    t.port = p;
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string key(kv.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
    if (key == "sslmode") {
      static constexpr std::string_view kModes[] = {"disable", "allow",     "prefer",
                                                    "require", "verify-ca", "verify-full"};
      if (std::find(std::begin(kModes), std::end(kModes), value) == std::end(kModes))
        return load_error("Redshift.ConnectionFailed",
                          bad + "has sslmode=" + value + " (disable, allow, prefer, require, verify-ca, verify-full)");
      t.params.emplace_back("sslmode", value);
    } else if (key == "ssl") {
      t.params.emplace_back("sslmode", value == "false" ? "disable" : "require");
    } else if (key == "connectTimeout" || key == "loginTimeout") {
      t.params.emplace_back("connect_timeout", value);
    } else if (key == "ApplicationName" || key == "applicationName") {
      t.params.emplace_back("application_name", value);
    } else if (key == "user" || key == "UID") {
      t.params.emplace_back("user", value);
    } else if (key == "password" || key == "PWD") {
      t.params.emplace_back("password", value);
    } else {
      return load_error("Redshift.ConnectionFailed",
                        bad + "has the parameter \"" + key +
                            "\", which runnel does not support (ssl, sslmode, connectTimeout, loginTimeout, "
                            "ApplicationName, user, password)");
    }
  }
  return t;
}

// --- CopyOptions ------------------------------------------------------------

namespace {

struct Token {
  std::string text;
  bool quoted = false;
};

LoadResult<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ';') {
      ++i;
    } else if (c == '\'') {
      Token t{"", true};
      ++i;
      for (;;) {
        if (i >= s.size())
          return load_error(std::string(kIncorrectCopyOptions), "CopyOptions has an unterminated quoted string");
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            t.text += '\'';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        t.text += s[i++];
      }
      out.push_back(std::move(t));
    } else {
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '\'' && s[j] != ',' &&
             s[j] != ';')
        ++j;
      out.push_back({lower(s.substr(i, j - i)), false});
      i = j;
    }
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

LoadResult<CopySpec> parse_copy_options(std::string_view options) {
  auto tokens = tokenize(options);
  if (!tokens) return std::unexpected(tokens.error());
  CopySpec spec;
  bool saw_format = false, saw_delimiter = false;
  const auto& t = *tokens;
  auto fail = [](std::string m) { return load_error(std::string(kIncorrectCopyOptions), std::move(m)); };
  // The quoted argument of t[i] (after an optional AS), advancing i.
  auto argument = [&](size_t& i, std::string_view option) -> LoadResult<std::string> {
    size_t j = i + 1;
    if (j < t.size() && !t[j].quoted && t[j].text == "as") ++j;
    if (j >= t.size() || !t[j].quoted)
      return load_error(std::string(kIncorrectCopyOptions), "CopyOptions: " + std::string(option) +
                                                                " needs a quoted argument, as in " +
                                                                std::string(option) + " 'value'");
    i = j;
    return t[j].text;
  };
  auto set_format = [&](CopyFormat f, std::string_view name) -> std::optional<LoadError> {
    if (saw_format && spec.format != f)
      return LoadError{std::string(kIncorrectCopyOptions),
                       "CopyOptions names two data formats (" + std::string(name) + " and another); keep one"};
    saw_format = true;
    spec.format = f;
    return std::nullopt;
  };
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].quoted) return fail("CopyOptions: unexpected quoted string '" + t[i].text + "' (no option before it)");
    const std::string& w = t[i].text;
    if (w == "format") {
      size_t j = i + 1;
      if (j < t.size() && !t[j].quoted && t[j].text == "as") ++j;
      if (j >= t.size() || t[j].quoted) return fail("CopyOptions: FORMAT needs a format, as in FORMAT AS JSON 'auto'");
      if (t[j].text != "json" && t[j].text != "csv")
        return fail("CopyOptions: FORMAT AS " + upper(t[j].text) +
                    " is not supported by runnel (supported: JSON, CSV, and the default pipe-delimited text)");
      i = j - 1;  // the next turn reads JSON or CSV
      continue;
    }
    if (w == "json") {
      auto arg = argument(i, "JSON");
      if (!arg) return std::unexpected(arg.error());
      if (auto e = set_format(CopyFormat::kJson, "JSON")) return std::unexpected(*e);
      std::string a = lower(*arg);
      if (a == "auto") {
        spec.json_ignorecase = false;
      } else if (a == "auto ignorecase") {
        spec.json_ignorecase = true;
      } else if (arg->starts_with("s3://")) {
        std::string_view path = std::string_view(*arg).substr(5);
        size_t slash = path.find('/');
        if (slash == std::string_view::npos || slash == 0 || slash + 1 >= path.size())
          return fail("CopyOptions: JSON '" + *arg + "' is not s3://bucket/key of a JSONPaths file");
        spec.jsonpaths_bucket = std::string(path.substr(0, slash));
        spec.jsonpaths_key = std::string(path.substr(slash + 1));
      } else {
        return fail("CopyOptions: JSON '" + *arg +
                    "' is not supported by runnel (supported: 'auto', 'auto ignorecase', 's3://bucket/jsonpaths')");
      }
    } else if (w == "csv") {
      if (auto e = set_format(CopyFormat::kCsv, "CSV")) return std::unexpected(*e);
    } else if (w == "delimiter") {
      auto arg = argument(i, "DELIMITER");
      if (!arg) return std::unexpected(arg.error());
      if (arg->size() != 1 || static_cast<unsigned char>((*arg)[0]) >= 0x80 || (*arg)[0] == '\n' || (*arg)[0] == '\r')
        return fail("CopyOptions: DELIMITER '" + *arg + "' must be one ASCII character other than a line break");
      spec.delimiter = (*arg)[0];
      saw_delimiter = true;
    } else if (w == "gzip") {
      spec.gzip = true;
    } else if (w == "timeformat") {
      auto arg = argument(i, "TIMEFORMAT");
      if (!arg) return std::unexpected(arg.error());
      if (lower(*arg) != "auto")
        return fail("CopyOptions: TIMEFORMAT '" + *arg + "' is not supported by runnel (only TIMEFORMAT 'auto')");
      spec.timeformat_auto = true;
    } else if (w == "emptyasnull") {
      spec.empty_as_null = true;
    } else if (w == "blanksasnull") {
      spec.blanks_as_null = true;
    } else if (w == "truncatecolumns") {
      spec.truncate_columns = true;
    } else if (w == "ignoreblanklines") {
      spec.ignore_blank_lines = true;
    } else {
      return fail("CopyOptions: " + upper(w) +
                  " is not supported by runnel (supported: JSON, FORMAT AS JSON, CSV, DELIMITER, GZIP, "
                  "TIMEFORMAT 'auto', EMPTYASNULL, BLANKSASNULL, TRUNCATECOLUMNS, IGNOREBLANKLINES)");
    }
  }
  if (spec.format == CopyFormat::kJson && saw_delimiter)
    return fail("CopyOptions: DELIMITER cannot be used with JSON (Redshift refuses the combination)");
  if (spec.format == CopyFormat::kCsv && !saw_delimiter) spec.delimiter = ',';
  if (spec.format == CopyFormat::kCsv && spec.delimiter == '"')
    return fail("CopyOptions: DELIMITER '\"' cannot be used with CSV, whose quote character it is");
  return spec;
}

LoadResult<std::vector<std::string>> parse_column_list(std::string_view columns) {
  std::vector<std::string> out;
  size_t i = 0;
  auto fail = [&](std::string m) {
    return load_error("Redshift.SyntaxError", "DataTableColumns \"" + std::string(columns) + "\": " + m);
  };
  while (i < columns.size()) {
    while (i < columns.size() && std::isspace(static_cast<unsigned char>(columns[i]))) ++i;
    if (i >= columns.size()) break;
    std::string name;
    if (columns[i] == '"') {
      ++i;
      for (;;) {
        if (i >= columns.size()) return fail("unterminated quoted name");
        if (columns[i] == '"') {
          if (i + 1 < columns.size() && columns[i + 1] == '"') {
            name += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        name += columns[i++];
      }
    } else {
      size_t j = i;
      while (j < columns.size() && columns[j] != ',' && !std::isspace(static_cast<unsigned char>(columns[j]))) ++j;
      name = lower(columns.substr(i, j - i));
      i = j;
    }
    if (name.empty()) return fail("an empty column name");
    out.push_back(std::move(name));
    while (i < columns.size() && std::isspace(static_cast<unsigned char>(columns[i]))) ++i;
    if (i < columns.size()) {
      if (columns[i] != ',') return fail("expected a comma after \"" + out.back() + "\"");
      ++i;
    }
  }
  if (out.empty()) return fail("no column names");
  return out;
}

// --- JSONPaths ----------------------------------------------------------------

namespace {

LoadResult<JsonPath> parse_jsonpath(std::string_view p) {
  auto fail = [&](std::string m) {
    return load_error(std::string(kBadJsonPaths), "JSONPath expression \"" + std::string(p) + "\": " + m);
  };
  if (!p.starts_with("$")) return fail("does not start with $");
  JsonPath path;
  size_t i = 1;
  while (i < p.size()) {
    if (p[i] == '.') {
      size_t j = i + 1;
      while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
      if (j == i + 1) return fail("has an empty member name");
      path.push_back({std::string(p.substr(i + 1, j - i - 1)), -1});
      i = j;
    } else if (p[i] == '[') {
      if (i + 1 < p.size() && (p[i + 1] == '\'' || p[i + 1] == '"')) {
        char q = p[i + 1];
        size_t end = p.find(q, i + 2);
        if (end == std::string_view::npos || end + 1 >= p.size() || p[end + 1] != ']')
          return fail("has an unterminated ['name']");
        path.push_back({std::string(p.substr(i + 2, end - i - 2)), -1});
        i = end + 2;
      } else {
        size_t end = p.find(']', i);
        if (end == std::string_view::npos) return fail("has an unterminated [index]");
        int64_t idx = -1;
        auto num = p.substr(i + 1, end - i - 1);
        auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), idx);
        if (ec != std::errc() || ptr != num.data() + num.size() || idx < 0)
          return fail("has an array index that is not a number (wildcards are not supported)");
        path.push_back({"", idx});
        i = end + 1;
      }
    } else {
      return fail("has an unexpected character at offset " + std::to_string(i));
    }
  }
  if (path.empty()) return fail("names no member ($ alone)");
  return path;
}

}  // namespace

LoadResult<std::vector<JsonPath>> parse_jsonpaths_file(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS)
    return load_error(std::string(kBadJsonPaths), "the JSONPaths file is not valid JSON");
  simdjson::dom::array paths;
  if (doc["jsonpaths"].get_array().get(paths) != simdjson::SUCCESS)
    return load_error(std::string(kBadJsonPaths), "the JSONPaths file has no \"jsonpaths\" array");
  std::vector<JsonPath> out;
  for (auto el : paths) {
    std::string_view s;
    if (el.get_string().get(s) != simdjson::SUCCESS)
      return load_error(std::string(kBadJsonPaths), "the JSONPaths file's \"jsonpaths\" holds a non-string");
    auto p = parse_jsonpath(s);
    if (!p) return std::unexpected(p.error());
    out.push_back(std::move(*p));
  }
  if (out.empty()) return load_error(std::string(kBadJsonPaths), "the JSONPaths file's \"jsonpaths\" is empty");
  return out;
}

// --- Rows -----------------------------------------------------------------------

namespace {

// Redshift's default TIMEFORMAT, 'YYYY-MM-DD HH:MI:SS', with up to 6
// fractional digits.
bool is_default_timestamp(std::string_view s) {
  auto digits = [&](size_t at, size_t n) {
    if (at + n > s.size()) return false;
    for (size_t k = at; k < at + n; ++k)
      if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
    return true;
  };
  if (s.size() < 19 || !digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) || s[10] != ' ' ||
      !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' || !digits(17, 2))
    return false;
  if (s.size() == 19) return true;
  return s[19] == '.' && s.size() > 20 && s.size() <= 26 && digits(20, s.size() - 20);
}

// The first `n` UTF-8 characters of `s`.
std::string_view first_chars(std::string_view s, int n) {
  size_t i = 0;
  for (int k = 0; k < n && i < s.size(); ++k) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return s.substr(0, i);
}

class RowWriter {
 public:
  RowWriter(const CopySpec& spec, std::span<const TableColumn> columns,
            const std::function<std::optional<LoadError>(std::string_view)>& sink)
      : spec_(spec), columns_(columns), sink_(sink) {}

  // Field `col` of the current row; nullopt is SQL NULL. `where` names the
  // line or record for messages.
  std::optional<LoadError> field(size_t col, std::optional<std::string_view> value, const std::string& where) {
    if (col > 0) buf_ += '\t';
    const TableColumn& c = columns_[col];
    if (value) {
      if (c.kind != TableColumn::Kind::kCharacter) {
        // Redshift loads empty and blank fields of non-character columns as NULL.
        if (is_blank(*value)) value.reset();
      } else if ((spec_.empty_as_null && value->empty()) ||
                 (spec_.blanks_as_null && !value->empty() && is_blank(*value))) {
        value.reset();
      } else if (spec_.truncate_columns && c.max_chars >= 0) {
        value = first_chars(*value, c.max_chars);
      }
    }
    if (value && c.kind == TableColumn::Kind::kTimestamp && !spec_.timeformat_auto && !is_default_timestamp(*value))
      return LoadError{std::string(kDataLoadFailed), where + ", column " + c.name +
                                                         ": Invalid timestamp format or value [" + std::string(*value) +
                                                         "] for the default TIMEFORMAT 'YYYY-MM-DD HH:MI:SS' "
                                                         "(add TIMEFORMAT 'auto' to CopyOptions for other forms)"};
    if (!value) {
      buf_ += "\\N";
      return std::nullopt;
    }
    for (char ch : *value) {
      switch (ch) {
        case '\\': buf_ += "\\\\"; break;
        case '\n': buf_ += "\\n"; break;
        case '\r': buf_ += "\\r"; break;
        case '\t': buf_ += "\\t"; break;
        default: buf_ += ch;
      }
    }
    return std::nullopt;
  }
  std::optional<LoadError> end_row() {
    buf_ += '\n';
    ++rows_;
    if (buf_.size() >= kSinkChunk) return flush();
    return std::nullopt;
  }
  std::optional<LoadError> flush() {
    if (buf_.empty()) return std::nullopt;
    auto e = sink_(buf_);
    buf_.clear();
    return e;
  }
  uint64_t rows() const { return rows_; }

 private:
  const CopySpec& spec_;
  std::span<const TableColumn> columns_;
  const std::function<std::optional<LoadError>(std::string_view)>& sink_;
  std::string buf_;
  uint64_t rows_ = 0;
};

std::optional<LoadError> field_count_error(size_t got, size_t want, const std::string& where) {
  if (got < want)
    return LoadError{std::string(kDataLoadFailed), where + ": Delimiter not found (" + std::to_string(got) +
                                                       " fields for " + std::to_string(want) + " columns)"};
  return LoadError{std::string(kDataLoadFailed), where + ": Extra column(s) found (" + std::to_string(got) +
                                                     " fields for " + std::to_string(want) + " columns)"};
}

std::optional<LoadError> text_rows(const CopySpec& spec, std::string_view data, std::span<const TableColumn> columns,
                                   RowWriter& w) {
  uint64_t line_no = 0;
  std::vector<std::string_view> fields;
  while (!data.empty()) {
    ++line_no;
    size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
    if (line.empty() && spec.ignore_blank_lines) continue;
    fields.clear();
    size_t start = 0;
    for (;;) {
      size_t d = line.find(spec.delimiter, start);
      fields.push_back(line.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start));
      if (d == std::string_view::npos) break;
      start = d + 1;
    }
    std::string where = "line " + std::to_string(line_no);
    if (fields.size() != columns.size()) return field_count_error(fields.size(), columns.size(), where);
    for (size_t i = 0; i < fields.size(); ++i) {
      std::optional<std::string_view> v = fields[i];
      if (*v == "\\N") v.reset();
      if (auto e = w.field(i, v, where)) return e;
    }
    if (auto e = w.end_row()) return e;
  }
  return std::nullopt;
}

std::optional<LoadError> csv_rows(const CopySpec& spec, std::string_view data, std::span<const TableColumn> columns,
                                  RowWriter& w) {
  uint64_t line_no = 1;
  size_t i = 0;
  struct Field {
    std::string text;
    bool quoted = false;
  };
  std::vector<Field> fields;
  while (i < data.size()) {
    uint64_t row_line = line_no;
    fields.clear();
    if (spec.ignore_blank_lines &&
        (data[i] == '\n' || (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n'))) {
      i += data[i] == '\r' ? 2 : 1;
      ++line_no;
      continue;
    }
    for (;;) {
      Field f;
      if (i < data.size() && data[i] == '"') {
        f.quoted = true;
        ++i;
        for (;;) {
          if (i >= data.size())
            return LoadError{std::string(kDataLoadFailed),
                             "line " + std::to_string(row_line) + ": unterminated quoted field in CSV"};
          if (data[i] == '"') {
            if (i + 1 < data.size() && data[i + 1] == '"') {
              f.text += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (data[i] == '\n') ++line_no;
          f.text += data[i++];
        }
        // Text after the closing quote, up to the delimiter, is kept as Redshift does.
        while (i < data.size() && data[i] != spec.delimiter && data[i] != '\n' &&
               !(data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n'))
          f.text += data[i++];
      } else {
        size_t j = i;
        while (j < data.size() && data[j] != spec.delimiter && data[j] != '\n' &&
               !(data[j] == '\r' && j + 1 < data.size() && data[j + 1] == '\n'))
          ++j;
        f.text.assign(data.substr(i, j - i));
        i = j;
      }
      fields.push_back(std::move(f));
      if (i < data.size() && data[i] == spec.delimiter) {
        ++i;
        continue;
      }
      if (i < data.size()) i += data[i] == '\r' ? 2 : 1;  // the line break
      ++line_no;
      break;
    }
    std::string where = "line " + std::to_string(row_line);
    if (fields.size() != columns.size()) return field_count_error(fields.size(), columns.size(), where);
    for (size_t k = 0; k < fields.size(); ++k) {
      std::optional<std::string_view> v = fields[k].text;
      if (!fields[k].quoted && *v == "\\N") v.reset();
      if (auto e = w.field(k, v, where)) return e;
    }
    if (auto e = w.end_row()) return e;
  }
  return std::nullopt;
}

// The end of the JSON value that starts at data[i] ('{' or '['), or npos.
size_t json_value_end(std::string_view data, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < data.size(); ++i) {
    char c = data[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// A JSON value as the text a column gets: strings unquoted, null as NULL,
// numbers and booleans as written, objects and arrays as their JSON text.
std::optional<std::string> json_field(simdjson::dom::element el) {
  switch (el.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return std::nullopt;
    case simdjson::dom::element_type::STRING: return std::string(el.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: return std::to_string(el.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: return std::to_string(el.get_uint64().value_unsafe());
    case simdjson::dom::element_type::BOOL: return el.get_bool().value_unsafe() ? "true" : "false";
    default: return simdjson::minify(el);
  }
}

std::optional<LoadError> json_rows(const CopySpec& spec, std::string_view data, std::span<const TableColumn> columns,
                                   const std::vector<JsonPath>* jsonpaths, RowWriter& w) {
  simdjson::dom::parser parser;
  uint64_t record = 0, line_no = 1;
  size_t i = 0;
  std::vector<std::optional<std::string>> values(columns.size());
  std::vector<std::string> folded;  // column names, lower-cased for 'auto ignorecase'
  for (const auto& c : columns) folded.push_back(spec.json_ignorecase ? lower(c.name) : c.name);
  while (i < data.size()) {
    char c = data[i];
    if (c == '\n') ++line_no;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    ++record;
    std::string where = "record " + std::to_string(record) + " (line " + std::to_string(line_no) + ")";
    if (c != '{' && !(c == '[' && jsonpaths))
      return LoadError{std::string(kDataLoadFailed),
                       where + ": Invalid JSONPath format or not a JSON object: a record must be a JSON object" +
                           (jsonpaths ? " or array" : "")};
    size_t end = json_value_end(data, i);
    if (end == std::string_view::npos)
      return LoadError{std::string(kDataLoadFailed), where + ": the JSON text ends inside this record"};
    std::string_view text = data.substr(i, end - i);
    line_no += std::count(text.begin(), text.end(), '\n');
    i = end;
    simdjson::dom::element doc;
    if (auto err = parser.parse(text.data(), text.size()).get(doc); err != simdjson::SUCCESS)
      return LoadError{std::string(kDataLoadFailed),
                       where + ": not valid JSON (" + std::string(simdjson::error_message(err)) + ")"};
    std::fill(values.begin(), values.end(), std::nullopt);
    if (jsonpaths) {
      for (size_t k = 0; k < jsonpaths->size(); ++k) {
        simdjson::dom::element cur = doc;
        bool found = true;
        for (const auto& step : (*jsonpaths)[k]) {
          simdjson::dom::element next;
          auto err = step.index >= 0 ? cur.at(static_cast<size_t>(step.index)).get(next) : cur[step.name].get(next);
          if (err != simdjson::SUCCESS) {
            found = false;
            break;
          }
          cur = next;
        }
        if (found) values[k] = json_field(cur);
      }
    } else {
      simdjson::dom::object obj = doc.get_object().value_unsafe();
      for (auto [key, value] : obj) {
        std::string k = spec.json_ignorecase ? lower(key) : std::string(key);
        for (size_t col = 0; col < folded.size(); ++col)
          if (folded[col] == k) values[col] = json_field(value);
      }
    }
    for (size_t col = 0; col < columns.size(); ++col) {
      std::optional<std::string_view> v;
      if (values[col]) v = *values[col];
      if (auto e = w.field(col, v, where)) return e;
    }
    if (auto e = w.end_row()) return e;
  }
  return std::nullopt;
}

}  // namespace

LoadResult<uint64_t> translate_rows(const CopySpec& spec, std::string_view data, std::span<const TableColumn> columns,
                                    const std::vector<JsonPath>* jsonpaths,
                                    const std::function<std::optional<LoadError>(std::string_view)>& sink) {
  if (columns.empty()) return load_error(std::string(kDataLoadFailed), "no columns to load");
  if (spec.jsonpaths_key && !jsonpaths)
    return load_error(std::string(kBadJsonPaths), "the JSONPaths file was not read");
  if (jsonpaths && jsonpaths->size() != columns.size())
    return load_error("Redshift.ColumnMismatch",
                      "Number of jsonpaths and the number of columns should match. JSONPath size: " +
                          std::to_string(jsonpaths->size()) +
                          ", Number of columns in table or column list: " + std::to_string(columns.size()));
  RowWriter w(spec, columns, sink);
  std::optional<LoadError> e;
  switch (spec.format) {
    case CopyFormat::kText: e = text_rows(spec, data, columns, w); break;
    case CopyFormat::kCsv: e = csv_rows(spec, data, columns, w); break;
    case CopyFormat::kJson: e = json_rows(spec, data, columns, spec.jsonpaths_key ? jsonpaths : nullptr, w); break;
  }
  if (!e) e = w.flush();
  if (e) return std::unexpected(*e);
  return w.rows();
}

}  // namespace runnel::firehose
