#pragma once
// Firehose's S3 prefix expressions (AWS: "Custom prefixes for Amazon S3
// objects"), in one place for both planes: the control plane validates
// Prefix and ErrorOutputPrefix at CreateDeliveryStream and UpdateDestination
// (validate_prefixes), and the data plane evaluates them for every object it
// writes (object_prefix, error_prefix).
//
// Expressions are `!{namespace:value}`:
//   !{timestamp:<Java DateTimeFormatter pattern>}  the arrival time of the
//       object's oldest record, in UTC or the CustomTimeZone; every
//       occurrence in one prefix is the same instant;
//   !{firehose:random-string}      11 random characters, new per occurrence;
//   !{firehose:error-output-type}  ErrorOutputPrefix only;
//   !{partitionKeyFromQuery:key} / !{partitionKeyFromLambda:key}
//       dynamic partitioning only, never in ErrorOutputPrefix.
// Rules and messages: docs/firehose.md ("Prefixes").
//
// Threads: everything here is pure (TimeZone loads are cached and
// thread-safe); call from any thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/api_error.h"

namespace runnel::firehose {

struct PrefixValues {
  int64_t arrival_ms = 0;
  std::string time_zone;  // CustomTimeZone, empty = UTC
  std::vector<std::pair<std::string, std::string>> query_keys, lambda_keys;
};

// The evaluated prefix of a delivered object, with AWS's default rules (no
// prefix → "YYYY/MM/dd/HH/"; no timestamp expression → the timestamp
// appended).
std::string object_prefix(const std::optional<std::string>& prefix, const PrefixValues& values,
                          const std::function<std::string()>& random_string);

// The evaluated error prefix for `error_output_type` ("processing-failed",
// "http-endpoint-failed", ...), with AWS's rules when ErrorOutputPrefix is
// null: <Prefix><error-output-type>/YYYY/MM/dd/HH/.
std::string error_prefix(const std::optional<std::string>& error_output_prefix,
                         const std::optional<std::string>& prefix, std::string_view error_output_type,
                         const PrefixValues& values, const std::function<std::string()>& random_string);

// What validate_prefixes needs to know about the destination.
struct PrefixRules {
  bool dynamic_partitioning = false;
  // A MetadataExtraction processor is configured; its query's keys when
  // runnel could read them from the MetadataExtractionQuery.
  bool metadata_extraction = false;
  std::optional<std::vector<std::string>> query_keys;
  bool lambda = false;  // a Lambda processor is configured
};

// InvalidArgumentException ("The supplied prefix(es) do not satisfy the
// following constraint: ...") when Prefix and ErrorOutputPrefix break one of
// AWS's rules; nullopt when they are fine.
std::optional<protocol::ApiError> validate_prefixes(const std::optional<std::string>& prefix,
                                                    const std::optional<std::string>& error_output_prefix,
                                                    const PrefixRules& rules);

// Whether `text` contains any `!{` expression.
bool has_expressions(std::string_view text);

// `ms` (epoch milliseconds) formatted with a Java DateTimeFormatter pattern,
// shifted by `offset_seconds` from UTC; nullopt when the pattern is not one
// runnel can format (docs/firehose.md lists the letters). Supported:
// y u (year), M L (month: M, MM, MMM, MMMM), d, D (day of year), H, k, h, K,
// m, s, S... (fraction), a (AM/PM), E (day of week: E..EEE, EEEE), e/c
// (day-of-week number, Monday 1); 'quoted' literals ('' is a quote); [ ]
// optional sections (always printed); other non-letters are literal, except
// '#', '{' and '}', which Java reserves.
std::optional<std::string> format_java_time(std::string_view pattern, int64_t ms, int64_t offset_seconds);

// The offset from UTC of `time_zone` (empty: UTC) at `ms`.
int64_t zone_offset_seconds(std::string_view time_zone, int64_t ms);

// The MetadataExtractionQuery's keys ("{a:.x, b:.y|f}" → a, b), or nullopt
// when the query is not a plain JQ object construction runnel can read.
std::optional<std::vector<std::string>> query_keys_of(std::string_view query);

}  // namespace runnel::firehose
