#include "parquet/shredder.h"

#include <limits>
#include <string>

namespace runnel::parquet {
namespace {

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "a boolean";
    case Value::Kind::kInt: return "an integer";
    case Value::Kind::kFloat: return "a float";
    case Value::Kind::kDouble: return "a double";
    case Value::Kind::kBytes: return "bytes";
    case Value::Kind::kDecimal: return "a decimal";
    case Value::Kind::kTimestamp: return "a timestamp";
    case Value::Kind::kDate: return "a date";
    case Value::Kind::kList: return "a list";
    case Value::Kind::kMap: return "a map";
    case Value::Kind::kStruct: return "a struct";
  }
  return "?";
}

Value::Kind expected_kind(HiveKind k) {
  switch (k) {
    case HiveKind::kBoolean: return Value::Kind::kBool;
    case HiveKind::kTinyint:
    case HiveKind::kSmallint:
    case HiveKind::kInt:
    case HiveKind::kBigint: return Value::Kind::kInt;
    case HiveKind::kFloat: return Value::Kind::kFloat;
    case HiveKind::kDouble: return Value::Kind::kDouble;
    case HiveKind::kDecimal: return Value::Kind::kDecimal;
    case HiveKind::kString:
    case HiveKind::kChar:
    case HiveKind::kVarchar:
    case HiveKind::kBinary: return Value::Kind::kBytes;
    case HiveKind::kTimestamp: return Value::Kind::kTimestamp;
    case HiveKind::kDate: return Value::Kind::kDate;
    case HiveKind::kArray: return Value::Kind::kList;
    case HiveKind::kMap: return Value::Kind::kMap;
    case HiveKind::kStruct: return Value::Kind::kStruct;
  }
  return Value::Kind::kNull;
}

// The error text without the path; the path is prepended on the way out.
std::string check(const HiveType& t, const Value& v, std::string* path);

std::string check_child(const HiveType& t, const Value& v, std::string_view name, std::string* path) {
  std::string e = check(t, v, path);
  if (!e.empty()) path->insert(0, std::string(name) + (path->empty() ? "" : "."));
  return e;
}

std::string check(const HiveType& t, const Value& v, std::string* path) {
  if (v.is_null()) return "";
  Value::Kind want = expected_kind(t.kind);
  if (v.kind() != want)
    return std::string("expected ") + kind_name(want) + " for " + to_string(t) + ", got " + kind_name(v.kind());
  auto range = [&](int64_t lo, int64_t hi) -> std::string {
    if (v.as_int() < lo || v.as_int() > hi) return std::to_string(v.as_int()) + " is out of range for " + to_string(t);
    return "";
  };
  switch (t.kind) {
    case HiveKind::kTinyint: return range(-128, 127);
    case HiveKind::kSmallint: return range(-32768, 32767);
    case HiveKind::kInt: return range(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    case HiveKind::kDate: return range(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    case HiveKind::kDecimal: {
      __int128 limit = 1;
      for (int i = 0; i < t.precision; ++i) limit *= 10;
      __int128 u = v.as_decimal();
      if (u >= limit || u <= -limit) return "the decimal has more than " + std::to_string(t.precision) + " digits";
      return "";
    }
    case HiveKind::kTimestamp: {
      Timestamp ts = v.as_timestamp();
      if (ts.nanos >= 1'000'000'000) return "timestamp nanos must be below 10^9";
      if (!ts.writable()) return "timestamp out of range";
      return "";
    }
    case HiveKind::kArray:
      for (const auto& e : v.items()) {
        std::string err = check_child(t.children[0], e, "element", path);
        if (!err.empty()) return err;
      }
      return "";
    case HiveKind::kMap:
      for (size_t i = 0; i + 1 < v.items().size(); i += 2) {
        if (v.items()[i].is_null()) {
          *path = "key";
          return "a map key must not be null";
        }
        std::string err = check_child(t.children[0], v.items()[i], "key", path);
        if (err.empty()) err = check_child(t.children[1], v.items()[i + 1], "value", path);
        if (!err.empty()) return err;
      }
      return "";
    case HiveKind::kStruct:
      if (v.items().size() != t.fields.size())
        return "expected " + std::to_string(t.fields.size()) + " struct fields, got " +
               std::to_string(v.items().size());
      for (size_t i = 0; i < t.fields.size(); ++i) {
        std::string err = check_child(t.fields[i].type, v.items()[i], t.fields[i].name, path);
        if (!err.empty()) return err;
      }
      return "";
    default: return "";
  }
}

void emit_absent(const SchemaNode& n, uint16_t rep, uint16_t def, LevelSink& sink) {
  for (int l = n.first_leaf; l < n.end_leaf; ++l) sink.emit(l, rep, def, nullptr);
}

// `def` is the definition level of the parent: what the leaves get when this
// node's value is null.
void shred(const SchemaNode& n, const Value& v, uint16_t rep, uint16_t def, LevelSink& sink) {
  if (v.is_null()) return emit_absent(n, rep, def, sink);
  if (n.is_leaf) return sink.emit(n.first_leaf, rep, static_cast<uint16_t>(n.def_level), &v);
  const auto here = static_cast<uint16_t>(n.def_level);
  switch (n.hive->kind) {
    case HiveKind::kArray: {
      const SchemaNode& list = n.children[0];
      const auto& items = v.items();
      if (items.empty()) return emit_absent(n, rep, here, sink);
      for (size_t i = 0; i < items.size(); ++i)
        shred(list.children[0], items[i], i == 0 ? rep : static_cast<uint16_t>(list.rep_level),
              static_cast<uint16_t>(list.def_level), sink);
      return;
    }
    case HiveKind::kMap: {
      const SchemaNode& kv = n.children[0];
      const auto& items = v.items();
      if (items.size() < 2) return emit_absent(n, rep, here, sink);
      for (size_t i = 0; i + 1 < items.size(); i += 2) {
        auto r = i == 0 ? rep : static_cast<uint16_t>(kv.rep_level);
        shred(kv.children[0], items[i], r, static_cast<uint16_t>(kv.def_level), sink);
        shred(kv.children[1], items[i + 1], r, static_cast<uint16_t>(kv.def_level), sink);
      }
      return;
    }
    default:
      for (size_t i = 0; i < n.children.size(); ++i) shred(n.children[i], v.items()[i], rep, here, sink);
      return;
  }
}

}  // namespace

Status check_row(const Schema& schema, const Value& row) {
  const auto& columns = schema.root().children;
  if (row.kind() != Value::Kind::kStruct || row.items().size() != columns.size())
    return Status::invalid_argument("a row must be a struct of " + std::to_string(columns.size()) + " columns");
  for (size_t i = 0; i < columns.size(); ++i) {
    std::string path;
    std::string err = check(schema.column_types()[i], row.items()[i], &path);
    if (!err.empty())
      return Status::invalid_argument("column '" + columns[i].name + (path.empty() ? "" : "." + path) + "': " + err);
  }
  return Status::ok();
}

void shred_row(const Schema& schema, const Value& row, LevelSink& sink) {
  const auto& columns = schema.root().children;
  for (size_t i = 0; i < columns.size(); ++i) shred(columns[i], row.items()[i], 0, 0, sink);
}

}  // namespace runnel::parquet
