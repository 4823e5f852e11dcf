#pragma once
// S3ClientLoop: the one thread that carries RemoteStore's requests
// (s3/remote_store.h) over libcurl. It owns a curl multi handle; requests
// submitted from any thread wait in a queue, at most `max_in_flight` run at
// once (the rest start as others end, in submission order), and each
// request's callback runs on the loop's thread when its answer is in.
//
// Requests are signed (SigV4, protocol::SigV4Signer, which this thread owns)
// when they start, not when they are submitted, so a request that waited in
// the queue still carries a current x-amz-date.
//
// Shutdown: the destructor stops the thread; every request still queued or
// running gets exactly one callback, with `cancelled` set, before the
// destructor returns. Callbacks may submit more requests, also during
// shutdown (those are cancelled the same way). Never destroy the loop from
// one of its callbacks.

#include <curl/curl.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "net/http.h"
#include "protocol/sigv4.h"
#include "s3/s3_client_request.h"

namespace runnel::s3 {

struct S3ClientLoopOptions {
  S3ClientEndpoint endpoint;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none (long-term credentials)
  int max_in_flight = 16;     // transfers (and so connections) at once
  long connect_timeout_ms = 10'000;
  long request_timeout_ms = 300'000;  // the whole transfer, body included
  // A transfer moving fewer than 1024 bytes per second for this long fails
  // (a stalled connection), whatever request_timeout_ms says.
  long low_speed_seconds = 30;
  bool verify_tls = true;  // https: check the store's certificate and name
};

// The outcome of one request.
struct S3ClientAnswer {
  bool cancelled = false;            // the loop shut down before an answer came
  std::string network_error;         // curl's words when no complete answer came; then status is 0
  long status = 0;                   // HTTP status
  std::vector<net::Header> headers;  // lower-case names, of the final answer
  std::string body;

  bool ok() const { return !cancelled && network_error.empty() && status >= 200 && status < 300; }
  const std::string* header(std::string_view lower_name) const;
};

class S3ClientLoop {
 public:
  using Callback = std::function<void(S3ClientAnswer)>;

  // Starts the thread. curl_global_init runs once per process, here.
  explicit S3ClientLoop(S3ClientLoopOptions options);
  ~S3ClientLoop();
  S3ClientLoop(const S3ClientLoop&) = delete;
  S3ClientLoop& operator=(const S3ClientLoop&) = delete;

  // Queues `req`; `done` runs on the loop's thread, never inside this call.
  // Any thread.
  void submit(S3ClientRequest req, Callback done) EXCLUDES(mu_);
  // Runs `fn` on the loop's thread soon (with `true`), or, if the loop shuts
  // down first, during shutdown (with `false`). Any thread.
  void post(std::function<void(bool running)> fn) EXCLUDES(mu_);
  // Requests started on the wire so far (for metrics and tests). Any thread.
  uint64_t requests_started() const { return started_.load(std::memory_order_relaxed); }

 private:
  struct Transfer;
  void run();
  void start(std::unique_ptr<Transfer> t);
  void finish_done_transfers();
  void cancel_everything() EXCLUDES(mu_);

  const S3ClientLoopOptions options_;
  CURLM* multi_ = nullptr;
  // Touched only by the loop's thread.
  protocol::SigV4Signer signer_;
  std::deque<std::unique_ptr<Transfer>> queued_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running_;
  std::atomic<uint64_t> started_{0};

  Mutex mu_;
  std::deque<std::unique_ptr<Transfer>> incoming_ GUARDED_BY(mu_);
  std::deque<std::function<void(bool)>> posted_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;

  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace runnel::s3
