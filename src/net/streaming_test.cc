// Streamed (event-stream) responses over real sockets: unsent_bytes()
// accounting against clients that do not read (HTTP/1.1) or grant no window
// (HTTP/2), client disconnects, many streams on one HTTP/2 connection, h2
// over TLS, HTTP/1.1 framing choices, and Server::stop() with streams open.
#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <filesystem>
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

constexpr size_t kChunk = 64 << 10;

// /hold?TAG  begins an event stream and parks its sink under TAG; the test writes to it.
// /early     begins an event stream, then (before returning) has another
//            thread write "one", "two" and end it: that thread's posts reach
//            the connection ahead of the begin, which waits in asio's
//            thread-private queue until the handler returns.
// other      answers "echo:<body>" at once.
class StreamServer {
 public:
  explicit StreamServer(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<Server>(o, [this](HttpRequest r, std::shared_ptr<ResponseSink> sink) {
      if (r.path == "/hold") {
        sink->begin_stream(200, {{"Content-Type", "application/vnd.amazon.eventstream"}});
        std::lock_guard lock(mu_);
        sinks_[r.query] = std::move(sink);
      } else if (r.path == "/early") {
        sink->begin_stream(200, {{"Content-Type", "text/plain"}});
        std::thread producer([sink] {
          sink->write_chunk("one");
          sink->write_chunk("two");
          sink->end_stream();
        });
        producer.join();
      } else {
        sink->send({200, {}, "echo:" + r.body});
      }
    });
    Status s = server_->start();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }
  ~StreamServer() { server_->stop(); }

  Server& server() { return *server_; }
  uint16_t port() const { return server_->bound_port(); }

  // The sink parked under `tag`, or nullptr.
  std::shared_ptr<ResponseSink> sink(const std::string& tag) {
    std::lock_guard lock(mu_);
    auto it = sinks_.find(tag);
    return it == sinks_.end() ? nullptr : it->second;
  }
  // Waits up to 3 s for the sink parked under `tag`.
  std::shared_ptr<ResponseSink> wait_sink(const std::string& tag) {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto s = sink(tag)) return s;
      std::this_thread::sleep_for(5ms);
    }
    return nullptr;
  }

 private:
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ResponseSink>> sinks_;
};

template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds timeout = 3000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// unsent_bytes() once it has stopped changing for `quiet`.
uint64_t settled_unsent(const ResponseSink& sink, std::chrono::milliseconds quiet = 300ms) {
  uint64_t last = sink.unsent_bytes();
  auto stable_since = std::chrono::steady_clock::now();
  auto deadline = stable_since + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    uint64_t now = sink.unsent_bytes();
    if (now != last) {
      last = now;
      stable_since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - stable_since >= quiet) {
      break;
    }
  }
  return last;
}

std::string chunk_of(size_t i, size_t size = kChunk) { return std::string(size, static_cast<char>('a' + i % 26)); }

std::string post_hold(std::string_view tag, std::string_view extra = "", std::string_view version = "HTTP/1.1") {
  return "POST /hold?" + std::string(tag) + " " + std::string(version) + "\r\nHost: t\r\nContent-Length: 0\r\n" +
         std::string(extra) + "\r\n";
}

// Reads the response head of a /hold request; the inbox keeps what follows it.
bool read_head(TestSocket& c) {
  size_t end = c.fill_until("\r\n\r\n", 3000);
  if (end == std::string::npos) return false;
  c.inbox.erase(0, end);
  return true;
}

class StreamingTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("runnel-stream-tls-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(testing::write_self_signed((dir_ / "cert.pem").string(), (dir_ / "key.pem").string()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  ServerOptions options() const {
    ServerOptions o;
    o.tls_cert_file = (dir_ / "cert.pem").string();
    o.tls_key_file = (dir_ / "key.pem").string();
    return o;
  }
  std::filesystem::path dir_;
};

// ---- HTTP/1.1 ----

TEST(StreamingHttp1, UnsentBytesGrowWhileClientDoesNotReadAndDrainToZero) {
  StreamServer srv;
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("a")));
  ASSERT_TRUE(read_head(c));
  auto sink = srv.wait_sink("a");
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->unsent_bytes(), 0u);

  constexpr size_t kChunks = 1024;  // 64 MiB: far more than loopback socket buffers hold
  for (size_t i = 0; i < kChunks; ++i) sink->write_chunk(chunk_of(i));
  EXPECT_LE(sink->unsent_bytes(), kChunks * kChunk);
  uint64_t stuck = settled_unsent(*sink);
  EXPECT_GT(stuck, uint64_t{16} << 20);
  EXPECT_LT(stuck, kChunks * kChunk);  // some of it did reach the kernel
  EXPECT_FALSE(sink->closed());

  // The client reads everything; the count falls to 0 while the stream is still open.
  const size_t framed = kChunks * (kChunk + 9);  // "10000\r\n" + payload + "\r\n"
  ASSERT_TRUE(c.fill(framed, 60000));
  EXPECT_TRUE(eventually([&] { return sink->unsent_bytes() == 0; }));
  EXPECT_FALSE(sink->closed());
  std::string_view in(c.inbox);
  for (size_t i = 0; i < kChunks; ++i) {
    std::string_view frame = in.substr(i * (kChunk + 9), kChunk + 9);
    ASSERT_EQ(frame.substr(0, 7), "10000\r\n") << "chunk " << i;
    ASSERT_EQ(frame.substr(7, kChunk), chunk_of(i)) << "chunk " << i;
    ASSERT_EQ(frame.substr(7 + kChunk), "\r\n") << "chunk " << i;
  }
  sink->end_stream();
  ASSERT_TRUE(c.fill(framed + 5, 3000));
  EXPECT_EQ(c.inbox.substr(framed), "0\r\n\r\n");
  EXPECT_TRUE(eventually([&] { return sink->closed(); }));  // the exchange is over
  EXPECT_EQ(sink->unsent_bytes(), 0u);
}

// A producer that writes while unsent_bytes() is under a cap and otherwise
// waits for when_drained(): the whole stream arrives, in order, with memory
// bounded by the cap, and without polling.
class DrainPump : public std::enable_shared_from_this<DrainPump> {
 public:
  DrainPump(std::shared_ptr<ResponseSink> sink, size_t chunks) : sink_(std::move(sink)), chunks_(chunks) {}
  void run() {
    while (next_ < chunks_ && !sink_->closed()) {
      if (sink_->unsent_bytes() > kCap) {
        ++waits_;
        sink_->when_drained(kCap / 4, [self = shared_from_this()] { self->run(); });
        return;
      }
      sink_->write_chunk(chunk_of(next_++));
      max_unsent_ = std::max<uint64_t>(max_unsent_, sink_->unsent_bytes());
    }
    if (next_ == chunks_) sink_->end_stream();
    done_ = true;
  }
  static constexpr uint64_t kCap = 2 << 20;
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> max_unsent_{0};
  std::atomic<int> waits_{0};

 private:
  std::shared_ptr<ResponseSink> sink_;
  size_t chunks_;
  size_t next_ = 0;
};

TEST(StreamingHttp1, WhenDrainedResumesAPausedProducer) {
  StreamServer srv;
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("a")));
  ASSERT_TRUE(read_head(c));
  auto sink = srv.wait_sink("a");
  ASSERT_TRUE(sink);
  constexpr size_t kChunks = 512;  // 32 MiB
  auto pump = std::make_shared<DrainPump>(sink, kChunks);
  pump->run();
  EXPECT_FALSE(pump->done_.load());  // paused: the client has not read
  const size_t framed = kChunks * (kChunk + 9);
  ASSERT_TRUE(c.fill(framed + 5, 60000));
  EXPECT_TRUE(eventually([&] { return pump->done_.load(); }));
  EXPECT_GT(pump->waits_.load(), 0);
  EXPECT_LE(pump->max_unsent_.load(), DrainPump::kCap + kChunk);
  std::string_view in(c.inbox);
  for (size_t i = 0; i < kChunks; ++i) ASSERT_EQ(in.substr(i * (kChunk + 9) + 7, kChunk), chunk_of(i)) << "chunk " << i;
  EXPECT_EQ(in.substr(framed), "0\r\n\r\n");
}

TEST(StreamingHttp1, WhenDrainedRunsWhenThePeerGoes) {
  StreamServer srv;
  auto c = std::make_unique<TestSocket>(srv.port());
  ASSERT_TRUE(c->write(post_hold("a")));
  ASSERT_TRUE(read_head(*c));
  auto sink = srv.wait_sink("a");
  ASSERT_TRUE(sink);
  for (size_t i = 0; i < 256; ++i) sink->write_chunk(chunk_of(i));
  std::atomic<bool> ran{false};
  sink->when_drained(0, [&] { ran = true; });
  c.reset();
  EXPECT_TRUE(eventually([&] { return ran.load(); }));
  EXPECT_TRUE(sink->closed());
  // Already drained (closed): at once, on the caller's thread.
  bool now = false;
  sink->when_drained(0, [&] { now = true; });
  EXPECT_TRUE(now);
}

TEST_F(StreamingTls, Http1UnsentBytes) {
  StreamServer srv(options());
  std::string alpn("\x08http/1.1", 9);
  TestSocket c(srv.server().bound_tls_port(), &alpn);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.write(post_hold("t")));
  ASSERT_TRUE(read_head(c));
  auto sink = srv.wait_sink("t");
  ASSERT_TRUE(sink);
  constexpr size_t kChunks = 512;  // 32 MiB
  for (size_t i = 0; i < kChunks; ++i) sink->write_chunk(chunk_of(i));
  EXPECT_GT(settled_unsent(*sink), uint64_t{8} << 20);
  const size_t framed = kChunks * (kChunk + 9);
  ASSERT_TRUE(c.fill(framed, 60000));
  EXPECT_TRUE(eventually([&] { return sink->unsent_bytes() == 0; }));
  EXPECT_EQ(c.inbox.substr(framed - kChunk - 2, kChunk), chunk_of(kChunks - 1));
  sink->end_stream();
}

// The client closes its socket with our data unread (the kernel answers with
// a reset) while the stream is stuck behind a full socket buffer.
TEST(StreamingHttp1, ClientClosingWhileStreamIsStuckMarksSinkClosed) {
  StreamServer srv;
  std::shared_ptr<ResponseSink> sink;
  {
    TestSocket c(srv.port());
    ASSERT_TRUE(c.write(post_hold("x")));
    ASSERT_TRUE(read_head(c));
    sink = srv.wait_sink("x");
    ASSERT_TRUE(sink);
    for (size_t i = 0; i < 512; ++i) sink->write_chunk(chunk_of(i));
    EXPECT_GT(settled_unsent(*sink), 0u);
    EXPECT_FALSE(sink->closed());
  }
  EXPECT_TRUE(eventually([&] { return sink->closed(); }));
  EXPECT_EQ(sink->unsent_bytes(), 0u);
  sink->write_chunk("dropped");
  EXPECT_EQ(sink->unsent_bytes(), 0u);
  sink->end_stream();
}

// The client closes while we only write (nothing queued): the pending read sees EOF.
TEST(StreamingHttp1, ClientClosingIdleStreamMarksSinkClosed) {
  StreamServer srv;
  auto raw = std::make_unique<TestSocket>(srv.port());
  ASSERT_TRUE(raw->write(post_hold("y")));
  ASSERT_TRUE(read_head(*raw));
  auto sink = srv.wait_sink("y");
  ASSERT_TRUE(sink);
  sink->write_chunk("one");
  ASSERT_NE(raw->fill_until("one\r\n", 3000), std::string::npos);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(sink->closed());
  raw.reset();
  EXPECT_TRUE(eventually([&] { return sink->closed(); }));
}

// A peer that keeps the connection open but never reads cannot pin the
// queued bytes forever: a write pending for idle_timeout closes it.
TEST(StreamingHttp1, PeerThatStopsReadingIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout_ms = 300;
  StreamServer srv(o);
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("z")));
  ASSERT_TRUE(read_head(c));
  auto sink = srv.wait_sink("z");
  ASSERT_TRUE(sink);
  for (size_t i = 0; i < 512; ++i) sink->write_chunk(chunk_of(i));
  EXPECT_TRUE(eventually([&] { return sink->closed(); }, 5000ms));
  EXPECT_EQ(sink->unsent_bytes(), 0u);
}

// ...while a slow reader that keeps making progress is served to the end.
// (A write completes once the kernel wakes us for send-buffer space, which
// can take up to half a send buffer, ~2 MiB, of reading: hence 2 s here.)
TEST(StreamingHttp1, SlowReaderIsNotMistakenForAStalledOne) {
  ServerOptions o;
  o.idle_timeout_ms = 2000;
  StreamServer srv(o);
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("slow")));
  ASSERT_TRUE(read_head(c));
  auto sink = srv.wait_sink("slow");
  ASSERT_TRUE(sink);
  constexpr size_t kChunks = 128;  // 8 MiB
  for (size_t i = 0; i < kChunks; ++i) sink->write_chunk(chunk_of(i));
  sink->end_stream();
  const size_t framed = kChunks * (kChunk + 9) + 5;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (c.inbox.size() < framed && std::chrono::steady_clock::now() < deadline) {
    if (c.read_some(c.inbox, 1000) <= 0) break;
    std::this_thread::sleep_for(5ms);  // at most ~16 KiB per 5 ms
  }
  ASSERT_EQ(c.inbox.size(), framed);
  EXPECT_EQ(c.inbox.substr(framed - 5), "0\r\n\r\n");
}

TEST(StreamingHttp1, ConnectionCloseRequestGetsChunkedStreamThenClose) {
  StreamServer srv;
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("cc", "Connection: close\r\n")));
  auto sink = srv.wait_sink("cc");
  ASSERT_TRUE(sink);
  sink->write_chunk("ab");
  sink->write_chunk("cde");
  sink->end_stream();
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->chunks, (std::vector<std::string>{"ab", "cde"}));
  ASSERT_NE(r->header("connection"), nullptr);
  EXPECT_EQ(*r->header("connection"), "close");
  EXPECT_EQ(r->header("content-length"), nullptr);
  EXPECT_TRUE(c.closed_by_peer(2000));
}

TEST(StreamingHttp1, ChunksWrittenFromAnotherThreadBeforeTheBeginArriveInOrder) {
  StreamServer srv;
  TestSocket c(srv.port());
  for (int i = 0; i < 3; ++i) {  // the connection stays usable after each
    ASSERT_TRUE(c.write("GET /early HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto r = read_response(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->chunks, (std::vector<std::string>{"one", "two"}));
  }
}

TEST(StreamingHttp1, Http10RequestGetsCloseDelimitedStream) {
  StreamServer srv;
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("old", "", "HTTP/1.0")));
  auto sink = srv.wait_sink("old");
  ASSERT_TRUE(sink);
  sink->write_chunk("ab");
  sink->write_chunk("cde");
  EXPECT_TRUE(eventually([&] { return sink->unsent_bytes() == 0; }));
  sink->end_stream();
  auto r = read_response(c);  // reads the body until the server closes
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->chunked);
  EXPECT_EQ(r->header("transfer-encoding"), nullptr);
  EXPECT_EQ(r->header("content-length"), nullptr);
  ASSERT_NE(r->header("connection"), nullptr);
  EXPECT_EQ(*r->header("connection"), "close");
  EXPECT_EQ(r->body, "abcde");
}

TEST(StreamingHttp1, StopEndsOpenStreamPromptly) {
  StreamServer srv;
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("s")));
  auto sink = srv.wait_sink("s");
  ASSERT_TRUE(sink);
  sink->write_chunk("before");
  auto began = std::chrono::steady_clock::now();
  std::thread stopper([&] { srv.server().stop(); });
  auto r = read_response(c);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chunks, (std::vector<std::string>{"before"}));  // ended cleanly with the terminator
  EXPECT_TRUE(c.closed_by_peer(1000));
  EXPECT_TRUE(sink->closed());
  sink->write_chunk("after");  // harmless after stop
  EXPECT_EQ(sink->unsent_bytes(), 0u);
  sink->end_stream();
}

// A client that never reads cannot hold stop() beyond the drain timeout (~5 s).
TEST(StreamingHttp1, StopWithStuckStreamReturnsWithinDrainTimeout) {
  StreamServer srv;
  TestSocket c(srv.port());
  ASSERT_TRUE(c.write(post_hold("stuck")));
  auto sink = srv.wait_sink("stuck");
  ASSERT_TRUE(sink);
  for (size_t i = 0; i < 512; ++i) sink->write_chunk(chunk_of(i));
  EXPECT_GT(settled_unsent(*sink), 0u);
  auto began = std::chrono::steady_clock::now();
  srv.server().stop();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 8s);
  EXPECT_TRUE(sink->closed());
  EXPECT_EQ(sink->unsent_bytes(), 0u);
}

// ---- HTTP/2 ----

// Waits until the /hold stream `tag` has its sink and the client saw the response head.
std::shared_ptr<ResponseSink> open_h2_stream(StreamServer& srv, H2Client& c, int32_t id, const std::string& tag) {
  std::shared_ptr<ResponseSink> sink;
  bool ok = c.run_until([&] {
    if (!sink) sink = srv.sink(tag);
    return sink && c.response(id).status == 200;
  });
  return ok ? sink : nullptr;
}

// The client grants no WINDOW_UPDATE: the server may send 65 535 bytes and
// the rest of 1 MiB must stay counted; once the window opens it falls to 0.
void check_flow_control_backpressure(StreamServer& srv, TestSocket& s) {
  H2Client c(s, /*trickle_preface=*/false, /*manual_window=*/true);
  int32_t id = c.submit("POST", "/hold?fc");
  auto sink = open_h2_stream(srv, c, id, "fc");
  ASSERT_TRUE(sink);
  constexpr size_t kChunks = 16;
  constexpr uint64_t kTotal = kChunks * kChunk;
  constexpr uint64_t kWindow = 65535;
  for (size_t i = 0; i < kChunks; ++i) sink->write_chunk(chunk_of(i));
  ASSERT_TRUE(c.run_until([&] { return c.response(id).body.size() >= kWindow; }));
  c.run_until([] { return false; }, 200ms);  // nothing more may arrive
  EXPECT_EQ(c.response(id).body.size(), kWindow);
  EXPECT_TRUE(eventually([&] { return sink->unsent_bytes() == kTotal - kWindow; }))
      << "unsent_bytes() = " << sink->unsent_bytes();
  EXPECT_EQ(settled_unsent(*sink, 200ms), kTotal - kWindow);
  EXPECT_FALSE(sink->closed());

  // Opening the window lets the rest out; the count falls to 0 with the stream still open.
  ASSERT_TRUE(c.run_until(
      [&] {
        c.grant(id);  // a WINDOW_UPDATE goes out with the next pump
        return c.response(id).body.size() == kTotal;
      },
      10000ms));
  EXPECT_TRUE(eventually([&] { return sink->unsent_bytes() == 0; }));
  EXPECT_FALSE(sink->closed());
  std::string expected;
  for (size_t i = 0; i < kChunks; ++i) expected += chunk_of(i);
  EXPECT_TRUE(c.response(id).body == expected);
  sink->end_stream();
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).error_code, 0u);
  EXPECT_TRUE(eventually([&] { return sink->closed(); }));
}

TEST(StreamingHttp2, WhenDrainedResumesAProducerHeldByTheWindow) {
  StreamServer srv;
  TestSocket s(srv.port());
  H2Client c(s, false, /*manual_window=*/true);
  int32_t id = c.submit("POST", "/hold?h2", "");
  ASSERT_TRUE(c.run_until([&] { return srv.sink("h2") != nullptr; }));
  auto sink = srv.sink("h2");
  constexpr size_t kChunks = 128;  // 8 MiB
  auto pump = std::make_shared<DrainPump>(sink, kChunks);
  pump->run();
  c.run_until([] { return false; }, 300ms);
  EXPECT_FALSE(pump->done_.load());  // the window is shut
  ASSERT_TRUE(c.run_until(
      [&] {
        c.grant(id);
        return c.response(id).closed;
      },
      30000ms));
  EXPECT_TRUE(pump->done_.load());
  EXPECT_LE(pump->max_unsent_.load(), DrainPump::kCap + kChunk);
  std::string expected;
  for (size_t i = 0; i < kChunks; ++i) expected += chunk_of(i);
  EXPECT_TRUE(c.response(id).body == expected);
}

TEST(StreamingHttp2, ChunksWrittenFromAnotherThreadBeforeTheBeginArriveInOrder) {
  StreamServer srv;
  TestSocket s(srv.port());
  H2Client c(s, false);
  int32_t id = c.submit("GET", "/early");
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }));
  EXPECT_EQ(c.response(id).status, 200);
  EXPECT_EQ(c.response(id).body, "onetwo");
}

TEST(StreamingHttp2, FlowControlKeepsUnsentBytesHigh) {
  StreamServer srv;
  TestSocket s(srv.port());
  check_flow_control_backpressure(srv, s);
}

TEST_F(StreamingTls, H2FlowControlKeepsUnsentBytesHigh) {
  StreamServer srv(options());
  std::string alpn("\x02h2", 3);
  TestSocket s(srv.server().bound_tls_port(), &alpn);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s.alpn(), "h2");
  check_flow_control_backpressure(srv, s);
}

TEST_F(StreamingTls, H2StreamAlongsideRequests) {
  StreamServer srv(options());
  std::string alpn("\x02h2", 3);
  TestSocket s(srv.server().bound_tls_port(), &alpn);
  ASSERT_TRUE(s.ok());
  H2Client c(s);
  int32_t id = c.submit("POST", "/hold?tls");
  auto sink = open_h2_stream(srv, c, id, "tls");
  ASSERT_TRUE(sink);
  std::string expected;
  for (size_t i = 0; i < 8; ++i) {
    sink->write_chunk(chunk_of(i));
    expected += chunk_of(i);
    int32_t echo = c.submit("POST", "/echo", std::to_string(i));
    ASSERT_TRUE(c.wait(echo));
    EXPECT_EQ(c.response(echo).body, "echo:" + std::to_string(i));
  }
  sink->end_stream();
  ASSERT_TRUE(c.wait(id));
  EXPECT_TRUE(c.response(id).body == expected);
  EXPECT_EQ(c.response(id).error_code, 0u);
}

TEST(StreamingHttp2, ResetStreamWithHeldDataReleasesIt) {
  StreamServer srv;
  TestSocket s(srv.port());
  H2Client c(s, false, /*manual_window=*/true);
  int32_t id = c.submit("POST", "/hold?r");
  auto sink = open_h2_stream(srv, c, id, "r");
  ASSERT_TRUE(sink);
  for (size_t i = 0; i < 8; ++i) sink->write_chunk(chunk_of(i));
  ASSERT_TRUE(c.run_until([&] { return c.response(id).body.size() >= 65535; }));
  EXPECT_GT(sink->unsent_bytes(), 0u);
  c.reset(id);
  ASSERT_TRUE(c.run_until([&] { return sink->closed(); }));
  EXPECT_EQ(sink->unsent_bytes(), 0u);
  sink->write_chunk("dropped");
  EXPECT_EQ(sink->unsent_bytes(), 0u);
  // The connection-level window still holds the first stream's bytes; grant
  // them so the next response can flow.
  c.grant(id);
  int32_t next = c.submit("POST", "/echo", "still here");
  ASSERT_TRUE(c.wait(next));
  EXPECT_EQ(c.response(next).body, "echo:still here");
}

TEST(StreamingHttp2, ClientDisconnectMarksStreamsClosed) {
  StreamServer srv;
  std::shared_ptr<ResponseSink> held, quiet;
  {
    TestSocket s(srv.port());
    H2Client c(s, false, /*manual_window=*/true);
    int32_t a = c.submit("POST", "/hold?held");
    int32_t b = c.submit("POST", "/hold?quiet");
    held = open_h2_stream(srv, c, a, "held");
    quiet = open_h2_stream(srv, c, b, "quiet");
    ASSERT_TRUE(held && quiet);
    for (size_t i = 0; i < 8; ++i) held->write_chunk(chunk_of(i));
    ASSERT_TRUE(c.run_until([&] { return c.response(a).body.size() >= 65535; }));
    EXPECT_TRUE(eventually([&] { return held->unsent_bytes() == 8 * kChunk - 65535; }));
    EXPECT_FALSE(held->closed());
    EXPECT_FALSE(quiet->closed());
  }
  EXPECT_TRUE(eventually([&] { return held->closed() && quiet->closed(); }));
  EXPECT_EQ(held->unsent_bytes(), 0u);
}

// One long-lived stream keeps producing while other requests come and go on
// the same connection.
TEST(StreamingHttp2, LongStreamDoesNotHoldUpOtherRequests) {
  StreamServer srv;
  TestSocket s(srv.port());
  H2Client c(s);
  int32_t id = c.submit("POST", "/hold?long");
  auto sink = open_h2_stream(srv, c, id, "long");
  ASSERT_TRUE(sink);
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread producer([&] {
    while (!stop.load()) {
      sink->write_chunk("event" + std::to_string(written.load()) + ";");
      ++written;
      std::this_thread::sleep_for(2ms);
    }
    sink->end_stream();
  });
  std::vector<int32_t> echoes;
  for (int i = 0; i < 40; ++i) echoes.push_back(c.submit("POST", "/echo", "r" + std::to_string(i)));
  bool all = c.run_until([&] {
    for (int32_t e : echoes)
      if (!c.response(e).closed) return false;
    return true;
  });
  bool stream_open_meanwhile = !c.response(id).closed;
  stop = true;
  producer.join();
  ASSERT_TRUE(all);
  EXPECT_TRUE(stream_open_meanwhile);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(c.response(echoes[i]).body, "echo:r" + std::to_string(i));
  ASSERT_TRUE(c.wait(id));
  std::string expected;
  for (int i = 0; i < written.load(); ++i) expected += "event" + std::to_string(i) + ";";
  EXPECT_EQ(c.response(id).body, expected);
  EXPECT_EQ(c.response(id).error_code, 0u);
}

TEST(StreamingHttp2, ManyConcurrentStreamsOnOneConnection) {
  StreamServer srv;
  TestSocket s(srv.port());
  H2Client c(s);
  constexpr int kStreams = 100, kRounds = 20;
  std::vector<int32_t> ids;
  for (int i = 0; i < kStreams; ++i) ids.push_back(c.submit("POST", "/hold?m" + std::to_string(i)));
  std::vector<std::shared_ptr<ResponseSink>> sinks(kStreams);
  ASSERT_TRUE(c.run_until([&] {
    for (int i = 0; i < kStreams; ++i) {
      if (!sinks[i]) sinks[i] = srv.sink("m" + std::to_string(i));
      if (!sinks[i] || c.response(ids[i]).status != 200) return false;
    }
    return true;
  }));
  auto piece = [](int stream, int round) {
    return std::to_string(stream) + "/" + std::to_string(round) + ":" + std::string(1000, char('A' + round)) + ";";
  };
  std::thread producer([&] {
    for (int round = 0; round < kRounds; ++round)
      for (int i = 0; i < kStreams; ++i) sinks[i]->write_chunk(piece(i, round));
    for (auto& sink : sinks) sink->end_stream();
  });
  bool all = c.run_until(
      [&] {
        for (int32_t id : ids)
          if (!c.response(id).closed) return false;
        return true;
      },
      15000ms);
  producer.join();
  ASSERT_TRUE(all);
  for (int i = 0; i < kStreams; ++i) {
    std::string expected;
    for (int round = 0; round < kRounds; ++round) expected += piece(i, round);
    EXPECT_TRUE(c.response(ids[i]).body == expected) << "stream " << i;
    EXPECT_EQ(c.response(ids[i]).error_code, 0u);
    EXPECT_EQ(sinks[i]->unsent_bytes(), 0u);
  }
}

TEST(StreamingHttp2, StopEndsOpenStreamsPromptly) {
  StreamServer srv;
  TestSocket s(srv.port());
  H2Client c(s);
  std::vector<int32_t> ids;
  std::vector<std::shared_ptr<ResponseSink>> sinks;
  for (int i = 0; i < 3; ++i) {
    std::string tag = "stop" + std::to_string(i);
    ids.push_back(c.submit("POST", "/hold?" + tag));
    sinks.push_back(open_h2_stream(srv, c, ids.back(), tag));
    ASSERT_TRUE(sinks.back());
    sinks.back()->write_chunk("data" + std::to_string(i));
  }
  auto began = std::chrono::steady_clock::now();
  std::thread stopper([&] { srv.server().stop(); });
  bool ended = c.run_until([&] {
    for (int32_t id : ids)
      if (!c.response(id).closed) return false;
    return true;
  });
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
  ASSERT_TRUE(ended);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.response(ids[i]).body, "data" + std::to_string(i));
    EXPECT_EQ(c.response(ids[i]).error_code, 0u);  // ended with END_STREAM, not reset
    EXPECT_TRUE(sinks[i]->closed());
    sinks[i]->write_chunk("after");
    EXPECT_EQ(sinks[i]->unsent_bytes(), 0u);
  }
  EXPECT_TRUE(c.goaway_received());
}

}  // namespace
}  // namespace runnel::net
