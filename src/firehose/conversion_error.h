#pragma once
// The JSON document Firehose writes to format-conversion-failed/ for each
// record that does not convert (AWS's "Handling errors for data format
// conversion"). Pure functions; any thread.

#include <cstdint>
#include <string>
#include <string_view>

namespace runnel::firehose {

// SchemaConfiguration as the error record names it (dataCatalogTable).
struct DataCatalogTable {
  std::string catalog_id;
  std::string database_name;
  std::string table_name;
  std::string region;
  std::string version_id;
  std::string catalog_arn;  // arn:aws:glue:<region>:<catalog id>:catalog
};

struct ConversionFailure {
  int64_t attempts_made = 1;
  int64_t arrival_timestamp_ms = 0;
  std::string last_error_code;  // conversion_error_code() (record_conversion.h)
  std::string last_error_message;
  int64_t attempt_ending_timestamp_ms = 0;
  std::string_view raw_data;    // the record's bytes (written base64)
  std::string sequence_number;  // the record's position in its source
  int64_t sub_sequence_number = 0;
  DataCatalogTable table;
};

// One line of a format-conversion-failed/ object: the JSON document with
// AWS's fields in AWS's order, followed by '\n'.
std::string conversion_error_record(const ConversionFailure& f);

}  // namespace runnel::firehose
