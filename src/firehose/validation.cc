#include "firehose/validation.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "firehose/prefix_expression.h"
#include "firehose/time_zone.h"
#include "protocol/base64.h"

namespace runnel::firehose {
namespace {

MaybeError bad(std::string message) { return protocol::invalid_argument(std::move(message)); }

bool parse_double(const std::string& s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
bool parse_int(const std::string& s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
bool is_arn(std::string_view s, std::string_view service) {
  // arn:<partition>:<service>:<region>:<account>:<resource>
  if (!s.starts_with("arn:")) return false;
  size_t colons = std::count(s.begin(), s.end(), ':');
  if (colons < 5) return false;
  size_t p1 = s.find(':', 4);
  size_t p2 = s.find(':', p1 + 1);
  return p1 != 4 && s.substr(p1 + 1, p2 - p1 - 1) == service;
}

// The keys each processor type takes, and which it requires.
struct ProcessorRule {
  std::string_view type;
  std::vector<std::string_view> allowed;
  std::vector<std::string_view> required;
};
const std::vector<ProcessorRule>& processor_rules() {
  static const std::vector<ProcessorRule> rules = {
      {"RecordDeAggregation", {"SubRecordType", "Delimiter"}, {"SubRecordType"}},
      {"Decompression", {"CompressionFormat"}, {}},
      {"CloudWatchLogProcessing", {"DataMessageExtraction"}, {}},
      {"Lambda",
       {"LambdaArn", "NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds"},
       {"LambdaArn"}},
      {"MetadataExtraction",
       {"MetadataExtractionQuery", "JsonParsingEngine"},
       {"MetadataExtractionQuery", "JsonParsingEngine"}},
      {"AppendDelimiterToRecord", {"Delimiter"}, {}},
  };
  return rules;
}

MaybeError check_parameter(std::string_view type, const api::ProcessorParameter& p, DestinationType dest) {
  const std::string& v = p.parameter_value;
  const std::string& n = p.parameter_name;
  auto range_error = [&](std::string_view range) {
    return bad("Invalid value '" + v + "' for processor parameter " + n + " of processor type " + std::string(type) +
               ": " + std::string(range));
  };
  if (n == "LambdaArn") {
    if (!is_arn(v, "lambda")) return range_error("it must be a Lambda function ARN");
  } else if (n == "RoleArn") {
    if (!is_arn(v, "iam")) return range_error("it must be an IAM role ARN");
  } else if (n == "NumberOfRetries") {
    int64_t i = 0;
    if (!parse_int(v, i) || i < 0 || i > 10) return range_error("it must be an integer from 0 to 10");
  } else if (n == "BufferSizeInMBs") {
    double mb = 0;
    // Lambda's payload limit is 6 MB each way; Firehose takes 0.2 to 3 MB.
    double min_mb = dest == DestinationType::kSplunk ? 0.256 : 0.2;
    if (!parse_double(v, mb) || mb < min_mb || mb > 3) return range_error("it must be a number from 0.2 to 3");
  } else if (n == "BufferIntervalInSeconds") {
    int64_t s = 0;
    if (!parse_int(v, s) || s < 60 || s > 900) return range_error("it must be an integer from 60 to 900");
  } else if (n == "JsonParsingEngine") {
    if (v != "JQ-1.6") return range_error("the only supported JSON parsing engine is JQ-1.6");
  } else if (n == "MetadataExtractionQuery") {
    if (v.empty() || v.size() > 2048) return range_error("it must be a JQ query of 1 to 2048 characters");
  } else if (n == "SubRecordType") {
    if (v != "JSON" && v != "DELIMITED") return range_error("it must be JSON or DELIMITED");
  } else if (n == "Delimiter") {
    auto decoded = protocol::base64_decode(v);
    if (!decoded || decoded->empty()) return range_error("it must be a base64-encoded delimiter");
  } else if (n == "CompressionFormat") {
    if (v != "GZIP") return range_error("the only supported decompression format is GZIP");
  } else if (n == "DataMessageExtraction") {
    if (v != "true" && v != "false") return range_error("it must be true or false");
  }
  return std::nullopt;
}

bool has_processor(const std::optional<api::ProcessingConfiguration>& p, std::string_view type) {
  if (!p || !p->enabled.value_or(false) || !p->processors) return false;
  return std::any_of(p->processors->begin(), p->processors->end(),
                     [&](const api::Processor& x) { return x.type == type; });
}

MaybeError check_extended_s3(const api::ExtendedS3DestinationDescription& d) {
  api::S3DestinationDescription s3;
  s3.role_arn = d.role_arn;
  s3.bucket_arn = d.bucket_arn;
  s3.prefix = d.prefix;
  s3.error_output_prefix = d.error_output_prefix;
  s3.buffering_hints = d.buffering_hints;
  s3.compression_format = d.compression_format;
  s3.encryption_configuration = d.encryption_configuration;
  s3.cloud_watch_logging_options = d.cloud_watch_logging_options;
  if (auto e = check_s3("ExtendedS3DestinationConfiguration", s3, false, false)) return e;  // prefixes below
  const bool partitioning =
      d.dynamic_partitioning_configuration && d.dynamic_partitioning_configuration->enabled.value_or(false);
  const bool conversion =
      d.data_format_conversion_configuration && d.data_format_conversion_configuration->enabled.value_or(true);
  if (auto e = check_processing(d.processing_configuration, DestinationType::kExtendedS3, partitioning)) return e;
  PrefixRules rules;
  rules.dynamic_partitioning = partitioning;
  rules.lambda = has_processor(d.processing_configuration, "Lambda");
  rules.metadata_extraction = has_processor(d.processing_configuration, "MetadataExtraction");
  if (rules.metadata_extraction) {
    for (const auto& p : *d.processing_configuration->processors) {
      if (p.type != "MetadataExtraction") continue;
      if (const std::string* q = processor_parameter(p, "MetadataExtractionQuery"))
        rules.query_keys = query_keys_of(*q);
    }
  }
  if (auto e = validate_prefixes(d.prefix, d.error_output_prefix, rules)) return e;
  if (partitioning) {
    if (d.buffering_hints.size_in_m_bs.value_or(128) < 64) {
      return bad("BufferingHints.SizeInMBs must be at least 64 when dynamic partitioning is enabled.");
    }
    if (auto e = check_retry("DynamicPartitioningConfiguration.RetryOptions",
                             d.dynamic_partitioning_configuration->retry_options
                                 ? d.dynamic_partitioning_configuration->retry_options->duration_in_seconds
                                 : std::nullopt)) {
      return e;
    }
  }
  if (conversion) {
    const auto& c = *d.data_format_conversion_configuration;
    if (d.compression_format != "UNCOMPRESSED") {
      return bad(
          "CompressionFormat must be UNCOMPRESSED when data format conversion is enabled (the Parquet or ORC "
          "serializer compresses).");
    }
    if (d.buffering_hints.size_in_m_bs.value_or(128) < 64) {
      return bad("BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.");
    }
    if (!c.schema_configuration || !c.input_format_configuration || !c.output_format_configuration) {
      return bad(
          "SchemaConfiguration, InputFormatConfiguration and OutputFormatConfiguration are required when data "
          "format conversion is enabled.");
    }
    const auto& des = c.input_format_configuration->deserializer;
    if (!des || (des->open_x_json_ser_de.has_value() == des->hive_json_ser_de.has_value())) {
      return bad("InputFormatConfiguration.Deserializer must specify exactly one of OpenXJsonSerDe and HiveJsonSerDe.");
    }
    const auto& ser = c.output_format_configuration->serializer;
    if (!ser || (ser->parquet_ser_de.has_value() == ser->orc_ser_de.has_value())) {
      return bad("OutputFormatConfiguration.Serializer must specify exactly one of ParquetSerDe and OrcSerDe.");
    }
  }
  if (d.file_extension) {
    if (auto e = check_file_extension(*d.file_extension)) return e;
  }
  if (d.custom_time_zone) {
    if (auto e = check_time_zone(*d.custom_time_zone)) return e;
  }
  if (d.s3_backup_mode.value_or("Disabled") == "Enabled" && !d.s3_backup_description) {
    return bad("S3BackupConfiguration is required when S3BackupMode is Enabled.");
  }
  if (d.s3_backup_description) {
    if (auto e = check_s3("S3BackupConfiguration", *d.s3_backup_description, false)) return e;
  }
  return std::nullopt;
}

MaybeError check_nested_s3(std::string_view where, const std::optional<api::S3DestinationDescription>& s3,
                           bool redshift) {
  if (!s3) return bad(std::string(where) + " is required.");
  return check_s3(where, *s3, redshift);
}

MaybeError check_opensearch_like(std::string_view name, const std::optional<std::string>& domain_arn,
                                 const std::optional<std::string>& cluster_endpoint,
                                 const std::optional<int32_t>& retry) {
  if (domain_arn.has_value() == cluster_endpoint.has_value()) {
    return bad("Exactly one of DomainARN and ClusterEndpoint must be specified for the " + std::string(name) +
               " destination.");
  }
  if (domain_arn && !is_arn(*domain_arn, "es")) return bad("DomainARN '" + *domain_arn + "' is not a valid ARN.");
  return check_retry("RetryOptions", retry);
}

std::optional<int32_t> retry_of(const auto& options) { return options ? options->duration_in_seconds : std::nullopt; }

}  // namespace

const std::string* processor_parameter(const api::Processor& p, std::string_view name) {
  if (!p.parameters) return nullptr;
  for (const auto& param : *p.parameters) {
    if (param.parameter_name == name) return &param.parameter_value;
  }
  return nullptr;
}

MaybeError check_buffering(std::string_view where, std::optional<int32_t> size_mb, std::optional<int32_t> interval_s,
                           int32_t max_size_mb, int32_t max_interval_s) {
  if (size_mb && (*size_mb < 1 || *size_mb > max_size_mb)) {
    return bad(std::string(where) + ".SizeInMBs must be between 1 and " + std::to_string(max_size_mb) + ", not " +
               std::to_string(*size_mb) + ".");
  }
  if (interval_s && (*interval_s < 0 || *interval_s > max_interval_s)) {
    return bad(std::string(where) + ".IntervalInSeconds must be between 0 and " + std::to_string(max_interval_s) +
               ", not " + std::to_string(*interval_s) + ".");
  }
  return std::nullopt;
}

MaybeError check_retry(std::string_view where, std::optional<int32_t> seconds) {
  if (seconds && (*seconds < 0 || *seconds > 7200)) {
    return bad(std::string(where) + ".DurationInSeconds must be between 0 and 7200, not " + std::to_string(*seconds) +
               ".");
  }
  return std::nullopt;
}

MaybeError check_cloudwatch(std::string_view where, const std::optional<api::CloudWatchLoggingOptions>& cw) {
  if (cw && cw->enabled.value_or(false) &&
      (!cw->log_group_name || cw->log_group_name->empty() || !cw->log_stream_name || cw->log_stream_name->empty())) {
    return bad(std::string(where) +
               ".CloudWatchLoggingOptions: LogGroupName and LogStreamName are required when logging is enabled.");
  }
  return std::nullopt;
}

MaybeError check_secrets_manager(std::string_view where, const std::optional<api::SecretsManagerConfiguration>& sm) {
  if (sm && sm->enabled && (!sm->secret_arn || !is_arn(*sm->secret_arn, "secretsmanager"))) {
    return bad(std::string(where) +
               ".SecretsManagerConfiguration: SecretARN must be a Secrets Manager secret ARN when Enabled is true.");
  }
  return std::nullopt;
}

MaybeError check_s3(std::string_view where, const api::S3DestinationDescription& s3, bool redshift, bool prefixes) {
  if (!is_arn(s3.bucket_arn, "s3")) return bad("BucketARN '" + s3.bucket_arn + "' is not a valid S3 bucket ARN.");
  if (!is_arn(s3.role_arn, "iam")) return bad("RoleARN '" + s3.role_arn + "' is not a valid IAM role ARN.");
  if (auto e = check_buffering(std::string(where) + ".BufferingHints", s3.buffering_hints.size_in_m_bs,
                               s3.buffering_hints.interval_in_seconds, 128, 900)) {
    return e;
  }
  if (redshift && (s3.compression_format == "ZIP" || s3.compression_format == "Snappy")) {
    return bad("Compression format " + s3.compression_format +
               " is not supported for the Amazon Redshift destination's S3Configuration: the Redshift COPY command "
               "cannot read it. Use UNCOMPRESSED or GZIP.");
  }
  const auto& enc = s3.encryption_configuration;
  if (enc.no_encryption_config.has_value() == enc.kms_encryption_config.has_value()) {
    return bad(std::string(where) +
               ".EncryptionConfiguration must specify exactly one of NoEncryptionConfig and KMSEncryptionConfig.");
  }
  if (enc.kms_encryption_config && !is_arn(enc.kms_encryption_config->awskms_key_arn, "kms")) {
    return bad("AWSKMSKeyARN '" + enc.kms_encryption_config->awskms_key_arn + "' is not a valid KMS key ARN.");
  }
  if (auto e = check_cloudwatch(where, s3.cloud_watch_logging_options)) return e;
  if (redshift) {
    if (has_expressions(s3.prefix.value_or(""))) {
      return bad(
          "The supplied prefix(es) do not satisfy the following constraint: Prefix cannot contain expressions "
          "for the Amazon Redshift destination");
    }
    if (s3.error_output_prefix && !s3.error_output_prefix->empty()) {
      return bad(
          "The supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix must be null "
          "for the Amazon Redshift destination");
    }
    return std::nullopt;
  }
  if (!prefixes) return std::nullopt;
  return validate_prefixes(s3.prefix, s3.error_output_prefix, PrefixRules{});
}

MaybeError check_processing(const std::optional<api::ProcessingConfiguration>& p, DestinationType type,
                            bool dynamic_partitioning) {
  if (!p || !p->processors) return std::nullopt;
  std::set<std::string> seen;
  for (const api::Processor& proc : *p->processors) {
    auto rule = std::find_if(processor_rules().begin(), processor_rules().end(),
                             [&](const ProcessorRule& r) { return r.type == proc.type; });
    if (rule == processor_rules().end()) return bad("Unsupported processor type: " + proc.type + ".");
    if (!seen.insert(proc.type).second) {
      return bad("Processor type " + proc.type + " may appear only once in ProcessingConfiguration.");
    }
    std::set<std::string> names;
    if (proc.parameters) {
      for (const auto& param : *proc.parameters) {
        if (std::find(rule->allowed.begin(), rule->allowed.end(), param.parameter_name) == rule->allowed.end()) {
          return bad("Processor parameter " + param.parameter_name + " is not supported for processor type " +
                     proc.type + ".");
        }
        if (!names.insert(param.parameter_name).second) {
          return bad("Processor parameter " + param.parameter_name +
                     " is specified more than once for processor type " + proc.type + ".");
        }
        if (auto e = check_parameter(proc.type, param, type)) return e;
      }
    }
    for (std::string_view req : rule->required) {
      if (!names.contains(std::string(req))) {
        return bad("Processor parameter " + std::string(req) + " is required for processor type " + proc.type + ".");
      }
    }
    if (proc.type == "RecordDeAggregation" && *processor_parameter(proc, "SubRecordType") == "DELIMITED" &&
        !processor_parameter(proc, "Delimiter")) {
      return bad("Processor parameter Delimiter is required when SubRecordType is DELIMITED.");
    }
    const bool s3_only = proc.type == "MetadataExtraction" || proc.type == "RecordDeAggregation" ||
                         proc.type == "AppendDelimiterToRecord";
    if (s3_only && type != DestinationType::kExtendedS3) {
      return bad("Processor type " + proc.type + " is supported only for the Amazon S3 destination.");
    }
    if (proc.type == "MetadataExtraction" && !dynamic_partitioning && p->enabled.value_or(false)) {
      return bad("Processor type MetadataExtraction requires dynamic partitioning to be enabled.");
    }
  }
  return std::nullopt;
}

MaybeError check_file_extension(const std::string& ext) {
  // AWS's pattern: ^$|\.[0-9a-z!\-_.*'()]+, at most 128 characters.
  if (ext.empty()) return std::nullopt;
  bool ok = ext.size() >= 2 && ext.size() <= 128 && ext[0] == '.';
  for (size_t i = 1; ok && i < ext.size(); ++i) {
    char c = ext[i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         std::string_view("!-_.*'()").find(c) != std::string_view::npos;
  }
  if (!ok) {
    return bad("FileExtension '" + ext +
               "' is invalid: it must be empty or begin with '.' followed by lowercase letters, digits or !-_.*'(), "
               "at most 128 characters.");
  }
  return std::nullopt;
}

MaybeError check_time_zone(const std::string& zone) {
  if (zone.empty() || TimeZone::load(zone)) return std::nullopt;
  return bad("CustomTimeZone '" + zone + "' is not a valid time zone.");
}

MaybeError check_http_url(const std::string& url) {
  // AWS takes https only (port 443); runnel also takes http and any port
  // (docs/firehose.md), so local test receivers work.
  std::string_view u = url;
  size_t scheme = u.starts_with("https://") ? 8 : u.starts_with("http://") ? 7 : 0;
  if (scheme == 0 || u.size() == scheme || u.size() > 1000 || u[scheme] == '/' ||
      u.find_first_of(" \t\r\n") != std::string_view::npos) {
    return bad("EndpointConfiguration.Url '" + url + "' is not a valid HTTPS URL.");
  }
  return std::nullopt;
}

MaybeError check_encryption_input(const api::DeliveryStreamEncryptionConfigurationInput& in) {
  if (in.key_type == "CUSTOMER_MANAGED_CMK") {
    if (!in.key_arn || in.key_arn->empty()) {
      return bad("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.");
    }
    if (!is_arn(*in.key_arn, "kms") || in.key_arn->find(":key/") == std::string::npos) {
      return bad("KeyARN '" + *in.key_arn + "' is not a valid KMS key ARN.");
    }
  } else if (in.key_arn) {
    return bad("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.");
  }
  return std::nullopt;
}

MaybeError validate_destination(const api::DestinationDescription& d) {
  switch (type_of(d)) {
    case DestinationType::kS3: return check_s3("S3DestinationConfiguration", *d.s3_destination_description, false);
    case DestinationType::kExtendedS3: return check_extended_s3(*d.extended_s3_destination_description);
    case DestinationType::kRedshift: {
      const auto& r = *d.redshift_destination_description;
      if (!r.cluster_jdbcurl.starts_with("jdbc:redshift://") && !r.cluster_jdbcurl.starts_with("jdbc:postgresql://")) {
        return bad("ClusterJDBCURL '" + r.cluster_jdbcurl + "' is not a valid Redshift JDBC URL.");
      }
      if (r.copy_command.data_table_name.empty()) return bad("CopyCommand.DataTableName is required.");
      bool secrets = r.secrets_manager_configuration && r.secrets_manager_configuration->enabled;
      if (!secrets && !r.username)
        return bad("Username and Password are required unless SecretsManagerConfiguration is enabled.");
      if (auto e = check_secrets_manager("RedshiftDestinationConfiguration", r.secrets_manager_configuration)) return e;
      if (auto e = check_retry("RetryOptions", retry_of(r.retry_options))) return e;
      if (auto e = check_s3("S3Configuration", r.s3_destination_description, true)) return e;
      if (r.s3_backup_mode.value_or("Disabled") == "Enabled" && !r.s3_backup_description) {
        return bad("S3BackupConfiguration is required when S3BackupMode is Enabled.");
      }
      if (auto e = check_processing(r.processing_configuration, DestinationType::kRedshift, false)) return e;
      return check_cloudwatch("RedshiftDestinationConfiguration", r.cloud_watch_logging_options);
    }
    case DestinationType::kElasticsearch: {
      const auto& e = *d.elasticsearch_destination_description;
      if (auto err = check_opensearch_like("Amazon Elasticsearch Service", e.domain_arn, e.cluster_endpoint,
                                           retry_of(e.retry_options))) {
        return err;
      }
      if (auto err = check_nested_s3("S3Configuration", e.s3_destination_description, false)) return err;
      return check_processing(e.processing_configuration, DestinationType::kElasticsearch, false);
    }
    case DestinationType::kOpenSearch: {
      const auto& e = *d.amazonopensearchservice_destination_description;
      if (auto err = check_opensearch_like("Amazon OpenSearch Service", e.domain_arn, e.cluster_endpoint,
                                           retry_of(e.retry_options))) {
        return err;
      }
      if (auto err = check_nested_s3("S3Configuration", e.s3_destination_description, false)) return err;
      return check_processing(e.processing_configuration, DestinationType::kOpenSearch, false);
    }
    case DestinationType::kServerless: {
      const auto& e = *d.amazon_open_search_serverless_destination_description;
      if (!e.collection_endpoint || e.collection_endpoint->empty()) {
        return bad("CollectionEndpoint is required for the Amazon OpenSearch Serverless destination.");
      }
      if (auto err = check_retry("RetryOptions", retry_of(e.retry_options))) return err;
      if (auto err = check_nested_s3("S3Configuration", e.s3_destination_description, false)) return err;
      return check_processing(e.processing_configuration, DestinationType::kServerless, false);
    }
    case DestinationType::kSplunk: {
      const auto& s = *d.splunk_destination_description;
      bool secrets = s.secrets_manager_configuration && s.secrets_manager_configuration->enabled;
      if (!secrets && (!s.hec_token || s.hec_token->empty())) {
        return bad("HECToken is required unless SecretsManagerConfiguration is enabled.");
      }
      if (auto e = check_secrets_manager("SplunkDestinationConfiguration", s.secrets_manager_configuration)) return e;
      if (auto e = check_retry("RetryOptions", retry_of(s.retry_options))) return e;
      if (s.buffering_hints) {
        if (auto e = check_buffering("BufferingHints", s.buffering_hints->size_in_m_bs,
                                     s.buffering_hints->interval_in_seconds, 5, 60)) {
          return e;
        }
      }
      if (auto e = check_nested_s3("S3Configuration", s.s3_destination_description, false)) return e;
      return check_processing(s.processing_configuration, DestinationType::kSplunk, false);
    }
    case DestinationType::kHttpEndpoint: {
      const auto& h = *d.http_endpoint_destination_description;
      if (!h.endpoint_configuration || !h.endpoint_configuration->url) {
        return bad("EndpointConfiguration.Url is required.");
      }
      if (auto e = check_http_url(*h.endpoint_configuration->url)) return e;
      if (h.buffering_hints) {
        if (auto e = check_buffering("BufferingHints", h.buffering_hints->size_in_m_bs,
                                     h.buffering_hints->interval_in_seconds, 64, 900)) {
          return e;
        }
      }
      if (h.request_configuration && h.request_configuration->common_attributes) {
        const auto& attrs = *h.request_configuration->common_attributes;
        if (attrs.size() > 50) return bad("RequestConfiguration.CommonAttributes may hold at most 50 attributes.");
        std::set<std::string> names;
        for (const auto& a : attrs) {
          if (!names.insert(a.attribute_name).second) {
            return bad("RequestConfiguration.CommonAttributes: duplicate AttributeName '" + a.attribute_name + "'.");
          }
        }
      }
      if (auto e = check_secrets_manager("HttpEndpointDestinationConfiguration", h.secrets_manager_configuration)) {
        return e;
      }
      if (auto e = check_retry("RetryOptions", retry_of(h.retry_options))) return e;
      if (auto e = check_nested_s3("S3Configuration", h.s3_destination_description, false)) return e;
      return check_processing(h.processing_configuration, DestinationType::kHttpEndpoint, false);
    }
    case DestinationType::kSnowflake:
    case DestinationType::kIceberg: break;
  }
  return std::nullopt;
}

MaybeError check_update(const api::DestinationDescription& before, const api::DestinationDescription& after) {
  auto family = [](DestinationType t) {
    if (t == DestinationType::kS3) return DestinationType::kExtendedS3;
    if (t == DestinationType::kElasticsearch) return DestinationType::kOpenSearch;
    return t;
  };
  const DestinationType from = family(type_of(before)), to = family(type_of(after));
  const bool from_search = from == DestinationType::kOpenSearch, to_search = to == DestinationType::kOpenSearch;
  if (from_search != to_search) {
    return bad("Updating the destination from or to Amazon OpenSearch Service (or Elasticsearch) is not supported.");
  }
  auto partitioning = [](const api::DestinationDescription& d) {
    return d.extended_s3_destination_description &&
           d.extended_s3_destination_description->dynamic_partitioning_configuration &&
           d.extended_s3_destination_description->dynamic_partitioning_configuration->enabled.value_or(false);
  };
  if (partitioning(before) != partitioning(after)) {
    return bad(std::string("Dynamic partitioning cannot be ") + (partitioning(before) ? "disabled" : "enabled") +
               " on an existing delivery stream.");
  }
  if (from != to) return std::nullopt;
  auto backup_mode = [](const api::DestinationDescription& d) -> std::string {
    if (d.extended_s3_destination_description)
      return d.extended_s3_destination_description->s3_backup_mode.value_or("Disabled");
    if (d.redshift_destination_description)
      return d.redshift_destination_description->s3_backup_mode.value_or("Disabled");
    if (d.splunk_destination_description) return d.splunk_destination_description->s3_backup_mode.value_or("");
    if (d.amazonopensearchservice_destination_description)
      return d.amazonopensearchservice_destination_description->s3_backup_mode.value_or("");
    if (d.elasticsearch_destination_description)
      return d.elasticsearch_destination_description->s3_backup_mode.value_or("");
    return "";
  };
  const std::string b = backup_mode(before), a = backup_mode(after);
  if (b == "Enabled" && a == "Disabled") return bad("S3BackupMode cannot be disabled once it has been enabled.");
  if (b == "AllEvents" && a == "FailedEventsOnly")
    return bad("S3BackupMode cannot be changed from AllEvents to FailedEventsOnly.");
  if (to == DestinationType::kOpenSearch && b != a)
    return bad("S3BackupMode of an OpenSearch destination cannot be updated.");
  return std::nullopt;
}

}  // namespace runnel::firehose
