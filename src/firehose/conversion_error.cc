#include "firehose/conversion_error.h"

#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "protocol/value.h"

namespace runnel::firehose {

std::string conversion_error_record(const ConversionFailure& f) {
  protocol::Value table = protocol::Object{};
  table.set("catalogId", f.table.catalog_id);
  table.set("databaseName", f.table.database_name);
  table.set("tableName", f.table.table_name);
  table.set("region", f.table.region);
  table.set("versionId", f.table.version_id);
  table.set("catalogArn", f.table.catalog_arn);
  protocol::Value e = protocol::Object{};
  e.set("attemptsMade", f.attempts_made);
  e.set("arrivalTimestamp", f.arrival_timestamp_ms);
  e.set("lastErrorCode", f.last_error_code);
  e.set("lastErrorMessage", f.last_error_message);
  e.set("attemptEndingTimestamp", f.attempt_ending_timestamp_ms);
  e.set("rawData", protocol::base64_encode(f.raw_data));
  e.set("sequenceNumber", f.sequence_number);
  e.set("subSequenceNumber", f.sub_sequence_number);
  e.set("dataCatalogTable", std::move(table));
  std::string line = protocol::encode_json(e);
  line.push_back('\n');
  return line;
}

}  // namespace runnel::firehose
