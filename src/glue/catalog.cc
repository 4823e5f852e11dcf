#include "glue/catalog.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "glue/errors.h"
#include "glue/names.h"
#include "glue/persistence.h"

namespace runnel::glue {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<ColumnSchema> columns_of(const std::optional<std::vector<api::Column>>& columns) {
  std::vector<ColumnSchema> out;
  if (!columns) return out;
  out.reserve(columns->size());
  for (const api::Column& c : *columns) out.push_back({c.name, c.type.value_or(""), c.comment.value_or("")});
  return out;
}

}  // namespace

api::Table copy_table(const api::Table& t) {
  api::Table out;
  // An encoded Table always decodes (it is the same shape).
  if (auto r = api::decode(api::encode(t), out); !r)
    spdlog::error("glue: copying table {}: {}", t.name, r.error().message);
  return out;
}

Catalog::Catalog(CatalogOptions options, storage::MetadataStore& metadata)
    : now_ms(wall_ms), options_(std::move(options)), metadata_(metadata) {}

protocol::ApiError Catalog::store_error(const Status& st) {
  spdlog::error("glue: metadata store: {}", st.to_string());
  return internal_service("Internal service error: the catalog could not be written.");
}

std::optional<protocol::ApiError> Catalog::check_catalog_id(const std::optional<std::string>& catalog_id,
                                                            std::string_view op) const {
  if (!catalog_id || *catalog_id == options_.account_id) return std::nullopt;
  return access_denied("User: arn:aws:iam::" + options_.account_id + ":root is not authorized to perform: glue:" +
                       std::string(op) + " on resource: arn:aws:glue:" + options_.region + ":" + *catalog_id +
                       ":catalog because no resource-based policy allows the glue:" + std::string(op) + " action");
}

const Catalog::DatabaseEntry* Catalog::find_database_locked(std::string_view name) const {
  auto it = databases_.find(lower_name(name));
  return it == databases_.end() ? nullptr : &it->second;
}

Catalog::DatabaseEntry* Catalog::find_database_locked(std::string_view name) {
  auto it = databases_.find(lower_name(name));
  return it == databases_.end() ? nullptr : &it->second;
}

protocol::ApiResult<const Catalog::TableEntry*> Catalog::find_table_locked(std::string_view database,
                                                                           std::string_view table) const {
  const DatabaseEntry* db = find_database_locked(database);
  if (!db) return std::unexpected(database_not_found(database));
  auto it = db->tables.find(lower_name(table));
  if (it == db->tables.end()) return std::unexpected(table_not_found(table));
  return &it->second;
}

protocol::ApiResult<Catalog::TableEntry*> Catalog::find_table_locked(std::string_view database,
                                                                     std::string_view table) {
  DatabaseEntry* db = find_database_locked(database);
  if (!db) return std::unexpected(database_not_found(database));
  auto it = db->tables.find(lower_name(table));
  if (it == db->tables.end()) return std::unexpected(table_not_found(table));
  return &it->second;
}

Status Catalog::load() {
  auto databases = metadata_.load_all(kDatabaseKind);
  if (!databases) return databases.error();
  auto tables = metadata_.load_all(kTableKind);
  if (!tables) return tables.error();
  auto versions = metadata_.load_all(kTableVersionKind);
  if (!versions) return versions.error();

  MutexLock lock(mu_);
  for (auto& [key, value] : *databases) {
    auto db = decode_database(value);
    if (!db) {
      spdlog::error("glue: skipping unreadable database document {}: {}", key, db.error().to_string());
      continue;
    }
    databases_[lower_name(db->name)].database = std::move(*db);
  }
  // Tables of a database deleted by a change a crash interrupted are removed
  // now (DeleteDatabase forgets the database first).
  for (auto& [key, value] : *tables) {
    auto t = decode_table(value);
    if (!t) {
      spdlog::error("glue: skipping unreadable table document {}: {}", key, t.error().to_string());
      continue;
    }
    DatabaseEntry* db = find_database_locked(t->database_name.value_or(""));
    auto version = parse_version_id(t->version_id.value_or(""));
    if (!db || !version) {
      if (Status st = metadata_.remove(kTableKind, key); !st) return st;
      continue;
    }
    TableEntry& entry = db->tables[lower_name(t->name)];
    entry.version = *version;
    entry.current = std::move(*t);
  }
  // Archived versions of a deleted table, of an earlier table of the same
  // name, or written for an update that never replaced the table, likewise.
  for (auto& [key, value] : *versions) {
    auto t = decode_table(value);
    bool keep = false;
    if (t) {
      auto found = find_table_locked(t->database_name.value_or(""), t->name);
      auto version = parse_version_id(t->version_id.value_or(""));
      if (found && version && *version < (*found)->version && t->create_time == (*found)->current.create_time) {
        (*found)->archive[*version] = std::move(*t);
        keep = true;
      }
    } else {
      spdlog::error("glue: dropping unreadable table version document {}: {}", key, t.error().to_string());
    }
    if (!keep) {
      if (Status st = metadata_.remove(kTableVersionKind, key); !st) return st;
    }
  }
  return Status::ok();
}

Result<TableSchema> Catalog::table(std::string_view catalog_id, std::string_view database, std::string_view table,
                                   std::optional<std::string_view> version_id) const {
  if (!catalog_id.empty()) {
    if (auto denied = check_catalog_id(std::string(catalog_id), "GetTable")) {
      return std::unexpected(Status::invalid_argument(denied->message));
    }
  }
  std::optional<int64_t> wanted;
  if (version_id) {
    auto v = parse_version_id(*version_id);
    if (!v) return std::unexpected(Status::invalid_argument(v.error().message));
    wanted = *v;
  }
  MutexLock lock(mu_);
  auto found = find_table_locked(database, table);
  if (!found) return std::unexpected(Status::not_found(found.error().message));
  const TableEntry& entry = **found;
  const api::Table* t = &entry.current;
  if (wanted && *wanted != entry.version) {
    auto it = entry.archive.find(*wanted);
    if (it == entry.archive.end()) {
      return std::unexpected(
          Status::not_found("Version " + std::string(*version_id) + " of table " + std::string(table) + " not found."));
    }
    t = &it->second;
  }
  TableSchema out;
  out.database = t->database_name.value_or("");
  out.table = t->name;
  out.version_id = t->version_id.value_or("");
  out.partition_keys = columns_of(t->partition_keys);
  if (const auto& sd = t->storage_descriptor) {
    out.columns = columns_of(sd->columns);
    out.location = sd->location.value_or("");
    out.input_format = sd->input_format.value_or("");
    out.output_format = sd->output_format.value_or("");
    if (sd->serde_info) {
      out.serialization_library = sd->serde_info->serialization_library.value_or("");
      out.serde_parameters = sd->serde_info->parameters.value_or(decltype(out.serde_parameters){});
    }
  }
  out.parameters = t->parameters.value_or(decltype(out.parameters){});
  return out;
}

}  // namespace runnel::glue
