#pragma once
// Delivery to an HTTP endpoint: Firehose's HTTP endpoint delivery request
// and response specifications, version 1.0 (AWS's developer guide,
// "Appendix - HTTP Endpoint Delivery Request and Response Specifications";
// ../shared/reference/firehose.md §1.7):
//
//   POST <Url>
//   X-Amz-Firehose-Protocol-Version: 1.0
//   X-Amz-Firehose-Request-Id: <uuid, the same on every retry of a batch>
//   X-Amz-Firehose-Source-Arn: <delivery stream ARN>
//   X-Amz-Firehose-Access-Key: <AccessKey>                (when configured)
//   X-Amz-Firehose-Common-Attributes: {"commonAttributes":{...}} (when configured)
//   Content-Type: application/json
//   Content-Encoding: gzip                                  (ContentEncoding GZIP)
//
//   {"requestId":"<uuid>","timestamp":<ms>,"records":[{"data":"<base64>"},...]}
//
// The endpoint answers 200 with {"requestId":"<same uuid>","timestamp":<ms>}
// for success. 413 is final (the batch is too large: no retry); anything
// else (another status, a redirect, a body that is not that JSON, a wrong
// requestId, no answer within the timeout) is retried with backoff.
//
// Unlike AWS, runnel allows http:// and any port (docs/firehose.md).
//
// Threads: HttpPoster runs requests on threads of its own; everything else
// here is pure.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "firehose/delivery_plan.h"

namespace runnel::firehose {

struct EndpointRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t timeout_ms = 180'000;         // AWS waits 3 minutes for an answer
  size_t max_response_bytes = 1 << 20;  // an HTTP endpoint's answer: AWS reads at most 1 MiB
};

struct EndpointResponse {
  long status = 0;                                           // 0: no HTTP answer (see transport_error)
  std::string body;                                          // at most EndpointRequest::max_response_bytes are kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string transport_error;
  // The first header named `lower_name`, or nullptr.
  const std::string* header(std::string_view lower_name) const;
};

// The request for one batch of records of `plan`'s stream.
EndpointRequest endpoint_request(const DeliveryPlan& plan, std::string_view request_id, int64_t timestamp_ms,
                                 const std::vector<std::string_view>& records);

enum class EndpointVerdict { kDelivered, kRetry, kFinalFailure };

// What an answer means for the batch sent as `request_id`; `why` gets the
// error message AWS would record (errorMessage of the error record).
EndpointVerdict judge(const EndpointResponse& response, std::string_view request_id, std::string& why);

// The backoff before retry `attempt` (1, 2, ...): 1 s × 2^(attempt-1) with
// ±15 % jitter, capped at 2 minutes. `unit` in [0, 1) picks the jitter.
int64_t endpoint_backoff_ms(int attempt, double unit);

// Sends requests with libcurl on its own threads (blocking transfers, at
// most `threads` at a time, the rest queued) and calls `done` on one of
// them. Thread-safe; the destructor waits for the requests under way and
// completes queued ones with a transport error.
class HttpPoster {
 public:
  explicit HttpPoster(int threads = 4);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  void post(EndpointRequest request, std::function<void(EndpointResponse)> done) EXCLUDES(mu_);

 private:
  struct Job {
    EndpointRequest request;
    std::function<void(EndpointResponse)> done;
  };
  void worker();

  Mutex mu_;
  CondVar cv_;
  std::vector<Job> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// Sends one request and waits for its answer (libcurl easy interface).
EndpointResponse send_endpoint_request(const EndpointRequest& request);

}  // namespace runnel::firehose
