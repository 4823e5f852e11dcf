#include "protocol/validator.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/base64.h"
#include "protocol/test_models.h"

// Expected messages are AWS's, as kinesalite's test suite asserts them against
// the real service (mhart/kinesalite test/*.js), adapted where botocore's
// current model differs from the 2014-2019 model (e.g. CreateStream's
// ShardCount and most StreamNames are no longer required).

namespace runnel::protocol {
namespace {

const ServiceModel& M() { return kinesis_model(); }

ApiResult<void> run(std::string_view op_name, Value& input, WireFormat format = WireFormat::kJson) {
  const OperationModel* op = M().find_operation(op_name);
  EXPECT_NE(op, nullptr) << op_name;
  return validate_input(M(), *op, input, format);
}

// The ValidationException message for `input`, or "<ok>"/"<Type: message>".
std::string validation(std::string_view op, Value input) {
  auto r = run(op, input);
  if (r) return "<ok>";
  if (r.error().type != "ValidationException") return "<" + r.error().type + ": " + r.error().message + ">";
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_FALSE(r.error().capital_message_key);
  return r.error().message;
}

std::string serialization(std::string_view op, Value input, WireFormat format = WireFormat::kJson) {
  auto r = run(op, input, format);
  if (r) return "<ok>";
  if (r.error().type != "SerializationException") return "<" + r.error().type + ": " + r.error().message + ">";
  EXPECT_TRUE(r.error().capital_message_key);
  return r.error().message;
}

std::string a(size_t n) { return std::string(n, 'a'); }

constexpr const char* kNameRegex = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";

// ---------------------------------------------------------------------------
// ValidationException texts

TEST(Validation, CreateStreamMissingName) {
  EXPECT_EQ(validation("CreateStream", Object{}),
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Validation, CreateStreamEmptyNameAndZeroShards) {
  EXPECT_EQ(validation("CreateStream", Object{{"StreamName", ""}, {"ShardCount", 0}}),
            std::string("3 validation errors detected: "
                        "Value '0' at 'shardCount' failed to satisfy constraint: "
                        "Member must have value greater than or equal to 1; "
                        "Value '' at 'streamName' failed to satisfy constraint: ") +
                kNameRegex +
                "; Value '' at 'streamName' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1");
}

TEST(Validation, CreateStreamLongNameHugeShardCount) {
  std::string name = a(129);
  // 100000000000 does not fit an Integer: AWS clamps it and finds it valid.
  EXPECT_EQ(validation("CreateStream", Object{{"StreamName", name}, {"ShardCount", int64_t{100000000000}}}),
            "1 validation error detected: Value '" + name +
                "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128");
}

TEST(Validation, BadPattern) {
  EXPECT_EQ(validation("DescribeStreamSummary", Object{{"StreamName", "x y"}}),
            std::string("1 validation error detected: Value 'x y' at 'streamName' failed to satisfy constraint: ") +
                kNameRegex);
}

TEST(Validation, ValidInputsPass) {
  EXPECT_EQ(validation("CreateStream", Object{{"StreamName", "s"}, {"ShardCount", 1}}), "<ok>");
  EXPECT_EQ(validation("PutRecord", Object{{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", ""}}), "<ok>");
  EXPECT_EQ(validation("ListStreams", Object{}), "<ok>");
  EXPECT_EQ(validation("DescribeLimits", Object{}), "<ok>");
  EXPECT_EQ(validation("GetShardIterator", Object{{"StreamARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s"},
                                                  {"ShardId", "shardId-000000000000"},
                                                  {"ShardIteratorType", "AT_TIMESTAMP"},
                                                  {"Timestamp", 1459799926.48}}),
            "<ok>");
}

TEST(Validation, PutRecordMissingMembers) {
  EXPECT_EQ(validation("PutRecord", Object{}),
            "2 validation errors detected: "
            "Value null at 'partitionKey' failed to satisfy constraint: Member must not be null; "
            "Value null at 'data' failed to satisfy constraint: Member must not be null");
}

TEST(Validation, PutRecordAllEmpty) {
  EXPECT_EQ(validation("PutRecord", Object{{"StreamName", ""},
                                           {"PartitionKey", ""},
                                           {"Data", ""},
                                           {"ExplicitHashKey", ""},
                                           {"SequenceNumberForOrdering", ""}}),
            std::string("5 validation errors detected: "
                        "Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); "
                        "Value '' at 'partitionKey' failed to satisfy constraint: "
                        "Member must have length greater than or equal to 1; "
                        "Value '' at 'explicitHashKey' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
                        "Value '' at 'streamName' failed to satisfy constraint: ") +
                kNameRegex +
                "; Value '' at 'streamName' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1");
}

TEST(Validation, PutRecordTooLong) {
  std::string name = a(129), key = a(257);
  std::string data = base64_encode(std::string(10485761, '\0'));
  EXPECT_EQ(validation("PutRecord",
                       Object{{"StreamName", name}, {"PartitionKey", key}, {"Data", data}, {"ExplicitHashKey", ""}}),
            "4 validation errors detected: "
            "Value '" +
                key +
                "' at 'partitionKey' failed to satisfy constraint: "
                "Member must have length less than or equal to 256; "
                "Value '' at 'explicitHashKey' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
                "Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'data' failed to satisfy "
                "constraint: Member must have length less than or equal to 10485760; "
                "Value '" +
                name +
                "' at 'streamName' failed to satisfy constraint: "
                "Member must have length less than or equal to 128");
}

// HashKey has a pattern and no max length: a value past the pattern
// matcher's long-input shortcut (kMaxPatternInput) must still fail it.
TEST(Validation, OverlongExplicitHashKeyFailsThePattern) {
  const std::string key = "1" + std::string(2048, '0');
  EXPECT_EQ(validation("PutRecord",
                       Object{{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", "aGk="}, {"ExplicitHashKey", key}}),
            "1 validation error detected: Value '" + key +
                "' at 'explicitHashKey' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
}

TEST(Validation, LengthCountsUtf16CodeUnits) {
  std::string e_acute;  // 256 x U+00E9: 512 bytes, 256 UTF-16 units
  for (int i = 0; i < 256; ++i) e_acute += "\xc3\xa9";
  EXPECT_EQ(validation("PutRecord", Object{{"PartitionKey", e_acute}, {"Data", ""}}), "<ok>");
  std::string emoji;  // 129 x U+1F600: 258 UTF-16 units
  for (int i = 0; i < 129; ++i) emoji += "\xf0\x9f\x98\x80";
  EXPECT_EQ(validation("PutRecord", Object{{"PartitionKey", emoji}, {"Data", ""}}),
            "1 validation error detected: Value '" + emoji +
                "' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256");
}

TEST(Validation, PutRecordsEmptyList) {
  EXPECT_EQ(validation("PutRecords", Object{{"StreamName", "s"}, {"Records", Array{}}}),
            "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  EXPECT_EQ(validation("PutRecords", Object{{"StreamName", "s"}}),
            "1 validation error detected: Value null at 'records' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Validation, PutRecordsNestedMembers) {
  Value record = Object{{"PartitionKey", ""}, {"Data", ""}, {"ExplicitHashKey", ""}};
  EXPECT_EQ(validation("PutRecords", Object{{"StreamName", ""}, {"Records", Array{record}}}),
            std::string("4 validation errors detected: "
                        "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: "
                        "Member must have length greater than or equal to 1; "
                        "Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); "
                        "Value '' at 'streamName' failed to satisfy constraint: ") +
                kNameRegex +
                "; Value '' at 'streamName' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1");
}

TEST(Validation, PutRecordsSecondRecordMissingData) {
  Value good = Object{{"PartitionKey", "a"}, {"Data", "aGk="}};
  Value bad = Object{{"PartitionKey", "a"}};
  EXPECT_EQ(validation("PutRecords", Object{{"StreamName", "s"}, {"Records", Array{good, bad}}}),
            "1 validation error detected: Value null at 'records.2.member.data' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(validation("PutRecords", Object{{"StreamName", "s"}, {"Records", Array{good, nullptr}}}),
            "1 validation error detected: Value null at 'records.2.member' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Validation, PutRecords501RecordsListsTenErrors) {
  Array records;
  for (int i = 0; i < 501; ++i) records.push_back(Object{{"PartitionKey", ""}, {"Data", ""}});
  std::string msg = validation("PutRecords", Object{{"StreamName", ""}, {"Records", records}});
  const std::string prefix =
      "10 validation errors detected: Value '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@";
  ASSERT_EQ(msg.substr(0, prefix.size()), prefix);
  // The list prints all 501 elements, all alike.
  std::string element = msg.substr(msg.find("'[") + 2, msg.find(", ") - msg.find("'[") - 2);
  std::string list = "[" + element;
  for (int i = 1; i < 501; ++i) list += ", " + element;
  list += "]";
  std::string want = "10 validation errors detected: Value '" + list +
                     "' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500";
  for (int i = 1; i <= 9; ++i)
    want += "; Value '' at 'records." + std::to_string(i) +
            ".member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1";
  EXPECT_EQ(msg, want);
}

TEST(Validation, AtMostTenErrors) {
  Array records;
  for (int i = 0; i < 20; ++i) records.push_back(Object{{"PartitionKey", ""}, {"Data", ""}});
  std::string msg = validation("PutRecords", Object{{"StreamName", ""}, {"Records", records}});
  EXPECT_EQ(msg.rfind("10 validation errors detected: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("'records.10.member.partitionKey'"), std::string::npos);
  EXPECT_EQ(msg.find("'records.11.member.partitionKey'"), std::string::npos);
  EXPECT_EQ(msg.find("streamName"), std::string::npos);
}

TEST(Validation, GetShardIteratorAllEmpty) {
  EXPECT_EQ(validation(
                "GetShardIterator",
                Object{{"StreamName", ""}, {"ShardIteratorType", ""}, {"ShardId", ""}, {"StartingSequenceNumber", ""}}),
            std::string("6 validation errors detected: "
                        "Value '' at 'shardId' failed to satisfy constraint: ") +
                kNameRegex +
                "; Value '' at 'shardId' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1; "
                "Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
                "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]; "
                "Value '' at 'startingSequenceNumber' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); "
                "Value '' at 'streamName' failed to satisfy constraint: " +
                kNameRegex +
                "; Value '' at 'streamName' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1");
  EXPECT_EQ(validation("GetShardIterator", Object{}),
            "2 validation errors detected: "
            "Value null at 'shardId' failed to satisfy constraint: Member must not be null; "
            "Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null");
}

TEST(Validation, ListShardsNestedStructureAndLimits) {
  EXPECT_EQ(validation("ListShards", Object{{"StreamName", "s"}, {"ShardFilter", Object{{"Type", "BAD"}}}}),
            "1 validation error detected: Value 'BAD' at 'shardFilter.type' failed to satisfy constraint: "
            "Member must satisfy enum value set: "
            "[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]");
  EXPECT_EQ(validation("ListShards", Object{{"ShardFilter", Object{}}}),
            "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(validation("ListShards", Object{{"MaxResults", 0}, {"ExclusiveStartShardId", ""}}),
            std::string("3 validation errors detected: "
                        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: ") +
                kNameRegex +
                "; Value '' at 'exclusiveStartShardId' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1; "
                "Value '0' at 'maxResults' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1");
  EXPECT_EQ(validation("ListShards", Object{{"MaxResults", 10001}}),
            "1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000");
}

TEST(Validation, SubscribeToShardStartingPosition) {
  EXPECT_EQ(validation("SubscribeToShard",
                       Object{{"ConsumerARN", "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1"},
                              {"ShardId", "shardId-000000000000"},
                              {"StartingPosition", Object{{"Type", "NOPE"}}}}),
            "1 validation error detected: Value 'NOPE' at 'startingPosition.type' failed to satisfy constraint: "
            "Member must satisfy enum value set: "
            "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
}

TEST(Validation, ListOfStringsReportsOnceForTheList) {
  std::string name = a(129);
  EXPECT_EQ(
      validation("RemoveTagsFromStream", Object{{"StreamName", "s"}, {"TagKeys", Array{"a", name, "b"}}}),
      "1 validation error detected: Value '[a, " + name +
          ", b]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
          "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]");
  Array many;
  for (int i = 1; i <= 51; ++i) many.push_back(std::to_string(i));
  std::string msg = validation("RemoveTagsFromStream", Object{{"StreamName", "s"}, {"TagKeys", many}});
  EXPECT_EQ(msg.rfind("1 validation error detected: Value '[1, 2, 3, ", 0), 0u) << msg;
  EXPECT_NE(
      msg.find(", 51]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"),
      std::string::npos)
      << msg;
}

TEST(Validation, MapKeysAndValues) {
  EXPECT_EQ(validation("AddTagsToStream", Object{{"StreamName", "s"}, {"Tags", Object{}}}),
            "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  std::string long_value = a(257);
  EXPECT_EQ(
      validation("AddTagsToStream", Object{{"StreamName", "s"}, {"Tags", Object{{"a", "1"}, {"c", long_value}}}}),
      "1 validation error detected: Value '{a=1, c=" + long_value +
          "}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: "
          "[Member must have length less than or equal to 256, Member must have length greater than or equal to 0]");
  std::string long_key = a(129);
  EXPECT_EQ(
      validation("AddTagsToStream", Object{{"StreamName", "s"}, {"Tags", Object{{long_key, "3"}}}}),
      "1 validation error detected: Value '{" + long_key +
          "=3}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
          "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]");
}

TEST(Validation, CreateStreamNestedRequiredAndEnum) {
  EXPECT_EQ(validation("CreateStream", Object{{"StreamName", "s"}, {"StreamModeDetails", Object{}}}),
            "1 validation error detected: Value null at 'streamModeDetails.streamMode' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(
      validation("CreateStream", Object{{"StreamName", "s"}, {"StreamModeDetails", Object{{"StreamMode", "FAST"}}}}),
      "1 validation error detected: Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy "
      "constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
}

// ---------------------------------------------------------------------------
// SerializationException texts

TEST(Serialization, IntegerMember) {
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", "s"}, {"ShardCount", "23"}}),
            "class java.lang.String can not be converted to an Integer");
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", "s"}, {"ShardCount", true}}),
            "class java.lang.Boolean can not be converted to an Integer");
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", "s"}, {"ShardCount", Array{}}}),
            "Start of list found where not expected");
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", "s"}, {"ShardCount", Object{}}}),
            "Start of structure or map found where not expected.");
}

TEST(Serialization, StringMember) {
  EXPECT_EQ(serialization("DescribeStreamSummary", Object{{"StreamName", 23}}),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  EXPECT_EQ(serialization("DescribeStreamSummary", Object{{"StreamName", 34.56}}),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  EXPECT_EQ(serialization("DescribeStreamSummary", Object{{"StreamName", true}}),
            "class java.lang.Boolean can not be converted to an String");
  EXPECT_EQ(serialization("DescribeStreamSummary", Object{{"StreamName", Object{}}}),
            "Start of structure or map found where not expected.");
}

TEST(Serialization, BlobMember) {
  auto put = [](Value data) { return Object{{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", std::move(data)}}; };
  EXPECT_EQ(serialization("PutRecord", put("23456")),
            "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but "
            "found: 5");
  EXPECT_EQ(serialization("PutRecord", put("=+/=")),
            "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='");
  EXPECT_EQ(serialization("PutRecord", put("ab!d")),
            "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'");
  EXPECT_EQ(serialization("PutRecord", put("+/+=")),
            "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(serialization("PutRecord", put(true)), "class java.lang.Boolean can not be converted to a Blob");
  EXPECT_EQ(serialization("PutRecord", put(23)),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob");
  EXPECT_EQ(serialization("PutRecord", put(Array{})), "Start of list found where not expected");
}

TEST(Serialization, ListMapAndStructureMembers) {
  EXPECT_EQ(serialization("PutRecords", Object{{"Records", "x"}}), "Expected list or null");
  EXPECT_EQ(serialization("PutRecords", Object{{"Records", 23}}), "Expected list or null");
  EXPECT_EQ(serialization("PutRecords", Object{{"Records", Object{}}}),
            "Start of structure or map found where not expected.");
  EXPECT_EQ(serialization("PutRecords", Object{{"Records", Array{5}}}), "Expected null");
  EXPECT_EQ(serialization("PutRecords", Object{{"Records", Array{Array{}}}}), "Start of list found where not expected");
  EXPECT_EQ(serialization("PutRecords", Object{{"Records", Array{Object{{"Data", false}}}}}),
            "class java.lang.Boolean can not be converted to a Blob");
  EXPECT_EQ(serialization("AddTagsToStream", Object{{"Tags", "x"}}), "Expected map or null");
  EXPECT_EQ(serialization("AddTagsToStream", Object{{"Tags", Array{}}}), "Start of list found where not expected");
  EXPECT_EQ(serialization("AddTagsToStream", Object{{"Tags", Object{{"a", 1}}}}),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  EXPECT_EQ(serialization("ListShards", Object{{"ShardFilter", "x"}}), "Expected null");
  EXPECT_EQ(serialization("ListShards", Value("not an object")), "Expected null");
}

TEST(Serialization, TimestampAndBooleanMembers) {
  EXPECT_EQ(serialization("ListShards", Object{{"StreamCreationTimestamp", "2016-01-01"}}),
            "class java.lang.String can not be converted to milliseconds since epoch");
  EXPECT_EQ(serialization("ListShards", Object{{"StreamCreationTimestamp", true}}),
            "class java.lang.Boolean can not be converted to milliseconds since epoch");
  EXPECT_EQ(serialization("DeleteStream", Object{{"EnforceConsumerDeletion", "23"}}),
            "'23' can not be converted to an Boolean");
  EXPECT_EQ(serialization("DeleteStream", Object{{"EnforceConsumerDeletion", "hello"}}),
            "'HELLO' can not be converted to an Boolean");
  EXPECT_EQ(serialization("DeleteStream", Object{{"EnforceConsumerDeletion", 23}}),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean");
  EXPECT_EQ(serialization("DeleteStream", Object{{"EnforceConsumerDeletion", Object{}}}),
            "Start of structure or map found where not expected.");
}

TEST(Serialization, ComesBeforeValidationAndFollowsDocumentOrder) {
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", ""}, {"ShardCount", "x"}}),
            "class java.lang.String can not be converted to an Integer");
  EXPECT_EQ(serialization("CreateStream", Object{{"ShardCount", "x"}, {"StreamName", 5}}),
            "class java.lang.String can not be converted to an Integer");
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", 5}, {"ShardCount", "x"}}),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
}

TEST(Serialization, UnknownMembersAreNotTypeChecked) {
  EXPECT_EQ(serialization("CreateStream", Object{{"StreamName", "s"}, {"Bogus", Object{{"x", Array{}}}}}), "<ok>");
}

// ---------------------------------------------------------------------------
// Conversion to model types

TEST(Conversion, JsonBlobTimestampAndNumbers) {
  Value in = Object{
      {"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", "aGk="}, {"Unknown", 1}, {"ExplicitHashKey", nullptr}};
  ASSERT_TRUE(run("PutRecord", in));
  EXPECT_EQ(in, Value(Object{{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", Blob{"hi"}}}));

  Value ts = Object{{"StreamCreationTimestamp", 1459799926.48}, {"MaxResults", 2.7}};
  ASSERT_TRUE(run("ListShards", ts));
  EXPECT_EQ(*ts.find("StreamCreationTimestamp"), Value(Timestamp{1459799926480}));
  EXPECT_EQ(*ts.find("MaxResults"), Value(2));

  Value whole = Object{{"StreamCreationTimestamp", 1459799926}};
  ASSERT_TRUE(run("ListShards", whole));
  EXPECT_EQ(*whole.find("StreamCreationTimestamp"), Value(Timestamp{1459799926000}));

  Value flag = Object{{"StreamName", "s"}, {"EnforceConsumerDeletion", "True"}};
  ASSERT_TRUE(run("DeleteStream", flag));
  EXPECT_EQ(*flag.find("EnforceConsumerDeletion"), Value(true));
}

TEST(Conversion, IntegerClampedToJavaInt) {
  auto r = validation("ListShards", Object{{"MaxResults", 1e20}});
  EXPECT_EQ(r,
            "1 validation error detected: Value '2147483647' at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000");
  r = validation("ListShards", Object{{"MaxResults", int64_t{-5000000000}}});
  EXPECT_EQ(r,
            "1 validation error detected: Value '-2147483648' at 'maxResults' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
}

TEST(Conversion, CborBlobAndMillis) {
  Value in = Object{{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", Blob{std::string("\0\1", 2)}}};
  ASSERT_TRUE(run("PutRecord", in, WireFormat::kCbor));
  EXPECT_EQ(in.find("Data")->as_blob().bytes, std::string("\0\1", 2));

  Value ts = Object{{"StreamCreationTimestamp", int64_t{1459799926480}}};
  ASSERT_TRUE(run("ListShards", ts, WireFormat::kCbor));
  EXPECT_EQ(*ts.find("StreamCreationTimestamp"), Value(Timestamp{1459799926480}));

  Value tagged = Object{{"StreamCreationTimestamp", Timestamp{42}}};
  ASSERT_TRUE(run("ListShards", tagged, WireFormat::kCbor));
  EXPECT_EQ(*tagged.find("StreamCreationTimestamp"), Value(Timestamp{42}));

  EXPECT_EQ(serialization("DescribeStreamSummary", Object{{"StreamName", Blob{"x"}}}, WireFormat::kCbor),
            "class java.nio.HeapByteBuffer can not be converted to an String");
}

TEST(Conversion, NullBodyAndDuplicates) {
  Value none;
  ASSERT_TRUE(run("ListStreams", none));
  EXPECT_EQ(none, Value(Object{}));

  Value dup = Object{{"StreamName", "first"}, {"StreamName", "second"}};
  ASSERT_TRUE(run("DescribeStreamSummary", dup));
  EXPECT_EQ(dup, Value(Object{{"StreamName", "second"}}));

  Value nulls = Object{{"StreamName", nullptr}};
  EXPECT_EQ(validation("CreateStream", nulls),
            "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
            "Member must not be null");
}

TEST(Helpers, Utf16LengthAndLowerFirst) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xc3\xa9"), 1u);
  EXPECT_EQ(utf16_length("\xe2\x82\xac"), 1u);
  EXPECT_EQ(utf16_length("\xf0\x9f\x98\x80"), 2u);
  // Past the eight-byte ASCII runs: multi-byte characters at every offset.
  for (size_t ascii = 0; ascii < 20; ++ascii) {
    const std::string prefix(ascii, 'k');
    EXPECT_EQ(utf16_length(prefix), ascii);
    EXPECT_EQ(utf16_length(prefix + "\xc3\xa9" + prefix), 2 * ascii + 1) << ascii;
    EXPECT_EQ(utf16_length(prefix + "\xf0\x9f\x98\x80" + "abcdefghij"), ascii + 12) << ascii;
  }
  EXPECT_EQ(lower_first("StreamName"), "streamName");
  EXPECT_EQ(lower_first("streamName"), "streamName");
  EXPECT_EQ(lower_first(""), "");
}

}  // namespace
}  // namespace runnel::protocol
