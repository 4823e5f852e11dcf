// The log parsing functions, row-valued: REGEX_LOG_PARSE,
// FAST_REGEX_LOG_PARSER, FIXED_COLUMN_LOG_PARSE, VARIABLE_COLUMN_LOG_PARSE,
// SYS_LOG_PARSE, W3C_LOG_PARSE.
#include <algorithm>
#include <cctype>
#include <memory>

#include "sql/coerce.h"
#include "sql/functions.h"
#include "sql/functions_datefmt.h"
#include "sql/functions_regex.h"

namespace runnel::sql {

namespace {

constexpr int kDefaultWidth = 1024;  // "The columns will be of type varchar(1024)"

bool is_text(const SqlType& t) { return t.is_character() || t.kind == TypeKind::kNull; }

std::unexpected<Status> row_error(std::string_view fn, const std::string& why) {
  return error(Status::invalid_argument(std::string(fn) + ": " + why));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// One column of a column-description string: NAME [TYPE] type [format]
// [NOT NULL] [START n [FOR m]].
struct ColumnSpec {
  RowColumn column;
  std::optional<DateFormat> format;
  int64_t start = -1;
  int64_t length = -1;
};

std::vector<std::string> split_top_level(std::string_view s) {
  // Commas inside parentheses (DECIMAL(5,2)) or quotes do not split.
  std::vector<std::string> out;
  int depth = 0;
  bool quoted = false;
  std::string cur;
  for (char c : s) {
    if (c == '\'') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')') --depth;
    if (!quoted && depth == 0 && c == ',') {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!trim(cur).empty() || !out.empty()) out.push_back(cur);
  return out;
}

Result<std::vector<ColumnSpec>> parse_columns(std::string_view text) {
  std::vector<ColumnSpec> out;
  for (const std::string& raw : split_top_level(text)) {
    std::string_view d = trim(raw);
    auto bad = [&](const std::string& why) {
      return error(Status::invalid_argument("column description '" + std::string(d) + "': " + why));
    };
    ColumnSpec spec;
    // The name: an identifier or a "quoted identifier".
    size_t i = 0;
    if (!d.empty() && d[0] == '"') {
      const size_t close = d.find('"', 1);
      if (close == std::string_view::npos) return bad("unterminated name");
      spec.column.name = std::string(d.substr(1, close - 1));
      i = close + 1;
    } else {
      while (i < d.size() && !std::isspace(static_cast<unsigned char>(d[i]))) ++i;
      spec.column.name = upper(d.substr(0, i));
    }
    if (spec.column.name.empty()) return bad("no name");
    std::string_view rest = trim(d.substr(i));
    if (upper(rest.substr(0, 5)) == "TYPE ") rest = trim(rest.substr(5));
    // The type runs to a quote, NOT NULL, START or the end.
    const std::string u = upper(rest);
    size_t end = rest.size();
    for (std::string_view stop : {std::string_view("'"), std::string_view(" NOT NULL"), std::string_view(" START ")}) {
      const size_t at = u.find(stop);
      if (at != std::string::npos) end = std::min(end, at);
    }
    std::string_view type_text = trim(rest.substr(0, end));
    if (type_text.empty()) {
      spec.column.type = SqlType::varchar(kDefaultWidth);
    } else {
      auto t = parse_sql_type(type_text);
      if (!t) return bad(t.error().message());
      spec.column.type = *t;
    }
    std::string_view tail = rest.substr(end);
    if (!tail.empty() && tail[0] == '\'') {
      const size_t close = tail.find('\'', 1);
      if (close == std::string_view::npos) return bad("unterminated format");
      auto f = DateFormat::compile(tail.substr(1, close - 1));
      if (!f) return bad(f.error().message());
      spec.format = std::move(*f);
      tail = tail.substr(close + 1);
    }
    const std::string ut = upper(tail);
    if (const size_t at = ut.find("START "); at != std::string::npos) {
      std::string_view nums = tail.substr(at + 6);
      spec.start = std::atoll(std::string(trim(nums)).c_str());
      if (const size_t f = upper(nums).find("FOR "); f != std::string::npos) {
        spec.length = std::atoll(std::string(trim(nums.substr(f + 4))).c_str());
      }
    }
    out.push_back(std::move(spec));
  }
  if (out.empty()) return error(Status::invalid_argument("no columns"));
  return out;
}

std::vector<ColumnSpec> numbered_columns(int n) {
  std::vector<ColumnSpec> out;
  for (int i = 1; i <= n; ++i) {
    ColumnSpec c;
    c.column = RowColumn{"COLUMN" + std::to_string(i), SqlType::varchar(kDefaultWidth)};
    out.push_back(std::move(c));
  }
  return out;
}

// A field's text into its column: text columns truncate, datetime columns
// with a format parse with it, others parse as CAST does.
SqlResult<Value> field_value(std::string_view text, const ColumnSpec& spec) {
  const SqlType& t = spec.column.type;
  if (spec.format && t.is_datetime()) {
    auto ms = spec.format->parse(text);
    if (!ms)
      return sql_error(kConversionError,
                       "'" + std::string(text) + "' does not match the format of column " + spec.column.name);
    if (t.kind == TypeKind::kDate) return Value::date(floor_div(*ms, 86'400'000));
    if (t.kind == TypeKind::kTime) return Value::time(floor_mod(*ms, 86'400'000));
    return Value::timestamp(*ms);
  }
  if (!t.is_character() && trim(text).empty()) return Value::null(t.kind);
  return parse_text_as(text, t);
}

std::vector<RowColumn> columns_of(const std::vector<ColumnSpec>& specs) {
  std::vector<RowColumn> out;
  for (const ColumnSpec& s : specs) out.push_back(s.column);
  return out;
}

Result<BoundRowFunction> bind_regex_parse(const std::string& name, std::span<const ArgInfo> args) {
  if (args.size() < 2 || args.size() > 3 || !is_text(args[0].type)) {
    return row_error(name, "takes (string, regex [, columns])");
  }
  auto pattern = constant_text(args[1]);
  if (!pattern) return row_error(name, "the regex must be a constant");
  auto re = Regex::compile(*pattern);
  if (!re) return row_error(name, re.error().message());
  std::vector<ColumnSpec> specs;
  if (args.size() == 3) {
    auto cols = constant_text(args[2]);
    if (!cols) return row_error(name, "the column list must be a constant");
    auto parsed = parse_columns(*cols);
    if (!parsed) return row_error(name, parsed.error().message());
    specs = std::move(*parsed);
  } else {
    specs = numbered_columns((*re)->capture_count());
  }
  if (specs.empty()) return row_error(name, "the regex has no groups");
  std::shared_ptr<const Regex> regex = *re;
  auto shared = std::make_shared<const std::vector<ColumnSpec>>(specs);
  RowFn fn = [regex, shared](std::span<const Value> v) -> SqlResult<std::optional<Row>> {
    if (v[0].is_null()) return std::nullopt;
    const std::string& s = v[0].as_string();
    Regex::Match m;
    auto ok = regex->full_match(s, m);
    if (!ok) return std::unexpected(ok.error());
    if (!*ok) return std::nullopt;
    Row row;
    for (size_t i = 0; i < shared->size(); ++i) {
      const auto g = m.group(s, i + 1);
      if (!g) {
        row.push_back(Value::null((*shared)[i].column.type.kind));
        continue;
      }
      auto val = field_value(*g, (*shared)[i]);
      if (!val) return std::unexpected(val.error());
      row.push_back(std::move(*val));
    }
    return row;
  };
  return BoundRowFunction{std::move(fn), columns_of(specs)};
}

Result<BoundRowFunction> bind_fixed(std::span<const ArgInfo> args) {
  const std::string name = "FIXED_COLUMN_LOG_PARSE";
  if (args.size() != 2 || !is_text(args[0].type)) return row_error(name, "takes (string, columns)");
  auto cols = constant_text(args[1]);
  if (!cols) return row_error(name, "the column list must be a constant");
  auto parsed = parse_columns(*cols);
  if (!parsed) return row_error(name, parsed.error().message());
  for (const ColumnSpec& c : *parsed)
    if (c.start < 0) return row_error(name, "column " + c.column.name + " needs START");
  auto shared = std::make_shared<const std::vector<ColumnSpec>>(*parsed);
  RowFn fn = [shared](std::span<const Value> v) -> SqlResult<std::optional<Row>> {
    if (v[0].is_null()) return std::nullopt;
    const std::string& s = v[0].as_string();
    Row row;
    for (const ColumnSpec& c : *shared) {
      // Positions count from 0; without FOR a field runs to the end.
      if (static_cast<size_t>(c.start) >= s.size()) {
        row.push_back(Value::null(c.column.type.kind));
        continue;
      }
      const std::string_view field = std::string_view(s).substr(
          static_cast<size_t>(c.start), c.length < 0 ? std::string::npos : static_cast<size_t>(c.length));
      auto val = field_value(c.column.type.is_character() ? field : trim(field), c);
      if (!val) return std::unexpected(val.error());
      row.push_back(std::move(*val));
    }
    return row;
  };
  return BoundRowFunction{std::move(fn), columns_of(*parsed)};
}

Result<BoundRowFunction> bind_variable(std::span<const ArgInfo> args) {
  const std::string name = "VARIABLE_COLUMN_LOG_PARSE";
  if (args.size() != 3 && args.size() != 5) {
    return row_error(name, "takes (string, columns, delimiter [, escape, quote])");
  }
  std::vector<ColumnSpec> specs;
  if (args[1].constant && !args[1].constant->is_null() && args[1].type.is_exact_numeric()) {
    const int64_t n = args[1].constant->as_int();
    if (n < 1 || n > 1000) return row_error(name, "1 to 1000 columns");
    specs = numbered_columns(static_cast<int>(n));
  } else if (auto cols = constant_text(args[1])) {
    auto parsed = parse_columns(*cols);
    if (!parsed) return row_error(name, parsed.error().message());
    specs = std::move(*parsed);
  } else {
    return row_error(name, "the columns must be a constant number or list");
  }
  auto delim = constant_text(args[2]);
  if (!delim || delim->empty()) return row_error(name, "the delimiter must be a non-empty constant");
  std::string escape, quote_open, quote_close;
  if (args.size() == 5) {
    auto e = constant_text(args[3]);
    auto q = constant_text(args[4]);
    if (!e || !q || e->size() > 1 || q->size() > 2) {
      return row_error(name, "escape is one character and quote one or two");
    }
    escape = *e;
    if (!q->empty()) {
      quote_open = q->substr(0, 1);
      quote_close = q->size() == 2 ? q->substr(1, 1) : quote_open;
    }
  }
  auto shared = std::make_shared<const std::vector<ColumnSpec>>(specs);
  const std::string d = *delim;
  RowFn fn = [shared, d, escape, quote_open, quote_close](std::span<const Value> v) -> SqlResult<std::optional<Row>> {
    if (v[0].is_null()) return std::nullopt;
    const std::string& s = v[0].as_string();
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < s.size();) {
      if (!escape.empty() && s[i] == escape[0] && i + 1 < s.size()) {
        fields.back() += s[i + 1];
        i += 2;
      } else if (!quote_open.empty() && !quoted && s[i] == quote_open[0]) {
        quoted = true;
        ++i;
      } else if (quoted && s[i] == quote_close[0]) {
        quoted = false;
        ++i;
      } else if (!quoted && s.compare(i, d.size(), d) == 0) {
        fields.emplace_back();
        i += d.size();
      } else {
        fields.back() += s[i++];
      }
    }
    Row row;
    for (size_t i = 0; i < shared->size(); ++i) {
      if (i >= fields.size()) {
        row.push_back(Value::null((*shared)[i].column.type.kind));
        continue;
      }
      auto val = field_value(fields[i], (*shared)[i]);
      if (!val) return std::unexpected(val.error());
      row.push_back(std::move(*val));
    }
    return row;
  };
  return BoundRowFunction{std::move(fn), columns_of(specs)};
}

Result<BoundRowFunction> bind_syslog(std::span<const ArgInfo> args) {
  if (args.size() != 1 || !is_text(args[0].type)) return row_error("SYS_LOG_PARSE", "takes one string");
  static const DateFormat kStamp = *DateFormat::compile("MMM d HH:mm:ss");
  RowFn fn = [](std::span<const Value> v) -> SqlResult<std::optional<Row>> {
    if (v[0].is_null()) return std::nullopt;
    const std::string& s = v[0].as_string();
    // "Mon DD HH:MM:SS server message": the stamp is the first 15
    // characters (DD is space-padded in syslog).
    if (s.size() < 15) return std::nullopt;
    auto ms = kStamp.parse(s.substr(0, 15));
    if (!ms) return std::nullopt;
    std::string_view rest = trim(std::string_view(s).substr(15));
    Row row{Value::timestamp(*ms), Value::varchar(std::string(rest.substr(0, kDefaultWidth)))};
    return row;
  };
  return BoundRowFunction{
      std::move(fn), {{"COLUMN1", SqlType::of(TypeKind::kTimestamp)}, {"COLUMN2", SqlType::varchar(kDefaultWidth)}}};
}

// W3C/Apache formats as a regex with one group per specifier.
Result<std::string> w3c_regex(std::string_view fmt, int& groups) {
  std::string re;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c != '%') {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) re += '\\';
      re += c;
      continue;
    }
    ++i;
    // Modifiers: '>' '<', status lists, and {Name} or [Name] arguments.
    while (i < fmt.size() && (fmt[i] == '>' || fmt[i] == '<' || fmt[i] == '!' || fmt[i] == ',' ||
                              std::isdigit(static_cast<unsigned char>(fmt[i]))))
      ++i;
    if (i < fmt.size() && (fmt[i] == '{' || fmt[i] == '[')) {
      const char close = fmt[i] == '{' ? '}' : ']';
      const size_t end = fmt.find(close, i);
      if (end == std::string_view::npos) return error(Status::invalid_argument("unterminated specifier argument"));
      i = end + 1;
    }
    if (i >= fmt.size()) return error(Status::invalid_argument("format ends inside a specifier"));
    if (fmt[i] == '%') {
      re += '%';
      continue;
    }
    const bool in_quotes = !re.empty() && re.back() == '"';
    if (fmt[i] == 't') {
      re += "\\[([^\\]]*)\\]";
    } else {
      re += in_quotes ? "([^\"]*)" : "(\\S*)";
    }
    ++groups;
  }
  return re;
}

Result<BoundRowFunction> bind_w3c(std::span<const ArgInfo> args) {
  const std::string name = "W3C_LOG_PARSE";
  if (args.size() != 2 || !is_text(args[0].type)) return row_error(name, "takes (string, format)");
  auto f = constant_text(args[1]);
  if (!f) return row_error(name, "the format must be a constant");
  std::string fmt = *f;
  const std::string u = upper(trim(fmt));
  if (u == "COMMON")
    fmt = "%h %l %u %t \"%r\" %>s %b";
  else if (u == "COMMON WITH VHOST")
    fmt = "%v %h %l %u %t \"%r\" %>s %b";
  else if (u == "NCSA EXTENDED")
    fmt = "%h %l %u %t \"%r\" %>s %b \"%[Referer]i\" \"%[User-agent]i\"";
  else if (u == "REFERER")
    fmt = "%[Referer]i ---> %U";
  else if (u == "AGENT")
    fmt = "%[User-agent]i";
  else if (u == "IIS")
    return row_error(name, "the IIS format is not supported");
  int groups = 0;
  auto re_text = w3c_regex(fmt, groups);
  if (!re_text) return row_error(name, re_text.error().message());
  if (groups == 0) return row_error(name, "the format has no specifiers");
  auto re = Regex::compile(*re_text);
  if (!re) return row_error(name, re.error().message());
  std::shared_ptr<const Regex> regex = *re;
  const int n = groups;
  RowFn fn = [regex, n](std::span<const Value> v) -> SqlResult<std::optional<Row>> {
    if (v[0].is_null()) return std::nullopt;
    const std::string& s = v[0].as_string();
    Regex::Match m;
    auto ok = regex->full_match(s, m);
    if (!ok) return std::unexpected(ok.error());
    if (!*ok) return std::nullopt;
    Row row;
    for (int i = 1; i <= n; ++i) {
      auto g = m.group(s, static_cast<size_t>(i));
      row.push_back(g ? Value::varchar(std::string(g->substr(0, kDefaultWidth))) : Value::null(TypeKind::kVarchar));
    }
    return row;
  };
  std::vector<RowColumn> cols;
  for (const ColumnSpec& c : numbered_columns(n)) cols.push_back(c.column);
  return BoundRowFunction{std::move(fn), std::move(cols)};
}

}  // namespace

std::vector<std::string_view> row_function_names() {
  return {"FAST_REGEX_LOG_PARSER", "FIXED_COLUMN_LOG_PARSE",    "REGEX_LOG_PARSE",
          "SYS_LOG_PARSE",         "VARIABLE_COLUMN_LOG_PARSE", "W3C_LOG_PARSE"};
}

Result<BoundRowFunction> find_row_function(std::string_view name, std::span<const ArgInfo> args) {
  const std::string u = upper(name);
  if (u == "REGEX_LOG_PARSE" || u == "FAST_REGEX_LOG_PARSER") return bind_regex_parse(u, args);
  if (u == "FIXED_COLUMN_LOG_PARSE") return bind_fixed(args);
  if (u == "VARIABLE_COLUMN_LOG_PARSE") return bind_variable(args);
  if (u == "SYS_LOG_PARSE") return bind_syslog(args);
  if (u == "W3C_LOG_PARSE") return bind_w3c(args);
  return error(Status::not_found("No row function named " + std::string(name)));
}

}  // namespace runnel::sql
