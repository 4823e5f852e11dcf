// Streamed request bodies (ServerOptions::stream_body, HttpRequest::body_stream)
// over real sockets: bodies larger than max_body_bytes, chunked bodies, flow
// control against a reader that does not consume (HTTP/1.1 stops reading the
// socket, HTTP/2 holds back WINDOW_UPDATE), answers given before the body
// ends, the idle deadline, keep-alive after a streamed body.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"

namespace runnel::net {
namespace {

using testing::H2Client;
using testing::read_response;
using testing::TestSocket;
using namespace std::chrono_literals;

// Collects one streamed body. Consumes what it gets unless held.
class Recorder : public BodyReader {
 public:
  Recorder(std::shared_ptr<RequestBody> body, std::shared_ptr<ResponseSink> sink, bool hold, bool answer_at_end)
      : body_(std::move(body)), sink_(std::move(sink)), hold_(hold), answer_at_end_(answer_at_end) {}

  void on_body_data(std::string_view bytes) override {
    std::lock_guard lock(mu_);
    data_.append(bytes);
    if (hold_)
      unconsumed_ += bytes.size();
    else
      body_->consume(bytes.size());
    cv_.notify_all();
  }
  void on_body_end(bool complete) override {
    {
      std::lock_guard lock(mu_);
      ended_ = true;
      complete_ = complete;
      cv_.notify_all();
    }
    if (answer_at_end_)
      sink_->send({complete ? 200 : 400, {}, std::to_string(size()) + (complete ? " complete" : " broken")});
  }

  // Gives back what was held and consumes from now on.
  void release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    body_->consume(unconsumed_);
    unconsumed_ = 0;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return data_.size();
  }
  std::string data() {
    std::lock_guard lock(mu_);
    return data_;
  }
  // Waits for the end; returns whether the body was complete (nullopt: no end in time).
  std::optional<bool> wait_end(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return ended_; })) return std::nullopt;
    return complete_;
  }
  // Waits until no byte has arrived for `quiet`; returns the size then.
  size_t wait_quiet(std::chrono::milliseconds quiet = 300ms) {
    size_t last = size();
    while (true) {
      std::this_thread::sleep_for(quiet);
      size_t now = size();
      if (now == last) return now;
      last = now;
    }
  }

 private:
  std::shared_ptr<RequestBody> body_;
  std::shared_ptr<ResponseSink> sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string data_;
  size_t unconsumed_ = 0;
  bool hold_;
  bool answer_at_end_;
  bool ended_ = false;
  bool complete_ = false;
};

// Paths under /stream are streamed: /stream answers at the body's end,
// /stream?hold holds the bytes until release(), /stream?early answers at
// once. Other paths are buffered and answer "buffered:<size>".
class BodyServer {
 public:
  explicit BodyServer(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.stream_body = [](const HttpRequest& head) { return head.path == "/stream"; };
    server_ = std::make_unique<Server>(o, [this](HttpRequest r, std::shared_ptr<ResponseSink> sink) {
      if (!r.body_stream) {
        sink->send({200, {}, "buffered:" + std::to_string(r.body.size())});
        return;
      }
      EXPECT_TRUE(r.body.empty());
      bool early = r.query == "early";
      auto rec = std::make_shared<Recorder>(r.body_stream, sink, r.query == "hold", !early);
      {
        std::lock_guard lock(mu_);
        recorders_.push_back(rec);
        declared_.push_back(r.body_stream->declared_length());
        cv_.notify_all();
      }
      r.body_stream->read(rec);
      if (early) sink->send({200, {}, "early"});
    });
    Status s = server_->start();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  ~BodyServer() { server_->stop(); }

  uint16_t port() const { return server_->bound_port(); }
  // The n-th streamed request's recorder, waiting for it to arrive.
  std::shared_ptr<Recorder> recorder(size_t n = 0) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 5s, [&] { return recorders_.size() > n; });
    return recorders_.size() > n ? recorders_[n] : nullptr;
  }
  int64_t declared(size_t n = 0) {
    std::lock_guard lock(mu_);
    return declared_.at(n);
  }

 private:
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Recorder>> recorders_;
  std::vector<int64_t> declared_;
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  return s;
}

std::string head(std::string_view path, size_t length) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

ServerOptions small_body_limit() {
  ServerOptions o;
  o.max_body_bytes = 64 << 10;
  return o;
}

TEST(StreamedBodyHttp1, BodyLargerThanMaxBodyBytesArrivesWhole) {
  BodyServer server(small_body_limit());
  TestSocket s(server.port());
  std::string body = pattern(3 << 20);
  ASSERT_TRUE(s.write(head("/stream", body.size()) + body));
  auto r = read_response(s, 10000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, std::to_string(body.size()) + " complete");
  EXPECT_TRUE(server.recorder()->data() == body);
  EXPECT_EQ(server.declared(), static_cast<int64_t>(body.size()));
}

TEST(StreamedBodyHttp1, BufferedPathsKeepTheLimit) {
  BodyServer server(small_body_limit());
  TestSocket s(server.port());
  std::string body = pattern(100 << 10);
  ASSERT_TRUE(s.write(head("/plain", body.size()) + body));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST(StreamedBodyHttp1, ChunkedBodyArrivesWithoutFraming) {
  BodyServer server(small_body_limit());
  TestSocket s(server.port());
  std::string body = pattern(200 << 10);
  std::string wire = "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += 30000) {
    std::string part = body.substr(at, 30000);
    char line[16];
    std::snprintf(line, sizeof line, "%zx\r\n", part.size());
    wire += line + part + "\r\n";
  }
  wire += "0\r\n\r\n";
  ASSERT_TRUE(s.write(wire));
  auto r = read_response(s, 10000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, std::to_string(body.size()) + " complete");
  EXPECT_TRUE(server.recorder()->data() == body);
  EXPECT_EQ(server.declared(), -1);
}

TEST(StreamedBodyHttp1, ConnectionIsKeptAliveAfterAStreamedBody) {
  BodyServer server;
  TestSocket s(server.port());
  for (int i = 0; i < 3; ++i) {
    std::string body = pattern(10000 + i);
    ASSERT_TRUE(s.write(head("/stream", body.size()) + body));
    auto r = read_response(s);
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, std::to_string(body.size()) + " complete");
  }
  ASSERT_TRUE(s.write(head("/plain", 5) + "hello"));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "buffered:5");
}

TEST(StreamedBodyHttp1, EmptyStreamedBodyEndsAtOnce) {
  BodyServer server;
  TestSocket s(server.port());
  ASSERT_TRUE(s.write(head("/stream", 0)));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "0 complete");
}

// The server reads at most the window (plus one read buffer) ahead of a
// reader that does not consume; once it consumes, the rest flows.
TEST(StreamedBodyHttp1, ReaderThatDoesNotConsumeStopsTheSocketReads) {
  ServerOptions o;
  o.stream_window_bytes = 256 << 10;
  BodyServer server(o);
  TestSocket s(server.port());
  std::string body = pattern(48 << 20);
  std::atomic<bool> written{false};
  std::thread writer([&] {
    s.write(head("/stream?hold", body.size()) + body);
    written = true;
  });
  auto rec = server.recorder();
  ASSERT_TRUE(rec);
  size_t held = rec->wait_quiet();
  EXPECT_LE(held, (256u << 10) + (1u << 20) + (64u << 10));  // window + the largest read buffer
  EXPECT_FALSE(written.load());                              // the sender is held back too
  rec->release();
  auto r = read_response(s, 30000);
  writer.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, std::to_string(body.size()) + " complete");
  EXPECT_TRUE(rec->data() == body);
}

TEST(StreamedBodyHttp1, AnswerBeforeTheBodyEndsClosesTheConnection) {
  BodyServer server;
  TestSocket s(server.port());
  ASSERT_TRUE(s.write(head("/stream?early", 1 << 20) + pattern(1000)));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "early");
  EXPECT_EQ(r->header("connection") ? *r->header("connection") : "", "close");
  auto rec = server.recorder();
  EXPECT_EQ(rec->wait_end(), std::optional<bool>(false));
  EXPECT_TRUE(s.closed_by_peer(3000));
}

TEST(StreamedBodyHttp1, BodyThatStopsArrivingBreaksAfterTheBodyTimeout) {
  ServerOptions o;
  o.body_timeout_ms = 300;
  BodyServer server(o);
  TestSocket s(server.port());
  ASSERT_TRUE(s.write(head("/stream", 1000) + pattern(10)));
  auto rec = server.recorder();
  EXPECT_EQ(rec->wait_end(), std::optional<bool>(false));
  auto r = read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, "10 broken");
}

TEST(StreamedBodyHttp1, PeerClosingMidBodyBreaksIt) {
  BodyServer server;
  auto s = std::make_unique<TestSocket>(server.port());
  ASSERT_TRUE(s->write(head("/stream", 1000) + pattern(10)));
  auto rec = server.recorder();
  ASSERT_TRUE(rec);
  s.reset();
  EXPECT_EQ(rec->wait_end(), std::optional<bool>(false));
}

TEST(StreamedBodyHttp2, BodyLargerThanMaxBodyBytesArrivesWhole) {
  BodyServer server(small_body_limit());
  TestSocket s(server.port());
  H2Client c(s);
  std::string body = pattern(5 << 20);
  int32_t id = c.submit("POST", "/stream", body, {{"content-length", std::to_string(body.size())}});
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }, 20s));
  EXPECT_EQ(c.response(id).status, 200);
  EXPECT_EQ(c.response(id).body, std::to_string(body.size()) + " complete");
  EXPECT_TRUE(server.recorder()->data() == body);
  EXPECT_EQ(server.declared(), static_cast<int64_t>(body.size()));
}

TEST(StreamedBodyHttp2, ReaderThatDoesNotConsumeHoldsTheStreamWindow) {
  BodyServer server;
  TestSocket s(server.port());
  H2Client c(s);
  std::string body = pattern(8 << 20);
  int32_t id = c.submit("POST", "/stream?hold", body);
  int32_t other = -1;
  // Pump for a while: the server grants no more than its 1 MiB stream window.
  c.run_until([] { return false; }, 800ms);
  auto rec = server.recorder();
  ASSERT_TRUE(rec);
  EXPECT_LE(rec->size(), 1u << 20);
  EXPECT_GT(rec->size(), 0u);
  // The connection window is given back at once: another stream still flows.
  other = c.submit("POST", "/plain", pattern(300 << 10));
  ASSERT_TRUE(c.run_until([&] { return c.response(other).closed; }, 5s))
      << c.response(other).status << " " << c.response(other).body << " held " << rec->size();
  EXPECT_EQ(c.response(other).body, "buffered:" + std::to_string(300 << 10));
  rec->release();
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }, 20s));
  EXPECT_EQ(c.response(id).body, std::to_string(body.size()) + " complete");
  EXPECT_TRUE(rec->data() == body);
}

TEST(StreamedBodyHttp2, AnswerBeforeTheBodyEndsResetsTheStreamWithNoError) {
  BodyServer server;
  TestSocket s(server.port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/stream?early", pattern(1000), {}, /*end_stream=*/false);
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }, 5s));
  EXPECT_EQ(c.response(id).status, 200);
  EXPECT_EQ(c.response(id).body, "early");
  EXPECT_EQ(server.recorder()->wait_end(), std::optional<bool>(false));
  // The connection serves on.
  int32_t next = c.submit("POST", "/plain", "abc");
  ASSERT_TRUE(c.run_until([&] { return c.response(next).closed; }, 5s));
  EXPECT_EQ(c.response(next).body, "buffered:3");
}

TEST(StreamedBodyHttp2, HeadersWithEndStreamGiveAnEmptyBody) {
  BodyServer server;
  TestSocket s(server.port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/stream");
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }, 5s));
  EXPECT_EQ(c.response(id).body, "0 complete");
  EXPECT_EQ(server.declared(), 0);
}

TEST(StreamedBodyHttp2, BodyThatStopsArrivingBreaksAfterTheBodyTimeout) {
  ServerOptions o;
  o.body_timeout_ms = 300;
  BodyServer server(o);
  TestSocket s(server.port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/stream", pattern(10), {}, /*end_stream=*/false);
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }, 5s));
  EXPECT_EQ(c.response(id).status, 400);
  EXPECT_EQ(c.response(id).body.substr(0, 9), "10 broken");
}

}  // namespace
}  // namespace runnel::net
