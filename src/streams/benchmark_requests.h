#pragma once
// Test-only (header-only, for streams/*_benchmark.cc): the PutRecords input
// the benchmarks send, as the dispatcher hands it to the service.

#include <cstdint>
#include <random>
#include <string>

#include "protocol/value.h"

namespace runnel::streams::testing {

// `records` records of `record_bytes` random bytes each, keys spread over
// the hash space, for the stream "benchmark-stream".
inline protocol::Value put_records_request(int64_t records, int64_t record_bytes) {
  std::mt19937 rng(42);
  protocol::Array list;
  list.reserve(static_cast<size_t>(records));
  for (int64_t i = 0; i < records; ++i) {
    std::string data(static_cast<size_t>(record_bytes), '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    protocol::Value record = protocol::Object{};
    record.set("Data", protocol::Blob{std::move(data)});
    record.set("PartitionKey", "partition-key-" + std::to_string(i * 7919));
    list.push_back(std::move(record));
  }
  protocol::Value request = protocol::Object{};
  request.set("Records", std::move(list));
  request.set("StreamName", "benchmark-stream");
  return request;
}

}  // namespace runnel::streams::testing
