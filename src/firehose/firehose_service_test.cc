// FirehoseService over a real log and metadata store, with a fake delivery
// engine, called without HTTP (inputs go through the model's validator as
// the dispatcher's would).
#include "firehose/firehose_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include "firehose/model.h"
#include "firehose/record_id.h"
#include "firehose/tags.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::firehose {
namespace {

using protocol::Value;

class FakeEngine : public DeliveryEngine {
 public:
  void check_destination(const StreamSpec& spec,
                         std::function<void(std::optional<api::FailureDescription>)> done) override {
    bool failing = false;
    {
      MutexLock lock(mu);
      if (hold) {
        held.push_back(std::move(done));
        return;
      }
      failing = fail;
    }
    // Answered without the engine's lock, as a real engine would.
    if (failing) {
      api::FailureDescription f;
      f.type = "S3_BUCKET_ACCESS_DENIED";
      f.details = "bucket " + spec.name() + " unreachable";
      done(f);
      return;
    }
    done(std::nullopt);
  }
  void configure(const StreamSpec& spec) override {
    MutexLock lock(mu);
    configured.push_back(spec);
  }
  void remove(const std::string& name) override {
    MutexLock lock(mu);
    removed.push_back(name);
  }
  void records_durable(const std::string& name) override {
    MutexLock lock(mu);
    durable.push_back(name);
  }
  Mutex mu;
  bool hold = false, fail = false;
  std::vector<std::function<void(std::optional<api::FailureDescription>)>> held;
  std::vector<StreamSpec> configured;
  std::vector<std::string> removed, durable;
};

class FirehoseServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("firehose-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.encryption_transition_ms = 0;
    options_.control_plane_limits = false;  // ControlPlaneRateLimit turns them on
    options_.key_file = (dir_ / "kms.key").string();
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
    storage::LogOptions opts;
    opts.dir = (dir_ / "log").string();
    auto log = storage::open_log(opts);
    ASSERT_TRUE(log.has_value());
    log_ = std::move(*log);
    service_ = std::make_unique<FirehoseService>(options_, *log_, *metadata_, nullptr, engine_);
    ASSERT_TRUE(service_->load());
  }
  void close() {
    if (service_) service_->shutdown();
    service_.reset();
    if (log_) {
      EXPECT_TRUE(log_->close());
    }
    log_.reset();
    metadata_.reset();
  }
  void reopen() {
    close();
    open();
  }

  protocol::ApiResult<Value> call(std::string_view op_name, std::string_view json) {
    const protocol::OperationModel* op = firehose_model().find_operation(op_name);
    EXPECT_NE(op, nullptr);
    auto input = protocol::decode_json(json);
    EXPECT_TRUE(input.has_value()) << json;
    if (auto ok = protocol::validate_input(firehose_model(), *op, *input, protocol::WireFormat::kJson); !ok) {
      return std::unexpected(ok.error());
    }
    protocol::RequestContext ctx;
    ctx.region = "us-east-1";
    ctx.account_id = "000000000000";
    std::promise<protocol::ApiResult<Value>> done;
    service_->handle(*op, std::move(*input), ctx, [&](protocol::ApiResult<Value> r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  }
  std::string error_type(std::string_view op, std::string_view json) {
    auto r = call(op, json);
    return r ? "OK" : r.error().type;
  }
  std::string status(const std::string& name) {
    auto s = service_->spec(name);
    return s ? s->description.delivery_stream_status : "GONE";
  }
  std::string encryption_status(const std::string& name) {
    auto s = service_->spec(name);
    return s ? s->description.delivery_stream_encryption_configuration->status.value_or("") : "GONE";
  }
  // Waits (up to 5 s) for `pred`.
  template <class Pred>
  bool eventually(Pred pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }
  void create_s3(const std::string& name, std::string_view extra = "") {
    auto r = call(
        "CreateDeliveryStream",
        R"({"DeliveryStreamName":")" + name +
            R"(","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"})" +
            std::string(extra) + "}");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(eventually([&] { return status(name) == "ACTIVE"; }));
  }

  std::filesystem::path dir_;
  FirehoseOptions options_;
  FakeEngine engine_;
  std::unique_ptr<storage::MetadataStore> metadata_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<FirehoseService> service_;
};

TEST_F(FirehoseServiceTest, CreateGoesActiveWithAwsDefaults) {
  engine_.hold = true;
  auto r = call(
      "CreateDeliveryStream",
      R"({"DeliveryStreamName":"s","S3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("DeliveryStreamARN")->as_string(), "arn:aws:firehose:us-east-1:000000000000:deliverystream/s");
  EXPECT_EQ(status("s"), "CREATING");
  EXPECT_EQ(error_type("DeleteDeliveryStream", R"({"DeliveryStreamName":"s"})"), "ResourceInUseException");
  std::function<void(std::optional<api::FailureDescription>)> answer;
  {
    MutexLock lock(engine_.mu);
    ASSERT_EQ(engine_.held.size(), 1u);
    answer = engine_.held[0];
  }
  answer(std::nullopt);  // the engine answers on a thread of its own
  EXPECT_EQ(status("s"), "ACTIVE");
  auto d = call("DescribeDeliveryStream", R"({"DeliveryStreamName":"s"})");
  ASSERT_TRUE(d);
  const Value& desc = *d->find("DeliveryStreamDescription");
  EXPECT_EQ(desc.find("VersionId")->as_string(), "1");
  EXPECT_EQ(desc.find("DeliveryStreamType")->as_string(), "DirectPut");
  EXPECT_EQ(desc.find("DeliveryStreamEncryptionConfiguration")->find("Status")->as_string(), "DISABLED");
  const Value& dest = desc.find("Destinations")->as_array().at(0);
  EXPECT_EQ(dest.find("DestinationId")->as_string(), "destinationId-000000000001");
  ASSERT_NE(dest.find("S3DestinationDescription"), nullptr);
  const Value* ext = dest.find("ExtendedS3DestinationDescription");
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->find("CompressionFormat")->as_string(), "UNCOMPRESSED");
  EXPECT_EQ(ext->find("BufferingHints")->find("SizeInMBs")->as_int(), 5);
  EXPECT_EQ(ext->find("S3BackupMode")->as_string(), "Disabled");
  MutexLock lock(engine_.mu);
  ASSERT_EQ(engine_.configured.size(), 1u);
  EXPECT_NE(engine_.configured[0].shard_key, 0u);
}

TEST_F(FirehoseServiceTest, CreateFailsWhenTheEngineSaysSo) {
  engine_.fail = true;
  ASSERT_TRUE(call(
      "CreateDeliveryStream",
      R"({"DeliveryStreamName":"f","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"));
  EXPECT_EQ(status("f"), "CREATING_FAILED");
  auto s = service_->spec("f");
  EXPECT_EQ(s->description.failure_description->type, "S3_BUCKET_ACCESS_DENIED");
  EXPECT_EQ(error_type("PutRecord", R"({"DeliveryStreamName":"f","Record":{"Data":"eA=="}})"),
            "ResourceNotFoundException");
  EXPECT_EQ(error_type("DeleteDeliveryStream", R"({"DeliveryStreamName":"f"})"), "OK");
  EXPECT_TRUE(eventually([&] { return status("f") == "GONE"; }));
}

TEST_F(FirehoseServiceTest, CreateRefusals) {
  create_s3("dup");
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"dup","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"),
      "ResourceInUseException");
  EXPECT_EQ(error_type("CreateDeliveryStream", R"({"DeliveryStreamName":"none"})"), "InvalidArgumentException");
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"msk","DeliveryStreamType":"MSKAsSource","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"),
      "InvalidArgumentException");
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"k","DeliveryStreamType":"KinesisStreamAsSource","KinesisStreamSourceConfiguration":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/nope","RoleARN":"arn:aws:iam::000000000000:role/r"},"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"),
      "InvalidArgumentException");
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"sf","SnowflakeDestinationConfiguration":{"AccountUrl":"https://a.snowflakecomputing.com","Database":"d","Schema":"s","Table":"t","RoleARN":"arn:aws:iam::000000000000:role/r","S3Configuration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}}})"),
      "InvalidArgumentException");
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"t","Tags":[{"Key":"aws:x","Value":"v"}],"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"),
      "ValidationException");  // the model's Tag key pattern refuses aws: first
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"e","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"},"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"),
      "InvalidArgumentException");
  EXPECT_EQ(status("t"), "GONE");
}

TEST_F(FirehoseServiceTest, StreamLimit) {
  options_.stream_limit = 2;
  reopen();
  create_s3("a");
  create_s3("b");
  EXPECT_EQ(
      error_type(
          "CreateDeliveryStream",
          R"({"DeliveryStreamName":"c","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"),
      "LimitExceededException");
}

TEST_F(FirehoseServiceTest, PutRecordsAreDurableWithRecordIds) {
  create_s3("p");
  auto r = call("PutRecord", R"({"DeliveryStreamName":"p","Record":{"Data":"aGVsbG8="}})");
  ASSERT_TRUE(r) << r.error().message;
  auto id = parse_record_id(r->find("RecordId")->as_string());
  ASSERT_TRUE(id);
  EXPECT_EQ(id->shard_key, service_->spec("p")->shard_key);
  EXPECT_FALSE(r->find("Encrypted")->as_bool());
  auto b = call("PutRecordBatch", R"({"DeliveryStreamName":"p","Records":[{"Data":"YQ=="},{"Data":"Yg=="}]})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->find("FailedPutCount")->as_int(), 0);
  const auto& responses = b->find("RequestResponses")->as_array();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(parse_record_id(responses[1].find("RecordId")->as_string())->counter, id->counter + 2);
  auto read = log_->read(id->shard_key, 0, 10, 1 << 20, 0);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->records.size(), 3u);
  EXPECT_EQ(read->records[0].data, "hello");
  EXPECT_EQ(read->records[2].data, "b");
  MutexLock lock(engine_.mu);
  EXPECT_EQ(engine_.durable.size(), 2u);
}

TEST_F(FirehoseServiceTest, PutRefusals) {
  EXPECT_EQ(call("PutRecord", R"({"DeliveryStreamName":"nope","Record":{"Data":"eA=="}})").error().message,
            "Firehose nope under account 000000000000 not found.");
  create_s3("p");
  std::string big = "\"" + std::string(1'400'000, 'A') + "\"";  // 1,050,000 bytes decoded
  EXPECT_NE(error_type("PutRecord", R"({"DeliveryStreamName":"p","Record":{"Data":)" + big + "}}"), "OK");
  std::string records;
  for (int i = 0; i < 5; ++i)
    records += std::string(i ? "," : "") + R"({"Data":)" + std::string("\"") + std::string(1'200'000, 'A') + "\"}";
  EXPECT_EQ(error_type("PutRecordBatch", R"({"DeliveryStreamName":"p","Records":[)" + records + "]}"),
            "InvalidArgumentException");
}

TEST_F(FirehoseServiceTest, ThroughputLimitSlowsDown) {
  create_s3("t");
  // us-east-1: 5 MiB/s per stream. Five batches of 4 x 1,000,000 bytes use
  // it up within the second; the records beyond fail one by one.
  std::string records;
  for (int i = 0; i < 4; ++i) {
    records += std::string(i ? "," : "") + R"({"Data":")" + std::string(1'333'332, 'A') + "\"}";
  }
  int failed = 0;
  for (int i = 0; i < 3; ++i) {
    auto r = call("PutRecordBatch", R"({"DeliveryStreamName":"t","Records":[)" + records + "]}");
    if (r) {
      failed += int(r->find("FailedPutCount")->as_int());
      for (const auto& e : r->find("RequestResponses")->as_array()) {
        if (e.find("ErrorCode")) {
          EXPECT_EQ(e.find("ErrorCode")->as_string(), "ServiceUnavailableException");
        }
      }
    }
  }
  EXPECT_GT(failed, 0);
}

TEST_F(FirehoseServiceTest, UpdateMergesReplacesAndChecksVersions) {
  create_s3("u", R"(,"DeliveryStreamType":"DirectPut")");
  EXPECT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"u","CurrentDeliveryStreamVersionId":"7","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"x/"}})"),
      "ConcurrentModificationException");
  EXPECT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"u","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000009","ExtendedS3DestinationUpdate":{"Prefix":"x/"}})"),
      "InvalidArgumentException");
  ASSERT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"u","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"x/","BufferingHints":{"IntervalInSeconds":60}}})"),
      "OK");
  auto s = service_->spec("u");
  EXPECT_EQ(s->description.version_id, "2");
  EXPECT_TRUE(s->description.last_update_timestamp);
  const auto& e = *s->description.destinations[0].extended_s3_destination_description;
  EXPECT_EQ(e.prefix, "x/");
  EXPECT_EQ(e.buffering_hints.interval_in_seconds, 60);
  EXPECT_EQ(e.buffering_hints.size_in_m_bs, 5);  // kept
  EXPECT_EQ(e.bucket_arn, "arn:aws:s3:::b");     // kept
  // A new type replaces the destination whole.
  ASSERT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"u","CurrentDeliveryStreamVersionId":"2","DestinationId":"destinationId-000000000001","HttpEndpointDestinationUpdate":{"EndpointConfiguration":{"Url":"https://h.example/","AccessKey":"k"},"S3Update":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::backup"}}})"),
      "OK");
  s = service_->spec("u");
  EXPECT_EQ(s->description.version_id, "3");
  EXPECT_FALSE(s->description.destinations[0].extended_s3_destination_description);
  ASSERT_TRUE(s->description.destinations[0].http_endpoint_destination_description);
  EXPECT_EQ(s->http_access_key, "k");
  // An incomplete replacement is refused.
  EXPECT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"u","CurrentDeliveryStreamVersionId":"3","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"y/"}})"),
      "InvalidArgumentException");
  // Cannot switch to OpenSearch.
  EXPECT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"u","CurrentDeliveryStreamVersionId":"3","DestinationId":"destinationId-000000000001","AmazonopensearchserviceDestinationUpdate":{"RoleARN":"arn:aws:iam::000000000000:role/r","DomainARN":"arn:aws:es:us-east-1:000000000000:domain/dom","IndexName":"i","S3Update":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}}})"),
      "InvalidArgumentException");
  MutexLock lock(engine_.mu);
  EXPECT_EQ(engine_.configured.back().description.version_id, "3");
}

TEST_F(FirehoseServiceTest, EncryptionTransitionsAndLimit) {
  options_.encryption_calls_per_day = 3;
  reopen();
  create_s3("e");
  ASSERT_EQ(
      error_type(
          "StartDeliveryStreamEncryption",
          R"({"DeliveryStreamName":"e","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"AWS_OWNED_CMK"}})"),
      "OK");
  EXPECT_TRUE(eventually([&] { return encryption_status("e") == "ENABLED"; }));
  auto r = call("PutRecord", R"({"DeliveryStreamName":"e","Record":{"Data":"c2VjcmV0"}})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->find("Encrypted")->as_bool());
  auto id = parse_record_id(r->find("RecordId")->as_string());
  auto read = log_->read(id->shard_key, id->counter, 1, 1 << 20, 0);
  ASSERT_EQ(read->records.size(), 1u);
  EXPECT_TRUE(streams::RecordCipher::is_encrypted(read->records[0]));
  EXPECT_EQ(error_type("StopDeliveryStreamEncryption", R"({"DeliveryStreamName":"e"})"), "OK");
  EXPECT_TRUE(eventually([&] { return encryption_status("e") == "DISABLED"; }));
  EXPECT_EQ(error_type("StopDeliveryStreamEncryption", R"({"DeliveryStreamName":"e"})"), "OK");
  EXPECT_EQ(error_type("StopDeliveryStreamEncryption", R"({"DeliveryStreamName":"e"})"), "LimitExceededException");
  EXPECT_EQ(
      error_type(
          "StartDeliveryStreamEncryption",
          R"({"DeliveryStreamName":"e","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}})"),
      "InvalidArgumentException");
}

TEST_F(FirehoseServiceTest, EncryptionPausesInTransition) {
  options_.encryption_transition_ms = 300;
  reopen();
  create_s3("e");
  ASSERT_EQ(
      error_type(
          "StartDeliveryStreamEncryption",
          R"({"DeliveryStreamName":"e","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK","KeyARN":"arn:aws:kms:us-east-1:000000000000:key/k1"}})"),
      "OK");
  EXPECT_EQ(encryption_status("e"), "ENABLING");
  EXPECT_EQ(error_type("StopDeliveryStreamEncryption", R"({"DeliveryStreamName":"e"})"), "ResourceInUseException");
  EXPECT_TRUE(eventually([&] { return encryption_status("e") == "ENABLED"; }));
  EXPECT_EQ(service_->spec("e")->description.delivery_stream_encryption_configuration->key_arn,
            "arn:aws:kms:us-east-1:000000000000:key/k1");
}

TEST_F(FirehoseServiceTest, TagsPage) {
  create_s3("t", R"(,"Tags":[{"Key":"c","Value":"3"},{"Key":"a","Value":"1"}])");
  ASSERT_EQ(error_type("TagDeliveryStream",
                       R"({"DeliveryStreamName":"t","Tags":[{"Key":"b","Value":"2"},{"Key":"a","Value":"9"}]})"),
            "OK");
  auto page = call("ListTagsForDeliveryStream", R"({"DeliveryStreamName":"t","Limit":2})");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->find("Tags")->as_array().size(), 2u);
  EXPECT_EQ(page->find("Tags")->as_array()[0].find("Value")->as_string(), "9");
  EXPECT_TRUE(page->find("HasMoreTags")->as_bool());
  page = call("ListTagsForDeliveryStream", R"({"DeliveryStreamName":"t","ExclusiveStartTagKey":"b"})");
  ASSERT_EQ(page->find("Tags")->as_array().size(), 1u);
  EXPECT_EQ(page->find("Tags")->as_array()[0].find("Key")->as_string(), "c");
  EXPECT_FALSE(page->find("HasMoreTags")->as_bool());
  ASSERT_EQ(error_type("UntagDeliveryStream", R"({"DeliveryStreamName":"t","TagKeys":["a","zzz"]})"), "OK");
  EXPECT_EQ(error_type("TagDeliveryStream", R"({"DeliveryStreamName":"t","Tags":[{"Key":"aws:k"}]})"),
            "ValidationException");
  std::vector<api::Tag> tags;
  api::Tag reserved;
  reserved.key = "aws:k";
  EXPECT_EQ(merge_tags(tags, {reserved})->type, "InvalidArgumentException");  // behind the model's check
  std::string many;
  for (int i = 0; i < 49; ++i) many += std::string(i ? "," : "") + R"({"Key":"k)" + std::to_string(i) + "\"}";
  EXPECT_EQ(error_type("TagDeliveryStream", R"({"DeliveryStreamName":"t","Tags":[)" + many + "]}"),
            "LimitExceededException");
}

TEST_F(FirehoseServiceTest, ListPagesAlphabetically) {
  for (const char* n : {"c", "a", "b"}) create_s3(n);
  auto r = call("ListDeliveryStreams", R"({"Limit":2})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->find("DeliveryStreamNames")->as_array().size(), 2u);
  EXPECT_EQ(r->find("DeliveryStreamNames")->as_array()[0].as_string(), "a");
  EXPECT_TRUE(r->find("HasMoreDeliveryStreams")->as_bool());
  r = call("ListDeliveryStreams", R"({"ExclusiveStartDeliveryStreamName":"b"})");
  ASSERT_EQ(r->find("DeliveryStreamNames")->as_array().size(), 1u);
  EXPECT_FALSE(r->find("HasMoreDeliveryStreams")->as_bool());
  r = call("ListDeliveryStreams", R"({"DeliveryStreamType":"KinesisStreamAsSource"})");
  EXPECT_TRUE(r->find("DeliveryStreamNames")->as_array().empty());
}

TEST_F(FirehoseServiceTest, DeleteDropsTheShard) {
  create_s3("d");
  auto shard = service_->spec("d")->shard_key;
  ASSERT_TRUE(call("PutRecord", R"({"DeliveryStreamName":"d","Record":{"Data":"eA=="}})"));
  ASSERT_EQ(error_type("DeleteDeliveryStream", R"({"DeliveryStreamName":"d","AllowForceDelete":true})"), "OK");
  EXPECT_TRUE(eventually([&] { return status("d") == "GONE"; }));
  EXPECT_EQ(error_type("DescribeDeliveryStream", R"({"DeliveryStreamName":"d"})"), "ResourceNotFoundException");
  auto read = log_->read(shard, 0, 10, 1 << 20, 0);
  EXPECT_TRUE(!read || read->records.empty());
  MutexLock lock(engine_.mu);
  EXPECT_EQ(engine_.removed, std::vector<std::string>{"d"});
}

TEST_F(FirehoseServiceTest, PersistsAcrossRestart) {
  create_s3("keep", R"(,"Tags":[{"Key":"k","Value":"v"}])");
  ASSERT_EQ(
      error_type(
          "UpdateDestination",
          R"({"DeliveryStreamName":"keep","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"p/"}})"),
      "OK");
  auto before = service_->spec("keep");
  // A stream left CREATING by a crash is checked again at load.
  engine_.hold = true;
  ASSERT_TRUE(call(
      "CreateDeliveryStream",
      R"({"DeliveryStreamName":"pending","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}})"));
  engine_.hold = false;
  {
    MutexLock lock(engine_.mu);
    engine_.configured.clear();
    engine_.held.clear();
  }
  reopen();
  auto after = service_->spec("keep");
  ASSERT_TRUE(after);
  EXPECT_EQ(api::encode(after->description), api::encode(before->description));
  EXPECT_EQ(after->shard_key, before->shard_key);
  EXPECT_EQ(status("pending"), "ACTIVE");
  auto tags = call("ListTagsForDeliveryStream", R"({"DeliveryStreamName":"keep"})");
  EXPECT_EQ(tags->find("Tags")->as_array().size(), 1u);
  MutexLock lock(engine_.mu);
  EXPECT_EQ(engine_.configured.size(), 2u);  // keep (ACTIVE at load) and pending (after its check)
}

TEST_F(FirehoseServiceTest, ControlPlaneRateLimit) {
  options_.control_plane_limits = true;
  reopen();
  int limited = 0;
  for (int i = 0; i < 20; ++i) {
    if (error_type("ListDeliveryStreams", "{}") == "LimitExceededException") ++limited;
  }
  EXPECT_GT(limited, 0);
}

}  // namespace
}  // namespace runnel::firehose

namespace runnel::firehose {
namespace {

TEST_F(FirehoseServiceTest, AppendFailuresAreInternalFailures) {
  create_s3("x");
  ASSERT_TRUE(log_->close());  // appends now fail
  auto b = call("PutRecordBatch", R"({"DeliveryStreamName":"x","Records":[{"Data":"YQ=="},{"Data":"Yg=="}]})");
  ASSERT_TRUE(b) << b.error().message;  // HTTP 200, per-record failures
  EXPECT_EQ(b->find("FailedPutCount")->as_int(), 2);
  for (const auto& e : b->find("RequestResponses")->as_array()) {
    EXPECT_EQ(e.find("ErrorCode")->as_string(), "InternalFailure");
    EXPECT_EQ(e.find("RecordId"), nullptr);
  }
  EXPECT_EQ(error_type("PutRecord", R"({"DeliveryStreamName":"x","Record":{"Data":"YQ=="}})"), "InternalFailure");
  MutexLock lock(engine_.mu);
  EXPECT_TRUE(engine_.durable.empty());
  service_->shutdown();
  service_.reset();
  log_.reset();  // closed above
}

}  // namespace
}  // namespace runnel::firehose
