#include "firehose/record_conversion.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace runnel::firehose {

using parquet::HiveKind;
using parquet::HiveType;
using parquet::Value;
namespace od = simdjson::ondemand;

struct RecordConverter::Parser {
  od::parser parser;
};

RecordConverter::~RecordConverter() = default;

namespace {

// ASCII only, as std::tolower in the C locale (and without its call per
// character: this runs for every key of every record).
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

std::string preview(std::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

// A JSON scalar as text: a string's contents, a number's token, true/false.
struct Token {
  enum class Kind { kString, kNumber, kBool };
  Kind kind;
  std::string_view text;
};

std::optional<int64_t> parse_integer(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  if (!std::isfinite(v)) return std::nullopt;  // "inf", "nan" are not Java's spellings
  return v;
}

// A decimal number (optional sign, digits, fraction, exponent) as the
// unscaled integer of decimal(precision, scale), rounded half up as
// HiveDecimal does. nullopt when it is not a number or needs more than
// `precision` digits.
std::optional<__int128> parse_decimal(std::string_view s, int precision, int scale) {
  size_t pos = 0;
  bool negative = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) negative = s[pos++] == '-';
  std::string digits;
  int64_t exponent = 0;
  size_t before = pos;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) digits.push_back(s[pos++]);
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      digits.push_back(s[pos++]);
      --exponent;
    }
  }
  if (digits.empty() || pos == before) return std::nullopt;
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    bool eneg = false;
    if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) eneg = s[pos++] == '-';
    size_t start = pos;
    int64_t e = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (e < 100000) e = e * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    exponent += eneg ? -e : e;
  }
  if (pos != s.size()) return std::nullopt;
  size_t nz = digits.find_first_not_of('0');
  if (nz == std::string::npos) return __int128{0};
  digits.erase(0, nz);
  int64_t shift = exponent + scale;  // unscaled = digits * 10^shift
  bool round_up = false;
  if (shift < 0) {
    if (static_cast<int64_t>(digits.size()) < -shift) {
      round_up = static_cast<int64_t>(digits.size()) == -shift && digits[0] >= '5';
      digits.clear();
    } else {
      size_t keep = digits.size() - static_cast<size_t>(-shift);
      round_up = digits[keep] >= '5';
      digits.resize(keep);
    }
  } else {
    if (static_cast<int64_t>(digits.size()) + shift > precision) return std::nullopt;
    digits.append(static_cast<size_t>(shift), '0');
  }
  if (static_cast<int>(digits.size()) > precision) return std::nullopt;
  __int128 v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  if (round_up) ++v;
  __int128 limit = 1;
  for (int i = 0; i < precision; ++i) limit *= 10;
  if (v >= limit) return std::nullopt;
  return negative ? -v : v;
}

// The first `n` code points of UTF-8 text.
std::string_view first_chars(std::string_view s, int n) {
  size_t i = 0;
  for (int count = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) break;
  }
  return s.substr(0, i);
}

std::string type_name(const HiveType& t) { return parquet::to_string(t); }

// The JSON text of a value (this simdjson has no value::raw_json()).
simdjson::error_code raw_text(od::value& v, std::string_view& out) {
  od::json_type jt;
  if (auto e = v.type().get(jt)) return e;
  if (jt == od::json_type::object) {
    od::object o;
    if (auto e = v.get_object().get(o)) return e;
    return o.raw_json().get(out);
  }
  if (jt == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return e;
    return a.raw_json().get(out);
  }
  out = trim(v.raw_json_token());
  return simdjson::SUCCESS;
}

}  // namespace

// Where a value is in the row, for error messages only: a chain on the
// stack, turned into text ("s.tags[]") only when a value does not convert.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;    // a struct field ("" for the row, a list item or a map part)
  std::string_view suffix;  // "[]", "{}" or " key" after it

  std::string text() const {
    std::string out = parent ? parent->text() : std::string();
    if (!name.empty()) {
      if (!out.empty()) out += '.';
      out += name;
    }
    out += suffix;
    return out;
  }
};

// One record's conversion: the recursive walk over the JSON with the schema.
class Conversion {
 public:
  explicit Conversion(const RecordConverter& c) : c_(c) {}

  Status row(od::object obj, Value& out) { return fill_struct(obj, c_.row_, out, Path{}); }

  static Status json_error(simdjson::error_code e) {
    return Status::corruption(std::string("the record is not valid JSON: ") + simdjson::error_message(e));
  }

 private:
  Status mismatch(const Path& path, const HiveType& t, std::string_view got) {
    return Status::invalid_argument("column " + path.text() + ": cannot convert " + preview(got) + " to " +
                                    type_name(t));
  }

  Status fill_struct(od::object obj, const HiveType& t, Value& out, const Path& path) {
    const auto& index = c_.fields_.at(&t);
    std::vector<Value> fields(t.fields.size());
    for (auto field : obj) {
      od::field f;
      if (auto e = std::move(field).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      auto it = index.find(c_.normalize_key(key, key_));
      if (it == index.end()) continue;  // a key with no column
      od::value v = f.value();
      if (it->second.size() == 1) {
        size_t i = it->second[0];
        if (Status s = convert(v, t.fields[i].type, fields[i], Path{&path, t.fields[i].name, {}}); !s) return s;
        continue;
      }
      // One key filling several columns (a mapping names a key that is also
      // a column): the on-demand parser reads a value once, so each column
      // converts its own parse of the value's text. Rare; not fast.
      std::string_view raw;
      if (auto e = raw_text(v, raw)) return json_error(e);
      for (size_t i : it->second) {
        // Wrapped in an array: a document that is a bare scalar is no value.
        od::parser p;
        simdjson::padded_string copy("[" + std::string(raw) + "]");
        od::document d;
        if (auto e = p.iterate(copy).get(d)) return json_error(e);
        od::array a;
        if (auto e = d.get_array().get(a)) return json_error(e);
        od::value dv;
        if (auto e = a.at(0).get(dv)) return json_error(e);
        if (Status s = convert(dv, t.fields[i].type, fields[i], Path{&path, t.fields[i].name, {}}); !s) return s;
      }
    }
    out = Value::record(std::move(fields));
    return Status::ok();
  }

  Status convert(od::value v, const HiveType& t, Value& out, const Path& path) {
    od::json_type jt;
    if (auto e = v.type().get(jt)) return json_error(e);
    if (jt == od::json_type::null) {
      out = Value::null();
      return Status::ok();
    }
    switch (t.kind) {
      case HiveKind::kStruct: {
        od::object o;
        if (jt != od::json_type::object || v.get_object().get(o)) return mismatch(path, t, "a non-object value");
        return fill_struct(o, t, out, path);
      }
      case HiveKind::kArray: {
        od::array a;
        if (jt != od::json_type::array || v.get_array().get(a)) return mismatch(path, t, "a non-array value");
        std::vector<Value> items;
        for (auto item : a) {
          od::value iv;
          if (auto e = std::move(item).get(iv)) return json_error(e);
          items.emplace_back();
          if (Status s = convert(iv, t.children[0], items.back(), Path{&path, {}, "[]"}); !s) return s;
        }
        out = Value::list(std::move(items));
        return Status::ok();
      }
      case HiveKind::kMap: {
        od::object o;
        if (jt != od::json_type::object || v.get_object().get(o)) return mismatch(path, t, "a non-object value");
        std::vector<std::pair<Value, Value>> entries;
        for (auto field : o) {
          od::field f;
          if (auto e = std::move(field).get(f)) return json_error(e);
          std::string_view raw_key;
          if (auto e = f.unescaped_key().get(raw_key)) return json_error(e);
          // The OpenX SerDe rewrites every key before deserializing (map keys
          // too); the Hive SerDe only matches struct fields in any case.
          std::string key = c_.options_.kind == DeserializerOptions::Kind::kOpenX
                                ? std::string(c_.normalize_key(raw_key, key_))
                                : std::string(raw_key);
          Value k, val;
          if (Status s = scalar({Token::Kind::kString, key}, t.children[0], k, Path{&path, {}, " key"}); !s) return s;
          if (Status s = convert(f.value(), t.children[1], val, Path{&path, {}, "{}"}); !s) return s;
          entries.emplace_back(std::move(k), std::move(val));
        }
        out = Value::map(std::move(entries));
        return Status::ok();
      }
      default: break;
    }
    switch (jt) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return json_error(e);
        return scalar({Token::Kind::kString, s}, t, out, path);
      }
      case od::json_type::number: {
        return scalar({Token::Kind::kNumber, trim(v.raw_json_token())}, t, out, path);
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b)) return json_error(e);
        return scalar({Token::Kind::kBool, b ? "true" : "false"}, t, out, path);
      }
      default: {  // an object or array where a primitive is expected
        std::string_view raw;
        if (auto e = raw_text(v, raw)) return json_error(e);
        if (t.kind != HiveKind::kString && t.kind != HiveKind::kVarchar && t.kind != HiveKind::kChar)
          return mismatch(path, t, trim(raw));
        return scalar({Token::Kind::kString, trim(raw)}, t, out, path);
      }
    }
  }

  Status scalar(Token tok, const HiveType& t, Value& out, const Path& path) {
    std::string_view text = tok.kind == Token::Kind::kString ? trim(tok.text) : tok.text;
    auto shown = [&] {
      return tok.kind == Token::Kind::kString ? "\"" + std::string(tok.text) + "\"" : std::string(tok.text);
    };
    switch (t.kind) {
      case HiveKind::kBoolean:
        if (tok.kind == Token::Kind::kNumber) return mismatch(path, t, tok.text);
        out = Value::boolean(lower(tok.text) == "true");  // Boolean.valueOf
        return Status::ok();
      case HiveKind::kTinyint:
      case HiveKind::kSmallint:
      case HiveKind::kInt:
      case HiveKind::kBigint: {
        int bits = t.kind == HiveKind::kTinyint    ? 8
                   : t.kind == HiveKind::kSmallint ? 16
                   : t.kind == HiveKind::kInt      ? 32
                                                   : 64;
        auto v = tok.kind == Token::Kind::kBool ? std::nullopt : parse_integer(text);
        if (!v || (bits < 64 && (*v < -(int64_t{1} << (bits - 1)) || *v >= (int64_t{1} << (bits - 1)))))
          return mismatch(path, t, shown());
        out = Value::integer(*v);
        return Status::ok();
      }
      case HiveKind::kFloat:
      case HiveKind::kDouble: {
        auto v = tok.kind == Token::Kind::kBool ? std::nullopt : parse_double(text);
        if (!v) return mismatch(path, t, shown());
        out = t.kind == HiveKind::kFloat ? Value::float32(static_cast<float>(*v)) : Value::float64(*v);
        return Status::ok();
      }
      case HiveKind::kDecimal: {
        auto v = tok.kind == Token::Kind::kBool ? std::nullopt : parse_decimal(text, t.precision, t.scale);
        if (!v) return mismatch(path, t, shown());
        out = Value::decimal(*v);
        return Status::ok();
      }
      case HiveKind::kString:
      case HiveKind::kBinary: out = Value::bytes(std::string(tok.text)); return Status::ok();
      case HiveKind::kVarchar: out = Value::bytes(std::string(first_chars(tok.text, t.length))); return Status::ok();
      case HiveKind::kChar: {
        std::string_view s = first_chars(tok.text, t.length);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        out = Value::bytes(std::string(s));
        return Status::ok();
      }
      case HiveKind::kTimestamp: {
        auto ts = tok.kind == Token::Kind::kBool ? std::nullopt : timestamp(tok.text);
        // Out of the file's range (a huge `millis`, say): refused here, as
        // any value that does not fit, so the writer never refuses a row.
        if (!ts || !ts->writable()) return mismatch(path, t, shown());
        out = Value::timestamp(*ts);
        return Status::ok();
      }
      case HiveKind::kDate: {
        auto d = tok.kind == Token::Kind::kString ? parse_sql_date(text) : std::nullopt;
        if (!d) return mismatch(path, t, shown());
        out = Value::date(*d);
        return Status::ok();
      }
      default: return mismatch(path, t, shown());
    }
  }

  std::optional<parquet::Timestamp> timestamp(std::string_view text) const {
    if (c_.options_.kind == DeserializerOptions::Kind::kOpenX) return parse_openx_timestamp(trim(text));
    for (const auto& f : c_.formats_) {
      if (f.millis) {
        auto ms = parse_integer(text);
        if (!ms) continue;
        int64_t secs = *ms / 1000, rem = *ms % 1000;
        if (rem < 0) rem += 1000, secs -= 1;
        return parquet::Timestamp{secs, static_cast<uint32_t>(rem) * 1'000'000};
      }
      if (auto ts = f.pattern.parse(text)) return ts;
    }
    return parse_sql_timestamp(text);
  }

  const RecordConverter& c_;
  std::string key_;  // normalize_key()'s buffer
};

Result<std::unique_ptr<RecordConverter>> RecordConverter::create(std::shared_ptr<const parquet::Schema> schema,
                                                                 DeserializerOptions options) {
  std::unique_ptr<RecordConverter> c(new RecordConverter());
  c->schema_ = std::move(schema);
  c->options_ = std::move(options);
  if (c->options_.kind == DeserializerOptions::Kind::kHive) {
    for (const auto& f : c->options_.hive.timestamp_formats) {
      TimestampFormat tf;
      if (f == "millis") {
        tf.millis = true;
      } else {
        auto p = JodaPattern::compile(f);
        if (!p) return error(p.error());
        tf.pattern = std::move(*p);
      }
      c->formats_.push_back(std::move(tf));
    }
  }
  c->row_.kind = HiveKind::kStruct;
  const auto& columns = c->schema_->root().children;
  const auto& types = c->schema_->column_types();
  for (size_t i = 0; i < types.size(); ++i) c->row_.fields.push_back({columns[i].name, types[i]});
  c->index_struct(c->row_);
  c->parser_ = std::make_unique<Parser>();
  return c;
}

std::string_view RecordConverter::normalize_key(std::string_view key, std::string& buffer) const {
  const bool to_lower = options_.kind == DeserializerOptions::Kind::kHive || options_.openx.case_insensitive;
  const bool dots =
      options_.kind == DeserializerOptions::Kind::kOpenX && options_.openx.convert_dots_in_json_keys_to_underscores;
  // Most keys are already as the SerDe wants them: no copy then.
  bool same = true;
  for (char c : key)
    if ((to_lower && c >= 'A' && c <= 'Z') || (dots && c == '.')) {
      same = false;
      break;
    }
  if (same) return key;
  buffer.assign(key);
  for (char& c : buffer) {
    if (to_lower) c = ascii_lower(c);
    if (dots && c == '.') c = '_';
  }
  return buffer;
}

void RecordConverter::index_struct(const HiveType& t) {
  if (t.kind == HiveKind::kStruct) {
    auto& index = fields_[&t];
    for (size_t i = 0; i < t.fields.size(); ++i) {
      std::string key = t.fields[i].name;
      if (options_.kind == DeserializerOptions::Kind::kOpenX) {
        for (const auto& [column, json_key] : options_.openx.column_to_json_key_mappings)
          if (lower(column) == t.fields[i].name) key = json_key;
      }
      std::string buffer;
      index[std::string(normalize_key(key, buffer))].push_back(i);
      index_struct(t.fields[i].type);
    }
  }
  for (const auto& c : t.children) index_struct(c);
}

Result<std::vector<Value>> RecordConverter::convert(std::string_view record) {
  simdjson::padded_string buf(record);
  od::document_stream stream;
  size_t batch = std::max<size_t>(buf.size() + 64, 4096);
  if (auto e = parser_->parser.iterate_many(buf, batch).get(stream)) return error(Conversion::json_error(e));
  std::vector<Value> rows;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    auto doc = *it;
    od::object obj;
    if (auto e = doc.get_object().get(obj)) {
      if (e == simdjson::INCORRECT_TYPE)
        return error(Status::corruption("the record is not a JSON object (an array of objects is not accepted)"));
      return error(Conversion::json_error(e));
    }
    Value row;
    if (Status s = Conversion(*this).row(obj, row); !s) return error(std::move(s));
    rows.push_back(std::move(row));
  }
  if (stream.truncated_bytes() > 0)
    return error(Status::corruption("the record is not valid JSON: it ends inside a JSON value"));
  if (rows.empty()) return error(Status::corruption("the record holds no JSON object"));
  return rows;
}

std::string_view conversion_error_code(const Status& s) {
  return s.code() == Status::Code::kCorruption ? "DataFormatConversion.ParseError"
                                               : "DataFormatConversion.MalformedData";
}

}  // namespace runnel::firehose
