#pragma once
// The pure parts of `runnel bench --service analytics` (analytics_run.h):
// the 100-byte stock-ticker JSON records it puts, the two applications it
// runs (a filter-and-project pump and a 10 s tumbling GROUP BY) as
// CreateApplication requests of the KinesisAnalytics_20150814 API, and the
// reading of the output rows the runtime writes back as JSON records.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/value.h"

namespace runnel::bench {

// The two applications measured.
enum class AnalyticsCase { kPump, kTumbling };
std::string_view to_string(AnalyticsCase c);

// Tickers in the records: T000..T099, record i has T(i % 100).
inline constexpr int kTickers = 100;
// The sentinel records' ticker (one per input shard, put after the backlog):
// the progress pump passes them on, so their arrival in the progress stream
// says that the runtime has read every record before them on that shard.
inline constexpr std::string_view kSentinelTicker = "ZZZZ";
// The pump keeps records with price > this; prices are uniform in
// [0, 100), so about half pass.
inline constexpr int kPumpPriceFloor = 50;

// Record i: {"ticker":"T042","price":12.34,"ts":<stamp_us>,"pad":"xx..."}
// padded to exactly `size` bytes (at least the record without its padding,
// about 60 bytes; shorter sizes give that). The price is a deterministic
// function of i, so price_of(i) tells whether it passes the pump.
std::string ticker_record(uint64_t i, int64_t stamp_us, int size);
// The sentinel: ticker kSentinelTicker, price 1000 (passes the pump's filter
// too), same size.
std::string sentinel_record(int64_t stamp_us, int size);
// Record i's price in hundredths (0..9999).
int price_cents_of(uint64_t i);
// How many of records 0..n-1 pass the pump's filter.
uint64_t pump_passing(uint64_t n);

// The in-application streams of each case: DESTINATION_SQL_STREAM always;
// the tumbling case adds PROGRESS_STREAM (the sentinels only).
inline constexpr std::string_view kDestinationStream = "DESTINATION_SQL_STREAM";
inline constexpr std::string_view kProgressStream = "PROGRESS_STREAM";

// The application code of a case.
std::string application_code(AnalyticsCase c);

// CreateApplication's request: the input stream (ARN) with the records'
// JSON schema (TICKER VARCHAR(4), PRICE DOUBLE, TS BIGINT), the code, and
// each in-application output stream to its Kinesis stream (ARN) as JSON.
protocol::Value create_application_request(std::string_view name, AnalyticsCase c, std::string_view input_arn,
                                           std::string_view destination_arn, std::string_view progress_arn);
// StartApplication of input 1.1 at `position` (NOW, TRIM_HORIZON).
protocol::Value start_application_request(std::string_view name, std::string_view position);

// One output row as the runtime writes it (JSON, upper-case column names).
struct OutputRow {
  std::string ticker;
  int64_t ts_us = 0;      // TS (the pump, the progress stream); MAX(TS) (the tumbling case)
  int64_t count = 0;      // N (the tumbling case)
  int64_t window_ms = 0;  // WSTART (the tumbling case): the window's start, epoch ms
};
// nullopt when `data` is not a JSON object with a TICKER string.
std::optional<OutputRow> parse_output_row(std::string_view data);

// "2026-12-07 21:10:00.0" (java.sql.Timestamp.toString, as the engine
// writes TIMESTAMP values), taken as UTC, to epoch ms; nullopt otherwise.
std::optional<int64_t> parse_sql_timestamp_ms(std::string_view text);

}  // namespace runnel::bench
