#include "bench/analytics_run.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/analytics_requests.h"
#include "bench/control_plane.h"
#include "bench/histogram.h"
#include "bench/http_client.h"
#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "bench/records_answer.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::bench {

using protocol::Array;
using protocol::Object;
using protocol::Value;

namespace {

inline constexpr ServiceApi kAnalyticsApi{"kinesisanalytics", "KinesisAnalytics_20150814."};
constexpr auto kSetupTimeout = std::chrono::seconds(60);
// How long a catch-up may take before the run gives up on it.
constexpr auto kCatchupTimeout = std::chrono::seconds(300);
// A tumbling window closes on the 10 s boundary after its rows.
constexpr int64_t kWindowMs = 10'000;
// The catch-up readers of the outputs wait this long after an empty answer:
// polling an empty stream without a pause took CPU from the runtime on a
// 2-core machine, and 10 ms is within 1% of a catch-up of a second.
constexpr int kCatchupIdleMs = 10;

using Clock = std::chrono::steady_clock;

void say(const std::string& line) { fmt::print(stderr, "{}\n", line); }

// A synchronous JSON call to Kinesis Analytics.
Result<Value> analytics_call(const BenchOptions& o, std::string_view op, const Value& request) {
  HttpResult r = call(o, op, encode_body(request, Encoding::kJson), kAnalyticsApi);
  if (!r.ok()) {
    std::string msg = r.network_error.empty() ? error_message(r.body, Encoding::kJson) : std::string();
    return error(
        Status::aborted(std::string(op) + ": " + r.error_type(Encoding::kJson) + (msg.empty() ? "" : ": " + msg)));
  }
  auto v = decode_body(r.body, Encoding::kJson);
  if (!v || !v->is_object()) return error(Status::aborted(std::string(op) + ": the answer could not be decoded"));
  return std::move(*v);
}

// One request on `loop`, waited for (the loop keeps its connection).
HttpResult call_on(HttpLoop& loop, std::string_view op, std::string body) {
  HttpResult out;
  bool done = false;
  loop.start(op, std::move(body), [&](HttpResult&& r) {
    out = std::move(r);
    done = true;
  });
  while (!done) loop.poll(100);
  return out;
}

struct ShardInfo {
  std::string id;
  std::string starting_hash_key;
};

Result<std::vector<ShardInfo>> list_shards(const ControlPlane& cp, const std::string& stream) {
  auto r = cp.invoke("ListShards", Object{{"StreamName", stream}});
  if (!r) return error(r.error());
  std::vector<ShardInfo> out;
  if (const Value* shards = r->find("Shards"); shards && shards->is_array())
    for (const Value& s : shards->as_array()) {
      ShardInfo info{std::string(string_member(s, "ShardId")), ""};
      if (const Value* range = s.find("HashKeyRange"))
        info.starting_hash_key = string_member(*range, "StartingHashKey");
      out.push_back(std::move(info));
    }
  if (out.empty()) return error(Status::aborted("ListShards: no shards in " + stream));
  return out;
}

// Reads every shard of a stream from TRIM_HORIZON with GetRecords, one
// request per shard in flight, and hands each record's Data (base64) and
// its arrival time to `on_record`; stops when `done()` or at `deadline`.
// After an answer without records a shard waits `idle_ms`. Returns the
// number of records read, or the first error.
Result<uint64_t> read_stream(const BenchOptions& o, const std::string& stream, const std::vector<ShardInfo>& shards,
                             int idle_ms, Clock::time_point deadline,
                             const std::function<void(std::string_view, int64_t)>& on_record,
                             const std::function<bool()>& done, const std::atomic<bool>* stop = nullptr) {
  HttpLoop loop(o, static_cast<int>(shards.size()), 1);
  struct Lane {
    std::string iterator;
    bool busy = false;
    Clock::time_point next{};
  };
  std::vector<Lane> lanes(shards.size());
  for (size_t i = 0; i < shards.size(); ++i) {
    HttpResult r =
        call_on(loop, "GetShardIterator",
                encode_body(get_shard_iterator_request(stream, shards[i].id, "TRIM_HORIZON"), Encoding::kJson));
    if (!r.ok()) return error(Status::aborted("GetShardIterator: " + r.error_type(Encoding::kJson)));
    auto v = decode_body(r.body, Encoding::kJson);
    if (!v) return error(Status::aborted("GetShardIterator: the answer could not be decoded"));
    lanes[i].iterator = std::string(string_member(*v, "ShardIterator"));
  }
  uint64_t total = 0;
  std::string failure;
  while (failure.empty() && !done() && Clock::now() < deadline && !(stop && stop->load())) {
    const Clock::time_point now = Clock::now();
    Clock::time_point wake = now + std::chrono::milliseconds(100);
    for (size_t i = 0; i < lanes.size(); ++i) {
      Lane& lane = lanes[i];
      if (lane.busy || lane.iterator.empty()) continue;
      if (lane.next > now) {
        wake = std::min(wake, lane.next);
        continue;
      }
      lane.busy = true;
      loop.start("GetRecords", encode_body(get_records_request(lane.iterator, o.poll_limit), Encoding::kJson),
                 [&, i](HttpResult&& r) {
                   Lane& l = lanes[i];
                   l.busy = false;
                   if (!r.ok()) {
                     const std::string type = r.error_type(Encoding::kJson);
                     if (retryable(type)) {
                       l.next = Clock::now() + std::chrono::milliseconds(50);
                     } else {
                       failure = "GetRecords: " + type;
                     }
                     return;
                   }
                   const int64_t at = now_epoch_micros();
                   auto answer = scan_records_json(r.body, [&](std::string_view data) { on_record(data, at); });
                   if (!answer) {
                     failure = "GetRecords: the answer could not be read";
                     return;
                   }
                   total += answer->records;
                   l.iterator = answer->next_iterator;
                   l.next =
                       answer->records == 0 ? Clock::now() + std::chrono::milliseconds(idle_ms) : Clock::time_point{};
                 });
    }
    loop.poll(100, wake);
  }
  loop.cancel_all();
  if (!failure.empty()) return error(Status::aborted(failure));
  return total;
}

std::optional<std::string> decode_data(std::string_view b64) { return protocol::base64_decode(b64); }

// Puts records [first, first + n) (ticker_record, stamped when the body is
// built) with PutRecords of --batch, --concurrency requests in flight; failed
// entries are put again. `pace`: records per second (0: as fast as possible).
Status put_records(const BenchOptions& o, const std::string& stream, uint64_t first, uint64_t n, double pace,
                   const std::atomic<bool>* stop = nullptr, std::atomic<uint64_t>* acked = nullptr) {
  HttpLoop loop(o, o.concurrency, 1);
  std::vector<uint64_t> retry;
  uint64_t next = first;
  const uint64_t end = first + n;
  uint64_t stored = 0;
  std::string failure;
  const Clock::time_point start = Clock::now();
  auto due = [&]() -> uint64_t {
    if (pace <= 0) return end;
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    return std::min(end, first + static_cast<uint64_t>(s * pace));
  };
  while (failure.empty() && stored < n && !(stop && stop->load())) {
    const uint64_t can = due();
    while (loop.in_flight() < static_cast<size_t>(o.concurrency) && (!retry.empty() || next < can)) {
      std::vector<uint64_t> ids;
      while (ids.size() < static_cast<size_t>(o.batch) && !retry.empty()) {
        ids.push_back(retry.back());
        retry.pop_back();
      }
      while (ids.size() < static_cast<size_t>(o.batch) && next < can) ids.push_back(next++);
      std::vector<OutRecord> records;
      records.reserve(ids.size());
      const int64_t stamp = now_epoch_micros();
      for (uint64_t id : ids)
        records.push_back(
            OutRecord{fmt::format("{:016x}", id * 0x9E3779B97F4A7C15ULL), ticker_record(id, stamp, o.record_size)});
      loop.start("PutRecords", encode_body(put_records_request(stream, records), Encoding::kJson),
                 [&, ids = std::move(ids)](HttpResult&& r) {
                   if (!r.ok()) {
                     const std::string type = r.error_type(Encoding::kJson);
                     if (!retryable(type)) failure = "PutRecords: " + type;
                     retry.insert(retry.end(), ids.begin(), ids.end());
                     return;
                   }
                   auto errors = put_records_entry_errors(r.body, Encoding::kJson, ids.size());
                   if (!errors) {
                     failure = "PutRecords: the answer could not be read";
                     return;
                   }
                   for (size_t k = 0; k < ids.size(); ++k) {
                     if ((*errors)[k].empty()) {
                       ++stored;
                       if (acked) acked->fetch_add(1);
                     } else {
                       retry.push_back(ids[k]);
                     }
                   }
                 });
    }
    const auto wake = pace > 0 ? Clock::now() + std::chrono::milliseconds(5) : Clock::time_point::max();
    loop.poll(100, wake);
  }
  loop.cancel_all();
  return failure.empty() ? Status::ok() : Status::aborted(failure);
}

// One sentinel per shard, sent to it by ExplicitHashKey.
Status put_sentinels(const BenchOptions& o, const ControlPlane& cp, const std::string& stream,
                     const std::vector<ShardInfo>& shards) {
  for (const ShardInfo& s : shards) {
    Value req = Object{{"StreamName", stream},
                       {"Data", protocol::Blob{sentinel_record(now_epoch_micros(), o.record_size)}},
                       {"PartitionKey", "sentinel"},
                       {"ExplicitHashKey", s.starting_hash_key}};
    if (auto r = cp.invoke("PutRecord", req); !r) return r.error();
  }
  return Status::ok();
}

Value histogram_json(const Histogram& h) {
  return Object{{"count", static_cast<int64_t>(h.count())},
                {"p50", h.percentile(50)},
                {"p90", h.percentile(90)},
                {"p99", h.percentile(99)},
                {"max", h.max()}};
}

// The streams and applications the run made, removed on scope exit.
struct Cleanup {
  const BenchOptions& o;
  ControlPlane cp;
  std::vector<std::string> streams;
  std::vector<std::string> applications;
  explicit Cleanup(const BenchOptions& options) : o(options), cp(options) {}
  ~Cleanup() {
    if (o.keep) return;
    for (const std::string& app : applications) delete_application(app);
    for (const std::string& s : streams) {
      // DeleteStream is rate limited (LimitExceededException): try again.
      Status st = cp.delete_stream(s);
      for (int tries = 0; !st.is_ok() && st.message().find("LimitExceeded") != std::string::npos && tries < 50;
           ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        st = cp.delete_stream(s);
      }
      if (!st.is_ok()) say("warning: " + st.message());
    }
  }
  void delete_application(const std::string& app) {
    (void)analytics_call(o, "StopApplication", Object{{"ApplicationName", app}});
    auto d = analytics_call(o, "DescribeApplication", Object{{"ApplicationName", app}});
    if (!d) return;
    const Value* detail = d->find("ApplicationDetail");
    const Value* created = detail ? detail->find("CreateTimestamp") : nullptr;
    if (!created) return;
    // Deleting waits for STOPPING to end (KDA refuses it while it lasts).
    for (int tries = 0; tries < 50; ++tries) {
      auto r = analytics_call(o, "DeleteApplication", Object{{"ApplicationName", app}, {"CreateTimestamp", *created}});
      if (r || r.error().message().find("ResourceInUse") == std::string::npos) {
        if (!r) say("warning: " + r.error().message());
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
};

class AnalyticsRun {
 public:
  explicit AnalyticsRun(const BenchOptions& o) : o_(o), cp_(o), cleanup_(o) {}

  int run();

 private:
  Result<std::string> new_stream(const std::string& suffix, int shards) {
    std::string name = fmt::format("runnel-bench-{}-{}-{}", getpid(), now_epoch_micros() / 1000, suffix);
    if (Status s = cp_.create_stream(name, shards); !s.is_ok()) return error(s);
    cleanup_.streams.push_back(name);
    auto arn = cp_.wait_active(name, kSetupTimeout);
    if (!arn) return error(arn.error());
    stream_arns_[name] = *arn;
    return name;
  }
  // Creates and starts an application of case `c` at `position`; returns
  // its name and fills the output streams; `running` = when
  // DescribeApplication first said RUNNING.
  Result<std::string> start_application(AnalyticsCase c, const std::string& position, std::string& destination,
                                        std::string& progress, int64_t& running_us);
  Status baseline(Value& out);
  Status catchup(AnalyticsCase c, Value& out);
  Status latency(AnalyticsCase c, Value& out);

  const BenchOptions& o_;
  ControlPlane cp_;
  Cleanup cleanup_;
  std::map<std::string, std::string> stream_arns_;
  std::string input_;
  std::vector<ShardInfo> input_shards_;
  uint64_t input_records_ = 0;  // the backlog and the sentinels
  double baseline_rps_ = 0;
};

Result<std::string> AnalyticsRun::start_application(AnalyticsCase c, const std::string& position,
                                                    std::string& destination, std::string& progress,
                                                    int64_t& running_us) {
  auto d = new_stream(fmt::format("{}-out", to_string(c)), 1);
  if (!d) return error(d.error());
  destination = *d;
  if (c == AnalyticsCase::kTumbling) {
    auto p = new_stream(fmt::format("{}-progress", to_string(c)), 1);
    if (!p) return error(p.error());
    progress = *p;
  }
  std::string name = fmt::format("runnel-bench-{}-{}-{}", getpid(), now_epoch_micros() / 1000, to_string(c));
  auto created = analytics_call(o_, "CreateApplication",
                                create_application_request(name, c, stream_arns_[input_], stream_arns_[destination],
                                                           progress.empty() ? "" : stream_arns_[progress]));
  if (!created) return error(created.error());
  cleanup_.applications.push_back(name);
  if (auto r = analytics_call(o_, "StartApplication", start_application_request(name, position)); !r)
    return error(r.error());
  const auto deadline = Clock::now() + kSetupTimeout;
  while (Clock::now() < deadline) {
    auto r = analytics_call(o_, "DescribeApplication", Object{{"ApplicationName", name}});
    if (!r) return error(r.error());
    const Value* detail = r->find("ApplicationDetail");
    if (detail && string_member(*detail, "ApplicationStatus") == "RUNNING") {
      running_us = now_epoch_micros();
      return name;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return error(Status::aborted("application " + name + " did not become RUNNING"));
}

Status AnalyticsRun::baseline(Value& out) {
  const int64_t start_us = now_epoch_micros();
  int64_t last_us = 0;
  uint64_t seen = 0;
  auto n = read_stream(
      o_, input_, input_shards_, 0, Clock::now() + kCatchupTimeout,
      [&](std::string_view, int64_t at) {
        ++seen;
        last_us = at;
      },
      [&] { return seen >= input_records_; });
  if (!n) return n.error();
  const double s = static_cast<double>(last_us - start_us) / 1e6;
  if (seen < input_records_)
    return Status::aborted(fmt::format("baseline: read {} of {} records", seen, input_records_));
  baseline_rps_ = s > 0 ? static_cast<double>(seen) / s : 0;
  say(fmt::format("baseline: GetRecords from TRIM_HORIZON read {} records in {:.3f} s: {:.0f} records/s", seen, s,
                  baseline_rps_));
  out.set("baseline",
          Object{{"records", static_cast<int64_t>(seen)}, {"seconds", s}, {"records_per_s", baseline_rps_}});
  return Status::ok();
}

Status AnalyticsRun::catchup(AnalyticsCase c, Value& out) {
  std::string destination, progress;
  int64_t running_us = 0;
  auto app = start_application(c, "TRIM_HORIZON", destination, progress, running_us);
  if (!app) return app.error();
  const uint64_t backlog = input_records_ - input_shards_.size();
  const auto deadline = Clock::now() + kCatchupTimeout;
  int64_t done_us = 0;
  uint64_t rows = 0;
  Value result = Object{{"application", *app}};
  auto d_shards = list_shards(cp_, destination);
  if (!d_shards) return d_shards.error();
  if (c == AnalyticsCase::kPump) {
    // Every passing record and every sentinel comes out.
    const uint64_t expected = pump_passing(backlog) + input_shards_.size();
    auto n = read_stream(
        o_, destination, *d_shards, kCatchupIdleMs, deadline,
        [&](std::string_view, int64_t at) {
          if (++rows == expected) done_us = at;
        },
        [&] { return rows >= expected; });
    if (!n) return n.error();
    if (rows < expected)
      return Status::aborted(
          fmt::format("pump catch-up: {} of {} output rows within {} s", rows, expected, kCatchupTimeout.count()));
    result.set("output_rows", static_cast<int64_t>(rows));
  } else {
    // Every shard's sentinel through the progress pump: the runtime has read
    // (and aggregated) every record before it.
    auto p_shards = list_shards(cp_, progress);
    if (!p_shards) return p_shards.error();
    uint64_t sentinels = 0;
    auto n = read_stream(
        o_, progress, *p_shards, kCatchupIdleMs, deadline,
        [&](std::string_view, int64_t at) {
          if (++sentinels == input_shards_.size()) done_us = at;
        },
        [&] { return sentinels >= input_shards_.size(); });
    if (!n) return n.error();
    if (sentinels < input_shards_.size())
      return Status::aborted(fmt::format("tumbling catch-up: {} of {} sentinels within {} s", sentinels,
                                         input_shards_.size(), kCatchupTimeout.count()));
    // Then the window rows: their counts must add up to every record read
    // (the window closes on the next 10 s boundary).
    int64_t counted = 0;
    std::string bad;
    auto w = read_stream(
        o_, destination, *d_shards, kCatchupIdleMs, Clock::now() + std::chrono::milliseconds(kWindowMs + 5000),
        [&](std::string_view b64, int64_t) {
          auto data = decode_data(b64);
          auto row = data ? parse_output_row(*data) : std::nullopt;
          if (!row) {
            bad = "a window row could not be read";
            return;
          }
          ++rows;
          counted += row->count;
        },
        [&] { return counted >= static_cast<int64_t>(input_records_) || !bad.empty(); });
    if (!w) return w.error();
    if (!bad.empty()) return Status::aborted(bad);
    result.set("window_rows", static_cast<int64_t>(rows));
    result.set("window_count_sum", counted);
    if (counted != static_cast<int64_t>(input_records_))
      return Status::aborted(
          fmt::format("tumbling catch-up: the windows counted {} rows of {}", counted, input_records_));
  }
  const double s = static_cast<double>(done_us - running_us) / 1e6;
  const double rps = s > 0 ? static_cast<double>(input_records_) / s : 0;
  const double ratio = baseline_rps_ > 0 ? rps / baseline_rps_ : 0;
  say(fmt::format("catch-up {}: {} input records in {:.3f} s from RUNNING: {:.0f} input rows/s, {:.2f} of the baseline",
                  to_string(c), input_records_, s, rps, ratio));
  result.set("input_records", static_cast<int64_t>(input_records_));
  result.set("seconds", s);
  result.set("input_rows_per_s", rps);
  result.set("ratio_to_baseline", ratio);
  out.set(fmt::format("catchup_{}", to_string(c)), std::move(result));
  return Status::ok();
}

Status AnalyticsRun::latency(AnalyticsCase c, Value& out) {
  std::string destination, progress;
  int64_t running_us = 0;
  auto app = start_application(c, "NOW", destination, progress, running_us);
  if (!app) return app.error();
  auto d_shards = list_shards(cp_, destination);
  if (!d_shards) return d_shards.error();
  // Give the runtime its reconcile interval to pick the run up.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  std::mutex mu;
  Histogram latency;
  uint64_t rows = 0, unreadable = 0, early = 0;
  int64_t last_window_end_ms = 0;
  std::map<int64_t, int64_t> windows;  // the tumbling case: window start → its latest row's latency (µs)
  std::atomic<bool> stop_reading{false};
  std::atomic<uint64_t> acked{0};
  std::string read_failure;
  std::thread reader([&] {
    auto r = read_stream(
        o_, destination, *d_shards, o_.poll_interval_ms, Clock::now() + std::chrono::hours(24),
        [&](std::string_view b64, int64_t at) {
          auto data = decode_data(b64);
          auto row = data ? parse_output_row(*data) : std::nullopt;
          std::lock_guard lock(mu);
          ++rows;
          if (!row) {
            ++unreadable;
            return;
          }
          if (c == AnalyticsCase::kPump) {
            latency.record(at - row->ts_us);
          } else {
            if (row->ticker == kSentinelTicker) return;
            const int64_t end_us = (row->window_ms + kWindowMs) * 1000;
            if (at < end_us) ++early;  // must not happen: a window row before its end
            latency.record(at - end_us);
            last_window_end_ms = std::max(last_window_end_ms, row->window_ms + kWindowMs);
            int64_t& worst = windows[row->window_ms];
            worst = std::max(worst, at - end_us);
          }
        },
        [] { return false; }, &stop_reading);
    if (!r) {
      std::lock_guard lock(mu);
      read_failure = r.error().message();
    }
  });
  const auto n = static_cast<uint64_t>(o_.rate * o_.duration_s);
  const int64_t produce_start_ms = now_epoch_micros() / 1000;
  Status put = put_records(o_, input_, 0, n, o_.rate, nullptr, &acked);
  const int64_t produce_end_ms = now_epoch_micros() / 1000;
  // Drain: the pump's rows should all be there within --drain; the window
  // of the last record closes on the next boundary.
  const uint64_t expected = c == AnalyticsCase::kPump ? pump_passing(n) : 0;
  Clock::time_point drain_end = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(o_.drain_s * 1e6));
  if (c == AnalyticsCase::kTumbling) drain_end += std::chrono::milliseconds(kWindowMs - produce_end_ms % kWindowMs);
  const int64_t last_end_ms = (produce_end_ms / kWindowMs + 1) * kWindowMs;
  while (Clock::now() < drain_end) {
    {
      std::lock_guard lock(mu);
      if (!read_failure.empty()) break;
      if (c == AnalyticsCase::kPump && rows >= expected) break;
      if (c == AnalyticsCase::kTumbling && last_window_end_ms >= last_end_ms) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_reading = true;
  reader.join();
  if (!put.is_ok()) return put;
  std::lock_guard lock(mu);
  if (!read_failure.empty()) return Status::aborted(read_failure);
  Value result = Object{{"application", *app},
                        {"rate", o_.rate},
                        {"seconds", static_cast<double>(produce_end_ms - produce_start_ms) / 1000},
                        {"records_put", static_cast<int64_t>(acked.load())},
                        {"output_rows", static_cast<int64_t>(rows)},
                        {"unreadable_rows", static_cast<int64_t>(unreadable)},
                        {"poll_interval_ms", o_.poll_interval_ms}};
  Value lat = histogram_json(latency);
  std::string what = c == AnalyticsCase::kPump ? "put → output record" : "window end → output row";
  say(fmt::format("latency {}: {} rows, {} p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms", to_string(c), latency.count(),
                  what, latency.percentile(50) / 1e3, latency.percentile(99) / 1e3, latency.max() / 1e3));
  if (c == AnalyticsCase::kPump) {
    result.set("expected_rows", static_cast<int64_t>(expected));
    result.set("put_to_output_us", std::move(lat));
    out.set("latency_pump", std::move(result));
    if (rows < expected)
      return Status::aborted(fmt::format("latency pump: {} of {} output rows within --drain", rows, expected));
  } else {
    result.set("window_end_to_output_us", std::move(lat));
    result.set("rows_before_window_end", static_cast<int64_t>(early));
    result.set("windows", static_cast<int64_t>(windows.size()));
    // Each window's last row: which window was late, when one was.
    Array per_window;
    for (const auto& [start_ms, worst_us] : windows)
      per_window.push_back(Object{{"start_ms", start_ms}, {"last_row_us", worst_us}});
    result.set("per_window", std::move(per_window));
    out.set("latency_tumbling", std::move(result));
    if (latency.count() == 0) return Status::aborted("latency tumbling: no window row arrived");
    if (early > 0)
      return Status::aborted(fmt::format("latency tumbling: {} rows arrived before their window's end", early));
  }
  if (unreadable > 0) return Status::aborted(fmt::format("{} output rows could not be read", unreadable));
  return Status::ok();
}

int AnalyticsRun::run() {
  Value out = Object{{"service", "analytics"},
                     {"parameters", Object{{"records", o_.analytics_records},
                                           {"record_size", o_.record_size},
                                           {"shards", o_.shards},
                                           {"cases", o_.analytics_cases},
                                           {"phases", o_.analytics_phases},
                                           {"rate", o_.rate},
                                           {"duration_s", o_.duration_s},
                                           {"poll_interval_ms", o_.poll_interval_ms}}}};
  std::string failure;
  auto finish = [&]() {
    out.set("ok", failure.empty());
    if (!failure.empty()) {
      out.set("failure", failure);
      say("failed: " + failure);
    }
    std::string text = protocol::encode_json(out) + "\n";
    if (o_.json_file.empty()) {
      fmt::print(stdout, "{}", text);
    } else {
      std::ofstream f(o_.json_file, std::ios::trunc);
      f << text;
    }
    return failure.empty() ? 0 : 1;
  };
  const bool pump = o_.analytics_cases.find("pump") != std::string::npos;
  const bool tumbling = o_.analytics_cases.find("tumbling") != std::string::npos;
  const bool want_catchup = o_.analytics_phases.find("catchup") != std::string::npos;
  const bool latency_phase = o_.analytics_phases.find("latency") != std::string::npos;
  std::vector<AnalyticsCase> cases;
  if (pump) cases.push_back(AnalyticsCase::kPump);
  if (tumbling) cases.push_back(AnalyticsCase::kTumbling);

  auto in = new_stream("in", o_.shards);
  if (!in) {
    failure = in.error().message();
    return finish();
  }
  input_ = *in;
  auto shards = list_shards(cp_, input_);
  if (!shards) {
    failure = shards.error().message();
    return finish();
  }
  input_shards_ = std::move(*shards);
  if (want_catchup) {
    const Clock::time_point t = Clock::now();
    if (Status s = put_records(o_, input_, 0, static_cast<uint64_t>(o_.analytics_records), 0); !s.is_ok()) {
      failure = s.message();
      return finish();
    }
    if (Status s = put_sentinels(o_, cp_, input_, input_shards_); !s.is_ok()) {
      failure = s.message();
      return finish();
    }
    input_records_ = static_cast<uint64_t>(o_.analytics_records) + input_shards_.size();
    say(fmt::format("pre-filled {} with {} records of {} B (and {} sentinels) in {:.2f} s", input_,
                    o_.analytics_records, o_.record_size, input_shards_.size(),
                    std::chrono::duration<double>(Clock::now() - t).count()));
    if (Status s = baseline(out); !s.is_ok()) {
      failure = s.message();
      return finish();
    }
    for (AnalyticsCase c : cases)
      if (Status s = catchup(c, out); !s.is_ok()) {
        failure = s.message();
        return finish();
      }
  }
  if (latency_phase) {
    // A fresh input stream: the backlog must not be read by NOW-started runs.
    auto fresh = new_stream("live", o_.shards);
    if (!fresh) {
      failure = fresh.error().message();
      return finish();
    }
    input_ = *fresh;
    for (AnalyticsCase c : cases)
      if (Status s = latency(c, out); !s.is_ok()) {
        failure = s.message();
        return finish();
      }
  }
  return finish();
}

}  // namespace

int run_analytics_bench(const BenchOptions& o) {
  AnalyticsRun run(o);
  return run.run();
}

}  // namespace runnel::bench
