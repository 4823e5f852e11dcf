#pragma once
// `runnel bench --service analytics`: a Kinesis Data Analytics (SQL)
// application measured through the public APIs only (docs/bench.md,
// "Analytics"). One run:
//
//  1. pre-fills a new input stream with --records stock-ticker JSON records
//     of --record-size bytes (analytics_requests.h), then one sentinel per
//     shard;
//  2. baseline: reads the whole stream back with GetRecords from
//     TRIM_HORIZON (every shard at once) and times it: the plain catch-up
//     read rate;
//  3. catch-up through Analytics, per case (the filter-and-project pump, the
//     10 s tumbling GROUP BY): creates an application whose outputs are new
//     streams, starts it at TRIM_HORIZON and times from the first
//     DescribeApplication that says RUNNING until the runtime has consumed
//     every input record (the pump: every passing row has arrived in the
//     output stream; the tumbling window: every shard's sentinel has arrived
//     through the progress pump), as input rows/s and as a ratio to 2.;
//  4. latency, per case: a new application started at NOW, records put at
//     --rate for --duration s, and the put → output-record latency (the
//     pump) or the output row's arrival after its window's end (the
//     tumbling window), read with GetRecords every --poll-interval-ms.
//
// Threads: the main thread sets up, pre-fills and reads; the latency phase
// adds a producer thread and one reader thread per output stream. Each owns
// its own HttpLoop; they share atomics and a mutex-guarded histogram only.

#include "bench/options.h"

namespace runnel::bench {

// Runs it; the exit code (0: every phase completed).
int run_analytics_bench(const BenchOptions& o);

}  // namespace runnel::bench
