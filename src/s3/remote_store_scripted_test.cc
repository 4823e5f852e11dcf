// RemoteStore against a scripted HTTP server on 127.0.0.1: the failures a
// real store rarely shows on demand (a part answered 500, a Complete that
// answers 200 with an <Error>, SlowDown, a redirect to another region), and
// what the client puts on the wire (Content-MD5, x-amz-content-sha256, the
// order of the multipart calls, the Abort).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "protocol/sigv4.h"
#include "s3/remote_store.h"
#include "s3/s3_client_request.h"

namespace runnel::s3 {
namespace {

using Code = Status::Code;
using namespace std::chrono_literals;

struct SeenRequest {
  std::string method;
  std::string target;  // path?query, as sent
  std::vector<net::Header> headers;
  std::string body;
  std::string header(std::string_view name) const {
    for (const auto& h : headers)
      if (h.name == name) return h.value;
    return "<absent>";
  }
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// An HTTP/1.1 server answering each request with `script(request)`, one
// thread per connection; keeps every request it saw.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<Reply(const SeenRequest&)> script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      MutexLock lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::vector<SeenRequest> requests() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return seen_;
  }

 private:
  void accept_loop() EXCLUDES(mu_) {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      MutexLock lock(mu_);
      fds_.push_back(fd);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) EXCLUDES(mu_) {
    std::string in;
    char buf[65536];
    while (true) {
      std::size_t end;
      while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return close_fd(fd);
        in.append(buf, static_cast<std::size_t>(n));
      }
      SeenRequest req;
      std::string head = in.substr(0, end);
      in.erase(0, end + 4);
      std::size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      req.method = first.substr(0, first.find(' '));
      req.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
      std::size_t length = 0;
      for (std::size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
        std::size_t next = head.find("\r\n", pos + 2);
        std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        pos = next;
        std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "content-length") length = std::stoul(value);
        req.headers.push_back({name, value});
      }
      while (in.size() < length) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return close_fd(fd);
        in.append(buf, static_cast<std::size_t>(n));
      }
      req.body = in.substr(0, length);
      in.erase(0, length);
      Reply reply = script_(req);
      {
        MutexLock lock(mu_);
        seen_.push_back(req);
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
      for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
      if (req.method != "HEAD") out += reply.body;
      for (std::size_t off = 0; off < out.size();) {
        ssize_t n = ::write(fd, out.data() + off, out.size() - off);
        if (n <= 0) return close_fd(fd);
        off += static_cast<std::size_t>(n);
      }
    }
  }

  void close_fd(int fd) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    std::erase(fds_, fd);
    ::close(fd);
  }

  std::function<Reply(const SeenRequest&)> script_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  Mutex mu_;
  std::vector<int> fds_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
  std::vector<SeenRequest> seen_ GUARDED_BY(mu_);
};

std::unique_ptr<RemoteStore> store_for(const ScriptedServer& server) {
  RemoteStoreOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  o.access_key_id = "AKID";
  o.secret_access_key = "secret";
  o.part_size = 5 << 20;
  o.multipart_threshold = 5 << 20;
  o.part_parallelism = 2;
  auto s = RemoteStore::create(o);
  EXPECT_TRUE(s);
  return std::move(*s);
}

PutObjectRequest obj(std::string key, std::size_t size) {
  PutObjectRequest r;
  r.bucket = "bkt";
  r.key = std::move(key);
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i / 4096) % 26);
  r.set_body(std::move(body));
  return r;
}

Result<ObjectInfo> put(RemoteStore& s, PutObjectRequest req) {
  std::promise<Result<ObjectInfo>> p;
  std::atomic<int> calls{0};
  s.put_object(std::move(req), [&](Result<ObjectInfo> r) {
    if (++calls == 1) p.set_value(std::move(r));
  });
  auto f = p.get_future();
  EXPECT_EQ(f.wait_for(60s), std::future_status::ready);
  auto r = f.get();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(calls.load(), 1);
  return r;
}

Reply error_reply(int status, std::string_view code, std::string_view message) {
  return {status,
          {{"Content-Type", "application/xml"}},
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(code) + "</Code><Message>" +
              std::string(message) + "</Message></Error>"};
}

// The happy path of a multipart upload, for the scripts to deviate from.
Reply multipart_ok(const SeenRequest& r) {
  if (r.method == "POST" && r.target.ends_with("?uploads")) {
    return {200, {}, "<InitiateMultipartUploadResult><UploadId>UP1</UploadId></InitiateMultipartUploadResult>"};
  }
  if (r.method == "PUT" && r.target.find("partNumber=") != std::string::npos) {
    return {200, {{"ETag", "\"" + protocol::sigv4_sha256_hex(r.body).substr(0, 32) + "\""}}, ""};
  }
  if (r.method == "POST" && r.target.find("uploadId=UP1") != std::string::npos) {
    return {200, {}, "<CompleteMultipartUploadResult><ETag>\"whole-3\"</ETag></CompleteMultipartUploadResult>"};
  }
  if (r.method == "DELETE") return {204, {}, ""};
  return {200, {{"ETag", "\"single\""}}, ""};
}

int count(const std::vector<SeenRequest>& seen, std::string_view method, std::string_view target_part) {
  int n = 0;
  for (const auto& r : seen) n += r.method == method && r.target.find(target_part) != std::string::npos;
  return n;
}

TEST(RemoteStoreScripted, MultipartPutsPartsWithChecksumsThenCompletesInPartOrder) {
  ScriptedServer server(multipart_ok);
  auto store = store_for(server);
  auto info = put(*store, obj("dir/a b", (12 << 20) + 7));  // parts of 5, 5 and 2 MiB + 7
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->etag, "\"whole-3\"");
  EXPECT_EQ(info->size, (12u << 20) + 7);

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.front().target, "/bkt/dir/a%20b?uploads");
  EXPECT_EQ(seen.front().header("content-type"), "application/octet-stream");
  std::vector<std::string> etags(3);
  for (const auto& r : seen) {
    EXPECT_EQ(r.header("x-amz-content-sha256"), protocol::sigv4_sha256_hex(r.body)) << r.target;
    EXPECT_EQ(r.header("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(r.header("expect"), "<absent>");
    EXPECT_TRUE(r.header("authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKID/")) << r.target;
    if (r.method != "PUT") continue;
    EXPECT_EQ(r.header("content-md5"), s3_client_content_md5(r.body)) << r.target;
    int part = r.target[r.target.find("partNumber=") + 11] - '0';
    EXPECT_EQ(r.body.size(), part < 3 ? 5u << 20 : (2u << 20) + 7);
    etags[static_cast<std::size_t>(part - 1)] = "&quot;" + protocol::sigv4_sha256_hex(r.body).substr(0, 32) + "&quot;";
  }
  const SeenRequest& complete = seen.back();
  EXPECT_EQ(complete.method, "POST");
  EXPECT_EQ(complete.target, "/bkt/dir/a%20b?uploadId=UP1");
  std::size_t p1 = complete.body.find(etags[0]), p2 = complete.body.find(etags[1]), p3 = complete.body.find(etags[2]);
  EXPECT_TRUE(p1 < p2 && p2 < p3) << complete.body;
}

TEST(RemoteStoreScripted, AFailedPartAbortsTheUploadAndReportsTheFirstError) {
  ScriptedServer server([](const SeenRequest& r) {
    if (r.method == "PUT" && r.target.find("partNumber=2&") != std::string::npos) {
      return error_reply(500, "InternalError", "We encountered an internal error. Please try again.");
    }
    return multipart_ok(r);
  });
  auto store = store_for(server);
  auto info = put(*store, obj("k", 16 << 20));
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), Code::kIoError);
  EXPECT_EQ(info.error().message(),
            "UploadPart 2 of bkt/k: S3 InternalError: We encountered an internal error. Please try again. (HTTP 500)");
  auto seen = server.requests();
  EXPECT_EQ(count(seen, "DELETE", "/bkt/k?uploadId=UP1"), 1);
  EXPECT_EQ(count(seen, "POST", "?uploadId="), 0) << "never completed";
  EXPECT_EQ(seen.back().method, "DELETE") << "the abort comes after every part in flight ended";
}

TEST(RemoteStoreScripted, ACompleteAnswering200WithAnErrorAbortsAndIsRetryable) {
  ScriptedServer server([](const SeenRequest& r) {
    if (r.method == "POST" && r.target.find("uploadId=") != std::string::npos) {
      return error_reply(200, "InternalError", "We encountered an internal error. Please try again.");
    }
    return multipart_ok(r);
  });
  auto store = store_for(server);
  auto info = put(*store, obj("k", 6 << 20));
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), Code::kIoError) << info.error().to_string();
  EXPECT_EQ(count(server.requests(), "DELETE", "uploadId=UP1"), 1);
}

TEST(RemoteStoreScripted, AFailedCreateSendsNoPartsAndNoAbort) {
  ScriptedServer server([](const SeenRequest&) { return error_reply(403, "AccessDenied", "Access Denied"); });
  auto store = store_for(server);
  auto info = put(*store, obj("k", 6 << 20));
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(info.error().message(), "CreateMultipartUpload bkt/k: S3 AccessDenied: Access Denied (HTTP 403)");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(RemoteStoreScripted, SlowDownIsRetryableAndCarriesTheObjectsHeaders) {
  ScriptedServer server(
      [](const SeenRequest&) { return error_reply(503, "SlowDown", "Please reduce your request rate."); });
  auto store = store_for(server);
  PutObjectRequest req = obj("k.gz", 10);
  req.content_type = "application/json";
  req.content_encoding = "gzip";
  req.metadata = {{"Stream", "s1"}};
  auto info = put(*store, req);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), Code::kIoError);
  EXPECT_EQ(info.error().message(), "PutObject bkt/k.gz: S3 SlowDown: Please reduce your request rate. (HTTP 503)");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u) << "the client does not retry by itself";
  EXPECT_EQ(seen[0].header("content-type"), "application/json");
  EXPECT_EQ(seen[0].header("content-encoding"), "gzip");
  EXPECT_EQ(seen[0].header("x-amz-meta-stream"), "s1");
  EXPECT_EQ(seen[0].header("content-md5"), s3_client_content_md5(req.bytes()));
}

TEST(RemoteStoreScripted, ARedirectNamesTheBucketsRegion) {
  ScriptedServer server([](const SeenRequest&) { return Reply{301, {{"x-amz-bucket-region", "eu-west-3"}}, ""}; });
  auto store = store_for(server);
  std::promise<Status> p;
  store->head_bucket("bkt", [&](Status st) { p.set_value(std::move(st)); });
  Status st = p.get_future().get();
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("the bucket is in region eu-west-3"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace runnel::s3
