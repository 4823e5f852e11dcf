#pragma once
// BenchOptions: everything one `runnel bench` run is told, as the command
// line gives it (flags are documented in docs/bench.md and `--help`).
// validate() checks the combination and fills in defaults that depend on
// other options; the rest of the tool assumes a validated BenchOptions.

#include <cstdint>
#include <string>

#include "common/status.h"

namespace runnel::bench {

enum class Service { kKinesis, kFirehose, kAnalytics };
enum class PutApi { kPutRecords, kPutRecord, kPutRecordBatch };
enum class Compression { kUncompressed, kGzip };
enum class Encoding { kJson, kCbor };
enum class ConsumeMode { kNone, kPoll, kSubscribe };
enum class StartAt { kLatest, kTrimHorizon };

struct BenchOptions {
  // What is measured: "kinesis" (a Data Streams stream) or "firehose" (a
  // DirectPut delivery stream into a bucket of the endpoint's S3 store).
  std::string service_name = "kinesis";

  // Endpoint and credentials.
  std::string endpoint = "http://127.0.0.1:4567";
  std::string region = "us-east-1";
  std::string access_key = "dummy";
  std::string secret_key = "dummy";
  std::string http_version = "1.1";  // "1.1" or "2" (h2c over http://, ALPN h2 over https://)
  bool insecure = false;             // skip TLS certificate checks
  std::string encoding_name = "json";
  int64_t request_timeout_ms = 30'000;

  // Stream.
  std::string stream;  // existing stream to use; empty: create one
  int shards = 1;      // shards of the stream created
  bool keep = false;   // keep the created stream (and consumer) at the end

  // Producer.
  bool produce = true;
  std::string api_name = "PutRecords";
  int batch = 0;             // records per PutRecords; 0: 100 (PutRecords) or 1 (PutRecord)
  int record_size = 0;       // bytes of Data per record, stamp included; 0: 100 (kinesis) or 1024 (firehose)
  int hot_keys = 0;          // 0: a fresh random partition key per record; N: N keys
  int concurrency = 4;       // requests in flight at once, across all producer threads
  int producer_threads = 1;  // threads sending puts, each with its share of concurrency and connections
  int connections = 0;       // most connections opened; 0: concurrency (HTTP/1.1) or 1 (HTTP/2)
  double rate = 0;           // new records per second across the run; 0: as fast as possible
  double duration_s = 10;
  int max_retries = 5;  // sends of a throttled/failed record after the first

  // Consumer.
  std::string consume_name = "none";  // none, poll, subscribe
  std::string start_name = "latest";  // latest, trim-horizon
  int poll_interval_ms = 200;         // GetRecords: pause after an empty answer
  int poll_limit = 10'000;            // GetRecords Limit
  std::string consumer_name;          // SubscribeToShard consumer; empty: runnel-bench-<pid>
  double drain_s = -1;                // after producing stops, how long to wait for the tail;
                                      // < 0: 5 s (kinesis) or 2 x buffer_interval_s + 30 s (firehose)

  // Firehose (--service firehose): the delivery stream created and its
  // Extended S3 destination, a bucket created on the endpoint's S3 store.
  std::string compression_name = "UNCOMPRESSED";  // UNCOMPRESSED or GZIP
  int buffer_size_mb = 5;                         // BufferingHints.SizeInMBs, 1..128 (AWS's default 5)
  int buffer_interval_s = 300;                    // BufferingHints.IntervalInSeconds, 0..900 (AWS's default 300)

  // Analytics (--service analytics, analytics_run.h): the backlog of the
  // catch-up phase, which applications and which phases run.
  int64_t analytics_records = 1'000'000;
  std::string analytics_cases = "pump,tumbling";     // pump, tumbling or both
  std::string analytics_phases = "catchup,latency";  // catchup, latency or both

  // Output.
  std::string json_file;  // JSON summary destination; empty: stdout
  bool quiet = false;     // no progress lines

  // Derived by validate().
  Service service = Service::kKinesis;
  Compression compression = Compression::kUncompressed;
  PutApi api = PutApi::kPutRecords;
  Encoding encoding = Encoding::kJson;
  ConsumeMode consume = ConsumeMode::kNone;
  StartAt start = StartAt::kLatest;
  bool http2 = false;
  bool tls = false;
};

// AWS's PutRecords limits.
inline constexpr int kMaxBatch = 500;
inline constexpr int64_t kMaxRecordBytes = 1 << 20;      // data + partition key
inline constexpr int64_t kMaxPutRecordsBytes = 5 << 20;  // all data + keys of one request
inline constexpr int kMaxPartitionKeyBytes = 256;
// Firehose's PutRecordBatch limits.
inline constexpr int64_t kMaxFirehoseRecordBytes = 1'024'000;
inline constexpr int64_t kMaxPutRecordBatchBytes = 4 << 20;

// The smallest --record-size of --service analytics: its JSON record
// without padding, with a 16-digit stamp (analytics_requests.h).
inline constexpr int kMinAnalyticsRecordBytes = 72;

// Checks `o` and fills in its derived fields and defaults (batch, connections,
// consumer name). An invalid_argument Status names the offending flag.
[[nodiscard]] Status validate(BenchOptions& o);

// Longest partition key the producer will use with these options (the size
// checks account for it).
int partition_key_bytes(const BenchOptions& o);

std::string_view to_string(Service s);
std::string_view to_string(Compression c);
std::string_view to_string(PutApi a);
std::string_view to_string(Encoding e);
std::string_view to_string(ConsumeMode m);

}  // namespace runnel::bench
