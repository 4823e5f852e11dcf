// End-to-end tests of Server over real sockets, HTTP/1.1 side. HTTP/2 and TLS
// are in http2_test.cc.
#include "net/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>

#include "net/test_socket.h"
#include "net/test_transport_errors.h"

namespace runnel::net {
namespace {

using testing::read_response;
using testing::TestSocket;
using namespace std::chrono_literals;

// Routes by path:
//   /echo    answers "<method> <path>?<query>|<host header>|<body>" at once
//   /thread  answers the same from another thread, 50 ms later
//   /stream  event stream of "one", "two", "three" written from another thread
//   /hold    begins a stream and parks the sink in held_sink (for closed())
//   /drop    drops the sink without answering
//   /slow    answers after 300 ms from another thread
//   /rid     sets its own x-amzn-RequestId
class EchoServer {
 public:
  explicit EchoServer(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.threads == 0) o.threads = 2;
    server_ = std::make_unique<Server>(
        o, [this](HttpRequest r, std::shared_ptr<ResponseSink> sink) { handle(std::move(r), std::move(sink)); });
    Status s = server_->start();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  ~EchoServer() {
    server_->stop();
    for (auto& t : threads_) t.join();
  }

  uint16_t port() const { return server_->bound_port(); }
  Server& server() { return *server_; }

  std::atomic<int> calls{0};
  std::mutex mu;
  std::shared_ptr<ResponseSink> held_sink;

  static std::string describe(const HttpRequest& r) {
    const std::string* host = r.header("host");
    return r.method + " " + r.path + "?" + r.query + "|" + (host ? *host : "-") + "|" + r.body;
  }

 private:
  void later(std::function<void()> fn) {
    std::lock_guard lock(threads_mu_);
    threads_.emplace_back(std::move(fn));
  }

  void handle(HttpRequest r, std::shared_ptr<ResponseSink> sink) {
    ++calls;
    if (r.path == "/echo") {
      sink->send({200, {{"Content-Type", "text/plain"}}, describe(r)});
    } else if (r.path == "/thread" || r.path == "/slow") {
      auto delay = r.path == "/slow" ? 300ms : 50ms;
      later([sink, delay, text = describe(r)] {
        std::this_thread::sleep_for(delay);
        sink->send({200, {}, text});
      });
    } else if (r.path == "/stream") {
      later([sink] {
        sink->begin_stream(200, {{"Content-Type", "application/vnd.amazon.eventstream"}});
        for (const char* part : {"one", "two", "three"}) {
          std::this_thread::sleep_for(10ms);
          sink->write_chunk(part);
        }
        sink->end_stream();
      });
    } else if (r.path == "/hold") {
      sink->begin_stream(200, {});
      sink->write_chunk("first");
      std::lock_guard lock(mu);
      held_sink = sink;
    } else if (r.path == "/drop") {
      // The sink goes out of scope unanswered.
    } else if (r.path == "/rid") {
      sink->send({200, {{"x-amzn-RequestId", "fixed-id"}}, "x"});
    } else {
      sink->send({404, {}, "no such path"});
    }
  }

  std::unique_ptr<Server> server_;
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
};

std::string post(std::string_view path, std::string_view body, std::string_view extra = "") {
  return std::string("POST ") + std::string(path) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + std::string(extra) +
         "\r\n" + std::string(body);
}

void expect_standard_headers(const testing::TestResponse& r) {
  ASSERT_NE(r.header("access-control-allow-origin"), nullptr);
  EXPECT_EQ(*r.header("access-control-allow-origin"), "*");
  ASSERT_NE(r.header("access-control-expose-headers"), nullptr);
  EXPECT_EQ(*r.header("access-control-expose-headers"),
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-request-id,x-amz-id-2,Date");
  ASSERT_NE(r.header("x-amzn-requestid"), nullptr);
  EXPECT_TRUE(std::regex_match(*r.header("x-amzn-requestid"),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << *r.header("x-amzn-requestid");
  ASSERT_NE(r.header("date"), nullptr);
  EXPECT_TRUE(std::regex_match(*r.header("date"), std::regex("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} "
                                                             "\\d\\d:\\d\\d:\\d\\d GMT")));
}

TEST(ServerHttp1, KeepAliveServesTwoRequestsOnOneConnection) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.write(post("/echo?a=1", "first")));
  auto r1 = read_response(s);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "POST /echo?a=1|test|first");
  EXPECT_EQ(*r1->header("content-length"), "25");
  EXPECT_EQ(r1->header("connection"), nullptr);
  expect_standard_headers(*r1);

  ASSERT_TRUE(s.write("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto r2 = read_response(s);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "GET /echo?|test|");
  EXPECT_NE(*r1->header("x-amzn-requestid"), *r2->header("x-amzn-requestid"));
  EXPECT_EQ(srv.calls.load(), 2);
}

TEST(ServerHttp1, PipelinedRequestsAnsweredInOrder) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/thread", "a") + post("/echo", "b") + post("/thread", "c")));
  for (const char* want : {"POST /thread?|test|a", "POST /echo?|test|b", "POST /thread?|test|c"}) {
    auto r = read_response(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
}

// Regression: the read buffer was rewound while a read into it was pending
// (after the last pipelined request was answered), corrupting the next request.
TEST(ServerHttp1, PipelinedThenMoreRequestsOnSameConnection) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/thread", "a") + post("/thread", "b")));
  for (const char* want : {"POST /thread?|test|a", "POST /thread?|test|b"}) {
    auto r = read_response(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(s.write(post("/echo", "next" + std::to_string(i))));
    auto r = read_response(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /echo?|test|next" + std::to_string(i));
  }
}

TEST(ServerHttp1, LargeBodyInSmallPieces) {
  EchoServer srv;
  TestSocket s(srv.port());
  std::string body(3 << 20, 'q');
  for (size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + (i / 4096) % 26);
  std::string req = post("/echo", body);
  ASSERT_TRUE(s.write(req.substr(0, 100)));
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(s.write(req.substr(100)));
  auto r = read_response(s, 10000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /echo?|test|" + body);
}

TEST(ServerHttp1, ConnectionCloseIsHonoured) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/echo", "x", "Connection: close\r\n")));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->header("connection"), "close");
  EXPECT_TRUE(s.closed_by_peer(2000));
}

TEST(ServerHttp1, Http10ClosesAfterResponse) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("GET /echo HTTP/1.0\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /echo?|-|");
  EXPECT_TRUE(s.closed_by_peer(2000));
}

TEST(ServerHttp1, CompletionFromAnotherThread) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/thread", "later")));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /thread?|test|later");
}

TEST(ServerHttp1, ChunkedRequestBody) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(
      s.write("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /echo?|h|abcde");
}

TEST(ServerHttp1, BodyOverLimitIs413AndCloses) {
  ServerOptions o;
  o.max_body_bytes = 16;
  EchoServer srv(o);
  TestSocket s(srv.port());
  // Only the head: the server must answer without waiting for the body.
  ASSERT_TRUE(s.write("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  // Without a transport_error hook, net/ answers in plain text: it writes no AWS error.
  EXPECT_EQ(r->body, "Payload Too Large: Request body of 30 bytes exceeds the limit of 16 bytes.\n");
  EXPECT_EQ(*r->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->header("x-amzn-errortype"), nullptr);
  EXPECT_EQ(*r->header("connection"), "close");
  expect_standard_headers(*r);
  EXPECT_TRUE(s.closed_by_peer(4000));
  EXPECT_EQ(srv.calls.load(), 0);
}

// net/ wrote AWS JSON 1.1 errors itself, whatever protocol the request spoke
// (issue 15): it now reports the error with the request's head and sends
// whatever the hook (the protocol layer) answers.
TEST(ServerHttp1, BodyOverLimitIsAnsweredByTheTransportErrorHook) {
  testing::TransportErrorRecorder recorder;
  ServerOptions o;
  o.max_body_bytes = 16;
  o.transport_error = recorder.hook();
  EchoServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("POST /echo HTTP/1.1\r\nHost: h\r\nx-probe: json10\r\nContent-Length: 30\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "hook:0:30/16");
  EXPECT_EQ(*r->header("connection"), "close");
  expect_standard_headers(*r);
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/echo");
  EXPECT_EQ(seen[0].probe, "json10");
  EXPECT_EQ(seen[0].error.kind, TransportErrorKind::kBodyTooLarge);
  EXPECT_EQ(seen[0].error.body_bytes, 30u);
  EXPECT_EQ(seen[0].error.limit, 16u);
}

TEST(ServerHttp1, ChunkedBodyOverLimitIsReportedWithItsHead) {
  testing::TransportErrorRecorder recorder;
  ServerOptions o;
  o.max_body_bytes = 16;
  o.transport_error = recorder.hook();
  EchoServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(
      s.write("POST /echo HTTP/1.1\r\nHost: h\r\nx-probe: c\r\nTransfer-Encoding: chunked\r\n\r\n"
              "10\r\n0123456789abcdef\r\n1\r\nx\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, "hook:0:17/16");
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].probe, "c");
}

TEST(ServerHttp1, ChunkedBodyOverLimitIs413) {
  ServerOptions o;
  o.max_body_bytes = 16;
  EchoServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(
      s.write("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              "10\r\n0123456789abcdef\r\n1\r\nx\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("Request body of 17 bytes exceeds the limit of 16 bytes."), std::string::npos);
}

TEST(ServerHttp1, MalformedRequestIs400AndCloses) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("HELLO THERE\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(*r->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_NE(r->header("x-amzn-requestid"), nullptr);
  EXPECT_TRUE(s.closed_by_peer(4000));
}

TEST(ServerHttp1, HugeHeadersAre431) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  EchoServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("GET /echo HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(s.closed_by_peer(4000));
}

// RFC 9112 6.1 (issue 14): answered, then closed, though it asked for keep-alive.
TEST(ServerHttp1, Http10WithTransferEncodingIsAnsweredThenClosed) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(
      s.write("POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\nhi\r\n0\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /echo?|-|hi");
  ASSERT_NE(r->header("connection"), nullptr);
  EXPECT_EQ(*r->header("connection"), "close");
  EXPECT_TRUE(s.closed_by_peer(2000));
}

TEST(ServerHttp1, MissingOrRepeatedHostIs400) {
  EchoServer srv;
  for (std::string_view head : {"GET /echo HTTP/1.1\r\n\r\n", "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    TestSocket s(srv.port());
    ASSERT_TRUE(s.write(head));
    auto r = read_response(s);
    ASSERT_TRUE(r) << head;
    EXPECT_EQ(r->status, 400) << head;
    EXPECT_TRUE(s.closed_by_peer(4000));
  }
  EXPECT_EQ(srv.calls.load(), 0);
}

// A bare LF never ends a line, so such a head never completed: the client
// waited for the idle timeout (issue 14). Now it is a 400 at once.
TEST(ServerHttp1, BareLineFeedIs400AtOnce) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("GET /echo HTTP/1.1\nHost: t\n\n"));
  auto r = read_response(s, 2000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("CRLF"), std::string::npos) << r->body;
}

TEST(ServerHttp1, OptionsPreflightAnsweredWithoutHandler) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(
      s.write("OPTIONS / HTTP/1.1\r\nHost: h\r\nOrigin: http://x\r\n"
              "Access-Control-Request-Method: POST\r\n"
              "Access-Control-Request-Headers: x-amz-target,content-type\r\n\r\n"
              "OPTIONS /other HTTP/1.1\r\nHost: h\r\nOrigin: http://x\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(*r->header("content-length"), "0");
  EXPECT_EQ(*r->header("access-control-allow-methods"), "POST");  // the asked method, reflected
  EXPECT_EQ(*r->header("access-control-allow-headers"), "x-amz-target,content-type");
  EXPECT_EQ(*r->header("access-control-max-age"), "172800");
  expect_standard_headers(*r);
  auto r2 = read_response(s);
  ASSERT_TRUE(r2);
  EXPECT_EQ(*r2->header("access-control-allow-headers"), "*");
  EXPECT_EQ(*r2->header("access-control-allow-methods"), "GET,POST,PUT,DELETE,OPTIONS");
  EXPECT_EQ(srv.calls.load(), 0);
}

// AWS answers an OPTIONS without Origin as it answers a GET (403 from the
// API layer), so only real preflights are net/'s to answer.
TEST(ServerHttp1, OptionsWithoutOriginGoesToTheHandler) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("OPTIONS / HTTP/1.1\r\nHost: h\r\n\r\n"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(srv.calls.load(), 1);
}

TEST(ServerHttp1, StreamedResponseIsChunked) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/stream", "")));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->header("content-length"), nullptr);
  EXPECT_EQ(*r->header("content-type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(r->chunks, (std::vector<std::string>{"one", "two", "three"}));
  expect_standard_headers(*r);
  // The connection stays usable.
  ASSERT_TRUE(s.write(post("/echo", "after")));
  auto r2 = read_response(s);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "POST /echo?|test|after");
}

TEST(ServerHttp1, ExpectContinueGets100First) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write("PUT /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = read_response(s);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(s.write("body"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "PUT /echo?|h|body");
}

TEST(ServerHttp1, DroppedSinkGives500) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/drop", "")));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "Internal Server Error: Internal Service Failure\n");
}

TEST(ServerHttp1, DroppedSinkIsAnsweredByTheHookFromTheRequestsHead) {
  testing::TransportErrorRecorder recorder;
  ServerOptions o;
  o.transport_error = recorder.hook();
  EchoServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/drop", "body", "x-probe: dropped\r\n")));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "hook:2:0/0");
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/drop");
  EXPECT_EQ(seen[0].probe, "dropped");
  EXPECT_EQ(seen[0].error.kind, TransportErrorKind::kAbandoned);
  // The connection goes on serving.
  ASSERT_TRUE(s.write(post("/echo", "next")));
  auto next = read_response(s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(ServerHttp1, HandlerRequestIdIsKept) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/rid", "")));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->count("x-amzn-requestid"), 1u);
  EXPECT_EQ(*r->header("x-amzn-requestid"), "fixed-id");
}

TEST(ServerHttp1, ClientGoingAwayMarksStreamClosed) {
  EchoServer srv;
  {
    TestSocket s(srv.port());
    ASSERT_TRUE(s.write(post("/hold", "")));
    ASSERT_NE(s.fill_until("first", 3000), std::string::npos);
  }
  std::shared_ptr<ResponseSink> sink;
  {
    std::lock_guard lock(srv.mu);
    sink = srv.held_sink;
  }
  ASSERT_TRUE(sink);
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!sink->closed() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(sink->closed());
  sink->write_chunk("ignored");  // must be harmless
  sink->end_stream();
}

TEST(ServerHttp1, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout_ms = 200;
  EchoServer srv(o);
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/echo", "x")));
  ASSERT_TRUE(read_response(s));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.closed_by_peer(3000));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(ServerHttp1, StopLetsInFlightRequestFinish) {
  EchoServer srv;
  TestSocket s(srv.port());
  ASSERT_TRUE(s.write(post("/slow", "x")));
  std::this_thread::sleep_for(50ms);  // the request is in the handler now
  auto began = std::chrono::steady_clock::now();
  std::thread stopper([&] { srv.server().stop(); });
  auto r = read_response(s);
  stopper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /slow?|test|x");
  EXPECT_EQ(*r->header("connection"), "close");
  EXPECT_LT(std::chrono::steady_clock::now() - began, 3s);
  TestSocket late(srv.port());
  EXPECT_FALSE(late.ok() && late.write(post("/echo", "x")) && read_response(late, 500));
}

TEST(ServerHttp1, StartFailsWhenPortIsTaken) {
  EchoServer first;
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = first.port();
  Server second(o, [](HttpRequest, std::shared_ptr<ResponseSink>) {});
  Status s = second.start();
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace runnel::net
