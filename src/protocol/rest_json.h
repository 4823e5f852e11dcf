#pragma once
// The REST-JSON front end (Video Streams, Lambda-style APIs): the operation
// is found by HTTP method and the model's URI templates; input members come
// from the URI labels, the query string, headers and the JSON body (or a raw
// payload); output members go to headers, the status code and the body.
// docs/protocol-rest-json.md shows the wire.
//
// Thread-safety: pure functions over static model data.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/model.h"
#include "protocol/value.h"

namespace runnel::protocol {

using UriLabels = std::vector<std::pair<std::string, std::string>>;

// Matches a model's requestUri (`/streams/{StreamName}/data`, a greedy
// `{Key+}`, a literal query part such as `?tagging`) against a raw request
// path and query. The labels' values are percent-decoded; nullopt when the
// path does not have the template's shape, or a label would be empty.
std::optional<UriLabels> match_request_uri(std::string_view uri_template, std::string_view raw_path,
                                           std::string_view raw_query);

// The characters of a URI template outside its `{labels}`: how specific
// a template is (`/describeStream` 15, `/{Bucket}` 1).
size_t literal_chars(std::string_view uri_template);

// The operation of `model` that `req` addresses (same method, matching
// template; among several, the one whose template has the most literal
// characters), with its labels; nullptr when none.
const OperationModel* find_rest_operation(const ServiceModel& model, const net::HttpRequest& req, UriLabels& labels);

// The input of `op` from the request: labels, query, headers, and `body`
// (JSON members, or the payload member's raw bytes). Values take the forms
// the JSON decoder gives (numbers, booleans, timestamps as epoch seconds,
// blobs as base64 text) so that validate_input(..., WireFormat::kJson) runs
// after it unchanged. SerializationException for a header or query value that
// is not of its member's type, or a body that is not JSON.
ApiResult<Value> decode_rest_json_input(const ServiceModel& model, const OperationModel& op,
                                        const net::HttpRequest& req, std::string& body, const UriLabels& labels);

// A successful answer: header members as headers (timestamps as HTTP
// dates), a statusCode member as the status (else the operation's), the
// payload member as the body (raw for blobs and strings, JSON for
// structures), or the body members as a JSON object.
net::HttpResponse encode_rest_json_output(const ServiceModel& model, const OperationModel& op, const Value& output);

// An error: its status, `x-amzn-ErrorType`, and `{"message": ...}` (with
// `__type`, which botocore also reads).
net::HttpResponse encode_rest_json_error(const ApiError& error);

}  // namespace runnel::protocol
