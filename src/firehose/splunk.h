#pragma once
// Delivery to Splunk's HTTP Event Collector (HEC) with indexer
// acknowledgement (docs/firehose-opensearch-splunk.md):
//
//   POST <HECEndpoint>/services/collector/event     (HECEndpointType Event)
//   POST <HECEndpoint>/services/collector/raw       (HECEndpointType Raw)
//   Authorization: Splunk <HECToken>
//   X-Splunk-Request-Channel: <a GUID per sender>
//
//   <the records' bytes, concatenated as they are>
//
// Event: producers write HEC event JSON ({"event":...,"time":...}); the
// records are not wrapped again. HEC answers {"text":"Success","code":0,
// "ackId":N}; the sender then polls
//
//   POST <HECEndpoint>/services/collector/ack?channel=<GUID>
//   {"acks":[N]}              → {"acks":{"N":true|false}}
//
// until N is acknowledged (delivered) or HECAcknowledgmentTimeoutInSeconds
// has passed since the answer (Splunk.AckTimeout). Every error is retried
// with backoff until RetryOptions.DurationInSeconds (default 3600) has passed
// since the first attempt, not counting the time spent waiting for acks,
// then failed with AWS's Splunk.* error code.
//
// Threads: the functions here are pure. The Sender runs requests on an
// HttpPoster and ack polls on a Timers thread of its own; send() never
// blocks; the destructor completes every send() under way with kRetry.
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

struct SplunkTarget {
  bool raw = false;      // HECEndpointType Raw (true) or Event
  std::string base_url;  // HECEndpoint without a trailing '/'
  std::string token;     // HECToken
  int64_t ack_timeout_ms = 180'000;
  int64_t retry_duration_ms = 3'600'000;
};

// The target of a description; InvalidArgument without an http(s)
// HECEndpoint, with an unknown HECEndpointType, or with a token only in
// Secrets Manager (which runnel does not have).
Result<SplunkTarget> splunk_target(const api::SplunkDestinationDescription& d);

// The HEC request of one attempt: the records concatenated.
EndpointRequest hec_request(const SplunkTarget& target, std::string_view channel,
                            const std::vector<SendRecord>& records);
// The request asking whether `ack_id` is indexed.
EndpointRequest hec_ack_request(const SplunkTarget& target, std::string_view channel, int64_t ack_id);

// An error as AWS records it: errorCode (Splunk.*) and errorMessage.
struct SplunkError {
  std::string code;
  std::string message;
};

// What HEC's answer to the data request means: the ack id to wait for,
// or the error.
struct HecAnswer {
  std::optional<int64_t> ack_id;
  std::optional<SplunkError> error;
};
HecAnswer judge_hec_answer(const EndpointResponse& response);

// What an answer to an ack poll means: acknowledged, not yet (poll again,
// also after a transport error or a 5xx), or an error that ends the attempt
// (a bad token, acknowledgement disabled).
struct AckAnswer {
  enum class State { kAcked, kPending, kError };
  State state = State::kPending;
  SplunkError error;  // kError, and kPending's reason when it is not a plain false
};
AckAnswer judge_ack_answer(const EndpointResponse& response, int64_t ack_id);

// The error of an answer with HEC's {"text":...,"code":N} body or none.
SplunkError splunk_error(const EndpointResponse& response);

// AWS's message for an ack timeout.
extern const char kSplunkAckTimeoutMessage[];

struct SplunkSenderOptions {
  int64_t request_timeout_ms = 60'000;
  int64_t ack_poll_interval_ms = 1'000;
  std::optional<int64_t> ack_timeout_ms;  // overrides HECAcknowledgmentTimeoutInSeconds (tests)
  int threads = 2;
};

// A Sender for the destination; InvalidArgument as splunk_target().
Result<std::unique_ptr<Sender>> make_splunk_sender(const api::SplunkDestinationDescription& d,
                                                   SplunkSenderOptions options = {});
std::unique_ptr<Sender> make_splunk_sender(SplunkTarget target, SplunkSenderOptions options = {});

}  // namespace runnel::firehose
