#pragma once
// An application's configuration, as pure functions over the generated
// shapes: KDA's rules beyond the model (one streaming source per input, one
// destination per output, JSON mappings, column names), the descriptions
// DescribeApplication answers with (ids, in-application stream names), and
// the merges of UpdateApplication's *Update shapes into them.
//
// Ids: each kind of item (input, output, reference data source, CloudWatch
// logging option) is numbered "1.1", "1.2", ... per application, in the
// order added, never reused (docs/analytics.md).
//
// Threads: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kinesisanalytics_shapes.h"
#include "protocol/api_error.h"

namespace runnel::analytics {

// KDA's limits per application.
inline constexpr size_t kMaxInputs = 1;
inline constexpr size_t kMaxOutputs = 3;
inline constexpr size_t kMaxTags = 50;

// "1.<n>"
std::string item_id(int64_t n);

// "<prefix>_001" ... "<prefix>_<count>" (three digits, as KDA names them).
std::vector<std::string> in_app_stream_names(std::string_view prefix, int32_t count);

// KDA's rules beyond the model, or nullopt when the shape is acceptable.
// `what` names the shape in messages ("Input", "ReferenceSchema").
std::optional<protocol::ApiError> check_schema(const api::SourceSchema& schema, std::string_view what);
std::optional<protocol::ApiError> check_input(const api::Input& input);
std::optional<protocol::ApiError> check_output(const api::Output& output);
std::optional<protocol::ApiError> check_reference(const api::ReferenceDataSource& ref);
// Tags given to CreateApplication or TagResource: keys starting "aws:" are
// reserved, and a key may appear once.
std::optional<protocol::ApiError> check_new_tags(const std::vector<api::Tag>& tags);
// TooManyTagsException when `app` would have `count` tags.
std::optional<protocol::ApiError> check_tag_count(std::string_view app, size_t count);

// The description of a new item with id `id`.
api::InputDescription describe_input(const api::Input& input, std::string id);
api::OutputDescription describe_output(const api::Output& output, std::string id);
api::ReferenceDataSourceDescription describe_reference(const api::ReferenceDataSource& ref, std::string id);
api::CloudWatchLoggingOptionDescription describe_logging(const api::CloudWatchLoggingOption& option, std::string id);

// Applies an update to a description in place; an error leaves `d` in a
// state the caller must discard (callers work on a copy).
std::optional<protocol::ApiError> apply_input_update(api::InputDescription& d, const api::InputUpdate& u);
std::optional<protocol::ApiError> apply_output_update(api::OutputDescription& d, const api::OutputUpdate& u);
std::optional<protocol::ApiError> apply_reference_update(api::ReferenceDataSourceDescription& d,
                                                         const api::ReferenceDataSourceUpdate& u);
void apply_logging_update(api::CloudWatchLoggingOptionDescription& d, const api::CloudWatchLoggingOptionUpdate& u);

// The streams an input or output description reads or writes: the ARN of
// its Kinesis stream or Firehose delivery stream (one is set).
struct StreamRef {
  std::string kinesis_arn;
  std::string firehose_arn;
};
StreamRef stream_of(const api::InputDescription& d);
StreamRef stream_of(const api::OutputDescription& d);

}  // namespace runnel::analytics
