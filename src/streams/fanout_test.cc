// FanOut driven directly: a real log in a temp directory, a ShardLookup the
// test controls, a fake ResponseSink that records what net/ would have sent,
// and (where timing matters) a fake clock, so that heartbeats, the
// subscription cap, the token bucket and backpressure are checked logically
// rather than by wall-clock timing.

#include "streams/fanout.h"

#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <thread>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/event_stream.h"
#include "protocol/json_codec.h"
#include "streams/fake_sink_test_util.h"
#include "streams/sequence_number.h"

namespace runnel::streams {
namespace {

using protocol::Array;
using protocol::Object;
using protocol::Value;
using protocol::WireFormat;

constexpr storage::ShardKey kShard = 7;
constexpr storage::ShardKey kOtherShard = 8;
constexpr int64_t kShardCreatedSecs = 1'600'000'000;
constexpr int64_t kFakeStartMs = 1'700'000'000'000;
const std::string kConsumerArn = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1700000000";

int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `pred` until it holds or `timeout` passes; true when it held.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// CPU time of the whole test process (the delivery thread is its only busy one
// while the test thread sleeps).
int64_t process_cpu_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1'000;
}

using testing::FakeSink;
using testing::Frame;

std::string record_data(const Value& r) {
  const Value* d = r.find("Data");
  if (!d) return "<no Data>";
  if (d->is_blob()) return d->as_blob().bytes;
  if (d->is_string()) return protocol::base64_decode(d->as_string()).value_or("<bad base64>");
  return "<Data of another type>";
}

// Every record of every event, in arrival order.
std::vector<Value> all_records(const std::vector<Frame>& events) {
  std::vector<Value> out;
  for (const auto& e : events)
    if (const Value* rs = e.payload.find("Records"))
      for (const auto& r : rs->as_array()) out.push_back(r);
  return out;
}

uint64_t counter_of(const std::string& seq) {
  auto s = parse_sequence_number(seq);
  EXPECT_TRUE(s.has_value()) << seq;
  return s ? s->counter : 0;
}

class FanOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("runnel-fanout-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    storage::LogOptions opts;
    opts.dir = (dir_ / "log").string();
    opts.fsync = storage::FsyncPolicy::kNever;
    // Arrival times follow FanOut's clock, fake or real.
    opts.now_ms = [this] { return fake_clock_ ? clock_.load() : system_ms(); };
    auto log = storage::open_log(opts);
    ASSERT_TRUE(log.has_value()) << log.error().to_string();
    log_ = std::move(*log);
    set_view([](ShardView& v) { v.created_secs = kShardCreatedSecs; });
  }
  void TearDown() override {
    fanout_.reset();
    if (log_) {
      EXPECT_TRUE(log_->close());
    }
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start(FanOutOptions options, bool fake_clock) {
    fake_clock_ = fake_clock;
    clock_ = kFakeStartMs;
    fanout_ = std::make_unique<FanOut>(
        *log_, [this](const SubscriptionSpec& spec) { return lookup(spec); }, options,
        [this] { return fake_clock_ ? clock_.load() : system_ms(); });
  }
  // Moves the fake clock and makes FanOut look at every subscription.
  void advance(int64_t ms) {
    clock_ += ms;
    fanout_->wake();
  }

  protocol::ApiResult<ShardView> lookup(const SubscriptionSpec& spec) EXCLUDES(view_mu_) {
    MutexLock lock(view_mu_);
    ++lookups_;
    if (lookup_error_) return std::unexpected(*lookup_error_);
    ShardView v = view_;
    v.key = spec.shard_key;
    v.index = spec.shard_index;
    return v;
  }
  void set_view(const std::function<void(ShardView&)>& change) EXCLUDES(view_mu_) {
    MutexLock lock(view_mu_);
    change(view_);
  }
  void set_lookup_error(protocol::ApiError e) EXCLUDES(view_mu_) {
    MutexLock lock(view_mu_);
    lookup_error_ = std::move(e);
  }

  // Appends `n` records of `data_bytes` each (partition key "k<i>", data
  // "<prefix><i>" padded) to `shard`, waits until durable, notifies FanOut.
  // Returns the first counter.
  uint64_t append(storage::ShardKey shard, int n, const std::string& prefix, size_t data_bytes = 0) {
    storage::ShardAppend sa;
    sa.shard = shard;
    for (int i = 0; i < n; ++i) {
      std::string data = prefix + std::to_string(i);
      if (data.size() < data_bytes) data.resize(data_bytes, '.');
      sa.records.push_back({"k" + std::to_string(i % 10), std::move(data)});
    }
    std::promise<Result<std::vector<storage::Appended>>> done;
    log_->append({std::move(sa)}, [&](Result<std::vector<storage::Appended>> r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    EXPECT_TRUE(r.has_value());
    if (fanout_) fanout_->notify({shard});
    return r ? r->front().first_counter : 0;
  }

  SubscriptionSpec spec(const std::shared_ptr<FakeSink>& sink, uint64_t position, storage::ShardKey shard = kShard,
                        uint32_t index = 0, const std::string& consumer = kConsumerArn,
                        WireFormat format = WireFormat::kJson) {
    SubscriptionSpec s;
    s.consumer_arn = consumer;
    s.consumer_label = "000000000000:s:shardId-00000000000" + std::to_string(index) + ":c";
    s.stream_uid = 1;
    s.shard_index = index;
    s.shard_key = shard;
    s.shard_created_secs = kShardCreatedSecs;
    s.position = position;
    s.before_arrival_secs = kShardCreatedSecs;
    s.out = std::make_shared<protocol::EventStreamResponse>(sink, format, "req-1");
    return s;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<FanOut> fanout_;
  std::atomic<bool> fake_clock_{false};
  std::atomic<int64_t> clock_{kFakeStartMs};
  Mutex view_mu_;
  ShardView view_ GUARDED_BY(view_mu_);
  std::optional<protocol::ApiError> lookup_error_ GUARDED_BY(view_mu_);
  int lookups_ GUARDED_BY(view_mu_) = 0;
};

FanOutOptions quick_options() {
  FanOutOptions o;
  o.heartbeat_ms = 60'000;
  o.max_subscription_ms = 120'000;
  o.takeover_ms = 5'000;
  return o;
}

TEST_F(FanOutTest, InitialResponseThenAnEventRightAway) {
  start(quick_options(), /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  EXPECT_EQ(fanout_->live_subscriptions(), 1u);
  ASSERT_TRUE(eventually([&] { return sink->frames().size() >= 2; }));
  EXPECT_EQ(sink->status(), 200);
  EXPECT_EQ(sink->header("Content-Type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(sink->header("x-amzn-RequestId"), "req-1");
  auto frames = sink->frames();
  EXPECT_EQ(frames[0].message_type, "event");
  EXPECT_EQ(frames[0].event_type, "initial-response");
  EXPECT_EQ(frames[0].content_type, "application/json");
  EXPECT_TRUE(frames[0].payload.is_object());
  EXPECT_EQ(frames[1].event_type, "SubscribeToShardEvent");
  EXPECT_EQ(frames[1].content_type, "application/json");
  const Value& ev = frames[1].payload;
  ASSERT_NE(ev.find("Records"), nullptr);
  EXPECT_TRUE(ev.find("Records")->as_array().empty());
  ASSERT_NE(ev.find("ContinuationSequenceNumber"), nullptr);
  // Nothing delivered yet: resuming after the continuation starts at position 1.
  EXPECT_EQ(counter_of(ev.find("ContinuationSequenceNumber")->as_string()), 0u);
  EXPECT_EQ(ev.find("MillisBehindLatest")->as_int(), 0);
  EXPECT_EQ(ev.find("ChildShards"), nullptr);
  EXPECT_EQ(sink->begins(), 1);
  EXPECT_EQ(sink->ends(), 0);
  EXPECT_EQ(sink->misuse(), 0);
}

TEST_F(FanOutTest, DeliversEarlierAndLaterRecordsOnceInOrder) {
  start(quick_options(), /*fake_clock=*/false);
  append(kShard, 5, "before-");
  append(kOtherShard, 3, "other-");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  for (int b = 0; b < 4; ++b) append(kShard, 5, "after" + std::to_string(b) + "-");
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() >= 25; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // nothing extra may follow
  auto events = sink->events();
  auto records = all_records(events);
  ASSERT_EQ(records.size(), 25u);
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string seq = records[i].find("SequenceNumber")->as_string();
    EXPECT_EQ(counter_of(seq), i + 1) << "record " << i;
    auto parsed = parse_sequence_number(seq);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->shard_create_secs, kShardCreatedSecs);
    EXPECT_EQ(parsed->shard_index, 0u);
    const std::string want = i < 5 ? "before-" + std::to_string(i)
                                   : "after" + std::to_string((i - 5) / 5) + "-" + std::to_string((i - 5) % 5);
    EXPECT_EQ(record_data(records[i]), want);
    EXPECT_EQ(records[i].find("PartitionKey")->as_string(), "k" + std::to_string(i % 5));
    EXPECT_NE(records[i].find("ApproximateArrivalTimestamp"), nullptr);
    EXPECT_EQ(records[i].find("EncryptionType"), nullptr);
  }
  // Each event's continuation is the sequence number of its last record.
  for (const auto& e : events) {
    const Array& rs = e.payload.find("Records")->as_array();
    if (rs.empty()) continue;
    ASSERT_NE(e.payload.find("ContinuationSequenceNumber"), nullptr);
    EXPECT_EQ(e.payload.find("ContinuationSequenceNumber")->as_string(), rs.back().find("SequenceNumber")->as_string());
  }
  EXPECT_EQ(sink->misuse(), 0);
}

TEST_F(FanOutTest, MillisBehindLatestIsTheAgeOfTheLastRecordSentWhileBehind) {
  FanOutOptions o = quick_options();
  o.max_event_records = 3;
  start(o, /*fake_clock=*/true);
  append(kShard, 9, "m");  // all arrive at kFakeStartMs
  clock_ += 4'000;
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() == 9; }));
  std::vector<int64_t> behind;
  for (const auto& e : sink->events())
    if (!e.payload.find("Records")->as_array().empty())
      behind.push_back(e.payload.find("MillisBehindLatest")->as_int());
  EXPECT_EQ(behind, (std::vector<int64_t>{4'000, 4'000, 0}));
}

TEST_F(FanOutTest, DecryptsEncryptedRecordsAndMarksOnlyThose) {
  start(quick_options(), /*fake_clock=*/false);
  RecordCipher cipher((dir_ / "kms.key").string());
  set_view([&](ShardView& v) { v.cipher = &cipher; });
  append(kShard, 1, "plain");
  storage::ShardAppend sa{kShard, {{"pk", "secret"}}};
  ASSERT_TRUE(cipher.encrypt("alias/aws/kinesis", sa.records[0]));
  std::promise<Result<std::vector<storage::Appended>>> done;
  log_->append({std::move(sa)}, [&](Result<std::vector<storage::Appended>> r) { done.set_value(std::move(r)); });
  ASSERT_TRUE(done.get_future().get());
  fanout_->notify({kShard});
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() >= 2; }));
  auto records = all_records(sink->events());
  EXPECT_EQ(records[0].find("EncryptionType"), nullptr);
  EXPECT_EQ(record_data(records[0]), "plain0");
  ASSERT_NE(records[1].find("EncryptionType"), nullptr);
  EXPECT_EQ(records[1].find("EncryptionType")->as_string(), "KMS");
  EXPECT_EQ(records[1].find("PartitionKey")->as_string(), "pk");
  EXPECT_EQ(record_data(records[1]), "secret");
}

TEST_F(FanOutTest, SkipsRecordsBeforeTheRetentionHorizon) {
  start(quick_options(), /*fake_clock=*/false);
  append(kShard, 3, "old-");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int64_t horizon = system_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  append(kShard, 2, "new-");
  set_view([&](ShardView& v) { v.horizon_ms = horizon; });
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() >= 2; }));
  auto records = all_records(sink->events());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(record_data(records[0]), "new-0");
  EXPECT_EQ(counter_of(records[0].find("SequenceNumber")->as_string()), 4u);
}

TEST_F(FanOutTest, HeartbeatOnlyWhenIdleForHeartbeatMs) {
  FanOutOptions o = quick_options();
  o.heartbeat_ms = 1'000;
  start(o, /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  // The clock stands still: no heartbeat, however long we wait in real time.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sink->events().size(), 1u);
  advance(999);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(sink->events().size(), 1u) << "heartbeat before heartbeat_ms";
  advance(1);
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 2; }));
  advance(1'000);
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 3; }));
  auto events = sink->events();
  const std::string first = events[0].payload.find("ContinuationSequenceNumber")->as_string();
  for (const auto& e : events) {
    EXPECT_TRUE(e.payload.find("Records")->as_array().empty());
    EXPECT_EQ(e.payload.find("ContinuationSequenceNumber")->as_string(), first);
  }
  EXPECT_EQ(sink->ends(), 0);
}

TEST_F(FanOutTest, HeartbeatsArriveOnARealClock) {
  FanOutOptions o = quick_options();
  o.heartbeat_ms = 30;
  start(o, /*fake_clock=*/false);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  EXPECT_TRUE(eventually([&] { return sink->events().size() >= 4; }));
  EXPECT_EQ(sink->ends(), 0);
}

TEST_F(FanOutTest, EndsCleanlyAtMaxSubscription) {
  FanOutOptions o = quick_options();
  o.max_subscription_ms = 10'000;
  o.heartbeat_ms = 3'000;
  start(o, /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  advance(9'999);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(sink->ends(), 0);
  EXPECT_EQ(fanout_->live_subscriptions(), 1u);
  advance(1);
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  for (const auto& f : sink->frames()) EXPECT_EQ(f.message_type, "event") << f.exception_type;
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
  EXPECT_EQ(sink->misuse(), 0);
}

TEST_F(FanOutTest, EndsAtMaxSubscriptionOnARealClock) {
  FanOutOptions o = quick_options();
  o.max_subscription_ms = 200;
  o.heartbeat_ms = 50;
  start(o, /*fake_clock=*/false);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  for (const auto& f : sink->frames()) EXPECT_EQ(f.message_type, "event");
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
}

TEST_F(FanOutTest, SecondSubscribeWithinTakeoverWindowIsRefused) {
  start(quick_options(), /*fake_clock=*/true);
  auto first = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(first, 1)));
  clock_ += 4'999;
  auto second = std::make_shared<FakeSink>();
  auto refused = fanout_->subscribe(spec(second, 1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type, "ResourceInUseException");
  EXPECT_EQ(refused.error().message,
            "Another active subscription exists for this consumer: 000000000000:s:shardId-000000000000:c");
  // A refused subscribe never touches its sink and does not restart the window.
  EXPECT_EQ(second->begins(), 0);
  EXPECT_EQ(fanout_->live_subscriptions(), 1u);
  // Other shards and other consumers are separate slots.
  auto other_shard = std::make_shared<FakeSink>();
  EXPECT_TRUE(fanout_->subscribe(spec(other_shard, 1, kOtherShard, 1)));
  auto other_consumer = std::make_shared<FakeSink>();
  EXPECT_TRUE(fanout_->subscribe(spec(other_consumer, 1, kShard, 0, kConsumerArn + "x")));
  EXPECT_EQ(fanout_->live_subscriptions(), 3u);
  ASSERT_TRUE(eventually([&] { return first->events().size() == 1; }));
  EXPECT_EQ(first->ends(), 0);
}

TEST_F(FanOutTest, SubscribeAfterTakeoverWindowEndsTheOldOne) {
  start(quick_options(), /*fake_clock=*/true);
  append(kShard, 3, "r");
  auto first = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(first, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(first->events()).size() == 3; }));
  clock_ += 5'000;
  auto second = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(second, 4)));
  ASSERT_TRUE(eventually([&] { return first->ends() == 1; }));
  auto frames = first->frames();
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().message_type, "exception");
  EXPECT_EQ(frames.back().exception_type, "ResourceInUseException");
  EXPECT_EQ(frames.back().content_type, "application/json");
  ASSERT_NE(frames.back().payload.find("message"), nullptr);
  EXPECT_NE(frames.back().payload.find("message")->as_string().find("000000000000:s:shardId-000000000000:c"),
            std::string::npos);
  ASSERT_TRUE(eventually([&] { return second->events().size() >= 1; }));
  EXPECT_EQ(second->ends(), 0);
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 1; }));
  // The new subscription gets what comes next; the old one nothing more.
  append(kShard, 2, "n");
  ASSERT_TRUE(eventually([&] { return all_records(second->events()).size() == 2; }));
  EXPECT_EQ(all_records(first->events()).size(), 3u);
  EXPECT_EQ(first->misuse(), 0);
  EXPECT_EQ(second->misuse(), 0);
}

TEST_F(FanOutTest, LookupErrorEndsWithThatExceptionFrame) {
  start(quick_options(), /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  set_lookup_error(protocol::resource_not_found("Consumer gone."));
  fanout_->wake();
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  auto frames = sink->frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].message_type, "exception");
  EXPECT_EQ(frames[2].exception_type, "ResourceNotFoundException");
  ASSERT_NE(frames[2].payload.find("message"), nullptr);
  EXPECT_EQ(frames[2].payload.find("message")->as_string(), "Consumer gone.");
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
}

TEST_F(FanOutTest, BackpressureStopsDeliveryUntilTheBacklogDrains) {
  FanOutOptions o = quick_options();
  o.max_unsent_bytes = 1'000;
  start(o, /*fake_clock=*/false);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  sink->set_unsent(1'001);
  const size_t chunks = sink->chunk_count();
  append(kShard, 20, "slow-", 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sink->chunk_count(), chunks) << "wrote while the sink reported a backlog";
  sink->set_unsent(1'000);  // at the threshold: may send again
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() == 20; }));
  auto records = all_records(sink->events());
  for (size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(counter_of(records[i].find("SequenceNumber")->as_string()), i + 1);
}

TEST_F(FanOutTest, BackpressureHoldsWhileTheClockMoves) {
  FanOutOptions o = quick_options();
  o.max_unsent_bytes = 1'000;
  o.heartbeat_ms = 1'000;
  start(o, /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  sink->set_unsent(5'000);
  const size_t chunks = sink->chunk_count();
  append(kShard, 5, "r");
  for (int i = 0; i < 5; ++i) {
    advance(500);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(sink->chunk_count(), chunks);
  sink->set_unsent(0);
  advance(1);
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() == 5; }));
}

TEST_F(FanOutTest, TokenBucketBoundsBytesByTheClock) {
  constexpr uint64_t kRate = 64 << 10;
  constexpr size_t kRecordData = 1'000;
  constexpr size_t kRecordBytes = kRecordData + 2;  // data + "k<i>"
  constexpr int kRecords = 262;                     // ~256 KiB
  FanOutOptions o = quick_options();
  o.rate_bytes_per_sec = kRate;
  start(o, /*fake_clock=*/true);
  append(kShard, kRecords, "rate-", kRecordData);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));

  auto delivered_bytes = [&] {
    uint64_t n = 0;
    for (const auto& r : all_records(sink->events()))
      n += record_data(r).size() + r.find("PartitionKey")->as_string().size();
    return n;
  };
  auto settle = [&] {
    // Delivery on a frozen clock stops once the bucket is empty. (Stopping
    // early only makes the upper bounds below easier to meet.)
    size_t last = SIZE_MAX;
    while (sink->chunk_count() != last) {
      last = sink->chunk_count();
      std::this_thread::sleep_for(std::chrono::milliseconds(80));
    }
  };
  // A full bucket to start with: one second's worth, plus the one record a
  // read always returns.
  ASSERT_TRUE(eventually([&] { return delivered_bytes() >= kRate - kRecordBytes; }));
  settle();
  uint64_t got = delivered_bytes();
  EXPECT_LE(got, kRate + kRecordBytes);
  EXPECT_GE(got, kRate - kRecordBytes);
  uint64_t elapsed_ms = 0;
  for (int step = 0; step < 5; ++step) {
    advance(500);
    elapsed_ms += 500;
    settle();
    got = delivered_bytes();
    EXPECT_LE(got, kRate + kRate * elapsed_ms / 1000 + kRecordBytes) << "after " << elapsed_ms << " ms";
  }
  EXPECT_LT(all_records(sink->events()).size(), static_cast<size_t>(kRecords))
      << "256 KiB at 64 KiB/s must take more than 2.5 s of the clock";
  // A long pause does not bank more than one bucket.
  const uint64_t before_pause = delivered_bytes();
  advance(60'000);
  settle();
  EXPECT_LE(delivered_bytes() - before_pause, kRate + kRecordBytes);
  for (int step = 0; step < 4; ++step) {
    advance(1'000);
    settle();
  }
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() >= static_cast<size_t>(kRecords); }));
  auto records = all_records(sink->events());
  ASSERT_EQ(records.size(), static_cast<size_t>(kRecords));
  for (size_t i = 0; i < records.size(); ++i)
    ASSERT_EQ(counter_of(records[i].find("SequenceNumber")->as_string()), i + 1);
  // No single event carries more than a bucket.
  for (const auto& e : sink->events()) {
    uint64_t n = 0;
    for (const auto& r : e.payload.find("Records")->as_array())
      n += record_data(r).size() + r.find("PartitionKey")->as_string().size();
    EXPECT_LE(n, kRate + kRecordBytes);
  }
}

TEST_F(FanOutTest, EventSizeIsBoundedByMaxEventBytesAndRecords) {
  FanOutOptions o = quick_options();
  o.max_event_bytes = 4'096;
  o.max_event_records = 7;
  start(o, /*fake_clock=*/false);
  append(kShard, 30, "big-", 1'000);
  append(kShard, 30, "s");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() == 60; }));
  for (const auto& e : sink->events()) {
    const Array& rs = e.payload.find("Records")->as_array();
    EXPECT_LE(rs.size(), 7u);
    uint64_t n = 0;
    for (const auto& r : rs) n += record_data(r).size() + r.find("PartitionKey")->as_string().size();
    EXPECT_LE(n, 4'096u + 1'002u);
  }
}

TEST_F(FanOutTest, ClosedSinkIsDropped) {
  FanOutOptions o = quick_options();
  o.heartbeat_ms = 40;
  start(o, /*fake_clock=*/false);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() >= 1; }));
  sink->set_closed();
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
  append(kShard, 3, "late");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(all_records(sink->events()).size(), 0u);
}

TEST_F(FanOutTest, SinkClosedBeforeFirstPassIsDropped) {
  start(quick_options(), /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  sink->set_closed();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
}

TEST_F(FanOutTest, ClosedSinkIsDroppedOnAPut) {
  // A closed sink found on a notify() pass (no heartbeat due, clock frozen).
  start(quick_options(), /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  sink->set_closed();
  append(kShard, 1, "x");
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
}

TEST_F(FanOutTest, StopEndsEveryStreamAndRefusesNewOnes) {
  start(quick_options(), /*fake_clock=*/true);
  auto a = std::make_shared<FakeSink>();
  auto b = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(a, 1, kShard, 0)));
  ASSERT_TRUE(fanout_->subscribe(spec(b, 1, kOtherShard, 1)));
  ASSERT_TRUE(eventually([&] { return a->events().size() == 1 && b->events().size() == 1; }));
  fanout_->stop();
  EXPECT_EQ(a->ends(), 1);
  EXPECT_EQ(b->ends(), 1);
  for (const auto& f : a->frames()) EXPECT_EQ(f.message_type, "event");
  for (const auto& f : b->frames()) EXPECT_EQ(f.message_type, "event");
  EXPECT_EQ(fanout_->live_subscriptions(), 0u);
  auto c = std::make_shared<FakeSink>();
  auto refused = fanout_->subscribe(spec(c, 1, kShard, 2, kConsumerArn + "-other"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type, "InternalFailureException");
  EXPECT_EQ(c->begins(), 0);
  fanout_->stop();  // idempotent
  EXPECT_EQ(a->misuse() + b->misuse(), 0);
}

TEST_F(FanOutTest, StopEndsASubscriptionNotServedYet) {
  start(quick_options(), /*fake_clock=*/true);
  auto a = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(a, 1)));
  fanout_->stop();
  EXPECT_EQ(a->ends(), 1);
  EXPECT_EQ(a->misuse(), 0);
  EXPECT_EQ(fanout_->live_subscriptions(), 0u);
}

TEST_F(FanOutTest, NotifyWithoutSubscribersAndStopWithoutThreadAreHarmless) {
  start(quick_options(), /*fake_clock=*/true);
  fanout_->notify({kShard});
  fanout_->wake();
  fanout_->stop();
  EXPECT_EQ(fanout_->live_subscriptions(), 0u);
}

Value two_children() {
  Value child = Object{};
  child.set("ShardId", "shardId-000000000001");
  child.set("ParentShards", Array{Value("shardId-000000000000")});
  Value range = Object{};
  range.set("StartingHashKey", "0");
  range.set("EndingHashKey", "1");
  child.set("HashKeyRange", range);
  Value other = child;
  other.set("ShardId", "shardId-000000000002");
  return Array{child, other};
}

TEST_F(FanOutTest, ShardEndSendsChildShardsThenEnds) {
  start(quick_options(), /*fake_clock=*/true);
  append(kShard, 3, "p");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() == 3; }));
  set_view([](ShardView& v) {
    v.open = false;
    v.ending_counter = 3;
    v.child_shards = two_children();
  });
  fanout_->wake();
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  auto events = sink->events();
  const Value& last = events.back().payload;
  EXPECT_EQ(last.find("ContinuationSequenceNumber"), nullptr);
  ASSERT_NE(last.find("ChildShards"), nullptr);
  EXPECT_EQ(last.find("ChildShards")->as_array().size(), 2u);
  EXPECT_EQ(last.find("ChildShards")->as_array()[0].find("ShardId")->as_string(), "shardId-000000000001");
  EXPECT_TRUE(last.find("Records")->as_array().empty());
  EXPECT_EQ(all_records(events).size(), 3u);
  // Only the final event names children.
  for (size_t i = 0; i + 1 < events.size(); ++i) EXPECT_EQ(events[i].payload.find("ChildShards"), nullptr);
  for (const auto& f : sink->frames()) EXPECT_EQ(f.message_type, "event");
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
}

TEST_F(FanOutTest, ClosedShardDeliversItsTailThenChildShardsWithoutWaitingForAHeartbeat) {
  // The subscriber is behind on a shard that is already closed: it must get
  // the remaining records and then, promptly, the end of the shard. The clock
  // stands still, so a heartbeat can never be what sends the final event.
  start(quick_options(), /*fake_clock=*/true);
  append(kShard, 5, "p");
  append(kShard, 2, "after-end");  // past ending_counter: never delivered
  set_view([](ShardView& v) {
    v.open = false;
    v.ending_counter = 5;
    v.child_shards = two_children();
  });
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events()).size() >= 5; }));
  EXPECT_TRUE(eventually([&] { return sink->ends() == 1; }))
      << "the ChildShards event waits for a heartbeat after the last records were sent";
  auto events = sink->events();
  auto records = all_records(events);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(record_data(records.back()), "p4");
  if (sink->ends() == 1) {
    EXPECT_NE(events.back().payload.find("ChildShards"), nullptr);
    EXPECT_EQ(events.back().payload.find("ContinuationSequenceNumber"), nullptr);
  }
}

TEST_F(FanOutTest, CborSubscriptionsGetCborFrames) {
  start(quick_options(), /*fake_clock=*/false);
  append(kShard, 2, "c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1, kShard, 0, kConsumerArn, WireFormat::kCbor)));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events(WireFormat::kCbor)).size() == 2; }));
  auto frames = sink->frames(WireFormat::kCbor);
  for (const auto& f : frames) EXPECT_EQ(f.content_type, "application/x-amz-cbor-1.1");
  auto records = all_records(sink->events(WireFormat::kCbor));
  EXPECT_TRUE(records[0].find("Data")->is_blob());
  EXPECT_EQ(record_data(records[0]), "c0");
  EXPECT_TRUE(records[0].find("ApproximateArrivalTimestamp")->is_timestamp());
}

TEST_F(FanOutTest, ManySubscribersOnOneShardEachGetEverything) {
  start(quick_options(), /*fake_clock=*/false);
  std::vector<std::shared_ptr<FakeSink>> sinks;
  for (int i = 0; i < 8; ++i) {
    sinks.push_back(std::make_shared<FakeSink>());
    ASSERT_TRUE(fanout_->subscribe(spec(sinks.back(), 1, kShard, 0, kConsumerArn + std::to_string(i))));
  }
  std::vector<std::thread> producers;
  for (int t = 0; t < 3; ++t)
    producers.emplace_back([&, t] {
      for (int b = 0; b < 10; ++b) append(kShard, 4, "t" + std::to_string(t) + "b" + std::to_string(b) + "-");
    });
  for (auto& p : producers) p.join();
  for (const auto& s : sinks) {
    ASSERT_TRUE(eventually([&] { return all_records(s->events()).size() >= 120; }));
    auto records = all_records(s->events());
    ASSERT_EQ(records.size(), 120u);
    for (size_t i = 0; i < records.size(); ++i)
      ASSERT_EQ(counter_of(records[i].find("SequenceNumber")->as_string()), i + 1);
  }
  EXPECT_EQ(fanout_->live_subscriptions(), 8u);
}

// A subscriber that stopped reading once held the delivery thread in a busy
// loop: re-checked every 5 ms, and with no wait at all once its heartbeat came
// due (100% of a core, a registry lookup per turn). Now it costs a back-off.
TEST_F(FanOutTest, StalledSubscriberIsNotPolledAndAHealthyOneOnItsShardGetsEverything) {
  FanOutOptions o = quick_options();
  o.heartbeat_ms = 20;  // comes due during the stall: the old busy loop
  o.max_unsent_bytes = 1'000;
  start(o, /*fake_clock=*/false);
  auto stalled = std::make_shared<FakeSink>();
  auto healthy = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(stalled, 1)));
  ASSERT_TRUE(fanout_->subscribe(spec(healthy, 1, kShard, 0, kConsumerArn + "-healthy")));
  ASSERT_TRUE(eventually([&] { return !stalled->events().empty() && !healthy->events().empty(); }));
  stalled->set_unsent(1u << 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const size_t stalled_events = stalled->events().size();

  const uint64_t reads = stalled->unsent_reads();
  const int64_t cpu = process_cpu_us();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int64_t cpu_used_us = process_cpu_us() - cpu;
  const uint64_t polls = stalled->unsent_reads() - reads;
  // A back-off doubling to 250 ms looks about 3 times in 300 ms; 5 ms polling
  // would look 60 times, the old busy loop millions of times.
  EXPECT_LE(polls, 20u) << "the stalled subscription was polled " << polls << " times in 300 ms";
  EXPECT_LT(cpu_used_us, 60'000) << "the process used " << cpu_used_us << " us of CPU in 300 ms with one "
                                 << "stalled and one idle subscriber";

  // The healthy subscriber on the same shard is unaffected: every put reaches it.
  for (int i = 0; i < 5; ++i) append(kShard, 3, "b" + std::to_string(i) + "-");
  ASSERT_TRUE(eventually([&] { return all_records(healthy->events()).size() == 15; }));
  EXPECT_EQ(stalled->events().size(), stalled_events) << "the stalled subscriber got events past its backlog cap";
  EXPECT_EQ(fanout_->live_subscriptions(), 2u);
}

// A reader that never drains holds at most its cap plus one small event,
// not the cap plus a whole 1 MiB event (1.4 MB in JSON) as before.
TEST_F(FanOutTest, StalledSubscriberBacklogStaysNearItsCap) {
  constexpr uint64_t kCap = 256 << 10;
  FanOutOptions o = quick_options();
  o.max_unsent_bytes = kCap;
  o.min_event_bytes = 16 << 10;
  start(o, /*fake_clock=*/false);
  append(kShard, 200, "big-", 10'000);  // 2 MB, more than the reader will ever take
  auto sink = std::make_shared<FakeSink>();
  sink->stop_draining();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->unsent() > kCap; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LE(sink->unsent(), kCap + (kCap >> 4)) << "held for one stalled reader";
  EXPECT_LE(fanout_->queued_bytes(), sink->unsent());
  EXPECT_GT(fanout_->queued_bytes(), kCap);
}

// Past the server-wide cap, readers that took nothing since their last event
// get no more, whatever their own cap; a reader that drains still gets all.
TEST_F(FanOutTest, StalledSubscribersStopBeingFedPastTheTotalCap) {
  constexpr uint64_t kCap = 256 << 10;
  constexpr uint64_t kTotal = 300 << 10;
  FanOutOptions o = quick_options();
  o.max_unsent_bytes = kCap;
  o.max_unsent_total_bytes = kTotal;
  o.min_event_bytes = 16 << 10;
  start(o, /*fake_clock=*/false);
  append(kShard, 200, "big-", 10'000);
  std::vector<std::shared_ptr<FakeSink>> stalled;
  for (int i = 0; i < 6; ++i) {
    stalled.push_back(std::make_shared<FakeSink>());
    stalled.back()->stop_draining();
    ASSERT_TRUE(fanout_->subscribe(spec(stalled.back(), 1, kShard, 0, kConsumerArn + std::to_string(i))));
  }
  auto total = [&] {
    uint64_t sum = 0;
    for (const auto& s : stalled) sum += s->unsent();
    return sum;
  };
  ASSERT_TRUE(eventually([&] { return total() > kTotal; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LE(total(), kTotal + kCap + (kCap >> 4)) << "held for 6 stalled readers past the total cap";

  auto healthy = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(healthy, 1, kShard, 0, kConsumerArn + "-healthy")));
  ASSERT_TRUE(eventually([&] { return all_records(healthy->events()).size() == 200; }));
}

TEST_F(FanOutTest, SubscriptionWhoseBacklogDoesNotShrinkForStallTimeoutEnds) {
  FanOutOptions o = quick_options();
  o.stall_timeout_ms = 10'000;
  start(o, /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  sink->stop_draining();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  advance(9'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink->ends(), 0);
  advance(1'500);
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  EXPECT_TRUE(eventually([&] { return fanout_->live_subscriptions() == 0; }));
  EXPECT_EQ(fanout_->queued_bytes(), 0u);
  auto frames = sink->frames();
  EXPECT_EQ(frames.back().message_type, "event") << "a clean end, no exception frame";
}

TEST_F(FanOutTest, ADrainingBacklogIsNotAStall) {
  FanOutOptions o = quick_options();
  o.stall_timeout_ms = 10'000;
  start(o, /*fake_clock=*/true);
  auto sink = std::make_shared<FakeSink>();
  ASSERT_TRUE(fanout_->subscribe(spec(sink, 1)));
  ASSERT_TRUE(eventually([&] { return sink->events().size() == 1; }));
  for (uint64_t left = 5'000; left > 0; left -= 1'000) {
    sink->set_unsent(left);  // a slow reader: less each time
    advance(6'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(sink->ends(), 0);
  EXPECT_EQ(fanout_->live_subscriptions(), 1u);
}

}  // namespace
}  // namespace runnel::streams
