// The runtime against a real Kinesis service, log and metadata store: an
// application reads one stream, runs its pumps and writes another.
#include "analytics/runtime.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "streams/service_test_base.h"

namespace runnel::analytics {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RuntimeTest : public streams::ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-analytics-runtime");
    options_.throughput_limits = false;
    open();
    api_ = std::make_unique<streams::DataStreams>(*service_);
    ASSERT_TRUE(api_->create_stream("in", 2, "us-east-1"));
    ASSERT_TRUE(api_->create_stream("out", 1, "us-east-1"));
  }
  void TearDown() override {
    runtime_.reset();
    api_.reset();
    ServiceTestBase::TearDown();
  }

  void put(const std::vector<std::string>& data) {
    std::vector<streams::PutEntry> entries;
    for (size_t i = 0; i < data.size(); ++i) entries.push_back({"key-" + std::to_string(i), data[i], std::nullopt});
    std::promise<void> done;
    api_->put_records("in", std::move(entries), [&](auto r) {
      EXPECT_TRUE(r.has_value());
      done.set_value();
    });
    done.get_future().get();
  }

  // Everything in "out" so far, in order.
  std::vector<std::string> output() {
    auto info = api_->describe_stream("out");
    EXPECT_TRUE(info.has_value());
    std::vector<std::string> out;
    auto cursor = api_->cursor("out", info->shards.at(0).shard_id, streams::ReadPosition{});
    EXPECT_TRUE(cursor.has_value());
    auto r = api_->read(*cursor, 10000);
    EXPECT_TRUE(r.has_value());
    for (auto& rec : r->records) out.push_back(rec.data);
    return out;
  }

  std::vector<std::string> wait_for_output(size_t n) {
    std::vector<std::string> got;
    for (int i = 0; i < 500 && got.size() < n; ++i) {
      got = output();
      if (got.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return got;
  }

  RunSpec spec(std::string code) {
    RunSpec s;
    s.name = "app";
    s.version = 1;
    s.run = wall_ms();
    s.code = std::move(code);
    s.input_stream = "in";
    s.schema.columns = {{"TICKER", "$.ticker", "VARCHAR(4)"}, {"PRICE", "$.price", "DOUBLE"}};
    s.outputs.push_back({"DESTINATION_SQL_STREAM", "out", "", "", sql::RecordFormatType::kJson});
    return s;
  }

  void run(std::vector<RunSpec> specs) {
    RuntimeOptions o;
    o.wanted = [specs] { return specs; };
    runtime_ = std::make_unique<Runtime>(std::move(o), *api_, *metadata_);
    runtime_->start();
  }

  std::unique_ptr<streams::DataStreams> api_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(RuntimeTest, FilterPumpFromOneStreamToAnother) {
  RunSpec s = spec(R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 10;
  )");
  s.starting_position = "TRIM_HORIZON";
  put({R"({"ticker":"AMZN","price":100})", R"({"ticker":"XOM","price":5})", R"({"ticker":"MSFT","price":20.5})",
       "not json"});
  run({s});
  std::vector<std::string> got = wait_for_output(2);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{R"({"TICKER":"AMZN","PRICE":100})", R"({"TICKER":"MSFT","PRICE":20.5})"}));
  for (int i = 0; i < 200; ++i) {
    auto st = runtime_->state("app");
    if (st && st->error_rows == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto st = runtime_->state("app");
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->running) << st->error;
  EXPECT_EQ(st->records_in, 4u);
  EXPECT_EQ(st->error_rows, 1u);  // "not json"
}

TEST_F(RuntimeTest, TumblingWindowClosesWithoutFurtherInput) {
  RunSpec s = spec(R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n BIGINT);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
      GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
  )");
  s.outputs[0].format = sql::RecordFormatType::kCsv;
  run({s});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // NOW: after the runtime has started
  put({R"({"ticker":"A","price":1})", R"({"ticker":"A","price":2})"});
  std::vector<std::string> got = wait_for_output(1);
  EXPECT_EQ(got, (std::vector<std::string>{"A,2\n"}));
}

TEST_F(RuntimeTest, CompileErrorsKeepTheApplicationFromRunning) {
  run(
      {spec("CREATE STREAM \"DESTINATION_SQL_STREAM\" (a INTEGER);\nCREATE PUMP p AS INSERT INTO "
            "\"DESTINATION_SQL_STREAM\" SELECT STREAM nope FROM \"SOURCE_SQL_STREAM_001\";")});
  std::optional<RunState> st;
  for (int i = 0; i < 200 && !st; ++i) {
    st = runtime_->state("app");
    if (!st) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(st.has_value());
  EXPECT_FALSE(st->running);
  EXPECT_NE(st->error.find("line 2"), std::string::npos) << st->error;
}

TEST_F(RuntimeTest, ARestartResumesFromTheCheckpoint) {
  RunSpec s = spec(R"(
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001";
  )");
  s.starting_position = "TRIM_HORIZON";
  put({R"({"ticker":"A","price":1})"});
  run({s});
  ASSERT_EQ(wait_for_output(1).size(), 1u);
  runtime_->stop();  // checkpoints on the way out
  runtime_.reset();
  put({R"({"ticker":"B","price":2})"});
  run({s});  // the same run: resumes after A rather than from TRIM_HORIZON
  std::vector<std::string> got = wait_for_output(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  got = output();
  EXPECT_EQ(got, (std::vector<std::string>{R"({"TICKER":"A","PRICE":1})", R"({"TICKER":"B","PRICE":2})"}));
}

}  // namespace
}  // namespace runnel::analytics
