// StartStreamEncryption / StopStreamEncryption against a real log and
// metadata store: validation and AWS's errors, the UPDATING window, what
// DescribeStream(Summary) and PutRecord report, persistence across a
// restart, and an unusable key file.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "streams/kinesis_service.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using protocol::Blob;
using protocol::Object;
using protocol::Value;

constexpr const char* kAlias = "alias/aws/kinesis";
constexpr const char* kKeyArn = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012";

class EncryptionServiceTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-enc");
    options_.key_file = key_file();
    open();
  }
  void configure(KinesisService& service) override {
    service.now_ms = [this] { return now_.load(); };
  }
  std::string key_file() const { return (dir_ / "kms.key").string(); }

  protocol::ApiResult<Value> start(const std::string& key_id, const std::string& type = "KMS",
                                   const std::string& stream = "s") {
    return call("StartStreamEncryption", obj({{"StreamName", stream}, {"EncryptionType", type}, {"KeyId", key_id}}));
  }
  protocol::ApiResult<Value> stop(const std::string& key_id, const std::string& type = "KMS",
                                  const std::string& stream = "s") {
    return call("StopStreamEncryption", obj({{"StreamName", stream}, {"EncryptionType", type}, {"KeyId", key_id}}));
  }
  static protocol::ApiError error_of(const protocol::ApiResult<Value>& r) {
    EXPECT_FALSE(r.has_value());
    return r ? protocol::ApiError{} : r.error();
  }

  // StreamDescriptionSummary's fields.
  Value summary(const std::string& stream = "s") {
    auto d = call("DescribeStreamSummary", obj({{"StreamName", stream}}));
    EXPECT_TRUE(d) << (d ? "" : d.error().message);
    return d ? *d->find("StreamDescriptionSummary") : Value();
  }
  std::string status() { return summary().find("StreamStatus")->as_string(); }

  std::atomic<int64_t> now_{1'764'000'000'000};
};

TEST_F(EncryptionServiceTest, StartReportsKmsAndKeyIdEverywhere) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "NONE");
  EXPECT_EQ(summary().find("KeyId"), nullptr);
  EXPECT_FALSE(std::filesystem::exists(key_file())) << "no key file until encryption is used";

  auto r = start(kAlias);
  ASSERT_TRUE(r) << r.error().message;
  Value s = summary();
  EXPECT_EQ(s.find("EncryptionType")->as_string(), "KMS");
  EXPECT_EQ(s.find("KeyId")->as_string(), kAlias);
  auto d = call("DescribeStream", obj({{"StreamName", "s"}}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->find("StreamDescription")->find("EncryptionType")->as_string(), "KMS");
  EXPECT_EQ(d->find("StreamDescription")->find("KeyId")->as_string(), kAlias);

  // Start loaded (created) the key file, 0600.
  struct stat st {};
  ASSERT_EQ(::stat(key_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);

  auto put = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"x"}}}));
  ASSERT_TRUE(put);
  EXPECT_EQ(put->find("EncryptionType")->as_string(), "KMS");
}

TEST_F(EncryptionServiceTest, StartByArnAndChangeOfKey) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto r = call("StartStreamEncryption", obj({{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/s"},
                                              {"EncryptionType", "KMS"},
                                              {"KeyId", kAlias}}));
  ASSERT_TRUE(r) << r.error().message;
  // AWS: "Enables or updates server-side encryption": a second Start changes the key.
  ASSERT_TRUE(start(kKeyArn));
  EXPECT_EQ(summary().find("KeyId")->as_string(), kKeyArn);
}

TEST_F(EncryptionServiceTest, StartValidatesTypeKeyIdAndStream) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto e = error_of(start(kAlias, "NONE"));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "KMS is the only valid EncryptionType for this request");
  e = error_of(start("my-key"));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "Received KeyId is not a properly formatted Alias or GUID");
  e = error_of(start("arn:aws:kms:us-east-1:123456789012:key/nope"));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "Received KeyId ARN is not a properly formatted ARN");
  e = error_of(start(kAlias, "KMS", "missing"));
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Stream missing under account 000000000000 not found.");
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "NONE");
  EXPECT_FALSE(std::filesystem::exists(key_file()));
}

TEST_F(EncryptionServiceTest, UpdatingWindowAndStreamMustBeActive) {
  KinesisOptions o = options_;
  o.update_stream_ms = 1000;
  o.create_stream_ms = 200;
  restart_with(o);
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto e = error_of(start(kAlias));
  EXPECT_EQ(e.type, "ResourceInUseException");
  EXPECT_EQ(e.message, "Stream s under account 000000000000 not ACTIVE, instead in state CREATING");
  now_ += 200;
  ASSERT_EQ(status(), "ACTIVE");

  ASSERT_TRUE(start(kAlias));
  EXPECT_EQ(status(), "UPDATING");
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "KMS");
  e = error_of(start(kKeyArn));
  EXPECT_EQ(e.type, "ResourceInUseException");
  EXPECT_EQ(e.message, "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING");
  e = error_of(stop(kAlias));
  EXPECT_EQ(e.type, "ResourceInUseException");
  // Writes go on while UPDATING, already encrypted.
  auto put = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"x"}}}));
  ASSERT_TRUE(put);
  EXPECT_EQ(put->find("EncryptionType")->as_string(), "KMS");
  now_ += 999;
  EXPECT_EQ(status(), "UPDATING");
  now_ += 1;
  EXPECT_EQ(status(), "ACTIVE");

  ASSERT_TRUE(stop(kAlias));
  EXPECT_EQ(status(), "UPDATING");
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "NONE");
  now_ += 1000;
  EXPECT_EQ(status(), "ACTIVE");
}

TEST_F(EncryptionServiceTest, StopChecksTypeAndKeyIdAndTurnsEncryptionOff) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  // Nothing to stop: no change, no error.
  ASSERT_TRUE(stop(kAlias));
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "NONE");

  ASSERT_TRUE(start(kAlias));
  auto e = error_of(stop(kAlias, "NONE"));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "KMS is the only valid EncryptionType for this request");
  e = error_of(stop("bad key"));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "Received KeyId is not a properly formatted Alias or GUID");
  e = error_of(stop(kKeyArn));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, std::string("KeyId ") + kKeyArn + " does not match the KeyId " + kAlias +
                           " that stream s under account 000000000000 is encrypted with.");
  e = error_of(stop(kAlias, "KMS", "missing"));
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "KMS");

  ASSERT_TRUE(stop(kAlias));
  Value s = summary();
  EXPECT_EQ(s.find("EncryptionType")->as_string(), "NONE");
  EXPECT_EQ(s.find("KeyId"), nullptr);
  auto put = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"x"}}}));
  ASSERT_TRUE(put);
  EXPECT_EQ(put->find("EncryptionType"), nullptr);
}

TEST_F(EncryptionServiceTest, EncryptionSurvivesRestart) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "t"}, {"ShardCount", 1}})));
  ASSERT_TRUE(start(kKeyArn));
  ASSERT_TRUE(start(kAlias, "KMS", "t"));
  ASSERT_TRUE(stop(kAlias, "KMS", "t"));
  close();
  open();
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "KMS");
  EXPECT_EQ(summary().find("KeyId")->as_string(), kKeyArn);
  EXPECT_EQ(summary("t").find("EncryptionType")->as_string(), "NONE");
  EXPECT_EQ(summary("t").find("KeyId"), nullptr);
  ASSERT_TRUE(stop(kKeyArn));
}

TEST_F(EncryptionServiceTest, UnusableKeyFileRefusesStart) {
  {
    std::ofstream out(key_file(), std::ios::binary);
    out << "too short";
  }
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto e = error_of(start(kAlias));
  EXPECT_EQ(e.type, "KMSInvalidStateException");
  EXPECT_NE(e.message.find(key_file()), std::string::npos) << e.message;
  EXPECT_EQ(summary().find("EncryptionType")->as_string(), "NONE");
  // Once the operator fixes the file, Start works without a restart.
  std::filesystem::remove(key_file());
  ASSERT_TRUE(start(kAlias));
}

// --- The data paths (need the wiring in ops_data.cc; see docs/encryption.md) ---

TEST_F(EncryptionServiceTest, RecordsBeforeDuringAndAfterStayReadable) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  auto put = [&](const std::string& pk, const std::string& data) {
    auto r = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", pk}, {"Data", Blob{data}}}));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
  };
  put("before-key", "PLAINTEXT-BEFORE");
  ASSERT_TRUE(start(kAlias));
  put("during-key", "SECRET-DURING-ALIAS");
  ASSERT_TRUE(start(kKeyArn));
  auto batch = call(
      "PutRecords",
      obj({{"StreamName", "s"},
           {"Records", protocol::Array{obj({{"PartitionKey", "batch-key"}, {"Data", Blob{"SECRET-DURING-ARN"}}})}}}));
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->find("EncryptionType")->as_string(), "KMS");
  ASSERT_TRUE(stop(kKeyArn));
  put("after-key", "PLAINTEXT-AFTER");

  // What the log holds: envelopes for the two records written while on.
  auto raw = log_->read(1, 0, 100, 1 << 20, 0);
  ASSERT_TRUE(raw);
  ASSERT_EQ(raw->records.size(), 4u);
  EXPECT_FALSE(RecordCipher::is_encrypted(raw->records[0]));
  EXPECT_TRUE(RecordCipher::is_encrypted(raw->records[1]));
  EXPECT_TRUE(RecordCipher::is_encrypted(raw->records[2]));
  EXPECT_FALSE(RecordCipher::is_encrypted(raw->records[3]));
  EXPECT_EQ(raw->records[1].data.find("SECRET"), std::string::npos);

  auto check = [&] {
    auto it =
        call("GetShardIterator",
             obj({{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}));
    ASSERT_TRUE(it);
    auto got = call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}}));
    ASSERT_TRUE(got) << got.error().message;
    const auto& recs = got->find("Records")->as_array();
    ASSERT_EQ(recs.size(), 4u);
    const char* keys[] = {"before-key", "during-key", "batch-key", "after-key"};
    const char* datas[] = {"PLAINTEXT-BEFORE", "SECRET-DURING-ALIAS", "SECRET-DURING-ARN", "PLAINTEXT-AFTER"};
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(recs[i].find("PartitionKey")->as_string(), keys[i]);
      EXPECT_EQ(recs[i].find("Data")->as_blob().bytes, datas[i]);
      const bool encrypted = i == 1 || i == 2;
      EXPECT_EQ(recs[i].find("EncryptionType") != nullptr, encrypted) << i;
      if (encrypted) {
        EXPECT_EQ(recs[i].find("EncryptionType")->as_string(), "KMS");
      }
    }
  };
  check();
  close();
  open();
  check();
}

TEST_F(EncryptionServiceTest, ChildShardsOfAnEncryptedStreamAreEncryptedToo) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  ASSERT_TRUE(start(kAlias));
  ASSERT_TRUE(call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"parent"}}})));
  ASSERT_TRUE(call("SplitShard", obj({{"StreamName", "s"},
                                      {"ShardToSplit", "shardId-000000000000"},
                                      {"NewStartingHashKey", "170141183460469231731687303715884105728"}})));
  auto put = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"child"}}}));
  ASSERT_TRUE(put);
  const std::string child = put->find("ShardId")->as_string();
  for (const std::string& shard : {std::string("shardId-000000000000"), child}) {
    auto it =
        call("GetShardIterator", obj({{"StreamName", "s"}, {"ShardId", shard}, {"ShardIteratorType", "TRIM_HORIZON"}}));
    ASSERT_TRUE(it);
    auto got = call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}}));
    ASSERT_TRUE(got) << got.error().message;
    const auto& recs = got->find("Records")->as_array();
    ASSERT_EQ(recs.size(), 1u) << shard;
    EXPECT_EQ(recs[0].find("Data")->as_blob().bytes, shard == child ? "child" : "parent");
    EXPECT_EQ(recs[0].find("EncryptionType")->as_string(), "KMS");
  }
}

TEST_F(EncryptionServiceTest, ReplacedKeyFileFailsReadsWithKmsAccessDenied) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  ASSERT_TRUE(start(kAlias));
  ASSERT_TRUE(call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"x"}}})));
  close();
  std::filesystem::remove(key_file());  // a new key is created on next use
  open();
  auto it =
      call("GetShardIterator",
           obj({{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "TRIM_HORIZON"}}));
  ASSERT_TRUE(it);
  auto e = error_of(call("GetRecords", obj({{"ShardIterator", it->find("ShardIterator")->as_string()}})));
  EXPECT_EQ(e.type, "KMSAccessDeniedException");
}

TEST_F(EncryptionServiceTest, CorruptKeyFileFailsPutsWithKmsInvalidState) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  ASSERT_TRUE(start(kAlias));
  close();
  { std::ofstream(key_file(), std::ios::binary | std::ios::trunc) << "short"; }
  open();
  auto e = error_of(call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "p"}, {"Data", Blob{"x"}}})));
  EXPECT_EQ(e.type, "KMSInvalidStateException");
}

}  // namespace
}  // namespace runnel::streams
