#include "bench/report.h"

#include <fmt/format.h>

namespace runnel::bench {

using protocol::Object;
using protocol::Value;

namespace {

double per_s(uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0.0; }
double mb(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }
double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

std::string percentiles_ms(const Histogram& h) {
  if (h.count() == 0) return "-";
  return fmt::format("p50 {:.1f} p99 {:.1f} ms", ms(h.percentile(50)), ms(h.percentile(99)));
}

std::string latency_line(std::string_view what, const Histogram& h) {
  if (h.count() == 0) return fmt::format("  {:<22} no samples\n", what);
  return fmt::format("  {:<22} p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  p99.9 {:.2f}  max {:.2f} ms  (mean {:.2f}, n={})\n",
                     what, ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)), ms(h.percentile(99.9)),
                     ms(h.max()), h.mean() / 1000.0, h.count());
}

}  // namespace

double delivered_mb_per_s_while_producing(const RunInfo& info, const StatsSnapshot& s) {
  return info.produce_s > 0 ? mb(s.received_bytes_by_production_end) / info.produce_s : 0.0;
}

ActiveReceive active_receive(const RunInfo& info, const StatsSnapshot& s) {
  ActiveReceive a;
  if (s.first_receive_us == 0) return a;
  a.first_s = static_cast<double>(s.first_receive_us - info.start_us) / 1e6;
  a.last_s = static_cast<double>(s.last_receive_us - info.start_us) / 1e6;
  // The first receipt's records arrived at first_s, after a transfer time
  // the span does not hold: counting them would read high.
  a.records_per_s = per_s(s.received_records - s.first_receipt_records, a.last_s - a.first_s);
  return a;
}

std::string progress_line(const BenchOptions& o, double elapsed_s, double interval_s, const StatsSnapshot& prev,
                          const StatsSnapshot& cur) {
  std::string line = fmt::format("[{:5.1f}s]", elapsed_s);
  if (o.produce) {
    line +=
        fmt::format(" put {:>8.0f} rec/s {:7.2f} MB/s req {}", per_s(cur.put_records - prev.put_records, interval_s),
                    mb(cur.put_bytes - prev.put_bytes) / interval_s, percentiles_ms(cur.put_latency));
  }
  if (o.service == Service::kFirehose) {
    line += fmt::format(" | s3 {:>8.0f} rec/s lag {} objects {}",
                        per_s(cur.received_records - prev.received_records, interval_s),
                        percentiles_ms(cur.e2e_latency), cur.delivered_objects);
  } else if (o.consume != ConsumeMode::kNone) {
    line +=
        fmt::format(" | recv {:>8.0f} rec/s e2e {}", per_s(cur.received_records - prev.received_records, interval_s),
                    percentiles_ms(cur.e2e_latency));
  }
  line +=
      fmt::format(" | errors {} throttled {} retried {}", cur.error_total(), cur.throttle_total(), cur.records_retried);
  return line;
}

std::string summary_text(const BenchOptions& o, const RunInfo& info, const StatsSnapshot& s) {
  const bool firehose = o.service == Service::kFirehose;
  std::string out =
      firehose ? fmt::format(
                     "runnel bench: Firehose delivery stream {} -> s3://{} on {}, {}, buffering {} MiB / {} s, "
                     "over HTTP/{}\n",
                     info.stream, info.bucket, o.endpoint, to_string(o.compression), o.buffer_size_mb,
                     o.buffer_interval_s, o.http_version)
               : fmt::format("runnel bench: {} on {} ({} shard{}), {} over HTTP/{}\n", info.stream, o.endpoint,
                             info.shards, info.shards == 1 ? "" : "s", to_string(o.encoding), o.http_version);
  if (o.produce) {
    out += fmt::format("  produced {} records, {:.2f} MB in {:.2f} s: {:.0f} records/s, {:.2f} MB/s ({} x {}, {} B)\n",
                       s.put_records, mb(s.put_bytes), info.produce_s, per_s(s.put_records, info.produce_s),
                       info.produce_s > 0 ? mb(s.put_bytes) / info.produce_s : 0.0, to_string(o.api), o.batch,
                       o.record_size);
    if (o.rate > 0 && info.produce_s > 0 && per_s(s.put_records, info.produce_s) < 0.95 * o.rate) {
      out += fmt::format("  (target rate {:.0f} records/s was not reached)\n", o.rate);
    }
    out += fmt::format("  requests {}, records retried {}, records failed {}\n", s.put_requests, s.records_retried,
                       s.records_failed);
    out += latency_line(fmt::format("{} latency", to_string(o.api)), s.put_latency);
  }
  if (o.consume != ConsumeMode::kNone) {
    out += fmt::format("  received {} records, {:.2f} MB ({}): {:.0f} records/s; {} unstamped\n", s.received_records,
                       mb(s.received_bytes), o.consume == ConsumeMode::kPoll ? "GetRecords" : "SubscribeToShard",
                       per_s(s.received_records, info.consume_s), s.unstamped_records);
    if (const ActiveReceive a = active_receive(info, s); s.first_receive_us != 0) {
      out += fmt::format("  records arrived from {:.2f} s to {:.2f} s: {:.0f} records/s while arriving\n", a.first_s,
                         a.last_s, a.records_per_s);
    }
    for (const auto& [what, n] : s.consumer_warnings) {
      out += fmt::format("  warning: {} ({} time{}; AWS would not do this)\n", what, n, n == 1 ? "" : "s");
    }
    if (o.produce && s.received_records < s.put_records) {
      out += fmt::format("  {} records put were not received before the end of the run\n",
                         s.put_records - s.received_records);
    }
    out += latency_line("end-to-end latency", s.e2e_latency);
  }
  if (firehose) {
    out += fmt::format(
        "  delivered {} records, {:.2f} MB in {} objects ({:.2f} MB stored); {} unstamped\n"
        "  delivered {:.2f} MB/s while producing ({:.2f} MB listed by the last put's answer), {:.2f} MB/s from the "
        "first put to the last object listed ({:.2f} s)\n",
        s.received_records, mb(s.received_bytes), s.delivered_objects, mb(s.delivered_object_bytes),
        s.unstamped_records, delivered_mb_per_s_while_producing(info, s), mb(s.received_bytes_by_production_end),
        info.consume_s > 0 ? mb(s.received_bytes) / info.consume_s : 0.0, info.consume_s);
    for (const auto& [what, n] : s.consumer_warnings) {
      out += fmt::format("  warning: {} ({} time{})\n", what, n, n == 1 ? "" : "s");
    }
    if (s.received_records < s.put_records) {
      out += fmt::format("  {} records acknowledged were not seen in S3 before the end of the run\n",
                         s.put_records - s.received_records);
    }
    out += latency_line("delivery lag", s.e2e_latency);
    out += latency_line("lag while producing", s.e2e_latency_by_production_end);
  }
  for (const auto& [what, c] : s.errors) {
    out += fmt::format("  error {}: {} ({} retried, {} given up)\n", what, c.count, c.retried, c.gave_up);
  }
  if (!info.failure.empty()) out += "  FAILED: " + info.failure + "\n";
  return out;
}

Value latency_json(const Histogram& h) {
  return Object{{"count", static_cast<int64_t>(h.count())},
                {"min", h.min()},
                {"mean", h.mean()},
                {"p50", h.percentile(50)},
                {"p90", h.percentile(90)},
                {"p99", h.percentile(99)},
                {"p99_9", h.percentile(99.9)},
                {"max", h.max()}};
}

Value summary_json(const BenchOptions& o, const RunInfo& info, const StatsSnapshot& s) {
  auto u = [](uint64_t v) { return Value(static_cast<int64_t>(v)); };
  Value params = Object{
      {"service", std::string(to_string(o.service))},
      {"endpoint", o.endpoint},
      {"region", o.region},
      {"http", o.http_version},
      {"encoding", std::string(to_string(o.encoding))},
      {"stream", o.stream},
      {"shards", o.shards},
      {"keep", o.keep},
      {"produce", o.produce},
      {"api", std::string(to_string(o.api))},
      {"batch", o.batch},
      {"record_size", o.record_size},
      {"hot_keys", o.hot_keys},
      {"concurrency", o.concurrency},
      {"producer_threads", o.producer_threads},
      {"connections", o.connections},
      {"rate", o.rate},
      {"duration_s", o.duration_s},
      {"max_retries", o.max_retries},
      {"consume", std::string(to_string(o.consume))},
      {"start", o.start_name},
      {"poll_interval_ms", o.poll_interval_ms},
      {"poll_limit", o.poll_limit},
      {"consumer_name", o.consumer_name},
      {"drain_s", o.drain_s},
      {"timeout_ms", o.request_timeout_ms},
  };
  if (o.service == Service::kFirehose) {
    params.set("compression", std::string(to_string(o.compression)));
    params.set("buffer_size_mb", o.buffer_size_mb);
    params.set("buffer_interval_s", o.buffer_interval_s);
  }
  Value errors = protocol::Array{};
  for (const auto& [what, c] : s.errors) {
    const auto space = what.find(' ');
    errors.as_array().emplace_back(Object{{"operation", what.substr(0, space)},
                                          {"type", what.substr(space + 1)},
                                          {"count", u(c.count)},
                                          {"retried", u(c.retried)},
                                          {"gave_up", u(c.gave_up)}});
  }
  Value out = Object{
      {"tool", "runnel bench"},          {"schema_version", 1},         {"ok", info.failure.empty()},
      {"parameters", std::move(params)}, {"elapsed_s", info.elapsed_s},
  };
  if (o.service == Service::kFirehose) {
    out.set("delivery_stream",
            Object{{"name", info.stream}, {"created", info.stream_created}, {"bucket", info.bucket}});
  } else {
    out.set("stream", Object{{"name", info.stream}, {"created", info.stream_created}, {"shards", info.shards}});
  }
  if (!info.failure.empty()) out.set("failure", info.failure);
  if (o.produce) {
    out.set("producer", Object{{"seconds", info.produce_s},
                               {"records", u(s.put_records)},
                               {"bytes", u(s.put_bytes)},
                               {"records_per_s", per_s(s.put_records, info.produce_s)},
                               {"mb_per_s", info.produce_s > 0 ? mb(s.put_bytes) / info.produce_s : 0.0},
                               {"requests", u(s.put_requests)},
                               {"records_retried", u(s.records_retried)},
                               {"records_failed", u(s.records_failed)},
                               {"request_latency_us", latency_json(s.put_latency)}});
  }
  if (o.consume != ConsumeMode::kNone) {
    Value c = Object{{"mode", std::string(to_string(o.consume))},
                     {"seconds", info.consume_s},
                     {"records", u(s.received_records)},
                     {"bytes", u(s.received_bytes)},
                     {"records_per_s", per_s(s.received_records, info.consume_s)},
                     {"mb_per_s", info.consume_s > 0 ? mb(s.received_bytes) / info.consume_s : 0.0},
                     {"unstamped_records", u(s.unstamped_records)},
                     {"requests", u(s.consume_requests)},
                     {"subscriptions", u(s.subscriptions)},
                     {"end_to_end_latency_us", latency_json(s.e2e_latency)}};
    const ActiveReceive a = active_receive(info, s);
    c.set("first_receive_s", a.first_s);
    c.set("last_receive_s", a.last_s);
    c.set("records_per_s_active", a.records_per_s);
    Value warnings = Object{};
    for (const auto& [what, n] : s.consumer_warnings) warnings.set(what, u(n));
    c.set("warnings", std::move(warnings));
    if (!info.consumer_arn.empty()) c.set("consumer_arn", info.consumer_arn);
    out.set("consumer", std::move(c));
  }
  if (o.service == Service::kFirehose) {
    const ActiveReceive a = active_receive(info, s);
    Value warnings = Object{};
    for (const auto& [what, n] : s.consumer_warnings) warnings.set(what, u(n));
    out.set("delivery",
            Object{{"seconds", info.consume_s},
                   {"records", u(s.received_records)},
                   {"bytes", u(s.received_bytes)},
                   {"records_per_s", per_s(s.received_records, info.consume_s)},
                   {"mb_per_s", info.consume_s > 0 ? mb(s.received_bytes) / info.consume_s : 0.0},
                   {"bytes_while_producing", u(s.received_bytes_by_production_end)},
                   {"mb_per_s_while_producing", delivered_mb_per_s_while_producing(info, s)},
                   {"missing_records", u(s.put_records > s.received_records ? s.put_records - s.received_records : 0)},
                   {"unstamped_records", u(s.unstamped_records)},
                   {"objects", u(s.delivered_objects)},
                   {"object_bytes", u(s.delivered_object_bytes)},
                   {"requests", u(s.consume_requests)},
                   {"first_receive_s", a.first_s},
                   {"last_receive_s", a.last_s},
                   {"warnings", std::move(warnings)},
                   {"lag_us", latency_json(s.e2e_latency)},
                   {"lag_while_producing_us", latency_json(s.e2e_latency_by_production_end)}});
  }
  out.set("errors", std::move(errors));
  return out;
}

}  // namespace runnel::bench
