#pragma once
// Catalog: the Glue Data Catalog runnel keeps, one per server (the account's
// catalog): databases, their tables, and each table's archived versions, in
// memory and in the MetadataStore (glue/persistence.h). It runs the served
// operations on typed shapes (the GlueService turns requests into these
// calls), and offers other services, in process, the one read they need:
// table(), a table's schema (Firehose's record format conversion).
//
// Durability: a change is answered only after its documents are written to
// the MetadataStore (durable when put() returns). A change that writes
// several documents orders them so that a crash between them leaves a state
// load() completes or undoes (docs/glue.md, "Metadata").
//
// Threads: every method may be called from any thread, concurrently; one
// mutex guards the catalog and is held across the MetadataStore writes of a
// change (the store's own lock is taken inside; the store never calls back).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "glue_shapes.h"
#include "protocol/api_error.h"
#include "storage/metadata_store.h"

namespace runnel::glue {

struct CatalogOptions {
  std::string account_id = "000000000000";  // the catalog's id (CatalogId)
  std::string region = "us-east-1";         // for AccessDeniedException's ARN
};

// One column of a table's schema, as StorageDescriptor.Columns and
// PartitionKeys hold it: its name, its Hive type string ("int",
// "array<struct<a:string>>", "decimal(10,2)", ...; empty when the table
// gives none) and its comment (empty when none).
struct ColumnSchema {
  std::string name;
  std::string type;
  std::string comment;
  bool operator==(const ColumnSchema&) const = default;
};

// What a reader of a table's data needs from the catalog.
struct TableSchema {
  std::string database;                                               // lowercase, as the catalog keeps it
  std::string table;                                                  // lowercase
  std::string version_id;                                             // the version read ("0", "1", ...)
  std::vector<ColumnSchema> columns;                                  // StorageDescriptor.Columns, in order
  std::vector<ColumnSchema> partition_keys;                           // PartitionKeys, in order
  std::string location;                                               // StorageDescriptor.Location, or empty
  std::string input_format, output_format;                            // StorageDescriptor's, or empty
  std::string serialization_library;                                  // StorageDescriptor.SerdeInfo's, or empty
  std::vector<std::pair<std::string, std::string>> serde_parameters;  // SerdeInfo.Parameters
  std::vector<std::pair<std::string, std::string>> parameters;        // the table's Parameters
};

// A copy of `t` (the generated Table is move-only: TableStatus holds a
// Table through a unique_ptr), by encoding and decoding it.
api::Table copy_table(const api::Table& t);

class Catalog {
 public:
  // `metadata` must outlive the catalog.
  Catalog(CatalogOptions options, storage::MetadataStore& metadata);
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Loads the catalog from the metadata store, finishing what a crash left
  // half done (tables of a deleted database, versions of a deleted table,
  // an archive written for an update that was not). Call once, before use.
  Status load() EXCLUDES(mu_);

  // The schema of `database`.`table` (names in any case) at `version_id`
  // (nullopt: the current version). `catalog_id` empty means this account's
  // catalog. Errors: not_found with Glue's message ("Database foo not
  // found.", "Table bar not found.", "Version 3 of table bar not found."),
  // invalid_argument for another account's catalog or a malformed version id.
  Result<TableSchema> table(std::string_view catalog_id, std::string_view database, std::string_view table,
                            std::optional<std::string_view> version_id = std::nullopt) const EXCLUDES(mu_);

  // The served operations (AWS's semantics and errors, docs/glue.md). The
  // caller has checked CatalogId (check_catalog_id).
  protocol::ApiResult<void> create_database(const api::CreateDatabaseRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<api::GetDatabaseResponse> get_database(const api::GetDatabaseRequest& in) const EXCLUDES(mu_);
  protocol::ApiResult<api::GetDatabasesResponse> get_databases(const api::GetDatabasesRequest& in) const EXCLUDES(mu_);
  protocol::ApiResult<void> update_database(const api::UpdateDatabaseRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<void> delete_database(const api::DeleteDatabaseRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<void> create_table(const api::CreateTableRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<api::GetTableResponse> get_table(const api::GetTableRequest& in) const EXCLUDES(mu_);
  protocol::ApiResult<api::GetTablesResponse> get_tables(const api::GetTablesRequest& in) const EXCLUDES(mu_);
  protocol::ApiResult<void> update_table(const api::UpdateTableRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<void> delete_table(const api::DeleteTableRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<api::BatchDeleteTableResponse> batch_delete_table(const api::BatchDeleteTableRequest& in)
      EXCLUDES(mu_);
  protocol::ApiResult<api::GetTableVersionResponse> get_table_version(const api::GetTableVersionRequest& in) const
      EXCLUDES(mu_);
  protocol::ApiResult<api::GetTableVersionsResponse> get_table_versions(const api::GetTableVersionsRequest& in) const
      EXCLUDES(mu_);
  protocol::ApiResult<void> delete_table_version(const api::DeleteTableVersionRequest& in) EXCLUDES(mu_);
  protocol::ApiResult<api::BatchDeleteTableVersionResponse> batch_delete_table_version(
      const api::BatchDeleteTableVersionRequest& in) EXCLUDES(mu_);

  // nullopt when `catalog_id` (absent, or this account's id) names this
  // catalog; else the AccessDeniedException AWS answers a caller without
  // rights in another account's catalog, for operation `op`.
  std::optional<protocol::ApiError> check_catalog_id(const std::optional<std::string>& catalog_id,
                                                     std::string_view op) const;

  const CatalogOptions& options() const { return options_; }

  // Wall clock in epoch ms; tests may replace it before use.
  std::function<int64_t()> now_ms;

 private:
  struct TableEntry {
    api::Table current;                     // VersionId is current's version
    int64_t version = 0;                    // current's VersionId as a number
    std::map<int64_t, api::Table> archive;  // older versions, by VersionId
  };
  struct DatabaseEntry {
    api::Database database;
    std::map<std::string, TableEntry> tables;  // by lowercase name
  };

  const DatabaseEntry* find_database_locked(std::string_view name) const REQUIRES(mu_);
  DatabaseEntry* find_database_locked(std::string_view name) REQUIRES(mu_);
  // The table, or EntityNotFoundException for the database or the table.
  protocol::ApiResult<const TableEntry*> find_table_locked(std::string_view database, std::string_view table) const
      REQUIRES(mu_);
  protocol::ApiResult<TableEntry*> find_table_locked(std::string_view database, std::string_view table) REQUIRES(mu_);
  // Removes a table and its archive from the store and from `db`.
  protocol::ApiResult<void> remove_table_locked(DatabaseEntry& db, const std::string& table) REQUIRES(mu_);
  // The table a TableInput describes, as GetTable answers it.
  api::Table table_from_input(const api::TableInput& in, const std::string& database, int64_t version,
                              int64_t create_ms, int64_t update_ms) const;
  // A store failure as the client sees it (InternalServiceException).
  static protocol::ApiError store_error(const Status& st);

  CatalogOptions options_;
  storage::MetadataStore& metadata_;

  mutable Mutex mu_;
  std::map<std::string, DatabaseEntry> databases_ GUARDED_BY(mu_);  // by lowercase name
};

}  // namespace runnel::glue
