#pragma once
// The AWS service model (botocore's service-2.json) as C++ tables.
//
// tools/gen_model.py turns botocore's JSON into constexpr arrays of the
// structs below at build time (<build>/gen/<service>_model.cc), so nothing is
// parsed or allocated at startup. A ServiceModel and everything it points to
// is immutable static data: safe to read from any thread without locking.
//
// Shapes refer to each other by index into ServiceModel::shapes (ShapeRef),
// so recursive shapes need no pointers. Names are the model's names; wire
// names are what appears on the wire (the same for AWS JSON 1.1 unless the
// model sets jsonName/locationName).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace runnel::protocol {

enum class ShapeType : uint8_t {
  kStructure,
  kList,
  kMap,
  kString,
  kBlob,
  kBoolean,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kTimestamp,
};

// Index of a shape in ServiceModel::shapes.
using ShapeRef = uint16_t;
inline constexpr ShapeRef kNoShape = 0xFFFF;

// Where a REST protocol carries a structure member (botocore's "location").
enum class MemberLocation : uint8_t {
  kBody,         // in the payload document (every member of the RPC protocols)
  kHeader,       // an HTTP header named location_name
  kHeaders,      // a map of headers whose names start with location_name
  kQueryString,  // a query-string parameter named location_name
  kUri,          // the {label} of the operation's URI template
  kStatusCode,   // the response's HTTP status code
};

struct MemberModel {
  std::string_view name;       // model member name, e.g. "StreamName"
  std::string_view wire_name;  // key on the wire (jsonName/locationName, else name)
  ShapeRef shape = kNoShape;
  bool required = false;  // listed in the structure's "required"
  MemberLocation location = MemberLocation::kBody;
  std::string_view location_name;  // header, query or URI label name; empty in the body
  std::string_view query_name;     // AWS Query's key when the model sets queryName
  bool payload = false;            // the structure's "payload" member (REST)
  bool streaming = false;          // a streaming blob (REST request or response body)
  bool xml_attribute = false;      // an XML attribute (REST-XML)
  // REST-XML traits, the member's own or else its shape's (botocore merges
  // them the same way): "iso8601", "rfc822" or "unixTimestamp" (empty: the
  // location's default), the xmlns the element declares (uri and prefix),
  // and whether a list or map is written without a wrapper element.
  std::string_view timestamp_format;
  std::string_view xml_namespace;
  std::string_view xml_namespace_prefix;
  bool flattened = false;
};

struct Shape {
  std::string_view name;  // e.g. "StreamName", "PutRecordsInput"
  ShapeType type = ShapeType::kString;
  // Constraints. For string/blob/list/map they bound the length (UTF-16 code
  // units for strings, bytes for blobs, entries for lists and maps); for
  // integer/long they bound the value.
  bool has_min = false;
  bool has_max = false;
  int64_t min = 0;
  int64_t max = 0;
  std::string_view pattern;                       // Java regex as written in the model; empty if none
  std::span<const std::string_view> enum_values;  // in the order AWS prints them
  // Structure members, in the order AWS reports their validation errors
  // (the model's order unless tools/gen_model.py knows AWS's own order).
  std::span<const MemberModel> members;
  ShapeRef member = kNoShape;         // list element shape
  ShapeRef key = kNoShape;            // map key shape
  ShapeRef value = kNoShape;          // map value shape
  bool exception = false;             // an error shape
  bool event_stream = false;          // an event-stream union (SubscribeToShard output)
  bool flattened = false;             // a list or map serialised without a wrapper (Query, XML)
  std::string_view list_member_name;  // a list's element name (Query/XML), "member" unless set
  // For error shapes (botocore's "error" trait): the code AWS Query and
  // awsQueryCompatible services send (empty: the shape's name), the HTTP
  // status (0: unset, 400) and whether the caller is at fault.
  std::string_view error_code;
  uint16_t error_status = 0;
  bool sender_fault = true;
  // REST-XML: the shape's own locationName (the root element of a structure
  // sent as a whole body), its xmlns (uri, prefix), its timestampFormat, and
  // a map's key and value element names ("key", "value" unless set).
  std::string_view xml_name;
  std::string_view xml_namespace;
  std::string_view xml_namespace_prefix;
  std::string_view timestamp_format;
  std::string_view map_key_name;
  std::string_view map_value_name;

  // The member whose wire name is `wire_name`, or nullptr.
  const MemberModel* find_member(std::string_view wire_name) const;
  bool has_constraints() const { return has_min || has_max || !pattern.empty() || !enum_values.empty(); }
};

struct OperationModel {
  std::string_view name;      // e.g. "PutRecords"
  ShapeRef input = kNoShape;  // kNoShape when the operation takes no input
  ShapeRef output = kNoShape;
  std::span<const std::string_view> errors;  // error shape names, as in the model
  std::string_view http_method;              // "POST", "GET", ... (REST routing)
  std::string_view request_uri;              // URI template, e.g. "/describeStream" or "/{Bucket}/{Key+}"
  uint16_t success_status = 200;             // the HTTP status of a successful answer (REST)
  std::string_view result_wrapper;           // AWS Query: the output's wrapper element, e.g. "ListMetricsResult"
  bool deprecated = false;                   // REST routing prefers the others on a tie
};

struct ServiceModel {
  std::string_view service;        // botocore directory name, e.g. "kinesis"
  std::string_view api_version;    // e.g. "2013-12-02"
  std::string_view target_prefix;  // X-Amz-Target prefix, e.g. "Kinesis_20131202"
  std::string_view signing_name;   // SigV4 service name, e.g. "kinesis"
  std::string_view protocol;       // botocore's default: "json", "rest-json", "smithy-rpc-v2-cbor", ...
  // Every protocol the service speaks ("protocols"; just `protocol` when
  // the model lists none), in the model's order of preference.
  std::span<const std::string_view> protocols;
  std::string_view json_version;     // "1.0" or "1.1" for the JSON protocols
  std::string_view endpoint_prefix;  // e.g. "kinesis", "monitoring"
  std::string_view xml_namespace;    // AWS Query and REST-XML answers' xmlns
  // The service's JSON and CBOR errors also carry their Query code
  // (x-amzn-query-error), as services that moved off AWS Query do.
  bool aws_query_compatible = false;
  // REST-XML errors are a bare <Error> root, S3's form (Smithy's
  // restXml noErrorWrapping, which botocore's JSON drops: gen_model.py knows
  // the services), instead of <ErrorResponse><Error>..</Error></ErrorResponse>.
  bool xml_no_error_wrapping = false;
  // Java package of the service's model classes, as AWS names them in
  // validation messages: "com.amazonaws.kinesis.v20131202".
  std::string_view java_package;
  std::span<const Shape> shapes;               // sorted by name
  std::span<const OperationModel> operations;  // sorted by name

  const Shape& shape(ShapeRef ref) const { return shapes[ref]; }
  // Lookups by exact name; nullptr when absent. O(log n).
  const Shape* find_shape(std::string_view name) const;
  const OperationModel* find_operation(std::string_view name) const;
  // The operation's input structure, or nullptr when it takes none.
  const Shape* input_shape(const OperationModel& op) const;
  const Shape* output_shape(const OperationModel& op) const;
  // Position of `op` in `operations` (for dispatch tables).
  size_t operation_index(const OperationModel& op) const { return static_cast<size_t>(&op - operations.data()); }
  bool speaks(std::string_view protocol_name) const;
};

// Whether `text` is a full match of the model's Java regular expression
// `pattern`. Each distinct pattern is translated to ECMAScript and compiled
// once, on first use; thread-safe. Simple single-character-class patterns
// such as `[a-zA-Z0-9_.-]+` are matched without std::regex. Inputs longer
// than kMaxPatternInput bytes are not run through std::regex when the
// pattern can match text of any length (`*`, `+`, `{n,}`): its recursion
// depth grows with the input, and `.*`-heavy ARN patterns backtrack
// quadratically (~20 ms at 2 KiB). They count as matching; every Kinesis
// string with such a pattern has a max length of at most 2048, which is
// reported instead. Bounded patterns (HashKey, SequenceNumber: no max length
// in the model) always go through the regex, whose depth they bound.
bool pattern_matches(std::string_view pattern, std::string_view text);
inline constexpr size_t kMaxPatternInput = 2048;

// Whether `pattern` could be translated and compiled. A pattern that cannot
// is not enforced (it matches everything), so tests assert this for every
// pattern of the generated models.
bool pattern_compiles(std::string_view pattern);

// The ECMAScript translation of a Java pattern (exposed for tests): Unicode
// property classes \p{L}/\p{N}/\p{Z} and \uXXXX escapes become byte ranges
// (any non-ASCII byte counts as a letter, digit or space), possessive
// quantifiers become greedy ones, lookbehinds are dropped, and escapes
// ECMAScript rejects (`\_`) become literals.
std::string java_pattern_to_ecmascript(std::string_view pattern);

// "structure", "list", ... as in the model.
std::string_view shape_type_name(ShapeType t);

}  // namespace runnel::protocol
