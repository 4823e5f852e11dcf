#pragma once
// Hive column types as a Glue table's StorageDescriptor.Columns spell them
// ("bigint", "decimal(10,2)", "array<struct<a:int,b:string>>", ...), parsed
// into a tree. docs/parquet.md lists what is accepted.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::parquet {

enum class HiveKind {
  kBoolean,
  kTinyint,
  kSmallint,
  kInt,
  kBigint,
  kFloat,
  kDouble,
  kDecimal,
  kString,
  kChar,
  kVarchar,
  kBinary,
  kTimestamp,
  kDate,
  kArray,
  kMap,
  kStruct,
};

struct HiveField;

struct HiveType {
  HiveKind kind = HiveKind::kString;
  int precision = 0;  // decimal
  int scale = 0;      // decimal
  int length = 0;     // char(n), varchar(n)
  // array: {element}; map: {key, value}.
  std::vector<HiveType> children;
  // struct: the fields in order, names lower-cased.
  std::vector<HiveField> fields;

  bool is_primitive() const { return kind != HiveKind::kArray && kind != HiveKind::kMap && kind != HiveKind::kStruct; }
};

struct HiveField {
  std::string name;
  HiveType type;
};

// Nesting deeper than this is refused (Hive has no limit; a bound keeps the
// recursive parser and writer off the end of the stack).
inline constexpr int kMaxHiveTypeDepth = 64;

// Parses one type string. Names are case-insensitive and spaces between
// tokens are allowed; `decimal` alone is decimal(10,0), `integer` is int.
// An invalid string gives kInvalidArgument with the offending position.
Result<HiveType> parse_hive_type(std::string_view text);

// The canonical spelling (lower case, no spaces): parse_hive_type of it gives
// the same type.
std::string to_string(const HiveType& t);

}  // namespace runnel::parquet
