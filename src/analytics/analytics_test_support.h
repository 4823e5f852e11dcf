#pragma once
// Applications over a fresh MetadataStore in a temp directory, with a
// controlled clock and stand-in stream registries, and a way to call the
// AnalyticsService's operations without HTTP: JSON in, through the model's
// validator as the dispatcher's would, the output Value or error out.
// For analytics/'s tests only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "analytics/analytics_service.h"
#include "analytics/applications.h"
#include "analytics/discovery.h"
#include "analytics/model.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::analytics {

class AnalyticsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("analytics-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    close();
    std::filesystem::remove_all(dir_);
  }
  virtual s3::ObjectStore* objects() { return nullptr; }
  virtual streams::DataStreams* data_streams() { return nullptr; }
  void open() {
    auto meta = storage::MetadataStore::open((dir_ / "meta.db").string());
    ASSERT_TRUE(meta.has_value());
    metadata_ = std::move(*meta);
    ApplicationsOptions options;
    options.start_ms = 1000;
    options.stop_ms = 1000;
    options.update_ms = 1000;
    options.delete_ms = 1000;
    options.kinesis_stream_exists = [this](const std::string& n) { return kinesis_streams_.contains(n); };
    options.delivery_stream_exists = [this](const std::string& n) { return delivery_streams_.contains(n); };
    apps_ = std::make_unique<Applications>(options, *metadata_);
    apps_->now_ms = [this] { return clock_ms_; };
    ASSERT_TRUE(apps_->load());
    discovery_ = std::make_unique<Discovery>(data_streams(), objects());
    service_ = std::make_unique<AnalyticsService>(*apps_, *discovery_);
    table_.emplace(service_->operations());
  }
  void close() {
    table_.reset();
    service_.reset();
    discovery_.reset();
    apps_.reset();
    metadata_.reset();
  }
  void reopen() {
    close();
    open();
  }

  protocol::ApiResult<protocol::Value> call(std::string_view op_name, std::string_view json) {
    const protocol::OperationModel* op = kinesisanalytics_model().find_operation(op_name);
    EXPECT_NE(op, nullptr) << op_name;
    if (!op) return std::unexpected(protocol::ApiError{"NoSuchOperation", std::string(op_name)});
    auto input = protocol::decode_json(json);
    EXPECT_TRUE(input.has_value()) << json;
    if (!input) return std::unexpected(input.error());
    if (auto ok = protocol::validate_input(kinesisanalytics_model(), *op, *input, protocol::WireFormat::kJson); !ok) {
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
    if (!out) return std::unexpected(protocol::ApiError{"NoReply", ""});
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
  // DescribeApplication's ApplicationDetail.
  protocol::Value detail(std::string_view name) {
    auto r = call("DescribeApplication", R"({"ApplicationName":")" + std::string(name) + R"("})");
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) return protocol::Value{};
    return *r->find("ApplicationDetail");
  }
  std::string status(std::string_view name) { return detail(name).find("ApplicationStatus")->as_string(); }
  int64_t version(std::string_view name) { return detail(name).find("ApplicationVersionId")->as_int(); }

  std::filesystem::path dir_;
  int64_t clock_ms_ = 1'700'000'000'000;
  std::set<std::string> kinesis_streams_ = {"in", "out"};
  std::set<std::string> delivery_streams_ = {"fh"};
  std::unique_ptr<storage::MetadataStore> metadata_;
  std::unique_ptr<Applications> apps_;
  std::unique_ptr<Discovery> discovery_;
  std::unique_ptr<AnalyticsService> service_;
  std::optional<protocol::OperationTable> table_;
};

// A JSON input naming Kinesis stream `stream`, as CreateApplication and
// AddApplicationInput take it.
inline std::string kinesis_input(std::string_view stream = "in", std::string_view prefix = "SOURCE_SQL_STREAM",
                                 int parallelism = 1) {
  return R"({"NamePrefix":")" + std::string(prefix) +
         R"(","KinesisStreamsInput":{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/)" +
         std::string(stream) + R"(","RoleARN":"arn:aws:iam::000000000000:role/r"},"InputParallelism":{"Count":)" +
         std::to_string(parallelism) +
         R"j(},"InputSchema":{"RecordFormat":{"RecordFormatType":"JSON","MappingParameters":{"JSONMappingParameters":{"RecordRowPath":"$"}}},"RecordEncoding":"UTF-8","RecordColumns":[{"Name":"TICKER","Mapping":"$.ticker","SqlType":"VARCHAR(4)"},{"Name":"PRICE","Mapping":"$.price","SqlType":"REAL"}]}})j";
}

inline std::string kinesis_output(std::string_view name = "DESTINATION_SQL_STREAM", std::string_view stream = "out") {
  return R"({"Name":")" + std::string(name) +
         R"(","KinesisStreamsOutput":{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/)" +
         std::string(stream) +
         R"(","RoleARN":"arn:aws:iam::000000000000:role/r"},"DestinationSchema":{"RecordFormatType":"JSON"}})";
}

}  // namespace runnel::analytics
