// The runtime's Lambda preprocessing, Lambda outputs and Firehose delivery
// stream input, against a real Kinesis service, log and metadata store, and
// a real HTTP Lambda stand-in (the Invoke API on net::Server):
//   a function whose name contains "pre" reads "TICKER,PRICE" records and
//     answers JSON, Dropped for records containing "drop", ProcessingFailed
//     for those containing "fail";
//   "broken" answers a function error;
//   "out" takes every record except, the first time it sees one containing
//     "MSFT", that one (DeliveryFailed).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "analytics/input_source.h"
#include "analytics/runtime.h"
#include "net/server.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "streams/service_test_base.h"

namespace runnel::analytics {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Invocation {
  std::string function;
  protocol::Value event;
};

class LambdaStandIn {
 public:
  LambdaStandIn() {
    net::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<net::Server>(
        o, [this](net::HttpRequest r, std::shared_ptr<net::ResponseSink> sink) { sink->send(handle(r)); });
    Status st = server_->start();
    EXPECT_TRUE(st.is_ok()) << st.to_string();
  }
  ~LambdaStandIn() { server_->stop(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->bound_port()); }
  std::vector<Invocation> invocations() {
    std::lock_guard lock(mu_);
    return invocations_;
  }

 private:
  net::HttpResponse handle(const net::HttpRequest& r) {
    const size_t at = r.path.find("/functions/");
    std::string function = at == std::string::npos ? "" : r.path.substr(at + 11);
    function = function.substr(0, function.find('/'));
    auto event = protocol::decode_json(r.body);
    if (!event || !event->is_object()) return {400, {}, "not JSON"};
    {
      std::lock_guard lock(mu_);
      invocations_.push_back({function, *event});
    }
    if (r.path.rfind("/2015-03-31/functions/", 0) != 0 || !r.path.ends_with("/invocations"))
      return {404, {}, "not the Invoke API"};
    if (function.find("broken") != std::string::npos)
      return {200, {{"X-Amz-Function-Error", "Unhandled"}}, R"({"errorMessage":"boom"})"};
    std::string answer = R"({"records":[)";
    bool first = true;
    for (const protocol::Value& rec : event->find("records")->as_array()) {
      const std::string id = rec.find("recordId")->as_string();
      const std::string data = protocol::base64_decode(rec.find("data")->as_string()).value_or("");
      if (!first) answer += ",";
      first = false;
      if (function.find("out") != std::string::npos) {
        std::lock_guard lock(mu_);
        const bool refuse = data.find("MSFT") != std::string::npos && !refused_once_;
        refused_once_ = refused_once_ || refuse;
        answer += R"({"recordId":")" + id + R"(","result":")" + (refuse ? "DeliveryFailed" : "Ok") + "\"}";
        continue;
      }
      if (data.find("drop") != std::string::npos) {
        answer += R"({"recordId":")" + id + R"(","result":"Dropped"})";
      } else if (data.find("fail") != std::string::npos) {
        answer += R"({"recordId":")" + id + R"(","result":"ProcessingFailed"})";
      } else {
        const size_t comma = data.find(',');
        std::string json = R"({"ticker":")" + data.substr(0, comma) + R"(","price":)" + data.substr(comma + 1) + "}";
        std::string b64;
        protocol::base64_encode_append(json, b64);
        answer += R"({"recordId":")" + id + R"(","result":"Ok","data":")" + b64 + "\"}";
      }
    }
    answer += "]}";
    return {200, {{"Content-Type", "application/json"}}, answer};
  }

  std::unique_ptr<net::Server> server_;
  std::mutex mu_;
  std::vector<Invocation> invocations_;
  bool refused_once_ = false;
};

constexpr std::string_view kCode = R"(
  CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
  CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001";
)";
constexpr std::string_view kAppArn = "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app";
constexpr std::string_view kInArn = "arn:aws:kinesis:us-east-1:000000000000:stream/in";

class RuntimeLambdaTest : public streams::ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-analytics-lambda");
    options_.throughput_limits = false;
    open();
    api_ = std::make_unique<streams::DataStreams>(*service_);
    ASSERT_TRUE(api_->create_stream("in", 1, "us-east-1"));
    ASSERT_TRUE(api_->create_stream("out", 1, "us-east-1"));
    ASSERT_TRUE(api_->create_stream("errors", 1, "us-east-1"));
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

  std::vector<std::string> output(const std::string& stream = "out") {
    auto info = api_->describe_stream(stream);
    EXPECT_TRUE(info.has_value());
    std::vector<std::string> out;
    auto cursor = api_->cursor(stream, info->shards.at(0).shard_id, streams::ReadPosition{});
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
  RunState wait_state(const std::function<bool(const RunState&)>& done) {
    for (int i = 0; i < 500; ++i) {
      if (auto st = runtime_->state("app"); st && done(*st)) return *st;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return runtime_->state("app").value_or(RunState{});
  }

  RunSpec spec() {
    RunSpec s;
    s.name = "app";
    s.arn = std::string(kAppArn);
    s.version = 1;
    s.run = wall_ms();
    s.code = std::string(kCode);
    s.input_stream = "in";
    s.input_arn = std::string(kInArn);
    s.starting_position = "TRIM_HORIZON";
    s.schema.columns = {{"TICKER", "$.ticker", "VARCHAR(4)"}, {"PRICE", "$.price", "DOUBLE"}};
    s.outputs.push_back({"DESTINATION_SQL_STREAM", "out", "", "", sql::RecordFormatType::kJson});
    return s;
  }

  void run(RunSpec s, bool with_endpoint = true) {
    RuntimeOptions o;
    o.wanted = [s] { return std::vector<RunSpec>{s}; };
    if (with_endpoint) o.lambda.endpoint = lambda_.url();
    o.log = log_.get();
    o.log_readers = &readers_;
    o.key_file = (dir_ / "kms.key").string();
    o.delivery_stream_source = [](const std::string& name) -> std::optional<RuntimeOptions::DeliveryStreamSource> {
      if (name != "ds") return std::nullopt;
      return RuntimeOptions::DeliveryStreamSource{kDeliveryShard, ""};
    };
    runtime_ = std::make_unique<Runtime>(std::move(o), *api_, *metadata_);
    runtime_->start();
  }

  void append_to_delivery_stream(const std::vector<std::string>& data) {
    storage::ShardAppend a;
    a.shard = kDeliveryShard;
    for (const std::string& d : data) {
      storage::AppendRecord r;
      r.data = d;
      a.records.push_back(std::move(r));
    }
    std::vector<storage::ShardAppend> appends;
    appends.push_back(std::move(a));
    std::promise<void> done;
    log_->append(std::move(appends), [&](Result<std::vector<storage::Appended>> r) {
      EXPECT_TRUE(r.has_value());
      done.set_value();
    });
    done.get_future().get();
  }

  static constexpr storage::ShardKey kDeliveryShard = 0x7F00'0000'0001ULL;
  firehose::LogReaders readers_;
  LambdaStandIn lambda_;
  std::unique_ptr<streams::DataStreams> api_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(RuntimeLambdaTest, PreprocessorTransformsDropsAndFailsRecordsBeforeTheSql) {
  RunSpec s = spec();
  s.input_lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:pre";
  s.outputs.push_back({"error_stream", "errors", "", "", sql::RecordFormatType::kJson});
  put({"AMZN,100", "please drop", "please fail", "MSFT,20.5"});
  run(s);
  std::vector<std::string> got = wait_for_output(2);
  EXPECT_EQ(got, (std::vector<std::string>{R"({"TICKER":"AMZN","PRICE":100})", R"({"TICKER":"MSFT","PRICE":20.5})"}));
  RunState st = wait_state([](const RunState& s) { return s.error_rows >= 1; });
  EXPECT_TRUE(st.running) << st.error;
  EXPECT_EQ(st.records_in, 4u);
  EXPECT_EQ(st.error_rows, 1u);  // the ProcessingFailed one; the dropped one is gone
  std::vector<std::string> errors;
  for (int i = 0; i < 500 && errors.empty(); ++i) {
    errors = output("errors");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find(R"("ERROR_NAME":"Lambda_ProcessingFailed")"), std::string::npos) << errors[0];
  // KDA's preprocessing event.
  std::vector<Invocation> calls = lambda_.invocations();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls[0].function, "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Apre");
  const protocol::Value& e = calls[0].event;
  EXPECT_EQ(e.find("applicationArn")->as_string(), kAppArn);
  EXPECT_EQ(e.find("streamArn")->as_string(), kInArn);
  EXPECT_FALSE(e.find("invocationId")->as_string().empty());
  const protocol::Value& r0 = e.find("records")->as_array().at(0);
  EXPECT_EQ(protocol::base64_decode(r0.find("data")->as_string()).value_or(""), "AMZN,100");
  const protocol::Value* meta = r0.find("kinesisStreamRecordMetadata");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->find("shardId")->as_string(), "shardId-000000000000");
  EXPECT_EQ(meta->find("partitionKey")->as_string(), "key-0");
  EXPECT_FALSE(meta->find("sequenceNumber")->as_string().empty());
  EXPECT_TRUE(meta->find("approximateArrivalTimestamp")->is_int());
}

TEST_F(RuntimeLambdaTest, PreprocessorThatFailsMakesErrorRows) {
  RunSpec s = spec();
  s.input_lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:broken";
  s.outputs.push_back({"error_stream", "errors", "", "", sql::RecordFormatType::kJson});
  put({"AMZN,100", "MSFT,20.5"});
  run(s);
  RunState st = wait_state([](const RunState& s) { return s.error_rows >= 2; });
  EXPECT_EQ(st.error_rows, 2u);
  EXPECT_EQ(st.records_in, 2u);
  EXPECT_NE(st.error.find("The Lambda function failed (Unhandled)"), std::string::npos) << st.error;
  EXPECT_EQ(lambda_.invocations().size(), 3u);  // tried three times
  std::vector<std::string> errors;
  for (int i = 0; i < 500 && errors.size() < 2; ++i) {
    errors = output("errors");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(errors.size(), 2u);
  for (const std::string& e : errors)
    EXPECT_NE(e.find(R"("ERROR_NAME":"Lambda_InvocationFailed")"), std::string::npos) << e;
  EXPECT_TRUE(output().empty());
}

TEST_F(RuntimeLambdaTest, LambdaOutputGetsTheRowsAndRetriesDeliveryFailed) {
  RunSpec s = spec();
  s.outputs.at(0) = {"DESTINATION_SQL_STREAM", "", "", "arn:aws:lambda:us-east-1:000000000000:function:out",
                     sql::RecordFormatType::kJson};
  put({R"({"ticker":"AMZN","price":100})", R"({"ticker":"MSFT","price":20.5})"});
  run(s);
  // Every row reaches the function; MSFT's is refused once and sent again
  // with retryHint 1.
  std::vector<std::pair<std::string, int64_t>> delivered;
  for (int i = 0; i < 500; ++i) {
    delivered.clear();
    for (const Invocation& c : lambda_.invocations()) {
      EXPECT_EQ(c.event.find("applicationArn")->as_string(), kAppArn);
      EXPECT_FALSE(c.event.find("invocationId")->as_string().empty());
      for (const protocol::Value& r : c.event.find("records")->as_array())
        delivered.emplace_back(protocol::base64_decode(r.find("data")->as_string()).value_or(""),
                               r.find("lambdaDeliveryRecordMetadata")->find("retryHint")->as_int());
    }
    if (delivered.size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(delivered, (std::vector<std::pair<std::string, int64_t>>{{R"({"TICKER":"AMZN","PRICE":100})", 0},
                                                                     {R"({"TICKER":"MSFT","PRICE":20.5})", 0},
                                                                     {R"({"TICKER":"MSFT","PRICE":20.5})", 1}}));
  EXPECT_EQ(wait_state([](const RunState& s) { return s.rows_out >= 2; }).rows_out, 2u);
}

TEST_F(RuntimeLambdaTest, WithoutALambdaEndpointTheApplicationDoesNotRun) {
  RunSpec s = spec();
  s.input_lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:pre";
  put({"AMZN,100"});
  run(s, /*with_endpoint=*/false);
  RunState st = wait_state([](const RunState& s) { return !s.error.empty(); });
  EXPECT_FALSE(st.running);
  EXPECT_NE(st.error.find("--lambda-endpoint"), std::string::npos) << st.error;
  EXPECT_TRUE(lambda_.invocations().empty());
}

TEST_F(RuntimeLambdaTest, DeliveryStreamInputReadsItsLogShardAndResumesItsCheckpoint) {
  RunSpec s = spec();
  s.input_stream.clear();
  s.input_delivery_stream = "ds";
  s.input_arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ds";
  s.input_lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:pre";
  append_to_delivery_stream({"AMZN,100", "MSFT,20.5"});
  run(s);
  EXPECT_EQ(wait_for_output(2).size(), 2u);
  std::vector<Invocation> calls = lambda_.invocations();
  ASSERT_FALSE(calls.empty());
  const protocol::Value& r0 = calls[0].event.find("records")->as_array().at(0);
  EXPECT_EQ(calls[0].event.find("streamArn")->as_string(), s.input_arn);
  ASSERT_NE(r0.find("kinesisFirehoseRecordMetadata"), nullptr);
  EXPECT_EQ(r0.find("kinesisStreamRecordMetadata"), nullptr);
  // While it runs, it holds the records it still needs against retention.
  EXPECT_TRUE(readers_.floor(kDeliveryShard).has_value());
  // Stopped and started again (the same run, as after a restart): only
  // what came after the checkpoint is read.
  runtime_.reset();
  append_to_delivery_stream({"XOM,5"});
  run(s);
  std::vector<std::string> got = wait_for_output(3);
  EXPECT_EQ(got, (std::vector<std::string>{R"({"TICKER":"AMZN","PRICE":100})", R"({"TICKER":"MSFT","PRICE":20.5})",
                                           R"({"TICKER":"XOM","PRICE":5})"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(output().size(), 3u);
  runtime_.reset();
  EXPECT_FALSE(readers_.floor(kDeliveryShard).has_value());  // released when it stops
}

TEST_F(RuntimeLambdaTest, DeliveryStreamInputDecryptsAndResumesAfterItsCheckpoint) {
  // Records as Firehose stores them: plain, and under server-side encryption.
  const std::string key_file = (dir_ / "kms.key").string();
  streams::RecordCipher cipher(key_file);
  storage::ShardAppend a;
  a.shard = kDeliveryShard;
  for (const char* d : {"one", "two", "three"}) {
    storage::AppendRecord r;
    r.data = d;
    if (std::string_view(d) == "two") {
      ASSERT_TRUE(cipher.encrypt("alias/aws/firehose", r).is_ok());
      ASSERT_TRUE(streams::RecordCipher::is_encrypted(storage::StoredRecord{0, 0, r.partition_key, r.data}));
    }
    a.records.push_back(std::move(r));
  }
  std::vector<storage::ShardAppend> appends;
  appends.push_back(std::move(a));
  std::promise<void> done;
  log_->append(std::move(appends), [&](Result<std::vector<storage::Appended>> r) {
    EXPECT_TRUE(r.has_value());
    done.set_value();
  });
  done.get_future().get();

  DeliveryStreamInput input(*log_, kDeliveryShard, key_file, /*start_ms=*/0, "");
  std::vector<firehose::SourceRecord> got;
  ASSERT_TRUE(input.read(1 << 20, got).is_ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(input.needed_arrival_ms(), got[0].record.arrival_ms);
  EXPECT_EQ(got[0].record.data, "one");
  EXPECT_EQ(got[1].record.data, "two");
  EXPECT_EQ(got[2].record.data, "three");
  EXPECT_EQ(got[0].shard_id, DeliveryStreamInput::kDeliveryStreamShard);
  const std::string checkpoint =
      input.delivered({{std::string(DeliveryStreamInput::kDeliveryStreamShard), got[1].sequence_number}});
  EXPECT_EQ(checkpoint, "{\"counter\":" + got[1].sequence_number + "}");
  EXPECT_EQ(input.needed_arrival_ms(), got[1].record.arrival_ms);

  DeliveryStreamInput resumed(*log_, kDeliveryShard, key_file, /*start_ms=*/0, checkpoint);
  std::vector<firehose::SourceRecord> rest;
  ASSERT_TRUE(resumed.read(1 << 20, rest).is_ok());
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].record.data, "three");
  // NOW (a start time after every record): nothing.
  DeliveryStreamInput now(*log_, kDeliveryShard, key_file, wall_ms() + 1000, "");
  std::vector<firehose::SourceRecord> none;
  ASSERT_TRUE(now.read(1 << 20, none).is_ok());
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace runnel::analytics
