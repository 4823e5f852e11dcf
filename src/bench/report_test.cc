#include "bench/report.h"

#include <gtest/gtest.h>

#include "protocol/json_codec.h"

namespace runnel::bench {
namespace {

using protocol::Value;

StatsSnapshot SomeStats() {
  RunStats stats;
  stats.put_ok(2000, 100, 10'000);
  stats.put_ok(4000, 98, 9'800);
  stats.error("PutRecords", "ProvisionedThroughputExceededException", true, 2);
  stats.records_retried(2);
  const int64_t lat[] = {1500, 2500, 3500};
  stats.received(lat, 1, 400);
  return stats.snapshot();
}

TEST(Report, JsonSummaryHasTheDocumentedShape) {
  BenchOptions o;
  o.consume_name = "poll";
  ASSERT_TRUE(validate(o).is_ok());
  RunInfo info;
  info.stream = "s";
  info.stream_created = true;
  info.shards = 2;
  info.elapsed_s = info.produce_s = info.consume_s = 2;
  Value v = summary_json(o, info, SomeStats());
  // Round trip through the encoder, as it is printed.
  auto parsed = protocol::decode_json(protocol::encode_json(v));
  ASSERT_TRUE(parsed.has_value());
  const Value& j = *parsed;
  EXPECT_EQ(j.find("ok")->as_bool(), true);
  EXPECT_EQ(j.find("parameters")->find("batch")->as_int(), 100);
  EXPECT_EQ(j.find("parameters")->find("consume")->as_string(), "poll");
  const Value* p = j.find("producer");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->find("records")->as_int(), 198);
  EXPECT_DOUBLE_EQ(p->find("records_per_s")->as_double(), 99.0);
  EXPECT_EQ(p->find("request_latency_us")->find("count")->as_int(), 2);
  EXPECT_EQ(p->find("request_latency_us")->find("max")->as_int(), 4000);
  const Value* c = j.find("consumer");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->find("records")->as_int(), 4);
  EXPECT_EQ(c->find("unstamped_records")->as_int(), 1);
  const Value* e2e = c->find("end_to_end_latency_us");
  ASSERT_NE(e2e, nullptr);
  for (const char* k : {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"}) EXPECT_NE(e2e->find(k), nullptr) << k;
  EXPECT_EQ(e2e->find("count")->as_int(), 3);
  const Value* errors = j.find("errors");
  ASSERT_TRUE(errors && errors->is_array());
  ASSERT_EQ(errors->as_array().size(), 1u);
  const Value& e = errors->as_array()[0];
  EXPECT_EQ(e.find("operation")->as_string(), "PutRecords");
  EXPECT_EQ(e.find("type")->as_string(), "ProvisionedThroughputExceededException");
  EXPECT_EQ(e.find("count")->as_int(), 2);
  EXPECT_EQ(e.find("retried")->as_int(), 2);
  EXPECT_EQ(e.find("gave_up")->as_int(), 0);
}

TEST(Report, FailureIsReported) {
  BenchOptions o;
  ASSERT_TRUE(validate(o).is_ok());
  RunInfo info;
  info.stream = "s";
  info.failure = "no record was put";
  Value v = summary_json(o, info, StatsSnapshot());
  EXPECT_FALSE(v.find("ok")->as_bool());
  EXPECT_EQ(v.find("failure")->as_string(), "no record was put");
  EXPECT_NE(summary_text(o, info, StatsSnapshot()).find("FAILED: no record was put"), std::string::npos);
}

TEST(Report, ProgressLineShowsIntervalRates) {
  BenchOptions o;
  o.consume_name = "subscribe";
  ASSERT_TRUE(validate(o).is_ok());
  StatsSnapshot cur = SomeStats();
  std::string line = progress_line(o, 3.0, 0.5, StatsSnapshot(), cur);
  EXPECT_NE(line.find("put      396 rec/s"), std::string::npos) << line;
  EXPECT_NE(line.find("recv        8 rec/s"), std::string::npos) << line;
  EXPECT_NE(line.find("throttled 2"), std::string::npos) << line;
}

}  // namespace
}  // namespace runnel::bench
