#pragma once
// The REST-XML front end (S3, and Route 53 / CloudFront-style APIs),
// following botocore's RestXMLSerializer and RestXMLParser: the operation is
// found by HTTP method, the model's URI template and the members the request
// carries; input members come from the URI labels, the query string,
// headers and the body (an XML document, or a raw payload); output members
// go to headers, the status code and an XML (or raw) body; errors are S3's
// bare <Error> or the wrapped <ErrorResponse>. docs/protocol-rest-xml.md
// shows the wire.
//
// Thread-safety: pure functions over static model data.

#include <string>
#include <string_view>

#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/model.h"
#include "protocol/rest_json.h"
#include "protocol/value.h"
#include "protocol/xml_dom.h"

namespace runnel::protocol {

inline constexpr std::string_view kXmlContentType = "application/xml";

// An output member no model has: when set (an integer), the answer's HTTP
// status instead of the operation's (S3's GetObject answers 206 for a range
// and 304 for a matching If-None-Match, which its model cannot say).
inline constexpr std::string_view kRestXmlStatusOverride = "$status";

// The operation of `model` that `req` addresses, with its labels; nullptr
// when none. Among the operations whose method and URI template match
// (rest_json.h's match_request_uri: `{Key+}` is greedy, a literal query
// part such as `?tagging` or `?list-type=2` must be present), the most
// specific wins, in this order: the one whose required query-string and
// header members are all present (UploadPart's partNumber and uploadId
// against PutObject), the template with the most literal characters
// (`/{Bucket}?tagging` against `/{Bucket}`), the one with more of those
// required members present (UploadPartCopy against CopyObject), one that is
// not deprecated, then the model's order.
const OperationModel* find_rest_xml_operation(const ServiceModel& model, const net::HttpRequest& req,
                                              UriLabels& labels);

// The input of `op`: labels, query and headers as REST-JSON binds them
// (rest_json.h), then the body: the payload member's raw bytes (a blob or
// string payload), or an XML document for a structure payload (root element
// named by the member's locationName) or for the body members (root named
// by the input shape's locationName). Values take the forms the JSON decoder
// gives (timestamps as epoch seconds, blobs as base64 text) so that
// validate_input(..., WireFormat::kJson) runs after it unchanged.
// Errors: for a service with S3's errors (xml_no_error_wrapping), a body
// that is not well-formed XML of the shape is MalformedXML, a header or
// query value not of its member's type InvalidArgument, and an empty body
// where a structure payload is required MissingRequestBodyError; for other
// services all three are SerializationException.
ApiResult<Value> decode_rest_xml_input(const ServiceModel& model, const OperationModel& op, const net::HttpRequest& req,
                                       std::string_view body, const UriLabels& labels);

// The members of `shape` read from an XML element (exposed for the fuzz
// target and tests): lists (wrapped or flattened), maps (`entry` or
// flattened, with their key and value names), xmlAttribute members,
// timestamps by their timestampFormat (ISO 8601 by default), blobs as
// base64 text. SerializationException naming the element on a value that is
// not of its type.
ApiResult<Value> decode_xml_structure(const ServiceModel& model, const Shape& shape, const XmlElement& element);

// A successful answer: header members as headers (timestamps as HTTP dates
// unless the member says otherwise; a Content-Length member is replaced by
// net/ with the body's length, except in a HEAD answer), a statusCode member
// or kRestXmlStatusOverride as the status (else the operation's), the payload member
// as the body (raw for blobs and strings, an XML document rooted at the
// member's locationName for a structure), or the body members as an XML
// document rooted at the output shape's locationName (or its name), with
// the shape's or the service's xmlns. Headers carry x-amzn-RequestId,
// x-amz-request-id and x-amz-id-2 (S3's names for them).
net::HttpResponse encode_rest_xml_output(const ServiceModel& model, const OperationModel& op, const Value& output,
                                         const std::string& request_id);
// The same, taking `output` apart: a blob or string payload is moved into
// the body rather than copied (GetObject's object bytes, megabytes).
net::HttpResponse encode_rest_xml_output(const ServiceModel& model, const OperationModel& op, Value&& output,
                                         const std::string& request_id);

// An error: S3's `<Error><Code/><Message/><RequestId/><HostId/></Error>`
// when the model says so (xml_no_error_wrapping), else
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>
// </ErrorResponse>`; the status of the error. For S3's form the protocol's
// own errors take S3's codes (rest_xml_error_code).
net::HttpResponse encode_rest_xml_error(const ServiceModel* model, const ApiError& error,
                                        const std::string& request_id);

// The code and status an S3-style service answers for `error`: the model's
// error code for a modelled error, else S3's for the protocol's own errors
// (ValidationException -> InvalidArgument, InvalidSignatureException ->
// SignatureDoesNotMatch, UnknownOperationException -> MethodNotAllowed,
// ...); unknown types pass through.
std::pair<std::string, int> s3_error_code(const ServiceModel* model, const ApiError& error);

}  // namespace runnel::protocol
