#include "parquet/hive_type.h"

#include <cctype>
#include <unordered_set>

namespace runnel::parquet {
namespace {

struct Named {
  std::string_view name;
  HiveKind kind;
};

constexpr Named kPrimitives[] = {
    {"boolean", HiveKind::kBoolean},   {"tinyint", HiveKind::kTinyint},
    {"smallint", HiveKind::kSmallint}, {"int", HiveKind::kInt},
    {"integer", HiveKind::kInt},       {"bigint", HiveKind::kBigint},
    {"float", HiveKind::kFloat},       {"double", HiveKind::kDouble},
    {"decimal", HiveKind::kDecimal},   {"string", HiveKind::kString},
    {"char", HiveKind::kChar},         {"varchar", HiveKind::kVarchar},
    {"binary", HiveKind::kBinary},     {"timestamp", HiveKind::kTimestamp},
    {"date", HiveKind::kDate},         {"array", HiveKind::kArray},
    {"map", HiveKind::kMap},           {"struct", HiveKind::kStruct},
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<HiveType> parse_all() {
    auto t = parse_type(0);
    if (!t) return t;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected '" + std::string(1, text_[pos_]) + "' after the type");
    return t;
  }

 private:
  std::unexpected<Status> fail(const std::string& what) const {
    return error(Status::invalid_argument("invalid Hive type '" + std::string(text_) + "' at position " +
                                          std::to_string(pos_) + ": " + what));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::string word() {
    skip_space();
    std::string w;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_++]))));
    return w;
  }

  // A decimal number of at most 9 digits (anything larger is out of every
  // range checked below).
  Result<int> number() {
    skip_space();
    size_t start = pos_;
    long v = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) && pos_ - start < 9)
      v = v * 10 + (text_[pos_++] - '0');
    if (pos_ == start) return fail("expected a number");
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) return fail("number too large");
    return static_cast<int>(v);
  }

  // A struct field name: anything up to ':' but the type punctuation; Hive
  // lower-cases it.
  Result<std::string> field_name() {
    skip_space();
    std::string n;
    while (pos_ < text_.size() && text_[pos_] != ':' && text_[pos_] != ',' && text_[pos_] != '<' &&
           text_[pos_] != '>' && text_[pos_] != '(' && text_[pos_] != ')' && text_[pos_] != '`')
      n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_++]))));
    while (!n.empty() && std::isspace(static_cast<unsigned char>(n.back()))) n.pop_back();
    if (n.empty()) return fail("expected a struct field name");
    return n;
  }

  Result<HiveType> parse_type(int depth) {
    if (depth >= kMaxHiveTypeDepth)
      return fail("types nested more than " + std::to_string(kMaxHiveTypeDepth) + " deep");
    size_t at = pos_;
    std::string w = word();
    HiveType t;
    bool known = false;
    for (const auto& p : kPrimitives) {
      if (p.name == w) {
        t.kind = p.kind;
        known = true;
      }
    }
    if (!known) {
      pos_ = at;
      skip_space();
      return fail(w.empty() ? "expected a type name" : "unknown type '" + w + "'");
    }
    switch (t.kind) {
      case HiveKind::kDecimal: return parse_decimal(std::move(t));
      case HiveKind::kChar:
      case HiveKind::kVarchar: return parse_length(std::move(t));
      case HiveKind::kArray: {
        if (!accept('<')) return fail("expected '<' after array");
        auto e = parse_type(depth + 1);
        if (!e) return e;
        if (!accept('>')) return fail("expected '>' to close array<");
        t.children.push_back(std::move(*e));
        return t;
      }
      case HiveKind::kMap: {
        if (!accept('<')) return fail("expected '<' after map");
        size_t key_at = pos_;
        auto k = parse_type(depth + 1);
        if (!k) return k;
        if (!k->is_primitive()) {
          pos_ = key_at;
          skip_space();
          return fail("a map key must be a primitive type");
        }
        if (!accept(',')) return fail("expected ',' between the map's key and value types");
        auto v = parse_type(depth + 1);
        if (!v) return v;
        if (!accept('>')) return fail("expected '>' to close map<");
        t.children.push_back(std::move(*k));
        t.children.push_back(std::move(*v));
        return t;
      }
      case HiveKind::kStruct: return parse_struct(std::move(t), depth);
      default: return t;
    }
  }

  Result<HiveType> parse_decimal(HiveType t) {
    t.precision = 10;  // Hive's default for a bare `decimal`
    t.scale = 0;
    if (!accept('(')) return t;
    auto p = number();
    if (!p) return error(p.error());
    t.precision = *p;
    if (accept(',')) {
      auto s = number();
      if (!s) return error(s.error());
      t.scale = *s;
    }
    if (!accept(')')) return fail("expected ')' to close decimal(");
    if (t.precision < 1 || t.precision > 38) return fail("decimal precision must be 1..38");
    if (t.scale > t.precision) return fail("decimal scale must not exceed the precision");
    return t;
  }

  Result<HiveType> parse_length(HiveType t) {
    const char* name = t.kind == HiveKind::kChar ? "char" : "varchar";
    if (!accept('(')) return fail(std::string("expected '(' and a length after ") + name);
    auto n = number();
    if (!n) return error(n.error());
    if (!accept(')')) return fail(std::string("expected ')' to close ") + name + "(");
    int max = t.kind == HiveKind::kChar ? 255 : 65535;
    if (*n < 1 || *n > max) return fail(std::string(name) + " length must be 1.." + std::to_string(max));
    t.length = *n;
    return t;
  }

  Result<HiveType> parse_struct(HiveType t, int depth) {
    if (!accept('<')) return fail("expected '<' after struct");
    std::unordered_set<std::string> seen;
    do {
      auto name = field_name();
      if (!name) return error(name.error());
      if (!seen.insert(*name).second) return fail("duplicate struct field '" + *name + "'");
      if (!accept(':')) return fail("expected ':' after struct field name '" + *name + "'");
      auto ft = parse_type(depth + 1);
      if (!ft) return ft;
      t.fields.push_back(HiveField{std::move(*name), std::move(*ft)});
    } while (accept(','));
    if (!accept('>')) return fail("expected ',' or '>' in struct<");
    return t;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<HiveType> parse_hive_type(std::string_view text) { return Parser(text).parse_all(); }

std::string to_string(const HiveType& t) {
  switch (t.kind) {
    case HiveKind::kDecimal: return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case HiveKind::kChar: return "char(" + std::to_string(t.length) + ")";
    case HiveKind::kVarchar: return "varchar(" + std::to_string(t.length) + ")";
    case HiveKind::kArray: return "array<" + to_string(t.children[0]) + ">";
    case HiveKind::kMap: return "map<" + to_string(t.children[0]) + "," + to_string(t.children[1]) + ">";
    case HiveKind::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) s += ",";
        s += t.fields[i].name + ":" + to_string(t.fields[i].type);
      }
      return s + ">";
    }
    default:
      for (const auto& p : kPrimitives)
        if (p.kind == t.kind && p.name != "integer") return std::string(p.name);
      return "?";
  }
}

}  // namespace runnel::parquet
