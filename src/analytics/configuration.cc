#include "analytics/configuration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "analytics/errors.h"

namespace runnel::analytics {
namespace {

// The SQL type names a RecordColumn's SqlType may start with (the KDA SQL
// reference's data types, with their synonyms).
constexpr std::string_view kSqlTypes[] = {"BIGINT",
                                          "BINARY",
                                          "BOOLEAN",
                                          "CHAR",
                                          "CHARACTER",
                                          "DATE",
                                          "DECIMAL",
                                          "DEC",
                                          "DOUBLE",
                                          "FLOAT",
                                          "INTEGER",
                                          "INT",
                                          "INTERVAL",
                                          "NUMERIC",
                                          "REAL",
                                          "SMALLINT",
                                          "TIME",
                                          "TIMESTAMP",
                                          "TINYINT",
                                          "VARBINARY",
                                          "VARCHAR",
                                          "CHARACTER VARYING",
                                          "DOUBLE PRECISION"};

bool known_sql_type(std::string_view type) {
  std::string head;
  for (char c : type) {
    if (c == '(') break;
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  while (!head.empty() && head.back() == ' ') head.pop_back();
  while (!head.empty() && head.front() == ' ') head.erase(head.begin());
  // "TIMESTAMP WITH TIME ZONE", "INTERVAL DAY TO SECOND": the first word decides.
  for (std::string_view t : kSqlTypes) {
    if (head == t) return true;
    if (head.size() > t.size() && head.starts_with(t) && head[t.size()] == ' ' &&
        (t == "TIMESTAMP" || t == "TIME" || t == "INTERVAL")) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string item_id(int64_t n) { return fmt::format("1.{}", n); }

std::vector<std::string> in_app_stream_names(std::string_view prefix, int32_t count) {
  std::vector<std::string> names;
  for (int32_t i = 1; i <= count; ++i) names.push_back(fmt::format("{}_{:03d}", prefix, i));
  return names;
}

std::optional<protocol::ApiError> check_schema(const api::SourceSchema& schema, std::string_view what) {
  const api::RecordFormat& format = schema.record_format;
  const bool json = format.record_format_type == "JSON";
  if (json && !(format.mapping_parameters && format.mapping_parameters->json_mapping_parameters)) {
    return invalid_argument(fmt::format(
        "{}: RecordFormat of type JSON needs MappingParameters.JSONMappingParameters (its RecordRowPath).", what));
  }
  if (!json && !(format.mapping_parameters && format.mapping_parameters->csv_mapping_parameters)) {
    return invalid_argument(
        fmt::format("{}: RecordFormat of type CSV needs MappingParameters.CSVMappingParameters (its row and column "
                    "delimiters).",
                    what));
  }
  if (schema.record_encoding && *schema.record_encoding != "UTF-8") {
    return invalid_argument(fmt::format("{}: RecordEncoding must be UTF-8.", what));
  }
  std::set<std::string> names;
  for (const api::RecordColumn& c : schema.record_columns) {
    if (c.name.empty()) return invalid_argument(fmt::format("{}: a RecordColumn's Name must not be empty.", what));
    if (!names.insert(c.name).second) {
      return invalid_argument(fmt::format("{}: the column name {} appears more than once.", what, c.name));
    }
    if (json && (!c.mapping || c.mapping->empty())) {
      return invalid_argument(
          fmt::format("{}: column {} needs a Mapping (a JSONPath) because the record format is JSON.", what, c.name));
    }
    if (!known_sql_type(c.sql_type)) {
      return invalid_argument(
          fmt::format("{}: column {} has SqlType {}, which is not a SQL type.", what, c.name, c.sql_type));
    }
  }
  return std::nullopt;
}

std::optional<protocol::ApiError> check_input(const api::Input& input) {
  const int sources = int(input.kinesis_streams_input.has_value()) + int(input.kinesis_firehose_input.has_value());
  if (sources != 1) {
    return invalid_argument(
        "An Input needs exactly one streaming source: KinesisStreamsInput or KinesisFirehoseInput.");
  }
  return check_schema(input.input_schema, "InputSchema");
}

std::optional<protocol::ApiError> check_output(const api::Output& output) {
  const int destinations = int(output.kinesis_streams_output.has_value()) +
                           int(output.kinesis_firehose_output.has_value()) + int(output.lambda_output.has_value());
  if (destinations != 1) {
    return invalid_argument(
        "An Output needs exactly one destination: KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput.");
  }
  return std::nullopt;
}

std::optional<protocol::ApiError> check_reference(const api::ReferenceDataSource& ref) {
  if (!ref.s3_reference_data_source) {
    return invalid_argument("A ReferenceDataSource needs an S3ReferenceDataSource.");
  }
  return check_schema(ref.reference_schema, "ReferenceSchema");
}

std::optional<protocol::ApiError> check_new_tags(const std::vector<api::Tag>& tags) {
  std::set<std::string> keys;
  for (const api::Tag& t : tags) {
    if (t.key.starts_with("aws:")) return invalid_argument("Tag keys starting with aws: are reserved for AWS use.");
    if (!keys.insert(t.key).second) return invalid_argument("The tag key " + t.key + " appears more than once.");
  }
  return std::nullopt;
}

std::optional<protocol::ApiError> check_tag_count(std::string_view app, size_t count) {
  if (count <= kMaxTags) return std::nullopt;
  return too_many_tags(
      fmt::format("Application {} would have {} tags; an application has at most {}.", app, count, kMaxTags));
}

api::InputDescription describe_input(const api::Input& input, std::string id) {
  api::InputDescription d;
  d.input_id = std::move(id);
  d.name_prefix = input.name_prefix;
  const int32_t count = input.input_parallelism ? input.input_parallelism->count.value_or(1) : 1;
  d.in_app_stream_names = in_app_stream_names(input.name_prefix, count);
  if (input.input_processing_configuration) {
    auto& lambda = d.input_processing_configuration_description.emplace().input_lambda_processor_description.emplace();
    lambda.resource_arn = input.input_processing_configuration->input_lambda_processor.resource_arn;
    lambda.role_arn = input.input_processing_configuration->input_lambda_processor.role_arn;
  }
  if (input.kinesis_streams_input) {
    auto& k = d.kinesis_streams_input_description.emplace();
    k.resource_arn = input.kinesis_streams_input->resource_arn;
    k.role_arn = input.kinesis_streams_input->role_arn;
  }
  if (input.kinesis_firehose_input) {
    auto& f = d.kinesis_firehose_input_description.emplace();
    f.resource_arn = input.kinesis_firehose_input->resource_arn;
    f.role_arn = input.kinesis_firehose_input->role_arn;
  }
  d.input_schema = input.input_schema;
  d.input_parallelism.emplace().count = count;
  return d;
}

api::OutputDescription describe_output(const api::Output& output, std::string id) {
  api::OutputDescription d;
  d.output_id = std::move(id);
  d.name = output.name;
  if (output.kinesis_streams_output) {
    auto& k = d.kinesis_streams_output_description.emplace();
    k.resource_arn = output.kinesis_streams_output->resource_arn;
    k.role_arn = output.kinesis_streams_output->role_arn;
  }
  if (output.kinesis_firehose_output) {
    auto& f = d.kinesis_firehose_output_description.emplace();
    f.resource_arn = output.kinesis_firehose_output->resource_arn;
    f.role_arn = output.kinesis_firehose_output->role_arn;
  }
  if (output.lambda_output) {
    auto& l = d.lambda_output_description.emplace();
    l.resource_arn = output.lambda_output->resource_arn;
    l.role_arn = output.lambda_output->role_arn;
  }
  d.destination_schema = output.destination_schema;
  return d;
}

api::ReferenceDataSourceDescription describe_reference(const api::ReferenceDataSource& ref, std::string id) {
  api::ReferenceDataSourceDescription d;
  d.reference_id = std::move(id);
  d.table_name = ref.table_name;
  if (ref.s3_reference_data_source) {
    d.s3_reference_data_source_description.bucket_arn = ref.s3_reference_data_source->bucket_arn;
    d.s3_reference_data_source_description.file_key = ref.s3_reference_data_source->file_key;
    d.s3_reference_data_source_description.reference_role_arn = ref.s3_reference_data_source->reference_role_arn;
  }
  d.reference_schema = ref.reference_schema;
  return d;
}

api::CloudWatchLoggingOptionDescription describe_logging(const api::CloudWatchLoggingOption& option, std::string id) {
  api::CloudWatchLoggingOptionDescription d;
  d.cloud_watch_logging_option_id = std::move(id);
  d.log_stream_arn = option.log_stream_arn;
  d.role_arn = option.role_arn;
  return d;
}

namespace {

// Applies a {ResourceARNUpdate, RoleARNUpdate} update to a description's
// {ResourceARN, RoleARN}: a new source or destination (`existing` unset)
// needs both.
template <class Desc, class Update>
std::optional<protocol::ApiError> apply_arn_update(std::optional<Desc>& existing, const Update& u,
                                                   std::string_view what) {
  if (!existing) {
    if (!u.resource_arn_update || !u.role_arn_update) {
      return invalid_argument(
          fmt::format("{} switches to a new resource and needs both ResourceARNUpdate and RoleARNUpdate.", what));
    }
    existing.emplace();
  }
  if (u.resource_arn_update) existing->resource_arn = *u.resource_arn_update;
  if (u.role_arn_update) existing->role_arn = *u.role_arn_update;
  return std::nullopt;
}

}  // namespace

std::optional<protocol::ApiError> apply_input_update(api::InputDescription& d, const api::InputUpdate& u) {
  if (u.kinesis_streams_input_update && u.kinesis_firehose_input_update) {
    return invalid_argument(
        "An InputUpdate may change KinesisStreamsInputUpdate or KinesisFirehoseInputUpdate, "
        "not both.");
  }
  if (u.name_prefix_update) d.name_prefix = *u.name_prefix_update;
  if (u.input_parallelism_update && u.input_parallelism_update->count_update) {
    d.input_parallelism.emplace().count = *u.input_parallelism_update->count_update;
  }
  const int32_t count = d.input_parallelism ? d.input_parallelism->count.value_or(1) : 1;
  d.in_app_stream_names = in_app_stream_names(d.name_prefix.value_or(""), count);
  if (u.input_processing_configuration_update) {
    auto& processing = d.input_processing_configuration_description;
    if (!processing) processing.emplace();
    if (auto e = apply_arn_update(processing->input_lambda_processor_description,
                                  u.input_processing_configuration_update->input_lambda_processor_update,
                                  "InputLambdaProcessorUpdate")) {
      return e;
    }
  }
  if (u.kinesis_streams_input_update) {
    if (auto e = apply_arn_update(d.kinesis_streams_input_description, *u.kinesis_streams_input_update,
                                  "KinesisStreamsInputUpdate")) {
      return e;
    }
    d.kinesis_firehose_input_description.reset();
  }
  if (u.kinesis_firehose_input_update) {
    if (auto e = apply_arn_update(d.kinesis_firehose_input_description, *u.kinesis_firehose_input_update,
                                  "KinesisFirehoseInputUpdate")) {
      return e;
    }
    d.kinesis_streams_input_description.reset();
  }
  if (u.input_schema_update) {
    const api::InputSchemaUpdate& s = *u.input_schema_update;
    api::SourceSchema& schema = d.input_schema ? *d.input_schema : d.input_schema.emplace();
    if (s.record_format_update) schema.record_format = *s.record_format_update;
    if (s.record_encoding_update) schema.record_encoding = *s.record_encoding_update;
    if (s.record_column_updates) schema.record_columns = *s.record_column_updates;
    if (auto e = check_schema(schema, "InputSchemaUpdate")) return e;
  }
  return std::nullopt;
}

std::optional<protocol::ApiError> apply_output_update(api::OutputDescription& d, const api::OutputUpdate& u) {
  const int destinations = int(u.kinesis_streams_output_update.has_value()) +
                           int(u.kinesis_firehose_output_update.has_value()) + int(u.lambda_output_update.has_value());
  if (destinations > 1) {
    return invalid_argument("An OutputUpdate may change one destination only.");
  }
  if (u.name_update) d.name = *u.name_update;
  if (u.kinesis_streams_output_update) {
    if (auto e = apply_arn_update(d.kinesis_streams_output_description, *u.kinesis_streams_output_update,
                                  "KinesisStreamsOutputUpdate")) {
      return e;
    }
    d.kinesis_firehose_output_description.reset();
    d.lambda_output_description.reset();
  }
  if (u.kinesis_firehose_output_update) {
    if (auto e = apply_arn_update(d.kinesis_firehose_output_description, *u.kinesis_firehose_output_update,
                                  "KinesisFirehoseOutputUpdate")) {
      return e;
    }
    d.kinesis_streams_output_description.reset();
    d.lambda_output_description.reset();
  }
  if (u.lambda_output_update) {
    if (auto e = apply_arn_update(d.lambda_output_description, *u.lambda_output_update, "LambdaOutputUpdate")) {
      return e;
    }
    d.kinesis_streams_output_description.reset();
    d.kinesis_firehose_output_description.reset();
  }
  if (u.destination_schema_update) d.destination_schema = *u.destination_schema_update;
  return std::nullopt;
}

std::optional<protocol::ApiError> apply_reference_update(api::ReferenceDataSourceDescription& d,
                                                         const api::ReferenceDataSourceUpdate& u) {
  if (u.table_name_update) d.table_name = *u.table_name_update;
  if (u.s3_reference_data_source_update) {
    const auto& s3 = *u.s3_reference_data_source_update;
    auto& desc = d.s3_reference_data_source_description;
    if (s3.bucket_arn_update) desc.bucket_arn = *s3.bucket_arn_update;
    if (s3.file_key_update) desc.file_key = *s3.file_key_update;
    if (s3.reference_role_arn_update) desc.reference_role_arn = *s3.reference_role_arn_update;
  }
  if (u.reference_schema_update) {
    if (auto e = check_schema(*u.reference_schema_update, "ReferenceSchemaUpdate")) return e;
    d.reference_schema = *u.reference_schema_update;
  }
  return std::nullopt;
}

void apply_logging_update(api::CloudWatchLoggingOptionDescription& d, const api::CloudWatchLoggingOptionUpdate& u) {
  if (u.log_stream_arn_update) d.log_stream_arn = *u.log_stream_arn_update;
  if (u.role_arn_update) d.role_arn = *u.role_arn_update;
}

StreamRef stream_of(const api::InputDescription& d) {
  StreamRef r;
  if (d.kinesis_streams_input_description)
    r.kinesis_arn = d.kinesis_streams_input_description->resource_arn.value_or("");
  if (d.kinesis_firehose_input_description) {
    r.firehose_arn = d.kinesis_firehose_input_description->resource_arn.value_or("");
  }
  return r;
}

StreamRef stream_of(const api::OutputDescription& d) {
  StreamRef r;
  if (d.kinesis_streams_output_description) {
    r.kinesis_arn = d.kinesis_streams_output_description->resource_arn.value_or("");
  }
  if (d.kinesis_firehose_output_description) {
    r.firehose_arn = d.kinesis_firehose_output_description->resource_arn.value_or("");
  }
  return r;
}

}  // namespace runnel::analytics
