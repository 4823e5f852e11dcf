// SplitShard and MergeShards against a real log and metadata store: shard
// geometry, AWS's error texts, closing a shard exactly while puts run on
// other threads, GetRecords at the end of a closed shard, and a restart.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "protocol/json_codec.h"
#include "streams/child_shards.h"
#include "streams/hash_key.h"
#include "streams/kinesis_service.h"
#include "streams/sequence_number.h"
#include "streams/service_test_base.h"
#include "streams/shard_id.h"

namespace runnel::streams {
namespace {

using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

const std::string kAccount = "000000000000";

class ReshardTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-reshard");
    // These tests read closed shards many times a second to check lineage,
    // not throttling (throughput_service_test.cc), so the shard limits are off.
    options_.throughput_limits = false;
    open();
  }
  void configure(KinesisService& service) override {
    if (fake_now_) service.now_ms = [now = fake_now_] { return now->load(); };
  }

  Array shards(const std::string& stream) {
    auto d = call("DescribeStream", obj({{"StreamName", stream}}));
    EXPECT_TRUE(d);
    return d ? d->find("StreamDescription")->find("Shards")->as_array() : Array{};
  }
  static const Value* shard_named(const Array& all, const std::string& id) {
    for (const auto& s : all)
      if (s.find("ShardId")->as_string() == id) return &s;
    return nullptr;
  }
  static std::string range_start(const Value& shard) {
    return shard.find("HashKeyRange")->find("StartingHashKey")->as_string();
  }
  static std::string range_end(const Value& shard) {
    return shard.find("HashKeyRange")->find("EndingHashKey")->as_string();
  }
  static bool closed(const Value& shard) {
    return shard.find("SequenceNumberRange")->find("EndingSequenceNumber") != nullptr;
  }

  void split(const std::string& stream, const std::string& shard, HashKey at) {
    auto r = call("SplitShard",
                  obj({{"StreamName", stream}, {"ShardToSplit", shard}, {"NewStartingHashKey", format_hash_key(at)}}));
    ASSERT_TRUE(r) << r.error().type << ": " << r.error().message;
  }
  void merge(const std::string& stream, const std::string& a, const std::string& b) {
    auto r = call("MergeShards", obj({{"StreamName", stream}, {"ShardToMerge", a}, {"AdjacentShardToMerge", b}}));
    ASSERT_TRUE(r) << r.error().type << ": " << r.error().message;
  }
  static protocol::ApiError error_of(const protocol::ApiResult<Value>& r) {
    EXPECT_FALSE(r);
    return r ? protocol::ApiError{} : r.error();
  }

  std::string iterator(const std::string& stream, const std::string& shard, const std::string& type,
                       const std::string& seq = "") {
    Value in = obj({{"StreamName", stream}, {"ShardId", shard}, {"ShardIteratorType", type}});
    if (!seq.empty()) in.set("StartingSequenceNumber", seq);
    auto it = call("GetShardIterator", std::move(in));
    EXPECT_TRUE(it) << it.error().message;
    return it ? it->find("ShardIterator")->as_string() : std::string();
  }

  // Reads a shard the KCL way, until its end (closed) or until caught up
  // (open). Each page is checked against the KCL's rule. Returns the
  // records and, for a closed shard, the ChildShards of the last page.
  struct ShardRead {
    std::vector<Value> records;
    Array children;
    bool ended = false;
  };
  ShardRead read_shard(const std::string& stream, const std::string& shard, int limit = 1000) {
    ShardRead out;
    std::string it = iterator(stream, shard, "TRIM_HORIZON");
    for (int calls = 0; calls < 10000; ++calls) {
      auto page = call("GetRecords", obj({{"ShardIterator", it}, {"Limit", limit}}));
      EXPECT_TRUE(page) << page.error().message;
      if (!page) break;
      for (const auto& r : page->find("Records")->as_array()) out.records.push_back(r);
      const Value* next = page->find("NextShardIterator");
      const Value* children = page->find("ChildShards");
      if (next && next->is_string()) {
        EXPECT_TRUE(!children || children->as_array().empty()) << "ChildShards before the end of " << shard;
        if (page->find("Records")->as_array().empty()) return out;  // caught up (open shard)
        it = next->as_string();
        continue;
      }
      EXPECT_TRUE(children && !children->as_array().empty()) << "no ChildShards at the end of " << shard;
      EXPECT_EQ(page->find("MillisBehindLatest")->as_int(), 0);
      if (children) out.children = children->as_array();
      out.ended = true;
      return out;
    }
    ADD_FAILURE() << "shard " << shard << " never ended";
    return out;
  }

  Value put(const std::string& stream, const std::string& key, const std::string& data,
            std::optional<HashKey> explicit_hash = std::nullopt) {
    Value in = obj({{"StreamName", stream}, {"PartitionKey", key}, {"Data", Blob{data}}});
    if (explicit_hash) in.set("ExplicitHashKey", format_hash_key(*explicit_hash));
    auto r = call("PutRecord", std::move(in));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Value(Object{});
  }
  static std::string shard_of(const Value& put_result) {
    const Value* id = put_result.find("ShardId");
    return id ? id->as_string() : std::string("(put failed)");
  }

  std::shared_ptr<std::atomic<int64_t>> fake_now_;
};

std::string id(uint32_t index) { return format_shard_id(index); }

TEST_F(ReshardTest, SplitClosesParentAndCreatesTwoChildren) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  auto ranges = split_hash_space(2);
  const HashKey mid = ranges[0].start + (ranges[0].end - ranges[0].start) / 2;
  split("s", "shardId-000000000000", mid);

  Array all = shards("s");
  ASSERT_EQ(all.size(), 4u);
  const Value& parent = *shard_named(all, id(0));
  EXPECT_TRUE(closed(parent));
  EXPECT_FALSE(closed(*shard_named(all, id(1))));
  const std::string ending = parent.find("SequenceNumberRange")->find("EndingSequenceNumber")->as_string();
  EXPECT_EQ(ending.size(), 56u);
  EXPECT_GT(
      compare_sequence_numbers(ending, parent.find("SequenceNumberRange")->find("StartingSequenceNumber")->as_string()),
      0);

  const Value& low = *shard_named(all, id(2));
  const Value& high = *shard_named(all, id(3));
  for (const Value* child : {&low, &high}) {
    EXPECT_EQ(child->find("ParentShardId")->as_string(), id(0));
    EXPECT_EQ(child->find("AdjacentParentShardId"), nullptr);
    EXPECT_FALSE(closed(*child));
    EXPECT_EQ(child->find("SequenceNumberRange")->find("StartingSequenceNumber")->as_string().size(), 56u);
  }
  EXPECT_EQ(range_start(low), format_hash_key(ranges[0].start));
  EXPECT_EQ(range_end(low), format_hash_key(mid - 1));
  EXPECT_EQ(range_start(high), format_hash_key(mid));
  EXPECT_EQ(range_end(high), format_hash_key(ranges[0].end));

  auto summary = call("DescribeStreamSummary", obj({{"StreamName", "s"}}));
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->find("StreamDescriptionSummary")->find("OpenShardCount")->as_int(), 3);
  EXPECT_EQ(summary->find("StreamDescriptionSummary")->find("StreamStatus")->as_string(), "ACTIVE");

  // ListShards: every shard by default, the open ones AT_LATEST.
  auto listed = call("ListShards", obj({{"StreamName", "s"}}));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->find("Shards")->as_array().size(), 4u);
  auto latest = call("ListShards", obj({{"StreamName", "s"}, {"ShardFilter", obj({{"Type", "AT_LATEST"}})}}));
  ASSERT_TRUE(latest);
  std::vector<std::string> open_ids;
  for (const auto& sh : latest->find("Shards")->as_array()) open_ids.push_back(sh.find("ShardId")->as_string());
  EXPECT_EQ(open_ids, (std::vector<std::string>{id(1), id(2), id(3)}));

  // Writes now land on the children only.
  for (HashKey h : {ranges[0].start, mid - 1, mid, ranges[0].end})
    EXPECT_EQ(shard_of(put("s", "k", "d", h)), h < mid ? id(2) : id(3));
}

TEST_F(ReshardTest, MergeMakesOneChildWithBothParentsAndRefusesTheInvertedPair) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 3}})));
  auto ranges = split_hash_space(3);
  // AWS (as kinesalite recorded it) wants ShardToMerge's range just below
  // AdjacentShardToMerge's: the higher range first is not an adjacent pair.
  auto e = error_of(
      call("MergeShards", obj({{"StreamName", "s"}, {"ShardToMerge", id(1)}, {"AdjacentShardToMerge", id(0)}})));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "Shards shardId-000000000001 and shardId-000000000000 in stream s under account " + kAccount +
                           " are not an adjacent pair of shards eligible for merging");
  merge("s", id(0), id(1));
  Array all = shards("s");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_TRUE(closed(*shard_named(all, id(0))));
  EXPECT_TRUE(closed(*shard_named(all, id(1))));
  EXPECT_FALSE(closed(*shard_named(all, id(2))));
  const Value& child = *shard_named(all, id(3));
  EXPECT_EQ(child.find("ParentShardId")->as_string(), id(0));
  EXPECT_EQ(child.find("AdjacentParentShardId")->as_string(), id(1));
  EXPECT_EQ(range_start(child), format_hash_key(ranges[0].start));
  EXPECT_EQ(range_end(child), format_hash_key(ranges[1].end));

  // The merged child and the remaining original shard merge again, lower
  // range first, back to one shard over the whole space.
  merge("s", id(3), id(2));
  all = shards("s");
  ASSERT_EQ(all.size(), 5u);
  const Value& whole = *shard_named(all, id(4));
  EXPECT_EQ(range_start(whole), "0");
  EXPECT_EQ(range_end(whole), format_hash_key(kMaxHashKey));
  EXPECT_EQ(whole.find("ParentShardId")->as_string(), id(3));
  EXPECT_EQ(whole.find("AdjacentParentShardId")->as_string(), id(2));
  EXPECT_EQ(shard_of(put("s", "anything", "x")), id(4));
}

TEST_F(ReshardTest, ErrorsUseAwsTypesAndTexts) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 3}})));
  auto ranges = split_hash_space(3);
  const std::string where = " in stream s under account " + kAccount;

  auto e = error_of(
      call("SplitShard", obj({{"StreamName", "s"}, {"ShardToSplit", "shardId-9"}, {"NewStartingHashKey", "5"}})));
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Could not find shard shardId-000000000009" + where + ".");
  e = error_of(call("SplitShard", obj({{"StreamName", "s"}, {"ShardToSplit", "bogus"}, {"NewStartingHashKey", "5"}})));
  EXPECT_EQ(e.message, "Could not find shard bogus" + where + ".");
  e = error_of(call("SplitShard", obj({{"StreamName", "nope"}, {"ShardToSplit", id(0)}, {"NewStartingHashKey", "5"}})));
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Stream nope under account " + kAccount + " not found.");

  // NewStartingHashKey must satisfy start + 1 < key < end.
  const std::string tail = " used in SplitShard() on shard shardId-000000000001" + where +
                           " is not both greater than one plus the shard's StartingHashKey " +
                           format_hash_key(ranges[1].start) + " and less than the shard's EndingHashKey " +
                           format_hash_key(ranges[1].end) + ".";
  for (HashKey bad : {ranges[1].start, ranges[1].start + 1, ranges[1].end, ranges[1].end + 1, HashKey{0}}) {
    e = error_of(
        call("SplitShard",
             obj({{"StreamName", "s"}, {"ShardToSplit", id(1)}, {"NewStartingHashKey", format_hash_key(bad)}})));
    EXPECT_EQ(e.type, "InvalidArgumentException");
    EXPECT_EQ(e.message, "NewStartingHashKey " + format_hash_key(bad) + tail);
  }
  const std::string too_big = "999999999999999999999999999999999999999";  // 39 digits, > 2^128-1
  e = error_of(
      call("SplitShard", obj({{"StreamName", "s"}, {"ShardToSplit", id(1)}, {"NewStartingHashKey", too_big}})));
  EXPECT_EQ(e.message, "NewStartingHashKey " + too_big + tail);
  // The narrowest legal split: start + 2 .. end - 1.
  split("s", id(1), ranges[1].start + 2);

  // A closed shard can be neither split nor merged again.
  const std::string closed_text = "Shard shardId-000000000001" + where +
                                  " has already been merged or split, and thus is not eligible for merging or "
                                  "splitting.";
  e = error_of(call("SplitShard", obj({{"StreamName", "s"},
                                       {"ShardToSplit", id(1)},
                                       {"NewStartingHashKey", format_hash_key(ranges[1].start + 100)}})));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, closed_text);
  e = error_of(
      call("MergeShards", obj({{"StreamName", "s"}, {"ShardToMerge", id(0)}, {"AdjacentShardToMerge", id(1)}})));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, closed_text);

  // Not adjacent: 0 and 2 have shard 1's children between them; nor is a
  // shard adjacent to itself.
  e = error_of(
      call("MergeShards", obj({{"StreamName", "s"}, {"ShardToMerge", id(0)}, {"AdjacentShardToMerge", id(2)}})));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  EXPECT_EQ(e.message, "Shards shardId-000000000000 and shardId-000000000002" + where +
                           " are not an adjacent pair of shards eligible for merging");
  e = error_of(
      call("MergeShards", obj({{"StreamName", "s"}, {"ShardToMerge", id(0)}, {"AdjacentShardToMerge", id(0)}})));
  EXPECT_EQ(e.type, "InvalidArgumentException");
  e = error_of(
      call("MergeShards", obj({{"StreamName", "s"}, {"ShardToMerge", id(0)}, {"AdjacentShardToMerge", "shardId-77"}})));
  EXPECT_EQ(e.type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Could not find shard shardId-000000000077" + where + ".");
  // Shard 0 and shard 1's lower child are adjacent, shard 0 below.
  merge("s", id(0), id(3));

  // On-demand streams cannot be resharded.
  ASSERT_TRUE(
      call("CreateStream", obj({{"StreamName", "od"}, {"StreamModeDetails", obj({{"StreamMode", "ON_DEMAND"}})}})));
  e = error_of(
      call("SplitShard", obj({{"StreamName", "od"}, {"ShardToSplit", id(0)}, {"NewStartingHashKey", "1000"}})));
  EXPECT_EQ(e.type, "ValidationException");
  EXPECT_EQ(e.message, "Request is invalid. Stream od under account " + kAccount + " is in On-Demand mode.");
}

TEST_F(ReshardTest, SplitRespectsTheAccountShardLimit) {
  KinesisOptions o;
  o.shard_limit = 3;
  restart_with(o);
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  split("s", id(0), HashKey{1} << 100);  // 3 open shards now
  auto e = error_of(call(
      "SplitShard",
      obj({{"StreamName", "s"}, {"ShardToSplit", id(1)}, {"NewStartingHashKey", format_hash_key(kMaxHashKey - 5)}})));
  EXPECT_EQ(e.type, "LimitExceededException");
  EXPECT_EQ(e.message,
            "This request would exceed the shard limit for the account " + kAccount +
                " in us-east-1. Current shard count for the account: 3. Limit: 3. Number of additional shards that "
                "would have resulted from this request: 1. Refer to the AWS Service Limits page "
                "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how "
                "to request higher limits.");
  // A merge lowers the count, so it is always allowed.
  merge("s", id(2), id(3));
}

TEST_F(ReshardTest, StreamIsUpdatingForTheConfiguredTimeAndMustBeActive) {
  fake_now_ = std::make_shared<std::atomic<int64_t>>(1'764'000'000'000);
  KinesisOptions o;
  o.update_stream_ms = 500;
  restart_with(o);
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  split("s", id(0), HashKey{1} << 100);
  auto status = [&] {
    auto summary = call("DescribeStreamSummary", obj({{"StreamName", "s"}}));
    return summary ? summary->find("StreamDescriptionSummary")->find("StreamStatus")->as_string() : "";
  };
  EXPECT_EQ(status(), "UPDATING");
  // The children take writes at once; the stream takes no other reshard.
  EXPECT_EQ(shard_of(put("s", "k", "d", HashKey{5})), id(2));
  const std::string busy = "Stream s under account " + kAccount + " not ACTIVE, instead in state UPDATING";
  auto e = error_of(
      call("MergeShards", obj({{"StreamName", "s"}, {"ShardToMerge", id(2)}, {"AdjacentShardToMerge", id(3)}})));
  EXPECT_EQ(e.type, "ResourceInUseException");
  EXPECT_EQ(e.message, busy);
  e = error_of(call(
      "SplitShard",
      obj({{"StreamName", "s"}, {"ShardToSplit", id(1)}, {"NewStartingHashKey", format_hash_key(kMaxHashKey - 5)}})));
  EXPECT_EQ(e.type, "ResourceInUseException");
  EXPECT_EQ(e.message, busy);

  *fake_now_ += 499;
  EXPECT_EQ(status(), "UPDATING");
  *fake_now_ += 1;
  EXPECT_EQ(status(), "ACTIVE");
  merge("s", id(2), id(3));
}

TEST_F(ReshardTest, GetRecordsEndsAClosedShardWithChildShards) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  auto ranges = split_hash_space(2);
  std::vector<std::string> seqs;
  for (int i = 0; i < 7; ++i) {
    Value r = put("s", "k" + std::to_string(i), "d" + std::to_string(i), HashKey{10} + i);
    seqs.push_back(r.find("SequenceNumber") ? r.find("SequenceNumber")->as_string() : "");
  }
  // Taken while the shard was open: LATEST points just past its last record.
  const std::string before = iterator("s", id(0), "LATEST");
  const HashKey mid = HashKey{1} << 120;
  split("s", id(0), mid);

  // Pages of 3: 3 + 3 + 1 records, and the last page ends the shard.
  std::string it = iterator("s", id(0), "TRIM_HORIZON");
  std::vector<std::string> read;
  for (int page = 0; page < 3; ++page) {
    auto out = call("GetRecords", obj({{"ShardIterator", it}, {"Limit", 3}}));
    ASSERT_TRUE(out);
    for (const auto& r : out->find("Records")->as_array()) read.push_back(r.find("SequenceNumber")->as_string());
    if (page < 2) {
      ASSERT_TRUE(out->find("NextShardIterator") && out->find("NextShardIterator")->is_string());
      EXPECT_EQ(out->find("ChildShards"), nullptr);
      it = out->find("NextShardIterator")->as_string();
      continue;
    }
    EXPECT_EQ(out->find("NextShardIterator"), nullptr);
    EXPECT_EQ(out->find("MillisBehindLatest")->as_int(), 0);
    const Value* children = out->find("ChildShards");
    ASSERT_NE(children, nullptr);
    const Array& c = children->as_array();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].find("ShardId")->as_string(), id(2));
    EXPECT_EQ(c[1].find("ShardId")->as_string(), id(3));
    for (const auto& child : c) {
      ASSERT_EQ(child.find("ParentShards")->as_array().size(), 1u);
      EXPECT_EQ(child.find("ParentShards")->as_array()[0].as_string(), id(0));
    }
    EXPECT_EQ(range_start(c[0]), format_hash_key(ranges[0].start));
    EXPECT_EQ(range_end(c[0]), format_hash_key(mid - 1));
    EXPECT_EQ(range_start(c[1]), format_hash_key(mid));
    EXPECT_EQ(range_end(c[1]), format_hash_key(ranges[0].end));
  }
  EXPECT_EQ(read, seqs);

  auto old = call("GetRecords", obj({{"ShardIterator", before}}));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->find("Records")->as_array().size(), 0u);
  EXPECT_EQ(old->find("NextShardIterator"), nullptr);
  EXPECT_EQ(old->find("ChildShards")->as_array().size(), 2u);

  // LATEST, AFTER the last record, AT and AFTER the EndingSequenceNumber all
  // start at the end; AT the last record reads just it, then ends.
  const std::string ending =
      shard_named(shards("s"), id(0))->find("SequenceNumberRange")->find("EndingSequenceNumber")->as_string();
  const std::vector<std::pair<std::string, std::string>> at_end = {{"LATEST", ""},
                                                                   {"AFTER_SEQUENCE_NUMBER", seqs.back()},
                                                                   {"AT_SEQUENCE_NUMBER", ending},
                                                                   {"AFTER_SEQUENCE_NUMBER", ending}};
  for (const auto& [type, seq] : at_end) {
    auto out = call("GetRecords", obj({{"ShardIterator", iterator("s", id(0), type, seq)}}));
    ASSERT_TRUE(out) << type;
    EXPECT_EQ(out->find("Records")->as_array().size(), 0u) << type;
    EXPECT_EQ(out->find("NextShardIterator"), nullptr) << type;
    EXPECT_EQ(out->find("ChildShards")->as_array().size(), 2u) << type;
  }
  auto last = call("GetRecords", obj({{"ShardIterator", iterator("s", id(0), "AT_SEQUENCE_NUMBER", seqs.back())}}));
  ASSERT_TRUE(last);
  ASSERT_EQ(last->find("Records")->as_array().size(), 1u);
  EXPECT_EQ(last->find("NextShardIterator"), nullptr);

  // A shard closed without records ends at once; an open child never ends.
  merge("s", id(3), id(1));  // shard 1 has no records
  ShardRead empty = read_shard("s", id(1));
  EXPECT_TRUE(empty.ended);
  EXPECT_TRUE(empty.records.empty());
  ASSERT_EQ(empty.children.size(), 1u);
  const Array& parents = empty.children[0].find("ParentShards")->as_array();
  ASSERT_EQ(parents.size(), 2u);
  EXPECT_EQ(parents[0].as_string(), id(3));
  EXPECT_EQ(parents[1].as_string(), id(1));
  EXPECT_FALSE(read_shard("s", id(2)).ended);
}

// Producers on several threads while shards split and merge: every record a
// put acknowledged is read back exactly once from the shard it was
// acknowledged on, and nothing else is there.
TEST_F(ReshardTest, ClosingIsExactUnderConcurrentPuts) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::map<std::string, std::string>> acked(kThreads);  // "shard seq" -> data, per thread
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      for (int batch = 0; batch <= 400 && (!stop || batch < 3); ++batch) {
        Array records;
        for (int i = 0; i < 20; ++i) {
          const std::string data = std::to_string(t) + "/" + std::to_string(batch) + "/" + std::to_string(i);
          records.push_back(obj({{"PartitionKey", "pk-" + data}, {"Data", Blob{data}}}));
        }
        auto out = call("PutRecords", obj({{"StreamName", "s"}, {"Records", records}}));
        if (!out) {
          ++failures;
          continue;
        }
        const Array& results = out->find("Records")->as_array();
        for (size_t i = 0; i < results.size(); ++i)
          acked[t][results[i].find("ShardId")->as_string() + " " + results[i].find("SequenceNumber")->as_string()] =
              records[i].find("Data")->as_blob().bytes;
      }
    });
  }
  auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); };
  pause();
  split("s", id(0), HashKey{1} << 126);  // -> 2, 3
  pause();
  split("s", id(1), HashKey{3} << 126);  // -> 4, 5
  pause();
  merge("s", id(3), id(4));  // -> 6
  pause();
  split("s", id(6), (HashKey{1} << 127) + 12345);  // -> 7, 8
  pause();
  stop = true;
  for (auto& p : producers) p.join();
  EXPECT_EQ(failures.load(), 0);

  std::map<std::string, std::string> expected;
  for (const auto& m : acked) expected.insert(m.begin(), m.end());
  std::map<std::string, std::string> found;
  const std::set<std::string> closed_ids{id(0), id(1), id(3), id(4), id(6)};
  for (uint32_t i = 0; i <= 8; ++i) {
    ShardRead r = read_shard("s", id(i), 97);
    EXPECT_EQ(r.ended, closed_ids.contains(id(i))) << id(i);
    std::string previous;
    for (const auto& rec : r.records) {
      const std::string seq = rec.find("SequenceNumber")->as_string();
      if (!previous.empty()) {
        EXPECT_LT(compare_sequence_numbers(previous, seq), 0);
      }
      previous = seq;
      EXPECT_TRUE(found.emplace(id(i) + " " + seq, rec.find("Data")->as_blob().bytes).second) << "read twice";
    }
  }
  EXPECT_GT(expected.size(), 200u);
  EXPECT_EQ(found.size(), expected.size());
  for (const auto& [where, data] : expected) {
    auto it = found.find(where);
    ASSERT_NE(it, found.end()) << "acknowledged record " << where << " (" << data << ") not readable there";
    EXPECT_EQ(it->second, data);
  }
  for (const auto& entry : found) EXPECT_TRUE(expected.contains(entry.first)) << "unacknowledged " << entry.first;
}

TEST_F(ReshardTest, ClosedShardsAndChildrenSurviveARestart) {
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 2}})));
  put("s", "a", "before", HashKey{7});
  split("s", id(0), HashKey{1} << 120);
  merge("s", id(3), id(1));
  const Array before = shards("s");
  close();
  open();
  const Array after = shards("s");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i)
    EXPECT_EQ(protocol::encode_json(after[i]), protocol::encode_json(before[i]));
  ShardRead parent = read_shard("s", id(0));
  EXPECT_TRUE(parent.ended);
  ASSERT_EQ(parent.records.size(), 1u);
  EXPECT_EQ(parent.children.size(), 2u);
  EXPECT_EQ(shard_of(put("s", "b", "after", HashKey{7})), id(2));
  EXPECT_EQ(shard_of(put("s", "c", "after", kMaxHashKey)), id(4));
  auto e =
      error_of(call("SplitShard", obj({{"StreamName", "s"}, {"ShardToSplit", id(0)}, {"NewStartingHashKey", "100"}})));
  EXPECT_EQ(e.type, "InvalidArgumentException");
}

// The storage half of exact closing: the log reports counters as soon as it
// assigns them, and after a restart only what it still holds.
TEST_F(ReshardTest, LogReportsAssignedCountersAndClampsAClosedShardAfterRestart) {
  constexpr storage::ShardKey kKey = 424242;
  EXPECT_EQ(log_->last_assigned_counter(kKey), 0u);
  std::promise<void> durable;
  std::vector<storage::ShardAppend> appends(1);
  appends[0].shard = kKey;
  for (const char* d : {"1", "2", "3"}) appends[0].records.push_back(storage::AppendRecord{"p", d});
  log_->append(std::move(appends), [&](Result<std::vector<storage::Appended>> r) {
    EXPECT_TRUE(r);
    durable.set_value();
  });
  EXPECT_EQ(log_->last_assigned_counter(kKey), 3u);  // durable or not
  durable.get_future().get();
  EXPECT_EQ(log_->tail(kKey).last_counter, 3u);

  Shard sh;
  sh.key = kKey;
  EXPECT_EQ(closed_shard_end(*log_, sh), UINT64_MAX);  // open
  EXPECT_FALSE(at_shard_end(*log_, sh, 1000));
  sh.closed_ms = 1;
  sh.ending_counter = 3;
  EXPECT_EQ(closed_shard_end(*log_, sh), 3u);
  EXPECT_FALSE(at_shard_end(*log_, sh, 3));
  EXPECT_TRUE(at_shard_end(*log_, sh, 4));
  // An ending_counter that covers counters a crash lost (never durable, so
  // never acknowledged): readers end at what the log holds.
  sh.ending_counter = 9;
  close();
  open();
  EXPECT_EQ(log_->last_assigned_counter(kKey), 3u);
  EXPECT_EQ(closed_shard_end(*log_, sh), 3u);
  EXPECT_TRUE(at_shard_end(*log_, sh, 4));
}

}  // namespace
}  // namespace runnel::streams
