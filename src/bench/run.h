#pragma once
// run_bench: one whole bench run, as `runnel bench` does it:
//   1. create the stream (--shards) and wait for ACTIVE, or use --stream;
//   2. list its open shards; for --consume subscribe, register a consumer;
//   3. start the consumer and wait until it reads every shard (so no record
//      put afterwards is missed), failing fast if it cannot;
//   4. produce for --duration seconds, printing a progress line per second;
//   5. wait up to --drain seconds for the consumer to receive what was put;
//   6. deregister the consumer and delete the stream (unless --keep or
//      --stream), print the summaries.
// Returns the process exit code: 0, or 1 when the run failed (setup failed,
// every put failed, the consumer could not read, nothing was received).
//
// Thread-safety: call from one thread; it starts and joins its own.

#include "bench/options.h"

namespace runnel::bench {

// `o` must have passed validate().
int run_bench(const BenchOptions& o);

}  // namespace runnel::bench
