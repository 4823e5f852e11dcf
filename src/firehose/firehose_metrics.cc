#include "firehose/firehose_metrics.h"

#include <string_view>

namespace runnel::firehose {
namespace {

struct Spec {
  std::string_view name;
  metrics::Unit unit;
  std::string_view ns = "AWS/Firehose";
};

constexpr std::array<Spec, static_cast<size_t>(FirehoseMetric::kCount)> kSpecs{{
    {"IncomingBytes", metrics::Unit::kBytes},
    {"IncomingRecords", metrics::Unit::kCount},
    {"IncomingPutRequests", metrics::Unit::kCount},
    {"ThrottledRecords", metrics::Unit::kCount},
    {"DeliveryToS3.Success", metrics::Unit::kCount},
    {"DeliveryToS3.Records", metrics::Unit::kCount},
    {"DeliveryToS3.Bytes", metrics::Unit::kBytes},
    {"DeliveryToS3.DataFreshness", metrics::Unit::kSeconds},
    {"DeliveryToS3.ObjectCount", metrics::Unit::kCount},
    {"DeliveryToHttpEndpoint.Success", metrics::Unit::kCount},
    {"DeliveryToHttpEndpoint.Records", metrics::Unit::kCount},
    {"DeliveryToHttpEndpoint.Bytes", metrics::Unit::kBytes},
    {"DeliveryToHttpEndpoint.DataFreshness", metrics::Unit::kSeconds},
    {"DataReadFromKinesisStream.Records", metrics::Unit::kCount},
    {"DataReadFromKinesisStream.Bytes", metrics::Unit::kBytes},
    {"PartitionCount", metrics::Unit::kCount},
    {"PartitionCountExceeded", metrics::Unit::kCount},
    {"DeliveryToRedshift.Success", metrics::Unit::kCount},
    {"DeliveryToRedshift.Records", metrics::Unit::kCount},
    {"DeliveryToRedshift.Bytes", metrics::Unit::kBytes},
    {"DeliveryToAmazonOpenSearchService.Success", metrics::Unit::kCount},
    {"DeliveryToAmazonOpenSearchService.Records", metrics::Unit::kCount},
    {"DeliveryToAmazonOpenSearchService.Bytes", metrics::Unit::kBytes},
    {"DeliveryToAmazonOpenSearchService.DataFreshness", metrics::Unit::kSeconds},
    {"DeliveryToElasticsearch.Success", metrics::Unit::kCount},
    {"DeliveryToElasticsearch.Records", metrics::Unit::kCount},
    {"DeliveryToElasticsearch.Bytes", metrics::Unit::kBytes},
    {"DeliveryToElasticsearch.DataFreshness", metrics::Unit::kSeconds},
    {"DeliveryToAmazonOpenSearchServerless.Success", metrics::Unit::kCount},
    {"DeliveryToAmazonOpenSearchServerless.Records", metrics::Unit::kCount},
    {"DeliveryToAmazonOpenSearchServerless.Bytes", metrics::Unit::kBytes},
    {"DeliveryToAmazonOpenSearchServerless.DataFreshness", metrics::Unit::kSeconds},
    {"DeliveryToSplunk.Success", metrics::Unit::kCount},
    {"DeliveryToSplunk.Records", metrics::Unit::kCount},
    {"DeliveryToSplunk.Bytes", metrics::Unit::kBytes},
    {"DeliveryToSplunk.DataFreshness", metrics::Unit::kSeconds},
    {"SucceedConversion.Records", metrics::Unit::kCount},
    {"SucceedConversion.Bytes", metrics::Unit::kBytes},
    {"FailedConversion.Records", metrics::Unit::kCount},
    {"FailedConversion.Bytes", metrics::Unit::kBytes},
    {"FirehoseBufferedBytes", metrics::Unit::kBytes, "runnel"},
    {"FirehoseBufferedRecords", metrics::Unit::kCount, "runnel"},
}};

}  // namespace

std::shared_ptr<FirehoseMetrics> FirehoseMetrics::make(metrics::Registry* registry, const std::string& stream) {
  auto m = std::make_shared<FirehoseMetrics>();
  if (!registry) return m;
  for (size_t i = 0; i < kSpecs.size(); ++i) {
    auto id = metrics::MetricId::make(std::string(kSpecs[i].ns), std::string(kSpecs[i].name),
                                      {{"DeliveryStreamName", stream}});
    if (id) m->series_[i] = registry->series(*id, kSpecs[i].unit);
  }
  return m;
}

}  // namespace runnel::firehose
