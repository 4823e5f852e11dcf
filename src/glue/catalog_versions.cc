// The table version operations of Catalog (catalog.h): GetTableVersion,
// GetTableVersions, DeleteTableVersion, BatchDeleteTableVersion.
#include "glue/catalog.h"
#include "glue/errors.h"
#include "glue/names.h"
#include "glue/persistence.h"

namespace runnel::glue {

namespace {

constexpr int32_t kDefaultPageSize = 100;

protocol::ApiError version_not_found(std::string_view version, std::string_view table) {
  return entity_not_found("Version " + std::string(version) + " of table " + std::string(table) + " not found.");
}

api::TableVersion version_of(const api::Table& t) {
  api::TableVersion v;
  v.table = copy_table(t);
  v.version_id = t.version_id;
  return v;
}

}  // namespace

protocol::ApiResult<api::GetTableVersionResponse> Catalog::get_table_version(
    const api::GetTableVersionRequest& in) const {
  std::optional<int64_t> wanted;
  if (in.version_id) {
    auto v = parse_version_id(*in.version_id);
    if (!v) return std::unexpected(v.error());
    wanted = *v;
  }
  MutexLock lock(mu_);
  auto found = find_table_locked(in.database_name, in.table_name);
  if (!found) return std::unexpected(found.error());
  const TableEntry& entry = **found;
  api::GetTableVersionResponse out;
  if (!wanted || *wanted == entry.version) {
    out.table_version = version_of(entry.current);
    return out;
  }
  auto it = entry.archive.find(*wanted);
  if (it == entry.archive.end()) return std::unexpected(version_not_found(*in.version_id, in.table_name));
  out.table_version = version_of(it->second);
  return out;
}

protocol::ApiResult<api::GetTableVersionsResponse> Catalog::get_table_versions(
    const api::GetTableVersionsRequest& in) const {
  // Newest first: the current version, then the archive from the latest.
  std::optional<int64_t> before;
  if (in.next_token) {
    auto token = read_token(*in.next_token);
    if (!token) return std::unexpected(token.error());
    auto v = parse_version_id(*token);
    if (!v) return std::unexpected(invalid_input("Invalid NextToken."));
    before = *v;
  }
  const size_t page = static_cast<size_t>(in.max_results.value_or(kDefaultPageSize));
  MutexLock lock(mu_);
  auto found = find_table_locked(in.database_name, in.table_name);
  if (!found) return std::unexpected(found.error());
  const TableEntry& entry = **found;
  std::vector<const api::Table*> all;
  all.reserve(entry.archive.size() + 1);
  all.push_back(&entry.current);
  for (auto it = entry.archive.rbegin(); it != entry.archive.rend(); ++it) all.push_back(&it->second);
  api::GetTableVersionsResponse out;
  out.table_versions.emplace();
  for (const api::Table* t : all) {
    const int64_t v = parse_version_id(t->version_id.value_or("0")).value_or(0);
    if (before && v >= *before) continue;
    if (out.table_versions->size() == page) {
      out.next_token = make_token(*out.table_versions->back().version_id);
      break;
    }
    out.table_versions->push_back(version_of(*t));
  }
  return out;
}

protocol::ApiResult<void> Catalog::delete_table_version(const api::DeleteTableVersionRequest& in) {
  auto v = parse_version_id(in.version_id);
  if (!v) return std::unexpected(v.error());
  MutexLock lock(mu_);
  auto found = find_table_locked(in.database_name, in.table_name);
  if (!found) return std::unexpected(found.error());
  TableEntry& entry = **found;
  if (*v == entry.version) {
    return std::unexpected(invalid_input("Cannot delete the current version " + in.version_id + " of table " +
                                         entry.current.name + "; DeleteTable deletes the table."));
  }
  if (!entry.archive.contains(*v)) return std::unexpected(version_not_found(in.version_id, in.table_name));
  const std::string& database = entry.current.database_name.value();
  if (Status st = metadata_.remove(kTableVersionKind, table_version_key(database, entry.current.name, *v)); !st) {
    return std::unexpected(store_error(st));
  }
  entry.archive.erase(*v);
  return {};
}

protocol::ApiResult<api::BatchDeleteTableVersionResponse> Catalog::batch_delete_table_version(
    const api::BatchDeleteTableVersionRequest& in) {
  {
    MutexLock lock(mu_);
    if (auto found = find_table_locked(in.database_name, in.table_name); !found) {
      return std::unexpected(found.error());
    }
  }
  api::BatchDeleteTableVersionResponse out;
  out.errors.emplace();
  for (const std::string& version : in.version_ids) {
    api::DeleteTableVersionRequest one;
    one.database_name = in.database_name;
    one.table_name = in.table_name;
    one.version_id = version;
    if (auto removed = delete_table_version(one); !removed) {
      api::TableVersionError e;
      e.table_name = in.table_name;
      e.version_id = version;
      e.error_detail = error_detail(removed.error());
      out.errors->push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace runnel::glue
