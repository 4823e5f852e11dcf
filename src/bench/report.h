#pragma once
// What a bench run prints: a progress line per second (stderr), a human
// summary and the JSON summary (its schema is in docs/bench.md).
//
// Thread-safety: pure functions.

#include <string>

#include "bench/options.h"
#include "bench/stats.h"
#include "protocol/value.h"

namespace runnel::bench {

// Facts about the run that are not measurements.
struct RunInfo {
  std::string stream;  // Kinesis stream, or Firehose delivery stream
  bool stream_created = false;
  std::string bucket;  // Firehose: the bucket delivered into
  bool bucket_created = false;
  int shards = 0;
  std::string consumer_arn;  // SubscribeToShard runs
  double elapsed_s = 0;      // from the first put (or first read) to the end of the run
  double produce_s = 0;      // from the first put to the last answer
  double consume_s = 0;      // from the start of producing (or reading) to the last record received
  // Epoch microseconds the first/last receipt of records are reported from:
  // the first put, or with --no-produce the start of the consumer.
  int64_t start_us = 0;
  std::string failure;  // why the run failed, "" when it did not
};

// One line: elapsed seconds, rates over the last interval (from `prev` to
// `cur`, `interval_s` apart), latency percentiles so far, error counts.
std::string progress_line(const BenchOptions& o, double elapsed_s, double interval_s, const StatsSnapshot& prev,
                          const StatsSnapshot& cur);

// Records received over the active part of the consumer's run: from the
// first receipt of records to the last (seconds since info.start_us), and
// the rate between them (0 when fewer than two receipts were apart).
struct ActiveReceive {
  double first_s = 0;
  double last_s = 0;
  double records_per_s = 0;
};
ActiveReceive active_receive(const RunInfo& info, const StatsSnapshot& s);

// Firehose: record bytes listed in S3 by the end of producing, per second of
// producing. When delivery keeps up this is the put rate less what still
// waits in the last buffer; when it does not, it is the delivery rate.
double delivered_mb_per_s_while_producing(const RunInfo& info, const StatsSnapshot& s);

std::string summary_text(const BenchOptions& o, const RunInfo& info, const StatsSnapshot& s);

protocol::Value summary_json(const BenchOptions& o, const RunInfo& info, const StatsSnapshot& s);

// {count, min, mean, p50, p90, p99, p99_9, max}, microseconds.
protocol::Value latency_json(const Histogram& h);

}  // namespace runnel::bench
