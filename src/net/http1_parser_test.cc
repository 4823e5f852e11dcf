#include "net/http1_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace runnel::net {
namespace {

using R = Http1Parser::Result;
using namespace std::string_literals;

// Feeds `input` in pieces of `step` bytes the way a connection does (keeping
// unconsumed bytes at the front) and collects the requests. Stops at an error.
struct Outcome {
  std::vector<HttpRequest> requests;
  std::vector<bool> keep_alive;
  bool error = false;
  Http1Error err;
  size_t leftover = 0;
  int continues = 0;
};

// Most cases here are about framing and leave Host out; Host has its own tests.
Http1Limits no_host_check() {
  Http1Limits l;
  l.require_host = false;
  return l;
}

Outcome run(std::string_view input, size_t step = SIZE_MAX, Http1Limits limits = no_host_check()) {
  Http1Parser p(limits);
  Outcome out;
  std::string buffered;
  size_t fed = 0;
  while (true) {
    size_t take = std::min(step, input.size() - fed);
    buffered.append(input.substr(fed, take));
    fed += take;
    while (true) {
      size_t consumed = 0;
      R r = p.feed(buffered, &consumed);
      buffered.erase(0, consumed);
      if (r == R::kNeedMore) break;
      if (r == R::kError) {
        out.error = true;
        out.err = p.error();
        return out;
      }
      if (r == R::kHeadersDone) {
        if (p.expects_continue()) ++out.continues;
        continue;
      }
      out.keep_alive.push_back(p.keep_alive());
      out.requests.push_back(p.take_request());
    }
    if (fed == input.size()) break;
  }
  out.leftover = buffered.size();
  return out;
}

TEST(Http1Parser, SimplePost) {
  auto o = run("POST /a/b?x=1&y HTTP/1.1\r\nHost: h\r\nX-Amz-Target: K.ListStreams\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_FALSE(o.error) << o.err.message;
  ASSERT_EQ(o.requests.size(), 1u);
  const HttpRequest& r = o.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/a/b");
  EXPECT_EQ(r.query, "x=1&y");
  EXPECT_EQ(r.body, "hello");
  ASSERT_NE(r.header("x-amz-target"), nullptr);
  EXPECT_EQ(*r.header("x-amz-target"), "K.ListStreams");
  EXPECT_EQ(r.headers[0].name, "host");
  EXPECT_FALSE(r.http2);
  EXPECT_TRUE(o.keep_alive[0]);
}

TEST(Http1Parser, ByteAtATimeGivesSameResult) {
  std::string req = "POST / HTTP/1.1\r\nA:  spaced value \t\r\nContent-Length: 3\r\n\r\nabc";
  auto o = run(req, 1);
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(*o.requests[0].header("a"), "spaced value");
  EXPECT_EQ(o.requests[0].body, "abc");
}

TEST(Http1Parser, PipelinedRequests) {
  std::string two =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"
      "GET /3 HTTP/1.1\r\nConnection: close\r\n\r\nGET /4";
  for (size_t step : {size_t{1}, size_t{7}, SIZE_MAX}) {
    auto o = run(two, step);
    ASSERT_FALSE(o.error);
    ASSERT_EQ(o.requests.size(), 3u) << "step " << step;
    EXPECT_EQ(o.requests[0].path, "/1");
    EXPECT_EQ(o.requests[1].body, "ok");
    EXPECT_EQ(o.requests[2].path, "/3");
    EXPECT_TRUE(o.keep_alive[1]);
    EXPECT_FALSE(o.keep_alive[2]);
    EXPECT_EQ(o.leftover, 6u);  // "GET /4" waits for more
  }
}

TEST(Http1Parser, ChunkedBodyWithExtensionsAndTrailers) {
  std::string req =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=val\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n"
      "GET /next HTTP/1.1\r\n\r\n";
  for (size_t step : {size_t{1}, size_t{3}, SIZE_MAX}) {
    auto o = run(req, step);
    ASSERT_FALSE(o.error) << o.err.message;
    ASSERT_EQ(o.requests.size(), 2u);
    EXPECT_EQ(o.requests[0].body, "helloabcdefghijklmnopqrstuvwxyz");
    EXPECT_EQ(o.requests[1].path, "/next");
  }
}

TEST(Http1Parser, KeepAliveRules) {
  EXPECT_FALSE(run("GET / HTTP/1.0\r\n\r\n").keep_alive[0]);
  EXPECT_TRUE(run("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive[0]);
  EXPECT_FALSE(run("GET / HTTP/1.1\r\nConnection: foo, CLOSE\r\n\r\n").keep_alive[0]);
  EXPECT_TRUE(run("GET / HTTP/1.1\r\n\r\n").keep_alive[0]);
}

TEST(Http1Parser, ExpectContinueReportedAtHeaders) {
  Http1Parser p(no_host_check());
  size_t consumed = 0;
  std::string head = "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
  ASSERT_EQ(p.feed(head, &consumed), R::kHeadersDone);
  EXPECT_EQ(consumed, head.size());
  EXPECT_TRUE(p.expects_continue());
  EXPECT_TRUE(p.has_body());
  EXPECT_EQ(p.feed("", &consumed), R::kNeedMore);
  EXPECT_EQ(p.feed("body", &consumed), R::kRequestDone);
  EXPECT_EQ(p.take_request().body, "body");
}

TEST(Http1Parser, LeadingEmptyLinesIgnoredAndAbsoluteFormAccepted) {
  auto o = run("\r\n\r\nGET http://example.com:80/p?q HTTP/1.1\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\n");
  ASSERT_EQ(o.requests.size(), 2u);
  EXPECT_EQ(o.requests[0].path, "/p");
  EXPECT_EQ(o.requests[0].query, "q");
  EXPECT_EQ(o.requests[1].path, "*");
}

TEST(Http1Parser, BodyOverLimitIs413BeforeBodyArrives) {
  Http1Limits l = no_host_check();
  l.max_body_bytes = 10;
  auto o = run("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", SIZE_MAX, l);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 413);
  EXPECT_EQ(o.err.body_bytes, 11u);
  EXPECT_FALSE(run("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", SIZE_MAX, l).error);
}

TEST(Http1Parser, ChunkedBodyOverLimitIs413) {
  Http1Limits l = no_host_check();
  l.max_body_bytes = 10;
  auto o =
      run("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nabcde\r\n0\r\n\r\n", SIZE_MAX, l);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 413);
  EXPECT_EQ(o.err.body_bytes, 11u);
}

TEST(Http1Parser, HeaderSectionOverLimitIs431) {
  Http1Limits l = no_host_check();
  l.max_header_bytes = 100;
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(200, 'a');
  auto o = run(big, 10, l);  // no terminator yet, but already too long
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 431);
  o = run("GET / HTTP/1.1\r\nX: " + std::string(90, 'a') + "\r\n\r\n", SIZE_MAX, l);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 431);
}

TEST(Http1Parser, TooManyHeadersIs431) {
  Http1Limits l = no_host_check();
  l.max_header_count = 5;
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 6; ++i) req += "h" + std::to_string(i) + ": v\r\n";
  auto o = run(req + "\r\n", SIZE_MAX, l);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 431);
}

TEST(Http1Parser, TrailersOverLimitAre431) {
  Http1Limits l = no_host_check();
  l.max_header_bytes = 64;
  std::string req = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 10; ++i) req += "t: 0123456789\r\n";
  auto o = run(req, 5, l);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 431);
}

struct Malformed {
  const char* name;
  std::string input;
  int status;
};

class Http1ParserMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(Http1ParserMalformed, Rejected) {
  for (size_t step : {size_t{1}, SIZE_MAX}) {
    auto o = run(GetParam().input, step);
    ASSERT_TRUE(o.error) << GetParam().name;
    EXPECT_EQ(o.err.status, GetParam().status) << GetParam().name << ": " << o.err.message;
    EXPECT_TRUE(o.requests.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, Http1ParserMalformed,
    ::testing::Values(
        Malformed{"NoVersion", "GET /\r\n\r\n", 400}, Malformed{"BadVersion", "GET / HTTX/1.1\r\n\r\n", 400},
        Malformed{"Http2InRequestLine", "GET / HTTP/2.0\r\n\r\n", 505},
        Malformed{"DoubleSpace", "GET  / HTTP/1.1\r\n\r\n", 400}, Malformed{"BadMethod", "G(T / HTTP/1.1\r\n\r\n", 400},
        Malformed{"RelativeTarget", "GET foo HTTP/1.1\r\n\r\n", 400},
        Malformed{"NulInValue", "GET / HTTP/1.1\r\nA: x\0y\r\n\r\n"s, 400},
        Malformed{"NulInTarget", "GET /\0 HTTP/1.1\r\n\r\n"s, 400},
        Malformed{"SpaceBeforeColon", "GET / HTTP/1.1\r\nA : b\r\n\r\n", 400},
        Malformed{"NoColon", "GET / HTTP/1.1\r\nAb\r\n\r\n", 400},
        Malformed{"ObsFold", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400},
        Malformed{"BareCrInValue", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400},
        Malformed{"NegativeLength", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
        Malformed{"OverflowingLength", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
        Malformed{"ConflictingLengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        Malformed{"LengthAndChunked",
                  "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        Malformed{"GzipCoding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        Malformed{"BadChunkSize", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        Malformed{"HugeChunkSize", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
                  400},
        Malformed{"ChunkTooLong", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400},
        // Bare line feeds are refused as they arrive, not once a CRLF CRLF
        // comes (which never did: the connection waited for the idle timeout).
        Malformed{"BareLfInRequestLine", "GET / HTTP/1.1\nHost: h\n", 400},
        Malformed{"BareLfInHeaders", "GET / HTTP/1.1\r\nHost: h\nX: y\n", 400}, Malformed{"BareLfOnly", "\n", 400},
        Malformed{"BareCrInRequestLine", "GET / HTTP/1.1\rHost: h", 400},
        Malformed{"BareLfAfterChunkSize", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\n", 400},
        Malformed{"BareLfInTrailers", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n", 400},
        Malformed{"ChunkLineTooLong", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1" + std::string(2000, ' '),
                  400}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Http1Parser, MissingHostOnHttp11Is400) {
  auto o = run("GET / HTTP/1.1\r\nX: y\r\n\r\n", SIZE_MAX, Http1Limits{});
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.err.status, 400);
  EXPECT_EQ(o.err.message, "Missing Host header");
  // HTTP/1.0 had no Host requirement.
  EXPECT_FALSE(run("GET / HTTP/1.0\r\n\r\n", SIZE_MAX, Http1Limits{}).error);
}

TEST(Http1Parser, TwoHostHeadersAre400) {
  for (std::string_view version : {"1.1", "1.0"}) {
    auto o = run("GET / HTTP/" + std::string(version) + "\r\nHost: a\r\nhost: b\r\n\r\n", SIZE_MAX, Http1Limits{});
    ASSERT_TRUE(o.error) << version;
    EXPECT_EQ(o.err.status, 400);
    EXPECT_EQ(o.err.message, "More than one Host header");
  }
}

// RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty
// framing; it is answered, then the connection closes, even when it asks to
// be kept alive.
TEST(Http1Parser, Http10WithTransferEncodingIsNotKeptAlive) {
  auto o = run("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_FALSE(o.error) << o.err.message;
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.requests[0].body, "abc");
  EXPECT_FALSE(o.keep_alive[0]);
  EXPECT_TRUE(run("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive[0]);
}

TEST(Http1Parser, ErrorIsSticky) {
  Http1Parser p;
  size_t consumed = 0;
  ASSERT_EQ(p.feed("BAD\r\n\r\n", &consumed), R::kError);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\n\r\n", &consumed), R::kError);
}

TEST(Http1Parser, BodyKeepsPaddingForInPlaceParsers) {
  // Small and large declared bodies, fed in pieces: the body arrives whole,
  // with kBodyPadding of spare capacity (simdjson parses it where it lies).
  for (size_t size : {size_t{5}, size_t{(1 << 20) - 10}, size_t{3 << 20}}) {
    std::string body(size, 'b');
    body[size / 2] = 'x';
    std::string req = "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n" + body;
    auto o = run(req, 64 << 10);
    ASSERT_FALSE(o.error) << o.err.message;
    ASSERT_EQ(o.requests.size(), 1u);
    EXPECT_EQ(o.requests[0].body, body);
    EXPECT_GE(o.requests[0].body.capacity(), size + kBodyPadding) << size;
    // Grown in one step past the first MiB: at most twice the declared size.
    EXPECT_LE(o.requests[0].body.capacity(), 2 * size + kBodyPadding + 64) << size;
  }
}

}  // namespace
}  // namespace runnel::net
