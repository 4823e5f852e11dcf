// Catalog's in-process interface (table()) and load()'s repair of what a
// crash between two metadata writes leaves.
#include "glue/catalog.h"

#include <gtest/gtest.h>

#include "glue/glue_test_support.h"
#include "glue/persistence.h"

namespace runnel::glue {
namespace {

class CatalogTest : public GlueFixture {
 protected:
  void make_events() {
    ok("CreateDatabase", R"({"DatabaseInput":{"Name":"Analytics"}})");
    ok("CreateTable", R"({"DatabaseName":"analytics","TableInput":{"Name":"Events","Parameters":{"p":"1"},
        "StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint","Comment":"the id"},
            {"Name":"payload","Type":"struct<a:int,b:array<string>>"},{"Name":"untyped"}],
          "Location":"s3://b/events/","InputFormat":"in.Format","OutputFormat":"out.Format",
          "SerdeInfo":{"SerializationLibrary":"org.openx.data.jsonserde.JsonSerDe","Parameters":{"case.insensitive":"true"}}},
        "PartitionKeys":[{"Name":"dt","Type":"string","Comment":"day"}]}})");
  }
  size_t stored(std::string_view kind) {
    auto all = metadata_->load_all(kind);
    EXPECT_TRUE(all.has_value());
    return all ? all->size() : 0;
  }
};

TEST_F(CatalogTest, TableGivesColumnsPartitionKeysAndStorage) {
  make_events();
  auto s = catalog_->table("", "ANALYTICS", "events");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->database, "analytics");
  EXPECT_EQ(s->table, "events");
  EXPECT_EQ(s->version_id, "0");
  EXPECT_EQ(s->columns,
            (std::vector<ColumnSchema>{
                {"id", "bigint", "the id"}, {"payload", "struct<a:int,b:array<string>>", ""}, {"untyped", "", ""}}));
  EXPECT_EQ(s->partition_keys, (std::vector<ColumnSchema>{{"dt", "string", "day"}}));
  EXPECT_EQ(s->location, "s3://b/events/");
  EXPECT_EQ(s->input_format, "in.Format");
  EXPECT_EQ(s->output_format, "out.Format");
  EXPECT_EQ(s->serialization_library, "org.openx.data.jsonserde.JsonSerDe");
  ASSERT_EQ(s->serde_parameters.size(), 1u);
  EXPECT_EQ(s->serde_parameters[0].first, "case.insensitive");
  ASSERT_EQ(s->parameters.size(), 1u);
  // This account's id is the same catalog as none.
  EXPECT_TRUE(catalog_->table("000000000000", "analytics", "events").has_value());
}

TEST_F(CatalogTest, TableReadsOlderVersionsByVersionId) {
  make_events();
  ok("UpdateTable", R"({"DatabaseName":"analytics","TableInput":{"Name":"events",
      "StorageDescriptor":{"Columns":[{"Name":"id","Type":"string"}]}}})");
  auto current = catalog_->table("", "analytics", "events");
  ASSERT_TRUE(current);
  EXPECT_EQ(current->version_id, "1");
  EXPECT_EQ(current->columns, (std::vector<ColumnSchema>{{"id", "string", ""}}));
  EXPECT_TRUE(current->partition_keys.empty());
  auto old = catalog_->table("", "analytics", "events", "0");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->version_id, "0");
  EXPECT_EQ(old->columns.size(), 3u);
  auto by_current_id = catalog_->table("", "analytics", "events", "1");
  ASSERT_TRUE(by_current_id);
  EXPECT_EQ(by_current_id->columns, current->columns);
}

TEST_F(CatalogTest, TableErrorsSayWhatIsMissing) {
  make_events();
  auto no_db = catalog_->table("", "nope", "events");
  ASSERT_FALSE(no_db);
  EXPECT_EQ(no_db.error().code(), Status::Code::kNotFound);
  EXPECT_EQ(no_db.error().message(), "Database nope not found.");
  auto no_table = catalog_->table("", "analytics", "nope");
  ASSERT_FALSE(no_table);
  EXPECT_EQ(no_table.error().message(), "Table nope not found.");
  auto no_version = catalog_->table("", "analytics", "events", "7");
  ASSERT_FALSE(no_version);
  EXPECT_EQ(no_version.error().code(), Status::Code::kNotFound);
  EXPECT_EQ(no_version.error().message(), "Version 7 of table events not found.");
  auto bad_version = catalog_->table("", "analytics", "events", "seven");
  ASSERT_FALSE(bad_version);
  EXPECT_EQ(bad_version.error().code(), Status::Code::kInvalidArgument);
  auto other = catalog_->table("111122223333", "analytics", "events");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), Status::Code::kInvalidArgument);
}

TEST_F(CatalogTest, DocumentsAreKeyedAsDocumented) {
  make_events();
  ok("UpdateTable", R"({"DatabaseName":"analytics","TableInput":{"Name":"events"}})");
  auto dbs = metadata_->load_all(kDatabaseKind);
  ASSERT_TRUE(dbs && dbs->size() == 1u);
  EXPECT_EQ((*dbs)[0].first, "analytics");
  auto tables = metadata_->load_all(kTableKind);
  ASSERT_TRUE(tables && tables->size() == 1u);
  EXPECT_EQ((*tables)[0].first, std::string("analytics\x1f") + "events");
  auto versions = metadata_->load_all(kTableVersionKind);
  ASSERT_TRUE(versions && versions->size() == 1u);
  EXPECT_EQ((*versions)[0].first, std::string("analytics\x1f") + "events\x1f" + "00000000000000000000");
  // Timestamps as epoch milliseconds.
  EXPECT_NE((*dbs)[0].second.find("\"CreateTime\":" + std::to_string(clock_ms_)), std::string::npos)
      << (*dbs)[0].second;
}

// A crash between DeleteDatabase's first write (the database document) and
// the last leaves table documents without a database; between DeleteTable's
// first write and the last, versions without a table; between UpdateTable's
// archive write and its table write, an archive of the current version.
TEST_F(CatalogTest, LoadFinishesWhatACrashLeftHalfDone) {
  make_events();
  ok("CreateDatabase", R"({"DatabaseInput":{"Name":"other"}})");
  ok("CreateTable", R"({"DatabaseName":"other","TableInput":{"Name":"t"}})");
  ok("UpdateTable", R"({"DatabaseName":"other","TableInput":{"Name":"t"}})");
  ok("UpdateTable", R"({"DatabaseName":"analytics","TableInput":{"Name":"events","Description":"v1"}})");
  auto current = metadata_->load_all(kTableKind);
  ASSERT_TRUE(current);
  // The half-done changes, written the way the catalog writes them.
  ASSERT_TRUE(metadata_->remove(kDatabaseKind, database_key("other")));  // DeleteDatabase("other"), first write
  auto events = decode_table(metadata_->load_all(kTableKind)->front().second);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->version_id, "1");
  // UpdateTable(events) that archived version 1 and died before writing version 2.
  ASSERT_TRUE(metadata_->put(kTableVersionKind, table_version_key("analytics", "events", 1), encode_table(*events)));
  // Versions of an earlier "gone" table, whose table document is gone.
  ASSERT_TRUE(metadata_->put(kTableVersionKind, table_version_key("analytics", "gone", 0), encode_table(*events)));
  EXPECT_EQ(stored(kTableVersionKind), 4u);  // events 0 and 1, other.t 0, gone 0

  reopen();
  EXPECT_EQ(error_type("GetDatabase", R"({"Name":"other"})"), "EntityNotFoundException");
  EXPECT_EQ(stored(kTableKind), 1u);         // other.t removed
  EXPECT_EQ(stored(kTableVersionKind), 1u);  // only events 0 left
  auto versions = json("GetTableVersions", R"({"DatabaseName":"analytics","TableName":"events"})");
  EXPECT_NE(versions.find(R"("VersionId":"1"},{"Table")"), std::string::npos) << versions;
  auto v = catalog_->table("", "analytics", "events");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->version_id, "1");
  // The next update archives 1 again and becomes 2.
  ok("UpdateTable", R"({"DatabaseName":"analytics","TableInput":{"Name":"events"}})");
  EXPECT_EQ(catalog_->table("", "analytics", "events")->version_id, "2");
  EXPECT_EQ(stored(kTableVersionKind), 2u);
}

}  // namespace
}  // namespace runnel::glue
