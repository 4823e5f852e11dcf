#pragma once
// The Lambda functions of a Kinesis Data Analytics for SQL application: its
// input preprocessor (InputProcessingConfiguration.InputLambdaProcessor) and
// its Lambda outputs (LambdaOutput), invoked through the Invoke API as
// Firehose invokes its transformations (firehose/lambda.h: the same path,
// signing and --lambda-endpoint). The events are KDA's (the SQL developer
// guide, "Preprocessing Data Using a Lambda Function" and "Using a Lambda
// Function as Output"):
//
//   preprocessing event:
//     {"invocationId","applicationArn","streamArn",
//      "records":[{"recordId","data":"<base64>",
//                  "kinesisStreamRecordMetadata":{"sequenceNumber","partitionKey",
//                      "shardId","approximateArrivalTimestamp":<epoch ms>}
//                  | "kinesisFirehoseRecordMetadata":{"approximateArrivalTimestamp":<epoch ms>}}]}
//   its answer: {"records":[{"recordId","result":"Ok|Dropped|ProcessingFailed","data":"<base64>"}]}
//               (read by firehose::lambda_answer: every record back, once)
//
//   output event:
//     {"invocationId","applicationArn",
//      "records":[{"recordId","lambdaDeliveryRecordMetadata":{"retryHint":<n>},"data":"<base64>"}]}
//   its answer: {"records":[{"recordId","result":"Ok|DeliveryFailed"}]}
//
// Threads: pure functions.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "firehose/http_endpoint.h"
#include "firehose/lambda.h"

namespace runnel::analytics {

// A record to preprocess: firehose::LambdaInput (recordId, arrival, data)
// and where it came from.
struct PreprocessRecord {
  firehose::LambdaInput input;
  bool from_firehose = false;  // kinesisFirehoseRecordMetadata; else kinesisStreamRecordMetadata
  std::string shard_id;
  std::string sequence_number;
  std::string partition_key;
};

// The invocation of preprocessor `function` for `records` read from the
// input `stream_arn` of application `application_arn`.
firehose::EndpointRequest preprocessing_request(const firehose::LambdaSettings& settings, std::string_view function,
                                                std::string_view invocation_id, std::string_view application_arn,
                                                std::string_view stream_arn,
                                                const std::vector<PreprocessRecord>& records, int64_t now_ms);

struct OutputRecord {
  std::string record_id;
  uint32_t retry_hint = 0;  // how many times this record was sent before
  std::string_view data;
};

// The invocation of output function `function` for `records`.
firehose::EndpointRequest output_request(const firehose::LambdaSettings& settings, std::string_view function,
                                         std::string_view invocation_id, std::string_view application_arn,
                                         const std::vector<OutputRecord>& records, int64_t now_ms);

// Which of `records` the output function took (Ok), in their order; a
// record it answered DeliveryFailed, or did not answer, is false (sent
// again). An error when the invocation failed (firehose::
// lambda_invocation_error), the answer has no "records" array, or names a
// recordId not sent, or a result other than Ok and DeliveryFailed: the
// whole batch is sent again.
Result<std::vector<bool>> output_answer(const firehose::EndpointResponse& response,
                                        const std::vector<OutputRecord>& records);

}  // namespace runnel::analytics
