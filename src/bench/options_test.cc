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

TEST(BenchCommand, RejectsUnknownChoices) {
  CLI::App app;
  BenchCommand bench(app);
  EXPECT_THROW(app.parse("bench --api PutRecordz", false), CLI::ValidationError);
}

}  // namespace
}  // namespace runnel::bench
