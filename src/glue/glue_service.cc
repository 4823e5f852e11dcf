#include "glue/glue_service.h"

#include <string>
#include <utility>

#include "glue/errors.h"
#include "glue/model.h"

namespace runnel::glue {

namespace {

// The operations served, for the answer to the others.
constexpr std::string_view kServed =
    "CreateDatabase, GetDatabase, GetDatabases, UpdateDatabase, DeleteDatabase, CreateTable, GetTable, GetTables, "
    "UpdateTable, DeleteTable, BatchDeleteTable, GetTableVersion, GetTableVersions, DeleteTableVersion and "
    "BatchDeleteTableVersion";

// Glue answers {} for operations whose output structure has no members
// (CreateDatabase, DeleteTable, ...): ApiResult<void> becomes NoOutput.
template <class Out>
protocol::ApiResult<Out> as_output(protocol::ApiResult<Out> r) {
  return r;
}
protocol::ApiResult<protocol::NoOutput> as_output(protocol::ApiResult<void> r) {
  if (!r) return std::unexpected(std::move(r.error()));
  return protocol::NoOutput{};
}

}  // namespace

GlueService::GlueService(Catalog& catalog) : catalog_(catalog) {}

protocol::OperationTable GlueService::operations() {
  // Each operation checks CatalogId first (another account's catalog is
  // AccessDeniedException, as AWS answers a caller without rights there),
  // then runs on the catalog, on the calling net/ thread.
  // The handlers hold the catalog itself: a `this` captured by a lambda
  // nested in a template lambda pointed at the outer closure (a local of
  // this function, gone when a handler runs) in GCC 12's code, which UBSan
  // caught in the ASan run of these tests.
  Catalog* catalog = &catalog_;
  auto serve = [catalog]<class In, class R>(std::string_view op, R (Catalog::*fn)(const In&)) {
    using Out = typename decltype(as_output(std::declval<R>()))::value_type;
    return protocol::typed<In, Out>([catalog, op, fn](const In& in, const protocol::RequestContext&) {
      if (auto denied = catalog->check_catalog_id(in.catalog_id, op)) {
        return protocol::ApiResult<Out>(std::unexpected(std::move(*denied)));
      }
      return protocol::ApiResult<Out>(as_output((catalog->*fn)(in)));
    });
  };
  auto serve_const = [catalog]<class In, class R>(std::string_view op, R (Catalog::*fn)(const In&) const) {
    using Out = typename R::value_type;
    return protocol::typed<In, Out>([catalog, op, fn](const In& in, const protocol::RequestContext&) {
      if (auto denied = catalog->check_catalog_id(in.catalog_id, op)) {
        return protocol::ApiResult<Out>(std::unexpected(std::move(*denied)));
      }
      return (catalog->*fn)(in);
    });
  };
  protocol::OperationTable table(glue_model());
  table.on("CreateDatabase", serve("CreateDatabase", &Catalog::create_database))
      .on("GetDatabase", serve_const("GetDatabase", &Catalog::get_database))
      .on("GetDatabases", serve_const("GetDatabases", &Catalog::get_databases))
      .on("UpdateDatabase", serve("UpdateDatabase", &Catalog::update_database))
      .on("DeleteDatabase", serve("DeleteDatabase", &Catalog::delete_database))
      .on("CreateTable", serve("CreateTable", &Catalog::create_table))
      .on("GetTable", serve_const("GetTable", &Catalog::get_table))
      .on("GetTables", serve_const("GetTables", &Catalog::get_tables))
      .on("UpdateTable", serve("UpdateTable", &Catalog::update_table))
      .on("DeleteTable", serve("DeleteTable", &Catalog::delete_table))
      .on("BatchDeleteTable", serve("BatchDeleteTable", &Catalog::batch_delete_table))
      .on("GetTableVersion", serve_const("GetTableVersion", &Catalog::get_table_version))
      .on("GetTableVersions", serve_const("GetTableVersions", &Catalog::get_table_versions))
      .on("DeleteTableVersion", serve("DeleteTableVersion", &Catalog::delete_table_version))
      .on("BatchDeleteTableVersion", serve("BatchDeleteTableVersion", &Catalog::batch_delete_table_version))
      .otherwise([](const protocol::OperationModel& op, protocol::Value, const protocol::RequestContext&,
                    protocol::OperationReply reply) {
        // Jobs, crawlers, partitions, connections, the schema registry...:
        // not served.
        reply(std::unexpected(invalid_input("runnel does not serve the Glue operation " + std::string(op.name) +
                                            "; it serves " + std::string(kServed) + ".")));
      });
  return table;
}

}  // namespace runnel::glue
