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
  for (const char* k : {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"})
    EXPECT_NE(e2e->find(k), nullptr) << k;
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

TEST(Report, FirehoseSummaryReportsDelivery) {
  BenchOptions o;
  o.service_name = "firehose";
  o.compression_name = "GZIP";
  ASSERT_TRUE(validate(o).is_ok());
  RunInfo info;
  info.stream = info.bucket = "runnel-bench-1-2";
  info.stream_created = info.bucket_created = true;
  info.elapsed_s = info.produce_s = 2;
  info.consume_s = 4;
  info.start_us = 1'000'000;
  RunStats stats;
  stats.put_ok(2000, 500, 512'000);
  stats.error("PutRecordBatch", "ServiceUnavailableException", true, 3);
  const int64_t lag[] = {1'500'000, 2'500'000};
  stats.received(lag, 0, 2048, 3'000'000);
  stats.production_ended(3'000'000);
  stats.received(lag, 0, 1000, 3'000'001);  // after producing ended
  stats.object_delivered(700);
  const StatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.throttle_total(), 3u);
  auto parsed = protocol::decode_json(protocol::encode_json(summary_json(o, info, s)));
  ASSERT_TRUE(parsed.has_value());
  const Value& j = *parsed;
  EXPECT_EQ(j.find("parameters")->find("service")->as_string(), "firehose");
  EXPECT_EQ(j.find("parameters")->find("compression")->as_string(), "GZIP");
  EXPECT_EQ(j.find("parameters")->find("api")->as_string(), "PutRecordBatch");
  EXPECT_EQ(j.find("delivery_stream")->find("bucket")->as_string(), "runnel-bench-1-2");
  EXPECT_EQ(j.find("stream"), nullptr);
  EXPECT_EQ(j.find("consumer"), nullptr);
  EXPECT_EQ(j.find("producer")->find("records")->as_int(), 500);
  const Value* d = j.find("delivery");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->find("records")->as_int(), 4);
  EXPECT_EQ(d->find("missing_records")->as_int(), 496);
  EXPECT_EQ(d->find("bytes_while_producing")->as_int(), 2048);
  EXPECT_DOUBLE_EQ(d->find("mb_per_s_while_producing")->as_double(), 2048 / 1e6 / 2);
  EXPECT_EQ(d->find("objects")->as_int(), 1);
  EXPECT_EQ(d->find("object_bytes")->as_int(), 700);
  EXPECT_DOUBLE_EQ(d->find("first_receive_s")->as_double(), 2.0);
  EXPECT_DOUBLE_EQ(d->find("mb_per_s")->as_double(), 3048 / 1e6 / 4);
  EXPECT_EQ(d->find("lag_us")->find("count")->as_int(), 4);
  EXPECT_EQ(d->find("lag_while_producing_us")->find("count")->as_int(), 2);
  EXPECT_EQ(d->find("lag_us")->find("max")->as_int(), 2'500'000);
  const std::string text = summary_text(o, info, s);
  EXPECT_NE(text.find("delivered 4 records"), std::string::npos) << text;
  EXPECT_NE(text.find("496 records acknowledged were not seen"), std::string::npos) << text;
  EXPECT_NE(text.find("delivery lag"), std::string::npos) << text;
}

TEST(Report, KinesisSummaryNamesItsService) {
  BenchOptions o;
  ASSERT_TRUE(validate(o).is_ok());
  RunInfo info;
  info.stream = "s";
  auto parsed = protocol::decode_json(protocol::encode_json(summary_json(o, info, SomeStats())));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->find("parameters")->find("service")->as_string(), "kinesis");
  EXPECT_NE(parsed->find("stream"), nullptr);
  EXPECT_EQ(parsed->find("delivery"), nullptr);
}

TEST(Report, ReadOnlyRunReportsTheActiveReceiveWindow) {
  BenchOptions o;
  o.produce = false;
  o.stream = "s";
  o.consume_name = "subscribe";
  ASSERT_TRUE(validate(o).is_ok());
  RunInfo info;
  info.stream = "s";
  info.elapsed_s = info.consume_s = 10;
  info.start_us = 1'000'000;
  StatsSnapshot s;
  s.received_records = 3100;
  s.first_receipt_records = 100;   // not counted in the active rate: its transfer time is not in the span
  s.first_receive_us = 3'000'000;  // 2 s after the start
  s.last_receive_us = 4'500'000;   // 3.5 s after the start
  s.consumer_warnings["no initial-response event"] = 4;
  auto parsed = protocol::decode_json(protocol::encode_json(summary_json(o, info, s)));
  ASSERT_TRUE(parsed.has_value());
  const Value* c = parsed->find("consumer");
  ASSERT_NE(c, nullptr);
  EXPECT_DOUBLE_EQ(c->find("records_per_s")->as_double(), 310.0);
  EXPECT_DOUBLE_EQ(c->find("first_receive_s")->as_double(), 2.0);
  EXPECT_DOUBLE_EQ(c->find("last_receive_s")->as_double(), 3.5);
  EXPECT_DOUBLE_EQ(c->find("records_per_s_active")->as_double(), 2000.0);
  EXPECT_EQ(c->find("warnings")->find("no initial-response event")->as_int(), 4);
  std::string text = summary_text(o, info, s);
  EXPECT_NE(text.find("from 2.00 s to 3.50 s: 2000 records/s"), std::string::npos) << text;
  EXPECT_NE(text.find("warning: no initial-response event (4 times"), std::string::npos) << text;
}

TEST(Report, NothingReceivedGivesZeroActiveRate) {
  BenchOptions o;
  o.consume_name = "poll";
  ASSERT_TRUE(validate(o).is_ok());
  RunInfo info;
  info.start_us = 1'000'000;
  ActiveReceive a = active_receive(info, StatsSnapshot());
  EXPECT_EQ(a.records_per_s, 0);
  EXPECT_EQ(a.first_s, 0);
  const Value v = summary_json(o, info, StatsSnapshot());
  const Value* c = v.find("consumer");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->find("warnings")->is_object());
  EXPECT_EQ(c->find("warnings")->as_object().size(), 0u);
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
