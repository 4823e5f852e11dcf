#pragma once
// Test-only (included by the *_test.cc files of this folder): a
// KinesisService over a real log and metadata store in a fresh temp
// directory per test, called without HTTP.
//
// A fixture derives from ServiceTestBase, calls make_dir() in SetUp, sets
// options_ / fsync_ as it needs, and open()s; configure() is where it
// installs a fake clock or write rates on each new service.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/model.h"
#include "streams/kinesis_service.h"
#include "streams/model.h"

namespace runnel::streams {

class ServiceTestBase : public ::testing::Test {
 protected:
  // Creates (empty) <tmp>/<prefix>-<pid>-<test name> as dir_.
  void make_dir(const std::string& prefix) {
    dir_ = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    close();
    std::filesystem::remove_all(dir_);
  }

  // Opens the metadata store, the log (with fsync_, on env_) and a service with
  // options_ on dir_, then configure()s and load()s the service.
  void open() {
    auto meta = storage::MetadataStore::open((dir_ / "meta.db").string());
    ASSERT_TRUE(meta.has_value());
    metadata_ = std::move(*meta);
    storage::LogOptions opts;
    opts.dir = (dir_ / "log").string();
    opts.fsync = fsync_;
    auto log = storage::open_log(opts, env_);
    ASSERT_TRUE(log.has_value()) << log.error().to_string();
    log_ = std::move(*log);
    service_ = std::make_unique<KinesisService>(options_, *log_, *metadata_, std::string(32, 'k'));
    configure(*service_);
    ASSERT_TRUE(service_->load());
  }
  void close() {
    service_.reset();
    if (log_) {
      EXPECT_TRUE(log_->close());
    }
    log_.reset();
    metadata_.reset();
  }
  void restart_with(KinesisOptions options) {
    close();
    options_ = std::move(options);
    open();
  }
  // Called on each new service before load().
  virtual void configure(KinesisService&) {}

  // One operation, as the dispatcher would run it after validation.
  protocol::ApiResult<protocol::Value> call(std::string_view op_name, protocol::Value input) {
    const protocol::OperationModel* op = kinesis_model().find_operation(op_name);
    EXPECT_NE(op, nullptr) << op_name;
    protocol::RequestContext ctx;
    ctx.region = "us-east-1";
    ctx.account_id = "000000000000";
    ctx.request_id = "req";
    std::promise<protocol::ApiResult<protocol::Value>> done;
    service_->handle(*op, std::move(input), ctx,
                     [&](protocol::ApiResult<protocol::Value> r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  }
  static protocol::Value obj(std::initializer_list<std::pair<const char*, protocol::Value>> members) {
    protocol::Value v = protocol::Object{};
    for (const auto& [k, m] : members) v.set(k, m);
    return v;
  }
  // PutRecord of `data` to `stream` with partition key "k".
  protocol::ApiResult<protocol::Value> put_record(const std::string& stream, const std::string& data) {
    return call("PutRecord", obj({{"StreamName", stream}, {"PartitionKey", "k"}, {"Data", protocol::Blob{data}}}));
  }
  // The data of the records of `stream`'s first shard, from TRIM_HORIZON, in
  // one GetRecords call (failures are test failures).
  std::vector<std::string> read_first_shard(const std::string& stream) {
    auto it =
        call("GetShardIterator",
             obj({{"StreamName", stream}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}));
    EXPECT_TRUE(it);
    if (!it) return {};
    auto page = call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}}));
    EXPECT_TRUE(page);
    std::vector<std::string> out;
    if (page)
      for (const auto& r : page->find("Records")->as_array()) out.push_back(r.find("Data")->as_blob().bytes);
    return out;
  }

  std::filesystem::path dir_;
  KinesisOptions options_;
  storage::FsyncPolicy fsync_ = storage::FsyncPolicy::kAlways;
  storage::Env* env_ = nullptr;  // the log's file layer; null: the real one
  std::unique_ptr<storage::MetadataStore> metadata_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<KinesisService> service_;
};

}  // namespace runnel::streams
