// KinesisSource against a real Kinesis service, log and metadata store:
// reading from the start time, checkpoints across a restart, and resharding.
#include "firehose/kinesis_source.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <future>
#include <map>
#include <numeric>
#include <thread>

#include "firehose/engine.h"
#include "firehose/test_object_store.h"
#include "streams/service_test_base.h"

namespace runnel::firehose {
namespace {

class KinesisSourceTest : public streams::ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-firehose-source");
    options_.throughput_limits = false;
    open();
    api_ = std::make_unique<streams::DataStreams>(*service_);
    ASSERT_TRUE(api_->create_stream("src", 2, "us-east-1"));
  }
  void TearDown() override {
    api_.reset();
    ServiceTestBase::TearDown();
  }

  void put(const std::vector<std::string>& data) {
    std::vector<streams::PutEntry> entries;
    for (size_t i = 0; i < data.size(); ++i) entries.push_back({"key-" + std::to_string(i), data[i], std::nullopt});
    std::promise<void> done;
    api_->put_records("src", std::move(entries), [&](auto r) {
      EXPECT_TRUE(r.has_value());
      done.set_value();
    });
    done.get_future().get();
  }

  static std::vector<std::string> data_of(const std::vector<SourceRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.record.data);
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::map<std::string, std::string> last_positions(const std::vector<SourceRecord>& records) {
    std::map<std::string, std::string> out;
    for (const auto& r : records) out[r.shard_id] = r.sequence_number;
    return out;
  }

  std::unique_ptr<streams::DataStreams> api_;
};

TEST_F(KinesisSourceTest, ReadsWhatWasPutAfterTheStartTime) {
  put({"before"});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t start =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  put({"a", "b", "c"});
  KinesisSource source(*api_, "src", start, "");
  std::vector<SourceRecord> got;
  ASSERT_TRUE(source.read(1 << 20, got));
  EXPECT_EQ(data_of(got), (std::vector<std::string>{"a", "b", "c"}));
  for (const auto& r : got) EXPECT_TRUE(r.shard_id.starts_with("shardId-")) << r.shard_id;
}

TEST_F(KinesisSourceTest, CheckpointResumesAfterTheLastDeliveredRecord) {
  put({"1", "2", "3", "4"});
  KinesisSource first(*api_, "src", 0, "");
  std::vector<SourceRecord> got;
  ASSERT_TRUE(first.read(1 << 20, got));
  ASSERT_EQ(got.size(), 4u);
  const std::string checkpoint = first.delivered(last_positions(got));
  put({"5", "6"});
  KinesisSource again(*api_, "src", 0, checkpoint);
  std::vector<SourceRecord> more;
  ASSERT_TRUE(again.read(1 << 20, more));
  EXPECT_EQ(data_of(more), (std::vector<std::string>{"5", "6"}));
}

TEST_F(KinesisSourceTest, FollowsChildShardsAfterAMerge) {
  put({"p1", "p2", "p3", "p4"});
  KinesisSource source(*api_, "src", 0, "");
  std::vector<SourceRecord> got;
  ASSERT_TRUE(source.read(1 << 20, got));
  ASSERT_EQ(got.size(), 4u);
  auto merged = call("MergeShards", obj({{"StreamName", std::string("src")},
                                         {"ShardToMerge", std::string("shardId-000000000000")},
                                         {"AdjacentShardToMerge", std::string("shardId-000000000001")}}));
  ASSERT_TRUE(merged.has_value()) << merged.error().message;
  // Resharding completes (UPDATING -> ACTIVE) before puts land on the child.
  for (int i = 0; i < 200; ++i) {
    auto d = api_->describe_stream("src");
    if (d && d->status == "ACTIVE") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  put({"c1", "c2"});
  std::vector<SourceRecord> after;
  for (int i = 0; i < 5 && after.size() < 2; ++i) ASSERT_TRUE(source.read(1 << 20, after));
  EXPECT_EQ(data_of(after), (std::vector<std::string>{"c1", "c2"}));
  for (const auto& r : after) EXPECT_EQ(r.shard_id, "shardId-000000000002");
  // Once everything read is delivered, the closed parents are done.
  std::map<std::string, std::string> positions = last_positions(got);
  for (auto& [k, v] : last_positions(after)) positions[k] = v;
  const std::string checkpoint = source.delivered(positions);
  EXPECT_NE(checkpoint.find("\"shardId-000000000000\":{\"seq\":"), std::string::npos) << checkpoint;
  EXPECT_NE(checkpoint.find("\"done\":true"), std::string::npos) << checkpoint;
}

StreamSpec kinesis_sourced_spec() {
  StreamSpec spec;
  auto& d = spec.description;
  d.delivery_stream_name = "from-kinesis";
  d.delivery_stream_arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/from-kinesis";
  d.delivery_stream_type = "KinesisStreamAsSource";
  d.version_id = "1";
  api::SourceDescription source;
  api::KinesisStreamSourceDescription k;
  k.kinesis_stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/src";
  k.delivery_start_timestamp = protocol::Timestamp{1};
  source.kinesis_stream_source_description = k;
  d.source = source;
  api::DestinationDescription dest;
  dest.destination_id = "destinationId-000000000001";
  api::ExtendedS3DestinationDescription s3;
  s3.bucket_arn = "arn:aws:s3:::bucket";
  s3.buffering_hints.size_in_m_bs = 1;
  s3.buffering_hints.interval_in_seconds = 0;
  s3.compression_format = "UNCOMPRESSED";
  dest.extended_s3_destination_description = s3;
  d.destinations.push_back(dest);
  return spec;
}

// The bytes of every object `store` holds, sorted, once they add up to
// `bytes` (bounded wait).
std::string delivered(testing::MemoryStore& store, size_t bytes) {
  std::string all;
  for (int i = 0; i < 500; ++i) {
    all.clear();
    for (auto& [key, body] : store.objects()) all += body;
    if (all.size() >= bytes) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::sort(all.begin(), all.end());
  return all;
}

TEST_F(KinesisSourceTest, EngineDeliversAKinesisSourcedStream) {
  testing::MemoryStore store;
  EngineOptions eo;
  eo.key_file = dir_.string() + "/kms.key";
  eo.poll_ms = 20;
  Engine engine(eo, *log_, *metadata_, store, api_.get());
  engine.configure(kinesis_sourced_spec());
  put({"k1", "k2", "k3"});
  EXPECT_EQ(delivered(store, 6), "123kkk");
}

TEST_F(KinesisSourceTest, KplAggregatedRecordsAreUnpacked) {
  testing::MemoryStore store;
  EngineOptions eo;
  eo.key_file = dir_.string() + "/kms.key";
  eo.poll_ms = 20;
  Engine engine(eo, *log_, *metadata_, store, api_.get());
  StreamSpec spec = kinesis_sourced_spec();
  api::ProcessingConfiguration pc;
  pc.enabled = true;
  api::Processor p;
  p.type = "AppendDelimiterToRecord";
  pc.processors = std::vector<api::Processor>{p};
  spec.description.destinations[0].extended_s3_destination_description->processing_configuration = pc;
  engine.configure(spec);
  // An AggregatedRecord of the KPL holding "x" and "yz" (magic, protobuf, MD5).
  std::string message;
  message += std::string("\x0a\x02pk", 4);                  // partition_key_table: "pk"
  message += std::string("\x1a\x05\x08\x00\x1a\x01x", 7);   // records { partition_key_index 0, data "x" }
  message += std::string("\x1a\x06\x08\x00\x1a\x02yz", 8);  // records { partition_key_index 0, data "yz" }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(message.data(), message.size(), digest, &n, EVP_md5(), nullptr);
  put({std::string("\xF3\x89\x9A\xC2", 4) + message + std::string(reinterpret_cast<char*>(digest), n)});
  EXPECT_EQ(delivered(store, 5), "\n\nxyz");
}

}  // namespace
}  // namespace runnel::firehose
