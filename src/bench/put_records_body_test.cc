#include "bench/put_records_body.h"

#include <gtest/gtest.h>

#include "bench/kinesis_requests.h"
#include "bench/latency_stamp.h"
#include "bench/record_factory.h"
#include "protocol/json_codec.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"

namespace runnel::bench {
namespace {

std::string Written(const PutRecordsJsonWriter& w, const std::vector<OutRecord>& records,
                    const std::vector<int64_t>& stamps) {
  std::string out = "left over from an earlier body";
  w.begin(out, records.size());
  for (size_t i = 0; i < records.size(); ++i) w.add(out, records[i].partition_key, stamps[i]);
  w.finish(out);
  return out;
}

// The writer's bytes are the codec's bytes, for every record size around
// the base64 group boundaries and both kinds of partition key.
TEST(PutRecordsJsonWriter, SameBytesAsTheCodec) {
  for (int size : {12, 13, 14, 15, 16, 100, 1000}) {
    for (int hot_keys : {0, 7}) {
      RecordFactory f(size, hot_keys, 42);
      PutRecordsJsonWriter w("bench-stream", f.data(0));
      std::vector<OutRecord> records;
      std::vector<int64_t> stamps;
      for (int i = 0; i < 37; ++i) {
        stamps.push_back(1'700'000'000'000'000 + i * 977);
        records.push_back(f.record(f.partition_key(), stamps.back()));
      }
      EXPECT_EQ(Written(w, records, stamps), encode_body(put_records_request("bench-stream", records), Encoding::kJson))
          << "record size " << size << ", hot keys " << hot_keys;
    }
  }
}

TEST(PutRecordsJsonWriter, NamesNeedingEscapesAreEscapedAsTheCodecDoes) {
  RecordFactory f(20, 0, 1);
  PutRecordsJsonWriter w("odd\"name\\\n", f.data(0));
  std::vector<OutRecord> records{f.record("k\"1", 5), f.record("plain", 6)};
  EXPECT_EQ(Written(w, records, {5, 6}), encode_body(put_records_request("odd\"name\\\n", records), Encoding::kJson));
}

// What the server does with it: decode, validate against Kinesis's model,
// read the stamps back.
TEST(PutRecordsJsonWriter, DecodesAndValidatesAsPutRecords) {
  RecordFactory f(100, 0, 9);
  PutRecordsJsonWriter w("bench-stream", f.data(0));
  std::vector<OutRecord> records;
  std::vector<int64_t> stamps;
  for (int i = 0; i < 500; ++i) {
    stamps.push_back(1'000'000 + i);
    records.push_back(f.record(f.partition_key(), stamps.back()));
  }
  auto v = protocol::decode_json(Written(w, records, stamps));
  ASSERT_TRUE(v.has_value());
  const auto& model = protocol::kinesis_model();
  auto ok = protocol::validate_input(model, *model.find_operation("PutRecords"), *v, protocol::WireFormat::kJson);
  ASSERT_TRUE(ok.has_value()) << ok.error().type << ": " << ok.error().message;
  const protocol::Value* list = v->find("Records");
  ASSERT_TRUE(list && list->is_array());
  ASSERT_EQ(list->as_array().size(), 500u);
  for (size_t i = 0; i < records.size(); ++i) {
    const protocol::Value& entry = list->as_array()[i];
    EXPECT_EQ(string_member(entry, "PartitionKey"), records[i].partition_key);
    ASSERT_TRUE(entry.find("Data")->is_blob());
    EXPECT_EQ(entry.find("Data")->as_blob().bytes, records[i].data);
    EXPECT_EQ(read_stamp(entry.find("Data")->as_blob().bytes), stamps[i]);
  }
}

}  // namespace
}  // namespace runnel::bench
