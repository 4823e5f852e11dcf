#include "s3/s3_client_loop.h"

#include <array>
#include <ctime>
#include <mutex>
#include <utility>

namespace runnel::s3 {

struct S3ClientLoop::Transfer {
  S3ClientRequest req;
  Callback done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  S3ClientAnswer answer;
  std::array<char, CURL_ERROR_SIZE> error{};

  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<S3ClientAnswer*>(user)->body.append(data, size * n);
  return size * n;
}

// One header line of the answer. A status line starts a new answer (after a
// 100 Continue, or a redirect curl does not follow), so the headers so far
// are dropped.
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* answer = static_cast<S3ClientAnswer*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    answer->headers.clear();
    return size * n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  answer->headers.push_back({std::move(name), std::string(value)});
  return size * n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

const std::string* S3ClientAnswer::header(std::string_view lower_name) const {
  for (const auto& h : headers)
    if (h.name == lower_name) return &h.value;
  return nullptr;
}

S3ClientLoop::S3ClientLoop(S3ClientLoopOptions options)
    : options_(std::move(options)),
      multi_((global_init(), curl_multi_init())),
      signer_(options_.access_key_id, options_.secret_access_key, options_.region, "s3") {
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_in_flight));
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_in_flight));
  thread_ = std::thread([this] { run(); });
}

S3ClientLoop::~S3ClientLoop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

void S3ClientLoop::submit(S3ClientRequest req, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->req = std::move(req);
  t->done = std::move(done);
  {
    MutexLock lock(mu_);
    incoming_.push_back(std::move(t));
  }
  curl_multi_wakeup(multi_);
}

void S3ClientLoop::post(std::function<void(bool)> fn) {
  {
    MutexLock lock(mu_);
    posted_.push_back(std::move(fn));
  }
  curl_multi_wakeup(multi_);
}

void S3ClientLoop::run() {
  while (true) {
    std::deque<std::function<void(bool)>> posted;
    {
      MutexLock lock(mu_);
      if (stopping_) break;
      while (!incoming_.empty()) {
        queued_.push_back(std::move(incoming_.front()));
        incoming_.pop_front();
      }
      posted.swap(posted_);
    }
    for (auto& fn : posted) fn(true);
    while (static_cast<int>(running_.size()) < options_.max_in_flight && !queued_.empty()) {
      auto t = std::move(queued_.front());
      queued_.pop_front();
      start(std::move(t));
    }
    int still_running = 0;
    curl_multi_perform(multi_, &still_running);
    finish_done_transfers();
    bool more;
    {
      MutexLock lock(mu_);
      more = !incoming_.empty() || !posted_.empty() || stopping_;
    }
    // A transfer that ended may have freed a slot for a queued one.
    if (!more && !(static_cast<int>(running_.size()) < options_.max_in_flight && !queued_.empty())) {
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }
  cancel_everything();
}

void S3ClientLoop::start(std::unique_ptr<Transfer> t) {
  sign_s3_client_request(t->req, signer_, options_.endpoint.authority, options_.session_token,
                         static_cast<int64_t>(std::time(nullptr)));
  CURL* e = curl_easy_init();
  t->easy = e;
  std::string url = options_.endpoint.base_url() + t->req.path;
  if (!t->req.query.empty()) url += "?" + t->req.query;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());  // curl copies strings it is given
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);  // keys may hold "./" or "//": send them as signed
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options_.request_timeout_ms);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, options_.low_speed_seconds);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error.data());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->answer);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->answer);
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());

  const std::string& m = t->req.method;
  if (m == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (m == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (m == "PUT" || m == "POST") {
    // The body is sent from memory the request owns (no copy); POST's
    // machinery, with the method renamed for PUT.
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->req.body.empty() ? "" : t->req.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->req.body.size()));
    if (m == "PUT") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
  }

  bool has_content_type = false;
  for (const auto& h : t->req.headers) {
    if (h.name == "content-type") has_content_type = true;
    std::string line = h.name + ": " + h.value;
    t->headers = curl_slist_append(t->headers, line.c_str());
  }
  // No header curl would add on its own: an unsigned Content-Type for POST
  // bodies, and Expect: 100-continue, a round trip for every large part.
  if (!has_content_type) t->headers = curl_slist_append(t->headers, "Content-Type:");
  t->headers = curl_slist_append(t->headers, "Expect:");
  t->headers = curl_slist_append(t->headers, "Accept:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);

  curl_multi_add_handle(multi_, e);
  started_.fetch_add(1, std::memory_order_relaxed);
  running_.emplace(e, std::move(t));
}

void S3ClientLoop::finish_done_transfers() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    CURLcode result = msg->data.result;
    auto it = running_.find(e);
    if (it == running_.end()) continue;
    std::unique_ptr<Transfer> t = std::move(it->second);
    running_.erase(it);
    curl_multi_remove_handle(multi_, e);
    if (result != CURLE_OK) {
      t->answer.network_error = t->error[0] ? t->error.data() : curl_easy_strerror(result);
      t->answer.status = 0;
    } else {
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t->answer.status);
    }
    Callback done = std::move(t->done);
    S3ClientAnswer answer = std::move(t->answer);
    t.reset();  // frees the easy handle before the callback queues more
    done(std::move(answer));
  }
}

void S3ClientLoop::cancel_everything() {
  // Callbacks may submit or post more (an abandoned multipart upload asks to
  // abort it): keep going until nothing is left.
  while (true) {
    std::deque<std::function<void(bool)>> posted;
    {
      MutexLock lock(mu_);
      while (!incoming_.empty()) {
        queued_.push_back(std::move(incoming_.front()));
        incoming_.pop_front();
      }
      posted.swap(posted_);
    }
    if (posted.empty() && queued_.empty() && running_.empty()) return;
    for (auto& fn : posted) fn(false);
    std::vector<std::unique_ptr<Transfer>> victims;
    for (auto& [easy, t] : running_) {
      curl_multi_remove_handle(multi_, easy);
      victims.push_back(std::move(t));
    }
    running_.clear();
    while (!queued_.empty()) {
      victims.push_back(std::move(queued_.front()));
      queued_.pop_front();
    }
    for (auto& t : victims) {
      Callback done = std::move(t->done);
      t.reset();
      S3ClientAnswer answer;
      answer.cancelled = true;
      answer.network_error = "the S3 client shut down before an answer came";
      done(std::move(answer));
    }
  }
}

}  // namespace runnel::s3
