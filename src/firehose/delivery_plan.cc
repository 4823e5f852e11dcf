#include "firehose/delivery_plan.h"

#include "s3/object_store.h"

namespace runnel::firehose {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

Result<S3Target> s3_target(const std::string& bucket_arn, const std::optional<std::string>& prefix,
                           const std::optional<std::string>& error_prefix, const std::string& compression_format,
                           const std::optional<std::string>& file_extension,
                           const std::optional<std::string>& time_zone) {
  S3Target t;
  auto bucket = s3::bucket_from_arn(bucket_arn);
  if (!bucket) return std::unexpected(Status::invalid_argument("BucketARN " + bucket_arn + " names no bucket"));
  t.bucket = std::move(*bucket);
  t.prefix = prefix;
  t.error_output_prefix = error_prefix;
  auto c = parse_compression(compression_format.empty() ? "UNCOMPRESSED" : compression_format);
  if (!c) return std::unexpected(Status::invalid_argument("unknown CompressionFormat " + compression_format));
  t.compression = *c;
  t.extension = file_extension ? *file_extension : std::string(default_extension(*c));
  t.error_extension = t.extension;
  t.time_zone = time_zone.value_or("");
  return t;
}

// Field `i` (0-based) of an ARN: arn:aws:firehose:<region>:<account>:...
std::string arn_field(const std::string& arn, int i) {
  size_t begin = 0;
  for (int n = 0; n < i; ++n) {
    begin = arn.find(':', begin);
    if (begin == std::string::npos) return "";
    ++begin;
  }
  return arn.substr(begin, arn.find(':', begin) - begin);
}

Result<ConversionPlan> conversion_plan(const api::DataFormatConversionConfiguration& c, const std::string& stream_arn) {
  ConversionPlan plan;
  // The stream's region and account, where SchemaConfiguration names none.
  const std::string region = arn_field(stream_arn, 3);
  const std::string account = arn_field(stream_arn, 4);
  if (const auto& schema = c.schema_configuration) {
    plan.table.catalog_id = schema->catalog_id.value_or(account);
    plan.table.database_name = schema->database_name.value_or("");
    plan.table.table_name = schema->table_name.value_or("");
    plan.table.region = schema->region.value_or(region);
    plan.table.version_id = schema->version_id.value_or("LATEST");
  }
  if (plan.table.database_name.empty() || plan.table.table_name.empty())
    return std::unexpected(Status::invalid_argument("SchemaConfiguration names no DatabaseName and TableName"));
  plan.table.catalog_arn = "arn:aws:glue:" + plan.table.region + ":" + plan.table.catalog_id + ":catalog";
  const api::Deserializer* d = c.input_format_configuration && c.input_format_configuration->deserializer
                                   ? &*c.input_format_configuration->deserializer
                                   : nullptr;
  if (d && d->hive_json_ser_de) {
    plan.deserializer.kind = DeserializerOptions::Kind::kHive;
    plan.deserializer.hive.timestamp_formats =
        d->hive_json_ser_de->timestamp_formats.value_or(std::vector<std::string>{});
  } else if (d && d->open_x_json_ser_de) {
    const api::OpenXJsonSerDe& o = *d->open_x_json_ser_de;
    plan.deserializer.openx.case_insensitive = o.case_insensitive.value_or(true);
    plan.deserializer.openx.convert_dots_in_json_keys_to_underscores =
        o.convert_dots_in_json_keys_to_underscores.value_or(false);
    if (o.column_to_json_key_mappings)
      plan.deserializer.openx.column_to_json_key_mappings = *o.column_to_json_key_mappings;
  }
  const api::Serializer* out = c.output_format_configuration && c.output_format_configuration->serializer
                                   ? &*c.output_format_configuration->serializer
                                   : nullptr;
  if (out && out->orc_ser_de) {
    const api::OrcSerDe& o = *out->orc_ser_de;
    plan.format = ConversionPlan::Format::kOrc;
    if (o.stripe_size_bytes) plan.orc.stripe_size_bytes = *o.stripe_size_bytes;
    if (o.block_size_bytes) plan.orc.block_size_bytes = *o.block_size_bytes;
    if (o.row_index_stride) plan.orc.row_index_stride = *o.row_index_stride;
    plan.orc.enable_padding = o.enable_padding.value_or(false);
    if (o.padding_tolerance) plan.orc.padding_tolerance = *o.padding_tolerance;
    const std::string codec = o.compression.value_or("SNAPPY");
    plan.orc.compression = codec == "NONE"   ? orc::Compression::kNone
                           : codec == "ZLIB" ? orc::Compression::kZlib
                                             : orc::Compression::kSnappy;
    if (o.bloom_filter_columns) plan.orc.bloom_filter_columns = *o.bloom_filter_columns;
    if (o.bloom_filter_false_positive_probability)
      plan.orc.bloom_filter_fpp = *o.bloom_filter_false_positive_probability;
    if (o.dictionary_key_threshold) plan.orc.dictionary_key_threshold = *o.dictionary_key_threshold;
    plan.orc.format_version =
        o.format_version.value_or("V0_12") == "V0_11" ? orc::FormatVersion::kV0_11 : orc::FormatVersion::kV0_12;
  }
  if (out && out->parquet_ser_de) {
    const api::ParquetSerDe& p = *out->parquet_ser_de;
    if (p.block_size_bytes) plan.parquet.block_size_bytes = *p.block_size_bytes;
    if (p.page_size_bytes) plan.parquet.page_size_bytes = *p.page_size_bytes;
    const std::string codec = p.compression.value_or("SNAPPY");
    plan.parquet.compression = codec == "UNCOMPRESSED" ? parquet::Codec::kUncompressed
                               : codec == "GZIP"       ? parquet::Codec::kGzip
                                                       : parquet::Codec::kSnappy;
    plan.parquet.enable_dictionary = p.enable_dictionary_compression.value_or(true);
    plan.parquet.writer_version =
        p.writer_version.value_or("V1") == "V2" ? parquet::WriterVersion::kV2 : parquet::WriterVersion::kV1;
  }
  return plan;
}

void apply_buffering(const std::optional<int32_t>& size_mb, const std::optional<int32_t>& interval_s,
                     DeliveryPlan& plan) {
  if (size_mb) plan.size_bytes = static_cast<uint64_t>(*size_mb) * kMiB;
  if (interval_s) plan.interval_ms = static_cast<int64_t>(*interval_s) * 1000;
}

}  // namespace

Result<DeliveryPlan> plan_of(const StreamSpec& spec) {
  const api::DeliveryStreamDescription& d = spec.description;
  if (d.destinations.empty()) return std::unexpected(Status::invalid_argument("the stream has no destination"));
  const api::DestinationDescription& dest = d.destinations.front();
  DeliveryPlan plan;
  plan.stream_name = d.delivery_stream_name;
  plan.stream_arn = d.delivery_stream_arn;
  plan.version = spec.version();
  if (const auto& s3 = dest.extended_s3_destination_description) {
    auto target = s3_target(s3->bucket_arn, s3->prefix, s3->error_output_prefix, s3->compression_format,
                            s3->file_extension, s3->custom_time_zone);
    if (!target) return std::unexpected(target.error());
    if (const auto& c = s3->data_format_conversion_configuration; c && c->enabled.value_or(true)) {
      auto conversion = conversion_plan(*c, d.delivery_stream_arn);
      if (!conversion) return std::unexpected(conversion.error());
      plan.conversion = std::move(*conversion);
      // The objects are Parquet or ORC files (CompressionFormat is
      // UNCOMPRESSED: the file compresses its pages or streams itself).
      if (!s3->file_extension)
        target->extension = plan.conversion->format == ConversionPlan::Format::kOrc ? ".orc" : ".parquet";
    }
    plan.kind = DeliveryPlan::Kind::kS3;
    plan.s3 = std::move(*target);
    apply_buffering(s3->buffering_hints.size_in_m_bs, s3->buffering_hints.interval_in_seconds, plan);
    auto processing = processing_spec(s3->processing_configuration);
    if (!processing) return std::unexpected(processing.error());
    plan.processing = std::move(*processing);
    if (s3->s3_backup_mode.value_or("Disabled") == "Enabled" && s3->s3_backup_description) {
      const auto& b = *s3->s3_backup_description;
      auto backup = s3_target(b.bucket_arn, b.prefix, b.error_output_prefix, b.compression_format, std::nullopt,
                              s3->custom_time_zone);
      if (!backup) return std::unexpected(backup.error());
      if (b.buffering_hints.size_in_m_bs)
        backup->size_bytes = static_cast<uint64_t>(*b.buffering_hints.size_in_m_bs) * kMiB;
      if (b.buffering_hints.interval_in_seconds)
        backup->interval_ms = static_cast<int64_t>(*b.buffering_hints.interval_in_seconds) * 1000;
      plan.source_backup = std::move(*backup);
    }
    plan.dynamic_partitioning =
        s3->dynamic_partitioning_configuration && s3->dynamic_partitioning_configuration->enabled.value_or(false);
    return plan;
  }
  if (const auto& s3 = dest.s3_destination_description) {
    auto target = s3_target(s3->bucket_arn, s3->prefix, s3->error_output_prefix, s3->compression_format, std::nullopt,
                            std::nullopt);
    if (!target) return std::unexpected(target.error());
    plan.kind = DeliveryPlan::Kind::kS3;
    plan.s3 = std::move(*target);
    apply_buffering(s3->buffering_hints.size_in_m_bs, s3->buffering_hints.interval_in_seconds, plan);
    return plan;
  }
  if (const auto& http = dest.http_endpoint_destination_description) {
    plan.kind = DeliveryPlan::Kind::kHttpEndpoint;
    plan.metrics = {FirehoseMetric::kDeliveryToHttpEndpointSuccess, FirehoseMetric::kDeliveryToHttpEndpointRecords,
                    FirehoseMetric::kDeliveryToHttpEndpointBytes, FirehoseMetric::kDeliveryToHttpEndpointDataFreshness};
    if (http->endpoint_configuration) {
      plan.url = http->endpoint_configuration->url.value_or("");
      plan.endpoint_name = http->endpoint_configuration->name.value_or("");
    }
    if (plan.url.empty()) return std::unexpected(Status::invalid_argument("the HTTP endpoint has no Url"));
    plan.access_key = spec.http_access_key;
    if (http->request_configuration) {
      plan.gzip_request = http->request_configuration->content_encoding.value_or("NONE") == "GZIP";
      if (const auto& attributes = http->request_configuration->common_attributes)
        for (const auto& a : *attributes) plan.common_attributes.emplace_back(a.attribute_name, a.attribute_value);
    }
    if (http->buffering_hints)
      apply_buffering(http->buffering_hints->size_in_m_bs, http->buffering_hints->interval_in_seconds, plan);
    if (http->retry_options && http->retry_options->duration_in_seconds)
      plan.retry_duration_ms = static_cast<int64_t>(*http->retry_options->duration_in_seconds) * 1000;
    plan.backup_all = http->s3_backup_mode.value_or("FailedDataOnly") == "AllData";
    auto processing = processing_spec(http->processing_configuration);
    if (!processing) return std::unexpected(processing.error());
    plan.processing = std::move(*processing);
    if (const auto& backup = http->s3_destination_description) {
      auto target = s3_target(backup->bucket_arn, backup->prefix, backup->error_output_prefix,
                              backup->compression_format, std::nullopt, std::nullopt);
      if (!target) return std::unexpected(target.error());
      plan.s3 = std::move(*target);
    }
    return plan;
  }
  // The destinations a Sender delivers to: their buffering hints, their S3
  // configuration (the backup bucket; Redshift's intermediate bucket), their
  // processing.
  auto sender_plan = [&](const std::optional<api::S3DestinationDescription>& s3, const auto& hints,
                         const std::optional<api::ProcessingConfiguration>& processing_config, bool backup_all,
                         DeliveryMetrics metrics) -> Result<DeliveryPlan> {
    plan.kind = DeliveryPlan::Kind::kSender;
    plan.metrics = metrics;
    if (s3) {
      auto target = s3_target(s3->bucket_arn, s3->prefix, s3->error_output_prefix, s3->compression_format, std::nullopt,
                              std::nullopt);
      if (!target) return std::unexpected(target.error());
      plan.s3 = std::move(*target);
    }
    if (hints) apply_buffering(hints->size_in_m_bs, hints->interval_in_seconds, plan);
    auto processing = processing_spec(processing_config);
    if (!processing) return std::unexpected(processing.error());
    plan.processing = std::move(*processing);
    plan.backup_all = backup_all;
    return std::move(plan);
  };
  if (const auto& r = dest.redshift_destination_description) {
    const auto& s3 = r->s3_destination_description;
    const std::optional<api::BufferingHints> hints = s3.buffering_hints;
    auto made = sender_plan(s3, hints, r->processing_configuration, false,
                            {FirehoseMetric::kDeliveryToRedshiftSuccess, FirehoseMetric::kDeliveryToRedshiftRecords,
                             FirehoseMetric::kDeliveryToRedshiftBytes, FirehoseMetric::kCount});
    if (!made) return made;
    made->intermediate_object = true;
    if (r->s3_backup_mode.value_or("Disabled") == "Enabled" && r->s3_backup_description) {
      const auto& b = *r->s3_backup_description;
      auto backup =
          s3_target(b.bucket_arn, b.prefix, b.error_output_prefix, b.compression_format, std::nullopt, std::nullopt);
      if (!backup) return std::unexpected(backup.error());
      backup->size_bytes = static_cast<uint64_t>(b.buffering_hints.size_in_m_bs.value_or(5)) * kMiB;
      backup->interval_ms = static_cast<int64_t>(b.buffering_hints.interval_in_seconds.value_or(300)) * 1000;
      made->source_backup = std::move(*backup);
    }
    return made;
  }
  if (const auto& o = dest.amazonopensearchservice_destination_description)
    return sender_plan(o->s3_destination_description, o->buffering_hints, o->processing_configuration,
                       o->s3_backup_mode.value_or("FailedDocumentsOnly") == "AllDocuments",
                       {FirehoseMetric::kDeliveryToAmazonOpenSearchServiceSuccess,
                        FirehoseMetric::kDeliveryToAmazonOpenSearchServiceRecords,
                        FirehoseMetric::kDeliveryToAmazonOpenSearchServiceBytes,
                        FirehoseMetric::kDeliveryToAmazonOpenSearchServiceDataFreshness});
  if (const auto& e = dest.elasticsearch_destination_description)
    return sender_plan(
        e->s3_destination_description, e->buffering_hints, e->processing_configuration,
        e->s3_backup_mode.value_or("FailedDocumentsOnly") == "AllDocuments",
        {FirehoseMetric::kDeliveryToElasticsearchSuccess, FirehoseMetric::kDeliveryToElasticsearchRecords,
         FirehoseMetric::kDeliveryToElasticsearchBytes, FirehoseMetric::kDeliveryToElasticsearchDataFreshness});
  if (const auto& o = dest.amazon_open_search_serverless_destination_description)
    return sender_plan(o->s3_destination_description, o->buffering_hints, o->processing_configuration,
                       o->s3_backup_mode.value_or("FailedDocumentsOnly") == "AllDocuments",
                       {FirehoseMetric::kDeliveryToAmazonOpenSearchServerlessSuccess,
                        FirehoseMetric::kDeliveryToAmazonOpenSearchServerlessRecords,
                        FirehoseMetric::kDeliveryToAmazonOpenSearchServerlessBytes,
                        FirehoseMetric::kDeliveryToAmazonOpenSearchServerlessDataFreshness});
  if (const auto& sp = dest.splunk_destination_description)
    return sender_plan(sp->s3_destination_description, sp->buffering_hints, sp->processing_configuration,
                       sp->s3_backup_mode.value_or("FailedEventsOnly") == "AllEvents",
                       {FirehoseMetric::kDeliveryToSplunkSuccess, FirehoseMetric::kDeliveryToSplunkRecords,
                        FirehoseMetric::kDeliveryToSplunkBytes, FirehoseMetric::kDeliveryToSplunkDataFreshness});
  return std::unexpected(Status::invalid_argument("runnel does not deliver to this destination type yet"));
}

}  // namespace runnel::firehose
