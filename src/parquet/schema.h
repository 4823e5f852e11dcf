#pragma once
// A Parquet schema built from a Glue table's columns (name + Hive type), laid
// out as Hive's ParquetHiveSerDe lays it out (the type mapping table is in
// docs/parquet.md). Immutable once built; safe to share between threads.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/format.h"
#include "parquet/hive_type.h"

namespace runnel::parquet {

// One column as StorageDescriptor.Columns gives it.
struct ColumnSpec {
  std::string name;
  std::string type;  // a Hive type string
};

// A node of the Parquet schema tree (a SchemaElement of the footer).
struct SchemaNode {
  std::string name;
  Repetition repetition = Repetition::kOptional;
  bool is_leaf = false;
  PhysicalType physical = PhysicalType::kBoolean;  // leaves
  int32_t type_length = 0;                         // FIXED_LEN_BYTE_ARRAY
  ConvertedType converted = ConvertedType::kNone;
  LogicalKind logical = LogicalKind::kNone;
  int32_t precision = 0, scale = 0;  // DECIMAL
  int8_t int_bits = 0;               // INTEGER(bits, signed)
  std::vector<SchemaNode> children;

  // Derived: the definition and repetition levels a value at this node has
  // when it is present, and the leaves under it, [first_leaf, end_leaf).
  int def_level = 0;
  int rep_level = 0;
  int first_leaf = 0;
  int end_leaf = 0;
  // The Hive type this node stands for; for the synthetic groups of
  // array/map (`list`, `key_value`) the container's type.
  const HiveType* hive = nullptr;
};

// A leaf column of the schema: one column chunk per row group.
struct LeafColumn {
  const SchemaNode* node = nullptr;
  std::vector<std::string> path;  // path_in_schema
  int max_def = 0;
  int max_rep = 0;
};

class Schema {
 public:
  // Parses every column's type and builds the tree. Column and struct field
  // names are lower-cased (as Hive does); duplicate names, empty names and
  // bad types are kInvalidArgument naming the column.
  static Result<std::shared_ptr<const Schema>> from_columns(const std::vector<ColumnSpec>& columns);

  // The root group ("hive_schema"); its children are the top-level columns.
  const SchemaNode& root() const { return root_; }
  const std::vector<LeafColumn>& leaves() const { return leaves_; }
  // The top-level columns' Hive types, in order.
  const std::vector<HiveType>& column_types() const { return types_; }
  // Depth-first count of nodes, root included (the footer's schema list).
  size_t node_count() const { return node_count_; }

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  Schema() = default;
  void derive(SchemaNode& n, int def, int rep, std::vector<std::string>& path);

  std::vector<HiveType> types_;
  SchemaNode root_;
  std::vector<LeafColumn> leaves_;
  size_t node_count_ = 0;
};

// The byte length Hive gives decimal(p, *): the least n with 2^(8n-1) > 10^p - 1.
int decimal_byte_length(int precision);

}  // namespace runnel::parquet
