#include "bench/bench_command.h"

#include <curl/curl.h>

#include <fmt/format.h>

#include "bench/analytics_run.h"
#include "bench/run.h"

namespace runnel::bench {

BenchCommand::BenchCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "bench",
      "Measure a Kinesis endpoint (runnel or any other): put records at a chosen rate and shape, optionally read "
      "them back with GetRecords or SubscribeToShard, and report throughput, request latency and put-to-receive "
      "latency. With --service firehose: put into a new DirectPut delivery stream with PutRecordBatch and read the "
      "objects it delivers to a new bucket on the endpoint's S3 store, for delivery throughput and lag. Progress "
      "goes to stderr once a second; the JSON summary to stdout (or --json FILE). See docs/bench.md.");
  BenchOptions& o = options_;
  auto opt = [&](const char* name, auto& value, const char* help, const char* group) {
    return sub_->add_option(name, value, help)->capture_default_str()->group(group);
  };
  const char* kEndpoint = "Endpoint";
  opt("--service", o.service_name,
      "What is measured: kinesis (a Data Streams stream) or firehose (a DirectPut delivery stream into the "
      "endpoint's S3 store) or analytics (Kinesis Data Analytics SQL applications: catch-up rate against "
      "GetRecords' and output latency; see docs/bench.md)",
      kEndpoint)
      ->check(CLI::IsMember({"kinesis", "firehose", "analytics"}));
  opt("--endpoint", o.endpoint, "Endpoint URL (http:// or https://)", kEndpoint)->envname("RUNNEL_BENCH_ENDPOINT");
  opt("--region", o.region, "Region in the SigV4 signature", kEndpoint)->envname("AWS_REGION");
  sub_->add_option("--access-key", o.access_key, "Access key id for SigV4 [env AWS_ACCESS_KEY_ID, default: dummy]")
      ->envname("AWS_ACCESS_KEY_ID")
      ->group(kEndpoint);
  sub_->add_option("--secret-key", o.secret_key, "Secret key for SigV4 [env AWS_SECRET_ACCESS_KEY, default: dummy]")
      ->envname("AWS_SECRET_ACCESS_KEY")
      ->group(kEndpoint);
  opt("--http", o.http_version,
      "HTTP version: 1.1 (keep-alive connections) or 2 (h2c with prior knowledge on http://, ALPN on https://)",
      kEndpoint)
      ->check(CLI::IsMember({"1.1", "2"}));
  opt("--encoding", o.encoding_name, "Request encoding: json (application/x-amz-json-1.1) or cbor (x-amz-cbor-1.1)",
      kEndpoint)
      ->check(CLI::IsMember({"json", "cbor"}));
  opt("--timeout-ms", o.request_timeout_ms,
      "Timeout of one request; a SubscribeToShard stream silent this long is dropped and resubscribed", kEndpoint);
  sub_->add_flag("--insecure", o.insecure, "Do not verify the TLS certificate of an https:// endpoint")
      ->group(kEndpoint);

  const char* kStream = "Stream";
  opt("--stream", o.stream, "Use this existing stream (not deleted at the end); default: create a new one", kStream);
  opt("--shards", o.shards, "Shards of the stream created (ignored with --stream)", kStream);
  sub_->add_flag("--keep", o.keep,
                 "Keep the created stream (and registered consumer; with --service firehose the delivery stream, the "
                 "bucket and its objects) at the end")
      ->group(kStream);

  const char* kProduce = "Producer";
  sub_->add_flag("!--no-produce", o.produce, "Do not put records; only read (needs --stream and --consume)")
      ->group(kProduce);
  opt("--api", o.api_name, "PutRecords (batches) or PutRecord (one record per request)", kProduce)
      ->check(CLI::IsMember({"PutRecords", "PutRecord", "PutRecordBatch"}));
  opt("--batch", o.batch,
      "Records per PutRecords or PutRecordBatch request, 1..500 (0: 100, 500 with --service firehose; always 1 with "
      "PutRecord)",
      kProduce);
  opt("--record-size", o.record_size,
      "Bytes of Data per record, at least 12 (the first 12 carry the send time for end-to-end latency); 0: 100, "
      "1024 with --service firehose",
      kProduce);
  opt("--hot-keys", o.hot_keys,
      "Partition keys: 0 = a new random key per record (even spread over shards); N = N fixed keys chosen "
      "uniformly (skew: fewer keys than shards leaves shards idle)",
      kProduce);
  opt("--concurrency", o.concurrency, "Put requests in flight at once (across all producer threads)", kProduce);
  opt("--producer-threads", o.producer_threads,
      "Threads that build and send put requests, each with its own share of --concurrency and --connections "
      "(at least one connection each) and one shared --rate budget",
      kProduce);
  opt("--connections", o.connections,
      "Most connections opened for puts (0: one per in-flight request over HTTP/1.1, 1 over HTTP/2)", kProduce);
  opt("--rate", o.rate,
      "Target of new records per second across the run (0: as fast as the endpoint answers). Pacing is open-loop: "
      "a slow endpoint shows as latency, not as a lower send rate",
      kProduce);
  opt("--duration", o.duration_s, "Seconds to produce (or, with --no-produce, to read)", kProduce);
  opt("--max-retries", o.max_retries,
      "Sends of a throttled or failed record after its first (PutRecords entries with an ErrorCode, throttling, "
      "5xx and network errors); then it counts as failed",
      kProduce);

  const char* kConsume = "Consumer";
  opt("--consume", o.consume_name,
      "Read the records back: none; poll (GetRecords, one loop per shard); subscribe (RegisterStreamConsumer + "
      "SubscribeToShard per shard)",
      kConsume)
      ->check(CLI::IsMember({"none", "poll", "subscribe"}));
  opt("--start", o.start_name, "Where consumers start: latest or trim-horizon", kConsume)
      ->check(CLI::IsMember({"latest", "trim-horizon"}));
  opt("--poll-interval-ms", o.poll_interval_ms,
      "GetRecords: pause after an answer without records; --service firehose: time between ListObjectsV2 listings",
      kConsume);
  opt("--poll-limit", o.poll_limit, "GetRecords: Limit of records per call", kConsume);
  opt("--consumer-name", o.consumer_name,
      "SubscribeToShard: name of the consumer registered (default: runnel-bench-<pid>)", kConsume);
  opt("--drain", o.drain_s,
      "Seconds to wait after producing for the consumer to receive the rest (< 0: 5; with --service firehose "
      "2 x --buffer-interval + 30, time for the last buffer to be delivered)",
      kConsume);

  const char* kFirehose = "Firehose (--service firehose)";
  opt("--compression", o.compression_name, "CompressionFormat of the S3 destination: UNCOMPRESSED or GZIP", kFirehose)
      ->check(CLI::IsMember({"UNCOMPRESSED", "GZIP"}));
  opt("--buffer-size-mb", o.buffer_size_mb, "BufferingHints.SizeInMBs, 1..128", kFirehose);
  opt("--buffer-interval", o.buffer_interval_s, "BufferingHints.IntervalInSeconds, 0..900", kFirehose);

  const char* kAnalytics = "Analytics (--service analytics)";
  opt("--records", o.analytics_records,
      "Catch-up phase: records pre-filled into the input stream (then one sentinel per shard)", kAnalytics);
  opt("--cases", o.analytics_cases,
      "Applications measured: pump (filter and project), tumbling (10 s GROUP BY), or pump,tumbling", kAnalytics);
  opt("--phases", o.analytics_phases,
      "catchup (baseline GetRecords read, then each application from TRIM_HORIZON), latency (each application "
      "from NOW while --rate records/s are put for --duration s), or catchup,latency",
      kAnalytics);

  const char* kOutput = "Output";
  opt("--json", o.json_file, "Write the JSON summary to this file instead of stdout", kOutput);
  sub_->add_flag("--quiet,-q", o.quiet, "No progress lines")->group(kOutput);
}

int BenchCommand::run() {
  if (Status s = validate(options_); !s.is_ok()) {
    fmt::print(stderr, "runnel bench: {}\n", s.message());
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = options_.service == Service::kAnalytics ? run_analytics_bench(options_) : run_bench(options_);
  curl_global_cleanup();
  return rc;
}

}  // namespace runnel::bench
