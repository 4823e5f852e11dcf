#pragma once
// A Catalog over a fresh MetadataStore in a temp directory, with a clock the
// test moves, and a way to call the VideoService's operations without HTTP:
// JSON in, through the model's validator as the dispatcher's would, the
// output Value or error out. For video/'s tests only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"
#include "video/catalog.h"
#include "video/model.h"
#include "video/video_service.h"

namespace runnel::video {

class VideoFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("video-" + std::to_string(::getpid()) + "-" +
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
    catalog_ = std::make_unique<Catalog>(options_, *metadata_);
    catalog_->now_ms = [this] { return clock_ms_; };
    ASSERT_TRUE(catalog_->load());
    VideoServiceOptions service_options;
    service_options.fallback_endpoint = "http://127.0.0.1:4567";
    service_ = std::make_unique<VideoService>(service_options, *catalog_);
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
    const protocol::OperationModel* op = kinesisvideo_model().find_operation(op_name);
    EXPECT_NE(op, nullptr) << op_name;
    if (!op) return std::unexpected(protocol::ApiError{"NoSuchOperation", std::string(op_name)});
    auto input = protocol::decode_json(json);
    EXPECT_TRUE(input.has_value()) << json;
    if (auto ok = protocol::validate_input(kinesisvideo_model(), *op, *input, protocol::WireFormat::kJson); !ok) {
      return std::unexpected(ok.error());
    }
    protocol::RequestContext ctx;
    ctx.region = "us-east-1";
    ctx.account_id = "000000000000";
    ctx.host = host_;
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
  protocol::Value ok(std::string_view op, std::string_view in) {
    auto r = call(op, in);
    EXPECT_TRUE(r) << op << ": " << r.error().type << ": " << r.error().message;
    return r ? std::move(*r) : protocol::Value();
  }
  // The StreamInfo member `key` of stream `name`, as a string.
  std::string info(std::string_view name, std::string_view key) {
    protocol::Value v = ok("DescribeStream", "{\"StreamName\":\"" + std::string(name) + "\"}");
    const protocol::Value* i = v.find("StreamInfo");
    const protocol::Value* m = i ? i->find(key) : nullptr;
    if (!m) return "<absent>";
    if (m->is_string()) return m->as_string();
    return protocol::encode_json(*m);
  }

  std::filesystem::path dir_;
  int64_t clock_ms_ = 1'700'000'000'000;
  std::string host_ = "127.0.0.1:4567";
  CatalogOptions options_;
  std::unique_ptr<storage::MetadataStore> metadata_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<VideoService> service_;
  std::optional<protocol::OperationTable> table_;
};

}  // namespace runnel::video
