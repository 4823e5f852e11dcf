#include "bench/s3_objects.h"

#include <zlib.h>

#include <gtest/gtest.h>

#include "bench/latency_stamp.h"
#include "bench/record_factory.h"

namespace runnel::bench {
namespace {

// What runnel's store (and S3) answer to ListObjectsV2.
constexpr std::string_view kPage =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><Prefix></Prefix>)"
    R"(<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>)"
    R"(<Contents><Key>2026/01/02/03/d-1-2026-01-02-03-04-05-abc.gz</Key>)"
    R"(<LastModified>2026-01-02T03:04:06.000Z</LastModified><ETag>&quot;9b2c&quot;</ETag><Size>1048576</Size>)"
    R"(<StorageClass>STANDARD</StorageClass></Contents>)"
    R"(<Contents><Key>a&amp;b</Key><Size>7</Size></Contents>)"
    R"(<NextContinuationToken>YSZi+/=</NextContinuationToken></ListBucketResult>)";

TEST(ListObjectsV2, ReadsKeysSizesAndTheContinuation) {
  std::string why;
  auto page = parse_list_objects_v2(kPage, &why);
  ASSERT_TRUE(page.has_value()) << why;
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "2026/01/02/03/d-1-2026-01-02-03-04-05-abc.gz");
  EXPECT_EQ(page->objects[0].size, 1048576u);
  EXPECT_EQ(page->objects[1].key, "a&b");
  EXPECT_EQ(page->objects[1].size, 7u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "YSZi+/=");
  // The next page's target carries the token encoded.
  EXPECT_EQ(list_objects_v2_target("bkt", page->next_token), "/bkt?list-type=2&continuation-token=YSZi%2B%2F%3D");
  EXPECT_EQ(list_objects_v2_target("bkt", ""), "/bkt?list-type=2");
}

TEST(ListObjectsV2, LastAndEmptyPages) {
  auto empty = parse_list_objects_v2(
      R"(<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>)");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->objects.empty());
  EXPECT_FALSE(empty->truncated);
}

TEST(ListObjectsV2, RefusesWhatIsNotAListing) {
  std::string why;
  EXPECT_FALSE(parse_list_objects_v2("<Error><Code>NoSuchBucket</Code></Error>", &why));
  EXPECT_NE(why.find("Error"), std::string::npos);
  EXPECT_FALSE(parse_list_objects_v2("not xml", &why));
  EXPECT_FALSE(parse_list_objects_v2("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"));
  EXPECT_FALSE(
      parse_list_objects_v2("<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents>"
                            "</ListBucketResult>"));
  EXPECT_FALSE(parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", &why));
  EXPECT_NE(why.find("NextContinuationToken"), std::string::npos);
}

TEST(S3Objects, ErrorCodeAndObjectTargets) {
  EXPECT_EQ(s3_error_code(R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code>)"
                          R"(<Message>The specified bucket does not exist</Message></Error>)"),
            "NoSuchBucket");
  EXPECT_EQ(s3_error_code("{}"), "");
  EXPECT_EQ(s3_error_code("<ListBucketResult/>"), "");
  EXPECT_EQ(object_target("bkt", "2026/01/d-1 x+y.gz"), "/bkt/2026/01/d-1%20x%2By.gz");
}

std::string Gzip(std::string_view plain) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, plain.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(Gunzip, OneMemberSeveralMembersAndDamage) {
  std::string plain;
  for (int i = 0; i < 100'000; ++i) plain += static_cast<char>('a' + i % 7);
  EXPECT_EQ(gunzip(Gzip(plain)), plain);
  EXPECT_EQ(gunzip(Gzip("")), "");
  EXPECT_EQ(gunzip(Gzip(plain) + Gzip("tail")), plain + "tail");
  const std::string gz = Gzip(plain);
  EXPECT_FALSE(gunzip(gz.substr(0, gz.size() / 2)).has_value());  // cut short
  EXPECT_FALSE(gunzip(plain).has_value());                        // not gzip
  std::string damaged = gz;
  damaged[gz.size() - 6] ^= 0x55;  // the CRC32
  EXPECT_FALSE(gunzip(damaged).has_value());
}

TEST(SplitRecords, EachRecordsLagIsTheListingTimeMinusItsStamp) {
  RecordFactory f(100, 0, 9);
  const int64_t seen = 1'700'000'010'000'000;
  std::string object = f.data(seen - 1'000) + f.data(seen - 2'500'000) + f.data(seen - 7);
  ReceivedBatch batch;
  EXPECT_EQ(split_records(object, 100, seen, batch), 0u);
  RunStats stats;
  batch.flush(stats, seen);
  StatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.received_records, 3u);
  EXPECT_EQ(s.received_bytes, 300u);
  EXPECT_EQ(s.unstamped_records, 0u);
  EXPECT_EQ(s.e2e_latency.count(), 3u);
  EXPECT_EQ(s.e2e_latency.min(), 7);
  EXPECT_EQ(s.e2e_latency.max(), 2'500'000);
  EXPECT_EQ(s.first_receive_us, seen);
  EXPECT_EQ(s.last_receive_us, seen);
}

TEST(SplitRecords, LeftoverAndUnstampedRecords) {
  RecordFactory f(50, 0, 9);
  std::string object = f.data(1) + std::string(50, 'x') + "tail";
  ReceivedBatch batch;
  EXPECT_EQ(split_records(object, 50, 1'000, batch), 4u);
  RunStats stats;
  batch.flush(stats);
  StatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.received_records, 2u);
  EXPECT_EQ(s.unstamped_records, 1u);
  EXPECT_EQ(s.e2e_latency.count(), 1u);
  EXPECT_EQ(split_records("", 50, 1'000, batch), 0u);
}

}  // namespace
}  // namespace runnel::bench
