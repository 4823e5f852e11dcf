// The database operations of Catalog (catalog.h): CreateDatabase,
// GetDatabase, GetDatabases, UpdateDatabase, DeleteDatabase.
#include <algorithm>

#include "glue/catalog.h"
#include "glue/errors.h"
#include "glue/names.h"
#include "glue/persistence.h"

namespace runnel::glue {

namespace {

constexpr int32_t kDefaultPageSize = 100;

// What GetDatabase answers for CreateTableDefaultPermissions when the
// database was created without it: Lake Formation's default, IAM access
// control only.
std::vector<api::PrincipalPermissions> default_permissions() {
  api::PrincipalPermissions p;
  p.principal.emplace().data_lake_principal_identifier = "IAM_ALLOWED_PRINCIPALS";
  p.permissions = std::vector<std::string>{"ALL"};
  return {std::move(p)};
}

// The database a DatabaseInput describes, as GetDatabase answers it.
api::Database database_from_input(const api::DatabaseInput& in, const std::string& catalog_id, int64_t create_ms) {
  api::Database db;
  db.name = lower_name(in.name);
  db.description = in.description;
  db.location_uri = in.location_uri;
  db.parameters = in.parameters;
  db.create_time = protocol::Timestamp{create_ms};
  db.create_table_default_permissions =
      in.create_table_default_permissions ? *in.create_table_default_permissions : default_permissions();
  db.target_database = in.target_database;
  db.catalog_id = catalog_id;
  db.federated_database = in.federated_database;
  return db;
}

}  // namespace

protocol::ApiResult<void> Catalog::create_database(const api::CreateDatabaseRequest& in) {
  const std::string name = lower_name(in.database_input.name);
  api::Database db = database_from_input(in.database_input, options_.account_id, now_ms());
  MutexLock lock(mu_);
  if (databases_.contains(name)) return std::unexpected(already_exists("Database already exists."));
  if (Status st = metadata_.put(kDatabaseKind, database_key(name), encode_database(db)); !st) {
    return std::unexpected(store_error(st));
  }
  databases_[name].database = std::move(db);
  return {};
}

protocol::ApiResult<api::GetDatabaseResponse> Catalog::get_database(const api::GetDatabaseRequest& in) const {
  MutexLock lock(mu_);
  const DatabaseEntry* db = find_database_locked(in.name);
  if (!db) return std::unexpected(database_not_found(in.name));
  api::GetDatabaseResponse out;
  out.database = db->database;
  return out;
}

protocol::ApiResult<api::GetDatabasesResponse> Catalog::get_databases(const api::GetDatabasesRequest& in) const {
  const bool names_only = in.attributes_to_get.has_value();
  if (names_only &&
      std::find(in.attributes_to_get->begin(), in.attributes_to_get->end(), "NAME") == in.attributes_to_get->end()) {
    return std::unexpected(invalid_input("AttributesToGet must include NAME."));
  }
  std::string after;
  if (in.next_token) {
    auto token = read_token(*in.next_token);
    if (!token) return std::unexpected(token.error());
    after = std::move(*token);
  }
  const size_t page = static_cast<size_t>(in.max_results.value_or(kDefaultPageSize));
  const std::string share = in.resource_share_type.value_or("");
  api::GetDatabasesResponse out;
  MutexLock lock(mu_);
  // Shared databases (FOREIGN) do not exist here: there is one account.
  if (share == "FOREIGN") return out;
  for (auto it = after.empty() ? databases_.begin() : databases_.upper_bound(after); it != databases_.end(); ++it) {
    const api::Database& db = it->second.database;
    if (share == "FEDERATED" && !db.federated_database) continue;
    if (out.database_list.size() == page) {
      out.next_token = make_token(out.database_list.back().name);
      break;
    }
    if (names_only) {
      api::Database name_only;
      name_only.name = db.name;
      out.database_list.push_back(std::move(name_only));
    } else {
      out.database_list.push_back(db);
    }
  }
  return out;
}

protocol::ApiResult<void> Catalog::update_database(const api::UpdateDatabaseRequest& in) {
  const std::string name = lower_name(in.name);
  if (lower_name(in.database_input.name) != name) {
    return std::unexpected(invalid_input("A database cannot be renamed: DatabaseInput.Name must be " + name + "."));
  }
  MutexLock lock(mu_);
  DatabaseEntry* entry = find_database_locked(name);
  if (!entry) return std::unexpected(database_not_found(in.name));
  // The input replaces the definition; the creation time stays.
  api::Database db = database_from_input(in.database_input, options_.account_id,
                                         entry->database.create_time.value_or(protocol::Timestamp{}).millis);
  if (Status st = metadata_.put(kDatabaseKind, database_key(name), encode_database(db)); !st) {
    return std::unexpected(store_error(st));
  }
  entry->database = std::move(db);
  return {};
}

protocol::ApiResult<void> Catalog::delete_database(const api::DeleteDatabaseRequest& in) {
  const std::string name = lower_name(in.name);
  MutexLock lock(mu_);
  DatabaseEntry* entry = find_database_locked(name);
  if (!entry) return std::unexpected(database_not_found(in.name));
  // The database document goes first: once it is gone the database is,
  // and load() removes whatever of its tables a crash leaves behind.
  if (Status st = metadata_.remove(kDatabaseKind, database_key(name)); !st) return std::unexpected(store_error(st));
  std::vector<std::string> tables;
  for (const auto& [table, _] : entry->tables) tables.push_back(table);
  for (const std::string& table : tables) {
    // A failure is logged (store_error); the database is gone for clients
    // all the same, and load() removes the documents left.
    (void)remove_table_locked(*entry, table);
  }
  databases_.erase(name);
  return {};
}

}  // namespace runnel::glue
