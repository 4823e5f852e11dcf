// PutRecordBatchDecoder against the general path: whatever it accepts,
// decode_json + validate_input accept too and turn into the same Value;
// everything else it declines.
#include "firehose/put_record_batch_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "firehose/model.h"
#include "net/http.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::firehose {

using namespace protocol;  // NOLINT(google-build-using-namespace): the codec's vocabulary
namespace {

const ServiceModel& M() { return firehose_model(); }
const OperationModel& put_record_batch() { return *M().find_operation("PutRecordBatch"); }

std::optional<Value> fast(const std::string& text) {
  static const PutRecordBatchDecoder decoder(M());
  std::string body = text;
  body.reserve(text.size() + net::kBodyPadding);  // the spare capacity request bodies have
  auto out = decoder.decode(put_record_batch(), body);
  EXPECT_EQ(body, text) << "the body is left as it was";
  return out;
}

std::optional<Value> general(const std::string& text) {
  auto v = decode_json(text);
  if (!v) return std::nullopt;
  if (!validate_input(M(), put_record_batch(), *v, WireFormat::kJson)) return std::nullopt;
  return std::move(*v);
}

// The property: declined, or the general path's own result.
void check(const std::string& body, const std::string& why) {
  auto f = fast(body);
  if (!f) return;
  auto g = general(body);
  ASSERT_TRUE(g) << why << ": accepted by the fast path only: " << body.substr(0, 300);
  ASSERT_TRUE(*f == *g) << why << ": different values for " << body.substr(0, 300);
}

std::string random_body(std::mt19937& rng, int* records_out = nullptr) {
  const int records = 1 + static_cast<int>(rng() % (rng() % 4 == 0 ? 500 : 20));
  if (records_out) *records_out = records;
  const bool name_first = rng() % 2;
  const std::string name = "\"DeliveryStreamName\":\"fh-" + std::to_string(rng() % 1000) + "_x.y\"";
  std::string body = "{";
  if (name_first) body += name + ",";
  body += "\"Records\": [";
  for (int i = 0; i < records; ++i) {
    if (i) body += rng() % 3 == 0 ? " , " : ",";
    std::string data(rng() % 3 == 0 ? rng() % 2000 : rng() % 40, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    body += "{\"Data\":\"" + base64_encode(data) + "\"}";
  }
  body += "]";
  if (!name_first) body += "," + name;
  body += rng() % 2 ? "}" : "}\n ";
  return body;
}

TEST(PutRecordBatchDecoder, CoversPutRecordBatchOnly) {
  PutRecordBatchDecoder d(M());
  EXPECT_TRUE(d.covers(put_record_batch()));
  EXPECT_FALSE(d.covers(*M().find_operation("PutRecord")));
  EXPECT_FALSE(d.covers(*M().find_operation("DescribeDeliveryStream")));
}

TEST(PutRecordBatchDecoder, AcceptsPlainBodiesAsTheGeneralPathDoes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    int records = 0;
    const std::string body = random_body(rng, &records);
    auto f = fast(body);
    ASSERT_TRUE(f) << body.substr(0, 300);
    auto g = general(body);
    ASSERT_TRUE(g);
    ASSERT_TRUE(*f == *g) << body.substr(0, 300);
    ASSERT_EQ(f->find("Records")->as_array().size(), static_cast<size_t>(records));
    ASSERT_TRUE(f->find("Records")->as_array()[0].find("Data")->is_blob());
  }
}

TEST(PutRecordBatchDecoder, DeclinesWhatItDoesNotTake) {
  const std::string rec = R"({"Data":"aGk="})";
  auto body = [](const std::string& records, const std::string& rest = R"(,"DeliveryStreamName":"s")") {
    return "{\"Records\":[" + records + "]" + rest + "}";
  };
  const std::vector<std::pair<std::string, std::string>> declined = {
      {"not an object", "[]"},
      {"no DeliveryStreamName", body(rec, "")},
      {"unknown member", body(rec, R"(,"DeliveryStreamName":"s","Other":1)")},
      {"repeated name", body(rec, R"(,"DeliveryStreamName":"s","DeliveryStreamName":"t")")},
      {"null name", body(rec, R"(,"DeliveryStreamName":null)")},
      {"bad name", body(rec, R"(,"DeliveryStreamName":"a b")")},
      {"long name", body(rec, ",\"DeliveryStreamName\":\"" + std::string(65, 'a') + "\"")},
      {"empty Records", body("")},
      {"501 records", body([&] {
         std::string s = rec;
         for (int i = 0; i < 500; ++i) s += "," + rec;
         return s;
       }())},
      {"Records not a list", R"({"Records":{},"DeliveryStreamName":"s"})"},
      {"record not an object", body("1")},
      {"no Data", body("{}")},
      {"Data a number", body(R"({"Data":1})")},
      {"Data null", body(R"({"Data":null})")},
      {"colon after Data", body(R"({"Data":"QUJD":"061"})")},
      {"Data with an escape", body(R"({"Data":"a\/8="})")},
      {"Data not canonical", body(R"({"Data":"aGl="})")},
      {"Data length", body(R"({"Data":"aGk"})")},
      {"Data alphabet", body(R"({"Data":"aG-_"})")},
      {"Data over 1,000 KiB", body("{\"Data\":\"" + base64_encode(std::string(1024001, 'x')) + "\"}")},
      {"repeated Data", body(R"({"Data":"aGk=","Data":"aGk="})")},
      {"unknown record member", body(R"({"Data":"aGk=","X":"y"})")},
      {"trailing garbage", body(rec) + "x"},
      {"truncated", body(rec).substr(0, 20)},
  };
  for (const auto& [why, text] : declined) {
    EXPECT_FALSE(fast(text)) << why;
    check(text, why);
  }
  // At the bounds: accepted, as the general path accepts them.
  for (const std::string& ok :
       {body(R"({"Data":""})"), body("{\"Data\":\"" + base64_encode(std::string(1024000, 'x')) + "\"}"),
        body(rec, ",\"DeliveryStreamName\":\"" + std::string(64, 'a') + "\"")}) {
    EXPECT_TRUE(fast(ok)) << ok.substr(0, 200);
    check(ok, "at the bounds");
  }
}

TEST(PutRecordBatchDecoder, MutatedBodiesNeverDisagree) {
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    std::string body = random_body(rng);
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[at] = "\"{}[],:\\ 0aA=/+-nul"[rng() % 19]; break;
        case 1: body.erase(at, 1 + rng() % 3); break;
        default: body.insert(at, 1, static_cast<char>(rng()));
      }
    }
    check(body, "mutated");
  }
}

TEST(PutRecordBatchDecoder, LeavesAnUnpaddedBodyToTheGeneralPath) {
  PutRecordBatchDecoder d(M());
  std::string body = R"({"DeliveryStreamName":"s","Records":[{"Data":"aGk="}]})";
  body.shrink_to_fit();
  if (body.capacity() - body.size() < net::kBodyPadding) {
    EXPECT_FALSE(d.decode(put_record_batch(), body));
  }
}

}  // namespace
}  // namespace runnel::firehose
