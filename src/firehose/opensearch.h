#pragma once
// Delivery to OpenSearch Service, Elasticsearch and OpenSearch Serverless:
// one `_bulk` request per attempt (docs/firehose-opensearch-splunk.md):
//
//   POST <ClusterEndpoint | CollectionEndpoint>/_bulk
//   Content-Type: application/x-ndjson
//   Authorization: Basic <base64 user:password>   (when the URL carries user info)
//
//   {"index":{"_index":"<IndexName><rotation suffix>"[,"_type":"<TypeName>"][,"_id":"<id>"]}}
//   <the record, one line>
//   ...
//
// The answer's `items` say, in order, what came of each document: 2xx is
// delivered; anything else is retried alone (SendOutcome::failures) until
// RetryOptions.DurationInSeconds from the first attempt is over, then failed
// with errorCode the item's HTTP status and errorMessage its `error` JSON (AWS's
// AmazonOpenSearchService-failed/ records). A non-2xx answer, a body that is
// not a bulk answer, or no answer retries the whole request, then fails it
// with an `OS.`/`ES.` code.
//
// Unlike AWS, runnel allows http:// and any port, and sends Basic
// authentication from the endpoint's user info (no SigV4, no IAM).
//
// Threads: everything here but the Sender is pure; the Sender (sender.h)
// runs its requests on an HttpPoster of its own.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "firehose/http_endpoint.h"
#include "firehose/sender.h"
#include "firehose_shapes.h"

namespace runnel::firehose {

enum class IndexRotation { kNoRotation, kOneHour, kOneDay, kOneWeek, kOneMonth };

// What one stream's OpenSearch-like destination needs, read once from its
// description.
struct OpenSearchTarget {
  enum class Kind { kOpenSearchService, kElasticsearch, kServerless };
  Kind kind = Kind::kOpenSearchService;
  std::string bulk_url;                      // <endpoint>/_bulk, without user info
  std::optional<std::string> authorization;  // "Basic ..." from the endpoint's user info
  std::string index_name;
  std::string type_name;  // empty: no _type
  IndexRotation rotation = IndexRotation::kOneDay;
  bool document_ids = true;  // FIREHOSE_DEFAULT (true) or NO_DOCUMENT_ID
  int64_t retry_duration_ms = 300'000;
  // "OS" or "ES": the prefix of whole-request error codes.
  std::string_view code_prefix() const { return kind == Kind::kElasticsearch ? "ES" : "OS"; }
};

// The target of a description; InvalidArgument when it names no endpoint
// (a DomainARN alone: runnel cannot ask AWS for the domain's endpoint), an
// endpoint that is not an http(s) URL, or an unknown rotation period.
Result<OpenSearchTarget> opensearch_target(const api::AmazonopensearchserviceDestinationDescription& d);
Result<OpenSearchTarget> opensearch_target(const api::ElasticsearchDestinationDescription& d);
Result<OpenSearchTarget> opensearch_target(const api::AmazonOpenSearchServerlessDestinationDescription& d);

// `index` with the rotation's suffix for an arrival time (UTC), as AWS
// names indexes: -YYYY-MM-DD-HH, -YYYY-MM-DD, -YYYY-wWW, -YYYY-MM. Weeks follow
// AWS's stated US convention: a week starts on Sunday and week 1 is the one
// holding 1 January; the year is the week's (Java's "YYYY-'w'ww", Locale.US).
std::string rotated_index_name(std::string_view index, IndexRotation rotation, int64_t arrival_ms);

// The document id of a record under FIREHOSE_DEFAULT: its SendRecord::id,
// the same on every attempt.
std::string firehose_document_id(const SendRecord& record);

// The NDJSON body of one attempt. A record's trailing line breaks are
// dropped and its inner CR/LF become spaces (JSON allows whitespace there;
// a line break inside a JSON string is invalid anyway), so that each
// document stays one line.
std::string bulk_body(const OpenSearchTarget& target, const std::vector<SendRecord>& records);

// One item of a bulk answer.
struct BulkItem {
  int status = 0;
  std::string error;  // the item's `error` as compact JSON (or its text); empty on success
  bool ok() const { return status >= 200 && status < 300; }
};

// The items of a bulk answer body, which must hold exactly `expected` of
// them; InvalidArgument (with AWS's wording where known) otherwise.
Result<std::vector<BulkItem>> parse_bulk_response(std::string_view body, size_t expected);

// What an answer to `request` (whose attempt ended at `now_ms`) means.
SendOutcome judge_bulk(const OpenSearchTarget& target, const SendRequest& request, const EndpointResponse& response,
                       int64_t now_ms);

struct OpenSearchSenderOptions {
  int64_t request_timeout_ms = 60'000;
  int threads = 2;
};

// A Sender for the destination; InvalidArgument as opensearch_target().
Result<std::unique_ptr<Sender>> make_opensearch_sender(const api::AmazonopensearchserviceDestinationDescription& d,
                                                       OpenSearchSenderOptions options = {});
Result<std::unique_ptr<Sender>> make_opensearch_sender(const api::ElasticsearchDestinationDescription& d,
                                                       OpenSearchSenderOptions options = {});
Result<std::unique_ptr<Sender>> make_opensearch_sender(const api::AmazonOpenSearchServerlessDestinationDescription& d,
                                                       OpenSearchSenderOptions options = {});
// The same from a target (tests).
std::unique_ptr<Sender> make_opensearch_sender(OpenSearchTarget target, OpenSearchSenderOptions options = {});

// Shared by the OpenSearch and Splunk senders: an endpoint URL split into
// the URL without user info and a Basic Authorization value made from it.
struct EndpointUrl {
  std::string url;
  std::optional<std::string> authorization;
};
Result<EndpointUrl> split_endpoint_url(std::string_view url);

// Whether a retried batch has run out of time: `duration_ms` after its
// first attempt.
inline bool retry_time_over(const SendRequest& request, int64_t now_ms, int64_t duration_ms) {
  return now_ms - request.first_attempt_ms >= duration_ms;
}

}  // namespace runnel::firehose
