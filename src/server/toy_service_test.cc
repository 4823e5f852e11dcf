// A service that is not Kinesis, registered the way every service is, and
// served through the whole stack (net::Server, the dispatcher's protocol
// front ends) over HTTP/1.1, h2c and TLS: the framework is not
// Kinesis-shaped. The model is tests/models/toy, generated into this binary
// like any botocore model (CMakeLists.txt).

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "protocol/cbor_codec.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/rest_json.h"
#include "protocol/service.h"

namespace runnel::testing {
const protocol::ServiceModel& toy_model();
const protocol::ServiceModel& toyrest_model();
}  // namespace runnel::testing

namespace runnel::server {
namespace {

using net::testing::H2Client;
using net::testing::TestSocket;
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
    return {{"GET", "/toy", true, [](const net::HttpRequest&, net::ResponseSink& sink) {
               net::HttpResponse r;
               r.body = "toy";
               sink.send(std::move(r));
             }}};
  }
  std::atomic<int> forgotten{0};
};
// ---- End of the toy service.

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
    table.on("PutToyData", [](const protocol::OperationModel&, Value in, const protocol::RequestContext&,
                              protocol::OperationReply reply) {
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

}  // namespace
}  // namespace runnel::server
