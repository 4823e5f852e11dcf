#include "parquet/schema.h"

#include <cctype>
#include <unordered_set>

namespace runnel::parquet {
namespace {

SchemaNode leaf(std::string name, PhysicalType t, Repetition rep) {
  SchemaNode n;
  n.name = std::move(name);
  n.is_leaf = true;
  n.physical = t;
  n.repetition = rep;
  return n;
}

// The node for a Hive type, as HiveSchemaConverter builds it.
SchemaNode convert(std::string name, const HiveType& t, Repetition rep) {
  SchemaNode n;
  switch (t.kind) {
    case HiveKind::kBoolean: n = leaf(std::move(name), PhysicalType::kBoolean, rep); break;
    case HiveKind::kTinyint:
    case HiveKind::kSmallint:
      n = leaf(std::move(name), PhysicalType::kInt32, rep);
      n.converted = t.kind == HiveKind::kTinyint ? ConvertedType::kInt8 : ConvertedType::kInt16;
      n.logical = LogicalKind::kInteger;
      n.int_bits = t.kind == HiveKind::kTinyint ? 8 : 16;
      break;
    case HiveKind::kInt: n = leaf(std::move(name), PhysicalType::kInt32, rep); break;
    case HiveKind::kBigint: n = leaf(std::move(name), PhysicalType::kInt64, rep); break;
    case HiveKind::kFloat: n = leaf(std::move(name), PhysicalType::kFloat, rep); break;
    case HiveKind::kDouble: n = leaf(std::move(name), PhysicalType::kDouble, rep); break;
    case HiveKind::kDecimal:
      n = leaf(std::move(name), PhysicalType::kFixedLenByteArray, rep);
      n.type_length = decimal_byte_length(t.precision);
      n.converted = ConvertedType::kDecimal;
      n.logical = LogicalKind::kDecimal;
      n.precision = t.precision;
      n.scale = t.scale;
      break;
    case HiveKind::kString:
    case HiveKind::kChar:
    case HiveKind::kVarchar:
      n = leaf(std::move(name), PhysicalType::kByteArray, rep);
      n.converted = ConvertedType::kUtf8;
      n.logical = LogicalKind::kString;
      break;
    case HiveKind::kBinary: n = leaf(std::move(name), PhysicalType::kByteArray, rep); break;
    case HiveKind::kTimestamp: n = leaf(std::move(name), PhysicalType::kInt96, rep); break;
    case HiveKind::kDate:
      n = leaf(std::move(name), PhysicalType::kInt32, rep);
      n.converted = ConvertedType::kDate;
      n.logical = LogicalKind::kDate;
      break;
    case HiveKind::kArray: {
      // optional group <name> (LIST) { repeated group list { optional <T> element; } }
      n.name = std::move(name);
      n.repetition = rep;
      n.converted = ConvertedType::kList;
      n.logical = LogicalKind::kList;
      SchemaNode list;
      list.name = "list";
      list.repetition = Repetition::kRepeated;
      list.hive = &t;
      list.children.push_back(convert("element", t.children[0], Repetition::kOptional));
      n.children.push_back(std::move(list));
      break;
    }
    case HiveKind::kMap: {
      // optional group <name> (MAP) { repeated group key_value { required <K> key; optional <V> value; } }
      n.name = std::move(name);
      n.repetition = rep;
      n.converted = ConvertedType::kMap;
      n.logical = LogicalKind::kMap;
      SchemaNode kv;
      kv.name = "key_value";
      kv.repetition = Repetition::kRepeated;
      kv.hive = &t;
      kv.children.push_back(convert("key", t.children[0], Repetition::kRequired));
      kv.children.push_back(convert("value", t.children[1], Repetition::kOptional));
      n.children.push_back(std::move(kv));
      break;
    }
    case HiveKind::kStruct:
      n.name = std::move(name);
      n.repetition = rep;
      for (const auto& f : t.fields) n.children.push_back(convert(f.name, f.type, Repetition::kOptional));
      break;
  }
  n.hive = &t;
  return n;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int decimal_byte_length(int precision) {
  // Two's complement in n bytes holds up to 2^(8n-1) - 1, so the least n
  // with 2^(8n-1) >= 10^precision (Hive's PRECISION_TO_BYTE_COUNT).
  unsigned __int128 pow10 = 1;
  for (int i = 0; i < precision; ++i) pow10 *= 10;
  int n = 1;
  while (8 * n - 1 < 127 && (static_cast<unsigned __int128>(1) << (8 * n - 1)) < pow10) ++n;
  return n;
}

void Schema::derive(SchemaNode& n, int def, int rep, std::vector<std::string>& path) {
  ++node_count_;
  if (n.repetition != Repetition::kRequired) ++def;
  if (n.repetition == Repetition::kRepeated) ++rep;
  n.def_level = def;
  n.rep_level = rep;
  n.first_leaf = static_cast<int>(leaves_.size());
  if (n.is_leaf) {
    leaves_.push_back(LeafColumn{&n, path, def, rep});
  } else {
    for (auto& c : n.children) {
      path.push_back(c.name);
      derive(c, def, rep, path);
      path.pop_back();
    }
  }
  n.end_leaf = static_cast<int>(leaves_.size());
}

Result<std::shared_ptr<const Schema>> Schema::from_columns(const std::vector<ColumnSpec>& columns) {
  if (columns.empty()) return error(Status::invalid_argument("a Parquet schema needs at least one column"));
  std::shared_ptr<Schema> s(new Schema());
  std::unordered_set<std::string> seen;
  s->types_.reserve(columns.size());  // nodes point into types_: no reallocation
  std::vector<std::string> names;
  for (const auto& c : columns) {
    std::string name = lower(c.name);
    if (name.empty()) return error(Status::invalid_argument("a column has an empty name"));
    if (!seen.insert(name).second) return error(Status::invalid_argument("duplicate column name '" + name + "'"));
    auto t = parse_hive_type(c.type);
    if (!t) return error(Status::invalid_argument("column '" + name + "': " + t.error().message()));
    s->types_.push_back(std::move(*t));
    names.push_back(std::move(name));
  }
  s->root_.name = "hive_schema";
  s->root_.repetition = Repetition::kRequired;
  for (size_t i = 0; i < columns.size(); ++i)
    s->root_.children.push_back(convert(names[i], s->types_[i], Repetition::kOptional));
  // The root is not a level: derive from its children.
  s->node_count_ = 1;
  std::vector<std::string> path;
  for (auto& c : s->root_.children) {
    path.assign(1, c.name);
    s->derive(c, 0, 0, path);
  }
  s->root_.first_leaf = 0;
  s->root_.end_leaf = static_cast<int>(s->leaves_.size());
  return std::shared_ptr<const Schema>(std::move(s));
}

}  // namespace runnel::parquet
