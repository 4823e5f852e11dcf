// A service that is not Kinesis, registered the way every service is, and
// served through the whole stack (net::Server, the dispatcher's protocol
// front ends) over HTTP/1.1, h2c and TLS: the framework is not
// Kinesis-shaped. The model is tests/models/toy, generated into this binary
// like any botocore model (CMakeLists.txt).

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "protocol/cbor_codec.h"
#include "protocol/credentials.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/rest_json.h"
#include "protocol/service.h"
#include "protocol/sigv4.h"
#include "protocol/streamed_payload.h"

namespace runnel::testing {
const protocol::ServiceModel& toy_model();
const protocol::ServiceModel& toyrest_model();
}  // namespace runnel::testing

namespace runnel::server {
namespace {

using net::testing::H2Client;
using net::testing::TestSocket;
using namespace std::chrono_literals;
using protocol::Value;

// ---- The toy service: everything a service needs, in well under 100 lines.
class ToyService final : public protocol::Service {
 public:
  std::string_view name() const override { return "toy"; }
  protocol::OperationTable operations() override {
    protocol::OperationTable table(testing::toy_model());
    table.on("Echo", [](const protocol::OperationModel&, Value in, const protocol::RequestContext&,
                        protocol::OperationReply reply) {
      const std::string& message = in.find("Message")->as_string();
      if (message == "shout") return reply(protocol::api_error("TooLoudException", "Please speak softly.", 409));
      int64_t times = in.find("Times") ? in.find("Times")->as_int() : 1;
      protocol::Array echoes;
      for (int64_t i = 0; i < times; ++i) echoes.push_back(Value(message));
      Value out = protocol::Object{};
      out.set("Echoes", Value(std::move(echoes)));
      if (const Value* at = in.find("At")) out.set("At", *at);
      if (const Value* payload = in.find("Payload")) out.set("Payload", *payload);
      out.set("Volume", 0.5);
      reply(std::move(out));
    });
    table.on("Forget", [this](const protocol::OperationModel&, Value, const protocol::RequestContext&,
                              protocol::OperationReply reply) {
      ++forgotten;
      reply(Value(protocol::Object{}));
    });
    return table;
  }
  std::vector<protocol::LocalRoute> local_routes() override {
    protocol::LocalRoute route;
    route.method = "GET";
    route.path = "/toy";
    route.open = true;
    route.handle = [](const net::HttpRequest&, net::ResponseSink& sink) {
      net::HttpResponse r;
      r.body = "toy";
      sink.send(std::move(r));
    };
    return {std::move(route)};
  }
  std::atomic<int> forgotten{0};
};
// ---- End of the toy service.

// Reads a streamed payload, consuming as it goes, and answers with its size
// and SHA-256 (or the error the payload ended with).
class PayloadSummer final : public protocol::PayloadReader {
 public:
  PayloadSummer(std::shared_ptr<protocol::StreamedPayload> payload, protocol::OperationReply reply)
      : payload_(std::move(payload)), reply_(std::move(reply)) {}
  void on_payload(std::string_view bytes) override {
    data_.append(bytes);  // hashed at the end: the tests' payloads are small enough to keep
    payload_->consume(bytes.size());
  }
  void on_payload_end(protocol::ApiResult<void> result) override {
    if (!result) return reply_(std::unexpected(result.error()));
    Value out = protocol::Object{};
    out.set("Echo", protocol::Blob{std::to_string(data_.size()) + ":" + protocol::sigv4_sha256_hex(data_)});
    reply_(std::move(out));
  }

 private:
  std::shared_ptr<protocol::StreamedPayload> payload_;
  protocol::OperationReply reply_;
  std::string data_;
};

// A REST-JSON toy: members bound to the URI, query, headers and a raw payload.
class ToyRestService final : public protocol::Service {
 public:
  std::string_view name() const override { return "toyrest"; }
  protocol::OperationTable operations() override {
    protocol::OperationTable table(testing::toyrest_model());
    table.on("GetToy", [](const protocol::OperationModel&, Value in, const protocol::RequestContext&,
                          protocol::OperationReply reply) {
      if (in.find("Name")->as_string() == "lost")
        return reply(protocol::api_error("NoSuchToyException", "No toy named lost.", 404));
      reply(std::move(in));  // every member back: the output shape has the same names
    });
    table.on("ListToys", [](const protocol::OperationModel&, Value in, const protocol::RequestContext&,
                            protocol::OperationReply reply) { reply(std::move(in)); });
    table.on("PutToyData", [](const protocol::OperationModel&, Value in, const protocol::RequestContext& ctx,
                              protocol::OperationReply reply) {
      if (ctx.payload) {
        // Streamed: answers "<bytes>:<sha256 hex>" of the payload at its end.
        ctx.payload->read(std::make_shared<PayloadSummer>(ctx.payload, std::move(reply)));
        return;
      }
      Value out = protocol::Object{};
      const Value* data = in.find("Data");
      out.set("Echo", data ? *data : Value(protocol::Blob{}));
      reply(std::move(out));
    });
    return table;
  }
};

// Well-formed SigV4 (no credentials file: any signature passes).
constexpr const char* kAuth =
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/toy/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00";
constexpr const char* kDate = "X-Amz-Date: 20261206T000000Z";
const std::vector<std::pair<std::string, std::string>> kH2Auth = {{"authorization", std::string(kAuth).substr(15)},
                                                                  {"x-amz-date", "20261206T000000Z"},
                                                                  {"smithy-protocol", "rpc-v2-cbor"}};

class ToyServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("runnel-toy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(net::testing::write_self_signed((dir_ / "c.pem").string(), (dir_ / "k.pem").string()));
    dispatcher_.register_service(toy_);
    dispatcher_.register_service(toy_rest_);
    net::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.tls_cert_file = (dir_ / "c.pem").string();
    o.tls_key_file = (dir_ / "k.pem").string();
    server_ = std::make_unique<net::Server>(o, [this](net::HttpRequest r, std::shared_ptr<net::ResponseSink> s) {
      dispatcher_.handle(std::move(r), std::move(s));
    });
    ASSERT_TRUE(server_->start().is_ok());
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }

  // One HTTP/1.1 request on `s`.
  static net::testing::TestResponse http1(TestSocket& s, const std::string& path,
                                          const std::vector<std::string>& headers, const std::string& body) {
    std::string req =
        "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += std::string(kAuth) + "\r\n" + kDate + "\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    EXPECT_TRUE(s.write(req + "\r\n" + body));
    auto r = net::testing::read_response(s);
    EXPECT_TRUE(r.has_value());
    return r ? *r : net::testing::TestResponse{};
  }

  std::filesystem::path dir_;
  ToyService toy_;
  ToyRestService toy_rest_;
  protocol::Dispatcher dispatcher_{protocol::DispatcherOptions{}};
  std::unique_ptr<net::Server> server_;
};

constexpr const char* kJson10 = "Content-Type: application/x-amz-json-1.0";
constexpr const char* kEchoTarget = "X-Amz-Target: Toy_20261206.Echo";
const std::string kRpcEcho = "/service/Toy_20261206/operation/Echo";

std::vector<std::pair<std::string, std::string>> with(std::vector<std::pair<std::string, std::string>> h,
                                                      std::pair<std::string, std::string> more) {
  h.push_back(std::move(more));
  return h;
}

Value cbor_echo_input() {
  Value in = protocol::Object{};
  in.set("Message", std::string("hello"));
  in.set("Times", int64_t{2});
  in.set("At", protocol::Timestamp{1'765'000'000'500});
  in.set("Payload", protocol::Blob{std::string("\x00\x01\xff", 3)});
  return in;
}

void expect_cbor_echo(const std::string& body) {
  auto out = protocol::decode_cbor(body, protocol::CborEpoch::kSeconds);
  ASSERT_TRUE(out.has_value());
  ASSERT_EQ(out->find("Echoes")->as_array().size(), 2u);
  EXPECT_EQ(out->find("Echoes")->as_array()[1].as_string(), "hello");
  EXPECT_EQ(out->find("At")->as_timestamp().millis, 1'765'000'000'500);
  EXPECT_EQ(out->find("Payload")->as_blob().bytes, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(out->find("Volume")->as_double(), 0.5);
}

TEST_F(ToyServer, Json10OverHttp1) {
  TestSocket s(server_->bound_port());
  auto r = http1(s, "/", {kJson10, kEchoTarget}, R"({"Message":"hi","Times":3})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(*r.header("content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, R"({"Echoes":["hi","hi","hi"],"Volume":0.5})");
  // Validation words the toy's own constraints as AWS does.
  r = http1(s, "/", {kJson10, kEchoTarget}, R"({"Message":"HI","Times":9})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("ValidationException"), std::string::npos);
  EXPECT_NE(r.body.find("Member must have value less than or equal to 5"), std::string::npos);
  EXPECT_EQ(*r.header("x-amzn-query-error"), "ValidationError;Sender");
  // The service's own error, with its Query code (awsQueryCompatible).
  r = http1(s, "/", {kJson10, kEchoTarget}, R"({"Message":"shout"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "TooLoudException");
  EXPECT_EQ(*r.header("x-amzn-query-error"), "TooLoud;Sender");
  // JSON 1.1 is not the toy's protocol: AWS's 403.
  r = http1(s, "/", {"Content-Type: application/x-amz-json-1.1", kEchoTarget}, R"({"Message":"hi"})");
  EXPECT_EQ(r.status, 403);
  r = http1(s, "/", {kJson10, "X-Amz-Target: Toy_20261206.Shout"}, "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("UnknownOperationException"), std::string::npos);
}

TEST_F(ToyServer, RpcV2CborOverH2c) {
  TestSocket s(server_->bound_port());
  H2Client c(s);
  int32_t id = c.submit("POST", kRpcEcho, protocol::encode_cbor(cbor_echo_input(), protocol::CborEpoch::kSeconds),
                        with(kH2Auth, {"content-type", "application/cbor"}));
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).status, 200);
  EXPECT_EQ(c.response(id).headers["smithy-protocol"], "rpc-v2-cbor");
  expect_cbor_echo(c.response(id).body);
  // An operation without input or output: empty bodies both ways.
  int32_t forget = c.submit("POST", "/service/Toy_20261206/operation/Forget", "", kH2Auth);
  ASSERT_TRUE(c.wait(forget));
  EXPECT_EQ(c.response(forget).status, 200);
  EXPECT_EQ(c.response(forget).body, "");
  EXPECT_EQ(toy_.forgotten.load(), 1);
  // Errors are CBOR with __type.
  int32_t bad = c.submit("POST", "/service/Toy_20261206/operation/Nope", "", kH2Auth);
  ASSERT_TRUE(c.wait(bad));
  EXPECT_EQ(c.response(bad).status, 400);
  auto err = protocol::decode_cbor(c.response(bad).body);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->find("__type")->as_string(), "UnknownOperationException");
}

TEST_F(ToyServer, RpcV2CborAndJsonOverTls) {
  std::string alpn("\x02h2\x08http/1.1", 12);
  TestSocket h2(server_->bound_tls_port(), &alpn);
  ASSERT_TRUE(h2.ok());
  H2Client c(h2);
  int32_t id =
      c.submit("POST", kRpcEcho, protocol::encode_cbor(cbor_echo_input(), protocol::CborEpoch::kSeconds), kH2Auth);
  ASSERT_TRUE(c.wait(id));
  EXPECT_EQ(c.response(id).status, 200);
  expect_cbor_echo(c.response(id).body);

  std::string http11("\x08http/1.1", 9);
  TestSocket s(server_->bound_tls_port(), &http11);
  ASSERT_TRUE(s.ok());
  auto r = http1(s, "/", {kJson10, kEchoTarget}, R"({"Message":"tls"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Echoes":["tls"],"Volume":0.5})");
}

TEST_F(ToyServer, GzipBodiesAreInflated) {
  std::string plain = R"({"Message":"zipped","Times":1})";
  std::string gz(256, '\0');
  z_stream zs{};
  ASSERT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(plain.data());
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  TestSocket s(server_->bound_port());
  auto r = http1(s, "/", {kJson10, kEchoTarget, "Content-Encoding: gzip"}, gz);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Echoes":["zipped"],"Volume":0.5})");
  // Not gzip after all: the body cannot be read.
  r = http1(s, "/", {kJson10, kEchoTarget, "Content-Encoding: gzip"}, plain);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("SerializationException"), std::string::npos);
}

TEST_F(ToyServer, LocalRoutesAndUnknownPaths) {
  TestSocket s(server_->bound_port());
  ASSERT_TRUE(s.write("GET /toy HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = net::testing::read_response(s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "toy");
  ASSERT_TRUE(s.write("GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = net::testing::read_response(s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("MissingAuthenticationTokenException"), std::string::npos);
}

// One raw HTTP/1.1 exchange signed for the toyrest service.
net::testing::TestResponse rest(TestSocket& s, const std::string& head_line, const std::vector<std::string>& headers,
                                const std::string& body = "") {
  std::string req = head_line + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/toyrest/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\n" +
                    kDate + "\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  EXPECT_TRUE(s.write(req + "\r\n" + body));
  auto r = net::testing::read_response(s);
  EXPECT_TRUE(r.has_value());
  return r ? *r : net::testing::TestResponse{};
}

TEST_F(ToyServer, RestJsonBindsUriQueryHeadersAndPayload) {
  TestSocket s(server_->bound_port());
  auto r = rest(s, "GET /toys/big%20bear?verbose=true&tag=a&tag=b",
                {"X-Toy-Color: blue", "X-Toy-Since: Mon, 07 Dec 2026 00:15:30 GMT"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(*r.header("x-toy-color"), "blue");
  EXPECT_EQ(r.body, R"({"Name":"big bear","Verbose":true,"Tags":["a","b"],"Since":1796602530})");
  // The longer literal wins: /toys is ListToys, /toys/{Name} GetToy.
  r = rest(s, "GET /toys?limit=7", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Limit":7})");
  // A raw payload in, a raw payload out, and the model's success status.
  r = rest(s, "PUT /toys/bear/data", {}, std::string("\x00\xffraw", 5));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, std::string("\x00\xffraw", 5));
  // Errors: the status of the error, x-amzn-ErrorType, a JSON message.
  r = rest(s, "GET /toys/lost", {});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "NoSuchToyException");
  EXPECT_EQ(r.body, R"({"__type":"NoSuchToyException","message":"No toy named lost."})");
  // Validation applies to bound members too; bad header values are refused.
  r = rest(s, "GET /toys/bear", {"X-Toy-Color: green"});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Member must satisfy enum value set: [red, blue]"), std::string::npos);
  r = rest(s, "GET /toys?limit=seven", {});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "SerializationException");
  // A path no template has: not a toyrest operation, AWS's 403.
  r = rest(s, "GET /games", {});
  EXPECT_EQ(r.status, 403);
}

TEST(RestJson, UriTemplates) {
  auto m = protocol::match_request_uri("/{Bucket}/{Key+}", "/b/a/b%2Fc.txt", "");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].second, "b");
  EXPECT_EQ((*m)[1].second, "a/b/c.txt");
  EXPECT_FALSE(protocol::match_request_uri("/{Bucket}?tagging", "/b", "x=1").has_value());
  EXPECT_TRUE(protocol::match_request_uri("/{Bucket}?tagging", "/b", "tagging").has_value());
  EXPECT_FALSE(protocol::match_request_uri("/toys/{Name}", "/toys/", "").has_value());
  EXPECT_FALSE(protocol::match_request_uri("/toys/{Name}", "/toys/a/b", "").has_value());
  EXPECT_FALSE(protocol::match_request_uri("/toys/{Name}", "/toys/%zz", "").has_value());
}

TEST(OperationTable, RefusesOperationsTheModelLacks) {
  protocol::OperationTable table(testing::toy_model());
  EXPECT_THROW(table.on("Ech0", {}), std::logic_error);
  table.on("Echo", [](auto&&...) {});
  EXPECT_THROW(table.on("Echo", [](auto&&...) {}), std::logic_error);
  EXPECT_EQ(table.unhandled(), std::vector<std::string_view>{"Forget"});
}

// ---- Streamed payloads (REST operations with a streaming blob input), with
// a credentials store, as runnel serves them (serve.cc wires the same hooks).
constexpr std::string_view kKeyId = "AKIDSTREAM";
constexpr std::string_view kSecret = "streaming-secret-for-tests";

class ToyStreaming : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = protocol::CredentialStore::parse("[default]\naws_access_key_id = " + std::string(kKeyId) +
                                                  "\naws_secret_access_key = " + std::string(kSecret) + "\n");
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
    protocol::DispatcherOptions d;
    d.credentials = &store_;
    dispatcher_ = std::make_unique<protocol::Dispatcher>(d);
    dispatcher_->register_service(toy_rest_);
    net::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.max_body_bytes = 256 << 10;  // streamed payloads are not bound by it
    o.head_check = [this](const net::HttpRequest& head) { return dispatcher_->check_head(head); };
    o.stream_body = [this](const net::HttpRequest& head) { return dispatcher_->streams_body(head); };
    o.transport_error = [this](const net::HttpRequest& head, net::TransportError e) {
      return dispatcher_->transport_error_response(head, e);
    };
    server_ = std::make_unique<net::Server>(o, [this](net::HttpRequest r, std::shared_ptr<net::ResponseSink> s) {
      dispatcher_->handle(std::move(r), std::move(s));
    });
    ASSERT_TRUE(server_->start().is_ok());
  }
  void TearDown() override { server_->stop(); }

  static int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // A signed head for PUT /toys/abc/data with `extra` headers, over `payload_hash`.
  static net::HttpRequest signed_head(std::vector<net::Header> extra, std::string_view payload_hash,
                                      std::string_view secret = kSecret) {
    net::HttpRequest head;
    head.method = "PUT";
    head.path = "/toys/abc/data";
    head.headers = {{"host", "example.test:4567"}};
    for (auto& h : extra) head.headers.push_back(std::move(h));
    protocol::SigV4Signer signer(std::string(kKeyId), secret, "us-east-1", "toyrest");
    std::string auth = signer.sign(head, now(), payload_hash);
    head.headers.push_back({"authorization", std::move(auth)});
    return head;
  }

  // Sends `head` + `body` over HTTP/1.1 (Content-Length framing).
  net::testing::TestResponse put_http1(const net::HttpRequest& head, const std::string& body) {
    TestSocket s(server_->bound_port());
    std::string wire =
        head.method + " " + head.path + " HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& h : head.headers) wire += h.name + ": " + h.value + "\r\n";
    EXPECT_TRUE(s.write(wire + "\r\n" + body));
    auto r = net::testing::read_response(s, 10000);
    EXPECT_TRUE(r.has_value());
    return r ? *r : net::testing::TestResponse{};
  }

  // An aws-chunked body of `payload` in `chunk`-byte chunks, signed from the
  // head's signature with the test key.
  static std::string signed_chunks(const net::HttpRequest& head, std::string_view payload, size_t chunk) {
    auto auth = protocol::parse_sigv4(head);
    EXPECT_TRUE(auth.has_value());
    protocol::ChunkSigningKey key;
    auto store = protocol::CredentialStore::parse("[default]\naws_access_key_id = " + std::string(kKeyId) +
                                                  "\naws_secret_access_key = " + std::string(kSecret) + "\n");
    EXPECT_TRUE(
        protocol::authenticate_sigv4_streamed(head, &*store, now(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", &key));
    std::string out, previous = key.seed_signature;
    auto add = [&](std::string_view data) {
      std::string sig = protocol::sigv4_chunk_signature(key, previous, protocol::sigv4_sha256_hex(data));
      char size[20];
      std::snprintf(size, sizeof size, "%zx", data.size());
      out += std::string(size) + ";chunk-signature=" + sig + "\r\n" + std::string(data) + "\r\n";
      previous = sig;
    };
    for (size_t at = 0; at < payload.size(); at += chunk) add(payload.substr(at, chunk));
    add("");
    return out;
  }

  static std::string expected_echo(const std::string& payload) {
    return std::to_string(payload.size()) + ":" + protocol::sigv4_sha256_hex(payload);
  }

  protocol::CredentialStore store_;
  ToyRestService toy_rest_;
  std::unique_ptr<protocol::Dispatcher> dispatcher_;
  std::unique_ptr<net::Server> server_;
};

std::string payload_of(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 131 + i / 977);
  return s;
}

TEST_F(ToyStreaming, UnsignedPayloadLargerThanMaxBodyBytes) {
  std::string payload = payload_of(3 << 20);
  auto head = signed_head({{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}, "UNSIGNED-PAYLOAD");
  auto r = put_http1(head, payload);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body, expected_echo(payload));
}

TEST_F(ToyStreaming, SignedChunksVerifiedOverHttp1AndHttp2) {
  std::string payload = payload_of(300000);
  auto head = signed_head({{"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                           {"content-encoding", "aws-chunked"},
                           {"x-amz-decoded-content-length", std::to_string(payload.size())}},
                          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  std::string body = signed_chunks(head, payload, 65536);
  auto r = put_http1(head, body);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body, expected_echo(payload));

  // The same over h2.
  TestSocket s(server_->bound_port());
  net::testing::H2Client c(s);
  std::vector<std::pair<std::string, std::string>> h2;
  for (const auto& h : head.headers)
    if (h.name != "host") h2.emplace_back(h.name, h.value);
  int32_t id = c.submit("PUT", head.path, body, h2);
  ASSERT_TRUE(c.run_until([&] { return c.response(id).closed; }, 10s));
  EXPECT_EQ(c.response(id).status, 201);
  EXPECT_EQ(c.response(id).body, expected_echo(payload));

  // One altered byte in the second chunk: the chunk's signature fails.
  std::string altered = body;
  altered[body.find("\r\n", 70000) - 10] ^= 1;
  r = put_http1(head, altered);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "InvalidSignatureException");
  // A declared length that does not match the payload.
  auto lying = signed_head(
      {{"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, {"x-amz-decoded-content-length", "5"}},
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  r = put_http1(lying, signed_chunks(lying, payload, 65536));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "IncompleteBody");
}

TEST_F(ToyStreaming, UnsignedChunksWithATrailingChecksum) {
  std::string payload = "hello world";
  auto head = signed_head({{"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                           {"content-encoding", "aws-chunked"},
                           {"x-amz-decoded-content-length", "11"},
                           {"x-amz-trailer", "x-amz-checksum-crc32"}},
                          "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  auto r = put_http1(head, "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body, expected_echo(payload));
  r = put_http1(head, "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "BadDigest");
  EXPECT_NE(r.body.find("The CRC32 you specified did not match the calculated checksum."), std::string::npos);
}

TEST_F(ToyStreaming, DeclaredSha256IsCheckedAtTheEnd) {
  std::string payload = payload_of(100000);
  std::string hash = protocol::sigv4_sha256_hex(payload);
  auto head = signed_head({{"x-amz-content-sha256", hash}}, hash);
  auto r = put_http1(head, payload);
  EXPECT_EQ(r.status, 201) << r.body;
  std::string other = payload;
  other[5] ^= 1;
  r = put_http1(head, other);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "XAmzContentSHA256Mismatch");
}

TEST_F(ToyStreaming, WithoutAPayloadHashTheSignatureIsCheckedOnceTheBodyIsIn) {
  std::string payload = payload_of(50000);
  auto head = signed_head({}, protocol::sigv4_sha256_hex(payload));
  auto r = put_http1(head, payload);
  EXPECT_EQ(r.status, 201) << r.body;
  std::string other = payload;
  other[7] ^= 1;
  r = put_http1(head, other);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(*r.header("x-amzn-errortype"), "InvalidSignatureException");
}

TEST_F(ToyStreaming, WrongKeyIsRefusedFromTheHead) {
  auto head = signed_head({{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}, "UNSIGNED-PAYLOAD", "not-the-secret");
  auto r = put_http1(head, payload_of(1000));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(*r.header("x-amzn-errortype"), "InvalidSignatureException");
  auto claim = signed_head({{"x-amz-content-sha256", "SOMETHING-ELSE"}}, "SOMETHING-ELSE");
  r = put_http1(claim, "x");
  EXPECT_EQ(r.status, 400);
}

}  // namespace
}  // namespace runnel::server
