#include "firehose/http_endpoint.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>

#include "firehose/compression.h"
#include "protocol/base64.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {
namespace {

std::string json_string(std::string_view s) { return protocol::encode_json(protocol::Value(std::string(s))); }

struct Collected {
  EndpointResponse* response;
  size_t limit;
};

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  std::string& out = c->response->body;
  const size_t bytes = size * n;
  if (out.size() < c->limit) out.append(data, std::min(bytes, c->limit - out.size()));
  return bytes;
}

size_t collect_header(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    c->response->headers.emplace_back(std::move(name), std::string(value));
  }
  return bytes;
}

}  // namespace

const std::string* EndpointResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return &value;
  return nullptr;
}

EndpointRequest endpoint_request(const DeliveryPlan& plan, std::string_view request_id, int64_t timestamp_ms,
                                 const std::vector<std::string_view>& records) {
  EndpointRequest req;
  req.url = plan.url;
  std::string body =
      "{\"requestId\":" + json_string(request_id) + ",\"timestamp\":" + std::to_string(timestamp_ms) + ",\"records\":[";
  bool first = true;
  for (std::string_view r : records) {
    if (!first) body.push_back(',');
    first = false;
    body += "{\"data\":\"";
    protocol::base64_encode_append(r, body);
    body += "\"}";
  }
  body += "]}";
  req.headers = {{"Content-Type", "application/json"},
                 {"X-Amz-Firehose-Protocol-Version", "1.0"},
                 {"X-Amz-Firehose-Request-Id", std::string(request_id)},
                 {"X-Amz-Firehose-Source-Arn", plan.stream_arn}};
  if (plan.access_key) req.headers.emplace_back("X-Amz-Firehose-Access-Key", *plan.access_key);
  if (!plan.common_attributes.empty()) {
    std::string attrs = "{\"commonAttributes\":{";
    for (size_t i = 0; i < plan.common_attributes.size(); ++i) {
      if (i) attrs.push_back(',');
      attrs += json_string(plan.common_attributes[i].first) + ":" + json_string(plan.common_attributes[i].second);
    }
    attrs += "}}";
    req.headers.emplace_back("X-Amz-Firehose-Common-Attributes", std::move(attrs));
  }
  if (plan.gzip_request) {
    auto packed = compress(Compression::kGzip, body);
    if (packed) {
      body = std::move(*packed);
      req.headers.emplace_back("Content-Encoding", "gzip");
    }
  }
  req.body = std::move(body);
  return req;
}

EndpointVerdict judge(const EndpointResponse& response, std::string_view request_id, std::string& why) {
  if (response.status == 0) {
    why = "The endpoint could not be reached: " + response.transport_error;
    return EndpointVerdict::kRetry;
  }
  if (response.status == 413) {
    why = "The endpoint refused the request as too large (HTTP 413).";
    return EndpointVerdict::kFinalFailure;
  }
  auto answer = protocol::decode_json(response.body);
  const protocol::Value* id = answer && answer->is_object() ? answer->find("requestId") : nullptr;
  if (response.status != 200) {
    why = "The endpoint answered HTTP " + std::to_string(response.status);
    if (answer && answer->is_object())
      if (const protocol::Value* m = answer->find("errorMessage"); m && m->is_string()) why += ": " + m->as_string();
    return EndpointVerdict::kRetry;
  }
  if (!id || !id->is_string()) {
    why = "The response received from the endpoint is invalid: it is not JSON with a requestId.";
    return EndpointVerdict::kRetry;
  }
  if (id->as_string() != request_id) {
    why = "The response received from the endpoint has requestId " + id->as_string() + ", not " +
          std::string(request_id) + ".";
    return EndpointVerdict::kRetry;
  }
  return EndpointVerdict::kDelivered;
}

int64_t endpoint_backoff_ms(int attempt, double unit) {
  const double base = 1000.0 * std::pow(2.0, std::clamp(attempt - 1, 0, 16));
  const double jittered = base * (0.85 + 0.30 * unit);
  return static_cast<int64_t>(std::min(jittered, 120'000.0));
}

EndpointResponse send_endpoint_request(const EndpointRequest& request) {
  EndpointResponse response;
  CURL* curl = curl_easy_init();
  if (!curl) {
    response.transport_error = "libcurl could not start a transfer";
    return response;
  }
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // AWS does not follow redirects
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  Collected collected{&response, request.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &collected);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  } else {
    response.transport_error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return response;
}

HttpPoster::HttpPoster(int threads) {
  // libcurl's global set-up is not thread-safe: done once, before any
  // transfer thread exists.
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { worker(); });
}

HttpPoster::~HttpPoster() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& t : threads_) t.join();
  std::vector<Job> left;
  {
    MutexLock lock(mu_);
    left.swap(queue_);
  }
  for (auto& job : left) {
    EndpointResponse r;
    r.transport_error = "runnel is stopping";
    job.done(std::move(r));
  }
}

void HttpPoster::post(EndpointRequest request, std::function<void(EndpointResponse)> done) {
  MutexLock lock(mu_);
  queue_.push_back({std::move(request), std::move(done)});
  cv_.notify_one();
}

void HttpPoster::worker() {
  while (true) {
    Job job;
    {
      MutexLock lock(mu_);
      cv_.wait(mu_, [&]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.erase(queue_.begin());
    }
    job.done(send_endpoint_request(job.request));
  }
}

}  // namespace runnel::firehose
