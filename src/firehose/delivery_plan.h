#pragma once
// DeliveryPlan: what the delivery engine needs from a stream's description,
// read once per configuration: where objects go, how they are buffered,
// named and compressed, and which processors run. Built from the canonical
// description the control plane keeps (defaults already filled in), so
// every field here has one meaning whatever the request that set it.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "firehose/compression.h"
#include "firehose/conversion_error.h"
#include "firehose/firehose_metrics.h"
#include "firehose/processing.h"
#include "firehose/record_conversion.h"
#include "firehose/stream_spec.h"
#include "orc/options.h"
#include "parquet/options.h"

namespace runnel::firehose {

// An S3 bucket and how objects are named and written in it.
struct S3Target {
  std::string bucket;
  std::optional<std::string> prefix;
  std::optional<std::string> error_output_prefix;
  Compression compression = Compression::kUncompressed;
  std::string extension;  // FileExtension, or the compression's (or format conversion's) default
  // Of the error output's objects: `extension` but for format conversion's
  // ".parquet"/".orc" (error records are JSON lines, not columnar files).
  std::string error_extension;
  std::string time_zone;  // CustomTimeZone; empty means UTC
  // Its own BufferingHints, where it has them (the source-record backup's
  // S3BackupConfiguration); 0 and -1: the stream's (DeliveryPlan's).
  uint64_t size_bytes = 0;
  int64_t interval_ms = -1;
};

// DataFormatConversionConfiguration, when Enabled: records are rows of a
// Glue table, written as one Parquet or ORC file per object.
struct ConversionPlan {
  // SchemaConfiguration (VersionId "LATEST" when not given), as the
  // format-conversion-failed records name it.
  DataCatalogTable table;
  DeserializerOptions deserializer;
  enum class Format { kParquet, kOrc };  // ParquetSerDe or OrcSerDe
  Format format = Format::kParquet;
  parquet::WriterOptions parquet;  // ParquetSerDe, with AWS's defaults
  orc::WriterOptions orc;          // OrcSerDe, with AWS's defaults
};

struct DeliveryPlan {
  // kSender: Redshift, OpenSearch, Elasticsearch, OpenSearch Serverless or
  // Splunk, delivered through a Sender (sender.h) made by make_sender().
  enum class Kind { kS3, kHttpEndpoint, kSender };
  Kind kind = Kind::kS3;
  DeliveryMetrics metrics;  // DeliveryToS3.*, DeliveryToHttpEndpoint.*, DeliveryToRedshift.*, ...
  std::string stream_name;
  std::string stream_arn;
  int64_t version = 1;
  // Deliver when the buffer holds this many bytes, or when its oldest record
  // is this old, whichever comes first (BufferingHints).
  uint64_t size_bytes = 5ull << 20;
  int64_t interval_ms = 300'000;
  // kS3: the destination. kHttpEndpoint and kSender: the backup bucket,
  // where failed (or, with AllData, AllDocuments or AllEvents, all) records
  // go; for Redshift the intermediate bucket, where every batch is written
  // before it is loaded (`intermediate_object`).
  S3Target s3;
  // Extended S3 with S3BackupMode Enabled: the source records, as they were
  // put (before processing), also go to this bucket and prefix.
  std::optional<S3Target> source_backup;
  // Processing (ProcessingConfiguration, when Enabled), and whether dynamic
  // partitioning is on (a buffer per partition; Extended S3 only).
  ProcessingSpec processing;
  bool dynamic_partitioning = false;
  std::optional<ConversionPlan> conversion;  // Extended S3 only
  // kHttpEndpoint.
  std::string url;
  std::string endpoint_name;
  std::optional<std::string> access_key;
  bool gzip_request = false;
  std::vector<std::pair<std::string, std::string>> common_attributes;
  int64_t retry_duration_ms = 300'000;
  bool backup_all = false;  // S3BackupMode AllData (AllDocuments, AllEvents)
  // kSender: each batch is also formed as an object of `s3` (named and
  // compressed as S3 delivery would), handed to the sender to write.
  bool intermediate_object = false;
};

// The plan of `spec`'s first destination; InvalidArgument for a destination
// the engine does not deliver to (yet): the stream stays, records are kept.
Result<DeliveryPlan> plan_of(const StreamSpec& spec);

}  // namespace runnel::firehose
