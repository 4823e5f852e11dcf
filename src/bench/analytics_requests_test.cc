#include "bench/analytics_requests.h"

#include <gtest/gtest.h>

#include <map>

#include "protocol/json_codec.h"
#include "protocol/model.h"
#include "protocol/validator.h"
#include "sql/engine.h"
#include "sql/record_format.h"

namespace runnel::bench {

// botocore's kinesisanalytics/2015-08-14, generated into this test binary (CMakeLists.txt).
const protocol::ServiceModel& kinesisanalytics_model();

namespace {

using protocol::Value;

void ExpectValid(std::string_view op, const Value& request) {
  // Through the wire form, as the server sees it.
  auto v = protocol::decode_json(protocol::encode_json(request));
  ASSERT_TRUE(v.has_value());
  const auto& model = kinesisanalytics_model();
  const auto* operation = model.find_operation(op);
  ASSERT_NE(operation, nullptr);
  auto ok = protocol::validate_input(model, *operation, *v, protocol::WireFormat::kJson);
  EXPECT_TRUE(ok.has_value()) << (ok ? "" : ok.error().type + ": " + ok.error().message);
}

TEST(AnalyticsRecords, AreJsonOfExactlyTheSize) {
  for (int size : {72, 100, 1000}) {
    const std::string r = ticker_record(123'456, 1'765'141'528'123'456, size);
    EXPECT_EQ(r.size(), static_cast<size_t>(size)) << r;
    auto v = protocol::decode_json(r);
    ASSERT_TRUE(v.has_value()) << r;
    EXPECT_EQ(v->find("ticker")->as_string(), "T056");
    EXPECT_EQ(v->find("ts")->as_int(), 1'765'141'528'123'456);
    const std::string s = sentinel_record(1'765'141'528'123'456, size);
    EXPECT_EQ(s.size(), static_cast<size_t>(size)) << s;
    ASSERT_TRUE(protocol::decode_json(s).has_value());
  }
  // Too small a size gives the record without padding (never cut).
  const std::string tiny = ticker_record(1, 1'765'141'528'123'456, 10);
  EXPECT_TRUE(protocol::decode_json(tiny).has_value()) << tiny;
  EXPECT_LE(tiny.size(), 72u);  // kMinAnalyticsRecordBytes
}

TEST(AnalyticsRecords, PumpPassingCountsWhatTheFilterKeeps) {
  for (uint64_t n : {0ull, 1ull, 9'999ull, 10'000ull, 25'017ull}) {
    uint64_t passing = 0;
    for (uint64_t i = 0; i < n; ++i) passing += price_cents_of(i) > kPumpPriceFloor * 100 ? 1 : 0;
    EXPECT_EQ(pump_passing(n), passing) << n;
  }
  // About half pass.
  EXPECT_NEAR(static_cast<double>(pump_passing(1'000'000)) / 1e6, 0.5, 0.01);
}

TEST(AnalyticsRequests, MatchKinesisAnalyticsModel) {
  for (AnalyticsCase c : {AnalyticsCase::kPump, AnalyticsCase::kTumbling})
    ExpectValid("CreateApplication",
                create_application_request("bench-app", c, "arn:aws:kinesis:us-east-1:000000000000:stream/in",
                                           "arn:aws:kinesis:us-east-1:000000000000:stream/out",
                                           "arn:aws:kinesis:us-east-1:000000000000:stream/progress"));
  ExpectValid("StartApplication", start_application_request("bench-app", "TRIM_HORIZON"));
  const Value tumbling = create_application_request("a", AnalyticsCase::kTumbling, "arn:in", "arn:out", "arn:p");
  EXPECT_EQ(tumbling.find("Outputs")->as_array().size(), 2u);
  const Value pump = create_application_request("a", AnalyticsCase::kPump, "arn:in", "arn:out", "");
  EXPECT_EQ(pump.find("Outputs")->as_array().size(), 1u);
}

TEST(AnalyticsRequests, SqlTimestamps) {
  EXPECT_EQ(parse_sql_timestamp_ms("1970-01-01 00:00:00.0"), 0);
  EXPECT_EQ(parse_sql_timestamp_ms("2026-12-07 21:10:00.0"), 1'796'677'800'000);
  EXPECT_EQ(parse_sql_timestamp_ms("2026-12-07 21:10:00.25"), 1'796'677'800'250);
  EXPECT_EQ(parse_sql_timestamp_ms("2026-12-07 21:10:00"), 1'796'677'800'000);
  EXPECT_FALSE(parse_sql_timestamp_ms("2026-12-07T21:10:00.0"));
  EXPECT_FALSE(parse_sql_timestamp_ms("2026-13-07 21:10:00.0"));
  EXPECT_FALSE(parse_sql_timestamp_ms("2026-12-07 21:10:00."));
  EXPECT_FALSE(parse_sql_timestamp_ms("2026-12-07 21:1x:00.0"));
  EXPECT_FALSE(parse_sql_timestamp_ms(""));
}

TEST(AnalyticsRequests, OutputRows) {
  auto row = parse_output_row(R"({"TICKER":"T001","PRICE":55.5,"TS":1765141528123456})");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->ticker, "T001");
  EXPECT_EQ(row->ts_us, 1'765'141'528'123'456);
  row = parse_output_row(R"({"TICKER":"T001","WSTART":"2026-12-07 21:10:00.0","N":42,"AVG_PRICE":1.5,"TS":7})");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->count, 42);
  EXPECT_EQ(row->window_ms, 1'796'677'800'000);
  EXPECT_FALSE(parse_output_row(R"({"PRICE":1})"));
  EXPECT_FALSE(parse_output_row("T001,1,2"));
  EXPECT_FALSE(parse_output_row(R"({"TICKER":"T001","WSTART":"yesterday"})"));
}

// The records, the request's input schema and each case's code through the
// SQL engine as the runtime drives it; the rows it writes read back by
// parse_output_row.
class AnalyticsApplication : public ::testing::TestWithParam<AnalyticsCase> {};

TEST_P(AnalyticsApplication, RunsOnTheRecords) {
  const AnalyticsCase c = GetParam();
  const Value request = create_application_request("a", c, "arn:in", "arn:out", "arn:p");
  const Value& input = request.find("Inputs")->as_array().at(0);
  sql::SourceSchema schema;
  std::vector<sql::ColumnSchema> columns;
  for (const Value& col : input.find("InputSchema")->find("RecordColumns")->as_array()) {
    schema.columns.push_back(
        {col.find("Name")->as_string(), col.find("Mapping")->as_string(), col.find("SqlType")->as_string()});
    auto type = sql::parse_sql_type(col.find("SqlType")->as_string());
    ASSERT_TRUE(type.has_value());
    columns.push_back({col.find("Name")->as_string(), *type});
  }
  columns.push_back({"APPROXIMATE_ARRIVAL_TIME", sql::SqlType::of(sql::TypeKind::kTimestamp), true});
  sql::ProgramInputs inputs;
  inputs.streams.push_back({"SOURCE_SQL_STREAM_001", columns});
  sql::CompileError ce;
  auto engine = sql::Engine::compile(request.find("ApplicationCode")->as_string(), inputs, &ce);
  ASSERT_TRUE(engine.has_value()) << ce.to_string();
  auto reader = sql::RecordReader::create(schema);
  ASSERT_TRUE(reader.has_value());

  std::map<std::string, std::vector<OutputRow>> out;
  for (const Value& o : request.find("Outputs")->as_array()) {
    const std::string name = o.find("Name")->as_string();
    const auto* cols = (*engine)->stream_columns(name);
    ASSERT_NE(cols, nullptr) << name;
    std::vector<std::string> names;
    for (const auto& col : *cols) names.push_back(col.name);
    ASSERT_TRUE((*engine)->subscribe(name, [&out, name, names](const sql::StreamRow& r) {
      auto row = parse_output_row(sql::write_record(sql::RecordFormatType::kJson, names, *r.values));
      ASSERT_TRUE(row.has_value());
      out[name].push_back(*row);
    }));
  }
  int errors = 0;
  ASSERT_TRUE((*engine)->subscribe(sql::kErrorStream, [&errors](const sql::StreamRow&) { ++errors; }));

  constexpr uint64_t kRecords = 1000;
  const int64_t t0 = 1'796'677'800'000;  // on a 10 s boundary
  std::vector<sql::Row> rows;
  std::vector<sql::RecordError> record_errors;
  auto insert = [&](const std::string& data, int64_t now) {
    rows.clear();
    reader->read(data, rows, record_errors);
    for (sql::Row& row : rows) {
      row.push_back(sql::Value::timestamp(now));
      (*engine)->insert(0, now, std::move(row));
    }
  };
  for (uint64_t i = 0; i < kRecords; ++i) insert(ticker_record(i, 1000 + static_cast<int64_t>(i), 100), t0 + 1000);
  insert(sentinel_record(99, 100), t0 + 2000);
  (*engine)->advance(t0 + 9'999);
  EXPECT_TRUE(record_errors.empty());
  EXPECT_EQ(errors, 0);
  const auto& dest = out[std::string(kDestinationStream)];
  if (c == AnalyticsCase::kPump) {
    ASSERT_EQ(dest.size(), pump_passing(kRecords) + 1);
    EXPECT_EQ(dest.back().ticker, kSentinelTicker);
    EXPECT_EQ(dest.back().ts_us, 99);
    return;
  }
  // Only the sentinel came through the progress pump; the window is open.
  ASSERT_EQ(out[std::string(kProgressStream)].size(), 1u);
  EXPECT_EQ(out[std::string(kProgressStream)][0].ts_us, 99);
  EXPECT_TRUE(dest.empty());
  (*engine)->advance(t0 + 10'000);
  ASSERT_EQ(dest.size(), static_cast<size_t>(kTickers) + 1);  // every ticker and the sentinel's
  int64_t counted = 0;
  for (const OutputRow& r : dest) {
    counted += r.count;
    EXPECT_EQ(r.window_ms, t0) << r.ticker;
  }
  EXPECT_EQ(counted, static_cast<int64_t>(kRecords) + 1);
}

INSTANTIATE_TEST_SUITE_P(Cases, AnalyticsApplication,
                         ::testing::Values(AnalyticsCase::kPump, AnalyticsCase::kTumbling));

}  // namespace
}  // namespace runnel::bench
