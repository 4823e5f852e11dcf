// Regression tests for the limits against hostile clients (issue 14,
// docs/http.md "Limits against hostile clients"), over real sockets: the
// header deadline, idle HTTP/2 streams, the connection limit, accept back-off.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <dirent.h>
#include <fcntl.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "net/test_transport_errors.h"

namespace runnel::net {
namespace {

using testing::H2Client;
using testing::read_response;
using testing::TestSocket;
using namespace std::chrono_literals;

// /hold?TAG  begins an event stream and parks its sink under TAG (the connection stays busy).
// /later?TAG parks its sink under TAG unanswered; the test answers it.
// /big?N     answers N bytes of 'b'.
// other      answers "echo:<body>" at once.
class HostileServer {
 public:
  explicit HostileServer(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.threads == 0) o.threads = 1;
    server_ = std::make_unique<Server>(o, [this](HttpRequest r, std::shared_ptr<ResponseSink> sink) {
      ++calls;
      if (r.path == "/hold") {
        sink->begin_stream(200, {});
        std::lock_guard lock(mu_);
        sinks_[r.query] = std::move(sink);
      } else if (r.path == "/later") {
        std::lock_guard lock(mu_);
        sinks_[r.query] = std::move(sink);
      } else if (r.path == "/big") {
        sink->send({200, {}, std::string(std::stoul(r.query), 'b')});
      } else {
        sink->send({200, {}, "echo:" + r.body});
      }
    });
    Status s = server_->start();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  ~HostileServer() { server_->stop(); }

  uint16_t port() const { return server_->bound_port(); }
  std::atomic<int> calls{0};

  std::shared_ptr<ResponseSink> wait_sink(const std::string& tag) {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mu_);
        if (auto it = sinks_.find(tag); it != sinks_.end()) return it->second;
      }
      std::this_thread::sleep_for(5ms);
    }
    return nullptr;
  }

 private:
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ResponseSink>> sinks_;
};

constexpr std::string_view kGetEcho = "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n";

// Writes `piece` every `every` until the server answers or closes, for at most `limit`.
// Returns what the server sent (empty if nothing within the limit).
std::string trickle(TestSocket& s, std::string_view piece, std::chrono::milliseconds every,
                    std::chrono::milliseconds limit, bool* closed) {
  std::string got;
  *closed = false;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!s.write(piece)) {
      *closed = true;
      break;
    }
    ssize_t n = s.read_some(got, static_cast<int>(every.count()));
    if (n == 0) {
      *closed = true;
      break;
    }
  }
  return got;
}

// ---- A: slowloris ----

// One header line every 100 ms kept a connection open for as long as the
// client liked (issue 14: one line every 10 s for 200 s).
TEST(HostileSlowloris, HeaderLinesTrickledPastTheHeaderDeadlineGet408) {
  ServerOptions o;
  o.header_timeout_ms = 300;
  HostileServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("GET /echo HTTP/1.1\r\nHost: t\r\n"));
  bool closed = false;
  std::string got = trickle(s, "X-Slow: 1\r\n", 100ms, 5000ms, &closed);
  ASSERT_EQ(got.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(closed || s.closed_by_peer(3000));
  EXPECT_EQ(srv.calls.load(), 0);
}

// Empty lines before a request line are skipped (RFC 9112 2.2) but count
// towards the deadline, so they cannot keep a connection open either.
TEST(HostileSlowloris, EmptyLinesTrickledPastTheHeaderDeadlineGet408) {
  ServerOptions o;
  o.header_timeout_ms = 300;
  HostileServer srv(o);
  TestSocket s(srv.port());
  bool closed = false;
  std::string got = trickle(s, "\r\n", 100ms, 5000ms, &closed);
  EXPECT_EQ(got.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << got;
}

// The first bytes are read by the h2c sniffer before any HTTP/1.1 parsing:
// a preface trickled byte by byte is bounded by the same deadline.
TEST(HostileSlowloris, PrefaceTrickledPastTheHeaderDeadlineIsClosed) {
  ServerOptions o;
  o.header_timeout_ms = 300;
  HostileServer srv(o);
  TestSocket s(srv.port());
  std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  auto began = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < preface.size() && !closed; ++i) {
    if (!s.write(preface.substr(i, 1)))
      closed = true;
    else
      closed = s.closed_by_peer(150);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
}

// A keep-alive connection between requests is idle, not "reading a head":
// it gets the idle timeout, not the header deadline.
TEST(HostileSlowloris, KeepAliveConnectionIsNotCutByTheHeaderDeadline) {
  ServerOptions o;
  o.header_timeout_ms = 200;
  HostileServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(kGetEcho));
  ASSERT_TRUE(read_response(s));
  EXPECT_FALSE(s.closed_by_peer(600));
  ASSERT_TRUE(s.write(kGetEcho));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// An HTTP/2 stream whose request never ends (HEADERS without END_STREAM, no
// DATA) counted as work in flight, so the idle timeout never closed the connection.
TEST(HostileSlowloris, Http2StreamThatNeverEndsDoesNotHoldTheConnection) {
  ServerOptions o;
  o.idle_timeout_ms = 300;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s);
  c.submit("POST", "/echo", "", {}, /*end_stream=*/false);
  auto began = std::chrono::steady_clock::now();
  c.run_until([] { return false; }, 4000ms);  // pumps until the server closes, or 4 s
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s) << "the connection was still open after 3 s";
  EXPECT_TRUE(s.closed_by_peer(500));
  EXPECT_EQ(srv.calls.load(), 0);
}

// The idle timeout applies to HTTP/2 connections between requests too
// (checked for issue 14; this already held).
TEST(HostileSlowloris, IdleHttp2ConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout_ms = 300;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s);
  int32_t id = c.submit("GET", "/echo");
  ASSERT_TRUE(c.wait(id));
  auto began = std::chrono::steady_clock::now();
  c.run_until([] { return false; }, 4000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
  EXPECT_GE(std::chrono::steady_clock::now() - began, 200ms);
  EXPECT_TRUE(s.closed_by_peer(500));
}

// ---- A: connection limit ----

// Idle connections took every descriptor, so /health timed out (issue 14:
// 400 idle connections under ulimit -n 256). At the limit, a new connection
// closes the one idle longest.
TEST(HostileConnections, NewConnectionAtTheLimitClosesTheOldestIdleOne) {
  ServerOptions o;
  o.max_connections = 4;
  HostileServer srv(o);
  std::vector<std::unique_ptr<TestSocket>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<TestSocket>(srv.port()));
    ASSERT_TRUE(idle.back()->write(kGetEcho));
    ASSERT_TRUE(read_response(*idle.back()));  // registered, now idle (keep-alive)
    std::this_thread::sleep_for(5ms);
  }
  TestSocket fresh(srv.port());
  ASSERT_TRUE(fresh.write(kGetEcho));
  auto r = read_response(fresh);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(idle[0]->closed_by_peer(2000));
  ASSERT_TRUE(idle[3]->write(kGetEcho));  // the newest idle one was kept
  EXPECT_TRUE(read_response(*idle[3]));
}

// ...and when every connection has a request in flight, the new one is
// closed at once instead of being served beyond the limit.
TEST(HostileConnections, NewConnectionAtTheLimitIsClosedWhenAllAreBusy) {
  ServerOptions o;
  o.max_connections = 2;
  HostileServer srv(o);
  TestSocket a(srv.port()), b(srv.port());
  ASSERT_TRUE(a.write("POST /hold?a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(b.write("POST /hold?b HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(srv.wait_sink("a"));
  ASSERT_TRUE(srv.wait_sink("b"));
  TestSocket fresh(srv.port());
  fresh.write(kGetEcho);
  EXPECT_TRUE(fresh.closed_by_peer(2000));
  EXPECT_EQ(srv.calls.load(), 2);
}

TEST(HostileConnections, DefaultLimitFollowsTheDescriptorLimit) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(256, saved.rlim_max);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  EXPECT_EQ(default_max_connections(), static_cast<size_t>(low.rlim_cur) - 64);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

// ---- A: accept back-off ----

int highest_open_fd() {
  int highest = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') highest = std::max(highest, std::atoi(e->d_name));
    ::closedir(d);
  }
  return highest;
}

// Out of descriptors, accept() failed and was retried (and logged) every
// 50 ms for as long as the condition lasted (issue 14). Now: one warning per
// episode, a growing pause, and the waiting connections are served once
// descriptors are free again.
TEST(HostileConnections, AcceptOutOfDescriptorsWarnsOnceAndRecovers) {
#ifdef RUNNEL_SANITIZE_BUILD
  // UBSan's vptr check probes memory through a pipe (sanitizer_common's
  // IsAccessibleMemoryRange); with every descriptor taken it cannot make one
  // and reports a false "invalid vptr" in whatever asio call it checks then
  // (seen under load). The release run of this test covers the behaviour.
  GTEST_SKIP() << "needs every file descriptor, which UBSan's own checks need too";
#endif
  std::ostringstream log;
  auto saved_logger = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
  {
    ServerOptions o;
    o.max_connections = 1000;
    HostileServer srv(o);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(srv.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fds[3];
    for (int& fd : fds) fd = ::socket(AF_INET, SOCK_STREAM, 0);
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(highest_open_fd() + 1);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    std::vector<int> fillers;  // take the free numbers below the limit: no descriptor left for accept()
    for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) fillers.push_back(fd);
    for (int fd : fds) ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::this_thread::sleep_for(800ms);  // 16 retries at the old fixed 50 ms
    for (int fd : fillers) ::close(fd);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
    for (int fd : fds) {
      ASSERT_EQ(::send(fd, kGetEcho.data(), kGetEcho.size(), MSG_NOSIGNAL), static_cast<ssize_t>(kGetEcho.size()));
      std::string got;
      pollfd p{fd, POLLIN, 0};
      auto deadline = std::chrono::steady_clock::now() + 5s;
      while (got.find("echo:") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got;
      ::close(fd);
    }
  }
  spdlog::set_default_logger(saved_logger);
  std::string text = log.str();
  size_t warnings = 0;
  for (size_t at = text.find("accept failed"); at != std::string::npos; at = text.find("accept failed", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 1u) << text;
  EXPECT_NE(text.find("accepting connections again"), std::string::npos) << text;
}

// ---- C: memory of request bodies ----

std::string post_head(std::string_view path, size_t length, std::string_view extra = "") {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(length) + "\r\n" +
         std::string(extra) + "\r\n";
}

// Without a transport_error hook (the protocol layer answers in AWS's
// formats: protocol/transport_errors_test.cc), plain text.
constexpr std::string_view kBudgetText =
    "Service Unavailable: The server is receiving too many request bodies at once; retry the request.\n";

void expect_budget_503(const testing::TestResponse& r) {
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, kBudgetText);
  ASSERT_NE(r.header("retry-after"), nullptr);
  EXPECT_EQ(*r.header("retry-after"), "1");
}

void expect_budget_503_h2(const H2Client::Response& r) {
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, kBudgetText);
  EXPECT_EQ(r.headers.count("retry-after") ? r.headers.at("retry-after") : "", "1");
}

// The refusal is a transport error the protocol layer answers (issue 15).
TEST(HostileBodies, BodyBeyondTheBudgetIsReportedToTheTransportErrorHook) {
  testing::TransportErrorRecorder recorder;
  ServerOptions o;
  o.body_memory_bytes = 1000;
  o.transport_error = recorder.hook();
  HostileServer srv(o);
  TestSocket b(srv.port());
  ASSERT_TRUE(b.write(post_head("/echo", 1200, "x-probe: budget\r\n")));
  auto refused = read_response(b, 2000);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->body, "hook:1:0/0");
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].probe, "budget");
  EXPECT_EQ(seen[0].error.kind, TransportErrorKind::kBodyMemoryExhausted);
}

// Partly sent bodies were held without a server-wide cap (issue 14: 30
// connections each announcing 20 MiB took RSS from 17 to 614 MB). A body
// that does not fit in what is left of the budget is refused at once.
TEST(HostileBodies, Http1DeclaredBodyBeyondTheBudgetGets503AtOnce) {
  ServerOptions o;
  o.body_memory_bytes = 1000;
  HostileServer srv(o);
  TestSocket a(srv.port());
  ASSERT_TRUE(a.write(post_head("/echo", 800) + std::string(100, 'a')));  // 800 reserved, 700 to come
  std::this_thread::sleep_for(50ms);
  TestSocket b(srv.port());
  ASSERT_TRUE(b.write(post_head("/echo", 800)));
  auto refused = read_response(b, 2000);
  ASSERT_TRUE(refused) << "no answer before the body was sent";
  expect_budget_503(*refused);
  ASSERT_NE(refused->header("connection"), nullptr);
  EXPECT_EQ(*refused->header("connection"), "close");
  // a finishes; its reservation is released once the body is handed over.
  ASSERT_TRUE(a.write(std::string(700, 'a')));
  auto done = read_response(a);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_head("/echo", 800) + std::string(800, 'c')));
  auto ok = read_response(c);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(srv.calls.load(), 2);
}

TEST(HostileBodies, Http1ChunkedBodiesCountAgainstTheBudget) {
  ServerOptions o;
  o.body_memory_bytes = 1000;
  HostileServer srv(o);
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  TestSocket a(srv.port());
  ASSERT_TRUE(a.write(chunked + "384\r\n" + std::string(900, 'a') + "\r\n"));  // 900 bytes held
  std::this_thread::sleep_for(50ms);
  TestSocket b(srv.port());
  ASSERT_TRUE(b.write(chunked + "c8\r\n" + std::string(200, 'b') + "\r\n"));
  auto refused = read_response(b, 2000);
  ASSERT_TRUE(refused);
  expect_budget_503(*refused);
  ASSERT_TRUE(a.write("0\r\n\r\n"));
  auto done = read_response(a);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(done->body, "echo:" + std::string(900, 'a'));
}

// A body abandoned half-way (the client closes, or resets its stream) gives
// its share of the budget back.
TEST(HostileBodies, AbandonedBodiesReleaseTheirShare) {
  ServerOptions o;
  o.body_memory_bytes = 1000;
  HostileServer srv(o);
  {
    TestSocket gone(srv.port());
    ASSERT_TRUE(gone.write(post_head("/echo", 800) + std::string(100, 'g')));
    std::this_thread::sleep_for(50ms);
  }
  {
    TestSocket s(srv.port());
    H2Client c(s);
    int32_t id = c.submit("POST", "/echo", std::string(100, 'r'), {{"content-length", "800"}}, /*end_stream=*/false);
    c.run_until([] { return false; }, 100ms);
    c.reset(id);
    c.run_until([] { return false; }, 100ms);
  }
  auto deadline = std::chrono::steady_clock::now() + 3s;
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    TestSocket s(srv.port());
    ASSERT_TRUE(s.write(post_head("/echo", 800) + std::string(800, 'n')));
    auto r = read_response(s);
    ASSERT_TRUE(r);
    status = r->status;
  }
  EXPECT_EQ(status, 200);
}

// Many streams of one HTTP/2 connection share the budget with everyone else.
TEST(HostileBodies, Http2StreamBodiesCountAgainstTheBudget) {
  ServerOptions o;
  o.body_memory_bytes = 1000;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s);
  int32_t held = c.submit("POST", "/echo", std::string(100, 'a'), {{"content-length", "800"}}, /*end_stream=*/false);
  int32_t declared = c.submit("POST", "/echo", "", {{"content-length", "800"}}, /*end_stream=*/false);
  ASSERT_TRUE(c.wait(declared));
  expect_budget_503_h2(c.response(declared));
  int32_t undeclared = c.submit("POST", "/echo", std::string(300, 'u'), {}, /*end_stream=*/false);
  ASSERT_TRUE(c.wait(undeclared));
  expect_budget_503_h2(c.response(undeclared));
  EXPECT_FALSE(c.response(held).closed);
  EXPECT_EQ(srv.calls.load(), 0);
}

// ---- C: head_check ----

ServerOptions with_head_check() {
  ServerOptions o;
  o.head_check = [](const HttpRequest& head) -> std::optional<HttpResponse> {
    EXPECT_TRUE(head.body.empty());
    EXPECT_FALSE(head.remote_address.empty());
    if (head.path != "/forbidden") return std::nullopt;
    return HttpResponse{403, {{"x-amzn-ErrorType", "AccessDeniedException"}}, "denied " + head.method};
  };
  return o;
}

TEST(HostileHeadCheck, Http1AnswersFromTheHeadWithoutReadingTheBody) {
  HostileServer srv(with_head_check());
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post_head("/forbidden", 1 << 20)));  // the body never comes
  auto r = read_response(s, 2000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body, "denied POST");
  ASSERT_NE(r->header("connection"), nullptr);
  EXPECT_EQ(*r->header("connection"), "close");
  EXPECT_TRUE(s.closed_by_peer(4000));
  TestSocket ok(srv.port());
  ASSERT_TRUE(ok.write(post_head("/echo", 2) + "hi"));
  auto r2 = read_response(ok);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "echo:hi");
  EXPECT_EQ(srv.calls.load(), 1);
}

TEST(HostileHeadCheck, Http2AnswersAtTheEndOfHeaders) {
  HostileServer srv(with_head_check());
  TestSocket s(srv.port());
  H2Client c(s);
  int32_t denied = c.submit("POST", "/forbidden", "", {{"content-length", "1000"}}, /*end_stream=*/false);
  ASSERT_TRUE(c.run_until([&] { return c.response(denied).status != 0; }));
  EXPECT_EQ(c.response(denied).status, 403);
  int32_t ok = c.submit("POST", "/echo", "hi");
  ASSERT_TRUE(c.wait(ok));
  EXPECT_EQ(c.response(ok).body, "echo:hi");
  EXPECT_EQ(srv.calls.load(), 1);
}

// ---- D: HTTP/2 responses held by a shut window ----

// 40 GetRecords of 10 MiB with SETTINGS_INITIAL_WINDOW_SIZE=0 added 578 MB
// that stayed until the client left (issue 14). Once a connection holds
// h2_max_queued_bytes, further responses are dropped (RST_STREAM
// ENHANCE_YOUR_CALM) and new streams refused (REFUSED_STREAM, unprocessed).
TEST(HostileH2Window, ResponsesHeldByAShutWindowAreBounded) {
  ServerOptions o;
  o.h2_max_queued_bytes = 1 << 20;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s, false, false, /*initial_window=*/0);
  auto settled = [&](int32_t id) { return c.response(id).status != 0 || c.response(id).closed; };
  // Four at once, answered only once all four are dispatched.
  std::vector<int32_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(c.submit("GET", "/later?" + std::to_string(i)));
  ASSERT_TRUE(c.run_until([&] { return srv.calls.load() == 4; }));
  for (int i = 0; i < 4; ++i) {
    auto sink = srv.wait_sink(std::to_string(i));
    ASSERT_TRUE(sink);
    sink->send({200, {}, std::string(400000, 'b')});
  }
  ASSERT_TRUE(c.run_until([&] { return std::all_of(ids.begin(), ids.end(), settled); }));
  int held = 0, dropped = 0;
  for (int32_t id : ids) {
    if (c.response(id).status == 200)
      ++held;
    else if (c.response(id).closed && c.response(id).error_code == NGHTTP2_ENHANCE_YOUR_CALM)
      ++dropped;
  }
  EXPECT_EQ(held, 3);  // 400 KB, 800 KB, then 1.2 MB queued
  EXPECT_EQ(dropped, 1);
  // The connection is full: new streams are refused without reaching the handler.
  for (int i = 0; i < 3; ++i) {
    int32_t id = c.submit("GET", "/big?400000");
    ASSERT_TRUE(c.run_until([&] { return settled(id); }));
    EXPECT_EQ(c.response(id).error_code, static_cast<uint32_t>(NGHTTP2_REFUSED_STREAM));
  }
  EXPECT_EQ(srv.calls.load(), 4);
}

// A connection whose window stays shut with bytes queued is closed after
// h2_stall_timeout_ms; before, it stayed until the client left.
TEST(HostileH2Window, ConnectionThatMakesNoProgressIsClosed) {
  ServerOptions o;
  o.h2_stall_timeout_ms = 300;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s, false, false, /*initial_window=*/0);
  int32_t id = c.submit("GET", "/big?100000");
  ASSERT_TRUE(c.run_until([&] { return c.response(id).status != 0; }));
  auto began = std::chrono::steady_clock::now();
  c.run_until([] { return false; }, 4000ms);  // pumps until the server closes, or 4 s
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s) << "the stalled connection was still open after 3 s";
  EXPECT_TRUE(s.closed_by_peer(500));
}

// ...while one whose window opens, however slowly, is not.
TEST(HostileH2Window, SlowlyOpenedWindowIsProgress) {
  ServerOptions o;
  o.h2_stall_timeout_ms = 400;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s, false, /*manual_window=*/true);
  int32_t id = c.submit("GET", "/big?600000");
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!c.response(id).closed && std::chrono::steady_clock::now() < deadline) {
    c.run_until([] { return false; }, 250ms);  // window shut for 250 ms at a time
    c.grant(id);
  }
  ASSERT_TRUE(c.response(id).closed);
  EXPECT_EQ(c.response(id).error_code, 0u);
  EXPECT_EQ(c.response(id).body.size(), 600000u);
}

// ---- E: connections held by a shut window, bodies that never end ----

// Eight h2c connections with SETTINGS_INITIAL_WINDOW_SIZE=0 and one answered
// request each locked every new client out at --max-connections 8 until the
// stall timeout: a stream whose answer waited on the peer's window made its
// connection busy, so none could be evicted. Now such a connection is idle.
TEST(HostileConnections, Http2ConnectionsHeldByAShutWindowCanBeEvicted) {
  ServerOptions o;
  o.max_connections = 2;
  HostileServer srv(o);
  std::vector<std::unique_ptr<TestSocket>> sockets;
  std::vector<std::unique_ptr<H2Client>> clients;
  for (int i = 0; i < 2; ++i) {
    sockets.push_back(std::make_unique<TestSocket>(srv.port()));
    clients.push_back(std::make_unique<H2Client>(*sockets.back(), false, false, /*initial_window=*/0));
    int32_t id = clients.back()->submit("GET", "/big?1000");
    ASSERT_TRUE(clients.back()->run_until([&] { return clients.back()->response(id).status != 0; }));
    EXPECT_TRUE(clients.back()->response(id).body.empty());  // the body waits for the window
    std::this_thread::sleep_for(5ms);
  }
  TestSocket fresh(srv.port());
  ASSERT_TRUE(fresh.write(kGetEcho));
  auto r = read_response(fresh);
  ASSERT_TRUE(r) << "the new connection was closed: both connections with a shut window counted as busy";
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(sockets[0]->closed_by_peer(2000));
}

// The HTTP/1.1 cousin: a client that asks for a large answer and never
// reads kept a socket write pending, so its connection could not be evicted
// for idle_timeout_ms. A write pending for stuck_write_ms no longer protects it.
TEST(HostileConnections, ConnectionWhosePeerStoppedReadingCanBeEvicted) {
  ServerOptions o;
  o.max_connections = 2;
  o.stuck_write_ms = 200;
  HostileServer srv(o);
  TestSocket busy(srv.port());
  ASSERT_TRUE(busy.write("POST /hold?busy HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(srv.wait_sink("busy"));
  TestSocket stuck(srv.port());
  ASSERT_TRUE(stuck.write("GET /big?67108864 HTTP/1.1\r\nHost: t\r\n\r\n"));  // 64 MiB, never read
  std::this_thread::sleep_for(600ms);
  TestSocket fresh(srv.port());
  ASSERT_TRUE(fresh.write(kGetEcho));
  auto r = read_response(fresh);
  ASSERT_TRUE(r) << "the new connection was closed: a connection whose peer stopped reading counted as busy";
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(stuck.closed_by_peer(3000));  // after the bytes already in the kernel's buffers
  EXPECT_FALSE(busy.closed_by_peer(100));
  srv.wait_sink("busy")->end_stream();
}

// A request body that never ended held its share of the body-memory budget
// for as long as the client kept the connection alive (any traffic, PING
// included, refreshed the idle timer). Now the body must end within
// body_timeout_ms of its head: 408 and close, and the share is released.
TEST(HostileBodies, Http1BodyNotCompleteWithinTheBodyTimeoutGets408) {
  ServerOptions o;
  o.body_timeout_ms = 300;
  o.body_memory_bytes = 1000;
  HostileServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post_head("/echo", 800) + "abc"));  // the rest never comes
  auto r = read_response(s, 3000);
  ASSERT_TRUE(r) << "no answer 3 s after a body that stopped";
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(s.closed_by_peer(2000));
  TestSocket ok(srv.port());
  ASSERT_TRUE(ok.write(post_head("/echo", 800) + std::string(800, 'x')));
  auto r2 = read_response(ok);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200) << "the abandoned body's share of the budget was not released";
  EXPECT_EQ(srv.calls.load(), 1);
}

TEST(HostileBodies, Http2BodyNotCompleteWithinTheBodyTimeoutIsReset) {
  ServerOptions o;
  o.body_timeout_ms = 300;
  o.body_memory_bytes = 1000;
  HostileServer srv(o);
  TestSocket s(srv.port());
  H2Client c(s);
  int32_t stuck = c.submit("POST", "/echo", "abc", {{"content-length", "800"}}, /*end_stream=*/false);
  ASSERT_TRUE(c.run_until([&] { return c.response(stuck).closed; }, 3000ms))
      << "the stream was still open 3 s after its body stopped";
  EXPECT_EQ(c.response(stuck).error_code, static_cast<uint32_t>(NGHTTP2_CANCEL));
  int32_t ok = c.submit("POST", "/echo", std::string(800, 'x'), {{"content-length", "800"}});
  ASSERT_TRUE(c.wait(ok));
  EXPECT_EQ(c.response(ok).status, 200) << "the reset stream's share of the budget was not released";
  EXPECT_EQ(srv.calls.load(), 1);
}

// Event streams (SubscribeToShard) are responses: the body deadline ends
// when the request is dispatched and does not touch them.
TEST(HostileBodies, EventStreamsOutliveTheBodyTimeout) {
  ServerOptions o;
  o.body_timeout_ms = 100;
  HostileServer srv(o);
  TestSocket s1(srv.port());
  ASSERT_TRUE(s1.write(post_head("/hold?h1", 5) + "hello"));
  TestSocket s2(srv.port());
  H2Client c(s2);
  int32_t id = c.submit("POST", "/hold?h2", "hello", {{"content-length", "5"}});
  ASSERT_TRUE(c.run_until([&] { return c.response(id).status != 0; }));
  auto h1 = srv.wait_sink("h1"), h2 = srv.wait_sink("h2");
  ASSERT_TRUE(h1 && h2);
  c.run_until([] { return false; }, 500ms);
  EXPECT_FALSE(s1.closed_by_peer(100));
  EXPECT_FALSE(c.response(id).closed);
  EXPECT_FALSE(h1->closed());
  EXPECT_FALSE(h2->closed());
  h1->end_stream();
  h2->end_stream();
}

}  // namespace
}  // namespace runnel::net
