#pragma once
// The benchmarks' JSON records (parquet/, firehose/): access-log lines as a
// log shipper would send them (about 325 bytes each), and the Glue columns
// they fill. Deterministic (a fixed seed).
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "parquet/schema.h"
#include "parquet/testing/random_values.h"

namespace runnel::parquet::testing {

inline const std::vector<ColumnSpec> kLogColumns = {
    {"ts", "timestamp"}, {"host", "string"},       {"service", "string"},    {"level", "string"},
    {"status", "int"},   {"bytes", "bigint"},      {"latency_ms", "double"}, {"method", "string"},
    {"path", "string"},  {"user_agent", "string"}, {"request_id", "string"}, {"tags", "map<string,string>"},
};
inline constexpr int kRecords = 20000;

// Records as an access log shipper would send them (about 325 bytes each).
inline std::vector<simdjson::padded_string> log_records() {
  SplitMix rng(11);
  const char* levels[] = {"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"};
  const char* methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  const char* services[] = {"checkout", "search", "cart", "auth", "catalog"};
  const char* agents[] = {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0",
                          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15", "curl/8.5.0",
                          "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2"};
  std::vector<simdjson::padded_string> out;
  for (int i = 0; i < kRecords; ++i) {
    char ts[64];
    int ms = static_cast<int>(rng.next() % 1000);
    std::snprintf(ts, sizeof ts, "2024-05-%02d %02d:%02d:%02d.%03d", 1 + i / 8000, (i / 360) % 24, (i / 6) % 60, i % 60,
                  ms);
    uint64_t r = rng.next();
    std::string j = std::string("{\"ts\":\"") + ts + "\",\"host\":\"web-" + std::to_string(r % 64) +
                    "\",\"service\":\"" + services[(r >> 8) % 5] + "\",\"level\":\"" + levels[(r >> 12) % 6] +
                    "\",\"status\":" + std::to_string((r >> 16) % 10 ? 200 : 500) +
                    ",\"bytes\":" + std::to_string((r >> 20) % 100000) +
                    ",\"latency_ms\":" + std::to_string(static_cast<double>((r >> 32) % 100000) / 100) +
                    ",\"method\":\"" + methods[(r >> 40) % 6] + "\",\"path\":\"/api/v1/items/" +
                    std::to_string((r >> 44) % 5000) + "\",\"user_agent\":\"" + agents[(r >> 56) % 4] +
                    "\",\"request_id\":\"" + std::to_string(rng.next()) + "-" + std::to_string(i) +
                    "\",\"tags\":{\"region\":\"eu-west-1\",\"az\":\"" + static_cast<char>('a' + r % 3) + "\"}}";
    out.emplace_back(j);
  }
  return out;
}

inline size_t total_bytes(const std::vector<simdjson::padded_string>& recs) {
  size_t n = 0;
  for (const auto& r : recs) n += r.size();
  return n;
}

}  // namespace runnel::parquet::testing
