#pragma once
// AWS Query (application/x-www-form-urlencoded requests, XML answers) <->
// Value, for any botocore model whose "protocols" include "query".
//
// A request is `Action=Op&Version=yyyy-mm-dd&` followed by the input flattened
// into dotted keys (botocore's QuerySerializer): `A.B` for structure members,
// `A.member.N` for list items (1-based; `A.N` when the list is flattened, the
// model's member name in place of `member` when it names one),
// `A.entry.N.key` / `A.entry.N.value` for maps. The answer is
// `<OpResponse xmlns=..><OpResult>..</OpResult><ResponseMetadata>..`, errors
// `<ErrorResponse><Error><Type><Code><Message>..`. docs/protocol-query.md has
// the byte-level rules and examples.
//
// The decoder produces the Value the JSON decoder and validate_input would
// produce for the same input (typed scalars, Object keyed by wire names), so
// validate_input(..., WireFormat::kJson) runs unchanged after it. Query
// services report some input faults differently from JSON services, and
// those are answered here, before validation: unreadable scalars
// (MalformedInput) and missing required members (MissingParameter).
//
// Thread-safety: pure functions over immutable models; call from any thread.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/api_error.h"
#include "protocol/model.h"
#include "protocol/value.h"

namespace runnel::protocol {

// The Content-Type of every Query answer, success or error (what CloudWatch
// and the other Query services send).
inline constexpr std::string_view kQueryContentType = "text/xml";

// At most this many parameters in one form; more is MalformedQueryString.
// CloudWatch's largest request (PutMetricData, 1 MB) holds ~50,000.
inline constexpr size_t kMaxQueryParameters = 200'000;

// One `key=value` pair of a form, percent-decoded.
struct QueryParameter {
  std::string key;
  std::string value;
};

// Parses an application/x-www-form-urlencoded body (or a URL's query string:
// the syntax is the same) into its pairs, in order: `&` separates pairs, the
// first `=` splits key from value (a pair without `=` has an empty value),
// `+` is a space, `%XX` a byte (hex, either case). Empty pairs (`&&`) are
// skipped; repeated keys are kept (decode_query_input lets the last win).
// Errors: MalformedQueryString (HTTP 404, as AWS's common errors list it)
// for a `%` not followed by two hex digits, decoded text that is not UTF-8,
// or more than kMaxQueryParameters pairs.
ApiResult<std::vector<QueryParameter>> parse_query_form(std::string_view form);

// The operation a Query request names: its `Action`, which must be one of
// the model's operations, with `Version` equal to the model's api_version.
// Errors (HTTP 400, Sender): MissingAction ("The request is missing an action
// or a required parameter."), InvalidAction ("Could not find operation
// {Action} for version {Version}", what AWS's Query services answer for an
// unknown operation or one asked under another or no Version), and
// parse_query_form's errors.
ApiResult<const OperationModel*> find_query_operation(const ServiceModel& model, std::string_view form);

// Decodes a Query request for `op` into the operation's input Value.
// Checks Action and Version as find_query_operation does (Action must be
// `op`'s name). Builds the input from the keys the input shape defines and
// ignores every other key. Scalars are converted by shape type: integer and
// long as decimal integers in range, float and double as Java's
// Double.parseDouble reads them (also `NaN`, `Infinity`, `-Infinity`),
// boolean `true`/`false` (any case), timestamp ISO 8601
// (`2026-12-06T23:59:00Z`, up to 6 fraction digits, `Z` or a `+hh:mm`
// offset) to milliseconds (finer digits are truncated), blob as padded
// base64. Lists keep their items in index order; missing indexes are
// skipped (member.1 and member.3 give two items); `A=` (empty value, what
// botocore sends for []) is an empty list. Duplicate keys: the last wins.
// Errors (HTTP 400, Sender): MalformedInput for a scalar that does not read
// as its type ("timestamp must follow ISO8601" for timestamps, AWS's text),
// or nesting deeper than kMaxNestingDepth; then MissingParameter for
// required members that are absent, one line per member in key form:
// "The parameter MetricData.member.1.MetricName is required." (lines joined
// by '\n', as CloudWatch does).
ApiResult<Value> decode_query_input(const ServiceModel& model, const OperationModel& op, std::string_view form);

// Encodes a successful answer: `<{Op}Response xmlns="{xml_namespace}">`,
// the output's members inside `<{result_wrapper}>` (directly inside the
// response element when the operation has none), then
// `<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>`.
// Only members the output shape defines are written, in the shape's order.
// Lists are `<member>` items (the model's item name when it names one;
// repeated elements without a wrapper when flattened), maps
// `<entry><key/><value/></entry>`. Scalars: timestamps ISO 8601 UTC with
// milliseconds only when non-zero (`2026-12-06T23:59:00Z`,
// `2026-12-06T23:59:00.250Z`); doubles as Java's Double.toString writes them
// (`1.0`, `0.25`, `1.0E-5`, `1.0E7`, `NaN`, `Infinity`), the shortest text
// that reads back as the same double (floats: the same float); blobs base64;
// strings XML-escaped (`& < > " '` as entities, carriage return as `&#13;`,
// other C0 controls but tab and newline, which XML 1.0 cannot carry, as
// U+FFFD). Encoded values (JSON/CBOR bytes) are not written.
std::string encode_query_output(const ServiceModel& model, const OperationModel& op, const Value& output,
                                std::string_view request_id);

// The Query code of an error, its HTTP status and whether the caller is at
// fault. `error.type` naming an error shape of `model` gives the shape's
// error_code (its name when the model sets none: "InvalidParameterValue" for
// InvalidParameterValueException) and error_status (0: error.http_status).
// Otherwise: ValidationException (validate_input's constraint violations)
// is ValidationError, SerializationException is MalformedInput, and any
// other type is its own code. Receiver when the shape says senderFault
// false, or, without a shape, for statuses of 500 and above.
struct QueryErrorCode {
  std::string code;
  int http_status = 400;
  bool sender = true;
};
QueryErrorCode query_error_code(const ServiceModel& model, const ApiError& error);

// An error answer: status and
// `<ErrorResponse xmlns="{xml_namespace}"><Error><Type>Sender|Receiver</Type>
// <Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId>
// </ErrorResponse>` (the message element is left out when empty).
struct QueryErrorResponse {
  int http_status = 400;
  std::string body;
};
QueryErrorResponse encode_query_error(const ServiceModel& model, const ApiError& error, std::string_view request_id);

// The `x-amzn-query-error` header value that the JSON and CBOR protocols of
// an awsQueryCompatible service send with an error: "{code};Sender" or
// "{code};Receiver", from query_error_code. Empty when `model` is not
// awsQueryCompatible (no header is sent then).
std::string query_error_header(const ServiceModel& model, const ApiError& error);

}  // namespace runnel::protocol
