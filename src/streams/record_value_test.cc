// records_value: the direct encoding must give exactly the bytes of the
// Value tree it replaces, in JSON and CBOR.

#include "streams/record_value.h"

#include <gtest/gtest.h>

#include <random>

#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"
#include "streams/record_cipher.h"

namespace runnel::streams {
namespace {

using protocol::Value;
using protocol::WireFormat;

std::vector<storage::StoredRecord> sample_records(uint32_t seed, size_t n) {
  std::mt19937 rng(seed);
  // Keys exercise JSON escapes, multi-byte UTF-8 and the 16-byte SSO edge.
  const std::vector<std::string> keys = {
      "k", "quote\"back\\slash", "tab\tnew\nline\x01", "\xc3\xa9t\xc3\xa9", std::string(256, 'x'), "0123456789abcdef",
      ""};
  std::vector<storage::StoredRecord> out;
  for (size_t i = 0; i < n; ++i) {
    storage::StoredRecord r;
    r.counter = 1 + i * (rng() % 5 + 1);
    r.arrival_ms = 1764100000000 + int64_t(rng() % 100000) * (i % 2 ? 1 : 1000);  // with and without ms
    r.partition_key = keys[rng() % keys.size()];
    const size_t sizes[] = {0, 1, 2, 3, 100, 1000, 65536};
    r.data.resize(sizes[rng() % 7]);
    for (char& c : r.data) c = static_cast<char>(rng());
    out.push_back(std::move(r));
  }
  return out;
}

std::string encode(const Value& records, WireFormat f) {
  Value out = protocol::Object{};
  out.set("Records", records);
  out.set("NextShardIterator", "AAAA");
  return f == WireFormat::kCbor ? protocol::encode_cbor(out) : protocol::encode_json(out);
}

class RecordsValueTest : public ::testing::TestWithParam<std::tuple<WireFormat, bool>> {};

TEST_P(RecordsValueTest, DirectEncodingMatchesTheTree) {
  const auto [format, encrypted] = GetParam();
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{40}}) {
      auto a = sample_records(seed, n);
      auto b = a;
      const int64_t created = 1764000000 + seed;
      const uint32_t index = seed * 1000;
      // Encrypted: every other record is marked, as when encryption was
      // switched on and off between writes.
      std::vector<uint8_t> flags;
      for (size_t i = 0; encrypted && i < n; ++i) flags.push_back(static_cast<uint8_t>(i % 2 == seed % 2));
      Value tree = records_value(created, index, a, n, RecordsEncoding{false, format}, flags);
      Value direct = records_value(created, index, b, n, RecordsEncoding{true, format}, flags);
      ASSERT_TRUE(tree.is_array());
      ASSERT_TRUE(direct.is_encoded());
      ASSERT_EQ(encode(tree, format), encode(direct, format)) << "seed " << seed << " n " << n;
    }
  }
}

TEST_P(RecordsValueTest, UsesOnlyTheFirstNRecords) {
  const auto [format, encrypted] = GetParam();
  auto a = sample_records(3, 10);
  auto b = a;
  const std::vector<uint8_t> flags(encrypted ? 10 : 0, 1);
  Value tree = records_value(1, 2, a, 4, RecordsEncoding{false, format}, flags);
  Value direct = records_value(1, 2, b, 4, RecordsEncoding{true, format}, flags);
  ASSERT_EQ(tree.as_array().size(), 4u);
  EXPECT_EQ(encode(tree, format), encode(direct, format));
}

INSTANTIATE_TEST_SUITE_P(Formats, RecordsValueTest,
                         ::testing::Combine(::testing::Values(WireFormat::kJson, WireFormat::kCbor),
                                            ::testing::Bool()));

TEST_P(RecordsValueTest, PutResultsDirectEncodingMatchesTheTree) {
  const auto [format, with_failures] = GetParam();
  std::mt19937 rng(7);
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{500}}) {
    std::vector<PutResultEntry> entries(n);
    for (auto& e : entries) {
      if (with_failures && rng() % 3 == 0) {
        e.failed = true;
        e.error_code = "ProvisionedThroughputExceededException";
        e.error_message = "Rate exceeded for shard shardId-000000000003 in stream \"s\" under account 1.";
      } else {
        e.sequence = SequenceNumber{1764000000, static_cast<uint32_t>(rng() % 5), rng() % 100000 + 1, 1764000100};
        e.shard_index = e.sequence.shard_index;
      }
    }
    EXPECT_EQ(encode(put_results_value(entries, RecordsEncoding{false, format}), format),
              encode(put_results_value(entries, RecordsEncoding{true, format}), format))
        << "n " << n;
  }
}

TEST(RecordsValue, DirectJsonDecodesToTheRecords) {
  auto records = sample_records(9, 3);
  auto copy = records;
  Value direct = records_value(1764000000, 5, copy, 3, RecordsEncoding{true, WireFormat::kJson});
  Value body = protocol::Object{};
  body.set("Records", direct);
  auto decoded = protocol::decode_json(protocol::encode_json(body));
  ASSERT_TRUE(decoded.has_value());
  const auto& list = decoded->find("Records")->as_array();
  ASSERT_EQ(list.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(list[i].find("PartitionKey")->as_string(), records[i].partition_key);
}

TEST(RecordsValue, EncodedInTheOtherFormatIsNull) {
  // A fragment in the wrong format must not corrupt the body.
  Value v = protocol::Encoded{"[1]", false};
  EXPECT_EQ(protocol::encode_cbor(v), std::string(1, static_cast<char>(0xf6)));
  Value c = protocol::Encoded{"\x80", true};
  EXPECT_EQ(protocol::encode_json(c), "null");
}

TEST(ReadableRecords, AnEncryptedRecordWithNoCipherIsAnError) {
  std::vector<storage::StoredRecord> records(2);
  records[0].counter = 1;
  records[0].partition_key = "k";
  records[0].data = "plain";
  records[1].counter = 2;
  records[1].partition_key = std::string(1, static_cast<char>(RecordCipher::kMarker)) + "envelope";
  records[1].data = "ciphertext";
  auto plain_only = readable_records(records, 1, nullptr);
  ASSERT_TRUE(plain_only);
  EXPECT_EQ(plain_only->n, 1u);
  EXPECT_FALSE(readable_records(records, 2, nullptr)) << "the envelope must not be served as the record";
}

}  // namespace
}  // namespace runnel::streams
