#pragma once
// A Catalog over a fresh MetadataStore in a temp directory, and a way to
// call the GlueService's operations without HTTP: JSON in, through the
// model's validator as the dispatcher's would, the output Value or error out.
// For glue/'s tests only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "glue/catalog.h"
#include "glue/glue_service.h"
#include "glue/model.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::glue {

class GlueFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("glue-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    close();
    std::filesystem::remove_all(dir_);
  }
  void open() {
    auto meta = storage::MetadataStore::open((dir_ / "meta.db").string());
    ASSERT_TRUE(meta.has_value());
    metadata_ = std::move(*meta);
    catalog_ = std::make_unique<Catalog>(CatalogOptions{}, *metadata_);
    catalog_->now_ms = [this] { return clock_ms_; };
    ASSERT_TRUE(catalog_->load());
    service_ = std::make_unique<GlueService>(*catalog_);
    table_.emplace(service_->operations());
  }
  void close() {
    table_.reset();
    service_.reset();
    catalog_.reset();
    metadata_.reset();
  }
  void reopen() {
    close();
    open();
  }

  protocol::ApiResult<protocol::Value> call(std::string_view op_name, std::string_view json) {
    const protocol::OperationModel* op = glue_model().find_operation(op_name);
    EXPECT_NE(op, nullptr) << op_name;
    if (!op) return std::unexpected(protocol::ApiError{"NoSuchOperation", std::string(op_name)});
    auto input = protocol::decode_json(json);
    EXPECT_TRUE(input.has_value()) << json;
    if (auto ok = protocol::validate_input(glue_model(), *op, *input, protocol::WireFormat::kJson); !ok) {
      return std::unexpected(ok.error());
    }
    protocol::RequestContext ctx;
    ctx.region = "us-east-1";
    ctx.account_id = "000000000000";
    std::optional<protocol::ApiResult<protocol::Value>> out;
    const protocol::OperationHandler* h = table_->find(*op);
    EXPECT_NE(h, nullptr);
    (*h)(*op, std::move(*input), ctx, [&](protocol::ApiResult<protocol::Value> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "no synchronous reply";
    return std::move(*out);
  }
  // The call's output as JSON text, or "<Type>: <message>".
  std::string json(std::string_view op, std::string_view in) {
    auto r = call(op, in);
    if (!r) return r.error().type + ": " + r.error().message;
    return protocol::encode_json(*r);
  }
  std::string error_type(std::string_view op, std::string_view in) {
    auto r = call(op, in);
    return r ? "OK" : r.error().type;
  }
  void ok(std::string_view op, std::string_view in) {
    auto r = call(op, in);
    ASSERT_TRUE(r) << op << ": " << r.error().type << ": " << r.error().message;
  }

  std::filesystem::path dir_;
  int64_t clock_ms_ = 1'700'000'000'000;
  std::unique_ptr<storage::MetadataStore> metadata_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<GlueService> service_;
  std::optional<protocol::OperationTable> table_;
};

}  // namespace runnel::glue
