#include "bench/subscription_reader.h"

#include <gtest/gtest.h>

#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "protocol/base64.h"
#include "protocol/event_stream.h"

namespace runnel::bench {
namespace {

namespace es = protocol::eventstream;
using protocol::Array;
using protocol::Blob;
using protocol::Object;
using protocol::Value;

std::string Stamped(int64_t t) {
  std::string d(30, 'z');
  write_stamp(d, t);
  return d;
}

// A SubscribeToShardEvent frame in `e`, with records of the given Data.
std::string EventFrame(Encoding e, const std::vector<std::string>& data, std::string_view continuation,
                       bool child_shards = false) {
  Array records;
  int seq = 0;
  for (const auto& d : data) {
    records.emplace_back(Object{{"SequenceNumber", std::to_string(++seq)},
                                {"ApproximateArrivalTimestamp", protocol::Timestamp{1700000000000}},
                                {"Data", Blob{d}},
                                {"PartitionKey", "k"}});
  }
  Value v = Object{{"Records", std::move(records)}, {"MillisBehindLatest", 0}};
  if (!continuation.empty()) v.set("ContinuationSequenceNumber", continuation);
  if (child_shards) v.set("ChildShards", Array{Object{{"ShardId", "shardId-000000000004"}}});
  const char* ct = e == Encoding::kJson ? "application/json" : "application/x-amz-cbor-1.1";
  return es::event_frame("SubscribeToShardEvent", ct, encode_body(v, e));
}

std::string InitialResponse(Encoding e) {
  return e == Encoding::kJson ? es::event_frame("initial-response", "application/json", "{}")
                              : es::event_frame("initial-response", "application/x-amz-cbor-1.1", "\xa0");
}

// JSON events take the on-demand walk, which hands Data over still in
// base64; CBOR events, and JSON ones it declines, give the bytes.
std::string Bytes(std::string_view d, bool base64) {
  if (!base64) return std::string(d);
  auto decoded = protocol::base64_decode(d);
  EXPECT_TRUE(decoded.has_value()) << d;
  return decoded.value_or("");
}

class Reader : public ::testing::TestWithParam<Encoding> {};

TEST_P(Reader, FramesFedByteByByte) {
  const Encoding e = GetParam();
  std::string stream = InitialResponse(e) + EventFrame(e, {}, "100") +
                       EventFrame(e, {Stamped(11), "unstamped", Stamped(12)}, "103") +
                       EventFrame(e, {Stamped(13)}, "104") +
                       es::exception_frame("ResourceInUseException", "application/json",
                                           R"({"message":"Another active subscription exists"})");
  std::vector<std::string> seen;
  std::vector<bool> as_base64;
  SubscriptionReader reader([&](std::string_view d, bool base64) {
    seen.push_back(Bytes(d, base64));
    as_base64.push_back(base64);
  });
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(reader.feed(stream.substr(i, 1)).is_ok()) << "at byte " << i;
    if (i + 1 < InitialResponse(e).size()) {
      ASSERT_FALSE(reader.got_initial_response()) << "at byte " << i;
    }
  }
  EXPECT_TRUE(reader.got_initial_response());
  EXPECT_EQ(reader.events(), 3u);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(read_stamp(seen[0]), 11);
  EXPECT_EQ(seen[1], "unstamped");
  EXPECT_EQ(read_stamp(seen[2]), 12);
  EXPECT_EQ(read_stamp(seen[3]), 13);
  EXPECT_EQ(reader.continuation(), "104");
  EXPECT_FALSE(reader.shard_ended());
  EXPECT_EQ(reader.exception_type(), "ResourceInUseException");
  EXPECT_EQ(reader.exception_message(), "Another active subscription exists");
  EXPECT_EQ(as_base64, std::vector<bool>(4, e == Encoding::kJson)) << "JSON Data stays base64";
}

TEST_P(Reader, EverySplitPointGivesTheSameResult) {
  const Encoding e = GetParam();
  std::string stream =
      InitialResponse(e) + EventFrame(e, {Stamped(1), Stamped(2)}, "7") + EventFrame(e, {Stamped(3)}, "8");
  for (size_t a = 0; a <= stream.size(); a += 7) {
    for (size_t b = a; b <= stream.size(); b += 13) {
      std::vector<int64_t> stamps;
      SubscriptionReader reader(
          [&](std::string_view d, bool base64) { stamps.push_back(*read_stamp(Bytes(d, base64))); });
      ASSERT_TRUE(reader.feed(stream.substr(0, a)).is_ok());
      ASSERT_TRUE(reader.feed(stream.substr(a, b - a)).is_ok());
      ASSERT_TRUE(reader.feed(stream.substr(b)).is_ok());
      ASSERT_EQ(stamps, (std::vector<int64_t>{1, 2, 3})) << a << " " << b;
      ASSERT_EQ(reader.continuation(), "8");
    }
  }
}

TEST_P(Reader, ShardEndIsRecognised) {
  const Encoding e = GetParam();
  SubscriptionReader reader([](std::string_view, bool) {});
  ASSERT_TRUE(reader.feed(InitialResponse(e) + EventFrame(e, {Stamped(5)}, "9")).is_ok());
  EXPECT_FALSE(reader.shard_ended());
  ASSERT_TRUE(reader.feed(EventFrame(e, {}, "", /*child_shards=*/true)).is_ok());
  EXPECT_TRUE(reader.shard_ended());
  EXPECT_EQ(reader.continuation(), "9") << "the last continuation is kept";
}

// kinesis-mock's streams: no initial-response, events straight away. They
// are read like any other and flagged.
TEST_P(Reader, StreamWithoutInitialResponseIsReadAndFlagged) {
  const Encoding e = GetParam();
  std::string stream = EventFrame(e, {Stamped(1), Stamped(2)}, "7") + EventFrame(e, {Stamped(3)}, "8");
  std::vector<int64_t> stamps;
  SubscriptionReader reader([&](std::string_view d, bool base64) { stamps.push_back(*read_stamp(Bytes(d, base64))); });
  EXPECT_FALSE(reader.started());
  for (size_t i = 0; i < stream.size(); ++i) ASSERT_TRUE(reader.feed(stream.substr(i, 1)).is_ok()) << "at byte " << i;
  EXPECT_TRUE(reader.started());
  EXPECT_TRUE(reader.missing_initial_response());
  EXPECT_FALSE(reader.got_initial_response());
  EXPECT_EQ(reader.events(), 2u);
  EXPECT_EQ(stamps, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(reader.continuation(), "8");
}

TEST_P(Reader, InitialResponseFirstIsNotFlagged) {
  const Encoding e = GetParam();
  SubscriptionReader reader([](std::string_view, bool) {});
  ASSERT_TRUE(reader.feed(InitialResponse(e)).is_ok());
  EXPECT_TRUE(reader.started());
  ASSERT_TRUE(reader.feed(EventFrame(e, {Stamped(1)}, "1")).is_ok());
  EXPECT_FALSE(reader.missing_initial_response());
}

INSTANTIATE_TEST_SUITE_P(Encodings, Reader, ::testing::Values(Encoding::kJson, Encoding::kCbor));

TEST(SubscriptionReader, ErrorMessageFrame) {
  SubscriptionReader reader([](std::string_view, bool) {});
  ASSERT_TRUE(reader.feed(InitialResponse(Encoding::kJson) + es::error_frame("InternalFailure", "boom")).is_ok());
  EXPECT_EQ(reader.exception_type(), "InternalFailure");
  EXPECT_EQ(reader.exception_message(), "boom");
}

TEST(SubscriptionReader, DamagedStreamFailsAndStaysFailed) {
  std::string frame = InitialResponse(Encoding::kJson);
  frame[frame.size() - 1] ^= 0x55;  // message CRC
  SubscriptionReader reader([](std::string_view, bool) {});
  EXPECT_FALSE(reader.feed(frame).is_ok());
  EXPECT_FALSE(reader.feed(InitialResponse(Encoding::kJson)).is_ok());
  EXPECT_FALSE(reader.failure().is_ok());
}

// Events the on-demand walk declines (here: no Records member, a null
// continuation) are read by the generic decoder, records not counted twice.
TEST(SubscriptionReader, JsonEventsTheFastWalkDeclinesAreStillRead) {
  std::vector<std::string> seen;
  SubscriptionReader reader([&](std::string_view d, bool base64) { seen.push_back(Bytes(d, base64)); });
  std::string stream =
      InitialResponse(Encoding::kJson) +
      es::event_frame("SubscribeToShardEvent", "application/json",
                      R"({"MillisBehindLatest":0,"ContinuationSequenceNumber":"41"})") +
      es::event_frame("SubscribeToShardEvent", "application/json",
                      R"({"Records":[{"Data":"aGk=","PartitionKey":"k","SequenceNumber":"42"}],)"
                      R"("ContinuationSequenceNumber":"42","MillisBehindLatest":0} )") +
      es::event_frame("SubscribeToShardEvent", "application/json",
                      R"({"Records":[{"Data":"aG8=","PartitionKey":"k","SequenceNumber":"43"}],)"
                      R"("ContinuationSequenceNumber":"43","MillisBehindLatest":0,"Extra":[1,{"a":null}]})");
  ASSERT_TRUE(reader.feed(stream).is_ok()) << reader.failure().to_string();
  EXPECT_EQ(reader.events(), 3u);
  EXPECT_EQ(seen, (std::vector<std::string>{"hi", "ho"}));
  EXPECT_EQ(reader.continuation(), "43");
  EXPECT_FALSE(reader.shard_ended());
  ASSERT_TRUE(reader
                  .feed(es::event_frame("SubscribeToShardEvent", "application/json",
                                        R"({"Records":[],"ContinuationSequenceNumber":null,"MillisBehindLatest":0})"))
                  .is_ok());
  EXPECT_TRUE(reader.shard_ended()) << "no continuation: the shard ended";
  EXPECT_EQ(reader.continuation(), "43");
}

TEST(SubscriptionReader, UndecodablePayloadIsAnError) {
  SubscriptionReader reader([](std::string_view, bool) {});
  EXPECT_FALSE(
      reader.feed(InitialResponse(Encoding::kJson) + es::event_frame("SubscribeToShardEvent", "application/json", "{"))
          .is_ok());
}

}  // namespace
}  // namespace runnel::bench
