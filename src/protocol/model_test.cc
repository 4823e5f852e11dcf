#include "protocol/model.h"
#include "protocol/test_models.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace runnel::protocol {
namespace {

const ServiceModel& M() { return kinesis_model(); }

TEST(KinesisModel, Metadata) {
  EXPECT_EQ(M().service, "kinesis");
  EXPECT_EQ(M().api_version, "2013-12-02");
  EXPECT_EQ(M().target_prefix, "Kinesis_20131202");
  EXPECT_EQ(M().signing_name, "kinesis");
  EXPECT_EQ(M().protocol, "json");
  EXPECT_EQ(M().java_package, "com.amazonaws.kinesis.v20131202");
  EXPECT_EQ(M().operations.size(), 39u);
}

TEST(KinesisModel, FindOperation) {
  const OperationModel* op = M().find_operation("PutRecords");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->name, "PutRecords");
  ASSERT_NE(M().input_shape(*op), nullptr);
  EXPECT_EQ(M().input_shape(*op)->name, "PutRecordsInput");
  EXPECT_EQ(M().output_shape(*op)->name, "PutRecordsOutput");
  std::set<std::string_view> errors(op->errors.begin(), op->errors.end());
  EXPECT_TRUE(errors.contains("ResourceNotFoundException"));
  EXPECT_TRUE(errors.contains("ProvisionedThroughputExceededException"));

  EXPECT_EQ(M().find_operation("NoSuchOperation"), nullptr);
  EXPECT_EQ(M().find_operation("putRecords"), nullptr);  // case-sensitive, as AWS is
  EXPECT_EQ(M().find_operation(""), nullptr);
  for (std::string_view name : {"AddTagsToStream", "UpdateStreamMode", "SubscribeToShard", "ListShards"})
    EXPECT_NE(M().find_operation(name), nullptr) << name;
}

TEST(KinesisModel, ShapesAreSortedAndReferencesValid) {
  for (size_t i = 1; i < M().shapes.size(); ++i) EXPECT_LT(M().shapes[i - 1].name, M().shapes[i].name);
  for (size_t i = 1; i < M().operations.size(); ++i) EXPECT_LT(M().operations[i - 1].name, M().operations[i].name);
  const size_t n = M().shapes.size();
  for (const Shape& s : M().shapes) {
    EXPECT_EQ(M().find_shape(s.name), &s);
    for (const MemberModel& m : s.members) EXPECT_LT(m.shape, n) << s.name << "." << m.name;
    if (s.type == ShapeType::kList) {
      EXPECT_LT(s.member, n) << s.name;
    }
    if (s.type == ShapeType::kMap) {
      EXPECT_LT(s.key, n) << s.name;
      EXPECT_LT(s.value, n) << s.name;
    }
  }
  for (const OperationModel& op : M().operations) {
    EXPECT_LT(op.input, n) << op.name;  // every Kinesis operation has an input shape
    for (std::string_view e : op.errors) {
      const Shape* es = M().find_shape(e);
      ASSERT_NE(es, nullptr) << e;
      EXPECT_TRUE(es->exception) << e;
    }
  }
}

TEST(KinesisModel, ShapeConstraints) {
  const Shape* name = M().find_shape("StreamName");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->type, ShapeType::kString);
  EXPECT_TRUE(name->has_min && name->has_max);
  EXPECT_EQ(name->min, 1);
  EXPECT_EQ(name->max, 128);
  EXPECT_EQ(name->pattern, "[a-zA-Z0-9_.-]+");

  const Shape* data = M().find_shape("Data");
  EXPECT_EQ(data->type, ShapeType::kBlob);
  EXPECT_EQ(data->max, 10485760);

  const Shape* list = M().find_shape("PutRecordsRequestEntryList");
  EXPECT_EQ(list->type, ShapeType::kList);
  EXPECT_EQ(list->max, 500);
  EXPECT_EQ(M().shape(list->member).name, "PutRecordsRequestEntry");

  const Shape* tags = M().find_shape("TagMap");
  EXPECT_EQ(tags->type, ShapeType::kMap);
  EXPECT_EQ(M().shape(tags->key).name, "TagKey");
  EXPECT_EQ(M().shape(tags->value).name, "TagValue");
  EXPECT_TRUE(M().shape(tags->value).has_min);
  EXPECT_EQ(M().shape(tags->value).min, 0);

  EXPECT_TRUE(M().find_shape("ResourceNotFoundException")->exception);
  EXPECT_TRUE(M().find_shape("SubscribeToShardEventStream")->event_stream);
  EXPECT_EQ(M().find_shape("NoSuchShape"), nullptr);
}

TEST(KinesisModel, MembersInAwsValidationOrder) {
  const Shape* in = M().find_shape("PutRecordInput");
  std::vector<std::string_view> names;
  for (const auto& m : in->members) names.push_back(m.name);
  // AWS's order first (kinesalite's exact-message tests), then the model's newer members.
  std::vector<std::string_view> want = {
      "SequenceNumberForOrdering", "PartitionKey", "ExplicitHashKey", "Data", "StreamName", "StreamARN", "StreamId"};
  EXPECT_EQ(names, want);
  EXPECT_TRUE(in->find_member("Data")->required);
  EXPECT_FALSE(in->find_member("StreamName")->required);
  EXPECT_EQ(in->find_member("Unknown"), nullptr);
  EXPECT_EQ(in->find_member("Data")->wire_name, "Data");
}

TEST(KinesisModel, EnumInAwsOrder) {
  const Shape* t = M().find_shape("ShardIteratorType");
  std::vector<std::string_view> values(t->enum_values.begin(), t->enum_values.end());
  std::vector<std::string_view> want = {"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER",
                                        "TRIM_HORIZON"};
  EXPECT_EQ(values, want);
  EXPECT_EQ(M().find_shape("StreamMode")->enum_values.size(), 2u);
}

TEST(Pattern, SimpleClass) {
  EXPECT_TRUE(pattern_matches("[a-zA-Z0-9_.-]+", "my-stream_1.x"));
  EXPECT_FALSE(pattern_matches("[a-zA-Z0-9_.-]+", ""));
  EXPECT_FALSE(pattern_matches("[a-zA-Z0-9_.-]+", "a b"));
  EXPECT_FALSE(pattern_matches("[a-zA-Z0-9_.-]+", "a/b"));
  EXPECT_FALSE(pattern_matches("[a-zA-Z0-9_.-]+", "\xc3\xa9"));
  EXPECT_TRUE(pattern_matches("[a-z0-9]*", ""));
  EXPECT_TRUE(pattern_matches("^[a-zA-Z0-9_\\.\\-]+$", "a.b-c"));
  EXPECT_FALSE(pattern_matches("^[a-zA-Z0-9_\\.\\-]+$", "a+b"));
  EXPECT_TRUE(pattern_matches("[a-zA-Z0-9/!-_.*'()]+", "A=B"));  // !-_ is a range
  EXPECT_TRUE(pattern_matches("", "anything"));
}

TEST(Pattern, KinesisPatternsAreFullMatches) {
  const char* kHashKey = "0|([1-9]\\d{0,38})";
  EXPECT_TRUE(pattern_matches(kHashKey, "0"));
  EXPECT_TRUE(pattern_matches(kHashKey, "340282366920938463463374607431768211455"));
  EXPECT_FALSE(pattern_matches(kHashKey, ""));
  EXPECT_FALSE(pattern_matches(kHashKey, "01"));
  EXPECT_FALSE(pattern_matches(kHashKey, "1a"));
  EXPECT_FALSE(pattern_matches(kHashKey, std::string(40, '1')));

  std::string_view arn = M().find_shape("StreamARN")->pattern;
  EXPECT_TRUE(pattern_matches(arn, "arn:aws:kinesis:us-east-1:123456789012:stream/name"));
  EXPECT_TRUE(pattern_matches(arn, "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/name"));
  EXPECT_FALSE(pattern_matches(arn, "arn:aws:kinesis:us-east-1:12345:stream/name"));
  EXPECT_FALSE(pattern_matches(arn, "xarn:aws:kinesis:us-east-1:123456789012:stream/name"));
  EXPECT_FALSE(pattern_matches(arn, "arn:aws:kinesis:us-east-1:123456789012:stream/"));

  std::string_view consumer = M().find_shape("ConsumerARN")->pattern;
  EXPECT_TRUE(pattern_matches(consumer, "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000"));
  EXPECT_FALSE(pattern_matches(consumer, "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c"));

  std::string_view id = M().find_shape("StreamId")->pattern;
  EXPECT_TRUE(pattern_matches(id, "abcdefghij0123456789-abc"));
  EXPECT_FALSE(pattern_matches(id, "ABCDEFGHIJ0123456789-abc"));
}

TEST(Pattern, EveryKinesisPatternCompiles) {
  for (const Shape& s : M().shapes) {
    if (s.pattern.empty()) continue;
    EXPECT_TRUE(pattern_compiles(s.pattern)) << s.pattern;
  }
}

TEST(Pattern, JavaOnlyConstructsAreTranslated) {
  // Patterns from the Firehose, Analytics and Video models.
  const char* patterns[] = {
      "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
      "^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$",
      "[\\u0001-\\uFFFF]*",
      "arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\\d{1}+:\\d{12}+:application/[a-zA-Z0-9_.-]{1,128}",
      ("jdbc:(redshift|postgresql)://"
       "((?!-)[A-Za-z0-9-]{1,63}(?<!-)\\.)+(redshift(-serverless)?)\\.([a-zA-Z0-9\\.\\-]+):"
       "\\d{1,5}/[a-zA-Z0-9_$-]+"),
      "[a-zA-Z0-9\\\\._\\\\-]+",
      "([a-zA-Z0-9\\-\\_]+\\.){2,3}vpce\\.[a-zA-Z0-9\\-]*\\.vpce-svc\\-[a-zA-Z0-9\\-]{17}$",
      "^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+\\/]{3}=)?$",
      "[^\\n]{11,100}",
  };
  for (const char* p : patterns) EXPECT_TRUE(pattern_compiles(p)) << p << " -> " << java_pattern_to_ecmascript(p);
  EXPECT_FALSE(pattern_compiles("(unclosed"));
  EXPECT_TRUE(pattern_matches("(unclosed", "anything"));  // untranslatable: not enforced

  const char* tag = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
  EXPECT_TRUE(pattern_matches(tag,
                              "\xc3\xbc"
                              "0 _./=+-@"));  // "ü0 _./=+-@"
  EXPECT_FALSE(pattern_matches(tag, "a;b"));
  EXPECT_TRUE(pattern_matches("[\\u0001-\\uFFFF]*", "abc\xc3\xa9"));
  EXPECT_FALSE(pattern_matches("[\\u0001-\\uFFFF]*", std::string("a\0b", 3)));
  EXPECT_TRUE(pattern_matches(patterns[3], "arn:aws:kinesisanalytics:us-east-1:123456789012:application/app"));
  EXPECT_EQ(java_pattern_to_ecmascript("\\d{1}+:\\d{12}+"), "\\d{1}:\\d{12}");
}

TEST(Pattern, OverlongInputSkipsTheRegex) {
  std::string_view arn = M().find_shape("StreamARN")->pattern;
  // std::regex recurses per character; such inputs must not reach it.
  std::string huge = "arn:aws:kinesis:us-east-1:123456789012:stream/" + std::string(1 << 20, 'a');
  EXPECT_TRUE(pattern_matches(arn, huge));
  std::string max_len = "arn:aws:kinesis:us-east-1:123456789012:stream/" + std::string(2000, 'a');
  EXPECT_TRUE(pattern_matches(arn, max_len));
  EXPECT_FALSE(pattern_matches(arn, std::string(kMaxPatternInput, 'x')));
  // HashKey and SequenceNumber have a pattern but no max length in the
  // model: a long value must fail the pattern, not pass it unchecked.
  for (const char* shape : {"HashKey", "SequenceNumber"}) {
    std::string_view p = M().find_shape(shape)->pattern;
    ASSERT_FALSE(p.empty()) << shape;
    EXPECT_FALSE(pattern_matches(p, "1" + std::string(kMaxPatternInput, '0'))) << shape;
    EXPECT_FALSE(pattern_matches(p, std::string(1 << 20, '9'))) << shape;
    EXPECT_FALSE(pattern_matches(p, std::string(kMaxPatternInput + 1, 'x'))) << shape;
    EXPECT_TRUE(pattern_matches(p, "12345")) << shape;
  }
}

TEST(Pattern, ConcurrentFirstUse) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string p = "[a-z]{" + std::to_string(1 + (i + t) % 20) + "}x";
        std::string s(static_cast<size_t>(1 + (i + t) % 20), 'a');
        if (!pattern_matches(p, s + "x")) failures++;
        if (pattern_matches(p, s)) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace runnel::protocol
