#pragma once
// StreamSpec: a delivery stream as the control plane (firehose_service) hands
// it to the data plane (DeliveryEngine). The description is the same typed
// DeliveryStreamDescription that DescribeDeliveryStream answers, with AWS's
// defaults filled in (BufferingHints, CompressionFormat, ...), so the
// engine reads one canonical form whatever the request looked like; the few
// settings AWS never describes back (secrets) ride beside it.
#include <cstdint>
#include <optional>
#include <string>

#include "firehose_shapes.h"
#include "storage/log.h"

namespace runnel::firehose {

struct StreamSpec {
  // Name, ARN, status, type, VersionId, Source, and exactly one destination.
  api::DeliveryStreamDescription description;
  // The log shard that holds the stream's records (DirectPut): PutRecord
  // and PutRecordBatch append there, and the engine reads from there. Each
  // stored record is the record's data, with the partition key empty, or
  // an envelope of streams::RecordCipher (partition key starting 0xFF) while
  // the stream's encryption is on. Unused (0) for KinesisStreamAsSource.
  storage::ShardKey shard_key = 0;
  // HttpEndpointDestinationConfiguration.EndpointConfiguration.AccessKey,
  // which DescribeDeliveryStream never shows.
  std::optional<std::string> http_access_key;
  // RedshiftDestinationConfiguration.Password, never described either.
  std::optional<std::string> redshift_password;

  const std::string& name() const { return description.delivery_stream_name; }
  int64_t version() const;  // description.version_id as a number (1, 2, ...)
};

}  // namespace runnel::firehose
