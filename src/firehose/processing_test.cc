#include "firehose/processing.h"

#include <gtest/gtest.h>

#include "firehose/compression.h"

namespace runnel::firehose {
namespace {

using Keys = std::vector<std::pair<std::string, std::string>>;

api::ProcessingConfiguration config(std::vector<api::Processor> processors) {
  api::ProcessingConfiguration c;
  c.enabled = true;
  c.processors = std::move(processors);
  return c;
}

api::Processor processor(std::string type, std::vector<std::pair<std::string, std::string>> params = {}) {
  api::Processor p;
  p.type = std::move(type);
  std::vector<api::ProcessorParameter> list;
  for (auto& [k, v] : params) list.push_back({k, v});
  if (!list.empty()) p.parameters = std::move(list);
  return p;
}

std::unique_ptr<RecordProcessor> make(std::vector<api::Processor> processors) {
  auto spec = processing_spec(config(std::move(processors)));
  EXPECT_TRUE(spec);
  auto p = RecordProcessor::make(*spec);
  EXPECT_TRUE(p) << p.error().to_string();
  return std::move(*p);
}

TEST(SplitJsonObjects, ConcatenatedAndNewlineSeparated) {
  auto parts = split_json_objects("{\"a\":1}{\"a\":\"}{\"}\n {\"b\":[1,{\"c\":2}]}\n");
  ASSERT_TRUE(parts);
  EXPECT_EQ(*parts, (std::vector<std::string_view>{"{\"a\":1}", "{\"a\":\"}{\"}", "{\"b\":[1,{\"c\":2}]}"}));
  EXPECT_FALSE(split_json_objects("[{\"a\":1},{\"a\":2}]"));  // an array is not valid input
  EXPECT_FALSE(split_json_objects("{\"a\":1"));
  EXPECT_EQ(split_json_objects("  ")->size(), 0u);
}

TEST(RecordProcessor, JqKeysInTheQuerysOrder) {
  auto p = make({processor("MetadataExtraction", {{"MetadataExtractionQuery", "{customer:.id, year:.t|tostring}"},
                                                  {"JsonParsingEngine", "JQ-1.6"}})});
  std::vector<Piece> out;
  EXPECT_FALSE(p->process("{\"id\":\"c7\",\"t\":2026}", out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].keys, (Keys{{"customer", "c7"}, {"year", "2026"}}));
  EXPECT_EQ(out[0].data, "{\"id\":\"c7\",\"t\":2026}");
  auto error = p->process("not json", out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "DynamicPartitioning.MetadataExtractionFailed");
  error = p->process("{\"t\":1}", out);  // .id is null
  ASSERT_TRUE(error);
  EXPECT_EQ(out.size(), 1u);
}

TEST(RecordProcessor, BadQueryDoesNotCompile) {
  auto spec = processing_spec(config({processor("MetadataExtraction", {{"MetadataExtractionQuery", "{a:.b"}})}));
  ASSERT_TRUE(spec);
  auto p = RecordProcessor::make(*spec);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("does not compile"), std::string::npos);
}

TEST(RecordProcessor, JsonDeaggregationThenKeysThenDelimiter) {
  auto p = make({processor("RecordDeAggregation", {{"SubRecordType", "JSON"}}),
                 processor("MetadataExtraction", {{"MetadataExtractionQuery", "{k:.k}"}}),
                 processor("AppendDelimiterToRecord")});
  std::vector<Piece> out;
  EXPECT_FALSE(p->process("{\"k\":\"a\"}{\"k\":\"b\"}", out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data, "{\"k\":\"a\"}\n");
  EXPECT_EQ(out[1].keys, (Keys{{"k", "b"}}));
}

TEST(RecordProcessor, DelimitedDeaggregation) {
  // "####" in base64, as the API takes the Delimiter.
  auto p = make({processor("RecordDeAggregation", {{"SubRecordType", "DELIMITED"}, {"Delimiter", "IyMjIw=="}})});
  std::vector<Piece> out;
  EXPECT_FALSE(p->process("one####two####three", out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].data, "three");
}

TEST(RecordProcessor, DisabledConfigurationDoesNothing) {
  api::ProcessingConfiguration c = config({processor("AppendDelimiterToRecord")});
  c.enabled = false;
  auto spec = processing_spec(c);
  ASSERT_TRUE(spec);
  EXPECT_FALSE(spec->append_delimiter);
}

}  // namespace
}  // namespace runnel::firehose

namespace runnel::firehose {
namespace {

TEST(RecordProcessor, CloudWatchLogsSubscriptionDataIsDecompressedAndExtracted) {
  auto p = make({processor("Decompression", {{"CompressionFormat", "GZIP"}}),
                 processor("CloudWatchLogProcessing", {{"DataMessageExtraction", "true"}})});
  const std::string payload =
      R"({"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":["f"],)"
      R"("logEvents":[{"id":"1","timestamp":1,"message":"first line"},{"id":"2","timestamp":2,"message":"second"}]})";
  std::vector<Piece> out;
  EXPECT_FALSE(p->process(*compress(Compression::kGzip, payload), out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data, "first line\n");
  EXPECT_EQ(out[1].data, "second\n");
  out.clear();
  EXPECT_FALSE(p->process(*compress(Compression::kGzip, R"({"messageType":"CONTROL_MESSAGE","logEvents":[]})"), out));
  EXPECT_TRUE(out.empty());
  auto error = p->process("not gzip", out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "Decompression.Failed");
}

}  // namespace
}  // namespace runnel::firehose
