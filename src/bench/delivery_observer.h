#pragma once
// DeliveryObserver: the Firehose mode's consumer. It watches the bucket a
// delivery stream writes into, through the S3 API only: ListObjectsV2 (every
// page) every --poll-interval-ms; each object not listed before is noted
// with the time of the listing that first showed it, then fetched once
// (GetObject), gunzipped with --compression GZIP, and cut into
// --record-size records. Each record's delivery lag is the time its object
// was first listed minus the record's stamp (latency_stamp.h), so it covers
// buffering, compression, the object's write and the listing's poll
// interval, but not the GetObject. Records go to RunStats as received at that
// listing time; objects are counted with their stored size.
//
// One object is fetched at a time; between two fetches the bucket is listed
// again once the poll interval has passed, so a large object does not hold
// back the time its successors are first seen by more than one fetch.
//
// Thread-safety: as Consumer: run() on the consumer thread, which owns the
// HttpLoop and every member; stop(), ready() and fatal() from any thread.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "bench/consumer.h"
#include "bench/http_client.h"
#include "bench/options.h"
#include "bench/stats.h"

namespace runnel::bench {

class DeliveryObserver : public Consumer {
 public:
  DeliveryObserver(const BenchOptions& options, std::string bucket, RunStats& stats);

  // Lists and fetches until stop(). Ready once a listing succeeded.
  void run() override;

 private:
  struct NewObject {
    std::string key;
    int64_t first_listed_us = 0;
    int attempts = 0;
  };

  // Lists the whole bucket; queues objects not seen before. False when a
  // page failed (counted as an error).
  bool list();
  // Fetches and reads one object; false when the GetObject failed.
  bool fetch(NewObject& object);
  // One REST request on loop_, waited for.
  HttpResult perform(std::string_view method, const std::string& target);

  const BenchOptions& o_;
  std::string bucket_;
  RunStats& stats_;
  HttpLoop loop_;
  std::unordered_set<std::string> seen_;
  std::deque<NewObject> pending_;
  uint64_t listings_ok_ = 0;
  int failures_in_a_row_ = 0;
};

}  // namespace runnel::bench
