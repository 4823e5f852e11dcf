// Enhanced fan-out through KinesisService, against a real log and metadata
// store in a temp directory: consumer registration, description, listing,
// deregistration and their errors; and SubscribeToShard end to end, with the
// event stream captured by a fake ResponseSink and decoded frame by frame.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "protocol/base64.h"
#include "protocol/cbor_codec.h"
#include "protocol/event_stream.h"
#include "protocol/event_stream_response.h"
#include "protocol/json_codec.h"
#include "streams/fake_sink_test_util.h"
#include "streams/kinesis_service.h"
#include "streams/model.h"
#include "streams/sequence_number.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Timestamp;
using protocol::Value;
using protocol::WireFormat;

const std::string kAccount = "000000000000";
const std::string kStreamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";

int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
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

std::vector<Value> all_records(const std::vector<Frame>& events) {
  std::vector<Value> out;
  for (const auto& e : events)
    if (const Value* rs = e.payload.find("Records"))
      for (const auto& r : rs->as_array()) out.push_back(r);
  return out;
}

std::vector<std::string> datas(const std::shared_ptr<FakeSink>& sink) {
  std::vector<std::string> out;
  for (const auto& r : all_records(sink->events())) out.push_back(record_data(r));
  return out;
}

std::vector<std::string> seqs(const std::shared_ptr<FakeSink>& sink) {
  std::vector<std::string> out;
  for (const auto& r : all_records(sink->events())) out.push_back(r.find("SequenceNumber")->as_string());
  return out;
}

Value obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v = Object{};
  for (const auto& [k, m] : members) v.set(k, m);
  return v;
}

Value position(const char* type) { return obj({{"Type", type}}); }
Value position(const char* type, const std::string& seq) { return obj({{"Type", type}, {"SequenceNumber", seq}}); }
Value at_timestamp(int64_t ms) { return obj({{"Type", "AT_TIMESTAMP"}, {"Timestamp", Timestamp{ms}}}); }

// Tests open() after setting options_ / use_fake_clock().
class ConsumerTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-consumers");
    fsync_ = storage::FsyncPolicy::kNever;
  }
  void configure(KinesisService& service) override {
    if (use_fake_clock_) service.now_ms = [this] { return fake_now_.load(); };
  }
  void use_fake_clock(int64_t start_ms) {
    use_fake_clock_ = true;
    fake_now_ = start_ms;
  }

  // SubscribeToShard as the dispatcher would run it. nullopt when the
  // subscription was admitted (the reply was not used), else the error.
  std::optional<protocol::ApiError> subscribe(const std::string& consumer_arn, const std::string& shard_id, Value start,
                                              const std::shared_ptr<FakeSink>& sink,
                                              WireFormat format = WireFormat::kJson) {
    const protocol::OperationModel* op = kinesis_model().find_operation("SubscribeToShard");
    EXPECT_NE(op, nullptr);
    protocol::RequestContext ctx{"us-east-1", kAccount, "req-sub", format,
                                 std::make_shared<protocol::EventStreamResponse>(sink, format, "req-sub")};
    auto result = std::make_shared<std::optional<protocol::ApiError>>();
    service_->handle(
        *op, obj({{"ConsumerARN", consumer_arn}, {"ShardId", shard_id}, {"StartingPosition", std::move(start)}}), ctx,
        [result](protocol::ApiResult<Value> r) {
          *result = r ? protocol::ApiError{"UnexpectedSuccessReply", "", 200} : r.error();
        });
    return *result;
  }

  void create_stream(const std::string& name, int shards = 1) {
    auto r = call("CreateStream", obj({{"StreamName", name}, {"ShardCount", shards}}));
    ASSERT_TRUE(r) << r.error().message;
  }
  // Registers and returns the consumer's ARN ("" on failure).
  std::string register_consumer(const std::string& name, const std::string& stream_arn = kStreamArn) {
    auto r = call("RegisterStreamConsumer", obj({{"StreamARN", stream_arn}, {"ConsumerName", name}}));
    EXPECT_TRUE(r) << r.error().type << ": " << r.error().message;
    return r ? r->find("Consumer")->find("ConsumerARN")->as_string() : "";
  }
  // Puts one record into stream "s"; returns its sequence number.
  std::string put(const std::string& data, const std::string& stream = "s") {
    auto r = call("PutRecord", obj({{"StreamName", stream}, {"PartitionKey", "pk"}, {"Data", Blob{data}}}));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->find("SequenceNumber")->as_string() : "";
  }
  static void expect_error(const protocol::ApiResult<Value>& r, const std::string& type) {
    ASSERT_FALSE(r) << "expected " << type;
    EXPECT_EQ(r.error().type, type) << r.error().message;
  }
  static std::optional<Frame> last_exception(const std::vector<Frame>& frames) {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
      if (it->message_type == "exception") return *it;
    return std::nullopt;
  }

  bool use_fake_clock_ = false;
  std::atomic<int64_t> fake_now_{0};
};

// ---------------------------------------------------------------------------
// Consumer CRUD

TEST_F(ConsumerTest, RegisterAnswersCreatingWithAwsArnThenDescribesActive) {
  use_fake_clock(1'700'000'000'123);
  open();
  create_stream("s");
  auto r = call("RegisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c1"}}));
  ASSERT_TRUE(r) << r.error().message;
  const Value& c = *r->find("Consumer");
  EXPECT_EQ(c.find("ConsumerName")->as_string(), "c1");
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1:1700000000";
  EXPECT_EQ(c.find("ConsumerARN")->as_string(), arn);
  EXPECT_EQ(c.find("ConsumerStatus")->as_string(), "CREATING");
  EXPECT_EQ(c.find("ConsumerCreationTimestamp")->as_timestamp().millis / 1000, 1'700'000'000);

  auto by_arn = call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}}));
  ASSERT_TRUE(by_arn) << by_arn.error().message;
  const Value& d = *by_arn->find("ConsumerDescription");
  EXPECT_EQ(d.find("ConsumerName")->as_string(), "c1");
  EXPECT_EQ(d.find("ConsumerARN")->as_string(), arn);
  EXPECT_EQ(d.find("ConsumerStatus")->as_string(), "ACTIVE");
  EXPECT_EQ(d.find("StreamARN")->as_string(), kStreamArn);
  EXPECT_EQ(d.find("ConsumerCreationTimestamp")->as_timestamp(), c.find("ConsumerCreationTimestamp")->as_timestamp());

  auto by_name = call("DescribeStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c1"}}));
  ASSERT_TRUE(by_name);
  EXPECT_EQ(*by_name, *by_arn);
  // All three given and consistent is fine too.
  EXPECT_TRUE(
      call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}, {"StreamARN", kStreamArn}, {"ConsumerName", "c1"}})));
}

TEST_F(ConsumerTest, RegisterErrors) {
  open();
  create_stream("s");
  register_consumer("c1");
  auto dup = call("RegisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c1"}}));
  expect_error(dup, "ResourceInUseException");
  auto missing =
      call("RegisterStreamConsumer",
           obj({{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/nope"}, {"ConsumerName", "c"}}));
  expect_error(missing, "ResourceNotFoundException");
  auto bad = call("RegisterStreamConsumer", obj({{"StreamARN", "not-an-arn"}, {"ConsumerName", "c"}}));
  expect_error(bad, "InvalidArgumentException");
  // The same name on another stream is another consumer.
  create_stream("t");
  EXPECT_EQ(register_consumer("c1", "arn:aws:kinesis:us-east-1:000000000000:stream/t").find("stream/t/consumer/c1:"),
            std::string("arn:aws:kinesis:us-east-1:000000000000:").size());
}

TEST_F(ConsumerTest, RegisterChecksTagsLikeTagResource) {
  open();
  create_stream("s");
  auto reserved =
      call("RegisterStreamConsumer",
           obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c1"}, {"Tags", obj({{"aws:owner", Value("x")}})}}));
  expect_error(reserved, "InvalidArgumentException");
  auto bad_chars =
      call("RegisterStreamConsumer",
           obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c1"}, {"Tags", obj({{"team", Value("a<b>")}})}}));
  expect_error(bad_chars, "InvalidArgumentException");
  // Neither attempt registered anything.
  auto ok =
      call("RegisterStreamConsumer",
           obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c1"}, {"Tags", obj({{"team", Value("payments")}})}}));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
}

TEST_F(ConsumerTest, TwentyFirstConsumerIsLimitExceeded) {
  open();
  create_stream("s");
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(register_consumer("c" + std::to_string(i)).empty());
  auto over = call("RegisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c20"}}));
  expect_error(over, "LimitExceededException");
  // Deregistering one makes room again.
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c3"}})));
  EXPECT_FALSE(register_consumer("c20").empty());
}

TEST_F(ConsumerTest, AtMostFiveConsumersCreatingAtOnce) {
  use_fake_clock(1'700'000'000'000);
  options_.consumer_create_ms = 1'000;
  open();
  create_stream("s");
  std::vector<std::string> arns;
  for (int i = 0; i < 5; ++i) arns.push_back(register_consumer("c" + std::to_string(i)));
  auto sixth = call("RegisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "c5"}}));
  expect_error(sixth, "LimitExceededException");
  auto creating = call("DescribeStreamConsumer", obj({{"ConsumerARN", arns[0]}}));
  ASSERT_TRUE(creating);
  EXPECT_EQ(creating->find("ConsumerDescription")->find("ConsumerStatus")->as_string(), "CREATING");
  // A consumer that is not ACTIVE yet cannot subscribe.
  auto sink = std::make_shared<FakeSink>();
  auto refused = subscribe(arns[0], "shardId-000000000000", position("LATEST"), sink);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, "ResourceInUseException");
  EXPECT_EQ(sink->begins(), 0);

  fake_now_ += 1'000;
  auto active = call("DescribeStreamConsumer", obj({{"ConsumerARN", arns[0]}}));
  ASSERT_TRUE(active);
  EXPECT_EQ(active->find("ConsumerDescription")->find("ConsumerStatus")->as_string(), "ACTIVE");
  EXPECT_FALSE(register_consumer("c5").empty());
}

TEST_F(ConsumerTest, DescribeErrors) {
  open();
  create_stream("s");
  create_stream("t");
  const std::string arn = register_consumer("c1");
  for (const std::string bad : {"not-an-arn", "arn:aws:kinesis:us-east-1:000000000000:stream/s",
                                "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1",
                                "arn:aws:kinesis:us-east-1:000000000000:table/s/consumer/c1:1"}) {
    SCOPED_TRACE(bad);
    expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", bad}})), "InvalidArgumentException");
    expect_error(call("DeregisterStreamConsumer", obj({{"ConsumerARN", bad}})), "InvalidArgumentException");
    auto sink = std::make_shared<FakeSink>();
    auto refused = subscribe(bad, "shardId-000000000000", position("LATEST"), sink);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->type, "InvalidArgumentException");
  }
  // Unknown consumers: another name, another incarnation (creation second),
  // another stream.
  expect_error(call("DescribeStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "zz"}})),
               "ResourceNotFoundException");
  const std::string secs = arn.substr(arn.rfind(':') + 1);
  const std::string other_secs = std::to_string(std::stoll(secs) - 1);
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", kStreamArn + "/consumer/c1:" + other_secs}})),
               "ResourceNotFoundException");
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", kStreamArn + "/consumer/zz:" + secs}})),
               "ResourceNotFoundException");
  expect_error(call("DescribeStreamConsumer",
                    obj({{"ConsumerARN", "arn:aws:kinesis:us-east-1:000000000000:stream/nope/consumer/c1:" + secs}})),
               "ResourceNotFoundException");
  // ARN plus a name or stream that contradict it.
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}, {"ConsumerName", "other"}})),
               "InvalidArgumentException");
  expect_error(call("DescribeStreamConsumer",
                    obj({{"ConsumerARN", arn}, {"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/t"}})),
               "InvalidArgumentException");
  // Neither an ARN nor stream + name.
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerName", "c1"}})), "InvalidArgumentException");
  expect_error(call("DescribeStreamConsumer", obj({{"StreamARN", kStreamArn}})), "InvalidArgumentException");
}

TEST_F(ConsumerTest, DeregisterByArnAndByName) {
  open();
  create_stream("s");
  const std::string a = register_consumer("a");
  register_consumer("b");
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"ConsumerARN", a}})));
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", a}})), "ResourceNotFoundException");
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "b"}})));
  expect_error(call("DescribeStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "b"}})),
               "ResourceNotFoundException");
  expect_error(call("DeregisterStreamConsumer", obj({{"ConsumerARN", a}})), "ResourceNotFoundException");
  auto list = call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}}));
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->find("Consumers")->as_array().empty());
}

TEST_F(ConsumerTest, DeregisteringConsumerIsDeletingUntilItsTimeIsUp) {
  use_fake_clock(1'700'000'000'000);
  options_.consumer_delete_ms = 10'000;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto live = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), live));
  ASSERT_TRUE(eventually([&] { return live->events().size() >= 1; }));
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"ConsumerARN", arn}})));
  auto d = call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->find("ConsumerDescription")->find("ConsumerStatus")->as_string(), "DELETING");
  // Its subscription ends at once, not when the deletion completes.
  ASSERT_TRUE(eventually([&] { return live->ends() == 1; }));
  EXPECT_EQ(live->frames().back().exception_type, "ResourceNotFoundException");
  fake_now_ += 6'000;  // past the takeover window
  auto sink = std::make_shared<FakeSink>();
  auto refused = subscribe(arn, "shardId-000000000000", position("LATEST"), sink);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, "ResourceInUseException");
  EXPECT_EQ(sink->begins(), 0);
  fake_now_ += 4'000;
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}})), "ResourceNotFoundException");
}

TEST_F(ConsumerTest, ListPagesByNameWithMaxResultsAndNextToken) {
  open();
  create_stream("s");
  create_stream("t");
  for (const char* n : {"e", "a", "d", "b", "c"}) register_consumer(n);

  auto all = call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}}));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->find("Consumers")->as_array().size(), 5u);
  EXPECT_EQ(all->find("NextToken"), nullptr);

  std::vector<std::string> names;
  std::vector<size_t> page_sizes;
  Value in = obj({{"StreamARN", kStreamArn}, {"MaxResults", 2}});
  for (int guard = 0; guard < 10; ++guard) {
    auto page = call("ListStreamConsumers", in);
    ASSERT_TRUE(page) << page.error().message;
    const Array& cs = page->find("Consumers")->as_array();
    page_sizes.push_back(cs.size());
    for (const auto& c : cs) {
      names.push_back(c.find("ConsumerName")->as_string());
      EXPECT_EQ(c.find("ConsumerARN")->as_string().rfind(kStreamArn + "/consumer/" + names.back() + ":", 0), 0u);
      EXPECT_EQ(c.find("ConsumerStatus")->as_string(), "ACTIVE");
      EXPECT_TRUE(c.find("ConsumerCreationTimestamp")->is_timestamp());
    }
    const Value* token = page->find("NextToken");
    if (!token) break;
    in = obj({{"StreamARN", kStreamArn}, {"MaxResults", 2}, {"NextToken", token->as_string()}});
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(page_sizes, (std::vector<size_t>{2, 2, 1}));

  // Exactly MaxResults left: no token pointing at an empty page.
  auto five = call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}, {"MaxResults", 5}}));
  ASSERT_TRUE(five);
  EXPECT_EQ(five->find("NextToken"), nullptr);

  auto first = call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}, {"MaxResults", 2}}));
  ASSERT_TRUE(first);
  const std::string token = first->find("NextToken")->as_string();
  expect_error(call("ListStreamConsumers",
                    obj({{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/t"}, {"NextToken", token}})),
               "InvalidArgumentException");
  expect_error(call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}, {"NextToken", "garbage"}})),
               "InvalidArgumentException");
  auto empty = call("ListStreamConsumers", obj({{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/t"}}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->find("Consumers")->as_array().empty());
  expect_error(call("ListStreamConsumers", obj({{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/x"}})),
               "ResourceNotFoundException");
  expect_error(
      call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}, {"StreamCreationTimestamp", Timestamp{1000}}})),
      "ResourceNotFoundException");
}

TEST_F(ConsumerTest, ConsumersSurviveRestart) {
  open();
  create_stream("s");
  const std::string a = register_consumer("a");
  const std::string b = register_consumer("b");
  close();
  open();
  auto d = call("DescribeStreamConsumer", obj({{"ConsumerARN", a}}));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->find("ConsumerDescription")->find("ConsumerStatus")->as_string(), "ACTIVE");
  auto list = call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}}));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->find("Consumers")->as_array().size(), 2u);
  EXPECT_EQ(list->find("Consumers")->as_array()[1].find("ConsumerARN")->as_string(), b);
  expect_error(call("RegisterStreamConsumer", obj({{"StreamARN", kStreamArn}, {"ConsumerName", "a"}})),
               "ResourceInUseException");
  // And can subscribe.
  put("x");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(a, "shardId-000000000000", position("TRIM_HORIZON"), sink));
  EXPECT_TRUE(eventually([&] { return datas(sink) == std::vector<std::string>{"x"}; }));
}

TEST_F(ConsumerTest, CreatingConsumerBecomesActiveAfterRestart) {
  // A consumer still CREATING when the server stops must turn ACTIVE once its
  // time is up after the restart, like one that never saw a restart.
  use_fake_clock(1'700'000'000'000);
  options_.consumer_create_ms = 1'000;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  close();
  open();
  fake_now_ += 5'000;
  auto d = call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}}));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->find("ConsumerDescription")->find("ConsumerStatus")->as_string(), "ACTIVE");
}

TEST_F(ConsumerTest, DeletingConsumerIsRemovedAfterRestart) {
  use_fake_clock(1'700'000'000'000);
  options_.consumer_delete_ms = 1'000;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"ConsumerARN", arn}})));
  close();
  open();
  fake_now_ += 5'000;
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}})), "ResourceNotFoundException");
}

TEST_F(ConsumerTest, DeleteStreamWithConsumersNeedsEnforceConsumerDeletion) {
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  expect_error(call("DeleteStream", obj({{"StreamName", "s"}})), "ResourceInUseException");
  expect_error(call("DeleteStream", obj({{"StreamName", "s"}, {"EnforceConsumerDeletion", false}})),
               "ResourceInUseException");
  ASSERT_TRUE(call("DescribeStreamSummary", obj({{"StreamName", "s"}})));
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "s"}, {"EnforceConsumerDeletion", true}})));
  expect_error(call("DescribeStreamConsumer", obj({{"ConsumerARN", arn}})), "ResourceNotFoundException");
  // A new stream of the same name starts without consumers.
  create_stream("s");
  auto list = call("ListStreamConsumers", obj({{"StreamARN", kStreamArn}}));
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->find("Consumers")->as_array().empty());
  // Without consumers no flag is needed.
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "s"}})));
}

// ---------------------------------------------------------------------------
// SubscribeToShard through the service

class ConsumerSubscribeTest : public ConsumerTest {};

TEST_F(ConsumerSubscribeTest, InitialResponseThenEvents) {
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
  ASSERT_TRUE(eventually([&] { return sink->events().size() >= 1; }));
  EXPECT_EQ(sink->status(), 200);
  EXPECT_EQ(sink->header("Content-Type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(sink->header("x-amzn-RequestId"), "req-sub");
  auto frames = sink->frames();
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[0].message_type, "event");
  EXPECT_EQ(frames[0].event_type, "initial-response");
  EXPECT_EQ(frames[0].content_type, "application/json");
  for (size_t i = 1; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].event_type, "SubscribeToShardEvent");
    EXPECT_EQ(frames[i].content_type, "application/json");
  }
  const Value& ev = frames[1].payload;
  EXPECT_TRUE(ev.find("Records")->as_array().empty());
  ASSERT_NE(ev.find("ContinuationSequenceNumber"), nullptr);
  EXPECT_TRUE(parse_sequence_number(ev.find("ContinuationSequenceNumber")->as_string()).has_value());
  EXPECT_EQ(ev.find("MillisBehindLatest")->as_int(), 0);
  EXPECT_EQ(sink->misuse(), 0);
}

TEST_F(ConsumerSubscribeTest, EveryStartingPositionDeliversExactlyOnceInOrder) {
  open();
  create_stream("s");
  std::map<std::string, std::string> arn;
  for (const char* n : {"trim", "at", "after", "ts", "latest"}) arn[n] = register_consumer(n);
  std::vector<std::string> s;
  s.push_back(put("r0"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int64_t between = system_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  s.push_back(put("r1"));
  s.push_back(put("r2"));

  std::map<std::string, std::shared_ptr<FakeSink>> sink;
  for (const auto& [n, _] : arn) sink[n] = std::make_shared<FakeSink>();
  const std::string shard = "shardId-000000000000";
  ASSERT_FALSE(subscribe(arn["trim"], shard, position("TRIM_HORIZON"), sink["trim"]));
  ASSERT_FALSE(subscribe(arn["at"], shard, position("AT_SEQUENCE_NUMBER", s[1]), sink["at"]));
  ASSERT_FALSE(subscribe(arn["after"], shard, position("AFTER_SEQUENCE_NUMBER", s[1]), sink["after"]));
  ASSERT_FALSE(subscribe(arn["ts"], shard, at_timestamp(between), sink["ts"]));
  ASSERT_FALSE(subscribe(arn["latest"], shard, position("LATEST"), sink["latest"]));
  // LATEST starts after r2 even before its first event was sent.
  s.push_back(put("r3"));
  s.push_back(put("r4"));

  const std::map<std::string, std::vector<std::string>> want = {{"trim", {"r0", "r1", "r2", "r3", "r4"}},
                                                                {"at", {"r1", "r2", "r3", "r4"}},
                                                                {"after", {"r2", "r3", "r4"}},
                                                                {"ts", {"r1", "r2", "r3", "r4"}},
                                                                {"latest", {"r3", "r4"}}};
  for (const auto& [n, w] : want) EXPECT_TRUE(eventually([&] { return datas(sink[n]).size() >= w.size(); })) << n;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // no duplicates trailing in
  for (const auto& [n, w] : want) {
    EXPECT_EQ(datas(sink[n]), w) << n;
    const auto got = seqs(sink[n]);
    const std::vector<std::string> tail(s.end() - static_cast<long>(w.size()), s.end());
    EXPECT_EQ(got, tail) << n;  // the same sequence numbers PutRecord answered
  }
}

TEST_F(ConsumerSubscribeTest, ResubscribingAfterTheContinuationHasNoGapOrDuplicate) {
  options_.fanout.takeover_ms = 100;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  const std::string shard = "shardId-000000000000";
  auto first = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, shard, position("TRIM_HORIZON"), first));
  std::vector<std::string> put_seqs;
  for (int i = 0; i < 5; ++i) put_seqs.push_back(put("a" + std::to_string(i)));
  ASSERT_TRUE(eventually([&] { return datas(first).size() == 5; }));
  auto events = first->events();
  std::string continuation;
  for (const auto& e : events)
    if (!e.payload.find("Records")->as_array().empty())
      continuation = e.payload.find("ContinuationSequenceNumber")->as_string();
  EXPECT_EQ(continuation, put_seqs.back());
  EXPECT_EQ(events.back().payload.find("ContinuationSequenceNumber")->as_string(), put_seqs.back());

  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past takeover_ms
  auto second = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, shard, position("AFTER_SEQUENCE_NUMBER", continuation), second));
  // The first one is taken over.
  ASSERT_TRUE(eventually([&] { return first->ends() == 1; }));
  auto ex = last_exception(first->frames());
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->exception_type, "ResourceInUseException");
  EXPECT_EQ(first->frames().back().message_type, "exception");

  for (int i = 0; i < 5; ++i) put("b" + std::to_string(i));
  ASSERT_TRUE(eventually([&] { return datas(second).size() >= 5; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(datas(second), (std::vector<std::string>{"b0", "b1", "b2", "b3", "b4"}));
  EXPECT_EQ(datas(first), (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4"}));
}

TEST_F(ConsumerSubscribeTest, ContinuationOfAnIdleSubscriptionResumesAtTheNextRecord) {
  options_.fanout.takeover_ms = 50;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  const std::string shard = "shardId-000000000000";
  // On an empty shard.
  auto first = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, shard, position("LATEST"), first));
  ASSERT_TRUE(eventually([&] { return first->events().size() >= 1; }));
  const std::string empty_cont = first->events()[0].payload.find("ContinuationSequenceNumber")->as_string();
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  auto second = std::make_shared<FakeSink>();
  auto err = subscribe(arn, shard, position("AFTER_SEQUENCE_NUMBER", empty_cont), second);
  ASSERT_FALSE(err) << err->type << ": " << err->message;
  put("x0");
  put("x1");
  ASSERT_TRUE(eventually([&] { return datas(second).size() >= 2; }));
  EXPECT_EQ(datas(second), (std::vector<std::string>{"x0", "x1"}));

  // LATEST on a shard with records, then resume from the idle continuation.
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  auto third = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, shard, position("LATEST"), third));
  ASSERT_TRUE(eventually([&] { return third->events().size() >= 1; }));
  const std::string idle_cont = third->events()[0].payload.find("ContinuationSequenceNumber")->as_string();
  EXPECT_TRUE(third->events()[0].payload.find("Records")->as_array().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  third->set_closed();  // the client went away
  put("y0");
  auto fourth = std::make_shared<FakeSink>();
  err = subscribe(arn, shard, position("AFTER_SEQUENCE_NUMBER", idle_cont), fourth);
  ASSERT_FALSE(err) << err->type << ": " << err->message;
  put("y1");
  ASSERT_TRUE(eventually([&] { return datas(fourth).size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(datas(fourth), (std::vector<std::string>{"y0", "y1"}));
}

TEST_F(ConsumerSubscribeTest, SecondSubscribeWithinTakeoverWindowIsRefused) {
  open();
  create_stream("s", 2);
  const std::string arn = register_consumer("c");
  auto first = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), first));
  auto second = std::make_shared<FakeSink>();
  auto refused = subscribe(arn, "shardId-000000000000", position("LATEST"), second);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->type, "ResourceInUseException");
  EXPECT_NE(refused->message.find("000000000000:s:shardId-000000000000:c"), std::string::npos) << refused->message;
  EXPECT_EQ(second->begins(), 0);
  // Another shard of the same consumer is fine.
  auto other = std::make_shared<FakeSink>();
  EXPECT_FALSE(subscribe(arn, "shardId-000000000001", position("LATEST"), other));
  ASSERT_TRUE(eventually([&] { return first->events().size() >= 1 && other->events().size() >= 1; }));
  EXPECT_EQ(first->ends(), 0);
}

TEST_F(ConsumerSubscribeTest, TakeoverAfterTheWindowOnAFakeClock) {
  use_fake_clock(system_ms());
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto first = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), first));
  ASSERT_TRUE(eventually([&] { return first->events().size() >= 1; }));
  fake_now_ += 4'999;
  auto early = std::make_shared<FakeSink>();
  ASSERT_TRUE(subscribe(arn, "shardId-000000000000", position("LATEST"), early));
  fake_now_ += 1;
  auto second = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), second));
  ASSERT_TRUE(eventually([&] { return first->ends() == 1; }));
  auto frames = first->frames();
  ASSERT_EQ(frames.back().message_type, "exception");
  EXPECT_EQ(frames.back().exception_type, "ResourceInUseException");
  ASSERT_TRUE(eventually([&] { return second->events().size() >= 1; }));
  EXPECT_EQ(second->ends(), 0);
}

TEST_F(ConsumerSubscribeTest, DeregisteringTheConsumerEndsWithResourceNotFound) {
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
  ASSERT_TRUE(eventually([&] { return sink->events().size() >= 1; }));
  ASSERT_TRUE(call("DeregisterStreamConsumer", obj({{"ConsumerARN", arn}})));
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  auto frames = sink->frames();
  EXPECT_EQ(frames.back().message_type, "exception");
  EXPECT_EQ(frames.back().exception_type, "ResourceNotFoundException");
  EXPECT_EQ(frames.back().content_type, "application/json");
  EXPECT_NE(frames.back().payload.find("message"), nullptr);
}

TEST_F(ConsumerSubscribeTest, DeletingTheStreamEndsWithResourceNotFound) {
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
  ASSERT_TRUE(eventually([&] { return sink->events().size() >= 1; }));
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "s"}, {"EnforceConsumerDeletion", true}})));
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  auto frames = sink->frames();
  EXPECT_EQ(frames.back().message_type, "exception");
  EXPECT_EQ(frames.back().exception_type, "ResourceNotFoundException");
}

TEST_F(ConsumerSubscribeTest, DeletingTheStreamSlowlyEndsWithResourceNotFound) {
  options_.delete_stream_ms = 60'000;  // the stream stays DELETING
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
  ASSERT_TRUE(eventually([&] { return sink->events().size() >= 1; }));
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "s"}, {"EnforceConsumerDeletion", true}})));
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  EXPECT_EQ(sink->frames().back().exception_type, "ResourceNotFoundException");
}

TEST_F(ConsumerSubscribeTest, IdleSubscriptionGetsHeartbeats) {
  options_.fanout.heartbeat_ms = 40;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
  ASSERT_TRUE(eventually([&] { return sink->events().size() >= 3; }));
  for (const auto& e : sink->events()) {
    EXPECT_TRUE(e.payload.find("Records")->as_array().empty());
    EXPECT_NE(e.payload.find("ContinuationSequenceNumber"), nullptr);
  }
  EXPECT_EQ(sink->ends(), 0);
}

TEST_F(ConsumerSubscribeTest, EndsCleanlyAfterMaxSubscription) {
  options_.fanout.max_subscription_ms = 300;
  options_.fanout.heartbeat_ms = 50;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
  put("during");
  ASSERT_TRUE(eventually([&] { return sink->ends() == 1; }));
  for (const auto& f : sink->frames()) EXPECT_EQ(f.message_type, "event") << f.exception_type;
  EXPECT_EQ(datas(sink), std::vector<std::string>{"during"});
}

TEST_F(ConsumerSubscribeTest, CborRequestsGetCborEvents) {
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  put("bin\x01\x02");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("TRIM_HORIZON"), sink, WireFormat::kCbor));
  ASSERT_TRUE(eventually([&] { return all_records(sink->events(WireFormat::kCbor)).size() == 1; }));
  auto frames = sink->frames(WireFormat::kCbor);
  EXPECT_EQ(frames[0].event_type, "initial-response");
  for (const auto& f : frames) EXPECT_EQ(f.content_type, "application/x-amz-cbor-1.1");
  auto records = all_records(sink->events(WireFormat::kCbor));
  ASSERT_TRUE(records[0].find("Data")->is_blob());
  EXPECT_EQ(records[0].find("Data")->as_blob().bytes, "bin\x01\x02");
  EXPECT_TRUE(records[0].find("ApproximateArrivalTimestamp")->is_timestamp());
  EXPECT_TRUE(sink->events(WireFormat::kCbor)[0].payload.find("MillisBehindLatest")->is_int());
}

TEST_F(ConsumerSubscribeTest, ShutdownEndsEveryStream) {
  open();
  create_stream("s", 2);
  const std::string arn = register_consumer("c");
  auto a = std::make_shared<FakeSink>();
  auto b = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), a));
  ASSERT_FALSE(subscribe(arn, "shardId-000000000001", position("LATEST"), b));
  ASSERT_TRUE(eventually([&] { return a->events().size() >= 1 && b->events().size() >= 1; }));
  service_->shutdown();
  EXPECT_EQ(a->ends(), 1);
  EXPECT_EQ(b->ends(), 1);
  EXPECT_FALSE(last_exception(a->frames()));
  EXPECT_FALSE(last_exception(b->frames()));
  // After shutdown a subscribe is refused through the reply.
  auto c = std::make_shared<FakeSink>();
  const std::string arn2 = register_consumer("d");
  auto refused = subscribe(arn2, "shardId-000000000000", position("LATEST"), c);
  EXPECT_TRUE(refused);
  EXPECT_EQ(c->begins(), 0);
}

TEST_F(ConsumerSubscribeTest, SubscribeErrorsAreRepliedBeforeAnythingIsSent) {
  open();
  create_stream("s", 2);
  const std::string arn = register_consumer("c");
  // A sequence number of the other shard of the stream.
  auto put_r = call("PutRecord", obj({{"StreamName", "s"}, {"PartitionKey", "pk"}, {"Data", Blob{"x"}}}));
  ASSERT_TRUE(put_r);
  const std::string seq_of_other = put_r->find("SequenceNumber")->as_string();
  const std::string other_shard =
      put_r->find("ShardId")->as_string() == "shardId-000000000000" ? "shardId-000000000001" : "shardId-000000000000";
  struct Case {
    std::string arn, shard;
    Value start;
    std::string type;
  };
  const std::vector<Case> cases = {
      {arn, "shardId-000000000005", position("LATEST"), "ResourceNotFoundException"},
      {arn, "bogus", position("LATEST"), "ResourceNotFoundException"},
      {kStreamArn + "/consumer/zz:1", "shardId-000000000000", position("LATEST"), "ResourceNotFoundException"},
      {"not-an-arn", "shardId-000000000000", position("LATEST"), "InvalidArgumentException"},
      {arn, "shardId-000000000000", position("AT_SEQUENCE_NUMBER", "123"), "InvalidArgumentException"},
      {arn, "shardId-000000000000", position("AT_SEQUENCE_NUMBER"), "InvalidArgumentException"},
      {arn, other_shard, position("AFTER_SEQUENCE_NUMBER", seq_of_other), "InvalidArgumentException"},
      {arn, "shardId-000000000000", at_timestamp(system_ms() + 3'600'000), "InvalidArgumentException"},
      {arn, "shardId-000000000000", position("AT_TIMESTAMP"), "InvalidArgumentException"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.arn + " " + c.shard + " " + protocol::encode_json(c.start));
    auto sink = std::make_shared<FakeSink>();
    auto err = subscribe(c.arn, c.shard, c.start, sink);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->type, c.type) << err->message;
    EXPECT_EQ(sink->begins(), 0);
  }
  // None of the failures started the takeover window.
  auto sink = std::make_shared<FakeSink>();
  EXPECT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), sink));
}

TEST_F(ConsumerSubscribeTest, SplitEndsTheParentSubscriptionWithChildShards) {
  options_.fanout.heartbeat_ms = 30'000;  // the end of the shard must not wait for a heartbeat
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  put("p0");
  put("p1");
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("TRIM_HORIZON"), sink));
  ASSERT_TRUE(eventually([&] { return datas(sink).size() == 2; }));
  auto split = call("SplitShard", obj({{"StreamName", "s"},
                                       {"ShardToSplit", "shardId-000000000000"},
                                       {"NewStartingHashKey", "170141183460469231731687303715884105728"}}));
  ASSERT_TRUE(split) << split.error().type << ": " << split.error().message;
  EXPECT_TRUE(eventually([&] { return sink->ends() == 1; })) << "SplitShard did not end the parent's subscription";
  auto events = sink->events();
  ASSERT_FALSE(events.empty());
  const Value& last = events.back().payload;
  EXPECT_EQ(last.find("ContinuationSequenceNumber"), nullptr);
  ASSERT_NE(last.find("ChildShards"), nullptr);
  const Array& children = last.find("ChildShards")->as_array();
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].find("ShardId")->as_string(), "shardId-000000000001");
  EXPECT_EQ(children[1].find("ShardId")->as_string(), "shardId-000000000002");
  EXPECT_EQ(children[0].find("ParentShards")->as_array().at(0).as_string(), "shardId-000000000000");
  EXPECT_EQ(datas(sink), (std::vector<std::string>{"p0", "p1"}));
  EXPECT_FALSE(last_exception(sink->frames()));
}

TEST_F(ConsumerSubscribeTest, SubscribingToAClosedShardGetsItsTailThenChildShards) {
  options_.fanout.heartbeat_ms = 30'000;
  open();
  create_stream("s");
  const std::string arn = register_consumer("c");
  const std::string arn2 = register_consumer("c2");
  put("p0");
  put("p1");
  auto split = call("SplitShard", obj({{"StreamName", "s"},
                                       {"ShardToSplit", "shardId-000000000000"},
                                       {"NewStartingHashKey", "170141183460469231731687303715884105728"}}));
  ASSERT_TRUE(split) << split.error().type << ": " << split.error().message;
  // LATEST on a closed shard: straight to the end.
  auto latest = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn2, "shardId-000000000000", position("LATEST"), latest));
  ASSERT_TRUE(eventually([&] { return latest->ends() == 1; }));
  ASSERT_FALSE(latest->events().empty());
  EXPECT_NE(latest->events().back().payload.find("ChildShards"), nullptr);
  EXPECT_TRUE(all_records(latest->events()).empty());
  // TRIM_HORIZON: the records, then the end, without waiting for a heartbeat.
  auto sink = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("TRIM_HORIZON"), sink));
  ASSERT_TRUE(eventually([&] { return datas(sink).size() == 2; }));
  EXPECT_TRUE(eventually([&] { return sink->ends() == 1; }))
      << "the ChildShards event waits for a heartbeat after the last records";
  EXPECT_EQ(datas(sink), (std::vector<std::string>{"p0", "p1"}));
  if (sink->ends() == 1) {
    EXPECT_NE(sink->events().back().payload.find("ChildShards"), nullptr);
    EXPECT_EQ(sink->events().back().payload.find("ContinuationSequenceNumber"), nullptr);
  }
}

TEST_F(ConsumerSubscribeTest, MergeEndsBothParentSubscriptionsWithTheChild) {
  options_.fanout.heartbeat_ms = 30'000;  // the end of the shard must not wait for a heartbeat
  open();
  create_stream("s", 2);
  const std::string arn = register_consumer("c");
  auto a = std::make_shared<FakeSink>();
  auto b = std::make_shared<FakeSink>();
  ASSERT_FALSE(subscribe(arn, "shardId-000000000000", position("LATEST"), a));
  ASSERT_FALSE(subscribe(arn, "shardId-000000000001", position("LATEST"), b));
  ASSERT_TRUE(eventually([&] { return a->events().size() >= 1 && b->events().size() >= 1; }));
  auto merged = call("MergeShards", obj({{"StreamName", "s"},
                                         {"ShardToMerge", "shardId-000000000000"},
                                         {"AdjacentShardToMerge", "shardId-000000000001"}}));
  ASSERT_TRUE(merged) << merged.error().type << ": " << merged.error().message;
  for (const auto& sink : {a, b}) {
    EXPECT_TRUE(eventually([&] { return sink->ends() == 1; })) << "MergeShards did not end a parent's subscription";
    auto events = sink->events();
    ASSERT_FALSE(events.empty());
    const Value* children = events.back().payload.find("ChildShards");
    ASSERT_NE(children, nullptr);
    ASSERT_EQ(children->as_array().size(), 1u);
    EXPECT_EQ(children->as_array()[0].find("ShardId")->as_string(), "shardId-000000000002");
    EXPECT_EQ(children->as_array()[0].find("ParentShards")->as_array().size(), 2u);
  }
}

}  // namespace
}  // namespace runnel::streams
