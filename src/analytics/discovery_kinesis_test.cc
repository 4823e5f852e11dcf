// DiscoverInputSchema from a Kinesis stream, over a real Kinesis service,
// log and metadata store (streams/service_test_base.h) and the internal
// Data Streams API: which records are sampled for each starting position.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <algorithm>
#include <future>
#include <string>
#include <vector>

#include "analytics/discovery.h"
#include "streams/service_test_base.h"

namespace runnel::analytics {
namespace {

class DiscoveryKinesisTest : public streams::ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-analytics-discovery");
    options_.throughput_limits = false;
    open();
    api_ = std::make_unique<streams::DataStreams>(*service_);
    ASSERT_TRUE(api_->create_stream("s", 2, "us-east-1"));
  }
  void TearDown() override {
    api_.reset();
    ServiceTestBase::TearDown();
  }
  void configure(streams::KinesisService& s) override {
    s.now_ms = [this] { return clock_ms_; };
  }

  void put(int from, int count, const std::string& kind) {
    std::vector<streams::PutEntry> entries;
    for (int i = from; i < from + count; ++i) {
      entries.push_back(
          {"key-" + std::to_string(i), R"({"n":)" + std::to_string(i) + R"(,"kind":")" + kind + "\"}", std::nullopt});
    }
    std::promise<void> done;
    api_->put_records("s", std::move(entries), [&](auto r) {
      EXPECT_TRUE(r.has_value());
      done.set_value();
    });
    done.get_future().get();
  }

  protocol::ApiResult<api::DiscoverInputSchemaResponse> discover(const std::string& position,
                                                                 const std::string& stream = "s") {
    api::DiscoverInputSchemaRequest in;
    in.resource_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream;
    in.role_arn = "arn:aws:iam::000000000000:role/r";
    in.input_starting_position_configuration.emplace().input_starting_position = position;
    std::optional<protocol::ApiResult<api::DiscoverInputSchemaResponse>> out;
    Discovery discovery(api_.get(), nullptr);
    discovery.now_ms = [this] { return clock_ms_; };
    discovery.discover(in, [&](auto r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "Kinesis discovery answers on the calling thread";
    return std::move(*out);
  }

  static size_t count_of(const std::vector<std::string>& records, const std::string& kind) {
    return std::count_if(records.begin(), records.end(),
                         [&](const std::string& r) { return r.find("\"" + kind + "\"") != std::string::npos; });
  }

  int64_t clock_ms_ = 1'700'000'000'000;
  std::unique_ptr<streams::DataStreams> api_;
};

TEST_F(DiscoveryKinesisTest, AnEmptyStreamHasNoSchema) {
  auto r = discover("TRIM_HORIZON");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "UnableToDetectSchemaException");
  EXPECT_EQ(r.error().message, "Unable to detect a schema: no records were found to sample.");
  auto missing = discover("NOW", "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().type, "InvalidArgumentException");
}

TEST_F(DiscoveryKinesisTest, TrimHorizonSamplesTheOldestAndNowTheNewest) {
  put(0, 120, "old");
  clock_ms_ += 120'000;
  // Records carry the log's own arrival time (the wall clock), which orders
  // the shards' samples: let it move on too.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  put(120, 30, "new");

  auto oldest = discover("TRIM_HORIZON");
  ASSERT_TRUE(oldest) << oldest.error().message;
  ASSERT_EQ(oldest->raw_input_records->size(), Discovery::kSampleSize);
  EXPECT_EQ(count_of(*oldest->raw_input_records, "old"), 100u);
  ASSERT_EQ(oldest->input_schema->record_columns.size(), 2u);
  EXPECT_EQ(oldest->input_schema->record_columns[0].name, "n");
  EXPECT_EQ(oldest->input_schema->record_columns[0].sql_type, "INTEGER");
  EXPECT_EQ(oldest->input_schema->record_columns[1].sql_type, "VARCHAR(4)");
  EXPECT_EQ(oldest->parsed_input_records->size(), 100u);

  for (std::string position : {"NOW", "LAST_STOPPED_POINT"}) {
    auto newest = discover(position);
    ASSERT_TRUE(newest) << newest.error().message;
    ASSERT_EQ(newest->raw_input_records->size(), Discovery::kSampleSize) << position;
    EXPECT_EQ(count_of(*newest->raw_input_records, "new"), 30u) << position;
    EXPECT_EQ(*newest->raw_input_records, *newest->processed_input_records);
  }
}

}  // namespace
}  // namespace runnel::analytics
