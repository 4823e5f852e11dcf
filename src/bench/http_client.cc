#include "bench/http_client.h"

#include <curl/curl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <strings.h>
#include <chrono>

#include "bench/kinesis_requests.h"
#include "net/http.h"
#include "protocol/sigv4.h"

namespace runnel::bench {

struct HttpLoop::Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string operation;
  std::string method;          // REST requests only ("" : an AWS JSON POST to "/")
  std::string path_and_query;  // REST requests only
  std::string request_body;    // must outlive the transfer (CURLOPT_POSTFIELDS does not copy)
  HttpResult result;
  bool streaming = false;
  bool opener = false;       // opens an h2c connection with prior knowledge
  bool saw_headers = false;  // the answer's status line arrived
  HttpLoop* loop = nullptr;
  DataCallback on_data;
  DoneCallback done;
  std::chrono::steady_clock::time_point started;

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    if (headers) curl_slist_free_all(headers);
  }
};

namespace {

using Transfer = HttpLoop::Transfer;

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  if (t->streaming) {
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) {
      return t->on_data(std::string_view(data, bytes)) ? bytes : 0;
    }
  }
  t->result.body.append(data, bytes);
  return bytes;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (!t->saw_headers) {
    t->saw_headers = true;
    if (t->loop) t->loop->note_headers(*t);
  }
  constexpr std::string_view kName = "x-amzn-errortype:";
  if (line.size() > kName.size() && strncasecmp(line.data(), kName.data(), kName.size()) == 0) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    t->result.amzn_error_type = std::string(line);
  }
  return bytes;
}

// The endpoint's host[:port], sent as Host (HTTP/2: :authority) and signed.
std::string authority_of(std::string_view endpoint) {
  if (auto scheme = endpoint.find("://"); scheme != std::string_view::npos) endpoint.remove_prefix(scheme + 3);
  return std::string(endpoint.substr(0, endpoint.find('/')));
}

// The request's headers, signed. We sign rather than set CURLOPT_AWS_SIGV4:
// libcurl 7.88 derives the day's key again and re-parses its settings for
// every request, which cost about 100 us of CPU per request here
// (docs/performance.md, "Fourth round"); SigV4Signer keeps the key and
// hashes the body once. A REST request (t.method set) is S3's: it also
// carries x-amz-content-sha256, which S3 requires.
curl_slist* signed_headers(const BenchOptions& o, const ServiceApi& api, protocol::SigV4Signer& signer, Transfer& t) {
  net::HttpRequest req;
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  req.body = std::move(t.request_body);  // hashed in place, then given back
  if (t.method.empty()) {
    req.method = "POST";
    req.path = "/";
    req.headers = {{"host", authority_of(o.endpoint)},
                   {"content-type", std::string(content_type(o.encoding))},
                   {"x-amz-target", std::string(api.target_prefix) + t.operation}};
    req.headers.push_back({"authorization", signer.sign(req, now.count())});
  } else {
    req.method = t.method;
    const std::string_view target = t.path_and_query;
    const size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    const std::string payload_hash = protocol::sigv4_sha256_hex(req.body);
    req.headers = {{"host", authority_of(o.endpoint)}, {"x-amz-content-sha256", payload_hash}};
    req.headers.push_back({"authorization", signer.sign(req, now.count(), payload_hash)});
  }
  t.request_body = std::move(req.body);
  curl_slist* list = nullptr;
  for (const net::Header& h : req.headers) {
    std::string line = h.name + ": " + h.value;
    list = curl_slist_append(list, line.c_str());
  }
  // libcurl would add its form Content-Type to a PUT sent as a POST.
  if (!t.method.empty()) list = curl_slist_append(list, "Content-Type:");
  return list;
}

// Prepares t->easy for the signed request `t` describes: a POST of
// t.operation, or the REST request t.method on t.path_and_query.
// `reuse`: a handle of an earlier transfer, reset, or null for a new one.
void configure(const BenchOptions& o, const ServiceApi& api, protocol::SigV4Signer& signer, Transfer& t,
               CURL* reuse = nullptr) {
  CURL* e = t.easy = reuse ? reuse : curl_easy_init();
  std::string url = o.endpoint + (t.method.empty() ? std::string("/") : t.path_and_query);
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  t.headers = signed_headers(o, api, signer, t);
  if (t.method.empty() || t.method == "POST" || t.method == "PUT") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    if (!t.method.empty()) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.request_body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.request_body.data());
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (t.method != "GET") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  if (o.http2 && o.tls) {
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  } else if (o.http2) {
    // See HttpLoop::add for why a transfer on an open h2c connection asks
    // for plain HTTP/2 rather than prior knowledge.
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     t.opener ? long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE} : long{CURL_HTTP_VERSION_2_0});
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, t.opener ? 0L : 1L);
    if (t.opener) curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_1_1});
  }
  if (o.insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min<long>(o.request_timeout_ms, 10'000));
  if (t.streaming) {
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, std::max<long>(1, o.request_timeout_ms / 1000));
  } else {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.request_timeout_ms));
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
}

void finish(Transfer& t, CURLcode code) {
  t.result.latency_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t.started).count();
  if (code != CURLE_OK) {
    t.result.network_error = curl_easy_strerror(code);
    t.result.status = 0;
    return;
  }
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &t.result.status);
}

}  // namespace

std::string HttpResult::error_type(Encoding e) const {
  if (!network_error.empty()) return "network: " + network_error;
  return bench::error_type(body, e, amzn_error_type, status);
}

HttpLoop::HttpLoop(const BenchOptions& options, int max_connections, int streams_per_connection, const ServiceApi& api)
    : options_(options),
      api_(api),
      max_connections_(std::max(1, max_connections)),
      signer_(std::make_unique<protocol::SigV4Signer>(options.access_key, options.secret_key, options.region,
                                                      std::string(api.signing_name))),
      multi_(curl_multi_init()) {
  CURLM* m = static_cast<CURLM*>(multi_);
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_connections));
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(max_connections));
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, static_cast<long>(max_connections));
  curl_multi_setopt(m, CURLMOPT_PIPELINING, options.http2 ? long{CURLPIPE_MULTIPLEX} : long{CURLPIPE_NOTHING});
  curl_multi_setopt(m, CURLMOPT_MAX_CONCURRENT_STREAMS, static_cast<long>(std::max(1, streams_per_connection)));
}

HttpLoop::~HttpLoop() {
  if (timer_fd_ >= 0) close(timer_fd_);
  cancel_all();
  for (void* e : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(e));
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

// h2c and libcurl 7.88 (Debian 12): a transfer set to
// CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE that reuses an open HTTP/2 connection
// fails with "Error in the HTTP2 framing layer" (curl issue 10634, fixed in
// 8.0). So only "openers" use prior knowledge, at most one per allowed
// connection, and only while no connection is known to speak HTTP/2; the
// others wait in `waiting_` until an opener's answer arrives over HTTP/2,
// then ask for CURL_HTTP_VERSION_2_0 with PIPEWAIT, which multiplexes on the
// open connection. A network error or an answer in HTTP/1.x makes the next
// transfers openers again.
void HttpLoop::add(std::unique_ptr<Transfer> t) {
  const bool h2c = options_.http2 && !options_.tls;
  if (h2c && !h2_ready_) {
    if (openers_ >= max_connections_) {
      waiting_.push_back(std::move(t));
      return;
    }
    t->opener = true;
    openers_++;
  }
  t->loop = this;
  CURL* reuse = nullptr;
  if (!idle_handles_.empty()) {
    reuse = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
  }
  configure(options_, api_, *signer_, *t, reuse);
  curl_multi_add_handle(static_cast<CURLM*>(multi_), t->easy);
  void* key = t->easy;
  transfers_.emplace(key, std::move(t));
}

void HttpLoop::note_headers(Transfer& t) {
  if (!t.opener) return;
  long version = 0;
  curl_easy_getinfo(t.easy, CURLINFO_HTTP_VERSION, &version);
  if (version == CURL_HTTP_VERSION_2_0) h2_ready_ = true;
}

void HttpLoop::release_waiting() {
  while (!waiting_.empty() && (h2_ready_ || openers_ < max_connections_)) {
    std::unique_ptr<Transfer> t = std::move(waiting_.front());
    waiting_.pop_front();
    add(std::move(t));
  }
}

void HttpLoop::start(std::string_view operation, std::string body, DoneCallback done) {
  auto t = std::make_unique<Transfer>();
  t->operation = std::string(operation);
  t->request_body = std::move(body);
  t->done = std::move(done);
  t->started = std::chrono::steady_clock::now();
  add(std::move(t));
}

void HttpLoop::start_rest(std::string_view method, std::string_view path_and_query, std::string body,
                          DoneCallback done) {
  auto t = std::make_unique<Transfer>();
  t->operation = std::string(method);
  t->method = std::string(method);
  t->path_and_query = std::string(path_and_query);
  t->request_body = std::move(body);
  t->done = std::move(done);
  t->started = std::chrono::steady_clock::now();
  add(std::move(t));
}

void HttpLoop::start_stream(std::string_view operation, std::string body, DataCallback on_data, DoneCallback done) {
  auto t = std::make_unique<Transfer>();
  t->operation = std::string(operation);
  t->request_body = std::move(body);
  t->streaming = true;
  t->on_data = std::move(on_data);
  t->done = std::move(done);
  t->started = std::chrono::steady_clock::now();
  add(std::move(t));
}

void HttpLoop::poll(int timeout_ms, std::chrono::steady_clock::time_point wake_at) {
  CURLM* m = static_cast<CURLM*>(multi_);
  // libstdc++'s steady_clock is CLOCK_MONOTONIC, so wake_at arms the timerfd as is.
  curl_waitfd timer{};
  unsigned extra = 0;
  if (wake_at != std::chrono::steady_clock::time_point::max()) {
    if (timer_fd_ < 0) timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    const auto ns =
        std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(wake_at.time_since_epoch()).count());
    itimerspec at{};
    at.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    at.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    if (timer_fd_ >= 0 && timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &at, nullptr) == 0) {
      timer.fd = timer_fd_;
      timer.events = CURL_WAIT_POLLIN;
      extra = 1;
    }
  }
  int running = 0;
  release_waiting();
  curl_multi_perform(m, &running);
  bool any_done = false;
  for (int round = 0; round < 2; ++round) {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(m, easy);
      auto it = transfers_.find(easy);
      if (it == transfers_.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      transfers_.erase(it);
      finish(*t, code);
      any_done = true;
      if (t->opener) {
        openers_--;
        long version = 0;
        curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
        if (code == CURLE_OK && version == CURL_HTTP_VERSION_2_0) h2_ready_ = true;
      }
      if (code != CURLE_OK && code != CURLE_WRITE_ERROR) h2_ready_ = false;
      // Keep the handle for the next transfer: a fresh one costs an
      // allocation and a full set of defaults each time.
      curl_easy_reset(t->easy);
      idle_handles_.push_back(t->easy);
      t->easy = nullptr;
      // The callback may start new transfers; `t` is already out of the map.
      if (t->done) t->done(std::move(t->result));
    }
    if (any_done || round == 1) break;
    curl_multi_poll(m, extra ? &timer : nullptr, extra, timeout_ms, nullptr);
    if (extra && (timer.revents & CURL_WAIT_POLLIN)) {
      uint64_t expirations = 0;
      if (read(timer_fd_, &expirations, sizeof expirations) < 0) {
        // Nothing to do: the timer was only a wake-up, and it is re-armed next time.
      }
    }
    curl_multi_perform(m, &running);
  }
  release_waiting();
}

void HttpLoop::cancel_all() {
  CURLM* m = static_cast<CURLM*>(multi_);
  for (auto& [easy, t] : transfers_) curl_multi_remove_handle(m, static_cast<CURL*>(easy));
  transfers_.clear();
  waiting_.clear();
  openers_ = 0;
}

namespace {

HttpResult perform(const BenchOptions& options, const ServiceApi& api, Transfer& t) {
  t.opener = true;  // a fresh handle never reuses a connection
  t.started = std::chrono::steady_clock::now();
  protocol::SigV4Signer signer(options.access_key, options.secret_key, options.region, std::string(api.signing_name));
  configure(options, api, signer, t);
  CURLcode code = curl_easy_perform(t.easy);
  finish(t, code);
  return std::move(t.result);
}

}  // namespace

HttpResult call(const BenchOptions& options, std::string_view operation, std::string body, const ServiceApi& api) {
  Transfer t;
  t.operation = std::string(operation);
  t.request_body = std::move(body);
  return perform(options, api, t);
}

HttpResult call_rest(const BenchOptions& options, std::string_view method, std::string_view path_and_query,
                     std::string body) {
  Transfer t;
  t.operation = std::string(method);
  t.method = std::string(method);
  t.path_and_query = std::string(path_and_query);
  t.request_body = std::move(body);
  return perform(options, kS3Api, t);
}

}  // namespace runnel::bench
