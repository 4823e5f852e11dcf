#include "bench/analytics_requests.h"

#include <ctime>

#include <fmt/format.h>

#include "protocol/json_codec.h"

namespace runnel::bench {

using protocol::Array;
using protocol::Object;
using protocol::Value;

namespace {

constexpr std::string_view kRole = "arn:aws:iam::000000000000:role/runnel-bench";

std::string padded(std::string head, int size) {
  // head is `{...,"pad":"` without the closing `"}`.
  const size_t body = head.size() + 2;
  if (size > 0 && static_cast<size_t>(size) > body) head.append(static_cast<size_t>(size) - body, 'x');
  head += "\"}";
  return head;
}

Value output(std::string_view name, std::string_view arn) {
  return Object{{"Name", name},
                {"KinesisStreamsOutput", Object{{"ResourceARN", arn}, {"RoleARN", kRole}}},
                {"DestinationSchema", Object{{"RecordFormatType", "JSON"}}}};
}

Value column(std::string_view name, std::string_view mapping, std::string_view type) {
  return Object{{"Name", name}, {"Mapping", mapping}, {"SqlType", type}};
}

const Value* member(const Value& v, std::string_view key) { return v.is_object() ? v.find(key) : nullptr; }

}  // namespace

std::string_view to_string(AnalyticsCase c) { return c == AnalyticsCase::kPump ? "pump" : "tumbling"; }

int price_cents_of(uint64_t i) { return static_cast<int>((i * 7919) % 10000); }

uint64_t pump_passing(uint64_t n) {
  // price_cents_of has period 10000 in i.
  uint64_t per_period = 0;
  for (uint64_t i = 0; i < 10000; ++i) per_period += price_cents_of(i) > kPumpPriceFloor * 100 ? 1 : 0;
  uint64_t passing = n / 10000 * per_period;
  for (uint64_t i = n / 10000 * 10000; i < n; ++i) passing += price_cents_of(i) > kPumpPriceFloor * 100 ? 1 : 0;
  return passing;
}

std::string ticker_record(uint64_t i, int64_t stamp_us, int size) {
  const int cents = price_cents_of(i);
  return padded(fmt::format(R"({{"ticker":"T{:03}","price":{}.{:02},"ts":{},"pad":")", i % kTickers, cents / 100,
                            cents % 100, stamp_us),
                size);
}

std::string sentinel_record(int64_t stamp_us, int size) {
  return padded(fmt::format(R"({{"ticker":"{}","price":1000.00,"ts":{},"pad":")", kSentinelTicker, stamp_us), size);
}

std::string application_code(AnalyticsCase c) {
  if (c == AnalyticsCase::kPump) {
    return fmt::format(
        "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (ticker VARCHAR(4), price DOUBLE, ts BIGINT);\n"
        "CREATE OR REPLACE PUMP \"BENCH_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
        "  SELECT STREAM ticker, price, ts FROM \"SOURCE_SQL_STREAM_001\" WHERE price > {};\n",
        kPumpPriceFloor);
  }
  return fmt::format(
      "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (ticker VARCHAR(4), wstart TIMESTAMP, n BIGINT, "
      "avg_price DOUBLE, ts BIGINT);\n"
      "CREATE OR REPLACE PUMP \"BENCH_WINDOW\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
      "  SELECT STREAM ticker, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '10' SECOND), COUNT(*), "
      "AVG(price), MAX(ts)\n"
      "  FROM \"SOURCE_SQL_STREAM_001\"\n"
      "  GROUP BY ticker, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '10' SECOND);\n"
      "CREATE OR REPLACE STREAM \"PROGRESS_STREAM\" (ticker VARCHAR(4), ts BIGINT);\n"
      "CREATE OR REPLACE PUMP \"BENCH_PROGRESS\" AS INSERT INTO \"PROGRESS_STREAM\"\n"
      "  SELECT STREAM ticker, ts FROM \"SOURCE_SQL_STREAM_001\" WHERE ticker = '{}';\n",
      kSentinelTicker);
}

Value create_application_request(std::string_view name, AnalyticsCase c, std::string_view input_arn,
                                 std::string_view destination_arn, std::string_view progress_arn) {
  Value schema = Object{
      {"RecordFormat",
       Object{{"RecordFormatType", "JSON"},
              {"MappingParameters", Object{{"JSONMappingParameters", Object{{"RecordRowPath", "$"}}}}}}},
      {"RecordEncoding", "UTF-8"},
      {"RecordColumns", Array{column("TICKER", "$.ticker", "VARCHAR(4)"), column("PRICE", "$.price", "DOUBLE"),
                              column("TS", "$.ts", "BIGINT")}},
  };
  Value input = Object{{"NamePrefix", "SOURCE_SQL_STREAM"},
                       {"KinesisStreamsInput", Object{{"ResourceARN", input_arn}, {"RoleARN", kRole}}},
                       {"InputParallelism", Object{{"Count", 1}}},
                       {"InputSchema", std::move(schema)}};
  Array outputs{output(kDestinationStream, destination_arn)};
  if (c == AnalyticsCase::kTumbling) outputs.push_back(output(kProgressStream, progress_arn));
  return Object{{"ApplicationName", name},
                {"ApplicationCode", application_code(c)},
                {"Inputs", Array{std::move(input)}},
                {"Outputs", std::move(outputs)}};
}

Value start_application_request(std::string_view name, std::string_view position) {
  return Object{{"ApplicationName", name},
                {"InputConfigurations",
                 Array{Object{{"Id", "1.1"},
                              {"InputStartingPositionConfiguration", Object{{"InputStartingPosition", position}}}}}}};
}

std::optional<int64_t> parse_sql_timestamp_ms(std::string_view text) {
  // yyyy-mm-dd hh:mm:ss[.f...]
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  auto digits = [&](size_t at, size_t n) -> int {
    int v = 0;
    for (size_t k = at; k < at + n; ++k) {
      if (text[k] < '0' || text[k] > '9') return -1;
      v = v * 10 + (text[k] - '0');
    }
    return v;
  };
  std::tm tm{};
  const int fields[] = {digits(0, 4), digits(5, 2), digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2)};
  for (int f : fields)
    if (f < 0) return std::nullopt;
  tm.tm_year = fields[0] - 1900;
  tm.tm_mon = fields[1] - 1;
  tm.tm_mday = fields[2];
  tm.tm_hour = fields[3];
  tm.tm_min = fields[4];
  tm.tm_sec = fields[5];
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return std::nullopt;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (text.size() > 19) {
    if (text[19] != '.' || text.size() == 20) return std::nullopt;
    int scale = 100;
    for (size_t k = 20; k < text.size(); ++k) {
      if (text[k] < '0' || text[k] > '9') return std::nullopt;
      ms += (text[k] - '0') * scale;
      scale /= 10;
    }
  }
  return ms;
}

std::optional<OutputRow> parse_output_row(std::string_view data) {
  auto v = protocol::decode_json(data);
  if (!v || !v->is_object()) return std::nullopt;
  const Value* ticker = member(*v, "TICKER");
  if (ticker == nullptr || !ticker->is_string()) return std::nullopt;
  OutputRow row;
  row.ticker = ticker->as_string();
  if (const Value* ts = member(*v, "TS"); ts != nullptr && ts->is_number())
    row.ts_us = ts->is_int() ? ts->as_int() : static_cast<int64_t>(ts->as_double());
  if (const Value* n = member(*v, "N"); n != nullptr && n->is_int()) row.count = n->as_int();
  if (const Value* w = member(*v, "WSTART"); w != nullptr && w->is_string()) {
    auto ms = parse_sql_timestamp_ms(w->as_string());
    if (!ms) return std::nullopt;
    row.window_ms = *ms;
  }
  return row;
}

}  // namespace runnel::bench
