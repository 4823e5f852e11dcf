#include "firehose/destination_config.h"

#include <cstdio>
#include <functional>
#include <stdexcept>

namespace runnel::firehose {
namespace {

using protocol::Value;

Value* member(Value& obj, std::string_view key) {
  Value* v = obj.is_object() ? obj.find(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

void erase(Value& obj, std::string_view key) {
  if (!obj.is_object()) return;
  auto& members = obj.as_object();
  std::erase_if(members, [&](const protocol::Member& m) { return m.key == key; });
}

// Sets obj[key] = v unless it is there already.
void fill(Value& obj, std::string_view key, Value v) {
  if (!member(obj, key)) obj.set(std::string(key), std::move(v));
}

// The object obj[key], created empty when missing.
Value& object_at(Value& obj, std::string_view key) {
  if (!member(obj, key) || !member(obj, key)->is_object()) obj.set(std::string(key), Value(protocol::Object{}));
  return *obj.find(key);
}

void rename(Value& obj, std::string_view from, std::string_view to) {
  if (!obj.is_object()) return;
  for (auto& m : obj.as_object()) {
    if (m.key == from) m.key = std::string(to);
  }
}

bool enabled_member(Value& obj, std::string_view key, bool absent_default) {
  Value* v = member(obj, key);
  if (!v) return false;
  Value* e = member(*v, "Enabled");
  return e ? (e->is_bool() && e->as_bool()) : absent_default;
}

void cloudwatch_defaults(Value& d) {
  Value& cw = object_at(d, "CloudWatchLoggingOptions");
  fill(cw, "Enabled", false);
}

void buffering_defaults(Value& d, int64_t size_mb, int64_t interval_s) {
  Value& b = object_at(d, "BufferingHints");
  fill(b, "SizeInMBs", size_mb);
  fill(b, "IntervalInSeconds", interval_s);
}

void retry_defaults(Value& d, int64_t seconds) { fill(object_at(d, "RetryOptions"), "DurationInSeconds", seconds); }

// AWS's defaults of an S3 (or S3-backup, or intermediate S3) description.
void s3_defaults(Value& d, int64_t size_mb = 5) {
  buffering_defaults(d, size_mb, 300);
  fill(d, "CompressionFormat", "UNCOMPRESSED");
  if (!member(d, "EncryptionConfiguration")) {
    Value e = protocol::Object{};
    e.set("NoEncryptionConfig", "NoEncryption");
    d.set("EncryptionConfiguration", std::move(e));
  }
  cloudwatch_defaults(d);
}

// The renames from a configuration's members to a description's.
void rename_to_description(Value& d) {
  rename(d, "S3Update", "S3Configuration");
  rename(d, "S3BackupUpdate", "S3BackupConfiguration");
  rename(d, "S3Configuration", "S3DestinationDescription");
  rename(d, "S3BackupConfiguration", "S3BackupDescription");
  if (Value* vpc = member(d, "VpcConfiguration")) {
    // AWS answers the VPC the subnets belong to; runnel has no VPCs, so it
    // names one after the subnets, stably.
    std::string subnets;
    if (Value* ids = member(*vpc, "SubnetIds"); ids && ids->is_array()) {
      for (const Value& id : ids->as_array()) subnets += id.is_string() ? id.as_string() : "";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "vpc-%016zx", std::hash<std::string>{}(subnets));
    vpc->set("VpcId", std::string(buf).substr(0, 21));
    rename(d, "VpcConfiguration", "VpcConfigurationDescription");
  }
}

void take_secrets(DestinationType type, Value& d, Secrets& secrets) {
  if (type == DestinationType::kHttpEndpoint) {
    if (Value* ep = member(d, "EndpointConfiguration")) {
      if (Value* key = member(*ep, "AccessKey"); key && key->is_string()) secrets.http_access_key = key->as_string();
      erase(*ep, "AccessKey");
    }
  }
  if (type == DestinationType::kRedshift) {
    if (Value* pw = member(d, "Password"); pw && pw->is_string()) secrets.redshift_password = pw->as_string();
    erase(d, "Password");
  }
}

void fill_defaults(DestinationType type, Value& d) {
  if (Value* s3 = member(d, "S3DestinationDescription")) s3_defaults(*s3);
  if (Value* backup = member(d, "S3BackupDescription")) s3_defaults(*backup);
  switch (type) {
    case DestinationType::kS3: s3_defaults(d); break;
    case DestinationType::kExtendedS3: {
      // Format conversion and dynamic partitioning buffer 128 MB by default
      // (their minimum is 64).
      bool conversion = enabled_member(d, "DataFormatConversionConfiguration", true);
      bool partitioning = enabled_member(d, "DynamicPartitioningConfiguration", false);
      s3_defaults(d, conversion || partitioning ? 128 : 5);
      fill(d, "S3BackupMode", "Disabled");
      if (Value* dfc = member(d, "DataFormatConversionConfiguration")) fill(*dfc, "Enabled", true);
      if (Value* dp = member(d, "DynamicPartitioningConfiguration")) {
        fill(*dp, "Enabled", false);
        if (partitioning) retry_defaults(*dp, 300);
      }
      break;
    }
    case DestinationType::kRedshift:
      fill(d, "S3BackupMode", "Disabled");
      retry_defaults(d, 3600);
      cloudwatch_defaults(d);
      break;
    case DestinationType::kElasticsearch:
    case DestinationType::kOpenSearch: fill(d, "IndexRotationPeriod", "OneDay"); [[fallthrough]];
    case DestinationType::kServerless:
      buffering_defaults(d, 5, 300);
      retry_defaults(d, 300);
      fill(d, "S3BackupMode", "FailedDocumentsOnly");
      cloudwatch_defaults(d);
      break;
    case DestinationType::kSplunk:
      buffering_defaults(d, 5, 60);
      fill(d, "HECAcknowledgmentTimeoutInSeconds", int64_t{180});
      retry_defaults(d, 3600);
      fill(d, "S3BackupMode", "FailedEventsOnly");
      cloudwatch_defaults(d);
      break;
    case DestinationType::kHttpEndpoint:
      buffering_defaults(d, 5, 300);
      retry_defaults(d, 300);
      fill(d, "S3BackupMode", "FailedDataOnly");
      fill(object_at(d, "RequestConfiguration"), "ContentEncoding", "NONE");
      cloudwatch_defaults(d);
      break;
    case DestinationType::kSnowflake:
    case DestinationType::kIceberg: break;
  }
}

// Merges `update` into `base` member by member: objects recursively, any
// other value (lists included) replaced.
void deep_merge(Value& base, Value update) {
  if (!base.is_object() || !update.is_object()) {
    base = std::move(update);
    return;
  }
  for (auto& m : update.as_object()) {
    if (m.value.is_null()) continue;
    Value* existing = base.find(m.key);
    if (existing && existing->is_object() && m.value.is_object()) {
      deep_merge(*existing, std::move(m.value));
    } else {
      base.set(m.key, std::move(m.value));
    }
  }
}

}  // namespace

const std::vector<DestinationKeys>& destination_keys() {
  static const std::vector<DestinationKeys> keys = {
      {DestinationType::kS3, "S3DestinationConfiguration", "S3DestinationUpdate", "S3DestinationDescription",
       "Amazon S3"},
      {DestinationType::kExtendedS3, "ExtendedS3DestinationConfiguration", "ExtendedS3DestinationUpdate",
       "ExtendedS3DestinationDescription", "Amazon S3"},
      {DestinationType::kRedshift, "RedshiftDestinationConfiguration", "RedshiftDestinationUpdate",
       "RedshiftDestinationDescription", "Amazon Redshift"},
      {DestinationType::kElasticsearch, "ElasticsearchDestinationConfiguration", "ElasticsearchDestinationUpdate",
       "ElasticsearchDestinationDescription", "Amazon Elasticsearch Service"},
      {DestinationType::kOpenSearch, "AmazonopensearchserviceDestinationConfiguration",
       "AmazonopensearchserviceDestinationUpdate", "AmazonopensearchserviceDestinationDescription",
       "Amazon OpenSearch Service"},
      {DestinationType::kServerless, "AmazonOpenSearchServerlessDestinationConfiguration",
       "AmazonOpenSearchServerlessDestinationUpdate", "AmazonOpenSearchServerlessDestinationDescription",
       "Amazon OpenSearch Serverless"},
      {DestinationType::kSplunk, "SplunkDestinationConfiguration", "SplunkDestinationUpdate",
       "SplunkDestinationDescription", "Splunk"},
      {DestinationType::kHttpEndpoint, "HttpEndpointDestinationConfiguration", "HttpEndpointDestinationUpdate",
       "HttpEndpointDestinationDescription", "HTTP endpoint"},
      {DestinationType::kSnowflake, "SnowflakeDestinationConfiguration", "SnowflakeDestinationUpdate",
       "SnowflakeDestinationDescription", "Snowflake"},
      {DestinationType::kIceberg, "IcebergDestinationConfiguration", "IcebergDestinationUpdate",
       "IcebergDestinationDescription", "Apache Iceberg Tables"},
  };
  return keys;
}

const DestinationKeys& keys_of(DestinationType type) {
  for (const auto& k : destination_keys()) {
    if (k.type == type) return k;
  }
  throw std::logic_error("unknown destination type");
}

Value describe_configuration(DestinationType type, Value config, Secrets& secrets) {
  rename_to_description(config);
  take_secrets(type, config, secrets);
  fill_defaults(type, config);
  return config;
}

Value merge_update(DestinationType type, Value description, Value update, Secrets& secrets) {
  rename_to_description(update);
  take_secrets(type, update, secrets);
  deep_merge(description, std::move(update));
  fill_defaults(type, description);
  return description;
}

Value replace_with_update(DestinationType type, Value update, Secrets& secrets) {
  return describe_configuration(type, std::move(update), secrets);
}

DestinationType type_of(const api::DestinationDescription& d) {
  if (d.extended_s3_destination_description) return DestinationType::kExtendedS3;
  if (d.s3_destination_description) return DestinationType::kS3;
  if (d.redshift_destination_description) return DestinationType::kRedshift;
  if (d.elasticsearch_destination_description) return DestinationType::kElasticsearch;
  if (d.amazonopensearchservice_destination_description) return DestinationType::kOpenSearch;
  if (d.amazon_open_search_serverless_destination_description) return DestinationType::kServerless;
  if (d.splunk_destination_description) return DestinationType::kSplunk;
  if (d.http_endpoint_destination_description) return DestinationType::kHttpEndpoint;
  if (d.snowflake_destination_description) return DestinationType::kSnowflake;
  return DestinationType::kIceberg;
}

protocol::ApiResult<api::DestinationDescription> make_destination(DestinationType type, const std::string& id,
                                                                  Value description) {
  Value whole = protocol::Object{};
  whole.set("DestinationId", id);
  if (type == DestinationType::kS3) {
    // A legacy S3 destination is described both ways, as AWS does.
    Value extended = description;
    fill(extended, "S3BackupMode", "Disabled");
    whole.set(std::string(keys_of(DestinationType::kS3).description), std::move(description));
    whole.set(std::string(keys_of(DestinationType::kExtendedS3).description), std::move(extended));
  } else {
    whole.set(std::string(keys_of(type).description), std::move(description));
  }
  api::DestinationDescription out;
  if (auto decoded = api::decode(std::move(whole), out); !decoded) {
    return std::unexpected(protocol::invalid_argument(decoded.error().message));
  }
  return out;
}

Value description_value(DestinationType type, const api::DestinationDescription& d) {
  Value whole = api::encode(d);
  Value* v = whole.find(keys_of(type).description);
  return v ? std::move(*v) : Value(protocol::Object{});
}

}  // namespace runnel::firehose
