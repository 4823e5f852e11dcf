#pragma once
// The CloudWatch metrics Firehose publishes under AWS/Firehose, dimension
// DeliveryStreamName, with AWS's names and units (docs/firehose-delivery.md
// lists them): what arrives (IncomingBytes, IncomingRecords,
// IncomingPutRequests, ThrottledRecords), what is delivered
// (DeliveryToS3.* / DeliveryToHttpEndpoint.* Success, Records, Bytes,
// DataFreshness, ObjectCount), what is read from a Kinesis source
// (DataReadFromKinesisStream.Records/Bytes) and dynamic partitioning's
// PartitionCount and PartitionCountExceeded. Two of runnel's own, under
// namespace "runnel" with the same dimension: FirehoseBufferedBytes and
// FirehoseBufferedRecords (what the stream's buffers hold, once a second).
//
// Threads: handles are made once per stream and immutable; recording takes
// only each series' own mutex, from any thread.
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "metrics/registry.h"

namespace runnel::firehose {

enum class FirehoseMetric : uint8_t {
  kIncomingBytes,
  kIncomingRecords,
  kIncomingPutRequests,
  kThrottledRecords,
  kDeliveryToS3Success,
  kDeliveryToS3Records,
  kDeliveryToS3Bytes,
  kDeliveryToS3DataFreshness,
  kDeliveryToS3ObjectCount,
  kDeliveryToHttpEndpointSuccess,
  kDeliveryToHttpEndpointRecords,
  kDeliveryToHttpEndpointBytes,
  kDeliveryToHttpEndpointDataFreshness,
  kDataReadFromKinesisStreamRecords,
  kDataReadFromKinesisStreamBytes,
  kPartitionCount,
  kPartitionCountExceeded,
  kDeliveryToRedshiftSuccess,
  kDeliveryToRedshiftRecords,
  kDeliveryToRedshiftBytes,
  kDeliveryToAmazonOpenSearchServiceSuccess,
  kDeliveryToAmazonOpenSearchServiceRecords,
  kDeliveryToAmazonOpenSearchServiceBytes,
  kDeliveryToAmazonOpenSearchServiceDataFreshness,
  kDeliveryToElasticsearchSuccess,
  kDeliveryToElasticsearchRecords,
  kDeliveryToElasticsearchBytes,
  kDeliveryToElasticsearchDataFreshness,
  kDeliveryToAmazonOpenSearchServerlessSuccess,
  kDeliveryToAmazonOpenSearchServerlessRecords,
  kDeliveryToAmazonOpenSearchServerlessBytes,
  kDeliveryToAmazonOpenSearchServerlessDataFreshness,
  kDeliveryToSplunkSuccess,
  kDeliveryToSplunkRecords,
  kDeliveryToSplunkBytes,
  kDeliveryToSplunkDataFreshness,
  kSucceedConversionRecords,
  kSucceedConversionBytes,
  kFailedConversionRecords,
  kFailedConversionBytes,
  // runnel's own (namespace "runnel", not AWS's): what the stream holds in
  // its buffers, sampled once a second, for the console's buffer fill.
  kBufferedBytes,
  kBufferedRecords,
  kCount,
};

// The DeliveryTo<destination>.* metrics of one destination; `freshness` is
// kCount for a destination without DataFreshness (Redshift).
struct DeliveryMetrics {
  FirehoseMetric success = FirehoseMetric::kDeliveryToS3Success;
  FirehoseMetric records = FirehoseMetric::kDeliveryToS3Records;
  FirehoseMetric bytes = FirehoseMetric::kDeliveryToS3Bytes;
  FirehoseMetric freshness = FirehoseMetric::kDeliveryToS3DataFreshness;
};

class FirehoseMetrics {
 public:
  // The handles of `stream`'s metrics in `registry`; null registry: a
  // FirehoseMetrics that records nothing.
  static std::shared_ptr<FirehoseMetrics> make(metrics::Registry* registry, const std::string& stream);

  void record(FirehoseMetric m, double value) const {
    if (m == FirehoseMetric::kCount) return;
    if (const auto& s = series_[static_cast<size_t>(m)]) s->record(value);
  }

 private:
  std::array<std::shared_ptr<metrics::Series>, static_cast<size_t>(FirehoseMetric::kCount)> series_;
};

}  // namespace runnel::firehose
