#include "analytics/code_check.h"

#include <cstdio>

#include "analytics/arns.h"
#include "analytics/configuration.h"
#include "analytics/errors.h"
#include "sql/parser.h"

namespace runnel::analytics {
namespace {

sql::SourceSchema source_schema_of(const api::SourceSchema& s) {
  sql::SourceSchema out;
  out.format = s.record_format.record_format_type == "CSV" ? sql::RecordFormatType::kCsv : sql::RecordFormatType::kJson;
  if (const auto& m = s.record_format.mapping_parameters) {
    if (m->json_mapping_parameters) out.record_row_path = m->json_mapping_parameters->record_row_path;
    if (m->csv_mapping_parameters) {
      out.record_row_delimiter = m->csv_mapping_parameters->record_row_delimiter;
      out.record_column_delimiter = m->csv_mapping_parameters->record_column_delimiter;
    }
  }
  for (const api::RecordColumn& c : s.record_columns)
    out.columns.push_back(sql::RecordColumn{c.name, c.mapping.value_or(""), c.sql_type});
  return out;
}

std::vector<sql::ColumnSchema> columns_of(const api::SourceSchema& s) {
  std::vector<sql::ColumnSchema> out;
  for (const api::RecordColumn& c : s.record_columns) {
    Result<sql::SqlType> t = sql::parse_sql_type(c.sql_type);
    // A type that does not parse was refused when the schema was given; a
    // VARCHAR stands in so that the code's other errors still show.
    out.push_back(sql::ColumnSchema{c.name, t ? *t : sql::SqlType::varchar(sql::kMaxCharLength)});
  }
  return out;
}

bool has_input(const api::ApplicationDetail& d) { return d.input_descriptions && !d.input_descriptions->empty(); }

}  // namespace

sql::ProgramInputs program_inputs(const api::ApplicationDetail& d) {
  sql::ProgramInputs in;
  if (d.input_descriptions) {
    for (const api::InputDescription& i : *d.input_descriptions) {
      std::vector<sql::ColumnSchema> cols;
      if (i.input_schema) cols = columns_of(*i.input_schema);
      cols.push_back(sql::ColumnSchema{"APPROXIMATE_ARRIVAL_TIME", sql::SqlType::of(sql::TypeKind::kTimestamp), true});
      const int n = i.input_parallelism && i.input_parallelism->count ? *i.input_parallelism->count : 1;
      for (std::string& name : in_app_stream_names(i.name_prefix.value_or(""), n))
        in.streams.push_back({std::move(name), cols});
    }
  }
  if (d.reference_data_source_descriptions) {
    for (const api::ReferenceDataSourceDescription& r : *d.reference_data_source_descriptions) {
      sql::ProgramInputs::Table t;
      t.name = r.table_name;
      if (r.reference_schema) t.columns = columns_of(*r.reference_schema);
      in.tables.push_back(std::move(t));
    }
  }
  return in;
}

std::optional<protocol::ApiError> validate_application_code(std::string_view code) {
  sql::ParseError pe;
  if (sql::parse_program(code, &pe)) return std::nullopt;
  return code_validation(pe.to_string());
}

std::optional<protocol::ApiError> check_code(const api::ApplicationDetail& d) {
  const std::string code = d.application_code.value_or("");
  if (!has_input(d)) return validate_application_code(code);
  sql::CompileError ce;
  if (sql::Engine::compile(code, program_inputs(d), &ce)) return std::nullopt;
  return code_validation(ce.to_string());
}

std::optional<protocol::ApiError> check_startable(const api::ApplicationDetail& d, bool lambda_endpoint) {
  bool uses_lambda = false;
  if (d.input_descriptions)
    for (const api::InputDescription& i : *d.input_descriptions)
      uses_lambda = uses_lambda || i.input_processing_configuration_description.has_value();
  if (d.output_descriptions)
    for (const api::OutputDescription& o : *d.output_descriptions)
      uses_lambda = uses_lambda || o.lambda_output_description.has_value();
  if (uses_lambda && !lambda_endpoint)
    return invalid_application_configuration(
        "The application invokes a Lambda function (input preprocessing or a Lambda output), and runnel serves no "
        "Lambda functions: start it with --lambda-endpoint URL.");
  sql::CompileError ce;
  auto engine = sql::Engine::compile(d.application_code.value_or(""), program_inputs(d), &ce);
  if (!engine) return invalid_application_configuration("The application code does not compile: " + ce.to_string());
  if (d.output_descriptions) {
    for (const api::OutputDescription& o : *d.output_descriptions) {
      const std::string name = o.name.value_or("");
      if (name == sql::kErrorStream || (*engine)->stream_columns(name) != nullptr) continue;
      return invalid_application_configuration("Output " + o.output_id.value_or("") +
                                               " names the in-application stream " + name +
                                               ", which the application code does not create.");
    }
  }
  return std::nullopt;
}

RunSpec run_spec_of(const StoredApplication& app) {
  const api::ApplicationDetail& d = app.detail;
  RunSpec s;
  s.name = d.application_name;
  s.arn = d.application_arn;
  s.version = d.application_version_id;
  s.run = app.run_started_ms;
  s.code = d.application_code.value_or("");
  if (has_input(d)) {
    const api::InputDescription& i = d.input_descriptions->front();
    if (i.kinesis_streams_input_description && i.kinesis_streams_input_description->resource_arn)
      s.input_stream =
          resource_name(*i.kinesis_streams_input_description->resource_arn, "kinesis", "stream").value_or("");
    if (i.kinesis_firehose_input_description && i.kinesis_firehose_input_description->resource_arn)
      s.input_delivery_stream =
          resource_name(*i.kinesis_firehose_input_description->resource_arn, "firehose", "deliverystream").value_or("");
    s.name_prefix = i.name_prefix.value_or("SOURCE_SQL_STREAM");
    s.parallelism = i.input_parallelism && i.input_parallelism->count ? *i.input_parallelism->count : 1;
    if (i.kinesis_streams_input_description && i.kinesis_streams_input_description->resource_arn)
      s.input_arn = *i.kinesis_streams_input_description->resource_arn;
    if (i.kinesis_firehose_input_description && i.kinesis_firehose_input_description->resource_arn)
      s.input_arn = *i.kinesis_firehose_input_description->resource_arn;
    if (const auto& p = i.input_processing_configuration_description;
        p && p->input_lambda_processor_description && p->input_lambda_processor_description->resource_arn)
      s.input_lambda_arn = *p->input_lambda_processor_description->resource_arn;
    if (i.input_schema) s.schema = source_schema_of(*i.input_schema);
    if (i.input_starting_position_configuration && i.input_starting_position_configuration->input_starting_position)
      s.starting_position = *i.input_starting_position_configuration->input_starting_position;
  }
  if (d.reference_data_source_descriptions) {
    for (const api::ReferenceDataSourceDescription& r : *d.reference_data_source_descriptions) {
      RunSpec::Reference ref;
      ref.table = r.table_name;
      ref.bucket = s3::bucket_from_arn(r.s3_reference_data_source_description.bucket_arn).value_or("");
      ref.key = r.s3_reference_data_source_description.file_key;
      if (r.reference_schema) ref.schema = source_schema_of(*r.reference_schema);
      s.references.push_back(std::move(ref));
    }
  }
  if (d.output_descriptions) {
    for (const api::OutputDescription& o : *d.output_descriptions) {
      RunSpec::Output out;
      out.name = o.name.value_or("");
      if (o.kinesis_streams_output_description && o.kinesis_streams_output_description->resource_arn)
        out.kinesis_stream =
            resource_name(*o.kinesis_streams_output_description->resource_arn, "kinesis", "stream").value_or("");
      if (o.kinesis_firehose_output_description && o.kinesis_firehose_output_description->resource_arn)
        out.delivery_stream =
            resource_name(*o.kinesis_firehose_output_description->resource_arn, "firehose", "deliverystream")
                .value_or("");
      if (o.lambda_output_description && o.lambda_output_description->resource_arn)
        out.lambda_arn = *o.lambda_output_description->resource_arn;
      if (o.destination_schema && o.destination_schema->record_format_type == "CSV")
        out.format = sql::RecordFormatType::kCsv;
      s.outputs.push_back(std::move(out));
    }
  }
  return s;
}

}  // namespace runnel::analytics
