#include "firehose/processing.h"

extern "C" {
#include <jq.h>
}

#include <cstdlib>

#include "firehose/compression.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

constexpr size_t kMaxSubRecords = 500;  // AWS's cap per record

void remember_error(void* data, jv message) {
  auto* out = static_cast<std::string*>(data);
  if (jv_get_kind(message) == JV_KIND_STRING) {
    *out = jv_string_value(message);
  } else {
    jv text = jv_dump_string(jv_copy(message), 0);
    *out = jv_string_value(text);
    jv_free(text);
  }
  jv_free(message);
}

std::string text_of(jv value) {
  if (jv_get_kind(value) == JV_KIND_STRING) {
    std::string s = jv_string_value(value);
    jv_free(value);
    return s;
  }
  jv dumped = jv_dump_string(value, 0);  // consumes value
  std::string s = jv_string_value(dumped);
  jv_free(dumped);
  return s;
}

}  // namespace

std::optional<std::vector<std::string_view>> split_json_objects(std::string_view data) {
  std::vector<std::string_view> out;
  size_t i = 0;
  const size_t n = data.size();
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (true) {
    while (i < n && space(data[i])) ++i;
    if (i == n) break;
    if (data[i] != '{') return std::nullopt;
    const size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < n; ++i) {
      const char c = data[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') in_string = true;
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) break;
      }
    }
    if (i >= n) return std::nullopt;  // an object that does not end
    out.push_back(data.substr(start, i + 1 - start));
    ++i;
  }
  return out;
}

Result<ProcessingSpec> processing_spec(const std::optional<api::ProcessingConfiguration>& config) {
  ProcessingSpec spec;
  if (!config || !config->enabled.value_or(false) || !config->processors) return spec;
  for (const api::Processor& p : *config->processors) {
    auto param = [&](std::string_view name) -> std::optional<std::string> {
      if (p.parameters)
        for (const auto& kv : *p.parameters)
          if (kv.parameter_name == name) return kv.parameter_value;
      return std::nullopt;
    };
    if (p.type == "AppendDelimiterToRecord") {
      spec.append_delimiter = true;
    } else if (p.type == "MetadataExtraction") {
      spec.jq = param("MetadataExtractionQuery");
    } else if (p.type == "Lambda") {
      spec.lambda_arn = param("LambdaArn");
      if (auto n = param("NumberOfRetries")) spec.lambda_retries = std::atoi(n->c_str());
      if (auto mb = param("BufferSizeInMBs"))
        spec.lambda_buffer_bytes = static_cast<uint64_t>(std::atof(mb->c_str()) * (1 << 20));
      if (auto sec = param("BufferIntervalInSeconds")) spec.lambda_interval_ms = std::atoll(sec->c_str()) * 1000;
      if (spec.lambda_buffer_bytes == 0) spec.lambda_buffer_bytes = 1ull << 20;
    } else if (p.type == "Decompression") {
      spec.gunzip = param("CompressionFormat").value_or("GZIP") == "GZIP";
    } else if (p.type == "CloudWatchLogProcessing") {
      spec.extract_log_messages = param("DataMessageExtraction").value_or("false") == "true";
    } else if (p.type == "RecordDeAggregation") {
      if (param("SubRecordType").value_or("JSON") == "DELIMITED") {
        spec.sub_records = ProcessingSpec::SubRecords::kDelimited;
        auto decoded = protocol::base64_decode(param("Delimiter").value_or(""));
        if (!decoded || decoded->empty())
          return std::unexpected(Status::invalid_argument("RecordDeAggregation's Delimiter must be non-empty base64"));
        spec.delimiter = std::move(*decoded);
      } else {
        spec.sub_records = ProcessingSpec::SubRecords::kJson;
      }
    }
  }
  return spec;
}

Result<std::unique_ptr<RecordProcessor>> RecordProcessor::make(const ProcessingSpec& spec) {
  std::unique_ptr<RecordProcessor> p(new RecordProcessor(spec));
  if (spec.jq) {
    p->jq_ = jq_init();
    if (!p->jq_) return std::unexpected(Status::resource_exhausted("jq: out of memory"));
    jq_set_error_cb(p->jq_, remember_error, &p->jq_error_);
    if (!jq_compile(p->jq_, spec.jq->c_str()))
      return std::unexpected(Status::invalid_argument("MetadataExtractionQuery does not compile: " + p->jq_error_));
  }
  return p;
}

RecordProcessor::~RecordProcessor() {
  if (jq_) jq_teardown(&jq_);
}

std::optional<ProcessingError> RecordProcessor::keys_of(std::string_view json,
                                                        std::vector<std::pair<std::string, std::string>>& keys) {
  jv input = jv_parse_sized(json.data(), static_cast<int>(json.size()));
  if (!jv_is_valid(input)) {
    std::string why = jv_invalid_has_msg(jv_copy(input)) ? text_of(jv_invalid_get_msg(jv_copy(input))) : "";
    jv_free(input);
    return ProcessingError{"DynamicPartitioning.MetadataExtractionFailed", "Non JSON record provided: " + why};
  }
  jq_error_.clear();
  jq_start(jq_, input, 0);  // takes input
  jv out = jq_next(jq_);
  std::optional<ProcessingError> error;
  if (jv_get_kind(out) != JV_KIND_OBJECT) {
    std::string why = !jq_error_.empty() ? jq_error_
                      : jv_get_kind(out) == JV_KIND_INVALID && jv_invalid_has_msg(jv_copy(out))
                          ? text_of(jv_invalid_get_msg(jv_copy(out)))
                          : "the query did not produce a JSON object";
    error = ProcessingError{"DynamicPartitioning.MetadataExtractionFailed", why};
  } else {
    jv_object_foreach(out, k, v) {
      std::string key = text_of(k);
      const jv_kind kind = jv_get_kind(v);
      if (kind == JV_KIND_NULL) {
        jv_free(v);
        error = ProcessingError{"DynamicPartitioning.MetadataExtractionFailed",
                                "The partition key " + key + " is null in this record"};
        break;
      }
      keys.emplace_back(std::move(key), text_of(v));
    }
  }
  jv_free(out);
  // Drain what else the query yields, so the next record starts afresh.
  for (jv more = jq_next(jq_); jv_is_valid(more); more = jq_next(jq_)) jv_free(more);
  return error;
}

std::optional<ProcessingError> RecordProcessor::split(std::string_view record, std::vector<std::string>& parts) {
  std::string unpacked;
  if (spec_.gunzip) {
    auto plain = decompress(Compression::kGzip, record);
    if (!plain)
      return ProcessingError{"Decompression.Failed", "The record is not GZIP data: " + plain.error().message()};
    unpacked = std::move(*plain);
    record = unpacked;
  }
  std::vector<std::string> messages;
  std::vector<std::string_view> inputs;
  if (spec_.extract_log_messages) {
    // A CloudWatch Logs subscription payload.
    auto doc = protocol::decode_json(record);
    const protocol::Value* type = doc && doc->is_object() ? doc->find("messageType") : nullptr;
    if (!type || !type->is_string())
      return ProcessingError{"CloudWatchLogProcessing.Failed", "The record is not a CloudWatch Logs message."};
    if (type->as_string() == "CONTROL_MESSAGE") return std::nullopt;
    const protocol::Value* events = doc->find("logEvents");
    if (type->as_string() != "DATA_MESSAGE" || !events || !events->is_array())
      return ProcessingError{"CloudWatchLogProcessing.Failed", "The record is not a CloudWatch Logs DATA_MESSAGE."};
    for (const protocol::Value& e : events->as_array()) {
      const protocol::Value* m = e.is_object() ? e.find("message") : nullptr;
      if (!m || !m->is_string())
        return ProcessingError{"CloudWatchLogProcessing.Failed", "A log event has no message."};
      messages.push_back(m->as_string() + "\n");
    }
    for (const auto& m : messages) inputs.push_back(m);
  } else {
    inputs.push_back(record);
  }
  const size_t first = parts.size();
  for (std::string_view in : inputs) {
    switch (spec_.sub_records) {
      case ProcessingSpec::SubRecords::kNone: parts.emplace_back(in); break;
      case ProcessingSpec::SubRecords::kJson: {
        auto split = split_json_objects(in);
        if (!split) {
          parts.resize(first);
          return ProcessingError{"RecordDeAggregation.Failed",
                                 "The record is not a sequence of JSON objects (a JSON array is not)."};
        }
        for (std::string_view p : *split) parts.emplace_back(p);
        break;
      }
      case ProcessingSpec::SubRecords::kDelimited: {
        size_t at = 0;
        while (at <= in.size()) {
          const size_t next = in.find(spec_.delimiter, at);
          std::string_view part = in.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
          if (!part.empty()) parts.emplace_back(part);
          if (next == std::string_view::npos) break;
          at = next + spec_.delimiter.size();
        }
        break;
      }
    }
  }
  if (spec_.sub_records != ProcessingSpec::SubRecords::kNone && parts.size() - first > kMaxSubRecords) {
    const size_t n = parts.size() - first;
    parts.resize(first);
    return ProcessingError{"RecordDeAggregation.Failed",
                           "The record holds " + std::to_string(n) + " sub-records; at most 500 are allowed."};
  }
  return std::nullopt;
}

std::optional<ProcessingError> RecordProcessor::finish(Piece& piece) {
  if (jq_) {
    if (auto error = keys_of(piece.data, piece.keys)) return error;
  }
  if (spec_.append_delimiter) piece.data.push_back('\n');
  return std::nullopt;
}

std::optional<ProcessingError> RecordProcessor::process(std::string_view record, std::vector<Piece>& out) {
  std::vector<std::string> parts;
  if (auto error = split(record, parts)) return error;
  const size_t first = out.size();
  for (std::string& part : parts) {
    Piece piece{std::move(part), {}};
    if (auto error = finish(piece)) {
      out.resize(first);
      return error;
    }
    out.push_back(std::move(piece));
  }
  return std::nullopt;
}

}  // namespace runnel::firehose
