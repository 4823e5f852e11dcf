// HTTP/2 (h2c prior knowledge and h2 over TLS with ALPN) and TLS HTTP/1.1,
// driven by an nghttp2 client session over a real socket.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "net/test_transport_errors.h"

namespace runnel::net {
namespace {

using testing::H2Client;
using testing::TestSocket;
using testing::write_self_signed;
using namespace std::chrono_literals;

class H2Server {
 public:
  explicit H2Server(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<Server>(
        o, [this](HttpRequest r, std::shared_ptr<ResponseSink> sink) { handle(std::move(r), std::move(sink)); });
    Status s = server_->start();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  ~H2Server() {
    server_->stop();
    for (auto& t : threads_) t.join();
  }
  Server& server() { return *server_; }

  std::mutex mu;
  std::shared_ptr<ResponseSink> held;
  std::vector<HttpRequest> seen;

 private:
  void handle(HttpRequest r, std::shared_ptr<ResponseSink> sink) {
    {
      std::lock_guard lock(mu);
      seen.push_back(r);
    }
    if (r.path == "/stream") {
      std::lock_guard lock(mu);
      threads_.emplace_back([sink] {
        sink->begin_stream(200, {{"Content-Type", "application/vnd.amazon.eventstream"}});
        for (const char* part : {"one", "two", "three"}) {
          std::this_thread::sleep_for(20ms);
          sink->write_chunk(part);
        }
        sink->end_stream();
      });
    } else if (r.path == "/hold") {
      sink->begin_stream(200, {});
      std::lock_guard lock(mu);
      held = sink;
    } else if (r.path == "/slow") {
      std::lock_guard lock(mu);
      threads_.emplace_back([sink, body = r.body] {
        std::this_thread::sleep_for(100ms);
        sink->send({200, {}, "slow:" + body});
      });
    } else if (r.path == "/big") {
      sink->send({200, {}, std::string(200000, 'z')});
    } else if (r.path == "/drop") {
      // The sink goes out of scope unanswered.
    } else {
      const std::string* host = r.header("host");
      sink->send({200,
                  {{"X-Echo", "yes"}},
                  r.method + " " + r.path + "?" + r.query + "|" + (host ? *host : "-") + "|" + r.body});
    }
  }

  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
};

TEST(ServerHttp2, H2cPriorKnowledgeRequests) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  ASSERT_TRUE(s.ok());
  H2Client c(s);
  int32_t id = c.submit("POST", "/echo?x=y", "payload", {{"x-amz-target", "Kinesis_20131202.ListStreams"}});
  ASSERT_TRUE(c.wait(id));
  auto& r = c.response(id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /echo?x=y|example.test:4567|payload");
  EXPECT_EQ(r.headers["x-echo"], "yes");
  EXPECT_EQ(r.headers["access-control-allow-origin"], "*");
  EXPECT_EQ(r.headers["access-control-expose-headers"],
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-request-id,x-amz-id-2,Date");
  EXPECT_EQ(r.headers["x-amzn-requestid"].size(), 36u);
  EXPECT_EQ(r.headers["content-length"], "40");

  std::lock_guard lock(srv.mu);
  ASSERT_EQ(srv.seen.size(), 1u);
  const HttpRequest& seen = srv.seen[0];
  EXPECT_TRUE(seen.http2);
  ASSERT_NE(seen.header(":authority"), nullptr);
  EXPECT_EQ(*seen.header(":authority"), "example.test:4567");
  EXPECT_EQ(*seen.header("x-amz-target"), "Kinesis_20131202.ListStreams");
  EXPECT_EQ(seen.query, "x=y");
}

// The client session writes the preface itself, normally together with its
// first frames. Here it arrives byte by byte, which the sniffer must wait for.
TEST(ServerHttp2, PrefaceSplitAcrossReads) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  H2Client c(s, /*trickle_preface=*/true);
  int32_t id = c.submit("GET", "/echo");
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).body, "GET /echo?|example.test:4567|");
}

TEST(ServerHttp2, ConcurrentStreamsOnOneConnection) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t slow = c.submit("POST", "/slow", "a");
  int32_t fast = c.submit("POST", "/echo", "b");
  int32_t big = c.submit("GET", "/big");
  ASSERT_TRUE(
      c.run_until([&] { return c.response(slow).closed && c.response(fast).closed && c.response(big).closed; }));
  EXPECT_EQ(c.response(slow).body, "slow:a");
  EXPECT_EQ(c.response(fast).body, "POST /echo?|example.test:4567|b");
  // 200 000 bytes is more than the default 65 535-byte window: flow control has to work.
  EXPECT_EQ(c.response(big).body, std::string(200000, 'z'));
}

TEST(ServerHttp2, StreamedResponseArrivesAsDataFrames) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/stream", "{}");
  ASSERT_TRUE(c.wait(id));
  auto& r = c.response(id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/vnd.amazon.eventstream");
  EXPECT_EQ(r.headers.count("content-length"), 0u);
  EXPECT_EQ(r.body, "onetwothree");
  EXPECT_GE(r.data_frames, 3);
  EXPECT_EQ(r.error_code, 0u);
}

TEST(ServerHttp2, ResetStreamMarksSinkClosed) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/hold", "");
  std::shared_ptr<ResponseSink> sink;
  ASSERT_TRUE(c.run_until([&] {
    std::lock_guard lock(srv.mu);
    sink = srv.held;
    return sink != nullptr && c.response(id).status == 200;
  }));
  EXPECT_FALSE(sink->closed());
  c.reset(id);
  ASSERT_TRUE(c.run_until([&] { return sink->closed(); }));
  sink->write_chunk("dropped");
  sink->end_stream();
  // The connection carries on.
  int32_t next = c.submit("GET", "/echo");
  ASSERT_TRUE(c.wait(next));
  EXPECT_EQ(c.response(next).status, 200);
}

TEST(ServerHttp2, BodyOverLimitIs413OnThatStream) {
  ServerOptions o;
  o.max_body_bytes = 100;
  H2Server srv(o);
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/echo", std::string(150, 'b'));
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).status, 413);
  EXPECT_EQ(c.response(id).body, "Payload Too Large: Request body of 150 bytes exceeds the limit of 100 bytes.\n");
  int32_t ok = c.submit("POST", "/echo", "small");
  ASSERT_TRUE(c.wait(ok));
  EXPECT_EQ(c.response(ok).status, 200);
  std::lock_guard lock(srv.mu);
  EXPECT_EQ(srv.seen.size(), 1u);
}

TEST(ServerHttp2, OptionsAnsweredWithoutHandler) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id =
      c.submit("OPTIONS", "/", "", {{"origin", "http://x"}, {"access-control-request-headers", "x-amz-target"}});
  ASSERT_TRUE(c.wait(id));
  auto& r = c.response(id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["access-control-allow-headers"], "x-amz-target");
  EXPECT_EQ(r.headers["access-control-allow-methods"], "GET,POST,PUT,DELETE,OPTIONS");
  EXPECT_EQ(r.headers["access-control-max-age"], "172800");
  std::lock_guard lock(srv.mu);
  EXPECT_TRUE(srv.seen.empty());
}

TEST(ServerHttp2, GarbageAfterPrefaceClosesConnection) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  ASSERT_TRUE(s.write(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string(64, '\xff')));
  EXPECT_TRUE(s.closed_by_peer(3000));
}

TEST(ServerHttp2, StopSendsGoawayAfterInFlightStream) {
  H2Server srv;
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/slow", "z");
  ASSERT_TRUE(c.run_until([&] {
    std::lock_guard lock(srv.mu);
    return !srv.seen.empty();
  }));
  std::thread stopper([&] { srv.server().stop(); });
  bool done = c.wait(id);
  stopper.join();
  ASSERT_TRUE(done);
  EXPECT_EQ(c.response(id).body, "slow:z");
}

// ---- TLS ----

class ServerTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("runnel-tls-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(write_self_signed(cert(), key()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string cert() const { return (dir_ / "cert.pem").string(); }
  std::string key() const { return (dir_ / "key.pem").string(); }
  ServerOptions options() const {
    ServerOptions o;
    o.tls_cert_file = cert();
    o.tls_key_file = key();
    return o;
  }
  std::filesystem::path dir_;
};

TEST_F(ServerTls, AlpnH2) {
  H2Server srv(options());
  ASSERT_NE(srv.server().bound_tls_port(), 0);
  std::string alpn("\x02h2\x08http/1.1", 12);
  TestSocket s(srv.server().bound_tls_port(), &alpn);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.alpn(), "h2");
  H2Client c(s);
  int32_t id = c.submit("POST", "/echo", "secret");
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).body, "POST /echo?|example.test:4567|secret");
  int32_t stream = c.submit("POST", "/stream", "");
  ASSERT_TRUE(c.wait(stream));
  EXPECT_EQ(c.response(stream).body, "onetwothree");
}

TEST_F(ServerTls, AlpnHttp11AndNoAlpnServeHttp1) {
  H2Server srv(options());
  for (std::string alpn : {std::string("\x08http/1.1", 9), std::string()}) {
    TestSocket s(srv.server().bound_tls_port(), &alpn);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.alpn(), alpn.empty() ? "" : "http/1.1");
    ASSERT_TRUE(s.write("POST /echo HTTP/1.1\r\nHost: tls\r\nContent-Length: 2\r\n\r\nhi"));
    auto r = testing::read_response(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "POST /echo?|tls|hi");
  }
  // The plaintext port keeps working next to TLS.
  TestSocket plain(srv.server().bound_port());
  ASSERT_TRUE(plain.write("GET /echo HTTP/1.1\r\nHost: p\r\n\r\n"));
  auto r = testing::read_response(plain);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTls, BadCertificateFailsStart) {
  ServerOptions o = options();
  o.tls_cert_file = (dir_ / "missing.pem").string();
  o.host = "127.0.0.1";
  o.port = 0;
  Server server(o, [](HttpRequest, std::shared_ptr<ResponseSink>) {});
  Status s = server.start();
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("missing.pem"), std::string::npos);
}

// ---- a real client: curl, when it is built with HTTP/2 ----

std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

bool curl_has_http2() { return run_command("curl -V 2>/dev/null").find("HTTP2") != std::string::npos; }

TEST(CurlInterop, H2cPriorKnowledge) {
  if (!curl_has_http2()) GTEST_SKIP() << "curl without HTTP/2";
  H2Server srv;
  std::string out =
      run_command("curl -s -i --max-time 5 --http2-prior-knowledge --data-binary hello http://127.0.0.1:" +
                  std::to_string(srv.server().bound_port()) + "/echo?q=1 2>&1");
  EXPECT_NE(out.find("HTTP/2 200"), std::string::npos) << out;
  EXPECT_NE(out.find("POST /echo?q=1|127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE(out.find("|hello"), std::string::npos) << out;
}

TEST(CurlInterop, Http11KeepAliveReusesConnection) {
  if (!curl_has_http2()) GTEST_SKIP() << "curl without HTTP/2";
  H2Server srv;
  std::string url = "http://127.0.0.1:" + std::to_string(srv.server().bound_port()) + "/echo";
  std::string out = run_command("curl -sv --max-time 5 --http1.1 " + url + " " + url + " 2>&1");
  EXPECT_NE(out.find("Re-using existing connection"), std::string::npos) << out;
  size_t first = out.find("HTTP/1.1 200 OK");
  ASSERT_NE(first, std::string::npos) << out;
  EXPECT_NE(out.find("HTTP/1.1 200 OK", first + 1), std::string::npos) << out;
}

TEST_F(ServerTls, CurlNegotiatesH2) {
  if (!curl_has_http2()) GTEST_SKIP() << "curl without HTTP/2";
  H2Server srv(options());
  std::string out = run_command("curl -sk -i --max-time 5 --http2 https://127.0.0.1:" +
                                std::to_string(srv.server().bound_tls_port()) + "/echo 2>&1");
  EXPECT_NE(out.find("HTTP/2 200"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /echo?|127.0.0.1:"), std::string::npos) << out;
}

// net/ wrote AWS JSON 1.1 errors itself (issue 15): on HTTP/2 too, a body
// too large and an abandoned request are reported to the hook with the
// stream's head, and its answer is sent on that stream.
TEST(ServerHttp2, BodyOverLimitIsAnsweredByTheTransportErrorHook) {
  testing::TransportErrorRecorder recorder;
  ServerOptions o;
  o.max_body_bytes = 100;
  o.transport_error = recorder.hook();
  H2Server srv(o);
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/echo", std::string(150, 'b'), {{"x-probe", "rpcv2"}});
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).status, 413);
  EXPECT_EQ(c.response(id).body, "hook:0:150/100");
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/echo");
  EXPECT_EQ(seen[0].probe, "rpcv2");
  EXPECT_EQ(seen[0].error.limit, 100u);
}

TEST(ServerHttp2, DroppedSinkIsAnsweredByTheHookFromTheStreamsHead) {
  testing::TransportErrorRecorder recorder;
  ServerOptions o;
  o.transport_error = recorder.hook();
  H2Server srv(o);
  TestSocket s(srv.server().bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/drop", "x", {{"x-probe", "h2drop"}});
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).status, 500);
  EXPECT_EQ(c.response(id).body, "hook:2:0/0");
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/drop");
  EXPECT_EQ(seen[0].probe, "h2drop");
  EXPECT_EQ(seen[0].error.kind, TransportErrorKind::kAbandoned);
}

}  // namespace
}  // namespace runnel::net

namespace runnel::net {
namespace {

// Server::stats(): open connections by kind, counted once the protocol is
// known and uncounted when the connection closes (the /metrics gauges).
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 300 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST_F(ServerTls, StatsCountOpenConnectionsByKind) {
  H2Server srv(options());
  auto open = [&](ConnectionKind k) { return srv.server().stats().of(k); };
  {
    TestSocket plain(srv.server().bound_port());
    ASSERT_TRUE(plain.write("GET /echo HTTP/1.1\r\nHost: p\r\n\r\n"));
    ASSERT_TRUE(testing::read_response(plain));
    TestSocket h2c_socket(srv.server().bound_port());
    H2Client h2c(h2c_socket);
    ASSERT_TRUE(h2c.wait(h2c.submit("POST", "/echo", "x")));
    std::string h2_alpn("\x02h2", 3);
    TestSocket tls_h2_socket(srv.server().bound_tls_port(), &h2_alpn);
    H2Client tls_h2(tls_h2_socket);
    ASSERT_TRUE(tls_h2.wait(tls_h2.submit("POST", "/echo", "y")));
    std::string h1_alpn("\x08http/1.1", 9);
    TestSocket tls_h1(srv.server().bound_tls_port(), &h1_alpn);
    ASSERT_TRUE(tls_h1.write("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(testing::read_response(tls_h1));
    TestSocket tls_h1_again(srv.server().bound_tls_port(), &h1_alpn);
    ASSERT_TRUE(tls_h1_again.write("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(testing::read_response(tls_h1_again));

    EXPECT_EQ(open(ConnectionKind::kHttp1), 1u);
    EXPECT_EQ(open(ConnectionKind::kH2c), 1u);
    EXPECT_EQ(open(ConnectionKind::kTlsH2), 1u);
    EXPECT_EQ(open(ConnectionKind::kTlsHttp1), 2u);
  }
  // Closed by the clients: every count goes back to zero.
  EXPECT_TRUE(eventually([&] {
    ConnectionStats s = srv.server().stats();
    return s.of(ConnectionKind::kHttp1) + s.of(ConnectionKind::kH2c) + s.of(ConnectionKind::kTlsH2) +
               s.of(ConnectionKind::kTlsHttp1) ==
           0;
  }));
}

TEST(ServerStats, ZeroBeforeStart) {
  Server s(ServerOptions{}, [](HttpRequest, std::shared_ptr<ResponseSink>) {});
  EXPECT_EQ(s.stats().of(ConnectionKind::kHttp1), 0u);
}

}  // namespace
}  // namespace runnel::net
