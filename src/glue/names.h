#pragma once
// Names, GetTables' Expression, paging tokens and version ids as Glue reads
// them (docs/glue.md).
//
// Threads: pure functions; a NameFilter is immutable once built and may be
// used from any thread.

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "protocol/api_error.h"

namespace runnel::glue {

// Glue keeps database and table names in lowercase ("For Hive
// compatibility, this name is entirely lowercase"): names are lowered on
// the way in, so lookups ignore case. ASCII letters only, as Hive does.
std::string lower_name(std::string_view name);

// GetTables' Expression: "a regular expression pattern; only those tables
// whose names match the pattern are returned". Glue reads it as the Hive
// metastore does: alternatives separated by '|', each a regular expression
// in which a '*' not preceded by '.' stands for ".*", matched against the
// whole name, ignoring case. An expression that does not compile is
// InvalidInputException.
class NameFilter {
 public:
  static protocol::ApiResult<NameFilter> parse(std::string_view expression);
  bool matches(std::string_view name) const;

 private:
  std::regex re_;
};

// NextToken: opaque to clients (base64 of the last name or version
// returned); a token that is not one of ours is InvalidInputException.
std::string make_token(std::string_view last);
protocol::ApiResult<std::string> read_token(std::string_view token);

// A VersionId: the decimal string of a non-negative integer ("0", "1",
// ...); anything else is InvalidInputException.
protocol::ApiResult<int64_t> parse_version_id(std::string_view version_id);

}  // namespace runnel::glue
