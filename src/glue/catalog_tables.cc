// The table operations of Catalog (catalog.h): CreateTable, GetTable,
// GetTables, UpdateTable, DeleteTable, BatchDeleteTable.
#include <algorithm>

#include "glue/catalog.h"
#include "glue/errors.h"
#include "glue/names.h"
#include "glue/persistence.h"

namespace runnel::glue {

namespace {

constexpr int32_t kDefaultPageSize = 100;

}  // namespace

api::Table Catalog::table_from_input(const api::TableInput& in, const std::string& database, int64_t version,
                                     int64_t create_ms, int64_t update_ms) const {
  api::Table t;
  t.name = lower_name(in.name);
  t.database_name = database;
  t.description = in.description;
  t.owner = in.owner;
  t.create_time = protocol::Timestamp{create_ms};
  t.update_time = protocol::Timestamp{update_ms};
  t.last_access_time = in.last_access_time;
  t.last_analyzed_time = in.last_analyzed_time;
  t.retention = in.retention.value_or(0);
  t.storage_descriptor = in.storage_descriptor;
  t.partition_keys = in.partition_keys.value_or(std::vector<api::Column>{});
  t.view_original_text = in.view_original_text;
  t.view_expanded_text = in.view_expanded_text;
  t.table_type = in.table_type;
  t.parameters = in.parameters;
  t.is_registered_with_lake_formation = false;
  t.target_table = in.target_table;
  t.catalog_id = options_.account_id;
  t.version_id = std::to_string(version);
  return t;
}

protocol::ApiResult<void> Catalog::remove_table_locked(DatabaseEntry& db, const std::string& table) {
  auto it = db.tables.find(table);
  if (it == db.tables.end()) return {};
  const std::string& database = db.database.name;
  // The table document first: without it the table is gone, and load()
  // removes the archived versions a crash leaves behind.
  if (Status st = metadata_.remove(kTableKind, table_key(database, table)); !st) {
    return std::unexpected(store_error(st));
  }
  for (const auto& [version, _] : it->second.archive) {
    if (Status st = metadata_.remove(kTableVersionKind, table_version_key(database, table, version)); !st) {
      (void)store_error(st);  // logged; load() finishes the removal
    }
  }
  db.tables.erase(it);
  return {};
}

protocol::ApiResult<void> Catalog::create_table(const api::CreateTableRequest& in) {
  if (in.open_table_format_input) {
    return std::unexpected(
        invalid_input("runnel does not serve OpenTableFormatInput (Iceberg tables); give a TableInput."));
  }
  if (!in.table_input) return std::unexpected(invalid_input("TableInput is required."));
  const int64_t now = now_ms();
  MutexLock lock(mu_);
  DatabaseEntry* db = find_database_locked(in.database_name);
  if (!db) return std::unexpected(database_not_found(in.database_name));
  const std::string name = lower_name(in.table_input->name);
  if (db->tables.contains(name)) return std::unexpected(already_exists("Table already exists."));
  api::Table t = table_from_input(*in.table_input, db->database.name, 0, now, now);
  if (Status st = metadata_.put(kTableKind, table_key(db->database.name, name), encode_table(t)); !st) {
    return std::unexpected(store_error(st));
  }
  TableEntry& entry = db->tables[name];
  entry.current = std::move(t);
  entry.version = 0;
  return {};
}

protocol::ApiResult<api::GetTableResponse> Catalog::get_table(const api::GetTableRequest& in) const {
  MutexLock lock(mu_);
  auto found = find_table_locked(in.database_name, in.name);
  if (!found) return std::unexpected(found.error());
  api::GetTableResponse out;
  out.table = copy_table((*found)->current);
  return out;
}

protocol::ApiResult<api::GetTablesResponse> Catalog::get_tables(const api::GetTablesRequest& in) const {
  std::vector<std::string> attributes = in.attributes_to_get.value_or(std::vector<std::string>{});
  const bool some_attributes = in.attributes_to_get.has_value();
  if (some_attributes && std::find(attributes.begin(), attributes.end(), "NAME") == attributes.end()) {
    return std::unexpected(invalid_input("AttributesToGet must include NAME."));
  }
  const bool with_type = std::find(attributes.begin(), attributes.end(), "TABLE_TYPE") != attributes.end();
  std::optional<NameFilter> filter;
  if (in.expression && !in.expression->empty()) {
    auto parsed = NameFilter::parse(*in.expression);
    if (!parsed) return std::unexpected(parsed.error());
    filter = std::move(*parsed);
  }
  std::string after;
  if (in.next_token) {
    auto token = read_token(*in.next_token);
    if (!token) return std::unexpected(token.error());
    after = std::move(*token);
  }
  const size_t page = static_cast<size_t>(in.max_results.value_or(kDefaultPageSize));
  api::GetTablesResponse out;
  out.table_list.emplace();
  MutexLock lock(mu_);
  const DatabaseEntry* db = find_database_locked(in.database_name);
  if (!db) return std::unexpected(database_not_found(in.database_name));
  for (auto it = after.empty() ? db->tables.begin() : db->tables.upper_bound(after); it != db->tables.end(); ++it) {
    if (filter && !filter->matches(it->first)) continue;
    if (out.table_list->size() == page) {
      out.next_token = make_token(out.table_list->back().name);
      break;
    }
    if (some_attributes) {
      api::Table t;
      t.name = it->second.current.name;
      if (with_type) t.table_type = it->second.current.table_type;
      out.table_list->push_back(std::move(t));
    } else {
      out.table_list->push_back(copy_table(it->second.current));
    }
  }
  return out;
}

protocol::ApiResult<void> Catalog::update_table(const api::UpdateTableRequest& in) {
  if (in.update_open_table_format_input) {
    return std::unexpected(
        invalid_input("runnel does not serve UpdateOpenTableFormatInput (Iceberg tables); give a TableInput."));
  }
  if (!in.table_input) return std::unexpected(invalid_input("TableInput is required."));
  const int64_t now = now_ms();
  MutexLock lock(mu_);
  DatabaseEntry* db = find_database_locked(in.database_name);
  if (!db) return std::unexpected(database_not_found(in.database_name));
  const std::string name = lower_name(in.table_input->name);
  auto it = db->tables.find(name);
  if (it == db->tables.end()) return std::unexpected(table_not_found(in.table_input->name));
  TableEntry& entry = it->second;
  if (in.version_id && *in.version_id != entry.current.version_id.value_or("")) {
    return std::unexpected(concurrent_modification("Update table failed due to concurrent modifications."));
  }
  const int64_t version = entry.version + 1;
  api::Table t = table_from_input(*in.table_input, db->database.name, version,
                                  entry.current.create_time.value_or(protocol::Timestamp{}).millis, now);
  const bool archive = !in.skip_archive.value_or(false);
  // The archived copy first: a crash before the table document is written
  // leaves an archive of the current version, which load() drops.
  if (archive) {
    if (Status st = metadata_.put(kTableVersionKind, table_version_key(db->database.name, name, entry.version),
                                  encode_table(entry.current));
        !st) {
      return std::unexpected(store_error(st));
    }
  }
  if (Status st = metadata_.put(kTableKind, table_key(db->database.name, name), encode_table(t)); !st) {
    return std::unexpected(store_error(st));
  }
  if (archive) entry.archive[entry.version] = std::move(entry.current);
  entry.current = std::move(t);
  entry.version = version;
  return {};
}

protocol::ApiResult<void> Catalog::delete_table(const api::DeleteTableRequest& in) {
  MutexLock lock(mu_);
  DatabaseEntry* db = find_database_locked(in.database_name);
  if (!db) return std::unexpected(database_not_found(in.database_name));
  const std::string name = lower_name(in.name);
  if (!db->tables.contains(name)) return std::unexpected(table_not_found(in.name));
  return remove_table_locked(*db, name);
}

protocol::ApiResult<api::BatchDeleteTableResponse> Catalog::batch_delete_table(const api::BatchDeleteTableRequest& in) {
  MutexLock lock(mu_);
  DatabaseEntry* db = find_database_locked(in.database_name);
  if (!db) return std::unexpected(database_not_found(in.database_name));
  api::BatchDeleteTableResponse out;
  out.errors.emplace();
  for (const std::string& table : in.tables_to_delete) {
    const std::string name = lower_name(table);
    protocol::ApiResult<void> removed =
        db->tables.contains(name) ? remove_table_locked(*db, name) : std::unexpected(table_not_found(table));
    if (!removed) {
      api::TableError e;
      e.table_name = table;
      e.error_detail = error_detail(removed.error());
      out.errors->push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace runnel::glue
