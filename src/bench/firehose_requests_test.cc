#include "bench/firehose_requests.h"

#include <gtest/gtest.h>

#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "bench/put_records_body.h"
#include "bench/record_factory.h"
#include "protocol/json_codec.h"
#include "protocol/model.h"
#include "protocol/validator.h"

namespace runnel::bench {

// botocore's firehose/2015-08-04, generated into this test binary (CMakeLists.txt).
const protocol::ServiceModel& firehose_model();

namespace {

using protocol::Value;

// The body, decoded and checked against Firehose's own model as the server does.
Value DecodeAndValidate(std::string_view op, const std::string& body) {
  auto v = protocol::decode_json(body);
  EXPECT_TRUE(v.has_value());
  if (!v) return Value();
  const auto& model = firehose_model();
  const auto* operation = model.find_operation(op);
  EXPECT_NE(operation, nullptr);
  auto ok = protocol::validate_input(model, *operation, *v, protocol::WireFormat::kJson);
  EXPECT_TRUE(ok.has_value()) << (ok ? "" : ok.error().type + ": " + ok.error().message);
  return std::move(*v);
}

std::string Written(const PutRecordBatchJsonWriter& w, const std::vector<int64_t>& stamps) {
  std::string out = "left over from an earlier body";
  w.begin(out, stamps.size());
  for (size_t i = 0; i < stamps.size(); ++i) w.add(out, stamps[i], i);
  w.finish(out);
  return out;
}

std::string Stamped(std::string data, int64_t stamp_us) {
  write_stamp(data, stamp_us);
  return data;
}

// The writer's bytes are the codec's bytes, for record sizes around the
// base64 group boundaries, and the body is a valid PutRecordBatch whose
// records carry their stamps.
TEST(PutRecordBatchJsonWriter, SameBytesAsTheCodecAndValid) {
  for (int size : {12, 13, 14, 15, 1024}) {
    const auto templates = firehose_record_templates(size, 7, 42);
    PutRecordBatchJsonWriter w("bench-delivery", templates);
    std::vector<int64_t> stamps;
    std::vector<std::string> records;
    for (int i = 0; i < 500; ++i) {
      stamps.push_back(1'700'000'000'000'000 + i * 977);
      records.push_back(Stamped(templates[static_cast<size_t>(i) % 7], stamps.back()));
    }
    const std::string body = Written(w, stamps);
    EXPECT_EQ(body, protocol::encode_json(put_record_batch_request("bench-delivery", records))) << "size " << size;
    EXPECT_TRUE(body.starts_with(R"({"DeliveryStreamName":"bench-delivery","Records":[{"Data":")"))
        << body.substr(0, 80);
    Value v = DecodeAndValidate("PutRecordBatch", body);
    const Value* list = v.find("Records");
    ASSERT_TRUE(list && list->is_array());
    ASSERT_EQ(list->as_array().size(), 500u);
    for (size_t i = 0; i < records.size(); ++i) {
      const Value* data = list->as_array()[i].find("Data");
      ASSERT_TRUE(data && data->is_blob());
      EXPECT_EQ(data->as_blob().bytes, records[i]);
      EXPECT_EQ(read_stamp(data->as_blob().bytes), stamps[i]);
    }
  }
}

TEST(PutRecordBatchJsonWriter, EscapesTheStreamName) {
  const auto templates = firehose_record_templates(20, 1, 1);
  PutRecordBatchJsonWriter w("a\"b", templates);
  std::vector<std::string> records{Stamped(templates[0], 5)};
  EXPECT_EQ(Written(w, {5}), protocol::encode_json(put_record_batch_request("a\"b", records)));
}

TEST(FirehoseRecordTemplates, AreDistinctLowercaseText) {
  EXPECT_EQ(firehose_template_count(1024), 64);
  EXPECT_EQ(firehose_template_count(12), 64);
  EXPECT_EQ(firehose_template_count(4096), 16);
  EXPECT_EQ(firehose_template_count(1'024'000), 2);
  const auto t = firehose_record_templates(1024, 64, 3);
  ASSERT_EQ(t.size(), 64u);
  for (const std::string& r : t) {
    EXPECT_EQ(r.size(), 1024u);
    EXPECT_EQ(r.find_first_not_of("abcdefghijklmnopqrstuvwxyz"), std::string::npos);
  }
  EXPECT_NE(t[0], t[1]);
}

TEST(FirehoseRequests, CreateDeliveryStreamIsValidAndCarriesTheOptions) {
  BenchOptions o;
  o.service_name = "firehose";
  o.compression_name = "GZIP";
  o.buffer_size_mb = 32;
  o.buffer_interval_s = 60;
  ASSERT_TRUE(validate(o).is_ok());
  Value v =
      DecodeAndValidate("CreateDeliveryStream", protocol::encode_json(create_delivery_stream_request("d", "bkt", o)));
  EXPECT_EQ(string_member(v, "DeliveryStreamName"), "d");
  EXPECT_EQ(string_member(v, "DeliveryStreamType"), "DirectPut");
  const Value* dest = v.find("ExtendedS3DestinationConfiguration");
  ASSERT_NE(dest, nullptr);
  EXPECT_EQ(string_member(*dest, "BucketARN"), "arn:aws:s3:::bkt");
  EXPECT_EQ(string_member(*dest, "CompressionFormat"), "GZIP");
  const Value* hints = dest->find("BufferingHints");
  ASSERT_NE(hints, nullptr);
  EXPECT_EQ(hints->find("SizeInMBs")->as_int(), 32);
  EXPECT_EQ(hints->find("IntervalInSeconds")->as_int(), 60);
}

TEST(PutRecordBatchAnswer, AllStoredIsRecognisedWithoutDecoding) {
  const std::string ok =
      R"({"Encrypted":false,"FailedPutCount":0,"RequestResponses":[{"RecordId":"a"},{"RecordId":"b"}]})";
  auto e = put_record_batch_entry_errors(ok, 2);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(*e, std::vector<std::string>(2));
  // The wrong number of entries is not an answer to this request.
  EXPECT_FALSE(put_record_batch_entry_errors(ok, 3).has_value());
  // FailedPutCount last.
  EXPECT_TRUE(put_record_batch_entry_errors(R"({"RequestResponses":[{"RecordId":"a"}],"FailedPutCount":0})", 1));
}

TEST(PutRecordBatchAnswer, FailedEntriesCarryTheirErrorCode) {
  const std::string answer =
      R"({"FailedPutCount":2,"Encrypted":false,"RequestResponses":[{"RecordId":"a"},)"
      R"({"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."},{"RecordId":"c"},)"
      R"({"ErrorCode":"InternalFailure","ErrorMessage":"x"}]})";
  auto e = put_record_batch_entry_errors(answer, 4);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(*e, (std::vector<std::string>{"", "ServiceUnavailableException", "", "InternalFailure"}));
  EXPECT_TRUE(retryable((*e)[1]));
  EXPECT_FALSE(put_record_batch_entry_errors("not json", 4).has_value());
  EXPECT_FALSE(put_record_batch_entry_errors(R"({"FailedPutCount":0})", 1).has_value());
}

}  // namespace
}  // namespace runnel::bench
