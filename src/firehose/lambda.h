#pragma once
// Lambda data transformation: Firehose invokes a Lambda function on
// batches of records (the Invoke REST API,
// POST <endpoint>/2015-03-31/functions/<name or ARN>/invocations,
// InvocationType RequestResponse) with its transformation event, and reads
// the function's answer (AWS's developer guide, "Transform source data"):
//
//   event:  {"invocationId","deliveryStreamArn","region",
//            "sourceKinesisStreamArn" (Kinesis source only),
//            "records":[{"recordId","approximateArrivalTimestamp","data"}]}
//   answer: {"records":[{"recordId","result":"Ok|Dropped|ProcessingFailed",
//            "data","metadata":{"partitionKeys":{...}}}]}
//
// Every record sent must come back, with its recordId, and no other: any
// mismatch fails the whole invocation, which is retried NumberOfRetries
// times; then the batch's records are processing failures.
//
// runnel calls the function at `--lambda-endpoint` (AWS Lambda itself,
// LocalStack, or any HTTP service that answers the Invoke API), signed with
// SigV4 for the service "lambda" when credentials are set.
//
// Threads: the functions are pure; requests go through an HttpPoster.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "firehose/http_endpoint.h"

namespace runnel::firehose {

// Where and how Lambda functions are invoked (the server's flags).
struct LambdaSettings {
  std::string endpoint;  // e.g. http://127.0.0.1:3001 ; empty: no Lambda endpoint configured
  std::string region = "us-east-1";
  std::string access_key_id;  // empty: requests are not signed
  std::string secret_access_key;
  std::string session_token;
};

struct LambdaInput {
  std::string record_id;
  int64_t arrival_ms = 0;
  std::string_view data;
};

struct LambdaOutput {
  std::string record_id;
  std::string result;  // Ok, Dropped, ProcessingFailed
  std::string data;    // decoded
  std::vector<std::pair<std::string, std::string>> partition_keys;
};

// A RequestResponse invocation of `function` (a name or an ARN) with the
// JSON event `body`: the Invoke API's path under settings.endpoint, signed
// with SigV4 for "lambda" when settings carry credentials. Shared by every
// service that calls Lambda (Firehose's transformation, Analytics'
// preprocessing and Lambda outputs).
EndpointRequest lambda_invoke_request(const LambdaSettings& settings, std::string_view function, std::string body,
                                      int64_t now_ms);

// Why an invocation failed (the errorMessage AWS would record), or nullopt
// when it answered 200 without a function error: no HTTP answer, a status
// other than 200, X-Amz-Function-Error, an answer larger than 6 MB.
std::optional<std::string> lambda_invocation_error(const EndpointResponse& response);

// The invocation request of `records` for `function` (a name or an ARN).
EndpointRequest lambda_request(const LambdaSettings& settings, std::string_view function,
                               std::string_view invocation_id, std::string_view stream_arn,
                               const std::optional<std::string>& source_stream_arn,
                               const std::vector<LambdaInput>& records, int64_t now_ms);

// The function's answer for `records`, in their order; an error (its text
// the errorMessage AWS would record) when the invocation failed: a status
// other than 200, a function error (X-Amz-Function-Error), a body that is
// not the answer, a missing, repeated or unknown recordId, a result that is
// none of the three, or data that is not base64.
Result<std::vector<LambdaOutput>> lambda_answer(const EndpointResponse& response,
                                                const std::vector<LambdaInput>& records);

}  // namespace runnel::firehose
