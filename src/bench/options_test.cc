#include "bench/options.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "bench/bench_command.h"

namespace runnel::bench {
namespace {

BenchOptions Valid() { return BenchOptions(); }

std::string ErrorOf(BenchOptions o) {
  Status s = validate(o);
  return s.is_ok() ? "" : s.message();
}

TEST(BenchOptions, DefaultsAreValidAndDerived) {
  BenchOptions o = Valid();
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.batch, 100);
  EXPECT_EQ(o.connections, 4);
  EXPECT_EQ(o.api, PutApi::kPutRecords);
  EXPECT_EQ(o.consume, ConsumeMode::kNone);
  EXPECT_FALSE(o.http2);
  EXPECT_TRUE(o.consumer_name.starts_with("runnel-bench-"));
}

TEST(BenchOptions, Http2UsesOneConnectionByDefault) {
  BenchOptions o = Valid();
  o.http_version = "2";
  o.concurrency = 16;
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_TRUE(o.http2);
  EXPECT_EQ(o.connections, 1);
}

TEST(BenchOptions, PutRecordMeansBatchOfOne) {
  BenchOptions o = Valid();
  o.api_name = "PutRecord";
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.batch, 1);
  o = Valid();
  o.api_name = "PutRecord";
  o.batch = 10;
  EXPECT_NE(ErrorOf(o).find("--batch"), std::string::npos);
}

TEST(BenchOptions, RejectsBadCombinations) {
  auto with = [](auto f) {
    BenchOptions o = Valid();
    f(o);
    return ErrorOf(o);
  };
  EXPECT_NE(with([](auto& o) { o.endpoint = "127.0.0.1:4567"; }).find("--endpoint"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.batch = 501; }).find("--batch"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.record_size = 11; }).find("--record-size"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.record_size = 1 << 20; }).find("--record-size"), std::string::npos);
  // 500 x 20 KB = 10 MB > PutRecords' 5 MiB.
  EXPECT_NE(with([](auto& o) {
              o.batch = 500;
              o.record_size = 20'000;
            }).find("5242880"),
            std::string::npos);
  EXPECT_NE(with([](auto& o) { o.shards = 0; }).find("--shards"), std::string::npos);
  EXPECT_EQ(with([](auto& o) {
              o.shards = 0;
              o.stream = "existing";
            }),
            "");
  EXPECT_NE(with([](auto& o) { o.rate = -1; }).find("--rate"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.duration_s = 0; }).find("--duration"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.concurrency = 0; }).find("--concurrency"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.producer_threads = 0; }).find("--producer-threads"), std::string::npos);
  EXPECT_NE(with([](auto& o) {
              o.producer_threads = 5;
              o.concurrency = 4;
            }).find("--producer-threads"),
            std::string::npos);
  EXPECT_EQ(with([](auto& o) {
              o.producer_threads = 4;
              o.concurrency = 4;
            }),
            "");
  EXPECT_NE(with([](auto& o) { o.produce = false; }).find("--no-produce"), std::string::npos);
  EXPECT_NE(with([](auto& o) {
              o.produce = false;
              o.consume_name = "poll";
            }).find("--stream"),
            std::string::npos);
  EXPECT_EQ(with([](auto& o) {
              o.produce = false;
              o.consume_name = "subscribe";
              o.stream = "s";
            }),
            "");
  EXPECT_NE(with([](auto& o) { o.http_version = "3"; }).find("--http"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.consume_name = "tail"; }).find("--consume"), std::string::npos);
}

TEST(BenchOptions, KinesisDefaultsStayAsTheyWere) {
  BenchOptions o = Valid();
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.service, Service::kKinesis);
  EXPECT_EQ(o.record_size, 100);
  EXPECT_EQ(o.drain_s, 5);
  o = Valid();
  o.api_name = "PutRecordBatch";
  EXPECT_NE(ErrorOf(o).find("--api"), std::string::npos);
}

TEST(BenchOptions, AnalyticsDefaultsAndRules) {
  BenchOptions o = Valid();
  o.service_name = "analytics";
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.service, Service::kAnalytics);
  EXPECT_EQ(o.batch, 500);
  EXPECT_EQ(o.record_size, 100);
  EXPECT_EQ(o.rate, 2000);  // the latency phase's put rate
  auto with = [](auto change) {
    BenchOptions b = Valid();
    b.service_name = "analytics";
    change(b);
    return ErrorOf(b);
  };
  EXPECT_EQ(with([](BenchOptions& b) { b.analytics_cases = "tumbling,pump"; }), "");
  EXPECT_EQ(with([](BenchOptions& b) { b.analytics_phases = "latency"; }), "");
  EXPECT_NE(with([](BenchOptions& b) { b.analytics_cases = "pump,"; }).find("--cases"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.analytics_cases = "sliding"; }).find("--cases"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.analytics_phases = ""; }).find("--phases"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.record_size = 71; }).find("--record-size"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.analytics_records = 0; }).find("--records"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.stream = "s"; }).find("--stream"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.consume_name = "poll"; }).find("--consume"), std::string::npos);
  EXPECT_NE(with([](BenchOptions& b) { b.shards = 65; }).find("--shards"), std::string::npos);
}

TEST(BenchOptions, FirehoseDefaults) {
  BenchOptions o = Valid();
  o.service_name = "firehose";
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.service, Service::kFirehose);
  EXPECT_EQ(o.api, PutApi::kPutRecordBatch);
  EXPECT_EQ(o.batch, 500);
  EXPECT_EQ(o.record_size, 1024);
  EXPECT_EQ(o.compression, Compression::kUncompressed);
  EXPECT_EQ(o.buffer_size_mb, 5);
  EXPECT_EQ(o.buffer_interval_s, 300);
  EXPECT_EQ(o.drain_s, 2 * 300 + 30);  // time for the last buffer's interval to pass
  o = Valid();
  o.service_name = "firehose";
  o.buffer_interval_s = 1;
  o.drain_s = 4;
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.drain_s, 4);
}

TEST(BenchOptions, FirehoseRejectsWhatItCannotDo) {
  auto with = [](auto f) {
    BenchOptions o = Valid();
    o.service_name = "firehose";
    f(o);
    return ErrorOf(o);
  };
  EXPECT_EQ(with([](auto&) {}), "");
  EXPECT_EQ(with([](auto& o) { o.api_name = "PutRecordBatch"; }), "");
  EXPECT_NE(with([](auto& o) { o.api_name = "PutRecord"; }).find("PutRecordBatch"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.encoding_name = "cbor"; }).find("--encoding"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.consume_name = "poll"; }).find("--consume"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.stream = "s"; }).find("--stream"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.produce = false; }).find("--no-produce"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.compression_name = "ZIP"; }).find("--compression"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.buffer_size_mb = 0; }).find("--buffer-size-mb"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.buffer_size_mb = 129; }).find("--buffer-size-mb"), std::string::npos);
  EXPECT_NE(with([](auto& o) { o.buffer_interval_s = 901; }).find("--buffer-interval"), std::string::npos);
  EXPECT_EQ(with([](auto& o) { o.buffer_interval_s = 0; }), "");
  EXPECT_NE(with([](auto& o) { o.record_size = 11; }).find("--record-size"), std::string::npos);
  // Firehose's record limit is 1,000 KiB, not Kinesis's 1 MiB.
  EXPECT_NE(with([](auto& o) {
              o.batch = 1;
              o.record_size = 1'024'001;
            }).find("1024000"),
            std::string::npos);
  // 500 x 8,389 B > 4 MiB; 500 x 8,388 B is just under.
  EXPECT_NE(with([](auto& o) { o.record_size = 8'389; }).find("4194304"), std::string::npos);
  EXPECT_EQ(with([](auto& o) { o.record_size = 8'388; }), "");
  EXPECT_NE(with([](auto& o) { o.service_name = "sqs"; }).find("--service"), std::string::npos);
}

TEST(BenchOptions, BatchSizeLimitCountsPartitionKeys) {
  BenchOptions o = Valid();
  o.batch = 500;
  o.record_size = (5 << 20) / 500 - 16;  // exactly 5 MiB with 16-byte random keys
  EXPECT_EQ(ErrorOf(o), "");
  o = Valid();
  o.batch = 500;
  o.record_size = (5 << 20) / 500 - 15;
  EXPECT_NE(ErrorOf(o), "");
}

TEST(BenchCommand, ParsesFlags) {
  CLI::App app;
  BenchCommand bench(app);
  app.parse(
      "bench --json out.json --consume subscribe --rate 2000 --http 2 --encoding cbor --no-produce --stream s "
      "--hot-keys 3",
      false);
  ASSERT_TRUE(bench.parsed());
  BenchOptions& o = bench.options();
  EXPECT_EQ(o.stream, "s");
  EXPECT_FALSE(o.produce);
  EXPECT_EQ(o.hot_keys, 3);
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.encoding, Encoding::kCbor);
  EXPECT_TRUE(o.http2);
  EXPECT_EQ(o.consume, ConsumeMode::kSubscribe);
  EXPECT_EQ(o.rate, 2000);
  EXPECT_EQ(o.json_file, "out.json");
}

TEST(BenchCommand, ParsesFirehoseFlags) {
  CLI::App app;
  BenchCommand bench(app);
  app.parse("bench --service firehose --compression GZIP --buffer-size-mb 32 --buffer-interval 60 --duration 20",
            false);
  BenchOptions& o = bench.options();
  ASSERT_TRUE(validate(o).is_ok());
  EXPECT_EQ(o.service, Service::kFirehose);
  EXPECT_EQ(o.compression, Compression::kGzip);
  EXPECT_EQ(o.buffer_size_mb, 32);
  EXPECT_EQ(o.buffer_interval_s, 60);
  EXPECT_EQ(o.drain_s, 150);
  EXPECT_EQ(o.batch, 500);
  EXPECT_EQ(o.record_size, 1024);
}

TEST(BenchCommand, RejectsUnknownChoices) {
  CLI::App app;
  BenchCommand bench(app);
  EXPECT_THROW(app.parse("bench --api PutRecordz", false), CLI::ValidationError);
  CLI::App app2;
  BenchCommand bench2(app2);
  EXPECT_THROW(app2.parse("bench --service kinesis --compression SNAPPY", false), CLI::ValidationError);
}

}  // namespace
}  // namespace runnel::bench
