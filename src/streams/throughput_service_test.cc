// The per-shard throughput limits through KinesisService, with the service's
// clock overridden (no sleeps): PutRecords entries throttled one by one while
// the rest succeed in order, PutRecord and GetRecords failing whole, recovery
// once time passes, and no limits with --throughput-limits off.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "streams/hash_key.h"
#include "streams/kinesis_service.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

constexpr int64_t kT0 = 1'764'000'000'000;
const std::string kThrottled = "ProvisionedThroughputExceededException";

std::string write_message(int shard) {
  return "Rate exceeded for shard shardId-00000000000" + std::to_string(shard) +
         " in stream s under account 000000000000.";
}

class ThroughputServiceTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-thr");
    fsync_ = storage::FsyncPolicy::kNever;
  }
  void configure(KinesisService& service) override {
    service.now_ms = [this] { return now_.load(); };
  }
  // Opens the service with the limits on or off and a two-shard stream "s".
  void start(bool limits = true) {
    options_.throughput_limits = limits;
    open();
    ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  }
  // A record routed to shard 0 or 1 of the two-shard stream.
  static Value record(int shard, std::string data) {
    const HashKey at = split_hash_space(2)[static_cast<size_t>(shard)].start;
    return obj({{"PartitionKey", "k"}, {"Data", Blob{std::move(data)}}, {"ExplicitHashKey", format_hash_key(at)}});
  }
  protocol::ApiResult<Value> put_records(Array records) {
    return call("PutRecords", obj({{"StreamName", "s"}, {"Records", std::move(records)}}));
  }
  static Array records(int n, int shard, size_t bytes = 10) {
    Array out;
    for (int i = 0; i < n; ++i) out.push_back(record(shard, std::string(bytes, 'x')));
    return out;
  }
  std::string iterator(int shard) {
    auto it = call("GetShardIterator", obj({{"StreamName", "s"},
                                            {"ShardId", "shardId-00000000000" + std::to_string(shard)},
                                            {"ShardIteratorType", "TRIM_HORIZON"}}));
    EXPECT_TRUE(it);
    return it ? it->find("ShardIterator")->as_string() : std::string();
  }
  // Every record of a shard, read with the limits' clock moved 1 s per call.
  size_t count_records(int shard) {
    size_t n = 0;
    std::string it = iterator(shard);
    for (int i = 0; i < 100; ++i) {
      now_ += 1000;
      auto r = call("GetRecords", obj({{"ShardIterator", it}}));
      EXPECT_TRUE(r) << r.error().message;
      if (!r) break;
      const size_t got = r->find("Records")->as_array().size();
      n += got;
      if (got == 0) break;
      it = r->find("NextShardIterator")->as_string();
    }
    return n;
  }

  std::atomic<int64_t> now_{kT0};
};

TEST_F(ThroughputServiceTest, PutRecordsThrottlesEntriesOfAFullShardOnly) {
  start();
  for (int i = 0; i < 2; ++i) {
    auto r = put_records(records(500, 0));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->find("FailedRecordCount")->as_int(), 0);
  }
  // Shard 0 has used its 1,000 records this second; shard 1 has not.
  Array mixed;
  for (int i = 0; i < 500; ++i) mixed.push_back(record(i % 2, "r" + std::to_string(i)));
  auto r = put_records(std::move(mixed));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("FailedRecordCount")->as_int(), 250);
  const Array& out = r->find("Records")->as_array();
  ASSERT_EQ(out.size(), 500u);
  std::string last_seq;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(out[i].find("ErrorCode")->as_string(), kThrottled) << i;
      EXPECT_EQ(out[i].find("ErrorMessage")->as_string(), write_message(0)) << i;
      EXPECT_EQ(out[i].find("SequenceNumber"), nullptr);
    } else {
      EXPECT_EQ(out[i].find("ErrorCode"), nullptr) << i;
      EXPECT_EQ(out[i].find("ShardId")->as_string(), "shardId-000000000001");
      const std::string& seq = out[i].find("SequenceNumber")->as_string();
      EXPECT_GT(seq, last_seq) << i;  // request order, equal-length decimals
      last_seq = seq;
    }
  }
  // Throttled entries were not stored; the shard-1 entries were, in order.
  EXPECT_EQ(count_records(0), 1000u);
  std::string it = iterator(1);
  now_ += 1000;
  auto read = call("GetRecords", obj({{"ShardIterator", it}}));
  ASSERT_TRUE(read);
  const Array& got = read->find("Records")->as_array();
  ASSERT_EQ(got.size(), 250u);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i].find("Data")->as_blob().bytes, "r" + std::to_string(2 * i + 1));
}

TEST_F(ThroughputServiceTest, EveryEntryThrottledStillAnswersInOrder) {
  start();
  ASSERT_TRUE(put_records(records(500, 0)));
  ASSERT_TRUE(put_records(records(500, 0)));
  auto r = put_records(records(3, 0));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("FailedRecordCount")->as_int(), 3);
  for (const auto& e : r->find("Records")->as_array()) EXPECT_EQ(e.find("ErrorMessage")->as_string(), write_message(0));
}

TEST_F(ThroughputServiceTest, BytesLimitThrottlesAndTheResendSucceedsLater) {
  start();
  // 100 KiB records: ten fit the 1 MiB budget, the other five do not.
  auto r = put_records(records(15, 0, 100 * 1024));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("FailedRecordCount")->as_int(), 5);
  const Array& out = r->find("Records")->as_array();
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].find("ErrorCode") != nullptr, i >= 10) << i;
  now_ += 500;  // half a MiB refilled
  auto resend = put_records(records(5, 0, 100 * 1024));
  ASSERT_TRUE(resend);
  EXPECT_EQ(resend->find("FailedRecordCount")->as_int(), 0);
}

TEST_F(ThroughputServiceTest, PutRecordFailsWholeThenRecovers) {
  start();
  ASSERT_TRUE(put_records(records(500, 0)));
  ASSERT_TRUE(put_records(records(500, 0)));
  Value one = record(0, "late");
  one.set("StreamName", "s");
  auto r = call("PutRecord", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, kThrottled);
  EXPECT_EQ(r.error().message, write_message(0));
  EXPECT_EQ(r.error().http_status, 400);
  // The other shard is not affected; shard 0 recovers after a millisecond.
  Value other = record(1, "other");
  other.set("StreamName", "s");
  EXPECT_TRUE(call("PutRecord", other));
  now_ += 1;
  auto again = call("PutRecord", one);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->find("ShardId")->as_string(), "shardId-000000000000");
}

TEST_F(ThroughputServiceTest, ValidationFailureChargesNothing) {
  start();
  Array bad = records(499, 0);
  Value invalid = record(0, "x");
  invalid.set("ExplicitHashKey", "-1");
  bad.push_back(std::move(invalid));
  auto r = put_records(std::move(bad));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "InvalidArgumentException");
  for (int i = 0; i < 2; ++i) {
    auto ok = put_records(records(500, 0));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->find("FailedRecordCount")->as_int(), 0);
  }
}

TEST_F(ThroughputServiceTest, SixthGetRecordsInASecondIsThrottled) {
  start();
  ASSERT_TRUE(put_records(records(3, 0)));
  std::string it = iterator(0);
  for (int i = 0; i < 5; ++i) {
    auto r = call("GetRecords", obj({{"ShardIterator", it}}));
    ASSERT_TRUE(r) << i << ": " << r.error().message;
  }
  auto sixth = call("GetRecords", obj({{"ShardIterator", it}}));
  ASSERT_FALSE(sixth);
  EXPECT_EQ(sixth.error().type, kThrottled);
  EXPECT_EQ(sixth.error().message, "Rate exceeded for Shard - 000000000000/s/shardId-000000000000");
  EXPECT_EQ(sixth.error().http_status, 400);
  // Shard 1 has its own five calls; shard 0 gets one back after 200 ms.
  EXPECT_TRUE(call("GetRecords", obj({{"ShardIterator", iterator(1)}})));
  now_ += 199;
  EXPECT_FALSE(call("GetRecords", obj({{"ShardIterator", it}})));
  now_ += 1;
  auto r = call("GetRecords", obj({{"ShardIterator", it}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("Records")->as_array().size(), 3u);
}

TEST_F(ThroughputServiceTest, LargeResponseThrottlesTheFollowingReads) {
  start();
  // 3 MiB on shard 0, one 1 MiB record a second (the write budget).
  for (int i = 0; i < 3; ++i) {
    auto r = put_records(records(1, 0, (1 << 20) - 1));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->find("FailedRecordCount")->as_int(), 0) << i;
    now_ += 1000;
  }
  std::string it = iterator(0);
  auto big = call("GetRecords", obj({{"ShardIterator", it}}));
  ASSERT_TRUE(big);
  ASSERT_EQ(big->find("Records")->as_array().size(), 3u);
  // 3 MiB read against a 2 MiB budget: 1 MiB of debt, repaid in 500 ms.
  const std::string next = big->find("NextShardIterator")->as_string();
  auto r = call("GetRecords", obj({{"ShardIterator", next}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, kThrottled);
  now_ += 500;
  EXPECT_FALSE(call("GetRecords", obj({{"ShardIterator", next}})));
  now_ += 1;
  EXPECT_TRUE(call("GetRecords", obj({{"ShardIterator", next}})));
}

TEST_F(ThroughputServiceTest, LimitsOffLetEverythingThrough) {
  start(/*limits=*/false);
  for (int i = 0; i < 4; ++i) {
    auto r = put_records(records(500, 0, 1000));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->find("FailedRecordCount")->as_int(), 0);
  }
  Value one = record(0, "x");
  one.set("StreamName", "s");
  EXPECT_TRUE(call("PutRecord", one));
  std::string it = iterator(0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(call("GetRecords", obj({{"ShardIterator", it}}))) << i;
}

}  // namespace
}  // namespace runnel::streams
