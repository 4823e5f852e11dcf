#pragma once
// The bench tool's HTTP side, on libcurl: one endpoint, SigV4-signed POSTs
// of `X-Amz-Target: <prefix><Op>` in JSON or CBOR (Kinesis, Firehose), and
// REST requests (the S3 store: a method, a path and query, signed for `s3`
// with x-amz-content-sha256), over HTTP/1.1 (keep-alive) or HTTP/2 (h2c with
// prior knowledge on http://, ALPN on https://).
//
// HttpLoop drives many transfers at once on one curl multi handle: unary
// calls (the whole answer at the end) and streams (SubscribeToShard: the
// body of a 200 answer is handed over as it arrives). Connections are kept
// and reused by the loop.
//
// Thread-safety: an HttpLoop belongs to one thread, which calls start*(),
// poll() and receives every callback. call() is a synchronous one-off on a
// fresh handle, callable from any thread. curl_global_init must have run
// (BenchCommand::run does it) before either is used.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bench/options.h"

namespace runnel::protocol {
class SigV4Signer;
}

namespace runnel::bench {

// The service a loop's or call's requests go to: the SigV4 signing name and,
// for the AWS JSON services, the X-Amz-Target prefix (empty for S3, whose
// requests are REST).
struct ServiceApi {
  std::string_view signing_name;
  std::string_view target_prefix;
};
inline constexpr ServiceApi kKinesisApi{"kinesis", "Kinesis_20131202."};
inline constexpr ServiceApi kFirehoseApi{"firehose", "Firehose_20150804."};
inline constexpr ServiceApi kS3Api{"s3", ""};

// The outcome of one request.
struct HttpResult {
  std::string network_error;    // curl's description when no complete answer came; then status is 0
  long status = 0;              // HTTP status
  std::string body;             // the whole body (unary) or, for a stream, the body of a non-200 answer
  std::string amzn_error_type;  // x-amzn-ErrorType header, if any
  int64_t latency_us = 0;       // from start to the end of the answer

  bool ok() const { return network_error.empty() && status == 200; }
  // "network: <curl error>", or the error type of a non-200 answer.
  std::string error_type(Encoding e) const;
};

using DoneCallback = std::function<void(HttpResult&&)>;
// Returns false to abandon the transfer (it then ends with a network error).
using DataCallback = std::function<bool(std::string_view)>;

class HttpLoop {
 public:
  // `max_connections` bounds the connections opened to the endpoint;
  // `streams_per_connection` the HTTP/2 streams multiplexed on one.
  // Requests are signed for `api`.
  HttpLoop(const BenchOptions& options, int max_connections, int streams_per_connection,
           const ServiceApi& api = kKinesisApi);
  ~HttpLoop();
  HttpLoop(const HttpLoop&) = delete;
  HttpLoop& operator=(const HttpLoop&) = delete;

  // Starts `operation` with `body`; `done` runs from poll() when it ends.
  void start(std::string_view operation, std::string body, DoneCallback done);
  // Starts a REST request (S3): `method` ("GET", "PUT", "DELETE") on
  // `path_and_query` ("/bucket?list-type=2", URI-encoded as it is to be
  // sent and signed).
  void start_rest(std::string_view method, std::string_view path_and_query, std::string body, DoneCallback done);
  // Same, for a long-lived streaming answer: `on_data` receives the body of a
  // 200 answer piece by piece as it arrives; `done` runs at the end (its
  // body is only filled for a non-200 answer). No overall timeout applies;
  // a stream silent for --timeout-ms fails.
  void start_stream(std::string_view operation, std::string body, DataCallback on_data, DoneCallback done);

  // Transfers started and not yet done.
  size_t in_flight() const { return transfers_.size() + waiting_.size(); }

  // Moves transfers forward, waiting up to `timeout_ms` for network activity
  // (and no later than `wake_at`, to the microsecond: a timerfd joins the
  // wait, since libcurl's timeout counts whole milliseconds), and runs the
  // callbacks of the transfers that ended.
  void poll(int timeout_ms,
            std::chrono::steady_clock::time_point wake_at = std::chrono::steady_clock::time_point::max());

  // Abandons every transfer (their callbacks do not run).
  void cancel_all();

  struct Transfer;  // one request in flight; defined in http_client.cc
  // From libcurl's header callback: the answer's first header arrived.
  void note_headers(Transfer& t);

 private:
  void add(std::unique_ptr<Transfer> t);
  void release_waiting();

  const BenchOptions& options_;
  ServiceApi api_;
  int max_connections_;
  std::unique_ptr<protocol::SigV4Signer> signer_;
  void* multi_;                                                     // CURLM*
  std::unordered_map<void*, std::unique_ptr<Transfer>> transfers_;  // by CURL*, handed to libcurl
  std::vector<void*> idle_handles_;                                 // CURL* of finished transfers, reset, for reuse
  std::deque<std::unique_ptr<Transfer>> waiting_;                   // h2c: held back until a connection speaks HTTP/2
  int openers_ = 0;
  bool h2_ready_ = false;
  int timer_fd_ = -1;  // CLOCK_MONOTONIC timerfd for poll()'s wake_at; made on first use
};

// One synchronous request (the control plane: CreateStream, ListShards, ...).
HttpResult call(const BenchOptions& options, std::string_view operation, std::string body,
                const ServiceApi& api = kKinesisApi);
// One synchronous REST request to the S3 store (see HttpLoop::start_rest).
HttpResult call_rest(const BenchOptions& options, std::string_view method, std::string_view path_and_query,
                     std::string body = {});

}  // namespace runnel::bench
