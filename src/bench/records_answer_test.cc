#include "bench/records_answer.h"

#include <gtest/gtest.h>

#include "bench/consumer.h"
#include "bench/latency_stamp.h"
#include "bench/stats.h"
#include "protocol/base64.h"

namespace runnel::bench {
namespace {

std::optional<RecordsAnswer> scan(std::string body, std::vector<std::string>* data) {
  return scan_records_json(body, [&](std::string_view d) { data->emplace_back(d); });
}

TEST(RecordsAnswer, ReadsRecordsInOrderWithTheLastSequenceAndIterator) {
  std::vector<std::string> data;
  auto a = scan(
      R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1.5,"Data":"AAEC","PartitionKey":"k"},)"
      R"({"Data":"aGk=","PartitionKey":"k","SequenceNumber":"2"}],"NextShardIterator":"it","MillisBehindLatest":0})",
      &data);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->records, 2u);
  EXPECT_EQ(a->last_sequence, "2");
  EXPECT_EQ(a->next_iterator, "it");
  EXPECT_EQ(data, (std::vector<std::string>{"AAEC", "aGk="}));
}

TEST(RecordsAnswer, NullOrAbsentIteratorMeansTheShardEnded) {
  std::vector<std::string> data;
  auto a = scan(R"({"Records":[],"NextShardIterator":null,"ChildShards":[{"ShardId":"x"}]})", &data);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->records, 0u);
  EXPECT_EQ(a->next_iterator, "");
  auto b = scan(R"({"Records":[],"MillisBehindLatest":0})", &data);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->next_iterator, "");
}

TEST(RecordsAnswer, RejectsWhatIsNotAGetRecordsAnswer) {
  std::vector<std::string> data;
  EXPECT_FALSE(scan("", &data));
  EXPECT_FALSE(scan("[]", &data));
  EXPECT_FALSE(scan(R"({"NextShardIterator":"x"})", &data));             // no Records
  EXPECT_FALSE(scan(R"({"Records":{}})", &data));                        // not a list
  EXPECT_FALSE(scan(R"({"Records":[{"Data":5}]})", &data));              // Data not a string
  EXPECT_FALSE(scan(R"({"Records":[],"NextShardIterator":7})", &data));  // iterator not a string
  EXPECT_FALSE(scan(R"({"Records":[]} trailing)", &data));
  EXPECT_FALSE(scan(R"({"Records":[)", &data));
}

TEST(RecordsAnswer, Base64PrefixAndSize) {
  std::string raw = "0123456789abcdefXYZ";
  std::string b64 = protocol::base64_encode(raw);
  char out[12];
  ASSERT_TRUE(base64_prefix(b64, 12, out));
  EXPECT_EQ(std::string_view(out, 12), raw.substr(0, 12));
  EXPECT_EQ(base64_decoded_size(b64), raw.size());
  for (size_t n = 0; n < 8; ++n) EXPECT_EQ(base64_decoded_size(protocol::base64_encode(raw.substr(0, n))), n);
  EXPECT_FALSE(base64_prefix("AAA", 1, out));       // too short for one quantum
  EXPECT_FALSE(base64_prefix("AA!AAAAA", 3, out));  // not base64
  EXPECT_FALSE(base64_prefix(b64, 13, out));        // more than a stamp
}

TEST(RecordsAnswer, StampSurvivesTheBase64Path) {
  std::string data(100, 'x');
  write_stamp(data, 1234567);
  ReceivedBatch direct, via_b64;
  direct.add(data, 2000000);
  via_b64.add_base64(protocol::base64_encode(data), 2000000);
  RunStats a, b;
  direct.flush(a);
  via_b64.flush(b);
  // Both saw one stamped record of 100 bytes.
  EXPECT_EQ(b.snapshot().received_records, 1u);
  EXPECT_EQ(b.snapshot().unstamped_records, 0u);
  EXPECT_EQ(b.snapshot().received_bytes, 100u);
  EXPECT_EQ(a.snapshot().received_bytes, b.snapshot().received_bytes);
  EXPECT_EQ(a.snapshot().e2e_latency.count(), 1u);
  EXPECT_EQ(b.snapshot().e2e_latency.count(), 1u);
  EXPECT_EQ(b.snapshot().e2e_latency.max(), a.snapshot().e2e_latency.max());
}

}  // namespace
}  // namespace runnel::bench
