// PutRecordsDecoder against the general path: whatever it accepts, decode_json +
// validate_input accept too and turn into the same Value; everything else it
// declines.
#include "streams/put_records_decoder.h"
#include "streams/model.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "net/http.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::streams {

using namespace protocol;  // NOLINT(google-build-using-namespace): the codec's vocabulary
namespace {

const ServiceModel& M() { return kinesis_model(); }
const OperationModel& put_records() { return *M().find_operation("PutRecords"); }

// A body with the spare capacity request bodies have.
std::string padded(std::string body) {
  body.reserve(body.size() + net::kBodyPadding);
  return body;
}

std::optional<Value> fast(const std::string& text) {
  static const PutRecordsDecoder fi(M());
  std::string body = padded(text);
  auto out = fi.decode(put_records(), body);
  EXPECT_EQ(body, text) << "the body is left as it was";
  return out;
}

std::optional<Value> general(const std::string& text) {
  auto v = decode_json(text);
  if (!v) return std::nullopt;
  if (!validate_input(M(), put_records(), *v, WireFormat::kJson)) return std::nullopt;
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

std::string json_string(const std::string& s) { return encode_json(Value(s)); }

std::string random_key(std::mt19937& rng) {
  static const char* pieces[] = {"a", "Z", "9", "-", "key", "é", "日本", "😀", "\"", "\\", "/", " ", "\t"};
  std::string k;
  const int n = 1 + static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) k += pieces[rng() % std::size(pieces)];
  return k;
}

std::string random_body(std::mt19937& rng, int* records_out = nullptr) {
  const int records = 1 + static_cast<int>(rng() % (rng() % 4 == 0 ? 500 : 20));
  if (records_out) *records_out = records;
  std::string body = "{";
  const bool name_first = rng() % 2;
  const std::string name = "\"StreamName\":" + json_string("stream-" + std::to_string(rng() % 1000) + "_x.y");
  if (name_first) body += name + ",";
  body += "\"Records\": [";
  for (int i = 0; i < records; ++i) {
    if (i) body += rng() % 3 == 0 ? " , " : ",";
    std::string data(rng() % 3 == 0 ? rng() % 2000 : rng() % 40, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::vector<std::string> members = {"\"Data\":\"" + base64_encode(data) + "\"",
                                        "\"PartitionKey\":" + json_string(random_key(rng))};
    if (rng() % 4 == 0) members.push_back("\"ExplicitHashKey\":\"" + std::to_string(rng()) + "\"");
    std::shuffle(members.begin(), members.end(), rng);
    body += "{";
    for (size_t m = 0; m < members.size(); ++m) body += (m ? "," : "") + members[m];
    body += "}";
  }
  body += "]";
  if (!name_first) body += "," + name;
  body += rng() % 2 ? "}" : "}\n ";
  return body;
}

TEST(PutRecordsDecoder, CoversPutRecordsOnly) {
  PutRecordsDecoder fi(M());
  EXPECT_TRUE(fi.covers(put_records()));
  EXPECT_FALSE(fi.covers(*M().find_operation("PutRecord")));
  EXPECT_FALSE(fi.covers(*M().find_operation("GetRecords")));
}

TEST(PutRecordsDecoder, AcceptsPlainBodiesAsTheGeneralPathDoes) {
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

TEST(PutRecordsDecoder, DeclinesWhatItDoesNotTake) {
  const std::string rec = R"({"Data":"aGk=","PartitionKey":"k"})";
  auto body = [](const std::string& records, const std::string& rest = R"(,"StreamName":"s")") {
    return "{\"Records\":[" + records + "]" + rest + "}";
  };
  const std::vector<std::pair<std::string, std::string>> declined = {
      {"not an object", "[]"},
      {"no StreamName", body(rec, "")},
      {"StreamARN", body(rec, R"(,"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s")")},
      {"unknown member", body(rec, R"(,"StreamName":"s","Other":1)")},
      {"repeated StreamName", body(rec, R"(,"StreamName":"s","StreamName":"t")")},
      {"null StreamName", body(rec, R"(,"StreamName":null)")},
      {"bad StreamName", body(rec, R"(,"StreamName":"a b")")},
      {"long StreamName", body(rec, ",\"StreamName\":\"" + std::string(129, 'a') + "\"")},
      {"empty Records", body("")},
      {"501 records", body([&] {
         std::string s = rec;
         for (int i = 0; i < 500; ++i) s += "," + rec;
         return s;
       }())},
      {"Records not a list", R"({"Records":{},"StreamName":"s"})"},
      {"record not an object", body("1")},
      {"no Data", body(R"({"PartitionKey":"k"})")},
      {"no PartitionKey", body(R"({"Data":"aGk="})")},
      {"Data a number", body(R"({"Data":1,"PartitionKey":"k"})")},
      {"Data null", body(R"({"Data":null,"PartitionKey":"k"})")},
      // Malformed JSON right after Data's string (found by fast_input_fuzz).
      {"colon after Data", body(R"({"PartitionKey":"k","Data":"QUJD":"061"},"ExplicitHashKey":"123")")},
      {"colon after Data, last", body(R"({"PartitionKey":"k","Data":"QUJD":"061"})")},
      {"colon after Data, as fuzzed",
       "{\"StreamName\": \"my-stream\", \"Records\": [{\"PartitionKey\": \"\xc3\xa9\xf0\x9f\x98\x80\", "
       "\"Data\": \"AAFplicitHashKey\": \"061\"}, \"ExplicitHashKey\": \"123\"}]}"},
      {"Data with an escape", body(R"({"Data":"a\/8=","PartitionKey":"k"})")},
      {"Data not canonical", body(R"({"Data":"aGl=","PartitionKey":"k"})")},
      {"Data length", body(R"({"Data":"aGk","PartitionKey":"k"})")},
      {"Data alphabet", body(R"({"Data":"aG-_","PartitionKey":"k"})")},
      {"repeated Data", body(R"({"Data":"aGk=","Data":"aGk=","PartitionKey":"k"})")},
      {"empty PartitionKey", body(R"({"Data":"aGk=","PartitionKey":""})")},
      {"long PartitionKey", body("{\"Data\":\"aGk=\",\"PartitionKey\":\"" + std::string(257, 'k') + "\"}")},
      {"PartitionKey of 129 emoji (258 UTF-16 units)",
       [&] {
         std::string k;
         for (int i = 0; i < 129; ++i) k += "😀";
         return body("{\"Data\":\"aGk=\",\"PartitionKey\":\"" + k + "\"}");
       }()},
      {"ExplicitHashKey leading zero", body(R"({"Data":"aGk=","PartitionKey":"k","ExplicitHashKey":"01"})")},
      {"ExplicitHashKey 40 digits",
       body("{\"Data\":\"aGk=\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"" + std::string(40, '1') + "\"}")},
      {"ExplicitHashKey letters", body(R"({"Data":"aGk=","PartitionKey":"k","ExplicitHashKey":"x"})")},
      {"unknown record member", body(R"({"Data":"aGk=","PartitionKey":"k","X":"y"})")},
      {"trailing garbage", body(rec) + "x"},
      {"truncated", body(rec).substr(0, 20)},
  };
  for (const auto& [why, text] : declined) {
    EXPECT_FALSE(fast(text)) << why;
    check(text, why);
  }
  // At the bounds: accepted, as the general path accepts them.
  std::string k256;
  for (int i = 0; i < 128; ++i) k256 += "😀";
  for (const std::string& ok :
       {body("{\"Data\":\"aGk=\",\"PartitionKey\":\"" + k256 + "\"}"),
        body("{\"Data\":\"\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"0\"}"),
        body("{\"Data\":\"aGk=\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"" + std::string(39, '9') + "\"}"),
        body(rec, ",\"StreamName\":\"" + std::string(128, 'a') + "\"")}) {
    EXPECT_TRUE(fast(ok)) << ok.substr(0, 200);
    check(ok, "at the bounds");
  }
}

TEST(PutRecordsDecoder, MutatedBodiesNeverDisagree) {
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

TEST(PutRecordsDecoder, LeavesAnUnpaddedBodyToTheGeneralPath) {
  PutRecordsDecoder fi(M());
  std::string body = R"({"Records":[{"Data":"aGk=","PartitionKey":"k"}],"StreamName":"s"})";
  body.shrink_to_fit();
  if (body.capacity() - body.size() < 64) {
    EXPECT_FALSE(fi.decode(put_records(), body));
  }
}

}  // namespace
}  // namespace runnel::streams
