#pragma once
// How the catalog is kept in the MetadataStore (format in docs/glue.md,
// "Metadata"): one JSON document per database, per table (its current
// version) and per archived table version, each the shape GetDatabase /
// GetTable answers with (Database, Table), timestamps as epoch milliseconds:
//
//   kind "glue.database"       key <database>
//   kind "glue.table"          key <database> 0x1F <table>
//   kind "glue.table_version"  key <database> 0x1F <table> 0x1F <version, 20 digits>
//
// Names are the catalog's lowercase names; 0x1F (unit separator) cannot
// occur in them (the model's NameString pattern starts at U+0020, plus tab).
//
// Threads: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "glue_shapes.h"

namespace runnel::glue {

inline constexpr std::string_view kDatabaseKind = "glue.database";
inline constexpr std::string_view kTableKind = "glue.table";
inline constexpr std::string_view kTableVersionKind = "glue.table_version";

std::string database_key(std::string_view database);
std::string table_key(std::string_view database, std::string_view table);
std::string table_version_key(std::string_view database, std::string_view table, int64_t version);

std::string encode_database(const api::Database& db);
Result<api::Database> decode_database(std::string_view json);
std::string encode_table(const api::Table& table);
Result<api::Table> decode_table(std::string_view json);

}  // namespace runnel::glue
