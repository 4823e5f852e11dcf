#include "firehose/senders.h"

#include "firehose/opensearch.h"
#include "firehose/splunk.h"

namespace runnel::firehose {

Result<std::unique_ptr<Sender>> make_sender(const StreamSpec& spec, s3::ObjectStore& store) {
  (void)store;
  const auto& destinations = spec.description.destinations;
  if (destinations.empty()) return std::unexpected(Status::invalid_argument("the stream has no destination"));
  const api::DestinationDescription& d = destinations.front();
  if (d.amazonopensearchservice_destination_description)
    return make_opensearch_sender(*d.amazonopensearchservice_destination_description);
  if (d.elasticsearch_destination_description) return make_opensearch_sender(*d.elasticsearch_destination_description);
  if (d.amazon_open_search_serverless_destination_description)
    return make_opensearch_sender(*d.amazon_open_search_serverless_destination_description);
  if (d.splunk_destination_description) return make_splunk_sender(*d.splunk_destination_description);
  const char* what = d.redshift_destination_description ? "Redshift" : "this destination";
  return std::unexpected(Status::invalid_argument(std::string("runnel does not deliver to ") + what +
                                                  " yet; the records are kept until it does"));
}

}  // namespace runnel::firehose
