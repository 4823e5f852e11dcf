#include "firehose/senders.h"

#include "firehose/opensearch.h"
#include "firehose/redshift_sender.h"
#include "firehose/splunk.h"

namespace runnel::firehose {

Result<std::unique_ptr<Sender>> make_sender(const StreamSpec& spec, s3::ObjectStore& store) {
  const auto& destinations = spec.description.destinations;
  if (destinations.empty()) return std::unexpected(Status::invalid_argument("the stream has no destination"));
  const api::DestinationDescription& d = destinations.front();
  if (d.amazonopensearchservice_destination_description)
    return make_opensearch_sender(*d.amazonopensearchservice_destination_description);
  if (d.elasticsearch_destination_description) return make_opensearch_sender(*d.elasticsearch_destination_description);
  if (d.amazon_open_search_serverless_destination_description)
    return make_opensearch_sender(*d.amazon_open_search_serverless_destination_description);
  if (d.splunk_destination_description) return make_splunk_sender(*d.splunk_destination_description);
  if (d.redshift_destination_description)
    return make_redshift_sender(*d.redshift_destination_description, spec.redshift_password, store);
  return std::unexpected(
      Status::invalid_argument("runnel does not deliver to this destination yet; the records are kept until it does"));
}

}  // namespace runnel::firehose
