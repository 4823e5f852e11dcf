#include "bench/run.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/control_plane.h"
#include "bench/delivery_observer.h"
#include "bench/firehose_setup.h"
#include "bench/latency_stamp.h"
#include "bench/polling_consumer.h"
#include "bench/producer.h"
#include "bench/report.h"
#include "bench/subscribing_consumer.h"
#include "protocol/json_codec.h"

namespace runnel::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Set by SIGINT/SIGTERM: the run ends early but still drains, cleans up and
// reports. A second signal kills the process as usual.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int sig) {
  g_interrupted.store(true);
  std::signal(sig, SIG_DFL);
}

constexpr auto kSetupTimeout = std::chrono::seconds(60);
constexpr auto kConsumerReadyTimeout = std::chrono::seconds(15);

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void say(const std::string& line) { fmt::print(stderr, "{}\n", line); }

// The stream and consumer the run set up (Firehose: the bucket and the
// delivery stream), removed again on scope exit.
struct Setup {
  const BenchOptions& o;
  ControlPlane cp;
  FirehoseSetup firehose;
  RunInfo info;
  std::string stream_arn;
  bool consumer_registered = false;

  explicit Setup(const BenchOptions& options) : o(options), cp(options), firehose(options) {}
  ~Setup() {
    if (o.keep) return;
    if (o.service == Service::kFirehose) {
      // The stream first, so that no delivery still writes into the bucket.
      if (info.stream_created) {
        if (Status s = firehose.delete_delivery_stream(info.stream, kSetupTimeout); !s.is_ok()) {
          say("warning: " + s.message());
        }
      }
      if (info.bucket_created) {
        if (Status s = firehose.delete_bucket(info.bucket); !s.is_ok()) say("warning: " + s.message());
      }
      return;
    }
    if (consumer_registered) {
      if (Status s = cp.deregister_consumer(info.consumer_arn); !s.is_ok()) say("warning: " + s.message());
    }
    if (info.stream_created) {
      if (Status s = cp.delete_stream(info.stream); !s.is_ok()) say("warning: " + s.message());
    }
  }

  Status prepare() {
    if (o.service == Service::kFirehose) return prepare_firehose();
    info.stream = o.stream;
    if (info.stream.empty()) {
      info.stream = fmt::format("runnel-bench-{}-{}", getpid(), now_epoch_micros() / 1000);
      if (Status s = cp.create_stream(info.stream, o.shards); !s.is_ok()) return s;
      info.stream_created = true;
    }
    auto arn = cp.wait_active(info.stream, kSetupTimeout);
    if (!arn) return arn.error();
    stream_arn = *arn;
    return Status::ok();
  }

  // A bucket and a DirectPut delivery stream into it, both named
  // runnel-bench-<pid>-<millis> (a valid bucket name too).
  Status prepare_firehose() {
    info.stream = info.bucket = fmt::format("runnel-bench-{}-{}", getpid(), now_epoch_micros() / 1000);
    if (Status s = firehose.create_bucket(info.bucket); !s.is_ok()) return s;
    info.bucket_created = true;
    if (Status s = firehose.create_delivery_stream(info.stream, info.bucket); !s.is_ok()) return s;
    info.stream_created = true;
    return firehose.wait_active(info.stream, kSetupTimeout);
  }
};

void write_json(const BenchOptions& o, const protocol::Value& v) {
  std::string text = protocol::encode_json(v) + "\n";
  if (o.json_file.empty()) {
    fmt::print(stdout, "{}", text);
    std::fflush(stdout);
    return;
  }
  std::ofstream f(o.json_file, std::ios::trunc);
  f << text;
  if (!f) say("warning: could not write " + o.json_file);
}

}  // namespace

int run_bench(const BenchOptions& o) {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  RunStats stats;
  Setup setup(o);
  RunInfo& info = setup.info;
  auto finish = [&](std::string failure) {
    info.failure = std::move(failure);
    StatsSnapshot s = stats.snapshot();
    std::string text = summary_text(o, info, s);
    // The human summary goes where the JSON does not.
    if (o.json_file.empty()) {
      fmt::print(stderr, "{}", text);
    } else {
      fmt::print(stdout, "{}", text);
    }
    write_json(o, summary_json(o, info, s));
    return info.failure.empty() ? 0 : 1;
  };

  if (Status st = setup.prepare(); !st.is_ok()) return finish(st.message());
  const bool firehose = o.service == Service::kFirehose;
  std::vector<std::string> shards;
  if (!firehose) {
    auto open = setup.cp.open_shards(info.stream);
    if (!open) return finish(open.error().message());
    shards = std::move(*open);
    info.shards = static_cast<int>(shards.size());
  }

  std::unique_ptr<Consumer> consumer;
  if (firehose) {
    consumer = std::make_unique<DeliveryObserver>(o, info.bucket, stats);
  } else if (o.consume == ConsumeMode::kSubscribe) {
    auto arn = setup.cp.register_consumer(setup.stream_arn, o.consumer_name, kSetupTimeout);
    if (!arn) {
      std::string m = arn.error().message();
      if (m.find("UnknownOperation") != std::string::npos) {
        m += " (this endpoint does not implement enhanced fan-out, so SubscribeToShard cannot be measured; "
             "use --consume poll)";
      }
      return finish(m);
    }
    info.consumer_arn = *arn;
    setup.consumer_registered = true;
    consumer = std::make_unique<SubscribingConsumer>(o, *arn, shards, stats);
  } else if (o.consume == ConsumeMode::kPoll) {
    consumer = std::make_unique<PollingConsumer>(o, info.stream, shards, stats);
  }

  // A read-only run's receipts are timed from here: a consumer starting at
  // TRIM_HORIZON receives records while the run waits for it to be ready.
  const int64_t read_start_us = now_epoch_micros();
  std::jthread consumer_thread;
  if (consumer) {
    consumer_thread = std::jthread([&] { consumer->run(); });
    const auto deadline = Clock::now() + kConsumerReadyTimeout;
    while (!consumer->ready() && consumer->fatal().empty() && Clock::now() < deadline && !g_interrupted.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!consumer->fatal().empty() || !consumer->ready()) {
      consumer->stop();
      consumer_thread.join();
      std::string why = consumer->fatal();
      if (why.empty()) {
        why =
            fmt::format("the consumer could not start reading every shard within {} s", kConsumerReadyTimeout.count());
      }
      return finish(why);
    }
  }

  const Clock::time_point start = Clock::now();
  const int64_t start_us = now_epoch_micros();
  info.start_us = o.produce ? start_us : read_start_us;
  std::unique_ptr<Producer> producer;
  std::jthread producer_thread;
  if (o.produce) {
    producer = std::make_unique<Producer>(o, info.stream, stats);
    producer_thread = std::jthread([&] {
      producer->run();
      info.produce_s = seconds_since(start);
    });
  }

  // Progress, once a second, until --duration is over or something failed.
  StatsSnapshot prev = stats.snapshot();
  Clock::time_point last = start;
  const auto end = start + std::chrono::microseconds(static_cast<int64_t>(o.duration_s * 1e6));
  auto failed = [&] {
    return g_interrupted.load() || (producer && !producer->fatal().empty()) || (consumer && !consumer->fatal().empty());
  };
  for (int tick = 1; Clock::now() < end && !failed(); ++tick) {
    auto next = std::min(end, start + std::chrono::seconds(tick));
    while (Clock::now() < next && !failed()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const Clock::time_point now = Clock::now();
    StatsSnapshot cur = stats.snapshot();
    const double interval = std::chrono::duration<double>(now - last).count();
    if (!o.quiet && interval > 0.05) say(progress_line(o, seconds_since(start), interval, prev, cur));
    prev = std::move(cur);
    last = now;
  }
  if (g_interrupted.load()) say("interrupted: stopping early");
  if (producer) {
    producer->stop();
    producer_thread.join();
    stats.production_ended(start_us + static_cast<int64_t>(info.produce_s * 1e6));
  }
  // Let the consumer catch up with what was put.
  if (consumer && o.produce && consumer->fatal().empty()) {
    const auto drain_end = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(o.drain_s * 1e6));
    while (Clock::now() < drain_end && consumer->fatal().empty() && !g_interrupted.load()) {
      StatsSnapshot s = stats.snapshot();
      if (s.received_records >= s.put_records) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (consumer) {
    consumer->stop();
    consumer_thread.join();
  }
  info.elapsed_s = seconds_since(start);
  StatsSnapshot s = stats.snapshot();
  if (s.last_receive_us > start_us) info.consume_s = static_cast<double>(s.last_receive_us - start_us) / 1e6;
  if (!o.produce) info.consume_s = info.elapsed_s;

  std::string failure;
  if (producer && !producer->fatal().empty()) {
    failure = producer->fatal();
  } else if (consumer && !consumer->fatal().empty()) {
    failure = consumer->fatal();
  } else if (o.produce && s.put_records == 0) {
    failure = "no record was put";
  } else if (consumer && o.produce && s.received_records == 0) {
    failure = firehose ? "no record was seen in S3" : "no record was received";
  } else if (firehose && s.received_records < s.put_records) {
    failure = fmt::format("{} of the {} records acknowledged were not seen in S3 within --drain {} s",
                          s.put_records - s.received_records, s.put_records, o.drain_s);
  }
  return finish(failure);
}

}  // namespace runnel::bench
