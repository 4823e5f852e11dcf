#include "firehose/senders.h"

namespace runnel::firehose {

Result<std::unique_ptr<Sender>> make_sender(const StreamSpec& spec, s3::ObjectStore& store) {
  (void)store;
  const auto& destinations = spec.description.destinations;
  if (destinations.empty()) return std::unexpected(Status::invalid_argument("the stream has no destination"));
  const api::DestinationDescription& d = destinations.front();
  const char* what = d.redshift_destination_description                           ? "Redshift"
                     : d.amazonopensearchservice_destination_description          ? "Amazon OpenSearch Service"
                     : d.elasticsearch_destination_description                    ? "Elasticsearch"
                     : d.amazon_open_search_serverless_destination_description ? "OpenSearch Serverless"
                     : d.splunk_destination_description                           ? "Splunk"
                                                                                  : "this destination";
  return std::unexpected(Status::invalid_argument(std::string("runnel does not deliver to ") + what +
                                                  " yet; the records are kept until it does"));
}

}  // namespace runnel::firehose
