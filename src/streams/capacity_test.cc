// UpdateShardCount, UpdateStreamMode, UpdateMaxRecordSize,
// UpdateStreamWarmThroughput, enhanced monitoring, resource policies, the
// account shard limit, control-plane call rates and on-demand scaling,
// against a real log and metadata store (ops_capacity.cc, ops_policy.cc,
// ops_reshard.cc).

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <set>

#include "protocol/model.h"
#include "streams/hash_key.h"
#include "streams/kinesis_service.h"
#include "streams/service_test_base.h"
#include "streams/shard_id.h"

namespace runnel::streams {
namespace {

using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

const std::string kAccount = "000000000000";
constexpr int64_t kStart = 1'764'000'000'000;

class CapacityTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-capacity");
    options_.throughput_limits = false;
    options_.autoscale_interval_ms = 0;  // rounds run only when a test calls autoscale_once
    open();
  }
  void configure(KinesisService& service) override {
    service.now_ms = [now = now_] { return now->load(); };
    service.shard_write_rate = [rates = rates_](storage::ShardKey key, int64_t) {
      auto it = rates->find(key);
      return it == rates->end() ? ShardThroughput::WriteRate{} : it->second;
    };
  }
  void restart() {
    close();
    open();
  }
  static std::string arn(const std::string& stream) {
    return "arn:aws:kinesis:us-east-1:" + kAccount + ":stream/" + stream;
  }
  void create(const std::string& name, int shards) {
    auto r = call("CreateStream", obj({{"StreamName", name}, {"ShardCount", shards}}));
    ASSERT_TRUE(r) << r.error().message;
  }
  void create_on_demand(const std::string& name) {
    Value details = obj({{"StreamMode", "ON_DEMAND"}});
    auto r = call("CreateStream", obj({{"StreamName", name}, {"StreamModeDetails", details}}));
    ASSERT_TRUE(r) << r.error().message;
  }
  protocol::ApiResult<Value> update_count(const std::string& name, int target) {
    return call("UpdateShardCount",
                obj({{"StreamName", name}, {"TargetShardCount", target}, {"ScalingType", "UNIFORM_SCALING"}}));
  }
  Value summary(const std::string& name) {
    auto r = call("DescribeStreamSummary", obj({{"StreamName", name}}));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r->find("StreamDescriptionSummary") : Value(Object{});
  }
  Array list_shards(const std::string& name) {
    auto r = call("ListShards", obj({{"StreamName", name}, {"MaxResults", 1000}}));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->find("Shards")->as_array() : Array{};
  }
  static bool is_open(const Value& shard) {
    return shard.find("SequenceNumberRange")->find("EndingSequenceNumber") == nullptr;
  }
  static HashKeyRange range_of(const Value& shard) {
    const Value* r = shard.find("HashKeyRange");
    return {*parse_hash_key(r->find("StartingHashKey")->as_string()),
            *parse_hash_key(r->find("EndingHashKey")->as_string())};
  }
  // The open shards' ranges, in hash key order.
  std::vector<HashKeyRange> open_ranges(const std::string& name) {
    std::vector<HashKeyRange> out;
    for (const auto& sh : list_shards(name))
      if (is_open(sh)) out.push_back(range_of(sh));
    std::sort(out.begin(), out.end(), [](const HashKeyRange& a, const HashKeyRange& b) { return a.start < b.start; });
    return out;
  }
  static protocol::ApiError error_of(const protocol::ApiResult<Value>& r) {
    EXPECT_FALSE(r);
    return r ? protocol::ApiError{} : r.error();
  }
  void put(const std::string& stream, const std::string& key, const std::string& data) {
    auto r = call("PutRecord", obj({{"StreamName", stream}, {"PartitionKey", key}, {"Data", Blob{data}}}));
    ASSERT_TRUE(r) << r.error().message;
  }
  // Every record of `shard`, from TRIM_HORIZON to its end (closed) or until
  // caught up (open).
  std::vector<Value> read_all(const std::string& stream, const std::string& shard) {
    std::vector<Value> out;
    auto it = call("GetShardIterator",
                   obj({{"StreamName", stream}, {"ShardId", shard}, {"ShardIteratorType", "TRIM_HORIZON"}}));
    EXPECT_TRUE(it) << it.error().message;
    if (!it) return out;
    std::string iter = it->find("ShardIterator")->as_string();
    for (int i = 0; i < 1000; ++i) {
      auto page = call("GetRecords", obj({{"ShardIterator", iter}}));
      EXPECT_TRUE(page) << page.error().message;
      if (!page) return out;
      for (const auto& r : page->find("Records")->as_array()) out.push_back(r);
      const Value* next = page->find("NextShardIterator");
      if (!next || !next->is_string()) {
        const Value* children = page->find("ChildShards");
        EXPECT_TRUE(children && !children->as_array().empty()) << "closed shard " << shard << " without ChildShards";
        return out;
      }
      if (page->find("Records")->as_array().empty()) return out;
      iter = next->as_string();
    }
    ADD_FAILURE() << "shard " << shard << " never ended";
    return out;
  }
  // Reads the whole stream the KCL way: a shard only after all its parents.
  // Returns the data of each partition key in the order read.
  std::map<std::string, std::vector<std::string>> read_by_lineage(const std::string& stream) {
    Array all = list_shards(stream);
    std::set<std::string> done;
    std::map<std::string, std::vector<std::string>> by_key;
    bool progress = true;
    while (progress && done.size() < all.size()) {
      progress = false;
      for (const auto& sh : all) {
        const std::string id = sh.find("ShardId")->as_string();
        if (done.contains(id)) continue;
        bool ready = true;
        for (const char* p : {"ParentShardId", "AdjacentParentShardId"})
          if (const Value* parent = sh.find(p)) ready = ready && done.contains(parent->as_string());
        if (!ready) continue;
        for (const auto& r : read_all(stream, id))
          by_key[r.find("PartitionKey")->as_string()].push_back(r.find("Data")->as_blob().bytes);
        done.insert(id);
        progress = true;
      }
    }
    EXPECT_EQ(done.size(), all.size()) << "some shards' parents are missing";
    return by_key;
  }

  // Each closed shard's children exactly cover it (a split), or one child
  // covers it together with its adjacent parent (a merge); the open shards
  // cover the hash key space without gaps.
  void expect_consistent_lineage(const std::string& stream) {
    Array all = list_shards(stream);
    std::map<std::string, const Value*> by_id;
    for (const auto& sh : all) by_id[sh.find("ShardId")->as_string()] = &sh;
    for (const auto& sh : all) {
      const HashKeyRange r = range_of(sh);
      const Value* p = sh.find("ParentShardId");
      const Value* a = sh.find("AdjacentParentShardId");
      if (p && a) {
        ASSERT_TRUE(by_id.contains(p->as_string()) && by_id.contains(a->as_string()));
        const HashKeyRange pr = range_of(*by_id[p->as_string()]), ar = range_of(*by_id[a->as_string()]);
        EXPECT_EQ(pr.start, r.start);
        EXPECT_EQ(ar.end, r.end);
        EXPECT_EQ(pr.end + 1, ar.start);
        EXPECT_FALSE(is_open(*by_id[p->as_string()]));
        EXPECT_FALSE(is_open(*by_id[a->as_string()]));
      } else if (p && by_id.contains(p->as_string())) {
        const HashKeyRange pr = range_of(*by_id[p->as_string()]);
        EXPECT_TRUE(pr.start <= r.start && r.end <= pr.end);
        EXPECT_FALSE(is_open(*by_id[p->as_string()]));
      }
    }
    auto open = open_ranges(stream);
    ASSERT_FALSE(open.empty());
    EXPECT_EQ(open.front().start, HashKey{0});
    EXPECT_EQ(open.back().end, kMaxHashKey);
    for (size_t i = 1; i < open.size(); ++i) EXPECT_EQ(open[i - 1].end + 1, open[i].start);
  }

  std::shared_ptr<std::atomic<int64_t>> now_ = std::make_shared<std::atomic<int64_t>>(kStart);
  std::shared_ptr<std::map<storage::ShardKey, ShardThroughput::WriteRate>> rates_ =
      std::make_shared<std::map<storage::ShardKey, ShardThroughput::WriteRate>>();
};

void expect_uniform(const std::vector<HashKeyRange>& open, uint32_t n) {
  auto want = split_hash_space(n);
  ASSERT_EQ(open.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(open[i].start, want[i].start) << i;
    EXPECT_EQ(open[i].end, want[i].end) << i;
  }
}

// --- UpdateShardCount ---

TEST_F(CapacityTest, UpdateShardCountDoublesWithSplits) {
  create("s", 2);
  auto r = update_count("s", 4);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("StreamName")->as_string(), "s");
  EXPECT_EQ(r->find("StreamARN")->as_string(), arn("s"));
  EXPECT_EQ(r->find("CurrentShardCount")->as_int(), 2);
  EXPECT_EQ(r->find("TargetShardCount")->as_int(), 4);
  expect_uniform(open_ranges("s"), 4);
  EXPECT_EQ(list_shards("s").size(), 6u);  // 2 closed parents, 4 children, no short-lived shards
  expect_consistent_lineage("s");
  EXPECT_EQ(summary("s").find("OpenShardCount")->as_int(), 4);
}

TEST_F(CapacityTest, UpdateShardCountHalvesWithMerges) {
  create("s", 4);
  ASSERT_TRUE(update_count("s", 2));
  expect_uniform(open_ranges("s"), 2);
  EXPECT_EQ(list_shards("s").size(), 6u);
  for (const auto& sh : list_shards("s"))
    if (is_open(sh)) {
      EXPECT_NE(sh.find("AdjacentParentShardId"), nullptr);
    }
  expect_consistent_lineage("s");
}

TEST_F(CapacityTest, UpdateShardCountToNonMultipleIsUniformAndReadableOnceInOrder) {
  create("s", 3);
  for (int i = 0; i < 60; ++i) put("s", "k" + std::to_string(i % 20), "a" + std::to_string(i));
  ASSERT_TRUE(update_count("s", 5));
  expect_uniform(open_ranges("s"), 5);
  expect_consistent_lineage("s");
  for (int i = 0; i < 60; ++i) put("s", "k" + std::to_string(i % 20), "b" + std::to_string(i));
  *now_ += 1000;
  ASSERT_TRUE(update_count("s", 3));
  expect_uniform(open_ranges("s"), 3);
  expect_consistent_lineage("s");
  for (int i = 0; i < 60; ++i) put("s", "k" + std::to_string(i % 20), "c" + std::to_string(i));

  auto by_key = read_by_lineage("s");
  ASSERT_EQ(by_key.size(), 20u);
  for (int k = 0; k < 20; ++k) {
    std::vector<std::string> want;
    for (const char* round : {"a", "b", "c"})
      for (int i = k; i < 60; i += 20) want.push_back(round + std::to_string(i));
    EXPECT_EQ(by_key["k" + std::to_string(k)], want) << "key k" << k;
  }
}

TEST_F(CapacityTest, UpdateShardCountBounds) {
  create("s", 4);
  // AWS's answers as kinesalite recorded them ("should return LimitExceededException if scaling
  // above double / down below half open shards").
  auto e = error_of(update_count("s", 9));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_EQ(e.message,
            "UpdateShardCount cannot scale up over double your current open shard count. Current open shard "
            "count: 4, Target shard count: 9");
  e = error_of(update_count("s", 1));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_EQ(e.message,
            "UpdateShardCount cannot scale down below half your current open shard count. Current open shard "
            "count: 4, Target shard count: 1");
  EXPECT_TRUE(update_count("s", 8));
  EXPECT_TRUE(update_count("s", 4));
  EXPECT_TRUE(update_count("s", 2));

  EXPECT_EQ(error_of(update_count("missing", 2)).type, "ResourceNotFoundException");
  create_on_demand("od");
  e = error_of(update_count("od", 5));
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "Request is invalid. Stream od under account 000000000000 is in On-Demand mode.");
}

TEST_F(CapacityTest, UpdateShardCountAtMostTenTimesPerRollingDay) {
  create("s", 1);
  for (int i = 0; i < 10; ++i) {
    auto r = update_count("s", i % 2 == 0 ? 2 : 1);
    ASSERT_TRUE(r) << i << ": " << r.error().message;
    *now_ += 60'000;
  }
  auto e = error_of(update_count("s", 2));
  EXPECT_EQ(e.type, "LimitExceededException");
  // The first call leaves the 24-hour window.
  *now_ = kStart + 24LL * 3600 * 1000 + 1;
  EXPECT_TRUE(update_count("s", 2));
  EXPECT_EQ(error_of(update_count("s", 1)).type, "LimitExceededException");
  // The count survives a restart (it is in the stream's document).
  restart();
  EXPECT_EQ(error_of(update_count("s", 1)).type, "LimitExceededException");
}

TEST_F(CapacityTest, UpdatesOnAStreamThatIsNotActiveGetResourceInUse) {
  options_.update_stream_ms = 500;
  restart();
  create("s", 2);
  ASSERT_TRUE(update_count("s", 4));
  EXPECT_EQ(summary("s").find("StreamStatus")->as_string(), "UPDATING");
  const std::string not_active = "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING";
  auto e = error_of(update_count("s", 2));
  EXPECT_EQ(e.type, "ResourceInUseException");
  EXPECT_EQ(e.message, not_active);
  e = error_of(call("UpdateStreamMode",
                    obj({{"StreamARN", arn("s")}, {"StreamModeDetails", obj({{"StreamMode", "ON_DEMAND"}})}})));
  EXPECT_EQ(e.message, not_active);
  e = error_of(call("UpdateMaxRecordSize", obj({{"StreamARN", arn("s")}, {"MaxRecordSizeInKiB", 2048}})));
  EXPECT_EQ(e.message, not_active);
  e = error_of(call("EnableEnhancedMonitoring", obj({{"StreamName", "s"}, {"ShardLevelMetrics", Array{"ALL"}}})));
  EXPECT_EQ(e.message, not_active);
  e = error_of(call("IncreaseStreamRetentionPeriod", obj({{"StreamName", "s"}, {"RetentionPeriodHours", 48}})));
  EXPECT_EQ(e.message, not_active);
  *now_ += 500;
  EXPECT_EQ(summary("s").find("StreamStatus")->as_string(), "ACTIVE");
  EXPECT_TRUE(update_count("s", 2));
}

// --- the account shard limit ---

TEST_F(CapacityTest, ShardLimitAppliesToCreateUpdateAndSplit) {
  options_.shard_limit = 10;
  restart();
  create("a", 6);
  auto e = error_of(call("CreateStream", obj({{"StreamName", "b"}, {"ShardCount", 5}})));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_EQ(e.message,
            "This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard "
            "count for the account: 6. Limit: 10. Number of additional shards that would have resulted from this "
            "request: 5. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/"
            "aws_service_limits.html) for current limits and how to request higher limits.");
  // UpdateShardCount words the account's limit its own way, and checks it before the doubling
  // bound ("should return LimitExceededException if increasing over shards limit").
  e = error_of(update_count("a", 12));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_EQ(e.message,
            "Target shard count or number of open shards cannot be greater than 10. Current open shard count: 6, "
            "Target shard count: 12");
  e = error_of(update_count("a", 13));
  EXPECT_EQ(e.message,
            "Target shard count or number of open shards cannot be greater than 10. Current open shard count: 6, "
            "Target shard count: 13");
  create("b", 4);
  auto ranges = split_hash_space(4);
  e = error_of(call("SplitShard", obj({{"StreamName", "b"},
                                       {"ShardToSplit", "shardId-000000000000"},
                                       {"NewStartingHashKey", format_hash_key(ranges[0].start + 100)}})));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_NE(e.message.find("Current shard count for the account: 10. Limit: 10."), std::string::npos) << e.message;
  auto limits = call("DescribeLimits", Value(Object{}));
  ASSERT_TRUE(limits);
  EXPECT_EQ(limits->find("ShardLimit")->as_int(), 10);
  EXPECT_EQ(limits->find("OpenShardCount")->as_int(), 10);
}

// --- UpdateStreamMode ---

TEST_F(CapacityTest, UpdateStreamModeSwitchesAndIsReported) {
  create("s", 2);
  auto to = [&](const char* mode) {
    return call("UpdateStreamMode", obj({{"StreamARN", arn("s")}, {"StreamModeDetails", obj({{"StreamMode", mode}})}}));
  };
  ASSERT_TRUE(to("ON_DEMAND"));
  EXPECT_EQ(summary("s").find("StreamModeDetails")->find("StreamMode")->as_string(), "ON_DEMAND");
  auto d = call("DescribeStream", obj({{"StreamName", "s"}}));
  EXPECT_EQ(d->find("StreamDescription")->find("StreamModeDetails")->find("StreamMode")->as_string(), "ON_DEMAND");
  auto l = call("ListStreams", Value(Object{}));
  EXPECT_EQ(l->find("StreamSummaries")->as_array()[0].find("StreamModeDetails")->find("StreamMode")->as_string(),
            "ON_DEMAND");
  auto limits = call("DescribeLimits", Value(Object{}));
  EXPECT_EQ(limits->find("OnDemandStreamCount")->as_int(), 1);
  auto e = error_of(to("ON_DEMAND"));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  ASSERT_TRUE(to("PROVISIONED"));
  EXPECT_EQ(summary("s").find("StreamModeDetails")->find("StreamMode")->as_string(), "PROVISIONED");
  // Twice per rolling 24 hours.
  e = error_of(to("ON_DEMAND"));
  EXPECT_EQ(e.type, "LimitExceededException");
  *now_ += 24LL * 3600 * 1000 + 1;
  EXPECT_TRUE(to("ON_DEMAND"));
  restart();
  EXPECT_EQ(summary("s").find("StreamModeDetails")->find("StreamMode")->as_string(), "ON_DEMAND");
}

TEST_F(CapacityTest, OnDemandStreamsStartWithFourShardsAndCountAgainstTheirLimit) {
  options_.on_demand_stream_limit = 1;
  restart();
  create_on_demand("od");
  EXPECT_EQ(summary("od").find("OpenShardCount")->as_int(), 4);
  create("p", 1);
  auto e = error_of(call("UpdateStreamMode",
                         obj({{"StreamARN", arn("p")}, {"StreamModeDetails", obj({{"StreamMode", "ON_DEMAND"}})}})));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_NE(e.message.find("Limit: 1."), std::string::npos) << e.message;
}

// --- UpdateMaxRecordSize ---

TEST_F(CapacityTest, UpdateMaxRecordSizeIsReportedAndPersisted) {
  create("s", 1);
  EXPECT_EQ(summary("s").find("MaxRecordSizeInKiB")->as_int(), 1024);
  ASSERT_TRUE(call("UpdateMaxRecordSize", obj({{"StreamARN", arn("s")}, {"MaxRecordSizeInKiB", 10240}})));
  EXPECT_EQ(summary("s").find("MaxRecordSizeInKiB")->as_int(), 10240);
  EXPECT_EQ(error_of(call("UpdateMaxRecordSize", obj({{"StreamARN", arn("s")}, {"MaxRecordSizeInKiB", 10241}}))).type,
            "InvalidArgumentException");
  EXPECT_EQ(error_of(call("UpdateMaxRecordSize", obj({{"StreamARN", arn("nope")}, {"MaxRecordSizeInKiB", 2048}}))).type,
            "ResourceNotFoundException");
  restart();
  EXPECT_EQ(summary("s").find("MaxRecordSizeInKiB")->as_int(), 10240);
}

// --- UpdateStreamWarmThroughput ---

TEST_F(CapacityTest, WarmThroughputNeedsOnDemandAndTheBillingCommitment) {
  create("p", 1);
  create_on_demand("od");
  auto warm = [&](const std::string& s, int mibps) {
    return call("UpdateStreamWarmThroughput", obj({{"StreamName", s}, {"WarmThroughputMiBps", mibps}}));
  };
  EXPECT_EQ(error_of(warm("p", 100)).type, "ValidationException");
  EXPECT_EQ(error_of(warm("od", 100)).type, "InvalidArgumentException");
  ASSERT_TRUE(
      call("UpdateAccountSettings", obj({{"MinimumThroughputBillingCommitment", obj({{"Status", "ENABLED"}})}})));
  EXPECT_EQ(error_of(warm("od", 10241)).type, "InvalidArgumentException");
  auto r = warm("od", 100);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("StreamName")->as_string(), "od");
  EXPECT_EQ(r->find("WarmThroughput")->find("TargetMiBps")->as_int(), 100);
  EXPECT_EQ(r->find("WarmThroughput")->find("CurrentMiBps")->as_int(), 4);
  const Value od = summary("od");
  const Value* reported = od.find("WarmThroughput");
  ASSERT_NE(reported, nullptr);
  EXPECT_EQ(reported->find("TargetMiBps")->as_int(), 100);
  EXPECT_EQ(summary("p").find("WarmThroughput"), nullptr);
  restart();
  EXPECT_EQ(summary("od").find("WarmThroughput")->find("TargetMiBps")->as_int(), 100);
}

// --- enhanced monitoring ---

TEST_F(CapacityTest, EnhancedMonitoringIsStoredAndReported) {
  create("s", 1);
  auto r = call("EnableEnhancedMonitoring",
                obj({{"StreamName", "s"}, {"ShardLevelMetrics", Array{"IncomingRecords", "IncomingBytes"}}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("StreamName")->as_string(), "s");
  EXPECT_EQ(r->find("StreamARN")->as_string(), arn("s"));
  EXPECT_EQ(r->find("CurrentShardLevelMetrics")->as_array(), Array{});
  EXPECT_EQ(r->find("DesiredShardLevelMetrics")->as_array(), (Array{"IncomingBytes", "IncomingRecords"}));
  r = call("EnableEnhancedMonitoring", obj({{"StreamName", "s"}, {"ShardLevelMetrics", Array{"ALL"}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("DesiredShardLevelMetrics")->as_array().size(), 7u);
  r = call("DisableEnhancedMonitoring",
           obj({{"StreamARN", arn("s")}, {"ShardLevelMetrics", Array{"OutgoingBytes", "IteratorAgeMilliseconds"}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("CurrentShardLevelMetrics")->as_array().size(), 7u);
  const Array five = {"IncomingBytes", "IncomingRecords", "OutgoingRecords", "WriteProvisionedThroughputExceeded",
                      "ReadProvisionedThroughputExceeded"};
  EXPECT_EQ(r->find("DesiredShardLevelMetrics")->as_array(), five);
  auto d = call("DescribeStream", obj({{"StreamName", "s"}}));
  EXPECT_EQ(
      d->find("StreamDescription")->find("EnhancedMonitoring")->as_array()[0].find("ShardLevelMetrics")->as_array(),
      five);
  restart();
  EXPECT_EQ(summary("s").find("EnhancedMonitoring")->as_array()[0].find("ShardLevelMetrics")->as_array(), five);
  r = call("DisableEnhancedMonitoring", obj({{"StreamName", "s"}, {"ShardLevelMetrics", Array{"ALL"}}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("DesiredShardLevelMetrics")->as_array(), Array{});
  EXPECT_EQ(
      error_of(call("EnableEnhancedMonitoring", obj({{"StreamName", "s"}, {"ShardLevelMetrics", Array{"Bogus"}}})))
          .type,
      "InvalidArgumentException");
}

// --- control-plane call rates ---

TEST_F(CapacityTest, ControlPlaneUpdatesBeyondTheirRateGetLimitExceeded) {
  options_.control_plane_limits = true;
  restart();
  for (int i = 0; i < 5; ++i) create("s" + std::to_string(i), 1);
  auto e = error_of(call("CreateStream", obj({{"StreamName", "s5"}, {"ShardCount", 1}})));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_EQ(e.message, "Rate exceeded for stream s5 under account 000000000000.");
  *now_ += 1000;
  create("s5", 1);
  // UpdateShardCount allows 10 per second across the account.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(update_count("s" + std::to_string(i), 2));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(update_count("s" + std::to_string(i), 1));
  EXPECT_EQ(error_of(update_count("s5", 1)).type, "LimitExceededException");
}

TEST_F(CapacityTest, ControlPlaneRatesAreOffByDefault) {
  for (int i = 0; i < 8; ++i) create("s" + std::to_string(i), 1);
}

// --- on-demand scaling ---

TEST_F(CapacityTest, AutoscalerSplitsAHotOnDemandShardAfterItStaysHot) {
  create_on_demand("od");
  create("p", 1);
  Array shards = list_shards("od");
  ASSERT_EQ(shards.size(), 4u);
  // Every shard that exists now is hot (the log keys are small numbers).
  for (storage::ShardKey k = 0; k < 64; ++k) (*rates_)[k] = {.bytes_per_s = 950'000, .records_per_s = 10};
  *now_ += options_.autoscale.min_shard_age_ms;
  service_->autoscale_once();
  EXPECT_EQ(list_shards("od").size(), 4u);  // hot, not yet for long enough
  *now_ += options_.autoscale.sustain_ms;
  service_->autoscale_once();
  EXPECT_EQ(summary("od").find("OpenShardCount")->as_int(), 8);
  EXPECT_EQ(summary("od").find("StreamStatus")->as_string(), "ACTIVE");
  EXPECT_EQ(summary("p").find("OpenShardCount")->as_int(), 1);  // provisioned streams never scale
  expect_consistent_lineage("od");
  expect_uniform(open_ranges("od"), 8);
  // The children are hot too, but younger than min_shard_age_ms.
  *now_ += options_.autoscale.sustain_ms;
  service_->autoscale_once();
  EXPECT_EQ(summary("od").find("OpenShardCount")->as_int(), 8);
}

TEST_F(CapacityTest, AutoscalerStopsAtTheShardLimit) {
  options_.shard_limit = 6;
  restart();
  create_on_demand("od");
  for (storage::ShardKey k = 0; k < 64; ++k) (*rates_)[k] = {.bytes_per_s = 0, .records_per_s = 999};
  *now_ += options_.autoscale.min_shard_age_ms;
  service_->autoscale_once();
  *now_ += options_.autoscale.sustain_ms;
  service_->autoscale_once();
  EXPECT_EQ(summary("od").find("OpenShardCount")->as_int(), 6);
}

}  // namespace
}  // namespace runnel::streams
