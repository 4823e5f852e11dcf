// The control plane through the operation table (validator included):
// streams, versions, retention, tags, channels, stored configurations,
// CREATING/DELETING by the clock, and everything surviving a reopen of the
// metadata store.
#include <gtest/gtest.h>

#include "video/persistence.h"
#include "video/video_test_support.h"

namespace runnel::video {
namespace {

class VideoCatalog : public VideoFixture {};

TEST_F(VideoCatalog, CreateGivesArnVersionAndDefaults) {
  protocol::Value out = ok("CreateStream", R"({"StreamName":"cam","MediaType":"video/h264"})");
  EXPECT_EQ(out.find("StreamARN")->as_string(), "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1700000000000");
  EXPECT_EQ(info("cam", "Status"), "ACTIVE");  // create_stream_ms 0: ACTIVE at the next call
  EXPECT_EQ(info("cam", "DataRetentionInHours"), "0");
  EXPECT_EQ(info("cam", "KmsKeyId"), "arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo");
  EXPECT_EQ(info("cam", "MediaType"), "video/h264");
  EXPECT_EQ(info("cam", "DeviceName"), "<absent>");
  EXPECT_EQ(info("cam", "Version").size(), 20u);
  EXPECT_EQ(error_type("CreateStream", R"({"StreamName":"cam"})"), "ResourceInUseException");
}

TEST_F(VideoCatalog, ModelConstraintsAreChecked) {
  EXPECT_NE(error_type("CreateStream", R"({"StreamName":"bad name"})"), "OK");
  EXPECT_NE(error_type("CreateStream", R"({"StreamName":""})"), "OK");
  EXPECT_NE(error_type("CreateStream", R"({"StreamName":"a","DataRetentionInHours":-1})"), "OK");
  EXPECT_NE(error_type("CreateStream", R"({"StreamName":"a","MediaType":"h264"})"), "OK");
  EXPECT_NE(error_type("CreateStream", R"({"StreamName":"a","DeviceName":"x y"})"), "OK");
  EXPECT_EQ(json("CreateStream", R"({"StreamName":"a","DataRetentionInHours":87601})"),
            "InvalidArgumentException: DataRetentionInHours must be between 0 and 87600 hours, not 87601.");
  EXPECT_EQ(error_type("CreateStream", R"({"StreamName":"a","DataRetentionInHours":87600})"), "OK");
}

TEST_F(VideoCatalog, NotFoundIsAws404) {
  auto r = call("DescribeStream", R"({"StreamName":"nope"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_EQ(r.error().message, "The requested stream is not found or not active.");
  EXPECT_EQ(error_type("DescribeStream", "{}"), "InvalidArgumentException");
}

TEST_F(VideoCatalog, DescribeByArnChecksTheWholeArn) {
  std::string arn = ok("CreateStream", R"({"StreamName":"cam"})").find("StreamARN")->as_string();
  EXPECT_EQ(error_type("DescribeStream", R"({"StreamARN":")" + arn + R"("})"), "OK");
  EXPECT_EQ(error_type("DescribeStream", R"({"StreamARN":"arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1"})"),
            "ResourceNotFoundException");
  EXPECT_EQ(error_type("DescribeStream", R"({"StreamName":"other","StreamARN":")" + arn + R"("})"),
            "InvalidArgumentException");
  EXPECT_EQ(error_type("DescribeStream",
                       R"({"StreamARN":"arn:aws:kinesisvideo:us-east-1:000000000000:channel/cam/1700000000000"})"),
            "InvalidArgumentException");
}

TEST_F(VideoCatalog, VersionsGuardUpdatesAndDeletes) {
  std::string arn = ok("CreateStream", R"({"StreamName":"cam"})").find("StreamARN")->as_string();
  std::string v1 = info("cam", "Version");
  ok("UpdateStream", R"({"StreamName":"cam","CurrentVersion":")" + v1 + R"(","DeviceName":"d1"})");
  std::string v2 = info("cam", "Version");
  EXPECT_NE(v1, v2);
  EXPECT_EQ(error_type("UpdateStream", R"({"StreamName":"cam","CurrentVersion":")" + v1 + R"(","DeviceName":"d2"})"),
            "VersionMismatchException");
  EXPECT_EQ(info("cam", "DeviceName"), "d1");
  EXPECT_EQ(error_type("DeleteStream", R"({"StreamARN":")" + arn + R"(","CurrentVersion":")" + v1 + R"("})"),
            "VersionMismatchException");
  ok("DeleteStream", R"({"StreamARN":")" + arn + R"(","CurrentVersion":")" + v2 + R"("})");
  EXPECT_EQ(error_type("DescribeStream", R"({"StreamName":"cam"})"), "ResourceNotFoundException");
}

TEST_F(VideoCatalog, DataRetentionIncreasesAndDecreasesWithinRange) {
  ok("CreateStream", R"({"StreamName":"cam","DataRetentionInHours":5})");
  auto change = [&](const char* op, int hours) {
    return error_type("UpdateDataRetention", R"({"StreamName":"cam","CurrentVersion":")" + info("cam", "Version") +
                                                 R"(","Operation":")" + op + R"(","DataRetentionChangeInHours":)" +
                                                 std::to_string(hours) + "}");
  };
  EXPECT_EQ(change("INCREASE_DATA_RETENTION", 10), "OK");
  EXPECT_EQ(info("cam", "DataRetentionInHours"), "15");
  EXPECT_EQ(change("DECREASE_DATA_RETENTION", 15), "OK");
  EXPECT_EQ(info("cam", "DataRetentionInHours"), "0");
  EXPECT_EQ(change("DECREASE_DATA_RETENTION", 1), "InvalidArgumentException");
  EXPECT_EQ(change("INCREASE_DATA_RETENTION", 87601), "InvalidArgumentException");
  EXPECT_EQ(change("INCREASE_DATA_RETENTION", 87600), "OK");
  EXPECT_EQ(info("cam", "DataRetentionInHours"), "87600");
}

TEST_F(VideoCatalog, CreatingAndDeletingFollowTheClock) {
  reopen();
  options_.create_stream_ms = 3000;
  options_.delete_stream_ms = 2000;
  reopen();
  std::string arn = ok("CreateStream", R"({"StreamName":"cam"})").find("StreamARN")->as_string();
  EXPECT_EQ(info("cam", "Status"), "CREATING");
  EXPECT_EQ(error_type("UpdateStream", R"({"StreamName":"cam","CurrentVersion":"x"})"), "ResourceInUseException");
  clock_ms_ += 3000;
  EXPECT_EQ(info("cam", "Status"), "ACTIVE");
  ok("DeleteStream", R"({"StreamARN":")" + arn + R"("})");
  EXPECT_EQ(info("cam", "Status"), "DELETING");
  EXPECT_EQ(error_type("TagStream", R"({"StreamName":"cam","Tags":{"a":"b"}})"), "ResourceNotFoundException");
  EXPECT_EQ(error_type("CreateStream", R"({"StreamName":"cam"})"), "ResourceInUseException");
  // A restart while DELETING finishes the deletion when its time comes.
  reopen();
  EXPECT_EQ(info("cam", "Status"), "DELETING");
  clock_ms_ += 2000;
  EXPECT_EQ(error_type("DescribeStream", R"({"StreamName":"cam"})"), "ResourceNotFoundException");
  reopen();
  EXPECT_EQ(error_type("DescribeStream", R"({"StreamName":"cam"})"), "ResourceNotFoundException");
}

TEST_F(VideoCatalog, ListStreamsPagesByNameWithACondition) {
  for (const char* n : {"b-1", "a-1", "a-3", "a-2", "c"})
    ok("CreateStream", R"({"StreamName":")" + std::string(n) + "\"}");
  protocol::Value page =
      ok("ListStreams",
         R"({"MaxResults":2,"StreamNameCondition":{"ComparisonOperator":"BEGINS_WITH","ComparisonValue":"a-"}})");
  const auto& list = page.find("StreamInfoList")->as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].find("StreamName")->as_string(), "a-1");
  EXPECT_EQ(list[1].find("StreamName")->as_string(), "a-2");
  std::string token = page.find("NextToken")->as_string();
  protocol::Value rest =
      ok("ListStreams", R"({"MaxResults":2,"NextToken":")" + token +
                            R"(","StreamNameCondition":{"ComparisonOperator":"BEGINS_WITH","ComparisonValue":"a-"}})");
  ASSERT_EQ(rest.find("StreamInfoList")->as_array().size(), 1u);
  EXPECT_EQ(rest.find("StreamInfoList")->as_array()[0].find("StreamName")->as_string(), "a-3");
  EXPECT_EQ(rest.find("NextToken"), nullptr);
  EXPECT_EQ(ok("ListStreams", "{}").find("StreamInfoList")->as_array().size(), 5u);
  EXPECT_EQ(error_type("ListStreams", R"({"NextToken":"abc"})"), "InvalidArgumentException");
}

TEST_F(VideoCatalog, TagsMergeRemoveAndStopAtFifty) {
  std::string arn = ok("CreateStream", R"({"StreamName":"cam","Tags":{"a":"1"}})").find("StreamARN")->as_string();
  ok("TagStream", R"({"StreamName":"cam","Tags":{"a":"2","b":"3"}})");
  EXPECT_EQ(json("ListTagsForStream", R"({"StreamName":"cam"})"), R"({"Tags":{"a":"2","b":"3"}})");
  ok("UntagResource", R"({"ResourceARN":")" + arn + R"(","TagKeyList":["a"]})");
  EXPECT_EQ(json("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})"), R"({"Tags":{"b":"3"}})");
  std::string many = "{";
  for (int i = 0; i < 49; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
  many += "}";
  ok("TagStream", R"({"StreamName":"cam","Tags":)" + many + "}");
  auto r = call("TagResource", R"({"ResourceARN":")" + arn + R"(","Tags":[{"Key":"one-more","Value":"x"}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "TagsPerResourceExceededLimitException");
  EXPECT_EQ(error_type("TagStream", R"({"StreamName":"cam","Tags":{"aws:x":"y"}})"), "InvalidArgumentException");
}

TEST_F(VideoCatalog, GetDataEndpointIsThisServerForEveryApi) {
  ok("CreateStream", R"({"StreamName":"cam"})");
  for (const char* api :
       {"PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST", "GET_HLS_STREAMING_SESSION_URL",
        "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES"}) {
    EXPECT_EQ(json("GetDataEndpoint", R"({"StreamName":"cam","APIName":")" + std::string(api) + "\"}"),
              R"({"DataEndpoint":"http://127.0.0.1:4567"})");
  }
  host_ = "video.local:9000";
  EXPECT_EQ(json("GetDataEndpoint", R"({"StreamName":"cam","APIName":"GET_MEDIA"})"),
            R"({"DataEndpoint":"http://video.local:9000"})");
  EXPECT_EQ(error_type("GetDataEndpoint", R"({"StreamName":"nope","APIName":"GET_MEDIA"})"),
            "ResourceNotFoundException");
  EXPECT_NE(error_type("GetDataEndpoint", R"({"StreamName":"cam","APIName":"GET_NOTHING"})"), "OK");
}

TEST_F(VideoCatalog, ConfigurationsNeedRetentionAndAreStored) {
  ok("CreateStream", R"({"StreamName":"cam"})");
  EXPECT_EQ(json("DescribeNotificationConfiguration", R"({"StreamName":"cam"})"), "{}");
  const std::string image =
      R"({"Status":"ENABLED","ImageSelectorType":"PRODUCER_TIMESTAMP","DestinationConfig":{"Uri":"s3://b/p","DestinationRegion":"us-east-1"},"SamplingInterval":1000,"Format":"PNG"})";
  EXPECT_EQ(error_type("UpdateImageGenerationConfiguration",
                       R"({"StreamName":"cam","ImageGenerationConfiguration":)" + image + "}"),
            "NoDataRetentionException");
  ok("UpdateDataRetention", R"({"StreamName":"cam","CurrentVersion":")" + info("cam", "Version") +
                                R"(","Operation":"INCREASE_DATA_RETENTION","DataRetentionChangeInHours":1})");
  ok("UpdateImageGenerationConfiguration", R"({"StreamName":"cam","ImageGenerationConfiguration":)" + image + "}");
  reopen();
  EXPECT_EQ(json("DescribeImageGenerationConfiguration", R"({"StreamName":"cam"})"),
            R"({"ImageGenerationConfiguration":)" + image + "}");
  // An update without a configuration removes it.
  ok("UpdateImageGenerationConfiguration", R"({"StreamName":"cam"})");
  EXPECT_EQ(json("DescribeImageGenerationConfiguration", R"({"StreamName":"cam"})"), "{}");
}

TEST_F(VideoCatalog, SignalingChannelsAreStored) {
  std::string arn = ok("CreateSignalingChannel", R"({"ChannelName":"door","Tags":[{"Key":"k","Value":"v"}]})")
                        .find("ChannelARN")
                        ->as_string();
  EXPECT_EQ(arn, "arn:aws:kinesisvideo:us-east-1:000000000000:channel/door/1700000000000");
  protocol::Value d = ok("DescribeSignalingChannel", R"({"ChannelName":"door"})");
  const protocol::Value* ci = d.find("ChannelInfo");
  EXPECT_EQ(ci->find("ChannelStatus")->as_string(), "ACTIVE");
  EXPECT_EQ(ci->find("ChannelType")->as_string(), "SINGLE_MASTER");
  EXPECT_EQ(protocol::encode_json(*ci->find("SingleMasterConfiguration")), R"({"MessageTtlSeconds":60})");
  EXPECT_EQ(json("ListTagsForResource", R"({"ResourceARN":")" + arn + R"("})"), R"({"Tags":{"k":"v"}})");
  EXPECT_EQ(error_type("CreateSignalingChannel", R"({"ChannelName":"door"})"), "ResourceInUseException");
  reopen();
  EXPECT_EQ(ok("ListSignalingChannels", "{}").find("ChannelInfoList")->as_array().size(), 1u);
  auto r = call("GetSignalingChannelEndpoint", R"({"ChannelARN":")" + arn + R"("})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "InvalidArgumentException");
  EXPECT_NE(r.error().message.find("GetSignalingChannelEndpoint"), std::string::npos);
  ok("DeleteSignalingChannel", R"({"ChannelARN":")" + arn + R"("})");
  EXPECT_EQ(error_type("DescribeSignalingChannel", R"({"ChannelName":"door"})"), "ResourceNotFoundException");
}

TEST_F(VideoCatalog, EveryOperationOfTheModelIsAnswered) {
  EXPECT_TRUE(table_->unhandled().empty());
  auto r = call("DescribeEdgeConfiguration", R"({"StreamName":"cam"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "InvalidArgumentException");
  EXPECT_NE(
      r.error().message.find("runnel does not serve the Kinesis Video Streams operation DescribeEdgeConfiguration"),
      std::string::npos);
}

TEST_F(VideoCatalog, StreamsSurviveReopenUnchanged) {
  ok("CreateStream",
     R"({"StreamName":"cam","DeviceName":"d","MediaType":"video/h265","DataRetentionInHours":3,"Tags":{"x":"y"}})");
  std::string before = json("DescribeStream", R"({"StreamName":"cam"})");
  reopen();
  EXPECT_EQ(json("DescribeStream", R"({"StreamName":"cam"})"), before);
  EXPECT_EQ(json("ListTagsForStream", R"({"StreamName":"cam"})"), R"({"Tags":{"x":"y"}})");
}

TEST_F(VideoCatalog, AccountStreamLimit) {
  options_.stream_limit = 2;
  reopen();
  ok("CreateStream", R"({"StreamName":"a"})");
  ok("CreateStream", R"({"StreamName":"b"})");
  EXPECT_EQ(error_type("CreateStream", R"({"StreamName":"c"})"), "AccountStreamLimitExceededException");
}

TEST(VideoPersistence, CorruptDocumentsAreReported) {
  EXPECT_FALSE(decode_stream("not json"));
  EXPECT_FALSE(decode_stream("{}"));
  EXPECT_FALSE(decode_stream(R"({"StreamInfo":{"StreamName":1}})"));
  EXPECT_FALSE(decode_channel(R"({"ChannelInfo":{}})"));
}

}  // namespace
}  // namespace runnel::video
