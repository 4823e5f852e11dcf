#include "s3/object_store.h"

#include <gtest/gtest.h>

namespace runnel::s3 {
namespace {

TEST(BucketFromArn, TakesTheBucketOfAnyPartition) {
  EXPECT_EQ(bucket_from_arn("arn:aws:s3:::logs"), "logs");
  EXPECT_EQ(bucket_from_arn("arn:aws-cn:s3:::my.bucket-1"), "my.bucket-1");
}

TEST(BucketFromArn, RefusesWhatIsNotABucketArn) {
  EXPECT_EQ(bucket_from_arn("logs"), std::nullopt);
  EXPECT_EQ(bucket_from_arn("arn:aws:s3:::"), std::nullopt);
  EXPECT_EQ(bucket_from_arn("arn:aws:s3:::b/key"), std::nullopt);
  EXPECT_EQ(bucket_from_arn("arn:aws:kinesis:us-east-1:1:stream/s"), std::nullopt);
  EXPECT_EQ(bucket_from_arn("arn::s3:::b"), std::nullopt);
}

}  // namespace
}  // namespace runnel::s3
