#include "bench/options.h"

#include <unistd.h>

#include <initializer_list>

#include <fmt/format.h>

#include "bench/latency_stamp.h"

namespace runnel::bench {
namespace {

Status bad(std::string m) { return Status::invalid_argument(std::move(m)); }

// Kinesis: the stream, the put API and the request's size (AWS's PutRecords limits).
Status validate_kinesis_shape(BenchOptions& o) {
  if (o.stream.empty() && (o.shards < 1 || o.shards > 10'000)) return bad("--shards must be in 1..10000");

  if (o.api_name == "PutRecords") {
    o.api = PutApi::kPutRecords;
    if (o.batch == 0) o.batch = 100;
    if (o.batch < 1 || o.batch > kMaxBatch) return bad(fmt::format("--batch must be in 1..{}", kMaxBatch));
  } else if (o.api_name == "PutRecord") {
    o.api = PutApi::kPutRecord;
    if (o.batch == 0) o.batch = 1;
    if (o.batch != 1) return bad("--batch must be 1 (or left out) with --api PutRecord");
  } else {
    return bad("--api must be PutRecords or PutRecord");
  }
  if (o.hot_keys < 0 || o.hot_keys > 1'000'000) return bad("--hot-keys must be in 0..1000000");
  if (o.record_size == 0) o.record_size = 100;
  if (o.record_size < static_cast<int>(kStampBytes)) {
    return bad(fmt::format("--record-size must be at least {} (the latency stamp)", kStampBytes));
  }
  const int64_t per_record = int64_t{o.record_size} + partition_key_bytes(o);
  if (per_record > kMaxRecordBytes) {
    return bad(fmt::format("--record-size: data plus partition key must be at most {} bytes", kMaxRecordBytes));
  }
  if (per_record * o.batch > kMaxPutRecordsBytes) {
    return bad(fmt::format("--batch x --record-size: {} records of {} bytes exceed PutRecords' {} bytes", o.batch,
                           per_record, kMaxPutRecordsBytes));
  }
  return Status::ok();
}

// Firehose: PutRecordBatch into a delivery stream the run creates, whose
// objects are read back from the endpoint's S3 store.
Status validate_firehose_shape(BenchOptions& o) {
  if (!o.stream.empty())
    return bad("--stream is for --service kinesis; --service firehose creates its delivery stream");
  if (o.api_name == "PutRecords" || o.api_name == "PutRecordBatch") {
    o.api = PutApi::kPutRecordBatch;
  } else {
    return bad("--service firehose puts with PutRecordBatch (--api PutRecordBatch, or leave --api out)");
  }
  if (o.encoding_name != "json") return bad("--service firehose speaks AWS JSON 1.1 only (--encoding json)");
  if (!o.produce) return bad("--no-produce is for --service kinesis");
  if (o.consume_name != "none") {
    return bad("--consume is for --service kinesis; --service firehose always reads the objects delivered to S3");
  }
  if (o.batch == 0) o.batch = kMaxBatch;
  if (o.batch < 1 || o.batch > kMaxBatch) return bad(fmt::format("--batch must be in 1..{}", kMaxBatch));
  if (o.record_size == 0) o.record_size = 1024;
  if (o.record_size < static_cast<int>(kStampBytes)) {
    return bad(fmt::format("--record-size must be at least {} (the latency stamp)", kStampBytes));
  }
  if (o.record_size > kMaxFirehoseRecordBytes) {
    return bad(
        fmt::format("--record-size must be at most {} bytes (Firehose's record limit)", kMaxFirehoseRecordBytes));
  }
  if (int64_t{o.record_size} * o.batch > kMaxPutRecordBatchBytes) {
    return bad(fmt::format("--batch x --record-size: {} records of {} bytes exceed PutRecordBatch's {} bytes", o.batch,
                           o.record_size, kMaxPutRecordBatchBytes));
  }
  if (o.compression_name == "UNCOMPRESSED") {
    o.compression = Compression::kUncompressed;
  } else if (o.compression_name == "GZIP") {
    o.compression = Compression::kGzip;
  } else {
    return bad("--compression must be UNCOMPRESSED or GZIP");
  }
  if (o.buffer_size_mb < 1 || o.buffer_size_mb > 128) return bad("--buffer-size-mb must be in 1..128");
  if (o.buffer_interval_s < 0 || o.buffer_interval_s > 900) return bad("--buffer-interval must be in 0..900 seconds");
  return Status::ok();
}

// Whether `list` is a comma-separated, non-empty list of words from `allowed`.
bool words_from(std::string_view list, std::initializer_list<std::string_view> allowed) {
  if (list.empty()) return false;
  size_t at = 0;
  while (at <= list.size()) {
    size_t comma = list.find(',', at);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view word = list.substr(at, comma - at);
    bool known = false;
    for (std::string_view a : allowed) known = known || word == a;
    if (!known) return false;
    at = comma + 1;
  }
  return true;
}

// Analytics: the run creates its streams and applications; records are the
// stock-ticker JSON of analytics_requests.h, put with PutRecords.
Status validate_analytics_shape(BenchOptions& o) {
  if (!o.stream.empty()) return bad("--stream is for --service kinesis; --service analytics creates its streams");
  if (o.encoding_name != "json") return bad("--service analytics speaks AWS JSON 1.1 only (--encoding json)");
  if (!o.produce) return bad("--no-produce is for --service kinesis");
  if (o.consume_name != "none") return bad("--consume is for --service kinesis; --service analytics reads its outputs");
  if (o.api_name != "PutRecords") return bad("--service analytics puts with PutRecords");
  o.api = PutApi::kPutRecords;
  if (o.shards < 1 || o.shards > 64) return bad("--shards must be in 1..64 with --service analytics");
  if (o.batch == 0) o.batch = kMaxBatch;
  if (o.batch < 1 || o.batch > kMaxBatch) return bad(fmt::format("--batch must be in 1..{}", kMaxBatch));
  if (o.record_size == 0) o.record_size = 100;
  if (o.record_size < kMinAnalyticsRecordBytes || o.record_size > 100'000) {
    return bad(fmt::format("--record-size must be in {}..100000 with --service analytics (a JSON record)",
                           kMinAnalyticsRecordBytes));
  }
  if (o.analytics_records < 1 || o.analytics_records > 100'000'000) return bad("--records must be in 1..100000000");
  if (!words_from(o.analytics_cases, {"pump", "tumbling"})) {
    return bad("--cases must be pump, tumbling or pump,tumbling");
  }
  if (!words_from(o.analytics_phases, {"catchup", "latency"})) {
    return bad("--phases must be catchup, latency or catchup,latency");
  }
  if (o.rate == 0) o.rate = 2000;
  return Status::ok();
}

}  // namespace

int partition_key_bytes(const BenchOptions& o) {
  if (o.hot_keys <= 0) return 16;  // 16 hex digits of a random 64-bit number
  return static_cast<int>(fmt::format("key-{}", o.hot_keys - 1).size());
}

Status validate(BenchOptions& o) {
  if (o.endpoint.starts_with("http://")) {
    o.tls = false;
  } else if (o.endpoint.starts_with("https://")) {
    o.tls = true;
  } else {
    return bad("--endpoint must start with http:// or https://");
  }
  while (o.endpoint.ends_with('/')) o.endpoint.pop_back();
  if (o.http_version == "1.1") {
    o.http2 = false;
  } else if (o.http_version == "2") {
    o.http2 = true;
  } else {
    return bad("--http must be 1.1 or 2");
  }
  if (o.encoding_name == "json") {
    o.encoding = Encoding::kJson;
  } else if (o.encoding_name == "cbor") {
    o.encoding = Encoding::kCbor;
  } else {
    return bad("--encoding must be json or cbor");
  }
  if (o.region.empty()) return bad("--region must not be empty");
  if (o.access_key.empty() || o.secret_key.empty()) return bad("--access-key and --secret-key must not be empty");
  if (o.request_timeout_ms < 100) return bad("--timeout-ms must be at least 100");

  if (o.service_name == "kinesis") {
    o.service = Service::kKinesis;
    if (Status s = validate_kinesis_shape(o); !s.is_ok()) return s;
  } else if (o.service_name == "firehose") {
    o.service = Service::kFirehose;
    if (Status s = validate_firehose_shape(o); !s.is_ok()) return s;
  } else if (o.service_name == "analytics") {
    o.service = Service::kAnalytics;
    if (Status s = validate_analytics_shape(o); !s.is_ok()) return s;
  } else {
    return bad("--service must be kinesis, firehose or analytics");
  }
  if (o.concurrency < 1 || o.concurrency > 4096) return bad("--concurrency must be in 1..4096");
  if (o.connections < 0 || o.connections > 4096) return bad("--connections must be in 0..4096");
  if (o.connections == 0) o.connections = o.http2 ? 1 : o.concurrency;
  if (o.producer_threads < 1 || o.producer_threads > 64) return bad("--producer-threads must be in 1..64");
  if (o.producer_threads > o.concurrency) {
    return bad("--producer-threads must be at most --concurrency (each thread keeps at least one request in flight)");
  }
  if (!(o.rate >= 0)) return bad("--rate must be >= 0 (0: as fast as possible)");
  if (!(o.duration_s > 0) || o.duration_s > 86'400) return bad("--duration must be in (0, 86400] seconds");
  if (o.max_retries < 0 || o.max_retries > 100) return bad("--max-retries must be in 0..100");

  if (o.consume_name == "none") {
    o.consume = ConsumeMode::kNone;
  } else if (o.consume_name == "poll") {
    o.consume = ConsumeMode::kPoll;
  } else if (o.consume_name == "subscribe") {
    o.consume = ConsumeMode::kSubscribe;
  } else {
    return bad("--consume must be none, poll or subscribe");
  }
  if (o.start_name == "latest") {
    o.start = StartAt::kLatest;
  } else if (o.start_name == "trim-horizon") {
    o.start = StartAt::kTrimHorizon;
  } else {
    return bad("--start must be latest or trim-horizon");
  }
  if (!o.produce && o.consume == ConsumeMode::kNone) return bad("--no-produce needs --consume poll or subscribe");
  if (!o.produce && o.stream.empty()) return bad("--no-produce needs --stream (an existing stream to read)");
  if (o.poll_interval_ms < 0 || o.poll_interval_ms > 60'000) return bad("--poll-interval-ms must be in 0..60000");
  if (o.poll_limit < 1 || o.poll_limit > 10'000) return bad("--poll-limit must be in 1..10000");
  if (o.consumer_name.empty()) o.consumer_name = fmt::format("runnel-bench-{}", getpid());
  if (o.drain_s < 0) o.drain_s = o.service == Service::kFirehose ? 2.0 * o.buffer_interval_s + 30 : 5;
  if (!(o.drain_s >= 0) || o.drain_s > 3600) return bad("--drain must be in 0..3600 seconds");
  return Status::ok();
}

std::string_view to_string(Service s) {
  switch (s) {
    case Service::kKinesis: return "kinesis";
    case Service::kFirehose: return "firehose";
    case Service::kAnalytics: return "analytics";
  }
  return "?";
}
std::string_view to_string(Compression c) { return c == Compression::kUncompressed ? "UNCOMPRESSED" : "GZIP"; }
std::string_view to_string(PutApi a) {
  switch (a) {
    case PutApi::kPutRecords: return "PutRecords";
    case PutApi::kPutRecord: return "PutRecord";
    case PutApi::kPutRecordBatch: return "PutRecordBatch";
  }
  return "?";
}
std::string_view to_string(Encoding e) { return e == Encoding::kJson ? "json" : "cbor"; }
std::string_view to_string(ConsumeMode m) {
  switch (m) {
    case ConsumeMode::kNone: return "none";
    case ConsumeMode::kPoll: return "poll";
    case ConsumeMode::kSubscribe: return "subscribe";
  }
  return "?";
}

}  // namespace runnel::bench
