#include "bench/kinesis_requests.h"

#include <gtest/gtest.h>

#include "bench/latency_stamp.h"
#include "bench/record_factory.h"
#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"

namespace runnel::bench {
namespace {

using protocol::Value;

std::vector<OutRecord> SomeRecords(int n) {
  RecordFactory f(64, 0, 3);
  std::vector<OutRecord> out;
  for (int i = 0; i < n; ++i) out.push_back(f.record(f.partition_key(), 1'000'000 + i));
  return out;
}

// The body, decoded and checked against Kinesis's own model as the server does.
Value DecodeAndValidate(std::string_view op, const std::string& body, Encoding e) {
  auto v = e == Encoding::kJson ? protocol::decode_json(body) : protocol::decode_cbor(body);
  EXPECT_TRUE(v.has_value());
  if (!v) return Value();
  const auto& model = protocol::kinesis_model();
  const auto* operation = model.find_operation(op);
  EXPECT_NE(operation, nullptr);
  auto ok = protocol::validate_input(model, *operation, *v,
                                     e == Encoding::kJson ? protocol::WireFormat::kJson : protocol::WireFormat::kCbor);
  EXPECT_TRUE(ok.has_value()) << (ok ? "" : ok.error().type + ": " + ok.error().message);
  return std::move(*v);
}

class PutRecordsBody : public ::testing::TestWithParam<Encoding> {};

TEST_P(PutRecordsBody, DecodesToTheRecordsPut) {
  const Encoding e = GetParam();
  auto records = SomeRecords(500);
  std::string body = encode_body(put_records_request("bench-stream", records), e);
  Value v = DecodeAndValidate("PutRecords", body, e);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(string_member(v, "StreamName"), "bench-stream");
  const Value* list = v.find("Records");
  ASSERT_TRUE(list && list->is_array());
  ASSERT_EQ(list->as_array().size(), 500u);
  for (size_t i = 0; i < records.size(); ++i) {
    const Value& entry = list->as_array()[i];
    EXPECT_EQ(string_member(entry, "PartitionKey"), records[i].partition_key);
    const Value* data = entry.find("Data");
    ASSERT_TRUE(data && data->is_blob());
    EXPECT_EQ(data->as_blob().bytes, records[i].data);
    EXPECT_EQ(read_stamp(data->as_blob().bytes), 1'000'000 + static_cast<int64_t>(i));
  }
}

TEST_P(PutRecordsBody, PutRecordCarriesOneRecord) {
  const Encoding e = GetParam();
  auto records = SomeRecords(1);
  Value v = DecodeAndValidate("PutRecord", encode_body(put_record_request("s", records[0]), e), e);
  EXPECT_EQ(string_member(v, "PartitionKey"), records[0].partition_key);
  ASSERT_TRUE(v.find("Data") && v.find("Data")->is_blob());
  EXPECT_EQ(v.find("Data")->as_blob().bytes, records[0].data);
}

TEST_P(PutRecordsBody, ReadSideRequestsAreValid) {
  const Encoding e = GetParam();
  DecodeAndValidate("GetShardIterator",
                    encode_body(get_shard_iterator_request("s", "shardId-000000000000", "LATEST"), e), e);
  Value it = DecodeAndValidate(
      "GetShardIterator",
      encode_body(get_shard_iterator_request("s", "shardId-000000000001", "AFTER_SEQUENCE_NUMBER", "4960"), e), e);
  EXPECT_EQ(string_member(it, "StartingSequenceNumber"), "4960");
  DecodeAndValidate("GetRecords", encode_body(get_records_request("AAAAiterator", 10000), e), e);
  Value sub =
      DecodeAndValidate("SubscribeToShard",
                        encode_body(subscribe_request("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1",
                                                      "shardId-000000000002", "AFTER_SEQUENCE_NUMBER", "123"),
                                    e),
                        e);
  const Value* pos = sub.find("StartingPosition");
  ASSERT_NE(pos, nullptr);
  EXPECT_EQ(string_member(*pos, "Type"), "AFTER_SEQUENCE_NUMBER");
  EXPECT_EQ(string_member(*pos, "SequenceNumber"), "123");
}

INSTANTIATE_TEST_SUITE_P(Encodings, PutRecordsBody, ::testing::Values(Encoding::kJson, Encoding::kCbor));

TEST(PutRecordsAnswer, EntryErrorsLineUpWithRecords) {
  auto answer = protocol::decode_json(
      R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},)"
      R"({"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]})");
  ASSERT_TRUE(answer.has_value());
  auto errors = put_records_entry_errors(*answer, 2);
  ASSERT_TRUE(errors.has_value());
  EXPECT_EQ((*errors)[0], "");
  EXPECT_EQ((*errors)[1], "ProvisionedThroughputExceededException");
  EXPECT_FALSE(put_records_entry_errors(*answer, 3).has_value()) << "a count mismatch is not trusted";
}

TEST(PutRecordsAnswer, FromTheBodyWithAndWithoutTheFastPath) {
  const std::string stored =
      R"({"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},)"
      R"({"SequenceNumber":"2","ShardId":"shardId-000000000001"}]})";
  auto all = put_records_entry_errors(stored, Encoding::kJson, 2);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(*all, (std::vector<std::string>{"", ""}));
  EXPECT_FALSE(put_records_entry_errors(stored, Encoding::kJson, 3).has_value());
  EXPECT_FALSE(put_records_entry_errors(stored.substr(0, stored.size() - 1), Encoding::kJson, 2).has_value())
      << "a cut-off answer is not trusted";
  const std::string mixed =
      R"({"FailedRecordCount":1,"Records":[{"ErrorCode":"ProvisionedThroughputExceededException",)"
      R"("ErrorMessage":"Rate exceeded \"x\""},{"SequenceNumber":"2","ShardId":"shardId-000000000001"}]})";
  auto some = put_records_entry_errors(mixed, Encoding::kJson, 2);
  ASSERT_TRUE(some.has_value());
  EXPECT_EQ(*some, (std::vector<std::string>{"ProvisionedThroughputExceededException", ""}));
  // CBOR takes the full decode.
  auto cbor = encode_body(*protocol::decode_json(mixed), Encoding::kCbor);
  auto from_cbor = put_records_entry_errors(cbor, Encoding::kCbor, 2);
  ASSERT_TRUE(from_cbor.has_value());
  EXPECT_EQ(*from_cbor, *some);
}

TEST(ErrorAnswers, TypeFromBodyOrHeader) {
  EXPECT_EQ(error_type(R"({"__type":"ResourceNotFoundException","message":"no"})", Encoding::kJson, "", 400),
            "ResourceNotFoundException");
  EXPECT_EQ(error_type(R"({"__type":"com.amazon.coral.service#UnknownOperationException"})", Encoding::kJson, "", 400),
            "UnknownOperationException");
  EXPECT_EQ(error_type("", Encoding::kJson, "ThrottlingException:http://internal.amazon.com/", 400),
            "ThrottlingException");
  EXPECT_EQ(error_type("<html>oops</html>", Encoding::kJson, "", 502), "HTTP 502");
  // A JSON error body to a CBOR request is still understood.
  EXPECT_EQ(error_type(R"({"__type":"LimitExceededException"})", Encoding::kCbor, "", 400), "LimitExceededException");
  std::string cbor = protocol::encode_cbor(
      Value(protocol::Object{{"__type", "ExpiredIteratorException"}, {"message", "Iterator expired"}}));
  EXPECT_EQ(error_type(cbor, Encoding::kCbor, "", 400), "ExpiredIteratorException");
  EXPECT_EQ(error_message(cbor, Encoding::kCbor), "Iterator expired");
}

TEST(ErrorAnswers, WhatIsRetried) {
  EXPECT_TRUE(retryable("ProvisionedThroughputExceededException"));
  EXPECT_TRUE(retryable("InternalFailure"));
  EXPECT_TRUE(retryable("HTTP 503"));
  EXPECT_TRUE(retryable("network: Couldn't connect to server"));
  EXPECT_FALSE(retryable("ResourceNotFoundException"));
  EXPECT_FALSE(retryable("ValidationException"));
  EXPECT_FALSE(retryable("UnknownOperationException"));
}

TEST(Blobs, BothWireForms) {
  EXPECT_EQ(blob_bytes(Value(protocol::Blob{"hi"})), "hi");
  EXPECT_EQ(blob_bytes(Value("aGk=")), "hi");
  EXPECT_EQ(blob_bytes(Value("not base64!")), std::nullopt);
  EXPECT_EQ(blob_bytes(Value(3)), std::nullopt);
  Value node_buffer = protocol::Object{{"type", "Buffer"}, {"data", protocol::Array{Value(104), Value(105)}}};
  EXPECT_EQ(blob_bytes(node_buffer), "hi");
  node_buffer.set("data", protocol::Array{Value(300)});
  EXPECT_EQ(blob_bytes(node_buffer), std::nullopt);
}

}  // namespace
}  // namespace runnel::bench
