// GlueService's operations over a real MetadataStore, called without HTTP
// (inputs go through the model's validator as the dispatcher's would).
#include "glue/glue_service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "glue/glue_test_support.h"

namespace runnel::glue {
namespace {

using protocol::Value;

// The member at a dotted path ("Table.StorageDescriptor.Location"), or null.
const Value* at(const Value& v, std::string_view path) {
  const Value* cur = &v;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (!cur->is_object()) return nullptr;
    cur = cur->find(key);
    if (!cur) return nullptr;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return cur;
}
std::string str(const Value& v, std::string_view path) {
  const Value* m = at(v, path);
  return m && m->is_string() ? m->as_string() : "<absent>";
}

class GlueServiceTest : public GlueFixture {
 protected:
  void create_db(std::string_view name) {
    ok("CreateDatabase", R"({"DatabaseInput":{"Name":")" + std::string(name) + R"("}})");
  }
  void create_table(std::string_view db, std::string_view name, std::string_view description = "v0") {
    ok("CreateTable", R"({"DatabaseName":")" + std::string(db) + R"(","TableInput":{"Name":")" + std::string(name) +
                          R"(","Description":")" + std::string(description) +
                          R"(","StorageDescriptor":{"Columns":[{"Name":"id","Type":"int"}]}}})");
  }
  void update_table(std::string_view db, std::string_view name, std::string_view description, bool skip = false) {
    ok("UpdateTable", R"({"DatabaseName":")" + std::string(db) + R"(","TableInput":{"Name":")" + std::string(name) +
                          R"(","Description":")" + std::string(description) + R"("},"SkipArchive":)" +
                          (skip ? "true" : "false") + "}");
  }
  std::vector<std::string> names(const Value& out, std::string_view list, std::string_view member = "Name") {
    std::vector<std::string> v;
    if (const Value* l = at(out, list); l && l->is_array())
      for (const Value& item : l->as_array()) v.push_back(str(item, member));
    return v;
  }
};

TEST_F(GlueServiceTest, EveryServedOperationHasAHandlerAndTheRestAnswerNotServed) {
  std::vector<std::string_view> unhandled = table_->unhandled();
  EXPECT_TRUE(unhandled.empty());  // otherwise() takes the rest
  auto r = call("GetPartitions", R"({"DatabaseName":"d","TableName":"t"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "InvalidInputException");
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_NE(r.error().message.find("runnel does not serve the Glue operation GetPartitions"), std::string::npos);
  EXPECT_EQ(error_type("CreateJob", R"({"Name":"j"})"), "InvalidInputException");
}

TEST_F(GlueServiceTest, DatabaseLifecycle) {
  ok("CreateDatabase",
     R"({"DatabaseInput":{"Name":"Sales","Description":"d1","LocationUri":"s3://b/sales","Parameters":{"k":"v"}}})");
  auto got = call("GetDatabase", R"({"Name":"SALES"})");
  ASSERT_TRUE(got);
  EXPECT_EQ(str(*got, "Database.Name"), "sales");  // kept lowercase, found in any case
  EXPECT_EQ(str(*got, "Database.Description"), "d1");
  EXPECT_EQ(str(*got, "Database.LocationUri"), "s3://b/sales");
  EXPECT_EQ(str(*got, "Database.Parameters.k"), "v");
  EXPECT_EQ(str(*got, "Database.CatalogId"), "000000000000");
  ASSERT_NE(at(*got, "Database.CreateTime"), nullptr);
  EXPECT_EQ(at(*got, "Database.CreateTime")->as_timestamp().millis, clock_ms_);
  EXPECT_EQ(protocol::encode_json(*at(*got, "Database.CreateTableDefaultPermissions")),
            R"([{"Principal":{"DataLakePrincipalIdentifier":"IAM_ALLOWED_PRINCIPALS"},"Permissions":["ALL"]}])");

  EXPECT_EQ(json("CreateDatabase", R"({"DatabaseInput":{"Name":"sales"}})"),
            "AlreadyExistsException: Database already exists.");
  EXPECT_EQ(json("GetDatabase", R"({"Name":"nope"})"), "EntityNotFoundException: Database nope not found.");

  clock_ms_ += 5000;
  ok("UpdateDatabase", R"({"Name":"sales","DatabaseInput":{"Name":"sales","Description":"d2"}})");
  got = call("GetDatabase", R"({"Name":"sales"})");
  ASSERT_TRUE(got);
  EXPECT_EQ(str(*got, "Database.Description"), "d2");
  EXPECT_EQ(str(*got, "Database.LocationUri"), "<absent>");  // the input replaces the definition
  EXPECT_EQ(at(*got, "Database.CreateTime")->as_timestamp().millis, clock_ms_ - 5000);
  EXPECT_EQ(error_type("UpdateDatabase", R"({"Name":"sales","DatabaseInput":{"Name":"other"}})"),
            "InvalidInputException");
  EXPECT_EQ(json("UpdateDatabase", R"({"Name":"nope","DatabaseInput":{"Name":"nope"}})"),
            "EntityNotFoundException: Database nope not found.");

  ok("DeleteDatabase", R"({"Name":"Sales"})");
  EXPECT_EQ(error_type("GetDatabase", R"({"Name":"sales"})"), "EntityNotFoundException");
  EXPECT_EQ(json("DeleteDatabase", R"({"Name":"sales"})"), "EntityNotFoundException: Database sales not found.");
}

TEST_F(GlueServiceTest, GetDatabasesPagesInNameOrder) {
  for (std::string_view n : {"d3", "d1", "d5", "d2", "d4"}) create_db(n);
  auto page1 = call("GetDatabases", R"({"MaxResults":2})");
  ASSERT_TRUE(page1);
  EXPECT_EQ(names(*page1, "DatabaseList"), (std::vector<std::string>{"d1", "d2"}));
  std::string token = str(*page1, "NextToken");
  auto page2 = call("GetDatabases", R"({"MaxResults":2,"NextToken":")" + token + R"("})");
  ASSERT_TRUE(page2);
  EXPECT_EQ(names(*page2, "DatabaseList"), (std::vector<std::string>{"d3", "d4"}));
  auto page3 = call("GetDatabases", R"({"MaxResults":2,"NextToken":")" + str(*page2, "NextToken") + R"("})");
  ASSERT_TRUE(page3);
  EXPECT_EQ(names(*page3, "DatabaseList"), (std::vector<std::string>{"d5"}));
  EXPECT_EQ(at(*page3, "NextToken"), nullptr);  // the last page has none
  auto all = call("GetDatabases", "{}");
  ASSERT_TRUE(all);
  EXPECT_EQ(names(*all, "DatabaseList").size(), 5u);
  EXPECT_EQ(error_type("GetDatabases", R"({"NextToken":"@@"})"), "InvalidInputException");
  // The model's bounds are the validator's: MaxResults 1..100.
  EXPECT_EQ(error_type("GetDatabases", R"({"MaxResults":101})"), "ValidationException");
  auto foreign = call("GetDatabases", R"({"ResourceShareType":"FOREIGN"})");
  ASSERT_TRUE(foreign);
  EXPECT_TRUE(names(*foreign, "DatabaseList").empty());
}

TEST_F(GlueServiceTest, TableLifecycle) {
  create_db("db");
  ok("CreateTable", R"({"DatabaseName":"DB","TableInput":{"Name":"Events","TableType":"EXTERNAL_TABLE",
      "Parameters":{"classification":"json"},
      "StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint","Comment":"the id"},{"Name":"tags","Type":"array<string>"}],
        "Location":"s3://b/events/","SerdeInfo":{"SerializationLibrary":"org.openx.data.jsonserde.JsonSerDe"}},
      "PartitionKeys":[{"Name":"dt","Type":"string"}]}})");
  auto got = call("GetTable", R"({"DatabaseName":"db","Name":"EVENTS"})");
  ASSERT_TRUE(got);
  EXPECT_EQ(str(*got, "Table.Name"), "events");
  EXPECT_EQ(str(*got, "Table.DatabaseName"), "db");
  EXPECT_EQ(str(*got, "Table.VersionId"), "0");
  EXPECT_EQ(str(*got, "Table.CatalogId"), "000000000000");
  EXPECT_EQ(str(*got, "Table.TableType"), "EXTERNAL_TABLE");
  EXPECT_EQ(str(*got, "Table.StorageDescriptor.Location"), "s3://b/events/");
  EXPECT_EQ(at(*got, "Table.CreateTime")->as_timestamp().millis, clock_ms_);
  EXPECT_EQ(at(*got, "Table.UpdateTime")->as_timestamp().millis, clock_ms_);
  EXPECT_EQ(at(*got, "Table.Retention")->as_int(), 0);
  EXPECT_FALSE(at(*got, "Table.IsRegisteredWithLakeFormation")->as_bool());
  EXPECT_EQ(protocol::encode_json(*at(*got, "Table.PartitionKeys")), R"([{"Name":"dt","Type":"string"}])");

  EXPECT_EQ(json("CreateTable", R"({"DatabaseName":"db","TableInput":{"Name":"events"}})"),
            "AlreadyExistsException: Table already exists.");
  EXPECT_EQ(json("CreateTable", R"({"DatabaseName":"nodb","TableInput":{"Name":"t"}})"),
            "EntityNotFoundException: Database nodb not found.");
  EXPECT_EQ(error_type("CreateTable", R"({"DatabaseName":"db"})"), "InvalidInputException");
  EXPECT_EQ(json("GetTable", R"({"DatabaseName":"db","Name":"nope"})"),
            "EntityNotFoundException: Table nope not found.");
  EXPECT_EQ(json("GetTable", R"({"DatabaseName":"nodb","Name":"t"})"),
            "EntityNotFoundException: Database nodb not found.");

  ok("DeleteTable", R"({"DatabaseName":"db","Name":"events"})");
  EXPECT_EQ(error_type("GetTable", R"({"DatabaseName":"db","Name":"events"})"), "EntityNotFoundException");
  EXPECT_EQ(json("DeleteTable", R"({"DatabaseName":"db","Name":"events"})"),
            "EntityNotFoundException: Table events not found.");
}

TEST_F(GlueServiceTest, UpdateTableVersionsAndArchive) {
  create_db("db");
  create_table("db", "t", "v0");
  const int64_t created = clock_ms_;
  clock_ms_ += 1000;
  update_table("db", "t", "v1");                 // archives 0
  update_table("db", "t", "v2", /*skip=*/true);  // does not archive 1
  update_table("db", "t", "v3");                 // archives 2
  auto got = call("GetTable", R"({"DatabaseName":"db","Name":"t"})");
  ASSERT_TRUE(got);
  EXPECT_EQ(str(*got, "Table.VersionId"), "3");
  EXPECT_EQ(str(*got, "Table.Description"), "v3");
  EXPECT_EQ(at(*got, "Table.CreateTime")->as_timestamp().millis, created);
  EXPECT_EQ(at(*got, "Table.UpdateTime")->as_timestamp().millis, clock_ms_);

  auto versions = call("GetTableVersions", R"({"DatabaseName":"db","TableName":"t"})");
  ASSERT_TRUE(versions);
  EXPECT_EQ(names(*versions, "TableVersions", "VersionId"), (std::vector<std::string>{"3", "2", "0"}));
  EXPECT_EQ(names(*versions, "TableVersions", "Table.Description"), (std::vector<std::string>{"v3", "v2", "v0"}));
  // Paging, newest first.
  auto p1 = call("GetTableVersions", R"({"DatabaseName":"db","TableName":"t","MaxResults":2})");
  ASSERT_TRUE(p1);
  EXPECT_EQ(names(*p1, "TableVersions", "VersionId"), (std::vector<std::string>{"3", "2"}));
  auto p2 = call("GetTableVersions", R"({"DatabaseName":"db","TableName":"t","MaxResults":2,"NextToken":")" +
                                         str(*p1, "NextToken") + R"("})");
  ASSERT_TRUE(p2);
  EXPECT_EQ(names(*p2, "TableVersions", "VersionId"), (std::vector<std::string>{"0"}));
  EXPECT_EQ(at(*p2, "NextToken"), nullptr);

  auto v0 = call("GetTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionId":"0"})");
  ASSERT_TRUE(v0);
  EXPECT_EQ(str(*v0, "TableVersion.VersionId"), "0");
  EXPECT_EQ(str(*v0, "TableVersion.Table.Description"), "v0");
  EXPECT_EQ(str(*v0, "TableVersion.Table.VersionId"), "0");
  auto current = call("GetTableVersion", R"({"DatabaseName":"db","TableName":"t"})");
  ASSERT_TRUE(current);
  EXPECT_EQ(str(*current, "TableVersion.VersionId"), "3");
  EXPECT_EQ(error_type("GetTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionId":"1"})"),
            "EntityNotFoundException");
  EXPECT_EQ(error_type("GetTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionId":"one"})"),
            "InvalidInputException");

  // A stale VersionId loses (optimistic concurrency), a current one wins.
  EXPECT_EQ(json("UpdateTable", R"({"DatabaseName":"db","VersionId":"2","TableInput":{"Name":"t"}})"),
            "ConcurrentModificationException: Update table failed due to concurrent modifications.");
  ok("UpdateTable", R"({"DatabaseName":"db","VersionId":"3","TableInput":{"Name":"t","Description":"v4"}})");
  EXPECT_EQ(json("UpdateTable", R"({"DatabaseName":"db","TableInput":{"Name":"nope"}})"),
            "EntityNotFoundException: Table nope not found.");

  // Versions 4 (current), 3, 2, 0.
  EXPECT_EQ(error_type("DeleteTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionId":"4"})"),
            "InvalidInputException");  // the current version stays
  ok("DeleteTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionId":"0"})");
  EXPECT_EQ(error_type("DeleteTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionId":"0"})"),
            "EntityNotFoundException");
  auto batch = call("BatchDeleteTableVersion", R"({"DatabaseName":"db","TableName":"t","VersionIds":["2","9","x"]})");
  ASSERT_TRUE(batch);
  EXPECT_EQ(protocol::encode_json(*batch),
            R"({"Errors":[{"TableName":"t","VersionId":"9","ErrorDetail":{"ErrorCode":"EntityNotFoundException",)"
            R"("ErrorMessage":"Version 9 of table t not found."}},{"TableName":"t","VersionId":"x","ErrorDetail":)"
            R"({"ErrorCode":"InvalidInputException","ErrorMessage":"Invalid version id: x."}}]})");
  versions = call("GetTableVersions", R"({"DatabaseName":"db","TableName":"t"})");
  ASSERT_TRUE(versions);
  EXPECT_EQ(names(*versions, "TableVersions", "VersionId"), (std::vector<std::string>{"4", "3"}));
  EXPECT_EQ(error_type("BatchDeleteTableVersion", R"({"DatabaseName":"db","TableName":"nope","VersionIds":["1"]})"),
            "EntityNotFoundException");
}

TEST_F(GlueServiceTest, GetTablesFiltersAndPages) {
  create_db("db");
  for (std::string_view t : {"sales_eu", "sales_us", "orders", "customers", "sales_asia"}) create_table("db", t);
  auto all = call("GetTables", R"({"DatabaseName":"db"})");
  ASSERT_TRUE(all);
  EXPECT_EQ(names(*all, "TableList"),
            (std::vector<std::string>{"customers", "orders", "sales_asia", "sales_eu", "sales_us"}));
  auto sales = call("GetTables", R"({"DatabaseName":"db","Expression":"sales*"})");
  ASSERT_TRUE(sales);
  EXPECT_EQ(names(*sales, "TableList"), (std::vector<std::string>{"sales_asia", "sales_eu", "sales_us"}));
  auto alt = call("GetTables", R"({"DatabaseName":"db","Expression":"orders|cust*"})");
  ASSERT_TRUE(alt);
  EXPECT_EQ(names(*alt, "TableList"), (std::vector<std::string>{"customers", "orders"}));
  // Paging through a filtered list.
  auto p1 = call("GetTables", R"({"DatabaseName":"db","Expression":"sales.*","MaxResults":2})");
  ASSERT_TRUE(p1);
  EXPECT_EQ(names(*p1, "TableList"), (std::vector<std::string>{"sales_asia", "sales_eu"}));
  auto p2 = call("GetTables", R"({"DatabaseName":"db","Expression":"sales.*","MaxResults":2,"NextToken":")" +
                                  str(*p1, "NextToken") + R"("})");
  ASSERT_TRUE(p2);
  EXPECT_EQ(names(*p2, "TableList"), (std::vector<std::string>{"sales_us"}));
  EXPECT_EQ(at(*p2, "NextToken"), nullptr);
  // A page that ends exactly at the last match has no NextToken.
  auto exact = call("GetTables", R"({"DatabaseName":"db","Expression":"sales*","MaxResults":3})");
  ASSERT_TRUE(exact);
  EXPECT_EQ(at(*exact, "NextToken"), nullptr);
  auto none = call("GetTables", R"({"DatabaseName":"db","Expression":"nothing*"})");
  ASSERT_TRUE(none);
  EXPECT_EQ(protocol::encode_json(*none), R"({"TableList":[]})");
  EXPECT_EQ(error_type("GetTables", R"({"DatabaseName":"db","Expression":"("})"), "InvalidInputException");
  EXPECT_EQ(json("GetTables", R"({"DatabaseName":"nodb"})"), "EntityNotFoundException: Database nodb not found.");
  auto named = call("GetTables", R"({"DatabaseName":"db","Expression":"orders","AttributesToGet":["NAME"]})");
  ASSERT_TRUE(named);
  EXPECT_EQ(protocol::encode_json(*named), R"({"TableList":[{"Name":"orders"}]})");
}

TEST_F(GlueServiceTest, DeleteDatabaseDeletesItsTables) {
  create_db("db");
  create_table("db", "a");
  create_table("db", "b");
  update_table("db", "a", "v1");
  ok("DeleteDatabase", R"({"Name":"db"})");
  create_db("db");
  auto tables = call("GetTables", R"({"DatabaseName":"db"})");
  ASSERT_TRUE(tables);
  EXPECT_TRUE(names(*tables, "TableList").empty());
  // And a table of the same name starts over, without the old versions.
  create_table("db", "a");
  auto versions = call("GetTableVersions", R"({"DatabaseName":"db","TableName":"a"})");
  ASSERT_TRUE(versions);
  EXPECT_EQ(names(*versions, "TableVersions", "VersionId"), (std::vector<std::string>{"0"}));
  reopen();
  versions = call("GetTableVersions", R"({"DatabaseName":"db","TableName":"a"})");
  ASSERT_TRUE(versions);
  EXPECT_EQ(names(*versions, "TableVersions", "VersionId"), (std::vector<std::string>{"0"}));
}

TEST_F(GlueServiceTest, BatchDeleteTableReportsEachFailure) {
  create_db("db");
  create_table("db", "a");
  create_table("db", "b");
  auto r = call("BatchDeleteTable", R"({"DatabaseName":"db","TablesToDelete":["a","nope","B"]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(protocol::encode_json(*r),
            R"({"Errors":[{"TableName":"nope","ErrorDetail":{"ErrorCode":"EntityNotFoundException",)"
            R"("ErrorMessage":"Table nope not found."}}]})");
  auto tables = call("GetTables", R"({"DatabaseName":"db"})");
  ASSERT_TRUE(tables);
  EXPECT_TRUE(names(*tables, "TableList").empty());
  EXPECT_EQ(json("BatchDeleteTable", R"({"DatabaseName":"nodb","TablesToDelete":["a"]})"),
            "EntityNotFoundException: Database nodb not found.");
}

TEST_F(GlueServiceTest, AnotherAccountsCatalogIsAccessDenied) {
  ok("CreateDatabase", R"({"CatalogId":"000000000000","DatabaseInput":{"Name":"db"}})");
  ok("GetDatabase", R"({"CatalogId":"000000000000","Name":"db"})");
  auto r = call("GetDatabase", R"({"CatalogId":"111122223333","Name":"db"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "AccessDeniedException");
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().message,
            "User: arn:aws:iam::000000000000:root is not authorized to perform: glue:GetDatabase on resource: "
            "arn:aws:glue:us-east-1:111122223333:catalog because no resource-based policy allows the "
            "glue:GetDatabase action");
  EXPECT_EQ(error_type("CreateTable", R"({"CatalogId":"111122223333","DatabaseName":"db","TableInput":{"Name":"t"}})"),
            "AccessDeniedException");
  EXPECT_EQ(error_type("GetTables", R"({"CatalogId":"111122223333","DatabaseName":"db"})"), "AccessDeniedException");
}

TEST_F(GlueServiceTest, ModelConstraintsAreTheValidatorsWithAwsWording) {
  EXPECT_EQ(json("GetDatabase", R"({"Name":""})"),
            "ValidationException: 1 validation error detected: Value '' at 'name' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  EXPECT_EQ(error_type("CreateDatabase", "{}"), "ValidationException");
  EXPECT_EQ(error_type("GetTables", R"({"DatabaseName":"db","MaxResults":0})"), "ValidationException");
  // The NameString pattern: no control characters but tab.
  EXPECT_EQ(error_type("CreateDatabase", R"({"DatabaseInput":{"Name":"a\nb"}})"), "ValidationException");
  EXPECT_EQ(error_type("CreateDatabase", R"({"DatabaseInput":{"Name":"a\tb"}})"), "OK");
}

TEST_F(GlueServiceTest, EverythingSurvivesARestart) {
  ok("CreateDatabase", R"({"DatabaseInput":{"Name":"db","Description":"kept"}})");
  create_table("db", "t", "v0");
  clock_ms_ += 2000;
  update_table("db", "t", "v1");
  update_table("db", "t", "v2");
  auto before_db = json("GetDatabase", R"({"Name":"db"})");
  auto before_versions = json("GetTableVersions", R"({"DatabaseName":"db","TableName":"t"})");
  reopen();
  EXPECT_EQ(json("GetDatabase", R"({"Name":"db"})"), before_db);
  EXPECT_EQ(json("GetTableVersions", R"({"DatabaseName":"db","TableName":"t"})"), before_versions);
  // Numbering goes on where it stopped.
  update_table("db", "t", "v3");
  auto got = call("GetTable", R"({"DatabaseName":"db","Name":"t"})");
  ASSERT_TRUE(got);
  EXPECT_EQ(str(*got, "Table.VersionId"), "3");
}

}  // namespace
}  // namespace runnel::glue
