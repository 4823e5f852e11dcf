#include "sql/record_format.h"

#include <charconv>
#include <cmath>

#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "sql/coerce.h"

namespace runnel::sql {

namespace dom = simdjson::dom;

namespace {

constexpr size_t kMaxColumns = 1000;

std::string json_number_text(dom::element e) {
  int64_t i;
  uint64_t u;
  double d = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return std::to_string(u);
  if (e.get_double().get(d) != simdjson::SUCCESS) return "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

SqlResult<Value> coercion_failed(std::string_view what, const SqlType& type) {
  return sql_error(kConversionError, "Cannot coerce " + std::string(what) + " to " + type.to_string());
}

void append_json_string(std::string& out, std::string_view text) {
  // Values are UTF-8 by construction; should one not be, its bytes are not
  // copied into the record but replaced (JSON output must stay valid).
  std::string fixed;
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    for (unsigned char c : text) fixed += c < 0x80 ? static_cast<char>(c) : '?';
    text = fixed;
  }
  protocol::append_json_string(text, out);
}

}  // namespace

SqlResult<Value> coerce_json(dom::element e, const SqlType& type) {
  switch (e.type()) {
    case dom::element_type::NULL_VALUE: return Value::null(type.kind);
    case dom::element_type::BOOL: {
      const bool b = e.get_bool().value_unsafe();
      if (type.kind == TypeKind::kBoolean) return Value::boolean(b);
      if (type.is_numeric()) return cast_value(Value::integer(b ? 1 : 0), type);
      if (type.is_character()) return parse_text_as(b ? "true" : "false", type);
      return coercion_failed(b ? "true" : "false", type);
    }
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: {
      // Straight from the parsed number into DOUBLE and BIGINT, the common
      // cases: the same values as through the text below (a double's
      // shortest text reads back as that double; an int64 as itself), with
      // no string per value on the Analytics runtime's input path.
      if (type.kind == TypeKind::kDouble) {
        double d = 0;
        if (e.get_double().get(d) == simdjson::SUCCESS) return Value::dbl(d);
      }
      if (type.kind == TypeKind::kBigint && e.type() == dom::element_type::INT64)
        return Value::bigint(e.get_int64().value_unsafe());
      const std::string text = json_number_text(e);
      if (type.kind == TypeKind::kBoolean) {
        double d = 0;
        if (e.get_double().get(d) != simdjson::SUCCESS) d = 0;
        return Value::boolean(d != 0);
      }
      if (type.is_numeric() || type.is_character()) {
        auto v = parse_text_as(text, type);
        if (!v) return sql_error(v.error().name, "Cannot coerce " + text + " to " + type.to_string());
        return v;
      }
      return coercion_failed(text, type);
    }
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      auto v = parse_text_as(s, type);
      if (!v) return sql_error(v.error().name, v.error().message);
      return v;
    }
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT: {
      if (!type.is_character()) return coercion_failed(e.type() == dom::element_type::ARRAY ? "array" : "object", type);
      return parse_text_as(simdjson::minify(e), type);
    }
  }
  return coercion_failed("value", type);
}

Result<RecordReader> RecordReader::create(const SourceSchema& schema) {
  if (schema.columns.empty() || schema.columns.size() > kMaxColumns) {
    return error(Status::invalid_argument("RecordColumns must have 1 to 1000 columns"));
  }
  RecordReader r;
  r.schema_ = schema;
  if (schema.format == RecordFormatType::kJson) {
    auto rp = JsonPath::parse(schema.record_row_path.empty() ? "$" : schema.record_row_path);
    if (!rp) return error(rp.error());
    r.row_path_ = std::move(*rp);
    r.parser_ = std::make_unique<dom::parser>();
  } else if (schema.record_row_delimiter.empty() || schema.record_column_delimiter.empty()) {
    return error(Status::invalid_argument("CSV delimiters must not be empty"));
  }
  for (const RecordColumn& c : schema.columns) {
    auto t = parse_sql_type(c.sql_type);
    if (!t) return error(t.error());
    if (t->is_interval() || t->kind == TypeKind::kNull) {
      return error(Status::invalid_argument("column " + c.name + " cannot have type " + c.sql_type));
    }
    r.types_.push_back(*t);
    r.names_.push_back(c.name);
    if (schema.format == RecordFormatType::kJson) {
      if (c.mapping.empty()) return error(Status::invalid_argument("column " + c.name + " needs a Mapping"));
      auto m = JsonPath::parse(c.mapping);
      if (!m) return error(m.error());
      auto rel = m->relative_to(r.row_path_);
      // A mapping that goes through the row path is read below the row;
      // any other is read from the row itself ("$" names the row).
      r.mappings_.push_back(rel && !r.row_path_.steps().empty() ? std::move(*rel) : std::move(*m));
    }
  }
  return r;
}

size_t RecordReader::read(std::string_view record, std::vector<Row>& rows, std::vector<RecordError>& errors) {
  return schema_.format == RecordFormatType::kJson ? read_json(record, rows, errors) : read_csv(record, rows, errors);
}

size_t RecordReader::read_json(std::string_view record, std::vector<Row>& rows, std::vector<RecordError>& errors) {
  dom::element root;
  if (auto err = parser_->parse(record.data(), record.size()).get(root); err != simdjson::SUCCESS) {
    errors.push_back(
        {SqlError{std::string(kParseError), std::string("Invalid JSON record: ") + simdjson::error_message(err)}, 0});
    return 0;
  }
  std::vector<dom::element> row_elements;
  row_path_.find_all(root, row_elements);
  size_t added = 0;
  for (size_t r = 0; r < row_elements.size(); ++r) {
    Row row;
    row.reserve(types_.size());
    bool ok = true;
    for (size_t c = 0; c < types_.size(); ++c) {
      dom::element v;
      if (!mappings_[c].find(row_elements[r], v)) {
        row.push_back(Value::null(types_[c].kind));  // a missing path is NULL
        continue;
      }
      auto value = coerce_json(v, types_[c]);
      if (!value) {
        value.error().message += " (column " + names_[c] + ", mapping " + schema_.columns[c].mapping + ")";
        errors.push_back({std::move(value.error()), r});
        ok = false;
        break;
      }
      row.push_back(std::move(*value));
    }
    if (ok) {
      rows.push_back(std::move(row));
      ++added;
    }
  }
  return added;
}

size_t RecordReader::read_csv(std::string_view record, std::vector<Row>& rows, std::vector<RecordError>& errors) {
  if (!simdjson::validate_utf8(record.data(), record.size())) {
    // RecordEncoding is UTF-8; a record that is not is not read at all.
    errors.push_back({SqlError{std::string(kParseError), "Record is not valid UTF-8"}, 0});
    return 0;
  }
  const std::string& rd = schema_.record_row_delimiter;
  const std::string& cd = schema_.record_column_delimiter;
  size_t added = 0, index = 0, pos = 0;
  while (pos <= record.size()) {
    size_t end = record.find(rd, pos);
    if (end == std::string_view::npos) end = record.size();
    std::string_view line = record.substr(pos, end - pos);
    pos = end + rd.size();
    if (line.empty() && end == record.size()) break;  // nothing after the last delimiter
    Row row;
    row.reserve(types_.size());
    bool ok = true;
    size_t fpos = 0;
    bool fields_left = true;
    for (size_t c = 0; c < types_.size(); ++c) {
      if (!fields_left) {
        row.push_back(Value::null(types_[c].kind));
        continue;
      }
      size_t fend = line.find(cd, fpos);
      if (fend == std::string_view::npos) {
        fend = line.size();
        fields_left = false;
      }
      std::string_view field = line.substr(fpos, fend - fpos);
      fpos = fend + cd.size();
      // An empty field is NULL except in a character column, where it is ''.
      if (field.empty() && !types_[c].is_character()) {
        row.push_back(Value::null(types_[c].kind));
        continue;
      }
      auto value = parse_text_as(field, types_[c]);
      if (!value) {
        value.error().message += " (column " + names_[c] + ")";
        errors.push_back({std::move(value.error()), index});
        ok = false;
        break;
      }
      row.push_back(std::move(*value));
    }
    if (ok) {
      rows.push_back(std::move(row));
      ++added;
    }
    ++index;
    if (end == record.size()) break;
  }
  return added;
}

std::string write_record(RecordFormatType format, const std::vector<std::string>& names, const Row& row) {
  std::string out;
  if (format == RecordFormatType::kJson) {
    out += '{';
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, i < names.size() ? names[i] : "COL" + std::to_string(i));
      out += ':';
      const Value& v = row[i];
      const SqlType t = SqlType::of(v.kind());
      if (v.is_null()) {
        out += "null";
      } else if (t.kind == TypeKind::kBoolean) {
        out += v.as_bool() ? "true" : "false";
      } else if (t.is_approx_numeric()) {
        if (!std::isfinite(v.as_double())) {
          out += "null";
        } else {
          char buf[64];
          auto r = t.kind == TypeKind::kReal ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v.as_double()))
                                             : std::to_chars(buf, buf + sizeof buf, v.as_double());
          out.append(buf, r.ptr);
        }
      } else if (t.is_exact_numeric()) {
        out += v.to_string();
      } else if (t.is_binary()) {
        append_json_string(out, protocol::base64_encode(v.as_string()));
      } else {
        append_json_string(out, v.to_string());
      }
    }
    out += '}';
    return out;
  }
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    if (row[i].is_null()) continue;
    const std::string s = row[i].to_string();
    if (s.find_first_of(",\"\r\n") != std::string::npos) {
      out += '"';
      for (char c : s) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    } else {
      out += s;
    }
  }
  out += '\n';
  return out;
}

}  // namespace runnel::sql
